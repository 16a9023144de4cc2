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
		if err := locateHotspot(ctx, tx, plotID, positions, &h); err != nil {
			return err
		}
		if h.ID, err = nextHotspotID(ctx, tx, plotID); err != nil {
			return err
		}
		return insertHotspots(ctx, tx, plotID, []Hotspot{h}, originUser)
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

// HotspotEdit is a change to one hotspot; nil fields stay as they are.
type HotspotEdit struct {
	Label    *string // 1 to 200 bytes without control characters, trimmed
	Rank     *int    // its 0-based place in the list; the others keep their order
	Exemplar *int64  // image id of a member: it becomes the representative, exemplars[0]
}

// EditHotspot applies e to hotspot id of the ready plot called name, all of
// it or nothing, and returns the hotspot as the manifest lists it.
func (c *Catalog) EditHotspot(ctx context.Context, name string, id int, e HotspotEdit) (Hotspot, error) {
	if e.Label == nil && e.Rank == nil && e.Exemplar == nil {
		return Hotspot{}, fmt.Errorf("%w: plot %q hotspot %d: nothing to change (give a label, rank or exemplar)", ErrInvalid, name, id)
	}
	var label string
	if e.Label != nil {
		var err error
		if label, err = checkHotspotLabel(*e.Label); err != nil {
			return Hotspot{}, err
		}
	}
	var h Hotspot
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		plotID, err := readyPlotID(ctx, tx, name)
		if err != nil {
			return err
		}
		if h, err = readHotspot(ctx, tx, plotID, name, id); err != nil {
			return err
		}
		if e.Label != nil {
			h.Label = label
			if _, err := tx.ExecContext(ctx, `UPDATE hotspots SET label = ? WHERE plot_id = ? AND id = ?`, label, plotID, id); err != nil {
				return err
			}
		}
		if e.Exemplar != nil {
			if err := setRepresentative(ctx, tx, plotID, name, &h, *e.Exemplar); err != nil {
				return err
			}
		}
		if e.Rank != nil {
			return moveHotspot(ctx, tx, plotID, name, id, *e.Rank)
		}
		return nil
	})
	if err != nil {
		return Hotspot{}, err
	}
	return h, nil
}

// hotspotColumns are the columns scanHotspot reads, in its order.
const hotspotColumns = `id, label, size, centroid_x, centroid_y, exemplars, members`

// scanHotspot reads one row of hotspotColumns of the plot called name.
func scanHotspot(row interface{ Scan(...any) error }, name string) (Hotspot, error) {
	var h Hotspot
	var cx, cy float64
	var exemplars, members string
	if err := row.Scan(&h.ID, &h.Label, &h.Size, &cx, &cy, &exemplars, &members); err != nil {
		return h, err
	}
	h.Centroid = [2]float32{float32(cx), float32(cy)}
	if err := json.Unmarshal([]byte(exemplars), &h.Exemplars); err != nil {
		return h, fmt.Errorf("plot %q hotspot %d exemplars: %w", name, h.ID, err)
	}
	if err := json.Unmarshal([]byte(members), &h.Members); err != nil {
		return h, fmt.Errorf("plot %q hotspot %d members: %w", name, h.ID, err)
	}
	return h, nil
}

// locateHotspot sets h's centroid in the plot's layout (positions) and its
// exemplars, the members nearest that centroid, from h.Members.
func locateHotspot(ctx context.Context, tx *sql.Tx, plotID int64, positions []float32, h *Hotspot) error {
	h.Centroid = centroid(positions, h.Members)
	var err error
	h.Exemplars, err = exemplarIDs(ctx, tx, plotID, mostCentral(positions, h.Members, h.Centroid, exemplarCount))
	return err
}

// nextHotspotID is the id after the plot's highest.
func nextHotspotID(ctx context.Context, tx *sql.Tx, plotID int64) (int, error) {
	var id int
	err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM hotspots WHERE plot_id = ?`, plotID).Scan(&id)
	return id, err
}

// representativeFirst puts image first among exemplars, the others keeping
// their order after it.
func representativeFirst(exemplars []int64, image int64) []int64 {
	others := slices.DeleteFunc(exemplars, func(x int64) bool { return x == image })
	return append([]int64{image}, others...)
}

// readHotspot reads hotspot id of the plot called name (plotID).
func readHotspot(ctx context.Context, tx *sql.Tx, plotID int64, name string, id int) (Hotspot, error) {
	h, err := scanHotspot(tx.QueryRowContext(ctx, `SELECT `+hotspotColumns+` FROM hotspots WHERE plot_id = ? AND id = ?`, plotID, id), name)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("plot %q hotspot %d: %w", name, id, ErrNotFound)
	}
	return h, err
}

// setRepresentative makes image, which must be one of h's members, h's first
// exemplar; the other exemplars keep their order after it.
func setRepresentative(ctx context.Context, tx *sql.Tx, plotID int64, name string, h *Hotspot, image int64) error {
	members, _ := json.Marshal(h.Members) // ints always marshal
	var isMember bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM json_each(?) j
		JOIN plot_images pi ON pi.plot_id = ? AND pi.position = j.value WHERE pi.image_id = ?)`, string(members), plotID, image).Scan(&isMember)
	if err != nil {
		return err
	}
	if !isMember {
		return fmt.Errorf("%w: image %d is not one of the %d members of plot %q hotspot %d", ErrInvalid, image, len(h.Members), name, h.ID)
	}
	h.Exemplars = representativeFirst(h.Exemplars, image)
	exemplars, _ := json.Marshal(h.Exemplars)
	_, err = tx.ExecContext(ctx, `UPDATE hotspots SET exemplars = ? WHERE plot_id = ? AND id = ?`, string(exemplars), plotID, h.ID)
	return err
}

// moveHotspot puts hotspot id at place rank of the plot's list, keeps the
// others' order and renumbers the ranks 0 to n-1.
func moveHotspot(ctx context.Context, tx *sql.Tx, plotID int64, name string, id, rank int) error {
	order, err := queryInts(ctx, tx, `SELECT id FROM hotspots WHERE plot_id = ? ORDER BY rank, id`, plotID)
	if err != nil {
		return err
	}
	if rank < 0 || rank >= len(order) {
		return fmt.Errorf("%w: rank %d for plot %q hotspot %d is outside 0 to %d (the plot has %d hotspots)",
			ErrInvalid, rank, name, id, len(order)-1, len(order))
	}
	k := slices.Index(order, int64(id))
	order = slices.Insert(slices.Delete(order, k, k+1), rank, int64(id))
	list, _ := json.Marshal(order)
	_, err = tx.ExecContext(ctx, `UPDATE hotspots SET rank = (SELECT j.key FROM json_each(?1) j WHERE j.value = hotspots.id)
		WHERE plot_id = ?2`, string(list), plotID)
	return err
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
