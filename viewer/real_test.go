package viewer_test

// The viewer against the real pixplot server: the real catalog of emoji
// ingested with the real model (servertest's fixture), served by
// server.Handler over loopback HTTP, in headless chromium. The fake API of
// fake_test.go checks the viewer's edge cases; these check that the viewer
// and the server it ships with work together.

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/export"
	"github.com/pixplot/pixplot/modelstore"
	"github.com/pixplot/pixplot/server"
	"github.com/pixplot/pixplot/server/servertest"
	"github.com/pixplot/pixplot/viewer"
)

// realServer opens a copy of the fixture catalog and returns it with the
// handler of `pixplot serve` over it.
func realServer(t *testing.T) (*catalog.Catalog, http.Handler) {
	t.Helper()
	viewer.Chromium(t) // skip before building the fixture
	cat, err := catalog.Open(servertest.Copy(t), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(cat, server.Options{Plot: server.RunPlot, Models: modelstore.Default(nil)})
	t.Cleanup(func() {
		srv.Close()
		cat.Close()
	})
	return cat, srv.Handler()
}

// plotIDs are the image ids of the fixture plot.
func plotIDs(t *testing.T, cat *catalog.Catalog) []int64 {
	t.Helper()
	ids, err := cat.PlotImages(context.Background(), servertest.PlotName)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != servertest.Images {
		t.Fatalf("fixture plot has %d images, want %d", len(ids), servertest.Images)
	}
	return ids
}

type placed struct {
	ID   int64
	X, Y float64
}

// positionsOf returns the page position of each of ids in the current layout.
func positionsOf(p *viewer.Page, ids []int64) []placed {
	var out []placed
	for _, id := range ids {
		if xy := viewer.Eval[[]float64](p, fmt.Sprintf(`__viewer.screenOf(%d)`, id)); len(xy) == 2 {
			out = append(out, placed{id, xy[0], xy[1]})
		}
	}
	return out
}

func TestRealServer_DrawsPlotWithoutConsoleErrors(t *testing.T) {
	cat, h := realServer(t)
	p := viewer.Open(t, h, "/")
	if got := viewer.Eval[int](p, `__viewer.count`); got != servertest.Images {
		t.Errorf("count = %d, want %d", got, servertest.Images)
	}
	if got := viewer.Eval[string](p, `__viewer.plot`); got != servertest.PlotName {
		t.Errorf("plot = %q, want %q", got, servertest.PlotName)
	}
	p.WaitFor(`__viewer.atlasesTotal > 0 && __viewer.atlasesLoaded === __viewer.atlasesTotal && __viewer.metaLoaded`, 20*time.Second)
	if lit := viewer.LitFraction(p.Screenshot("real-loaded"), 60); lit < 0.01 {
		t.Errorf("only %.2f%% of the canvas is drawn", 100*lit)
	}
	if n := len(positionsOf(p, plotIDs(t, cat))); n != servertest.Images {
		t.Errorf("%d of %d images have a place in the layout", n, servertest.Images)
	}
	p.NoConsoleErrors()
}

func TestRealServer_LayoutSwitchMovesImages(t *testing.T) {
	cat, h := realServer(t)
	ids := plotIDs(t, cat)
	p := viewer.Open(t, h, "/")
	before := positionsOf(p, ids)
	p.Do(chromedp.Click(chromedp.CSS(`#layouts button[data-layout="grid"]`)))
	p.WaitFor(`__viewer.layout === 'grid'`, 5*time.Second)
	p.Settle()
	after := positionsOf(p, ids)
	if len(after) != len(before) {
		t.Fatalf("%d images placed in grid, %d before", len(after), len(before))
	}
	moved := 0
	for k := range before {
		if before[k].X != after[k].X || before[k].Y != after[k].Y {
			moved++
		}
	}
	if moved < len(before)/2 {
		t.Errorf("only %d of %d images moved when switching to the grid", moved, len(before))
	}
	p.NoConsoleErrors()
}

func TestRealServer_ClickOpensLightboxWithCatalogMetadataAndSimilarImages(t *testing.T) {
	cat, h := realServer(t)
	ids := plotIDs(t, cat)
	id := ids[7]
	im, err := cat.Image(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	p := viewer.Open(t, h, "/#layout=grid")
	p.WaitFor(`__viewer.metaLoaded`, 10*time.Second)
	x, y := p.ScreenOf(id)
	p.Click(x, y)
	p.WaitFor(fmt.Sprintf(`__viewer.selected === %d && !document.querySelector('#lightbox').hidden`, id), 5*time.Second)
	p.WaitFor(`document.querySelector('#lb-title').textContent !== '' && document.querySelectorAll('#lb-similar img').length > 0`, 10*time.Second)
	if got := viewer.Eval[string](p, `document.querySelector('#lb-title').textContent`); got != im.Filename {
		t.Errorf("lightbox title = %q, want the catalog's filename %q", got, im.Filename)
	}
	if text := viewer.Eval[string](p, `document.querySelector('#lightbox').textContent`); !strings.Contains(text, im.Meta.Category) || !strings.Contains(text, im.Meta.Description) {
		t.Errorf("lightbox lacks category %q or description %q:\n%s", im.Meta.Category, im.Meta.Description, text)
	}
	p.Screenshot("real-lightbox")
	similar := viewer.Eval[[]int64](p, `[...document.querySelectorAll('#lb-similar img')].map(i => Number(i.src.match(/images\/(\d+)/)[1]))`)
	if slices.Contains(similar, id) || len(similar) == 0 {
		t.Fatalf("similar strip %v of image %d", similar, id)
	}
	p.Do(chromedp.Click(chromedp.CSS(`#lb-similar img`)))
	p.WaitFor(fmt.Sprintf(`__viewer.selected === %d`, similar[0]), 5*time.Second)
	p.Settle()
	sx, sy := p.ScreenOf(similar[0])
	if w := viewer.Eval[float64](p, `innerWidth`); sx < 0 || sx > w || sy < 0 {
		t.Errorf("similar image %d not flown into view: at (%.0f,%.0f)", similar[0], sx, sy)
	}
	p.Key(kb.Escape)
	p.WaitFor(`__viewer.selected === null`, 5*time.Second)
	p.NoConsoleErrors()
}

// lassoLeftHalf lassos the left half of the images of the grid layout and
// returns the ids selected, sorted, after checking they are those inside.
func lassoLeftHalf(t *testing.T, p *viewer.Page, ids []int64) []int64 {
	t.Helper()
	all := positionsOf(p, ids)
	// a rectangle over the left half of the images' bounding box
	minX, maxX, minY, maxY := all[0].X, all[0].X, all[0].Y, all[0].Y
	for _, im := range all {
		minX, maxX, minY, maxY = min(minX, im.X), max(maxX, im.X), min(minY, im.Y), max(maxY, im.Y)
	}
	x0, x1, y0, y1 := max(minX-10, 1), (minX+maxX)/2, max(minY-10, 50), min(maxY+10, 799) // inside the page, below the header
	var want []int64
	for _, im := range all {
		if im.X > x0 && im.X < x1 && im.Y > y0 && im.Y < y1 {
			want = append(want, im.ID)
		}
	}
	slices.Sort(want)
	p.Key("l")
	box := [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}
	p.Drag(append(box, box[0]))
	got := viewer.Eval[[]int64](p, `__viewer.selection`)
	if len(want) < 5 || !slices.Equal(got, want) {
		t.Fatalf("lasso selected %v, want the %d images inside it %v", got, len(want), want)
	}
	return want
}

// selectionCSV runs the code of the selection bar's CSV button on the
// selection and returns the rows, header first.
func selectionCSV(t *testing.T, p *viewer.Page) [][]string {
	t.Helper()
	text := viewer.Eval[string](p, `(async () => {
		const [{openSource}, ex] = await Promise.all([import('./js/source.js'), import('./js/export.js')]);
		const source = await openSource();
		return ex.toCSV(await ex.fetchMetadata(source, __viewer.selection));
	})()`)
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("exported CSV: %v\n%s", err, text)
	}
	return rows
}

func TestRealServer_LassoExportListsSelectedImages(t *testing.T) {
	cat, h := realServer(t)
	ids := plotIDs(t, cat)
	p := viewer.Open(t, h, "/#layout=grid")
	p.WaitFor(`__viewer.metaLoaded`, 10*time.Second)
	want := lassoLeftHalf(t, p, ids)
	rows := selectionCSV(t, p)
	col := slices.Index(rows[0], "id")
	fn := slices.Index(rows[0], "filename")
	if col < 0 || fn < 0 || len(rows) != len(want)+1 {
		t.Fatalf("CSV header %q with %d rows, want id, filename and %d rows", rows[0], len(rows)-1, len(want))
	}
	for k, row := range rows[1:] {
		im, err := cat.Image(context.Background(), want[k])
		if err != nil {
			t.Fatal(err)
		}
		if row[col] != fmt.Sprint(want[k]) || row[fn] != im.Filename {
			t.Errorf("CSV row %d: id %s filename %s, want %d %s", k+1, row[col], row[fn], want[k], im.Filename)
		}
	}
	p.NoConsoleErrors()
}

func TestRealServer_MakeHotspotFromLassoThenDeleteIt(t *testing.T) {
	cat, h := realServer(t)
	ids := plotIDs(t, cat)
	ctx := context.Background()
	computed, err := cat.PlotHotspots(ctx, servertest.PlotName)
	if err != nil {
		t.Fatal(err)
	}
	p := viewer.Open(t, h, "/#layout=grid")
	p.WaitFor(`__viewer.metaLoaded`, 10*time.Second)
	selected := lassoLeftHalf(t, p, ids)
	p.Do(chromedp.Click(chromedp.CSS(`#sel-hotspot`)))
	p.WaitFor(`[...document.querySelectorAll('#hotspot-list .label')].some(l => l.textContent === 'Selection 1')`, 10*time.Second)
	p.Screenshot("real-hotspot-made")

	// The API (what a reload shows) lists it with the selected images.
	type listed struct {
		ID      int    `json:"id"`
		Label   string `json:"label"`
		Members []int  `json:"members"`
	}
	manifestHotspots := func() []listed {
		return viewer.Eval[[]listed](p, `fetch('api/plots/`+servertest.PlotName+`').then(r => r.json()).then(m => m.hotspots)`)
	}
	hotspots := manifestHotspots()
	if len(hotspots) != len(computed)+1 {
		t.Fatalf("the manifest lists %d hotspots, want %d", len(hotspots), len(computed)+1)
	}
	made := hotspots[len(hotspots)-1]
	var members []int64
	for _, pos := range made.Members {
		members = append(members, ids[pos])
	}
	slices.Sort(members)
	if made.Label != "Selection 1" || !slices.Equal(members, selected) {
		t.Errorf("made %q with images %v, want \"Selection 1\" with %v", made.Label, members, selected)
	}

	row := fmt.Sprintf(`#hotspot-list li[data-hotspot="%d"]`, made.ID)
	p.Do(chromedp.Click(chromedp.CSS(row + ` .delete`)))
	p.WaitFor(`!document.querySelector('`+row+`')`, 10*time.Second)
	if n := len(manifestHotspots()); n != len(computed) {
		t.Errorf("after deleting, the manifest lists %d hotspots, want %d", n, len(computed))
	}
	if stored, err := cat.PlotHotspots(ctx, servertest.PlotName); err != nil || len(stored) != len(computed) {
		t.Errorf("the catalog holds %d hotspots (%v), want %d", len(stored), err, len(computed))
	}
	if rows := viewer.Eval[int](p, `document.querySelectorAll('#hotspot-list li').length`); rows != len(computed) {
		t.Errorf("the panel shows %d hotspots, want %d", rows, len(computed))
	}
	p.NoConsoleErrors()
}

func TestRealServer_HotspotMovesAndNewRepresentativePersistAndMembersExport(t *testing.T) {
	cat, h := realServer(t)
	ids := plotIDs(t, cat)
	ctx := context.Background()
	// Two more hotspots, so there are at least three to order.
	made, err := cat.AddHotspot(ctx, servertest.PlotName, "three", []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.AddHotspot(ctx, servertest.PlotName, "two", []int{3, 4}); err != nil {
		t.Fatal(err)
	}
	stored := func() []catalog.Hotspot {
		hotspots, err := cat.PlotHotspots(ctx, servertest.PlotName)
		if err != nil {
			t.Fatal(err)
		}
		return hotspots
	}
	order := func() []int {
		var out []int
		for _, h := range stored() {
			out = append(out, h.ID)
		}
		return out
	}
	// waitStored waits until the catalog holds what the viewer sent.
	waitStored := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the catalog never held %s", what)
			}
		}
	}
	p := viewer.Open(t, h, "/")
	rows := `[...document.querySelectorAll('#hotspot-list li')].map(li => Number(li.dataset.hotspot))`
	reload := func() {
		t.Helper()
		p.Do(chromedp.Reload())
		p.WaitFor(fmt.Sprintf(`window.__firstFrame === true && document.querySelectorAll('#hotspot-list li').length === %d`, len(order())), 20*time.Second)
	}
	before := order()

	// Drag the last row's handle onto the top of the first row.
	last, first := before[len(before)-1], before[0]
	xy := viewer.Eval[[]float64](p, fmt.Sprintf(`(() => {
		const h = document.querySelector('#hotspot-list li[data-hotspot="%d"] .handle').getBoundingClientRect();
		const to = document.querySelector('#hotspot-list li[data-hotspot="%d"]').getBoundingClientRect();
		return [h.x + h.width / 2, h.y + h.height / 2, to.x + to.width / 2, to.y + to.height / 4];
	})()`, last, first))
	p.Do(chromedp.DragAndDropXY(xy[0], xy[1], xy[2], xy[3]))
	want := append([]int{last}, before[:len(before)-1]...)
	waitStored(fmt.Sprintf("the order %v", want), func() bool { return slices.Equal(order(), want) })
	reload()
	if got := viewer.Eval[[]int](p, rows); !slices.Equal(got, want) {
		t.Errorf("after reload the rows are %v, want %v", got, want)
	}

	// ↻ gives the three-image hotspot another of its members as representative.
	row := fmt.Sprintf(`#hotspot-list li[data-hotspot="%d"]`, made.ID)
	old := made.Exemplars[0]
	p.Do(chromedp.Click(chromedp.CSS(row + ` .represent`)))
	p.WaitFor(fmt.Sprintf(`!document.querySelector('%s img.pic').src.includes('images/%d/')`, row, old), 10*time.Second)
	var now int64
	waitStored("a new representative", func() bool {
		for _, h := range stored() {
			if h.ID == made.ID {
				now = h.Exemplars[0]
			}
		}
		return now != old
	})
	if !slices.Contains([]int64{ids[0], ids[1], ids[2]}, now) {
		t.Errorf("new representative %d is not a member (images %v)", now, ids[:3])
	}
	reload()
	if src := viewer.Eval[string](p, fmt.Sprintf(`document.querySelector('%s img.pic').src`, row)); !strings.Contains(src, fmt.Sprintf("images/%d/", now)) {
		t.Errorf("after reload the thumbnail is %s, want image %d", src, now)
	}

	// Selecting its members exports exactly their metadata.
	p.WaitFor(`__viewer.metaLoaded`, 10*time.Second)
	p.Do(chromedp.Click(chromedp.CSS(row + ` .select-members`)))
	members := []int64{ids[0], ids[1], ids[2]}
	slices.Sort(members)
	if got := viewer.Eval[[]int64](p, `__viewer.selection`); !slices.Equal(got, members) {
		t.Errorf("selection %v, want the members %v", got, members)
	}
	csvRows := selectionCSV(t, p)
	col := slices.Index(csvRows[0], "id")
	if col < 0 {
		t.Fatalf("CSV header %q has no id", csvRows[0])
	}
	var exported []int64
	for _, r := range csvRows[1:] {
		var id int64
		fmt.Sscan(r[col], &id)
		exported = append(exported, id)
	}
	slices.Sort(exported)
	if !slices.Equal(exported, members) {
		t.Errorf("the CSV lists images %v, want the members %v", exported, members)
	}
	p.NoConsoleErrors()
}

func TestRealServer_NewPlotShowsFilterErrorThenOpensPlot(t *testing.T) {
	_, h := realServer(t)
	p := viewer.Open(t, h, "/")
	p.Key("n")
	p.WaitFor(`document.querySelector('#newplot-dialog').open`, 5*time.Second)
	viewer.Eval[any](p, `document.querySelector('#newplot-form input[name=name]').value = ''`) // CDP's char event typed the "n"
	p.Do(chromedp.SendKeys(chromedp.CSS(`#newplot-form input[name=name]`), "people"),
		chromedp.SendKeys(chromedp.CSS(`#newplot-form textarea[name=where]`), "yeer < 3"),
		chromedp.Click(chromedp.CSS(`#newplot-submit`)))
	p.WaitFor(`document.querySelector('#newplot-status').textContent.includes('yeer')`, 10*time.Second)
	t.Logf("bad filter: %s", viewer.Eval[string](p, `document.querySelector('#newplot-status').textContent`))
	viewer.Eval[any](p, `document.querySelector('#newplot-form textarea[name=where]').value = ''`)
	p.Do(chromedp.SendKeys(chromedp.CSS(`#newplot-form textarea[name=where]`), "category IN ('Smileys & Emotion', 'People & Body', 'Animals & Nature', 'Food & Drink')"),
		chromedp.Click(chromedp.CSS(`#newplot-submit`)))
	p.WaitFor(`__viewer.plot === 'people' && window.__firstFrame`, 60*time.Second)
	if open := viewer.Eval[bool](p, `document.querySelector('#newplot-dialog').open`); open {
		t.Error("dialog still open after the plot is ready")
	}
	if got := viewer.Eval[int](p, `__viewer.count`); got < 10 || got >= servertest.Images {
		t.Errorf("new plot shows %d images, want the four categories' share of %d", got, servertest.Images)
	}
	p.NoConsoleErrors("status of 400") // the rejected filter
}

func TestRealServer_URLHashReopensSameView(t *testing.T) {
	cat, h := realServer(t)
	p := viewer.Open(t, h, "/#layout=grid")
	p.Wheel(700, 400, -200)
	p.Settle()
	// ids come from a parallel ingest, so which image lands where varies:
	// take the one nearest the middle of the zoomed view
	id, x, y := nearest(positionsOf(p, plotIDs(t, cat)), 640, 420)
	p.Click(x, y)
	p.WaitFor(fmt.Sprintf(`__viewer.selected === %d`, id), 5*time.Second)
	p.Settle()
	p.WaitFor(fmt.Sprintf(`location.hash.includes('img=%d')`, id), 5*time.Second)
	want := viewer.Eval[map[string]any](p, `({cam: __viewer.cam, layout: __viewer.layout, plot: __viewer.plot, url: location.href})`)
	p.Do(chromedp.Navigate("about:blank"), chromedp.Navigate(want["url"].(string)))
	p.WaitFor(fmt.Sprintf(`window.__firstFrame === true && __viewer.selected === %d`, id), 20*time.Second)
	got := viewer.Eval[map[string]any](p, `({cam: __viewer.cam, layout: __viewer.layout, plot: __viewer.plot})`)
	if got["layout"] != "grid" || got["plot"] != servertest.PlotName {
		t.Errorf("reopened layout/plot = %v/%v, want grid/%s", got["layout"], got["plot"], servertest.PlotName)
	}
	wc, gc := want["cam"].(map[string]any), got["cam"].(map[string]any)
	for _, k := range []string{"x", "y", "zoom"} {
		if w, g := wc[k].(float64), gc[k].(float64); g-w > 1e-3*max(1, abs(w)) || w-g > 1e-3*max(1, abs(w)) {
			t.Errorf("cam.%s = %v after reopening, want %v", k, g, w)
		}
	}
	p.NoConsoleErrors()
}

func abs(x float64) float64 { return max(x, -x) }

// nearest returns the placed image closest to the page point (x, y).
func nearest(all []placed, x, y float64) (int64, float64, float64) {
	best := slices.MinFunc(all, func(a, b placed) int {
		da, db := (a.X-x)*(a.X-x)+(a.Y-y)*(a.Y-y), (b.X-x)*(b.X-x)+(b.Y-y)*(b.Y-y)
		return cmp.Compare(da, db)
	})
	return best.ID, best.X, best.Y
}

func TestRealServer_ExportLoadsFromStaticServer(t *testing.T) {
	cat, _ := realServer(t)
	ids := plotIDs(t, cat)
	dir := filepath.Join(t.TempDir(), "site")
	if _, err := export.Write(context.Background(), cat, dir, export.Options{Plots: []string{servertest.PlotName}, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	p := viewer.Open(t, http.FileServer(http.Dir(dir)), "/#layout=grid")
	if !viewer.Eval[bool](p, `__viewer.static && __viewer.readOnly`) {
		t.Fatal("viewer did not switch to static mode")
	}
	p.WaitFor(`__viewer.atlasesTotal > 0 && __viewer.atlasesLoaded === __viewer.atlasesTotal && __viewer.metaLoaded`, 20*time.Second)
	if lit := viewer.LitFraction(p.Screenshot("real-static"), 60); lit < 0.01 {
		t.Errorf("only %.2f%% of the exported page's canvas is drawn", 100*lit)
	}
	im, err := cat.Image(context.Background(), ids[3])
	if err != nil {
		t.Fatal(err)
	}
	x, y := p.ScreenOf(im.ID)
	p.Click(x, y)
	p.WaitFor(fmt.Sprintf(`__viewer.selected === %d && document.querySelectorAll('#lb-similar img').length > 0`, im.ID), 10*time.Second)
	if got := viewer.Eval[string](p, `document.querySelector('#lb-title').textContent`); got != im.Filename {
		t.Errorf("exported lightbox title = %q, want %q", got, im.Filename)
	}
	p.NoConsoleErrors()
}
