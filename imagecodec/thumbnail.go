package imagecodec

import (
	"fmt"
	"image"

	"github.com/pixplot/pixplot"
)

// ThumbQuality is the JPEG quality of stored thumbnails.
const ThumbQuality = 85

// Thumbnails renders the cell, lod and preview thumbnails of an upright image,
// in that order. Small images are scaled up (smoothly) so every tier has its
// nominal size.
func Thumbnails(img image.Image) ([]pixplot.Thumbnail, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("thumbnails of an empty %v image", b.Size())
	}
	if _, ok := img.(*image.RGBA); !ok {
		img = resizeArea(img, b.Dx(), b.Dy()) // convert once, not once per tier
	}
	cw, ch := ThumbnailSize(pixplot.ThumbCell, b.Dx(), b.Dy())
	lw, lh := ThumbnailSize(pixplot.ThumbLOD, b.Dx(), b.Dy())
	pw, ph := ThumbnailSize(pixplot.ThumbPreview, b.Dx(), b.Dy())
	lod := Resize(img, lw, lh)
	tiers := []struct {
		size   string
		pixels *image.RGBA
	}{
		// Cell is a quarter of lod each way: made from lod, it costs no pass over the source.
		{pixplot.ThumbCell, Resize(lod, cw, ch)},
		{pixplot.ThumbLOD, lod},
		{pixplot.ThumbPreview, Resize(img, pw, ph)},
	}
	thumbs := make([]pixplot.Thumbnail, 0, len(tiers))
	for _, tier := range tiers {
		data, err := EncodeJPEG(tier.pixels, ThumbQuality)
		if err != nil {
			return nil, fmt.Errorf("%s thumbnail: %w", tier.size, err)
		}
		thumbs = append(thumbs, pixplot.Thumbnail{
			Size: tier.size, Width: tier.pixels.Rect.Dx(), Height: tier.pixels.Rect.Dy(), JPEG: data,
		})
	}
	return thumbs, nil
}

// ThumbnailSize is the pixel size of thumbnail tier size (pixplot.ThumbCell,
// ThumbLOD or ThumbPreview) for a w×h image. Cell and lod keep the aspect ratio
// at a fixed height, but fit images wider than pixplot.MaxThumbAspect:1 inside
// that box; preview fits the long side. Sides are at least 1 pixel.
func ThumbnailSize(size string, w, h int) (tw, th int) {
	var boxW, boxH int
	switch size {
	case pixplot.ThumbCell:
		boxW, boxH = pixplot.MaxThumbAspect*pixplot.CellHeight, pixplot.CellHeight
	case pixplot.ThumbLOD:
		boxW, boxH = pixplot.MaxThumbAspect*pixplot.LODHeight, pixplot.LODHeight
	default: // pixplot.ThumbPreview
		boxW, boxH = pixplot.PreviewSide, pixplot.PreviewSide
	}
	// Fit inside boxW×boxH; for cell and lod the height binds unless the image
	// is wider than the aspect cap.
	if w*boxH >= h*boxW {
		return boxW, max(1, roundDiv(h*boxW, w))
	}
	return max(1, roundDiv(w*boxH, h)), boxH
}

// EncodeJPEG encodes img as a baseline JPEG (4:2:0 chroma) at quality 1–100
// with libjpeg-turbo, compositing any transparency onto white.
func EncodeJPEG(img image.Image, quality int) ([]byte, error) {
	rgba, ok := img.(*image.RGBA)
	if !ok || !rgba.Opaque() {
		rgba = resizeArea(img, img.Bounds().Dx(), img.Bounds().Dy())
	}
	return encodeOpaqueJPEG(rgba, quality)
}

func roundDiv(a, b int) int { return (2*a + b) / (2 * b) }
