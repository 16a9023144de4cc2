package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// bulkRows is how many rows one bulk INSERT … FROM json_each(?) carries.
const bulkRows = 50000

// FinishPlot stores all results of running plot id — images, layouts,
// hotspots (after them, the hand-made ones of the plot it replaced, see
// BeginPlot), atlas cells and the atlases not streamed with PutPlotAtlas,
// timings and warnings — and makes it ready, in ONE transaction: a process
// killed before it commits leaves the plot running (and then stale), never
// half-ready. The result is checked first; a bad one is ErrInvalid naming
// what is wrong, and nothing is stored.
func (c *Catalog) FinishPlot(ctx context.Context, id int64, r PlotResult) error {
	if err := checkResult(r); err != nil {
		return fmt.Errorf("finish plot %d: %w", id, err)
	}
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		if err := touchRunningPlot(ctx, tx, id, nil); err != nil {
			return err
		}
		carried, err := takeCarriedHotspots(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := deletePlotResults(ctx, tx, id, false); err != nil {
			return err
		}
		for _, store := range []func(context.Context, *sql.Tx, int64, PlotResult) error{
			storeImages, storeLayouts, storeHotspots, storeTiers,
		} {
			if err := store(ctx, tx, id, r); err != nil {
				return err
			}
		}
		timings, _ := json.Marshal(nonNil(r.Timings)) // plain structs and strings always marshal
		warnings, _ := json.Marshal(nonNil(r.Warnings))
		_, err = tx.ExecContext(ctx, `UPDATE plots SET status = 'ready', progress = NULL, pid = NULL, host = NULL,
			image_count = ?, timings = ?, warnings = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
			WHERE id = ?`, len(r.ImageIDs), string(timings), string(warnings), id)
		if err != nil {
			return err
		}
		return placeCarriedHotspots(ctx, tx, id, r.ImageIDs, carried)
	})
	if err != nil {
		return fmt.Errorf("finish plot %d: %w", id, err)
	}
	c.markRunning(id, false)
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// checkResult verifies a result is complete and consistent before anything
// is written.
func checkResult(r PlotResult) error {
	n := len(r.ImageIDs)
	if n == 0 {
		return fmt.Errorf("%w: the plot has no images", ErrInvalid)
	}
	ids := make(map[int64]bool, n)
	for i, id := range r.ImageIDs {
		if ids[id] {
			return fmt.Errorf("%w: image %d is at two positions (the second is %d)", ErrInvalid, id, i)
		}
		ids[id] = true
	}
	if len(r.Layouts) == 0 {
		return fmt.Errorf("%w: the plot has no layout", ErrInvalid)
	}
	names := map[string]bool{}
	for _, l := range r.Layouts {
		if names[l.Name] {
			return fmt.Errorf("%w: two layouts called %q", ErrInvalid, l.Name)
		}
		names[l.Name] = true
		if err := checkLayout(l, n); err != nil {
			return err
		}
	}
	hotspots := map[int]bool{}
	for _, h := range r.Hotspots {
		if hotspots[h.ID] {
			return fmt.Errorf("%w: two hotspots with id %d", ErrInvalid, h.ID)
		}
		hotspots[h.ID] = true
		if err := checkHotspot(h, n, ids); err != nil {
			return err
		}
	}
	tiers := map[int]bool{}
	for _, t := range r.Tiers {
		if tiers[t.Height] {
			return fmt.Errorf("%w: two atlas tiers of height %d", ErrInvalid, t.Height)
		}
		tiers[t.Height] = true
		if err := checkTier(t, n); err != nil {
			return err
		}
	}
	return nil
}

func checkLayout(l Layout, n int) error {
	if l.Variant != nil && l.Name != "umap" && !strings.HasPrefix(l.Name, "umap-") {
		return fmt.Errorf("%w: layout %s has a UMAP variant, and only umap and umap-… layouts may", ErrInvalid, l.Name)
	}
	if len(l.Positions) != 2*n {
		return fmt.Errorf("%w: layout %s has %d coordinates for %d images (want %d)", ErrInvalid, l.Name, len(l.Positions), n, 2*n)
	}
	for i, v := range l.Positions {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: layout %s position %d is %v", ErrInvalid, l.Name, i/2, v)
		}
	}
	return nil
}

func checkHotspot(h Hotspot, n int, ids map[int64]bool) error {
	for _, v := range h.Centroid {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: hotspot %d centroid is %v", ErrInvalid, h.ID, h.Centroid)
		}
	}
	if h.Size != len(h.Members) {
		return fmt.Errorf("%w: hotspot %d has size %d but %d members", ErrInvalid, h.ID, h.Size, len(h.Members))
	}
	for _, m := range h.Members {
		if m < 0 || m >= n {
			return fmt.Errorf("%w: hotspot %d member %d is not a plot position (0 to %d)", ErrInvalid, h.ID, m, n-1)
		}
	}
	for _, e := range h.Exemplars {
		if !ids[e] {
			return fmt.Errorf("%w: hotspot %d exemplar %d is not an image of the plot", ErrInvalid, h.ID, e)
		}
	}
	return nil
}

func checkTier(t Tier, n int) error {
	if t.Height <= 0 || len(t.Sheets) == 0 {
		return fmt.Errorf("%w: atlas tier %d has %d sheets", ErrInvalid, t.Height, len(t.Sheets))
	}
	if len(t.Cells) != n {
		return fmt.Errorf("%w: atlas tier %d has %d cells for %d images", ErrInvalid, t.Height, len(t.Cells), n)
	}
	for i, s := range t.Sheets {
		if s.Index != i {
			return fmt.Errorf("%w: atlas tier %d sheet %d has index %d", ErrInvalid, t.Height, i, s.Index)
		}
		if err := checkSheet(t.Height, s); err != nil {
			return err
		}
	}
	for i, c := range t.Cells {
		if c.Atlas < 0 || c.Atlas >= len(t.Sheets) {
			return fmt.Errorf("%w: atlas tier %d cell %d is in atlas %d of %d", ErrInvalid, t.Height, i, c.Atlas, len(t.Sheets))
		}
		s := t.Sheets[c.Atlas]
		if c.X < 0 || c.Y < 0 || c.W <= 0 || c.H <= 0 || c.X+c.W > s.Width || c.Y+c.H > s.Height {
			return fmt.Errorf("%w: atlas tier %d cell %d (%d,%d %dx%d) is not inside its %dx%d atlas",
				ErrInvalid, t.Height, i, c.X, c.Y, c.W, c.H, s.Width, s.Height)
		}
	}
	return nil
}

// bulkInsert runs insert (which reads rows from json_each(?2), with ?1 the
// plot id) for rows in chunks: one statement per chunk, not per row.
func bulkInsert[T any](ctx context.Context, tx *sql.Tx, id int64, insert string, rows []T, extra ...any) error {
	for start := 0; start < len(rows); start += bulkRows {
		chunk := rows[start:min(start+bulkRows, len(rows))]
		list, err := json.Marshal(chunk)
		if err != nil {
			return err
		}
		args := append([]any{id, string(list), start}, extra...)
		if _, err := tx.ExecContext(ctx, insert, args...); err != nil {
			return err
		}
	}
	return nil
}

func storeImages(ctx context.Context, tx *sql.Tx, id int64, r PlotResult) error {
	return bulkInsert(ctx, tx, id, `INSERT INTO plot_images(plot_id, position, image_id)
		SELECT ?1, ?3 + key, value FROM json_each(?2)`, r.ImageIDs)
}

func storeLayouts(ctx context.Context, tx *sql.Tx, id int64, r PlotResult) error {
	for _, l := range r.Layouts {
		var labels any
		if len(l.Labels) > 0 {
			b, _ := json.Marshal(l.Labels)
			labels = string(b)
		}
		var variant any
		if l.Variant != nil {
			b, _ := json.Marshal(l.Variant)
			variant = string(b)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO plot_layouts(plot_id, layout, positions, labels, cell_size, variant)
			VALUES (?, ?, ?, ?, ?, ?)`, id, l.Name, encodeVector(l.Positions), labels, float64(l.CellSize), variant)
		if err != nil {
			return fmt.Errorf("layout %s: %w", l.Name, err)
		}
	}
	return nil
}

// Where a hotspot comes from (hotspots.origin).
const (
	originHDBSCAN = "hdbscan" // found by clustering: replaced when the plot is recomputed
	originUser    = "user"    // made by hand: carried over when the plot is recomputed
)

func storeHotspots(ctx context.Context, tx *sql.Tx, id int64, r PlotResult) error {
	return insertHotspots(ctx, tx, id, r.Hotspots, originHDBSCAN)
}

// insertHotspots stores hotspots of origin at the end of plot id's list.
func insertHotspots(ctx context.Context, tx *sql.Tx, id int64, hotspots []Hotspot, origin string) error {
	for _, h := range hotspots {
		exemplars, _ := json.Marshal(nonNil(h.Exemplars))
		members, _ := json.Marshal(nonNil(h.Members))
		// a new hotspot goes to the end of the list
		_, err := tx.ExecContext(ctx, `INSERT INTO hotspots(plot_id, id, label, size, centroid_x, centroid_y, exemplars, members, origin, rank)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, (SELECT coalesce(max(rank) + 1, 0) FROM hotspots WHERE plot_id = ?1))`,
			id, h.ID, h.Label, h.Size, float64(h.Centroid[0]), float64(h.Centroid[1]), string(exemplars), string(members), origin)
		if err != nil {
			return fmt.Errorf("hotspot %d: %w", h.ID, err)
		}
	}
	return nil
}

// storeTiers stores the cells of each tier and the atlases not streamed, then
// checks that exactly the tier's atlases are stored, at the sizes given.
func storeTiers(ctx context.Context, tx *sql.Tx, id int64, r PlotResult) error {
	var heights []int
	for _, t := range r.Tiers {
		heights = append(heights, t.Height)
		cells := make([][5]int, len(t.Cells))
		for i, c := range t.Cells {
			cells[i] = [5]int{c.Atlas, c.X, c.Y, c.W, c.H}
		}
		err := bulkInsert(ctx, tx, id, `INSERT INTO atlas_cells(plot_id, tier, position, atlas, x, y, w, h)
			SELECT ?1, ?4, ?3 + key, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?2)`,
			cells, t.Height)
		if err != nil {
			return fmt.Errorf("atlas tier %d cells: %w", t.Height, err)
		}
		for _, s := range t.Sheets {
			if s.JPEG != nil {
				if err := putAtlas(ctx, tx, id, t.Height, s); err != nil {
					return err
				}
			}
		}
		if err := checkStoredSheets(ctx, tx, id, t); err != nil {
			return err
		}
	}
	stray, err := queryInts(ctx, tx, `SELECT DISTINCT tier FROM atlases WHERE plot_id = ?`, id)
	if err != nil {
		return err
	}
	for _, tier := range stray {
		if !slices.Contains(heights, int(tier)) {
			return fmt.Errorf("%w: atlases of tier %d were stored, but the result has no such tier", ErrInvalid, tier)
		}
	}
	return nil
}

func checkStoredSheets(ctx context.Context, tx *sql.Tx, id int64, t Tier) error {
	rows, err := tx.QueryContext(ctx, `SELECT idx, width, height FROM atlases WHERE plot_id = ? AND tier = ? ORDER BY idx`, id, t.Height)
	if err != nil {
		return err
	}
	defer rows.Close()
	stored := 0
	for rows.Next() {
		var s Sheet
		if err := rows.Scan(&s.Index, &s.Width, &s.Height); err != nil {
			return err
		}
		if s.Index != stored {
			return fmt.Errorf("%w: atlas tier %d sheet %d was never stored", ErrInvalid, t.Height, stored)
		}
		if s.Index >= len(t.Sheets) {
			return fmt.Errorf("%w: atlas tier %d has %d sheets, but sheet %d was stored", ErrInvalid, t.Height, len(t.Sheets), s.Index)
		}
		if want := t.Sheets[s.Index]; s.Width != want.Width || s.Height != want.Height {
			return fmt.Errorf("%w: atlas tier %d sheet %d was stored %dx%d, the result says %dx%d",
				ErrInvalid, t.Height, s.Index, s.Width, s.Height, want.Width, want.Height)
		}
		stored++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if stored != len(t.Sheets) {
		return fmt.Errorf("%w: atlas tier %d sheet %d was never stored", ErrInvalid, t.Height, stored)
	}
	return nil
}
