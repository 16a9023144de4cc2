package viewer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

func TestFS_HasIndexAtRoot(t *testing.T) {
	for _, name := range []string{"index.html", "config.json", "favicon.svg", "js/main.js", "css/viewer.css"} {
		if _, err := fs.Stat(FS(), name); err != nil {
			t.Errorf("FS() lacks %s: %v", name, err)
		}
	}
}

func TestViewer_DrawsPositionsFirstThenAtlases(t *testing.T) {
	gate := make(chan struct{})
	f := newFakeServer(t, 600, func(f *fakeServer) { f.atlasGate = gate })
	p := open(t, f.handler(), "/", desktop)
	if got := eval[int](p, `__viewer.count`); got != 600 {
		t.Fatalf("count = %d, want 600", got)
	}
	// no atlas has arrived, yet the plot is drawn and usable
	if n := eval[int](p, `__viewer.atlasesLoaded`); n != 0 {
		t.Fatalf("%d atlases loaded while the server holds them back", n)
	}
	if lit := litFraction(p.screenshot("placeholders"), 60); lit < 0.03 {
		t.Errorf("before any atlas only %.1f%% of the canvas is drawn", 100*lit)
	}
	x, y := p.screenOf(1001)
	p.click(x, y)
	p.waitFor(`__viewer.selected !== null`, 5*time.Second)
	// the progress box over the top of the plot does not swallow clicks
	under := eval[string](p, `(() => { const r = document.querySelector('#loading').getBoundingClientRect();
		return r.width ? document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).id : 'hidden'; })()`)
	if under != "gl" {
		t.Errorf("a click on the loading progress box reaches %q, want the plot canvas", under)
	}
	p.key(kb.Escape)
	p.key("0") // the details panel may have panned the view; back to the whole plot
	p.settle()
	close(gate)
	p.waitFor(`__viewer.atlasesTotal > 0 && __viewer.atlasesLoaded === __viewer.atlasesTotal`, 20*time.Second)
	p.waitFor(`__viewer.metaLoaded`, 10*time.Second)
	img := p.screenshot("loaded")
	if lit := litFraction(img, 60); lit < 0.03 {
		t.Errorf("only %.1f%% of the canvas is drawn", 100*lit)
	}
	if n := eval[int](p, `document.querySelectorAll('#hotspot-list li').length`); n != 5 {
		t.Errorf("hotspot rows = %d, want 5", n)
	}
	p.noConsoleErrors()
}

func TestViewer_LayoutSwitchAnimatesToNewPositionsWithLabels(t *testing.T) {
	f := newFakeServer(t, 600)
	p := open(t, f.handler(), "/", desktop)
	x0, y0 := p.screenOf(1010)
	p.do(chromedp.Click(chromedp.CSS(`#layouts button[data-layout="grid"]`)))
	p.waitFor(`__viewer.moving`, 5*time.Second) // an animated transition, not a jump
	p.settle()
	if got := eval[string](p, `__viewer.layout`); got != "grid" {
		t.Fatalf("layout = %q, want grid", got)
	}
	x1, y1 := p.screenOf(1010)
	if near(x0, x1, 2) && near(y0, y1, 2) {
		t.Errorf("image 1010 stayed at (%.0f,%.0f) after switching to grid", x0, y0)
	}
	p.key("3") // categorical, by keyboard
	p.settle()
	if got := eval[string](p, `__viewer.layout`); got != "categorical" {
		t.Fatalf("layout = %q after key 3, want categorical", got)
	}
	p.screenshot("categorical")
	p.key("4")
	p.settle()
	if xy := eval[[]float64](p, `__viewer.screenOf(1000)`); xy != nil {
		t.Errorf("undated image 1000 is shown in the date layout at %v", xy)
	}
	p.screenshot("date")
	p.noConsoleErrors()
}

func TestViewer_ClickOpensLightboxWithSanitizedDescription(t *testing.T) {
	f := newFakeServer(t, 600)
	p := open(t, f.handler(), "/#plot=default&layout=grid", desktop)
	p.waitFor(`__viewer.metaLoaded`, 10*time.Second)
	x, y := p.screenOf(1003)
	p.click(x, y)
	p.waitFor(`__viewer.selected === 1003 && !document.querySelector('#lightbox').hidden`, 5*time.Second)
	p.waitFor(`document.querySelectorAll('#lb-chips .chip').length > 0 && document.querySelectorAll('#lb-similar img').length > 0`, 10*time.Second)
	if got := eval[string](p, `document.querySelector('#lb-title').textContent`); got != "img_00003.jpg" {
		t.Errorf("title = %q", got)
	}
	dl := eval[map[string]string](p, `(() => { const a = document.querySelector('#lb-download'); return {name: a.download, href: a.href}; })()`)
	if dl["name"] != "img_00003-preview.jpg" || !strings.Contains(dl["href"], "/api/images/1003/thumb?size=preview") {
		t.Errorf("download link = %v; want the preview of image 1003 saved as img_00003-preview.jpg", dl)
	}
	if got := eval[string](p, `document.querySelector('#lb-desc b')?.textContent ?? ''`); got != "bold" {
		t.Errorf("description markup lost: <b> = %q", got)
	}
	if got := eval[[]string](p, `[...document.querySelectorAll('#lb-desc a[href]')].map(a => a.getAttribute('href'))`); len(got) != 1 || got[0] != "https://example.org/ok" {
		t.Errorf("description links = %q; want only the https one", got)
	}
	bad := eval[int](p, `document.querySelectorAll('#lb-desc script, #lb-desc img, #lb-desc [onclick], #lb-desc [onerror], #lb-desc a[href^="javascript"]').length`)
	if bad != 0 || eval[bool](p, `window.__xss !== undefined`) {
		t.Errorf("sanitizer let through %d dangerous nodes (window.__xss=%v)", bad, eval[any](p, `window.__xss`))
	}
	if !strings.Contains(eval[string](p, `document.querySelector('#lb-meta').textContent`), "photographer") {
		t.Error("extra metadata columns not listed")
	}
	if href := eval[string](p, `document.querySelector('#lb-link').href`); !strings.Contains(href, "img=1003") {
		t.Errorf("permalink %q does not name the image", href)
	}
	p.screenshot("lightbox")
	p.key(kb.ArrowRight)
	p.waitFor(`__viewer.selected === 1004 && document.querySelectorAll('#lb-similar img').length > 0`, 10*time.Second)
	first := eval[int64](p, `Number(document.querySelector('#lb-similar img').src.match(/images\/(\d+)/)[1])`)
	p.do(chromedp.Click(chromedp.CSS(`#lb-similar img`)))
	p.waitFor(fmt.Sprintf(`__viewer.selected === %d`, first), 5*time.Second)
	p.settle()
	sx, sy := p.screenOf(first)
	if w := eval[float64](p, `innerWidth`); sx < 0 || sx > w || sy < 0 {
		t.Errorf("similar image %d not flown into view: at (%.0f,%.0f)", first, sx, sy)
	}
	p.key(kb.Escape)
	p.waitFor(`__viewer.selected === null && document.querySelector('#lightbox').hidden`, 5*time.Second)
	p.noConsoleErrors()
}

// Home frames whole images, not just their centres, in the part of the view
// the hotspot panel leaves free.
func TestViewer_HomeShowsEveryImageWhole(t *testing.T) {
	f := newFakeServer(t, 60)
	p := open(t, f.handler(), "/#layout=grid", desktop)
	p.settle()
	half := eval[float64](p, `__viewer.spritePx`) / 2
	free := eval[[]float64](p, `(() => { const s = document.querySelector('#gl').getBoundingClientRect();
		const panel = document.querySelector('#hotspots').getBoundingClientRect();
		return [Math.max(s.left, panel.right), s.top, s.right, s.bottom]; })()`)
	for _, im := range f.plots[0].Images {
		x, y := p.screenOf(im.ID)
		id := im.ID
		if x-half < free[0]-1 || y-half < free[1]-1 || x+half > free[2]+1 || y+half > free[3]+1 {
			t.Errorf("image %d drawn over (%.0f,%.0f)-(%.0f,%.0f), outside the free view %v", id, x-half, y-half, x+half, y+half, free)
		}
	}
	p.noConsoleErrors()
}

func TestViewer_URLHashReopensSameView(t *testing.T) {
	f := newFakeServer(t, 600)
	p := open(t, f.handler(), "/#layout=grid", desktop)
	p.wheel(700, 400, -400)
	p.drag([][2]float64{{700, 400}, {650, 380}, {600, 360}})
	p.click(760, 450)
	p.waitFor(`__viewer.selected !== null`, 5*time.Second)
	selected := eval[int64](p, `__viewer.selected`)
	p.settle()
	p.waitFor(fmt.Sprintf(`location.hash.includes('img=%d')`, selected), 5*time.Second)
	want := eval[map[string]any](p, `({cam: __viewer.cam, layout: __viewer.layout, plot: __viewer.plot, url: location.href})`)
	p.do(chromedp.Navigate("about:blank"), chromedp.Navigate(want["url"].(string)))
	p.waitFor(fmt.Sprintf(`window.__firstFrame === true && __viewer.selected === %d`, selected), 20*time.Second)
	got := eval[map[string]any](p, `({cam: __viewer.cam, layout: __viewer.layout, plot: __viewer.plot})`)
	if got["layout"] != "grid" || got["plot"] != "default" {
		t.Errorf("reopened layout/plot = %v/%v, want grid/default", got["layout"], got["plot"])
	}
	wc, gc := want["cam"].(map[string]any), got["cam"].(map[string]any)
	for _, k := range []string{"x", "y", "zoom"} {
		if !near(wc[k].(float64), gc[k].(float64), 1e-3*math.Max(1, math.Abs(wc[k].(float64)))) {
			t.Errorf("cam.%s = %v after reopening, want %v", k, gc[k], wc[k])
		}
	}
	p.noConsoleErrors()
}

type placed struct {
	ID   int64
	X, Y float64
}

// positions returns every image's page position in the current layout.
func positions(p *page) []placed {
	return eval[[]placed](p, `(() => { const out = []; for (let id = 1000; id < 1000 + __viewer.count; id++) {
		const xy = __viewer.screenOf(id); if (xy) out.push({ID: id, X: xy[0], Y: xy[1]}); } return out; })()`)
}

func inside(x, y float64, poly [][2]float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		xi, yi, xj, yj := poly[i][0], poly[i][1], poly[j][0], poly[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

func TestViewer_LassoSelectsImagesInsidePolygonAndExports(t *testing.T) {
	f := newFakeServer(t, 600)
	p := open(t, f.handler(), "/#layout=grid", desktop)
	p.waitFor(`__viewer.metaLoaded`, 10*time.Second)
	p.key("l")
	if !eval[bool](p, `__viewer.lassoMode`) {
		t.Fatal("key l did not enter lasso mode")
	}
	// a concave "V": a convex hull would take in the notch
	vee := [][2]float64{{350, 150}, {550, 150}, {450, 300}, {650, 150}, {750, 150}, {550, 450}, {450, 450}}
	p.drag(append(vee, vee[0]))
	all := positions(p)
	var want []int64
	for _, im := range all {
		if inside(im.X, im.Y, vee) {
			want = append(want, im.ID)
		}
	}
	got := eval[[]int64](p, `__viewer.selection`)
	if len(want) < 10 || !slices.Equal(got, want) {
		t.Fatalf("lasso selected %d images %v,\nwant the %d inside the polygon %v", len(got), got, len(want), want)
	}
	box := [][2]float64{{800, 500}, {900, 500}, {900, 600}, {800, 600}}
	p.drag(append(box, box[0]), chromedp.ModifierShift)
	for _, im := range all {
		if inside(im.X, im.Y, box) {
			want = append(want, im.ID)
		}
	}
	slices.Sort(want)
	if got := eval[[]int64](p, `__viewer.selection`); !slices.Equal(got, want) {
		t.Fatalf("shift-lasso gave %d images, want the union of both polygons (%d)", len(got), len(want))
	}
	p.screenshot("lasso")
	if !eval[bool](p, `!document.querySelector('#selection-bar').hidden`) {
		t.Error("selection bar hidden with a selection")
	}
	p.do(chromedp.Click(chromedp.CSS(`#sel-view`)))
	if n := eval[int](p, `document.querySelector('#selection-dialog').open ? document.querySelectorAll('#selection-grid img').length : -1`); n != len(want) {
		t.Errorf("selection view shows %d images, want %d", n, len(want))
	}
	p.do(chromedp.Click(chromedp.CSS(`#selection-grid img`)))
	p.waitFor(fmt.Sprintf(`__viewer.selected === %d && !document.querySelector('#selection-dialog').open`, want[0]), 5*time.Second)
	p.do(chromedp.Click(chromedp.CSS(`#lb-close`)))

	// The export code the CSV/JSON/ZIP buttons run, fed the same selection.
	b64 := eval[string](p, `(async () => {
		const [{openSource}, ex] = await Promise.all([import('./js/source.js'), import('./js/export.js')]);
		const source = await openSource();
		const records = await ex.fetchMetadata(source, __viewer.selection);
		const blob = await ex.toZip(source, records);
		const bytes = new Uint8Array(await blob.arrayBuffer());
		let s = ''; for (const b of bytes) s += String.fromCharCode(b);
		return btoa(s);
	})()`)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("exported ZIP does not open: %v", err)
	}
	if len(zr.File) != len(want)+1 {
		t.Errorf("ZIP has %d entries, want metadata.csv + %d images", len(zr.File), len(want))
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc) // checks the CRC-32 at EOF
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		switch {
		case zf.Name == "metadata.csv":
			rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatalf("metadata.csv: %v", err)
			}
			if len(rows) != len(want)+1 || !slices.Contains(rows[0], "photographer") || !slices.Contains(rows[0], "extra.id") || !slices.Contains(rows[0], "tags") {
				t.Errorf("metadata.csv: %d rows, header %q", len(rows), rows[0])
			}
		case strings.HasPrefix(zf.Name, "images/") && strings.HasSuffix(zf.Name, ".jpg"):
			if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
				t.Errorf("%s is not a JPEG: %v", zf.Name, err)
			}
		default:
			t.Errorf("unexpected ZIP entry %s", zf.Name)
		}
	}
	p.key(kb.Escape)
	if n := eval[int](p, `__viewer.selection.length`); n != 0 {
		t.Errorf("Esc left %d selected", n)
	}
	p.noConsoleErrors()
}

func TestViewer_FiltersDimImagesThatDoNotMatch(t *testing.T) {
	f := newFakeServer(t, 600)
	p := open(t, f.handler(), "/#layout=grid", desktop)
	p.waitFor(`__viewer.metaLoaded && !document.querySelector('#btn-filters').disabled`, 10*time.Second)
	p.key("g") // filters
	p.do(chromedp.Click(chromedp.CSS(`#filter-categories input[value="portrait"]`)))
	portrait, both := 0, 0
	for _, im := range f.plots[0].Images {
		isP, isN := im.Category == "portrait", slices.Contains(im.Tags, "night")
		if isP {
			portrait++
		}
		if isP && isN {
			both++
		}
	}
	if got := eval[int](p, `__viewer.dimmed`); got != 600-portrait {
		t.Errorf("category filter dims %d, want %d", got, 600-portrait)
	}
	p.do(chromedp.Click(chromedp.CSS(`#filter-tags input[value="night"]`)))
	if got := eval[int](p, `__viewer.dimmed`); got != 600-both {
		t.Errorf("category AND tag filter dims %d, want %d", got, 600-both)
	}
	p.screenshot("filters")
	p.do(chromedp.Click(chromedp.CSS(`#filter-clear`)))
	if got := eval[int](p, `__viewer.dimmed`); got != 0 {
		t.Errorf("clearing filters left %d dimmed", got)
	}
	// year range: 1950..1999 keeps dated images from those years only
	eval[any](p, `(() => { const a = document.querySelector('#year-from'); a.value = 1950; a.dispatchEvent(new Event('input')); return 1; })()`)
	late := 0
	for _, im := range f.plots[0].Images {
		if im.Year != nil && *im.Year >= 1950 {
			late++
		}
	}
	if got := eval[int](p, `__viewer.dimmed`); got != 600-late {
		t.Errorf("year filter dims %d, want %d", got, 600-late)
	}
	p.noConsoleErrors()
}

func TestViewer_SearchResultFliesToImage(t *testing.T) {
	f := newFakeServer(t, 600)
	p := open(t, f.handler(), "/", desktop)
	p.key("/")
	if !eval[bool](p, `document.activeElement.id === 'search-input'`) {
		t.Error("key / did not focus the search box")
	}
	// CDP types the "/" as a separate char event that preventDefault cannot stop
	eval[any](p, `document.querySelector('#search-input').value = ''`)
	p.do(chromedp.SendKeys(chromedp.CSS(`#search-input`), "img_00042"))
	p.waitFor(`document.querySelectorAll('#search-results li img').length === 1`, 5*time.Second)
	p.do(chromedp.Click(chromedp.CSS(`#search-results li`)))
	p.waitFor(`__viewer.selected === 1042`, 5*time.Second)
	p.settle()
	x, y := p.screenOf(1042)
	if x < 260 || x > 850 || y < 50 || y > 800 {
		t.Errorf("search result at (%.0f,%.0f), not in the free part of the view", x, y)
	}
	p.noConsoleErrors()
}

func TestViewer_NewPlotShowsFilterErrorThenOpensPlot(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", desktop)
	p.key("n")
	p.waitFor(`document.querySelector('#newplot-dialog').open`, 5*time.Second)
	eval[any](p, `document.querySelector('#newplot-form input[name=name]').value = ''`) // CDP's char event typed the "n"
	p.do(chromedp.SendKeys(chromedp.CSS(`#newplot-form input[name=name]`), "nineteen-fifties"),
		chromedp.SendKeys(chromedp.CSS(`#newplot-form textarea[name=where]`), "nosuchcolumn > 1"),
		chromedp.Click(chromedp.CSS(`#newplot-submit`)))
	p.waitFor(`document.querySelector('#newplot-status').textContent.includes('no such column: nosuchcolumn')`, 5*time.Second)
	eval[any](p, `document.querySelector('#newplot-form textarea[name=where]').value = ''`)
	p.do(chromedp.SendKeys(chromedp.CSS(`#newplot-form textarea[name=where]`), "year >= 1950"),
		chromedp.Click(chromedp.CSS(`#newplot-submit`)))
	p.waitFor(`document.querySelector('#newplot-status').textContent.includes('Computing')`, 5*time.Second)
	p.waitFor(`__viewer.plot === 'nineteen-fifties' && window.__firstFrame`, 15*time.Second)
	if open := eval[bool](p, `document.querySelector('#newplot-dialog').open`); open {
		t.Error("dialog still open after the plot is ready")
	}
	if got := eval[string](p, `document.querySelector('#plot-picker').value`); got != "nineteen-fifties" {
		t.Errorf("plot picker shows %q", got)
	}
	p.noConsoleErrors("status of 400") // the rejected filter
}

func TestViewer_RenamesHotspot(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", desktop)
	p.do(chromedp.Click(chromedp.CSS(`#hotspot-list li[data-hotspot="2"] .rename`)))
	eval[any](p, `document.querySelector('#hotspot-list li[data-hotspot="2"] .label').textContent = ''`)
	p.do(chromedp.SendKeys(chromedp.CSS(`#hotspot-list li[data-hotspot="2"] .label`), "Harbour views"), chromedp.KeyEvent(kb.Enter))
	p.waitFor(`document.querySelector('#hotspot-list li[data-hotspot="2"] .label').textContent === 'Harbour views' &&
		document.querySelector('#hotspot-list li[data-hotspot="2"] .label').contentEditable !== 'true'`, 5*time.Second)
	// The label shows the new text before the PATCH is answered.
	waitUntil(t, "the server has the new label", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.plots[0].Hotspots[2].Label == "Harbour views"
	})
	p.noConsoleErrors()
}

func TestViewer_HotspotClickFliesToClusterAndHoverHighlights(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", desktop)
	before := eval[map[string]float64](p, `__viewer.cam`)
	p.do(chromedp.Click(chromedp.CSS(`#hotspot-list li[data-hotspot="4"] img`)))
	p.waitFor(`__viewer.moving`, 3*time.Second)
	p.settle()
	after := eval[map[string]float64](p, `__viewer.cam`)
	if after["zoom"] <= before["zoom"] {
		t.Errorf("zoom %v -> %v: flying to a cluster should zoom in", before["zoom"], after["zoom"])
	}
	// cluster E's members are now in the middle of the free view
	var sx, sy float64
	members := f.plots[0].Hotspots[4].Members
	for _, m := range members {
		x, y := p.screenOf(int64(1000 + m))
		sx, sy = sx+x, sy+y
	}
	sx, sy = sx/float64(len(members)), sy/float64(len(members))
	if sx < 300 || sx > 1250 || sy < 150 || sy > 750 {
		t.Errorf("cluster centre at (%.0f,%.0f) after flying to it", sx, sy)
	}
	row := eval[[]float64](p, `(() => { const r = document.querySelector('#hotspot-list li[data-hotspot="1"]').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, row[0], row[1]))
	if got, want := eval[int](p, `__viewer.highlighted`), len(f.plots[0].Hotspots[1].Members); got != want {
		t.Errorf("hovering hotspot 1 highlights %d images, want its %d members", got, want)
	}
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, 700, 400))
	if got := eval[int](p, `__viewer.highlighted`); got != 0 {
		t.Errorf("%d images stay highlighted after the pointer left the hotspot", got)
	}
	p.noConsoleErrors()
}

func TestViewer_SimilarToChosenFile(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", desktop)
	want := f.plots[0].Images[17]
	file := filepath.Join(t.TempDir(), "query.png")
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	draw.Draw(img, img.Bounds(), image.NewUniform(want.Color), image.Point{}, draw.Src)
	var buf bytes.Buffer
	png.Encode(&buf, img)
	os.WriteFile(file, buf.Bytes(), 0o644)
	// dropped on the page
	drag := func(typ input.DispatchDragEventType) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: 700, Y: 400,
				Data: &input.DragData{Items: []*input.DragDataItem{}, Files: []string{file}, DragOperationsMask: 1}})
			return err
		})
	}
	p.do(drag(input.DispatchDragEventTypeDragEnter), drag(input.DispatchDragEventTypeDragOver), drag(input.DispatchDragEventTypeDrop))
	p.waitFor(`!document.querySelector('#similar-panel').hidden && document.querySelectorAll('#similar-results figure').length > 0`, 10*time.Second)
	if got := eval[string](p, `document.querySelector('#similar-results figcaption').textContent`); got != want.Filename {
		t.Errorf("nearest image to a dropped file of %s's colour is %s", want.Filename, got)
	}
	p.do(chromedp.Click(chromedp.CSS(`#similar-close`)))
	// chosen with the "Similar…" button's file input
	p.do(chromedp.SetUploadFiles(chromedp.CSS(`#similar-file`), []string{file}))
	p.waitFor(`!document.querySelector('#similar-panel').hidden && document.querySelectorAll('#similar-results figure').length > 0`, 10*time.Second)
	if got := eval[string](p, `document.querySelector('#similar-results figcaption').textContent`); got != want.Filename {
		t.Errorf("nearest image to a chosen file of %s's colour is %s", want.Filename, got)
	}
	p.do(chromedp.Click(chromedp.CSS(`#similar-results img`)))
	p.waitFor(fmt.Sprintf(`__viewer.selected === %d`, want.ID), 5*time.Second)
	p.noConsoleErrors()
}

func TestViewer_ReadOnlyServerHidesWriteControls(t *testing.T) {
	f := newFakeServer(t, 200, func(f *fakeServer) { f.readOnly = true })
	p := open(t, f.handler(), "/", desktop)
	hidden := eval[[]bool](p, `['#btn-newplot', '#btn-similar', '#sel-hotspot'].map(s => document.querySelector(s).hidden)`)
	if !hidden[0] || !hidden[1] || !hidden[2] {
		t.Errorf("write controls shown on a read-only server: new plot, similar, make hotspot hidden=%v", hidden)
	}
	if n := eval[int](p, `document.querySelectorAll('#hotspot-list .rename, #hotspot-list .delete').length`); n != 0 {
		t.Errorf("%d rename/delete buttons on a read-only server", n)
	}
	p.key("n")
	if eval[bool](p, `document.querySelector('#newplot-dialog').open`) {
		t.Error("key n opened the new-plot dialog on a read-only server")
	}
	p.key("?")
	if rows := eval[int](p, `document.querySelector('#help-dialog').open ? document.querySelectorAll('#help-keys tr').length : 0`); rows < 15 {
		t.Errorf("help overlay lists %d shortcuts", rows)
	}
	p.noConsoleErrors()
}

func TestViewer_StaticExportWorksWithoutServer(t *testing.T) {
	f := newFakeServer(t, 200)
	dir := t.TempDir()
	f.exportStatic(t, dir)
	p := open(t, http.FileServer(http.Dir(dir)), "/#layout=grid", desktop)
	if !eval[bool](p, `__viewer.static && __viewer.readOnly`) {
		t.Fatal("viewer did not switch to static mode")
	}
	p.waitFor(`__viewer.atlasesLoaded === __viewer.atlasesTotal && __viewer.metaLoaded`, 20*time.Second)
	hidden := eval[[]bool](p, `['#btn-newplot', '#btn-similar', '#sel-hotspot'].map(s => document.querySelector(s).hidden)`)
	if slices.Contains(hidden, false) {
		t.Errorf("write/upload controls shown in a static export: %v", hidden)
	}
	if n := eval[int](p, `document.querySelectorAll('#hotspot-list .delete').length`); n != 0 {
		t.Errorf("%d delete buttons in a static export", n)
	}
	x, y := p.screenOf(1005)
	p.click(x, y)
	p.waitFor(`__viewer.selected === 1005 && document.querySelectorAll('#lb-similar img').length > 0 && document.querySelectorAll('#lb-chips .chip').length > 0`, 10*time.Second)
	p.do(chromedp.SendKeys(chromedp.CSS(`#search-input`), "img_00123"))
	p.waitFor(`document.querySelectorAll('#search-results li img').length === 1`, 5*time.Second)
	p.screenshot("static")
	p.noConsoleErrors()
}

func TestViewer_ZoomingInLoadsDetailTier(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/#layout=grid", desktop)
	p.waitFor(`__viewer.atlasesLoaded === __viewer.atlasesTotal`, 20*time.Second)
	if n := eval[int](p, `__viewer.lodLoaded`); n != 0 {
		t.Errorf("%d detail atlases loaded before zooming in", n)
	}
	x, y := p.screenOf(1100)
	for range 4 {
		p.wheel(x, y, -500)
	}
	p.waitFor(`__viewer.lodLoaded > 0`, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	p.screenshot("lod")
	if n, max := eval[int](p, `__viewer.lodLoaded`), len(f.plots[0].Tiers[1].Atlases); n >= max {
		t.Errorf("loaded all %d detail atlases for a zoomed view; want only those in view", n)
	}
	p.noConsoleErrors()
}

func TestViewer_FitsPhoneScreen(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", viewport{390, 800, true})
	p.waitFor(`__viewer.atlasesLoaded === __viewer.atlasesTotal`, 20*time.Second)
	if w := eval[float64](p, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("page is %.0f px wide on a 390 px screen", w)
	}
	p.screenshot("phone")
	before := eval[float64](p, `__viewer.cam.zoom`)
	p.pinch(195, 500, 40, 140)
	if after := eval[float64](p, `__viewer.cam.zoom`); after < 2.5*before {
		t.Errorf("pinching fingers 40 px -> 140 px apart zoomed %.2f -> %.2f, want about x3.5", before, after)
	}
	p.key("0")
	p.settle()
	p.key("]")
	if got := eval[float64](p, `__viewer.sizeExponent`); got != 0.25 {
		t.Errorf("key ] set the size exponent to %v, want 0.25", got)
	}
	x, y := p.screenOf(1010)
	p.do(chromedp.TapXY(x, y))
	p.waitFor(`__viewer.selected !== null`, 5*time.Second)
	p.screenshot("phone-lightbox")
	p.noConsoleErrors()
}

// How fast it draws is measured by `make bench` (bench/firstframe); this
// checks that 100k images draw and stay drawn while zooming.
func TestViewer_Draws100kImagesWhileZooming(t *testing.T) {
	if testing.Short() {
		t.Skip("100k-image browser test skipped in -short mode")
	}
	chromium(t) // skip before building 100k fake images
	f := newFakeServer(t, 100_000, func(f *fakeServer) { f.atlasSample = 400 })
	p := open(t, f.handler(), "/", desktop)
	p.waitFor(`__viewer.atlasesLoaded === __viewer.atlasesTotal`, 30*time.Second)
	if got := eval[int](p, `__viewer.count`); got != 100_000 {
		t.Fatalf("count = %d, want 100000", got)
	}
	for range 3 {
		p.wheel(700, 400, -300)
	}
	p.settle()
	if lit := litFraction(p.screenshot("100k"), 60); lit < 0.03 {
		t.Errorf("zoomed into 100k images, only %.1f%% of the canvas is drawn", 100*lit)
	}
	p.noConsoleErrors()
}
