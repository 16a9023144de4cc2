package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// plotInfoSQL reads PlotInfo rows (scanPlotInfo) from plots p.
const plotInfoSQL = `SELECT p.id, p.name, p.filter, p.params, p.fingerprint, coalesce(p.model_id, 0), p.status,
	coalesce(p.progress, ''), coalesce(p.error, ''), coalesce(p.pid, 0), coalesce(p.host, ''),
	coalesce(p.heartbeat_at, ''), p.image_count, coalesce(p.timings, '[]'), coalesce(p.warnings, '[]'),
	p.created_at, coalesce(p.finished_at, ''),
	(SELECT json_group_array(layout) FROM (SELECT layout FROM plot_layouts WHERE plot_id = p.id ORDER BY rowid)),
	(SELECT count(*) FROM hotspots WHERE plot_id = p.id),
	(SELECT json_group_array(tier) FROM (SELECT DISTINCT tier FROM atlases WHERE plot_id = p.id ORDER BY tier))
	FROM plots p`

func scanPlotInfo(row interface{ Scan(...any) error }) (PlotInfo, error) {
	var p PlotInfo
	var params, heartbeat, timings, warnings, created, finished, layouts, tiers string
	err := row.Scan(&p.ID, &p.Name, &p.Filter, &params, &p.Fingerprint, &p.ModelID, &p.Status, &p.Progress, &p.Error,
		&p.PID, &p.Host, &heartbeat, &p.ImageCount, &timings, &warnings, &created, &finished, &layouts, &p.Hotspots, &tiers)
	if err != nil {
		return p, err
	}
	p.Params = json.RawMessage(params)
	for _, field := range []struct {
		text string
		dest any
	}{{timings, &p.Timings}, {warnings, &p.Warnings}, {layouts, &p.Layouts}, {tiers, &p.Tiers}} {
		if err := json.Unmarshal([]byte(field.text), field.dest); err != nil {
			return p, fmt.Errorf("plot %s: %q: %w", p.Name, field.text, err)
		}
	}
	for _, field := range []struct {
		text string
		dest *time.Time
	}{{heartbeat, &p.Heartbeat}, {created, &p.CreatedAt}, {finished, &p.FinishedAt}} {
		if field.text == "" {
			continue
		}
		if *field.dest, err = time.Parse(timeLayout, field.text); err != nil {
			return p, fmt.Errorf("plot %s: time %q: %w", p.Name, field.text, err)
		}
	}
	return p, nil
}

func plotByName(ctx context.Context, q queryer, name string) (PlotInfo, error) {
	p, err := scanPlotInfo(q.QueryRowContext(ctx, plotInfoSQL+` WHERE p.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("plot %q: %w", name, ErrNotFound)
	}
	return p, err
}

// Plots lists the stored plots by name, whatever their status.
func (c *Catalog) Plots(ctx context.Context) ([]PlotInfo, error) {
	rows, err := c.read.QueryContext(ctx, plotInfoSQL+` ORDER BY p.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	plots := []PlotInfo{}
	for rows.Next() {
		p, err := scanPlotInfo(rows)
		if err != nil {
			return nil, err
		}
		c.setStale(&p)
		plots = append(plots, p)
	}
	return plots, rows.Err()
}

// Plot describes the plot called name, whatever its status (a viewer shows
// the progress of a running one).
func (c *Catalog) Plot(ctx context.Context, name string) (PlotInfo, error) {
	p, err := plotByName(ctx, c.read, name)
	if err == nil {
		c.setStale(&p)
	}
	return p, err
}

// readyPlotID is the id of the plot called name if it is ready:
// ErrNotFound when there is none, ErrPlotNotReady while it is running or
// when it failed.
func readyPlotID(ctx context.Context, q queryer, name string) (int64, error) {
	var id int64
	var status, progress, failure string
	err := q.QueryRowContext(ctx, `SELECT id, status, coalesce(progress, ''), coalesce(error, '') FROM plots WHERE name = ?`,
		name).Scan(&id, &status, &progress, &failure)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("plot %q: %w", name, ErrNotFound)
	case err != nil:
		return 0, err
	case status == PlotRunning:
		return 0, fmt.Errorf("plot %q is still being computed (%s): %w", name, progress, ErrPlotNotReady)
	case status == PlotFailed:
		return 0, fmt.Errorf("plot %q failed (%s): %w", name, failure, ErrPlotNotReady)
	}
	return id, nil
}

// PlotImages returns the image ids of the ready plot called name, in plot
// order.
func (c *Catalog) PlotImages(ctx context.Context, name string) ([]int64, error) {
	id, err := readyPlotID(ctx, c.read, name)
	if err != nil {
		return nil, err
	}
	return queryInts(ctx, c.read, `SELECT image_id FROM plot_images WHERE plot_id = ? ORDER BY position`, id)
}

// PlotLayout returns the layout called layout of the ready plot called name.
func (c *Catalog) PlotLayout(ctx context.Context, name, layout string) (Layout, error) {
	l := Layout{Name: layout}
	id, err := readyPlotID(ctx, c.read, name)
	if err != nil {
		return l, err
	}
	var blob []byte
	var labels, variant sql.NullString
	var cellSize float64
	var count int
	err = c.read.QueryRowContext(ctx, `SELECT l.positions, l.labels, l.cell_size, l.variant, p.image_count
		FROM plot_layouts l JOIN plots p ON p.id = l.plot_id WHERE l.plot_id = ? AND l.layout = ?`, id, layout).
		Scan(&blob, &labels, &cellSize, &variant, &count)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("plot %q layout %q: %w", name, layout, ErrNotFound)
	}
	if err != nil {
		return l, err
	}
	if l.Positions, err = decodeVector(blob, 2*count); err != nil {
		return l, fmt.Errorf("plot %q layout %q: %w", name, layout, err)
	}
	l.CellSize = float32(cellSize)
	if labels.Valid {
		if err := json.Unmarshal([]byte(labels.String), &l.Labels); err != nil {
			return l, fmt.Errorf("plot %q layout %q labels: %w", name, layout, err)
		}
	}
	if variant.Valid {
		if err := json.Unmarshal([]byte(variant.String), &l.Variant); err != nil {
			return l, fmt.Errorf("plot %q layout %q variant: %w", name, layout, err)
		}
	}
	return l, nil
}

// PlotHotspots returns the hotspots of the ready plot called name, in list
// order (rank, then id).
func (c *Catalog) PlotHotspots(ctx context.Context, name string) ([]Hotspot, error) {
	id, err := readyPlotID(ctx, c.read, name)
	if err != nil {
		return nil, err
	}
	rows, err := c.read.QueryContext(ctx, `SELECT `+hotspotColumns+` FROM hotspots WHERE plot_id = ? ORDER BY rank, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hotspots := []Hotspot{}
	for rows.Next() {
		h, err := scanHotspot(rows, name)
		if err != nil {
			return nil, err
		}
		hotspots = append(hotspots, h)
	}
	return hotspots, rows.Err()
}

// PlotTier returns atlas tier tier (a cell height) of the ready plot called
// name: every image's cell, in plot order, and the sheets' sizes (their JPEGs
// are read one at a time with PlotAtlas).
func (c *Catalog) PlotTier(ctx context.Context, name string, tier int) (Tier, error) {
	t := Tier{Height: tier}
	id, err := readyPlotID(ctx, c.read, name)
	if err != nil {
		return t, err
	}
	rows, err := c.read.QueryContext(ctx, `SELECT idx, width, height FROM atlases WHERE plot_id = ? AND tier = ? ORDER BY idx`, id, tier)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var s Sheet
		if err := rows.Scan(&s.Index, &s.Width, &s.Height); err != nil {
			return t, err
		}
		t.Sheets = append(t.Sheets, s)
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	if len(t.Sheets) == 0 {
		return t, fmt.Errorf("plot %q atlas tier %d: %w", name, tier, ErrNotFound)
	}
	cells, err := c.read.QueryContext(ctx, `SELECT atlas, x, y, w, h FROM atlas_cells WHERE plot_id = ? AND tier = ?
		ORDER BY position`, id, tier)
	if err != nil {
		return t, err
	}
	defer cells.Close()
	for cells.Next() {
		var cell Cell
		if err := cells.Scan(&cell.Atlas, &cell.X, &cell.Y, &cell.W, &cell.H); err != nil {
			return t, err
		}
		t.Cells = append(t.Cells, cell)
	}
	return t, cells.Err()
}

// PlotAtlas returns the JPEG of atlas index of tier tier of the ready plot
// called name.
func (c *Catalog) PlotAtlas(ctx context.Context, name string, tier, index int) ([]byte, error) {
	id, err := readyPlotID(ctx, c.read, name)
	if err != nil {
		return nil, err
	}
	var jpeg []byte
	err = c.read.QueryRowContext(ctx, `SELECT jpeg FROM atlases WHERE plot_id = ? AND tier = ? AND idx = ?`, id, tier, index).Scan(&jpeg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("plot %q atlas %d of tier %d: %w", name, index, tier, ErrNotFound)
	}
	return jpeg, err
}
