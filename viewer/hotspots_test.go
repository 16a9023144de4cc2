package viewer

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// waitUntil waits up to 10 s for ok, which reads the test server's state.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}

// rowOrder is the hotspot ids of the panel's rows, top first.
func rowOrder(p *page) []int {
	p.t.Helper()
	return eval[[]int](p, `[...document.querySelectorAll('#hotspot-list li')].map(li => Number(li.dataset.hotspot))`)
}

// serverOrder is the fake server's hotspot ids in list order.
func serverOrder(f *fakeServer) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []int
	for _, h := range f.plots[0].Hotspots {
		ids = append(ids, h.ID)
	}
	return ids
}

// dragRow drags hotspot id's handle onto the top quarter of the row of
// hotspot onto, dropping it before that row.
func dragRow(p *page, id, onto int) {
	p.t.Helper()
	xy := eval[[]float64](p, fmt.Sprintf(`(() => {
		const h = document.querySelector('#hotspot-list li[data-hotspot="%d"] .handle').getBoundingClientRect();
		const to = document.querySelector('#hotspot-list li[data-hotspot="%d"]').getBoundingClientRect();
		return [h.x + h.width / 2, h.y + h.height / 2, to.x + to.width / 2, to.y + to.height / 4];
	})()`, id, onto))
	p.do(chromedp.DragAndDropXY(xy[0], xy[1], xy[2], xy[3]))
}

func TestViewer_HotspotMoveButtonsAndDragReorderTheList(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", desktop)
	if got := rowOrder(p); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("rows %v before any move", got)
	}
	swatches := `Object.fromEntries([...document.querySelectorAll('#hotspot-list li')].map((li) => [li.dataset.hotspot, li.querySelector('.swatch').style.background]))`
	colours := eval[map[string]string](p, swatches)
	if n := eval[int](p, `document.querySelectorAll('#hotspot-list .move-up:disabled, #hotspot-list .move-down:disabled').length`); n != 2 {
		t.Errorf("%d disabled move buttons, want 2 (up on the first row, down on the last)", n)
	}

	p.do(chromedp.Click(chromedp.CSS(`#hotspot-list li[data-hotspot="0"] .move-down`)))
	p.waitFor(`document.querySelector('#hotspot-list li').dataset.hotspot === '1'`, 5*time.Second)
	if got := eval[string](p, `document.activeElement.closest('li')?.dataset.hotspot + ' ' + document.activeElement.className`); got != "0 icon move-down" {
		t.Errorf("focus after moving down is on %q, want hotspot 0's move-down button", got)
	}
	p.key(kb.Enter) // Enter on the focused ▼ moves it again
	want := []int{1, 2, 0, 3, 4}
	p.waitFor(`document.querySelectorAll('#hotspot-list li')[2].dataset.hotspot === '0'`, 5*time.Second)

	dragRow(p, 4, 1) // the last row's handle onto the first row
	want = []int{4, 1, 2, 0, 3}
	p.waitFor(`document.querySelector('#hotspot-list li').dataset.hotspot === '4'`, 5*time.Second)
	if got := rowOrder(p); !slices.Equal(got, want) {
		t.Errorf("rows %v after dragging 4 to the top, want %v", got, want)
	}
	dragRow(p, 1, 3) // down: before row 3, so after row 0
	want = []int{4, 2, 0, 1, 3}
	p.waitFor(`document.querySelectorAll('#hotspot-list li')[3].dataset.hotspot === '1'`, 5*time.Second)
	if got := rowOrder(p); !slices.Equal(got, want) {
		t.Errorf("rows %v after dragging 1 before 3, want %v", got, want)
	}
	if n := eval[int](p, `document.querySelectorAll('#hotspot-list .drop-before, #hotspot-list .drop-after, #hotspot-list .dragging').length`); n != 0 {
		t.Errorf("%d rows still marked for the drag", n)
	}
	if got := eval[map[string]string](p, swatches); !maps.Equal(got, colours) {
		t.Errorf("hotspot colours after reordering = %v, want each hotspot's own colour kept: %v", got, colours)
	}

	// Saved one after another: the server ends with the same order, and a
	// reload shows it.
	waitUntil(t, fmt.Sprintf("the server's order %v", want), func() bool { return slices.Equal(serverOrder(f), want) })
	p.do(chromedp.Reload())
	p.waitFor(`window.__firstFrame === true && document.querySelectorAll('#hotspot-list li').length === 5`, 20*time.Second)
	if got := rowOrder(p); !slices.Equal(got, want) {
		t.Errorf("after reload rows %v, want %v", got, want)
	}
	p.noConsoleErrors()
}

func TestViewer_NewRepresentativeIsAnotherMemberShownAsTheThumbnail(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", desktop)
	exemplar := func() int64 {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.plots[0].Hotspots[1].Exemplars[0]
	}
	thumb := `document.querySelector('#hotspot-list li[data-hotspot="1"] img.pic').getAttribute('src')`
	before := exemplar()
	if src := eval[string](p, thumb); !strings.Contains(src, fmt.Sprintf("images/%d/", before)) {
		t.Fatalf("thumbnail %s, want exemplar %d", src, before)
	}
	for range 3 {
		old := exemplar()
		p.do(chromedp.Click(chromedp.CSS(`#hotspot-list li[data-hotspot="1"] .represent`)))
		p.waitFor(fmt.Sprintf(`!%s.includes('images/%d/')`, thumb, old), 5*time.Second)
		now := exemplar()
		f.mu.Lock()
		h := f.plots[0].Hotspots[1]
		isMember := slices.ContainsFunc(h.Members, func(m int) bool { return f.plots[0].Images[m].ID == now })
		f.mu.Unlock()
		if now == old || !isMember {
			t.Errorf("new representative %d (was %d): want another member of hotspot 1", now, old)
		}
		if src := eval[string](p, thumb); !strings.Contains(src, fmt.Sprintf("images/%d/", now)) {
			t.Errorf("thumbnail %s, want the new representative %d", src, now)
		}
	}
	p.noConsoleErrors()
}

func TestViewer_SelectMembersSelectsExactlyTheHotspotsImages(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", desktop)
	for _, id := range []int{3, 1} { // the second replaces the first
		p.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#hotspot-list li[data-hotspot="%d"] .select-members`, id))))
		var want []int64
		for _, m := range f.plots[0].Hotspots[id].Members {
			want = append(want, f.plots[0].Images[m].ID)
		}
		slices.Sort(want)
		if got := eval[[]int64](p, `__viewer.selection`); !slices.Equal(got, want) {
			t.Errorf("hotspot %d: selection %v, want its %d members %v", id, got, len(want), want)
		}
		if text := eval[string](p, `document.querySelector('#selection-bar').hidden ? '' : document.querySelector('#selection-count').textContent`); text != fmt.Sprintf("%d selected", len(want)) {
			t.Errorf("hotspot %d: selection bar says %q", id, text)
		}
	}
	p.noConsoleErrors()
}

func TestViewer_HotspotRowsOfReadOnlyServersAndStaticExportsOnlySelect(t *testing.T) {
	editing := `document.querySelectorAll('#hotspot-list :is(.move-up, .move-down, .handle, .represent, .rename, .delete)').length`
	selecting := `document.querySelectorAll('#hotspot-list .select-members').length`

	f := newFakeServer(t, 200, func(f *fakeServer) { f.readOnly = true })
	p := open(t, f.handler(), "/", desktop)
	if n, s := eval[int](p, editing), eval[int](p, selecting); n != 0 || s != len(f.plots[0].Hotspots) {
		t.Errorf("read-only server: %d editing controls, %d select buttons; want 0 and one a row", n, s)
	}

	dir := t.TempDir()
	newFakeServer(t, 200).exportStatic(t, dir)
	p = open(t, http.FileServer(http.Dir(dir)), "/", desktop)
	if n, s := eval[int](p, editing), eval[int](p, selecting); n != 0 || s == 0 {
		t.Errorf("static export: %d editing controls, %d select buttons; want 0 and one a row", n, s)
	}
	p.do(chromedp.Click(chromedp.CSS(`#hotspot-list li .select-members`)))
	if n := eval[int](p, `__viewer.selection.length`); n == 0 {
		t.Error("select members selected nothing in a static export")
	}
	p.noConsoleErrors()
}
