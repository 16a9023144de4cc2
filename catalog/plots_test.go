package catalog

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pixplot/pixplot"
)

// plotParams stand for the options a plot is computed with.
type plotParams struct {
	Neighbors int     `json:"neighbors"`
	MinDist   float64 `json:"min_dist"`
	Seed      uint64  `json:"seed"`
}

var defaultParams = plotParams{Neighbors: 15, MinDist: 0.01, Seed: 1}

// sheetJPEG is a real JPEG to store as an atlas.
func sheetJPEG() []byte { return testThumbs()[2].JPEG }

// testResult is a complete, consistent result for images ids: umap and grid
// layouts, two hotspots (when there are two images or more), a 32 px tier of
// two sheets, the first of which was streamed (JPEG nil) unless inline, and a
// 128 px tier of one sheet.
func testResult(ids []int64, streamedFirst bool) PlotResult {
	n := len(ids)
	umap, grid := make([]float32, 2*n), make([]float32, 2*n)
	for i := range n {
		umap[2*i], umap[2*i+1] = float32(i)/float32(n), -float32(i)/float32(n)
		grid[2*i], grid[2*i+1] = float32(i%5)/5, float32(i/5)/5
	}
	small := Tier{Height: 32, Sheets: []Sheet{{Index: 0, Width: 256, Height: 256, JPEG: sheetJPEG()},
		{Index: 1, Width: 256, Height: 128, JPEG: sheetJPEG()}}}
	large := Tier{Height: 128, Sheets: []Sheet{{Index: 0, Width: 2048, Height: 2048, JPEG: sheetJPEG()}}}
	if streamedFirst {
		small.Sheets[0].JPEG = nil
	}
	for i := range n {
		small.Cells = append(small.Cells, Cell{Atlas: i % 2, X: 40 * (i / 2 % 6), Y: 33 * (i / 12), W: 39, H: 32})
		large.Cells = append(large.Cells, Cell{Atlas: 0, X: 160 * (i % 12), Y: 129 * (i / 12), W: 150, H: 128})
	}
	r := PlotResult{
		ImageIDs: ids,
		Layouts: []Layout{{Name: "umap", Positions: umap, CellSize: 0.02},
			{Name: "grid", Positions: grid, Labels: []Label{{Text: "row 1", X: 0, Y: 0.2}}, CellSize: 0.2}},
		Tiers:    []Tier{small, large},
		Timings:  []Timing{{Stage: "umap", Seconds: 1.5}, {Stage: "atlases", Seconds: 0.25}},
		Warnings: []string{"2 thumbnails drawn as placeholders"},
	}
	if n >= 2 {
		r.Hotspots = []Hotspot{
			{ID: 1, Label: "portrait", Size: n - 1, Centroid: [2]float32{0.5, -0.5}, Exemplars: ids[:1], Members: seq(0, n-1)},
			{ID: 2, Label: "map", Size: 1, Centroid: [2]float32{1, -1}, Exemplars: ids[n-1:], Members: []int{n - 1}},
		}
	}
	return r
}

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// makePlot begins and finishes a plot of the images f selects.
func makePlot(t *testing.T, c *Catalog, name string, f Filter, params any) int64 {
	t.Helper()
	ids, err := c.Select(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	id, existing, err := c.BeginPlot(ctx, NewPlot{Name: name, Filter: f, ModelID: 1, Params: params}, false)
	if err != nil || existing != nil {
		t.Fatalf("BeginPlot %s: %v, existing %v", name, err, existing)
	}
	if err := c.FinishPlot(ctx, id, testResult(ids, false)); err != nil {
		t.Fatal(err)
	}
	return id
}

// checkStoredPlot reads a ready plot back and compares it with what was stored.
func checkStoredPlot(t *testing.T, c *Catalog, name string, want PlotResult) {
	t.Helper()
	info, err := c.Plot(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != PlotReady || info.ImageCount != len(want.ImageIDs) || info.Progress != "" || info.Stale ||
		!slices.Equal(info.Layouts, []string{"umap", "grid"}) || info.Hotspots != len(want.Hotspots) ||
		!slices.Equal(info.Tiers, []int{32, 128}) || !reflect.DeepEqual(info.Timings, want.Timings) ||
		!slices.Equal(info.Warnings, want.Warnings) || info.FinishedAt.IsZero() || info.PID != 0 {
		t.Errorf("info = %+v", info)
	}
	if ids, err := c.PlotImages(ctx, name); err != nil || !slices.Equal(ids, want.ImageIDs) {
		t.Errorf("images %v, %v; want %v", ids, err, want.ImageIDs)
	}
	for _, l := range want.Layouts {
		got, err := c.PlotLayout(ctx, name, l.Name)
		if err != nil || !reflect.DeepEqual(got, l) {
			t.Errorf("layout %s = %+v, %v; want %+v", l.Name, got, err, l)
		}
	}
	hotspots, err := c.PlotHotspots(ctx, name)
	if err != nil || !reflect.DeepEqual(hotspots, nonNil(want.Hotspots)) {
		t.Errorf("hotspots = %+v, %v; want %+v", hotspots, err, want.Hotspots)
	}
	for _, tier := range want.Tiers {
		got, err := c.PlotTier(ctx, name, tier.Height)
		if err != nil || !slices.Equal(got.Cells, tier.Cells) || len(got.Sheets) != len(tier.Sheets) {
			t.Fatalf("tier %d = %+v, %v", tier.Height, got, err)
		}
		for i, s := range tier.Sheets {
			if got.Sheets[i].Width != s.Width || got.Sheets[i].Height != s.Height {
				t.Errorf("tier %d sheet %d is %dx%d; want %dx%d", tier.Height, i, got.Sheets[i].Width, got.Sheets[i].Height, s.Width, s.Height)
			}
			jpeg, err := c.PlotAtlas(ctx, name, tier.Height, i)
			if err != nil || !slices.Equal(jpeg, sheetJPEG()) {
				t.Errorf("tier %d atlas %d: %d bytes, %v", tier.Height, i, len(jpeg), err)
			}
		}
	}
}

func TestBeginAndFinishPlot_StoresEveryResultAndMakesItReady(t *testing.T) {
	c := openFilterFixture(t)
	f := Filter{Where: "year >= 1900", Tags: []string{"bees", "flowers"}}
	ids, err := c.Select(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	id, existing, err := c.BeginPlot(ctx, NewPlot{Name: "bees and flowers", Filter: f, ModelID: 1, Params: defaultParams}, false)
	if err != nil || existing != nil {
		t.Fatalf("BeginPlot: %v, %v", err, existing)
	}
	info, err := c.Plot(ctx, "bees and flowers")
	if err != nil || info.Status != PlotRunning || info.Progress != "starting" || info.Stale || info.PID != os.Getpid() ||
		info.Filter != f.String() || string(info.Params) != `{"neighbors":15,"min_dist":0.01,"seed":1}` {
		t.Fatalf("running plot = %+v, %v", info, err)
	}
	if _, err := c.PlotImages(ctx, "bees and flowers"); !errors.Is(err, ErrPlotNotReady) {
		t.Errorf("images of a running plot: %v", err)
	}
	if err := c.SetPlotProgress(ctx, id, "umap 10/200"); err != nil {
		t.Fatal(err)
	}
	if info, _ := c.Plot(ctx, "bees and flowers"); info.Progress != "umap 10/200" {
		t.Errorf("progress %q", info.Progress)
	}
	if err := c.PutPlotAtlas(ctx, id, 32, Sheet{Index: 0, Width: 256, Height: 256, JPEG: sheetJPEG()}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PlotAtlas(ctx, "bees and flowers", 32, 0); !errors.Is(err, ErrPlotNotReady) {
		t.Errorf("a streamed atlas of a running plot is readable: %v", err)
	}
	result := testResult(ids, true)
	if err := c.FinishPlot(ctx, id, result); err != nil {
		t.Fatal(err)
	}
	checkStoredPlot(t, c, "bees and flowers", result)
	if err := c.SetPlotProgress(ctx, id, "late"); !errors.Is(err, ErrNotFound) {
		t.Errorf("progress of a ready plot: %v", err)
	}
}

func TestFinishPlot_OneTwoOrThreeImagesMakeAPlot(t *testing.T) {
	c := openFilterFixture(t)
	for n := 1; n <= 3; n++ {
		f := Filter{Where: fmt.Sprintf("id <= %d", n)}
		name := fmt.Sprint("tiny", n)
		makePlot(t, c, name, f, nil)
		ids, _ := c.Select(ctx, f)
		checkStoredPlot(t, c, name, testResult(ids, false))
	}
}

func TestFinishPlot_RefusesAnIncompleteResultAndStoresNothing(t *testing.T) {
	c := openFilterFixture(t)
	ids, _ := c.Select(ctx, Filter{})
	id, _, err := c.BeginPlot(ctx, NewPlot{Name: "p", ModelID: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	breakers := map[string]func(r *PlotResult){
		"no images":          func(r *PlotResult) { r.ImageIDs = nil },
		"image twice":        func(r *PlotResult) { r.ImageIDs = append(slices.Clone(r.ImageIDs[1:]), r.ImageIDs[1]) },
		"short layout":       func(r *PlotResult) { r.Layouts[0].Positions = r.Layouts[0].Positions[2:] },
		"unknown layout":     func(r *PlotResult) { r.Layouts[1].Name = "spiral" },
		"variant of a grid":  func(r *PlotResult) { r.Layouts[1].Variant = &LayoutVariant{NNeighbors: 5, MinDist: 0.1} },
		"member outside":     func(r *PlotResult) { r.Hotspots[1].Members = []int{len(ids)} },
		"foreign exemplar":   func(r *PlotResult) { r.Hotspots[0].Exemplars = []int64{9999} },
		"NaN centroid":       func(r *PlotResult) { r.Hotspots[0].Centroid[1] = float32(math.NaN()) },
		"cell outside atlas": func(r *PlotResult) { r.Tiers[1].Cells[3].X = 2000 },
		"missing atlas":      func(r *PlotResult) { r.Tiers[0].Sheets[0].JPEG = nil }, // never streamed
		"missing cells":      func(r *PlotResult) { r.Tiers[0].Cells = r.Tiers[0].Cells[1:] },
	}
	for what, breakIt := range breakers {
		r := testResult(ids, false)
		breakIt(&r)
		if err := c.FinishPlot(ctx, id, r); err == nil {
			t.Errorf("%s: stored", what)
		} else if what != "unknown layout" && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v; want ErrInvalid", what, err)
		}
		info, _ := c.Plot(ctx, "p")
		if info.Status != PlotRunning || count(t, c, `SELECT count(*) FROM plot_images`) != 0 ||
			count(t, c, `SELECT count(*) FROM atlases`) != 0 || count(t, c, `SELECT count(*) FROM plot_layouts`) != 0 {
			t.Errorf("%s: something was stored (%+v)", what, info)
		}
	}
	if err := c.FinishPlot(ctx, id, testResult(ids, false)); err != nil {
		t.Errorf("the complete result: %v", err)
	}
}

func TestBeginPlot_ReusesTheStoredPlotOfTheSameFingerprint(t *testing.T) {
	c := openFilterFixture(t)
	id := makePlot(t, c, "bees", Filter{Tags: []string{"bees"}}, defaultParams)

	// The same images for the same reason, written as a --where: the same plot.
	again, existing, err := c.BeginPlot(ctx, NewPlot{Name: "bees", Filter: Filter{Where: "has_tag( 'bees' )"}, ModelID: 1,
		Params: defaultParams}, false)
	if err != nil || existing == nil || again != id || existing.Status != PlotReady {
		t.Fatalf("same fingerprint: id %d (first %d), existing %+v, %v", again, id, existing, err)
	}
	// Images ingested later do not join the stored plot.
	putAll(t, c, 1, []ImageRecord{{Image: fixtureImage(100), Thumbs: testThumbs(), Vector: randomUnit(newRand(9), 8)}})
	if ids, _ := c.PlotImages(ctx, "bees"); slices.Contains(ids, filterFixtureSize+1) {
		t.Errorf("a later image joined the plot: %v", ids)
	}
	other := defaultParams
	other.Seed = 2
	for what, p := range map[string]NewPlot{
		"params": {Name: "bees", Filter: Filter{Tags: []string{"bees"}}, ModelID: 1, Params: other},
		"filter": {Name: "bees", Filter: Filter{Tags: []string{"flowers"}}, ModelID: 1, Params: defaultParams},
		"model":  {Name: "bees", Filter: Filter{Tags: []string{"bees"}}, ModelID: 2, Params: defaultParams},
	} {
		if _, _, err := c.BeginPlot(ctx, p, false); !errors.Is(err, ErrPlotExists) || !strings.Contains(err.Error(), "has_tag('bees')") {
			t.Errorf("other %s: %v; want ErrPlotExists naming the stored filter", what, err)
		}
	}
	// force recomputes: a new running plot replaces the old one and its atlases.
	newID, existing, err := c.BeginPlot(ctx, NewPlot{Name: "bees", Filter: Filter{Tags: []string{"bees"}}, ModelID: 1,
		Params: other}, true)
	if err != nil || existing != nil || newID == id {
		t.Fatalf("force: %d, %+v, %v", newID, existing, err)
	}
	if n := count(t, c, `SELECT count(*) FROM atlases WHERE plot_id = ?`, id); n != 0 {
		t.Errorf("%d atlases of the replaced plot remain", n)
	}
	if info, _ := c.Plot(ctx, "bees"); info.Status != PlotRunning {
		t.Errorf("after force: %+v", info)
	}
}

func TestBeginPlot_RefusesANameBeingComputed(t *testing.T) {
	c := openFilterFixture(t)
	if _, _, err := c.BeginPlot(ctx, NewPlot{Name: "p"}, false); err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		if _, _, err := c.BeginPlot(ctx, NewPlot{Name: "p"}, force); !errors.Is(err, ErrPlotBusy) {
			t.Errorf("force %v: %v; want ErrPlotBusy", force, err)
		}
	}
}

func TestBeginPlot_RefusesBadNamesAndFilters(t *testing.T) {
	c := openFilterFixture(t)
	for _, name := range []string{"", " x", ".hidden", "a/b", "a\nb", strings.Repeat("x", 101)} {
		if _, _, err := c.BeginPlot(ctx, NewPlot{Name: name}, false); !errors.Is(err, ErrInvalid) {
			t.Errorf("name %q: %v", name, err)
		}
	}
	var fe *FilterError
	if _, _, err := c.BeginPlot(ctx, NewPlot{Name: "x", Filter: Filter{Where: "1; DROP TABLE images"}}, false); !errors.As(err, &fe) {
		t.Errorf("bad filter: %v", err)
	}
	if n := count(t, c, `SELECT count(*) FROM plots`); n != 0 {
		t.Errorf("%d plots stored", n)
	}
}

// A plot is stale when its process is gone from this host, when it is marked
// as this pid's but this process never began it (a restarted container), or
// when its heartbeat is older than PlotStaleAfter.
func TestPlotStaleness(t *testing.T) {
	c := openFilterFixture(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-PlotStaleAfter - time.Minute).UTC().Format(timeLayout)
	cases := []struct {
		name, set string
		args      []any
		stale     bool
	}{
		{"live", ``, nil, false},
		{"dead pid", `pid = ?`, []any{dead.Process.Pid}, true},
		{"earlier process with this pid", `id = id`, nil, true},
		{"silent", `heartbeat_at = ?`, []any{old}, true},
		{"other host, recent heartbeat", `host = 'elsewhere', pid = 1`, nil, false},
	}
	for _, tc := range cases {
		id, _, err := c.BeginPlot(ctx, NewPlot{Name: strings.ReplaceAll(tc.name, ",", "")}, false)
		if err != nil {
			t.Fatal(err)
		}
		if tc.set != "" {
			if _, err := c.write.Exec(`UPDATE plots SET `+tc.set+` WHERE id = ?`, append(tc.args, id)...); err != nil {
				t.Fatal(err)
			}
		}
		if tc.name == "earlier process with this pid" {
			c.markRunning(id, false)
		}
		info, err := c.Plot(ctx, strings.ReplaceAll(tc.name, ",", ""))
		if err != nil || info.Stale != tc.stale {
			t.Errorf("%s: stale %v, %v; want %v", tc.name, info.Stale, err, tc.stale)
		}
	}
}

// A stale plot is taken over by the next BeginPlot of its name; the process
// that lost it learns so at its next write.
func TestBeginPlot_TakesOverAStalePlot(t *testing.T) {
	c := openFilterFixture(t)
	ids, _ := c.Select(ctx, Filter{})
	first, _, err := c.BeginPlot(ctx, NewPlot{Name: "p"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutPlotAtlas(ctx, first, 32, Sheet{Index: 0, Width: 256, Height: 256, JPEG: sheetJPEG()}); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * PlotStaleAfter).UTC().Format(timeLayout)
	if _, err := c.write.Exec(`UPDATE plots SET heartbeat_at = ? WHERE id = ?`, old, first); err != nil {
		t.Fatal(err)
	}
	second, existing, err := c.BeginPlot(ctx, NewPlot{Name: "p"}, false)
	if err != nil || existing != nil || second == first {
		t.Fatalf("take over: %d, %v, %v", second, existing, err)
	}
	if n := count(t, c, `SELECT count(*) FROM atlases`); n != 0 {
		t.Errorf("%d atlases of the stale run remain", n)
	}
	if err := c.SetPlotProgress(ctx, first, "umap"); !errors.Is(err, ErrNotFound) {
		t.Errorf("progress of the lost run: %v", err)
	}
	if err := c.FinishPlot(ctx, first, testResult(ids, false)); !errors.Is(err, ErrNotFound) {
		t.Errorf("finish of the lost run: %v", err)
	}
	if err := c.FinishPlot(ctx, second, testResult(ids, false)); err != nil {
		t.Errorf("finish of the new run: %v", err)
	}
}

func TestFailPlot_RecordsTheMessageAndDropsPartialResults(t *testing.T) {
	c := openFilterFixture(t)
	id, _, _ := c.BeginPlot(ctx, NewPlot{Name: "p"}, false)
	if err := c.PutPlotAtlas(ctx, id, 32, Sheet{Index: 0, Width: 256, Height: 256, JPEG: sheetJPEG()}); err != nil {
		t.Fatal(err)
	}
	if err := c.FailPlot(ctx, id, errors.New("umap: out of memory")); err != nil {
		t.Fatal(err)
	}
	info, _ := c.Plot(ctx, "p")
	if info.Status != PlotFailed || info.Error != "umap: out of memory" || info.Stale || info.FinishedAt.IsZero() {
		t.Errorf("failed plot = %+v", info)
	}
	if n := count(t, c, `SELECT count(*) FROM atlases`); n != 0 {
		t.Errorf("%d atlases remain", n)
	}
	if _, err := c.PlotLayout(ctx, "p", "umap"); !errors.Is(err, ErrPlotNotReady) || !strings.Contains(err.Error(), "out of memory") {
		t.Errorf("layout of a failed plot: %v", err)
	}
	if _, existing, err := c.BeginPlot(ctx, NewPlot{Name: "p"}, false); err != nil || existing != nil {
		t.Errorf("again after failing: %v, %v", existing, err)
	}
}

func TestRemovePlot_RemovesThatPlotAndItsAtlasesOnly(t *testing.T) {
	c := openFilterFixture(t)
	a := makePlot(t, c, "a", Filter{Categories: []string{"map"}}, nil)
	makePlot(t, c, "b", Filter{Categories: []string{"portrait"}}, nil)
	tables := []string{"images", "tags", "image_tags", "thumbnails", "embeddings", "models", "image_search"}
	before := map[string]int{}
	for _, table := range tables {
		before[table] = count(t, c, `SELECT count(*) FROM `+table)
	}
	bIDs, _ := c.PlotImages(ctx, "b")
	if err := c.RemovePlot(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"plot_images", "plot_layouts", "hotspots", "atlases", "atlas_cells"} {
		if n := count(t, c, `SELECT count(*) FROM `+table+` WHERE plot_id = ?`, a); n != 0 {
			t.Errorf("%d %s rows of the removed plot remain", n, table)
		}
	}
	for _, table := range tables {
		if n := count(t, c, `SELECT count(*) FROM `+table); n != before[table] {
			t.Errorf("%s: %d rows; %d before", table, n, before[table])
		}
	}
	if _, err := c.Plot(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed plot: %v", err)
	}
	checkStoredPlot(t, c, "b", testResult(bIDs, false))
	if err := c.RemovePlot(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
	plots, err := c.Plots(ctx)
	if err != nil || len(plots) != 1 || plots[0].Name != "b" {
		t.Errorf("plots = %+v, %v", plots, err)
	}
}

func TestEditHotspot_RenamesIt(t *testing.T) {
	c := openFilterFixture(t)
	makePlot(t, c, "p", Filter{}, nil)
	h, err := c.EditHotspot(ctx, "p", 2, HotspotEdit{Label: new("  Harbour views ")})
	if err != nil || h.Label != "Harbour views" || h.ID != 2 || h.Size != 1 {
		t.Fatalf("edited %+v, %v", h, err)
	}
	hotspots, _ := c.PlotHotspots(ctx, "p")
	if hotspots[1].Label != "Harbour views" || hotspots[0].Label != "portrait" {
		t.Errorf("labels %q, %q", hotspots[0].Label, hotspots[1].Label)
	}
	if _, err := c.EditHotspot(ctx, "p", 7, HotspotEdit{Label: new("x")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown hotspot: %v", err)
	}
	if _, err := c.EditHotspot(ctx, "nope", 1, HotspotEdit{Label: new("x")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown plot: %v", err)
	}
	if _, err := c.EditHotspot(ctx, "p", 1, HotspotEdit{Label: new(" ")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty label: %v", err)
	}
}

func TestPlotInput_ReadsVectorsAndMetadataInTheOrderAsked(t *testing.T) {
	c := openFilterFixture(t)
	// An image without a vector, e.g. one whose embedding failed.
	putAll(t, c, 0, []ImageRecord{{Image: fixtureImage(50), Thumbs: testThumbs()}})
	noVector, _ := c.ImageIDByPath(ctx, fixtureImage(50).Path)
	asked := []int64{5, 1, noVector, 9999, 4}
	in, err := c.PlotInput(ctx, 1, asked)
	if err != nil {
		t.Fatal(err)
	}
	if in.Dims != 8 || len(in.Images) != 3 || len(in.Vectors) != 24 || !slices.Equal(in.Missing, []int64{noVector, 9999}) {
		t.Fatalf("input: dims %d, %d images, %d values, missing %v", in.Dims, len(in.Images), len(in.Vectors), in.Missing)
	}
	for i, img := range in.Images {
		want := fixtureImage(int(img.ID) - 1)
		if img.ID != []int64{5, 1, 4}[i] || img.Width != want.Width || img.Height != want.Height ||
			img.Category != want.Meta.Category || *img.Year != *want.Meta.Year || !slices.Equal(img.Tags, normalizeTags(want.Meta.Tags)) {
			t.Errorf("image %d = %+v", i, img)
		}
		v, err := c.Vector(ctx, 1, img.ID)
		if err != nil || !slices.Equal(in.Vectors[8*i:8*i+8], v) {
			t.Errorf("image %d vector differs: %v", img.ID, err)
		}
	}
	if _, err := c.PlotInput(ctx, 1, []int64{1, 2, 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an id twice: %v", err)
	}
	if _, err := c.PlotInput(ctx, 42, []int64{1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown model: %v", err)
	}
}

func TestThumbnailJPEGs_InTheOrderAskedWithNilForNone(t *testing.T) {
	c := openFilterFixture(t)
	got, err := c.ThumbnailJPEGs(ctx, pixplot.ThumbCell, []int64{3, 9999, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := testThumbs()[0].JPEG
	if len(got) != 3 || !slices.Equal(got[0], want) || got[1] != nil || !slices.Equal(got[2], want) {
		t.Errorf("got %d thumbnails", len(got))
	}
}

const killPlotEnv, killPlotModeEnv = "PIXPLOT_CATALOG_KILL_PLOT_DB", "PIXPLOT_CATALOG_KILL_PLOT_MODE"

// Killing `pixplot plot` (kill -9) between BeginPlot and FinishPlot, or at
// any moment of a run of plots, never leaves a plot that reads as ready but is
// incomplete; a plot killed while running reads as stale and is taken over by
// the next run of its name.
func TestKilledPlot_IsNeverHalfReadyAndIsTakenOver(t *testing.T) {
	if path := os.Getenv(killPlotEnv); path != "" {
		plotUntilKilled(t, path, os.Getenv(killPlotModeEnv))
		return
	}
	c := openFilterFixture(t)
	path := c.Path()
	c.Close()
	killChild := func(mode, signal string, after time.Duration) int {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledPlot_IsNeverHalfReadyAndIsTakenOver$")
		cmd.Env = append(os.Environ(), killPlotEnv+"="+path, killPlotModeEnv+"="+mode)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		for lines.Scan() && !strings.HasPrefix(lines.Text(), signal) {
		}
		time.Sleep(after)
		cmd.Process.Kill()
		cmd.Wait()
		return cmd.Process.Pid
	}
	// Killed between BeginPlot and FinishPlot, with an atlas streamed.
	pid := killChild("begin", "begun", 0)
	if running := checkPlotsComplete(t, path, pid); !slices.Equal(running, []string{"begun"}) {
		t.Errorf("plots left running: %v; want [begun]", running)
	}
	// Killed anywhere in a run of plots.
	for kill := range 3 {
		pid := killChild("loop", "finished", time.Duration(5+20*kill)*time.Millisecond)
		checkPlotsComplete(t, path, pid)
	}
}

// plotUntilKilled is the child process. In mode "begin" it begins plot
// "begun", streams an atlas and waits; in mode "loop" it makes plot after
// plot.
func plotUntilKilled(t *testing.T, path, mode string) {
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := c.Select(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		name := fmt.Sprint("plot", i%4)
		if mode == "begin" {
			name = "begun"
		}
		id, _, err := c.BeginPlot(ctx, NewPlot{Name: name, ModelID: 1, Params: i}, true)
		if err != nil {
			t.Fatal(err)
		}
		steps := []func() error{
			func() error { return c.SetPlotProgress(ctx, id, "umap") },
			func() error {
				return c.PutPlotAtlas(ctx, id, 32, Sheet{Index: 0, Width: 256, Height: 256, JPEG: sheetJPEG()})
			},
			func() error { return c.FinishPlot(ctx, id, testResult(ids, true)) },
		}
		if mode == "begin" {
			steps = steps[:2]
		}
		for _, step := range steps {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		if mode == "begin" {
			fmt.Println("begun")
			select {}
		}
		fmt.Println("finished", i)
	}
}

// checkPlotsComplete opens the file after a kill: every ready plot reads back
// completely, and a plot the killed process left running is stale and taken
// over (and finished). It returns the names of the plots left running.
func checkPlotsComplete(t *testing.T, path string, killedPID int) (running []string) {
	t.Helper()
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ids, _ := c.Select(ctx, Filter{})
	plots, err := c.Plots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plots {
		switch p.Status {
		case PlotReady:
			checkStoredPlot(t, c, p.Name, testResult(ids, true))
		case PlotRunning:
			running = append(running, p.Name)
			if !p.Stale || p.PID != killedPID {
				t.Errorf("plot %s left running by %d is not stale: %+v", p.Name, killedPID, p)
			}
			if _, err := c.PlotImages(ctx, p.Name); !errors.Is(err, ErrPlotNotReady) {
				t.Errorf("plot %s: %v", p.Name, err)
			}
			id, existing, err := c.BeginPlot(ctx, NewPlot{Name: p.Name}, false)
			if err != nil || existing != nil {
				t.Errorf("take over %s: %v", p.Name, err)
			}
			if err := c.FinishPlot(ctx, id, testResult(ids, false)); err != nil {
				t.Error(err)
			}
		default:
			t.Errorf("plot %s: %+v", p.Name, p)
		}
	}
	var integrity string
	c.read.QueryRow(`PRAGMA integrity_check`).Scan(&integrity)
	if integrity != "ok" {
		t.Errorf("integrity_check: %s", integrity)
	}
	var statuses []string
	for _, p := range plots {
		statuses = append(statuses, p.Name+" "+p.Status)
	}
	t.Logf("after the kill: %v", statuses)
	return running
}

func TestFinishPlot_StoresUMAPVariantsWithTheirParameters(t *testing.T) {
	c := openFilterFixture(t)
	ids, _ := c.Select(ctx, Filter{})
	id, _, err := c.BeginPlot(ctx, NewPlot{Name: "p", ModelID: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	r := testResult(ids, false)
	r.Layouts[0].Variant = &LayoutVariant{NNeighbors: 15, MinDist: 0.01}
	positions := r.Layouts[0].Positions
	for _, l := range []Layout{
		{Name: "umap-jitter", Variant: &LayoutVariant{NNeighbors: 15, MinDist: 0.01, Jitter: true}},
		{Name: "umap-n5-d0.5", Variant: &LayoutVariant{NNeighbors: 5, MinDist: 0.5}},
		{Name: "umap-n5-d0.5-jitter", Variant: &LayoutVariant{NNeighbors: 5, MinDist: 0.5, Jitter: true}},
	} {
		l.Positions, l.CellSize = positions, 0.02
		r.Layouts = append(r.Layouts, l)
	}
	if err := c.FinishPlot(ctx, id, r); err != nil {
		t.Fatal(err)
	}
	info, _ := c.Plot(ctx, "p")
	if want := []string{"umap", "grid", "umap-jitter", "umap-n5-d0.5", "umap-n5-d0.5-jitter"}; !slices.Equal(info.Layouts, want) {
		t.Fatalf("layouts %v, want %v in the order stored", info.Layouts, want)
	}
	for _, l := range r.Layouts {
		got, err := c.PlotLayout(ctx, "p", l.Name)
		if err != nil || !reflect.DeepEqual(got, l) {
			t.Errorf("layout %s = %+v, %v; want %+v", l.Name, got, err, l)
		}
	}
	// The column holds plain JSON for sqlite3 users; other layouts have none.
	if n := count(t, c, `SELECT count(*) FROM plot_layouts WHERE json_extract(variant, '$.n_neighbors') = 5
		AND json_extract(variant, '$.min_dist') = 0.5 AND json_extract(variant, '$.jitter') = 1`); n != 1 {
		t.Errorf("%d rows of the jittered n5 variant", n)
	}
	if n := count(t, c, `SELECT count(*) FROM plot_layouts WHERE variant IS NULL`); n != 1 {
		t.Errorf("%d layouts without a variant, want 1 (grid)", n)
	}
}
