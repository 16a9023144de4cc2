package export

import (
	"encoding/json"
	"fmt"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/plot/knn"
	"github.com/pixplot/pixplot/viewer"
)

// knnSeed fixes the neighbour search of large exports, so exporting twice
// gives the same files.
const knnSeed = 1

// similar writes each image's k nearest neighbours among ids by the active
// model's vectors: what GET /api/images/{id}/similar?k=K answers within the
// exported images (cosine distance, nearest first, the image itself left out).
// Up to knn.ExactBudget of work the search is exact, as the API's; above it
// NN-descent finds nearly the same lists in a fraction of the time.
func (w *writer) similar(ids []int64) error {
	model, err := w.cat.ActiveModel(w.ctx)
	if err != nil {
		return fmt.Errorf("export: similar images: %w", err)
	}
	vecs, err := w.cat.Vectors(w.ctx, model.ID, ids)
	if err != nil {
		return fmt.Errorf("export: similar images: %w", err)
	}
	data := make([]float32, 0, len(ids)*model.Dims)
	for _, v := range vecs {
		data = append(data, v...)
	}
	k := min(w.opt.K+1, len(ids)) // each point is its own first neighbour
	g, err := knn.Build(data, model.Dims, knn.Options{K: k, Metric: knn.Cosine, Threads: w.opt.Workers, Seed: knnSeed})
	if err != nil {
		return fmt.Errorf("export: similar images: %w", err)
	}
	for i, id := range ids {
		idx, dist := g.Row(i)
		found := make([]pixplot.Neighbor, 0, w.opt.K)
		for j, n := range idx {
			if n < 0 || int(n) == i || len(found) == w.opt.K {
				continue
			}
			name, _ := w.filenames.Load(ids[n])
			found = append(found, pixplot.Neighbor{ID: ids[n], Filename: name.(string), Distance: float64(max(dist[j], 0))})
		}
		b, err := json.Marshal(found)
		if err != nil {
			return err
		}
		if err := w.put(viewer.SimilarFile(id), b); err != nil {
			return err
		}
	}
	w.logf("similar: %d nearest of each of %d images", min(w.opt.K, len(ids)-1), len(ids))
	return nil
}
