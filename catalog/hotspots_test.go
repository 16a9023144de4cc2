package catalog

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestAddHotspot_StoresTheSelectionWithCentroidAndCentralExemplars(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	ids, _ := c.PlotImages(ctx, "p")
	n := float32(len(ids))
	members := []int{0, 1, 2, 3, 4, 5, 6, 3} // 3 twice: counts once

	h, err := c.AddHotspot(ctx, "p", "  Selection 1 ", members)
	if err != nil {
		t.Fatal(err)
	}
	// umap puts position i at (i/n, -i/n): the centroid is position 3, then
	// 2 and 4, 1 and 5 are equally close (ties by position).
	want := Hotspot{ID: 3, Label: "Selection 1", Size: 7, Centroid: [2]float32{3 / n, -3 / n},
		Exemplars: []int64{ids[3], ids[2], ids[4], ids[1], ids[5]}, Members: []int{0, 1, 2, 3, 4, 5, 6}}
	if math.Abs(float64(h.Centroid[0]-want.Centroid[0])) > 1e-6 || math.Abs(float64(h.Centroid[1]-want.Centroid[1])) > 1e-6 {
		t.Errorf("centroid %v; want %v", h.Centroid, want.Centroid)
	}
	h.Centroid = want.Centroid
	if !reflect.DeepEqual(h, want) {
		t.Errorf("hotspot = %+v\nwant %+v", h, want)
	}
	stored, _ := c.PlotHotspots(ctx, "p")
	if len(stored) != 3 || !reflect.DeepEqual(stored[2].Members, want.Members) || !slices.Equal(stored[2].Exemplars, want.Exemplars) ||
		stored[2].Label != want.Label || stored[2].Size != 7 {
		t.Errorf("stored = %+v", stored)
	}
	if info, _ := c.Plot(ctx, "p"); info.Hotspots != 3 {
		t.Errorf("plot counts %d hotspots", info.Hotspots)
	}
	if next, err := c.AddHotspot(ctx, "p", "one", []int{9}); err != nil || next.ID != 4 || !slices.Equal(next.Exemplars, ids[9:10]) {
		t.Errorf("next hotspot = %+v, %v", next, err)
	}
}

func TestAddHotspot_RefusesBadInput(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	ids, _ := c.PlotImages(ctx, "p")
	for _, tc := range []struct {
		name, plot, label string
		members           []int
		want              error
	}{
		{"no members", "p", "x", nil, ErrInvalid},
		{"negative member", "p", "x", []int{1, -1}, ErrInvalid},
		{"member past the end", "p", "x", []int{0, len(ids)}, ErrInvalid},
		{"blank label", "p", " \t", []int{1}, ErrInvalid},
		{"long label", "p", strings.Repeat("a", 201), []int{1}, ErrInvalid},
		{"control character", "p", "a\x00b", []int{1}, ErrInvalid},
		{"unknown plot", "nope", "x", []int{1}, ErrNotFound},
	} {
		if _, err := c.AddHotspot(ctx, tc.plot, tc.label, tc.members); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, err, tc.want)
		}
	}
	if hotspots, _ := c.PlotHotspots(ctx, "p"); len(hotspots) != 2 {
		t.Errorf("%d hotspots after refusals; want the 2 computed", len(hotspots))
	}
	if _, _, err := c.BeginPlot(ctx, NewPlot{Name: "running", ModelID: 1}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddHotspot(ctx, "running", "x", []int{0}); !errors.Is(err, ErrPlotNotReady) {
		t.Errorf("running plot: %v", err)
	}
}

func TestRemoveHotspot(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	if err := c.RemoveHotspot(ctx, "p", 1); err != nil {
		t.Fatal(err)
	}
	if hotspots, _ := c.PlotHotspots(ctx, "p"); len(hotspots) != 1 || hotspots[0].ID != 2 {
		t.Errorf("left %+v", hotspots)
	}
	if err := c.RemoveHotspot(ctx, "p", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed twice: %v", err)
	}
	if err := c.RemoveHotspot(ctx, "nope", 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown plot: %v", err)
	}
	// Ids are max+1, so a removed top id is given again but an inner one is not.
	if h, err := c.AddHotspot(ctx, "p", "x", []int{0}); err != nil || h.ID != 3 {
		t.Errorf("added %+v, %v", h, err)
	}
}

// hotspotOrder is the ids of the plot's hotspots in list order.
func hotspotOrder(t *testing.T, c *Catalog, plot string) []int {
	t.Helper()
	hotspots, err := c.PlotHotspots(ctx, plot)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, h := range hotspots {
		ids = append(ids, h.ID)
	}
	return ids
}

func TestEditHotspot_RankMovesItAndKeepsTheOthersInOrder(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	for _, m := range []int{3, 4, 5} {
		if _, err := c.AddHotspot(ctx, "p", "x", []int{m}); err != nil {
			t.Fatal(err)
		}
	}
	if got := hotspotOrder(t, c, "p"); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("order before %v", got)
	}
	for _, step := range []struct {
		what     string
		id, rank int
		want     []int
	}{
		{"to the first place", 4, 0, []int{4, 1, 2, 3, 5}},
		{"to the last place", 4, 4, []int{1, 2, 3, 5, 4}},
		{"to the middle", 1, 2, []int{2, 3, 1, 5, 4}},
		{"to where it is", 1, 2, []int{2, 3, 1, 5, 4}},
	} {
		h, err := c.EditHotspot(ctx, "p", step.id, HotspotEdit{Rank: new(step.rank)})
		if err != nil || h.ID != step.id {
			t.Fatalf("%s: %+v, %v", step.what, h, err)
		}
		if got := hotspotOrder(t, c, "p"); !slices.Equal(got, step.want) {
			t.Errorf("%s: order %v, want %v", step.what, got, step.want)
		}
	}
	ranks, _ := queryInts(ctx, c.read, `SELECT rank FROM hotspots ORDER BY rank`)
	if !slices.Equal(ranks, []int64{0, 1, 2, 3, 4}) {
		t.Errorf("stored ranks %v, want 0 to 4", ranks)
	}
	// A new hotspot goes last.
	if h, err := c.AddHotspot(ctx, "p", "new", []int{6}); err != nil || !slices.Equal(hotspotOrder(t, c, "p"), []int{2, 3, 1, 5, 4, h.ID}) {
		t.Errorf("after adding %d: order %v (%v)", h.ID, hotspotOrder(t, c, "p"), err)
	}
}

func TestEditHotspot_RefusesARankOutOfRangeAndChangesNothing(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	for _, rank := range []int{-1, 2, 1 << 40} {
		_, err := c.EditHotspot(ctx, "p", 1, HotspotEdit{Label: new("moved"), Rank: new(rank)})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), fmt.Sprintf("rank %d", rank)) ||
			!strings.Contains(err.Error(), `plot "p" hotspot 1`) || !strings.Contains(err.Error(), "0 to 1") {
			t.Errorf("rank %d: %v", rank, err)
		}
	}
	hotspots, _ := c.PlotHotspots(ctx, "p")
	if hotspots[0].ID != 1 || hotspots[0].Label != "portrait" {
		t.Errorf("a refused edit changed the plot: %+v", hotspots[0])
	}
}

func TestEditHotspot_ExemplarBecomesTheRepresentative(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	ids, _ := c.PlotImages(ctx, "p")
	// Hotspot 1 has members 0 to n-2 and exemplars [ids[0]].
	h, err := c.EditHotspot(ctx, "p", 1, HotspotEdit{Exemplar: new(ids[3])})
	if err != nil || !slices.Equal(h.Exemplars, []int64{ids[3], ids[0]}) {
		t.Fatalf("new representative: %+v, %v", h, err)
	}
	// One already among the exemplars moves to the front; the rest keep their order.
	if _, err := c.EditHotspot(ctx, "p", 1, HotspotEdit{Exemplar: new(ids[5])}); err != nil {
		t.Fatal(err)
	}
	h, err = c.EditHotspot(ctx, "p", 1, HotspotEdit{Exemplar: new(ids[3])})
	if err != nil || !slices.Equal(h.Exemplars, []int64{ids[3], ids[5], ids[0]}) {
		t.Errorf("exemplar moved to the front: %v, %v", h.Exemplars, err)
	}
	if stored, _ := c.PlotHotspots(ctx, "p"); !slices.Equal(stored[0].Exemplars, h.Exemplars) || stored[0].Label != "portrait" {
		t.Errorf("stored %+v; want the edit's exemplars %v", stored[0], h.Exemplars)
	}
}

func TestEditHotspot_RefusesAnExemplarThatIsNotAMemberAndChangesNothing(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	ids, _ := c.PlotImages(ctx, "p")
	last := ids[len(ids)-1] // hotspot 2's only member
	for _, image := range []int64{last, 99999} {
		_, err := c.EditHotspot(ctx, "p", 1, HotspotEdit{Label: new("changed"), Exemplar: new(image)})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), fmt.Sprintf("image %d", image)) ||
			!strings.Contains(err.Error(), `plot "p" hotspot 1`) {
			t.Errorf("image %d: %v", image, err)
		}
	}
	hotspots, _ := c.PlotHotspots(ctx, "p")
	if hotspots[0].Label != "portrait" || !slices.Equal(hotspots[0].Exemplars, ids[:1]) {
		t.Errorf("a refused edit changed the hotspot: %+v", hotspots[0])
	}
}

func TestEditHotspot_RefusesAnEmptyEditAndPlotsNotReady(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	if _, err := c.EditHotspot(ctx, "p", 1, HotspotEdit{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "nothing to change") {
		t.Errorf("empty edit: %v", err)
	}
	if _, err := c.EditHotspot(ctx, "p", 9, HotspotEdit{Rank: new(0)}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "hotspot 9") {
		t.Errorf("unknown hotspot: %v", err)
	}
	if _, _, err := c.BeginPlot(ctx, NewPlot{Name: "running", ModelID: 1}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EditHotspot(ctx, "running", 1, HotspotEdit{Rank: new(0)}); !errors.Is(err, ErrPlotNotReady) {
		t.Errorf("running plot: %v", err)
	}
}

func TestHotspotEdits_RefusedOnReadOnlyCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pixplot.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := testModel(t, c, 1, 8)
	r := newRand(3)
	var recs []ImageRecord
	for i := range 4 {
		recs = append(recs, ImageRecord{Image: fixtureImage(i), Thumbs: testThumbs(), Vector: randomUnit(r, 8)})
	}
	putAll(t, c, m.ID, recs)
	makePlot(t, c, "p", Filter{}, nil)
	c.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.AddHotspot(ctx, "p", "x", []int{0}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("AddHotspot on read-only = %v", err)
	}
	if err := ro.RemoveHotspot(ctx, "p", 1); !errors.Is(err, ErrReadOnly) {
		t.Errorf("RemoveHotspot on read-only = %v", err)
	}
	for what, edit := range map[string]HotspotEdit{"label": {Label: new("x")}, "rank": {Rank: new(1)}, "exemplar": {Exemplar: new(int64(1))}} {
		if _, err := ro.EditHotspot(ctx, "p", 1, edit); !errors.Is(err, ErrReadOnly) {
			t.Errorf("EditHotspot %s on read-only = %v", what, err)
		}
	}
	if hotspots, _ := ro.PlotHotspots(ctx, "p"); len(hotspots) != 2 {
		t.Errorf("%d hotspots", len(hotspots))
	}
}
