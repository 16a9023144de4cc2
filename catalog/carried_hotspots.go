package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
)

// A recomputed plot is a new plot (ids are never reused): BeginPlot carries
// the hotspots made by hand from the plot it replaces into the running one,
// with their members as image ids since positions change, and FinishPlot
// places them among the new plot's images.

// carriedHotspot is a hand-made hotspot between two plots.
type carriedHotspot struct {
	Label     string
	Exemplars []int64 // the first is the representative the user may have chosen
	Images    []int64 // its members' image ids
}

// readCarriedHotspots reads the hand-made hotspots of plot old in list order.
// A ready plot's members are positions, mapped here to image ids; any other
// plot's are image ids already (carried by BeginPlot, kept by FailPlot).
func readCarriedHotspots(ctx context.Context, tx *sql.Tx, old PlotInfo) ([]carriedHotspot, error) {
	members := `h.members`
	if old.Status == PlotReady {
		members = `(SELECT json_group_array(pi.image_id) FROM json_each(h.members) j
			JOIN plot_images pi ON pi.plot_id = h.plot_id AND pi.position = j.value)`
	}
	return queryCarriedHotspots(ctx, tx, `SELECT h.label, h.exemplars, `+members+` FROM hotspots h
		WHERE h.plot_id = ? AND h.origin = '`+originUser+`' ORDER BY h.rank, h.id`, old.ID)
}

func queryCarriedHotspots(ctx context.Context, tx *sql.Tx, query string, plotID int64) ([]carriedHotspot, error) {
	rows, err := tx.QueryContext(ctx, query, plotID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var carried []carriedHotspot
	for rows.Next() {
		var h carriedHotspot
		var exemplars, images string
		if err := rows.Scan(&h.Label, &exemplars, &images); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(exemplars), &h.Exemplars); err != nil {
			return nil, fmt.Errorf("plot %d hotspot %q exemplars: %w", plotID, h.Label, err)
		}
		if err := json.Unmarshal([]byte(images), &h.Images); err != nil {
			return nil, fmt.Errorf("plot %d hotspot %q members: %w", plotID, h.Label, err)
		}
		carried = append(carried, h)
	}
	return carried, rows.Err()
}

// storeCarriedHotspots stores carried as hand-made hotspots of running plot
// id, members as image ids, in list order.
func storeCarriedHotspots(ctx context.Context, tx *sql.Tx, id int64, carried []carriedHotspot) error {
	hotspots := make([]Hotspot, len(carried))
	for i, h := range carried {
		members := make([]int, len(h.Images))
		for k, image := range h.Images {
			members[k] = int(image)
		}
		hotspots[i] = Hotspot{ID: i + 1, Label: h.Label, Size: len(members), Exemplars: h.Exemplars, Members: members}
	}
	return insertHotspots(ctx, tx, id, hotspots, originUser)
}

// takeCarriedHotspots reads and removes the hand-made hotspots running plot
// id carries.
func takeCarriedHotspots(ctx context.Context, tx *sql.Tx, id int64) ([]carriedHotspot, error) {
	carried, err := queryCarriedHotspots(ctx, tx, `SELECT label, exemplars, members FROM hotspots
		WHERE plot_id = ? AND origin = '`+originUser+`' ORDER BY rank, id`, id)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM hotspots WHERE plot_id = ? AND origin = '`+originUser+`'`, id)
	return carried, err
}

// placeCarriedHotspots adds carried to plot id, whose results (imageIDs in
// plot order) are stored, after its other hotspots: ids and list places
// follow theirs, in carried's order. Members no longer in the plot are
// dropped, and a hotspot left with none; centroid and exemplars are found as
// AddHotspot finds them, the old representative first while it is a member.
func placeCarriedHotspots(ctx context.Context, tx *sql.Tx, id int64, imageIDs []int64, carried []carriedHotspot) error {
	if len(carried) == 0 {
		return nil
	}
	position := make(map[int64]int, len(imageIDs))
	for p, image := range imageIDs {
		position[image] = p
	}
	layout, err := hotspotLayout(ctx, tx, id)
	if err != nil {
		return err
	}
	next, err := nextHotspotID(ctx, tx, id)
	if err != nil {
		return err
	}
	var placed []Hotspot
	for _, c := range carried {
		var members []int
		for _, image := range c.Images {
			if p, ok := position[image]; ok {
				members = append(members, p)
			}
		}
		if len(members) == 0 {
			continue
		}
		members = slices.Compact(slices.Sorted(slices.Values(members)))
		h := Hotspot{ID: next, Label: c.Label, Size: len(members), Members: members}
		if err := locateHotspot(ctx, tx, id, layout, &h); err != nil {
			return err
		}
		if len(c.Exemplars) > 0 {
			if p, ok := position[c.Exemplars[0]]; ok && slices.Contains(members, p) {
				h.Exemplars = representativeFirst(h.Exemplars, c.Exemplars[0])
			}
		}
		placed = append(placed, h)
		next++
	}
	return insertHotspots(ctx, tx, id, placed, originUser)
}
