package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// exemplarCount is how many exemplars a hotspot made by hand gets.
const exemplarCount = 5

// checkHotspotLabel trims label and checks it is 1 to 200 bytes without
// control characters.
func checkHotspotLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	if label == "" || len(label) > 200 || strings.ContainsFunc(label, unicode.IsControl) {
		return "", fmt.Errorf("%w: hotspot label %q must be 1 to 200 bytes without control characters", ErrInvalid, label)
	}
	return label, nil
}

// AddHotspot makes a hotspot of the ready plot called name from members (plot
// positions, e.g. a lasso selection; repeats count once) and returns it. Its id
// is one more than the largest; its centroid is the members' mean position in
// the umap layout (the first layout stored when the plot has no umap), and its
// exemplars are the image ids of up to 5 members closest to the centroid,
// closest first.
func (c *Catalog) AddHotspot(ctx context.Context, name, label string, members []int) (Hotspot, error) {
	label, err := checkHotspotLabel(label)
	if err != nil {
		return Hotspot{}, err
	}
	if len(members) == 0 {
		return Hotspot{}, fmt.Errorf("%w: a hotspot needs at least one member", ErrInvalid)
	}
	members = slices.Compact(slices.Sorted(slices.Values(members)))
	h := Hotspot{Label: label, Size: len(members), Members: members}
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		plotID, err := readyPlotID(ctx, tx, name)
		if err != nil {
			return err
		}
		positions, err := hotspotLayout(ctx, tx, plotID)
		if err != nil {
			return fmt.Errorf("plot %q: %w", name, err)
		}
		if n := len(positions) / 2; members[0] < 0 || members[len(members)-1] >= n {
			bad := members[0]
			if bad >= 0 {
				bad = members[len(members)-1]
			}
			return fmt.Errorf("%w: hotspot member %d is not a plot position (0 to %d)", ErrInvalid, bad, n-1)
		}
		h.Centroid = centroid(positions, members)
		if h.Exemplars, err = exemplarIDs(ctx, tx, plotID, mostCentral(positions, members, h.Centroid, exemplarCount)); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM hotspots WHERE plot_id = ?`, plotID).Scan(&h.ID); err != nil {
			return err
		}
		return storeHotspots(ctx, tx, plotID, PlotResult{Hotspots: []Hotspot{h}})
	})
	if err != nil {
		return Hotspot{}, fmt.Errorf("add hotspot to plot %q: %w", name, err)
	}
	return h, nil
}

// RemoveHotspot removes hotspot id of the ready plot called name.
func (c *Catalog) RemoveHotspot(ctx context.Context, name string, id int) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		plotID, err := readyPlotID(ctx, tx, name)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM hotspots WHERE plot_id = ? AND id = ?`, plotID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("plot %q hotspot %d: %w", name, id, ErrNotFound)
		}
		return nil
	})
}

// hotspotLayout reads the positions hotspots are placed by: the umap layout,
// or the first layout stored when there is none.
func hotspotLayout(ctx context.Context, tx *sql.Tx, plotID int64) ([]float32, error) {
	var blob []byte
	var count int
	err := tx.QueryRowContext(ctx, `SELECT l.positions, p.image_count FROM plot_layouts l JOIN plots p ON p.id = l.plot_id
		WHERE l.plot_id = ? ORDER BY l.layout = 'umap' DESC, l.rowid LIMIT 1`, plotID).Scan(&blob, &count)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("no layout: %w", ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeVector(blob, 2*count)
}

func centroid(positions []float32, members []int) [2]float32 {
	var x, y float64
	for _, m := range members {
		x += float64(positions[2*m])
		y += float64(positions[2*m+1])
	}
	n := float64(len(members))
	return [2]float32{float32(x / n), float32(y / n)}
}

// mostCentral returns up to k members, closest to center first (ties by
// position, so the choice is repeatable).
func mostCentral(positions []float32, members []int, center [2]float32, k int) []int {
	dist := func(m int) float32 {
		dx, dy := positions[2*m]-center[0], positions[2*m+1]-center[1]
		return dx*dx + dy*dy
	}
	byDistance := slices.Clone(members)
	slices.SortStableFunc(byDistance, func(a, b int) int {
		da, db := dist(a), dist(b)
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
	return byDistance[:min(k, len(byDistance))]
}

// exemplarIDs are the image ids at positions, in the same order.
func exemplarIDs(ctx context.Context, tx *sql.Tx, plotID int64, positions []int) ([]int64, error) {
	list, _ := json.Marshal(positions)
	return queryInts(ctx, tx, `SELECT pi.image_id FROM json_each(?) j
		JOIN plot_images pi ON pi.plot_id = ? AND pi.position = j.value ORDER BY j.key`, string(list), plotID)
}
