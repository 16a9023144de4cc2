package catalog

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

// recomputePlot replaces plot name (Filter{}) by force with a plot of images
// ids in that order, failing once on the way when failFirst.
func recomputePlot(t *testing.T, c *Catalog, name string, ids []int64, failFirst bool) PlotResult {
	t.Helper()
	p := NewPlot{Name: name, ModelID: 1, Params: plotParams{Seed: 7}}
	id, existing, err := c.BeginPlot(ctx, p, true)
	if err != nil || existing != nil {
		t.Fatalf("force: %v, existing %+v", err, existing)
	}
	if failFirst {
		if err := c.FailPlot(ctx, id, nil); err != nil {
			t.Fatal(err)
		}
		if id, existing, err = c.BeginPlot(ctx, p, false); err != nil || existing != nil {
			t.Fatalf("again after failing: %v, existing %+v", err, existing)
		}
	}
	r := testResult(ids, false)
	if err := c.FinishPlot(ctx, id, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRecomputedPlot_KeepsHandMadeHotspotsMappedByImage(t *testing.T) {
	for _, failFirst := range []bool{false, true} {
		c := openFilterFixture(t)
		makePlot(t, c, "p", Filter{}, nil)
		old, _ := c.PlotImages(ctx, "p")
		harbour, err := c.AddHotspot(ctx, "p", "Selection 1", []int{0, 1, 2, 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddHotspot(ctx, "p", "gone", []int{5}); err != nil { // all its images leave the plot
			t.Fatal(err)
		}
		ships, _ := c.AddHotspot(ctx, "p", "ships", []int{6, 7})
		if _, err := c.EditHotspot(ctx, "p", harbour.ID, HotspotEdit{Label: new("Harbour"), Exemplar: new(old[0])}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.EditHotspot(ctx, "p", ships.ID, HotspotEdit{Rank: new(0)}); err != nil {
			t.Fatal(err)
		}

		// The new plot lists the images the other way round, without old[1] and old[5].
		var ids []int64
		for _, id := range slices.Backward(old) {
			if id != old[1] && id != old[5] {
				ids = append(ids, id)
			}
		}
		r := recomputePlot(t, c, "p", ids, failFirst)

		hotspots, err := c.PlotHotspots(ctx, "p")
		if err != nil || len(hotspots) != 4 {
			t.Fatalf("failFirst %v: hotspots %+v, %v; want the 2 new automatic ones, then ships and Harbour", failFirst, hotspots, err)
		}
		if !reflect.DeepEqual(hotspots[:2], r.Hotspots) {
			t.Errorf("automatic hotspots %+v; want the new plot's %+v", hotspots[:2], r.Hotspots)
		}
		umap, _ := c.PlotLayout(ctx, "p", "umap")
		for i, want := range []struct {
			label  string
			images []int64
		}{{"ships", []int64{old[6], old[7]}}, {"Harbour", []int64{old[0], old[2], old[3]}}} {
			h := hotspots[2+i]
			var images []int64
			for _, m := range h.Members {
				images = append(images, ids[m])
			}
			slices.Sort(images)
			if h.ID != 3+i || h.Label != want.label || h.Size != len(want.images) || !slices.Equal(images, want.images) ||
				!slices.IsSorted(h.Members) {
				t.Errorf("failFirst %v: hotspot %d = %+v (images %v); want id %d %q of images %v",
					failFirst, 2+i, h, images, 3+i, want.label, want.images)
			}
			var cx, cy float64
			for _, m := range h.Members {
				cx += float64(umap.Positions[2*m]) / float64(len(h.Members))
				cy += float64(umap.Positions[2*m+1]) / float64(len(h.Members))
			}
			if math.Abs(cx-float64(h.Centroid[0])) > 1e-6 || math.Abs(cy-float64(h.Centroid[1])) > 1e-6 {
				t.Errorf("%s centroid %v; want the members' mean in the new umap (%v, %v)", h.Label, h.Centroid, cx, cy)
			}
			if got := slices.Sorted(slices.Values(h.Exemplars)); !slices.Equal(got, want.images) {
				t.Errorf("%s exemplars %v; want its members %v", h.Label, h.Exemplars, want.images)
			}
		}
		if hotspots[3].Exemplars[0] != old[0] {
			t.Errorf("Harbour's representative is %d; want the one chosen, image %d", hotspots[3].Exemplars[0], old[0])
		}
		// They are still made by hand: the next recompute keeps them again.
		recomputePlot(t, c, "p", ids, false)
		if got := hotspotOrder(t, c, "p"); !slices.Equal(got, []int{1, 2, 3, 4}) {
			t.Errorf("after a second recompute the hotspots are %v", got)
		}
		if n := count(t, c, `SELECT count(*) FROM hotspots WHERE origin = 'user'`); n != 2 {
			t.Errorf("%d hand-made hotspots stored; want 2", n)
		}
	}
}
