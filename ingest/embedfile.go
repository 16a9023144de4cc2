package ingest

import (
	"fmt"

	"github.com/pixplot/pixplot/imagecodec"
)

// EmbedImage embeds one image given as file bytes (a similar-image query that
// is not in the catalog), decoded exactly as ingest decodes images.
func EmbedImage(emb Embedder, data []byte, maxPixels int64) ([]float32, error) {
	decoded, err := imagecodec.Decode(data, imagecodec.Options{MaxPixels: maxPixels, MinSide: emb.Model().Preprocess.Size})
	if err != nil {
		return nil, err
	}
	vecs, err := emb.Run([][]float32{emb.Tensorize(decoded.Image)})
	if err != nil {
		return nil, fmt.Errorf("embedding with %s: %w", emb.Model().Name, err)
	}
	return vecs[0], nil
}
