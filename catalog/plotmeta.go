package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// PlotImageMeta is what a viewer filters, labels and searches a plot's
// images by, without asking for each image.
type PlotImageMeta struct {
	ID       int64
	Filename string // "" when the image was removed from the catalog after plotting
	Category string
	Year     *int
	Tags     []string // sorted
}

// PlotMeta returns the file name, category, year and tags of every image of
// the ready plot called name, in plot order.
func (c *Catalog) PlotMeta(ctx context.Context, name string) ([]PlotImageMeta, error) {
	id, err := readyPlotID(ctx, c.read, name)
	if err != nil {
		return nil, err
	}
	rows, err := c.read.QueryContext(ctx, `SELECT pi.image_id, coalesce(i.filename, ''), coalesce(i.category, ''), i.year,
		(SELECT json_group_array(name) FROM (SELECT t.name FROM image_tags it JOIN tags t ON t.id = it.tag_id
		  WHERE it.image_id = pi.image_id ORDER BY t.name))
		FROM plot_images pi LEFT JOIN images i ON i.id = pi.image_id
		WHERE pi.plot_id = ? ORDER BY pi.position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PlotImageMeta{}
	for rows.Next() {
		var m PlotImageMeta
		var year sql.NullInt64
		var tags string
		if err := rows.Scan(&m.ID, &m.Filename, &m.Category, &year, &tags); err != nil {
			return nil, err
		}
		if year.Valid {
			y := int(year.Int64)
			m.Year = &y
		}
		if err := json.Unmarshal([]byte(tags), &m.Tags); err != nil {
			return nil, fmt.Errorf("plot %q image %d tags: %w", name, m.ID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
