package benchkit

import (
	"context"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
)

// Embeddings are the active model's vectors of a catalog's images.
type Embeddings struct {
	Model      pixplot.Model
	IDs        []int64
	Vectors    [][]float32
	Categories []string // per image, when asked for; "" for none
}

// LoadEmbeddings reads the images matching where ("" = all) with the
// active model's vectors, and their categories when withCategories.
func LoadEmbeddings(ctx context.Context, cat *catalog.Catalog, where string, withCategories bool) (Embeddings, error) {
	var e Embeddings
	var err error
	if e.Model, err = cat.ActiveModel(ctx); err != nil {
		return e, err
	}
	if e.IDs, err = cat.Select(ctx, catalog.Filter{Where: where}); err != nil {
		return e, err
	}
	if withCategories {
		e.Categories = make([]string, len(e.IDs))
		for i, id := range e.IDs {
			img, err := cat.Image(ctx, id)
			if err != nil {
				return e, err
			}
			e.Categories[i] = img.Meta.Category
		}
	}
	e.Vectors, err = cat.Vectors(ctx, e.Model.ID, e.IDs)
	return e, err
}
