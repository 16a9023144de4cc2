package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
)

// PlotImage is what computing a plot needs to know of one image. Its fields
// are those of plot.Image, in the same order, so one converts to the other.
type PlotImage struct {
	ID     int64
	Width  int // pixels, after EXIF orientation
	Height int

	Category string
	Label    string
	Tags     []string // sorted
	Year     *int
	Lat, Lng *float64
	X, Y     *float64
}

// PlotInput is a plot's selection as the algorithms take it.
type PlotInput struct {
	Images  []PlotImage // the asked-for images that have a vector, in the order asked
	Vectors []float32   // Dims values per image of Images, row-major
	Dims    int
	// Missing are the asked-for ids left out: no such image, or no vector for
	// the model (e.g. embedding failed when it was ingested).
	Missing []int64
}

// plotInputChunk bounds the ids read per query.
const plotInputChunk = 20000

// PlotInput reads, in one pass per chunk of ids, each image's size and
// metadata and its vector for model modelID from the plain embeddings table
// (never a vec0 scan). Thumbnails are read separately (ThumbnailJPEGs), a
// sheet's worth at a time. An id listed twice is ErrInvalid.
func (c *Catalog) PlotInput(ctx context.Context, modelID int64, ids []int64) (PlotInput, error) {
	m, err := c.Model(ctx, modelID)
	if err != nil {
		return PlotInput{}, err
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return PlotInput{}, fmt.Errorf("%w: image %d is listed twice", ErrInvalid, id)
		}
		seen[id] = true
	}
	in := PlotInput{Dims: m.Dims, Images: make([]PlotImage, 0, len(ids)), Vectors: make([]float32, 0, len(ids)*m.Dims)}
	for chunk := range slices.Chunk(ids, plotInputChunk) {
		if err := c.readPlotInput(ctx, m.ID, m.Dims, chunk, &in); err != nil {
			return PlotInput{}, err
		}
	}
	return in, nil
}

func (c *Catalog) readPlotInput(ctx context.Context, modelID int64, dims int, ids []int64, in *PlotInput) error {
	list, _ := json.Marshal(ids) // ints always marshal
	rows, err := c.read.QueryContext(ctx, `SELECT j.value, i.id, i.width, i.height, i.category, i.label, i.year,
		i.lat, i.lng, i.x, i.y,
		(SELECT json_group_array(t.name) FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE it.image_id = i.id),
		e.vector
		FROM json_each(?) j LEFT JOIN images i ON i.id = j.value
		LEFT JOIN embeddings e ON e.model_id = ? AND e.image_id = i.id
		ORDER BY j.key`, string(list), modelID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var asked int64
		var id sql.NullInt64
		var img PlotImage
		var category, label, tags sql.NullString
		var year, width, height sql.NullInt64
		var lat, lng, x, y sql.NullFloat64
		var vector sql.RawBytes
		if err := rows.Scan(&asked, &id, &width, &height, &category, &label, &year, &lat, &lng, &x, &y,
			&tags, &vector); err != nil {
			return err
		}
		if !id.Valid || vector == nil {
			in.Missing = append(in.Missing, asked)
			continue
		}
		if len(vector) != 4*dims {
			return fmt.Errorf("image %d: %w: stored vector has %d bytes, expected %d", asked, ErrWrongDims, len(vector), 4*dims)
		}
		img.ID, img.Width, img.Height = asked, int(width.Int64), int(height.Int64)
		img.Category, img.Label = category.String, label.String
		img.Lat, img.Lng, img.X, img.Y = floatPtr(lat), floatPtr(lng), floatPtr(x), floatPtr(y)
		if year.Valid {
			v := int(year.Int64)
			img.Year = &v
		}
		if err := json.Unmarshal([]byte(tags.String), &img.Tags); err != nil {
			return fmt.Errorf("image %d tags: %w", asked, err)
		}
		slices.Sort(img.Tags)
		in.Images = append(in.Images, img)
		start := len(in.Vectors)
		in.Vectors = append(in.Vectors, make([]float32, dims)...)
		decodeInto(in.Vectors[start:], vector)
	}
	return rows.Err()
}

// ThumbnailJPEGs returns the stored thumbnails of one size (pixplot.ThumbCell,
// pixplot.ThumbLOD or pixplot.ThumbPreview) of ids, in that order: nil for an
// image that has none. It satisfies plot.ThumbnailSource, so atlases read a
// sheet's worth of thumbnails at a time.
func (c *Catalog) ThumbnailJPEGs(ctx context.Context, size string, ids []int64) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for start := 0; start < len(ids); start += plotInputChunk {
		chunk := ids[start:min(start+plotInputChunk, len(ids))]
		list, _ := json.Marshal(chunk)
		rows, err := c.read.QueryContext(ctx, `SELECT j.key, t.jpeg FROM json_each(?) j
			JOIN thumbnails t ON t.image_id = j.value AND t.size = ?`, string(list), size)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var i int
			var jpeg []byte
			if err := rows.Scan(&i, &jpeg); err != nil {
				rows.Close()
				return nil, err
			}
			out[start+i] = jpeg
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
