package viewer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// umapRows says which UMAP rows of the settings tray show, and what they hold.
type umapRows struct {
	Jitter, Neighbors, MinDist bool   // shown
	Checked                    bool   // the Jitter checkbox
	N, D                       string // the sliders' values as written next to them
}

func readUMAPRows(p *page) umapRows {
	p.t.Helper()
	return eval[umapRows](p, `(() => {
		const row = (id) => document.querySelector(id).closest('.setting');
		const out = (id) => row(id).querySelector('output').textContent;
		return {Jitter: !row('#umap-jitter').hidden, Neighbors: !row('#umap-neighbors').hidden,
			MinDist: !row('#umap-min-dist').hidden, Checked: document.querySelector('#umap-jitter').checked,
			N: out('#umap-neighbors'), D: out('#umap-min-dist')};
	})()`)
}

// slide moves a slider to the given step, as a user dragging it does.
func slide(p *page, id string, step int) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => { const s = document.querySelector('#%s');
		s.value = %d; s.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, id, step))
}

// switchesTo waits for an animated move to layout name.
func switchesTo(p *page, name string) {
	p.t.Helper()
	p.waitFor(`__viewer.moving`, 5*time.Second) // an animated transition, not a jump
	p.settle()
	if got := eval[string](p, `__viewer.layout`); got != name {
		p.t.Fatalf("layout = %q, want %s", got, name)
	}
}

func TestViewer_UMAPVariantsAreChosenInTheSettingsTrayAndReopenFromTheURL(t *testing.T) {
	f := newFakeServer(t, 200)
	f.addUMAPVariants(f.plots[0]) // --n-neighbors 15,5 --min-distance 0.1,0.5
	p := open(t, f.handler(), "/", desktop)
	buttons := eval[[]string](p, `[...document.querySelectorAll('#layouts button')].map((b) => b.dataset.layout)`)
	if !slices.Equal(buttons, []string{"umap", "grid", "categorical", "date"}) {
		t.Errorf("header buttons %v: want no button per UMAP variant", buttons)
	}
	p.do(chromedp.Click(chromedp.CSS(`#btn-settings`)))
	p.waitFor(`!document.querySelector('#settings').hidden`, 2*time.Second)
	if got := readUMAPRows(p); got != (umapRows{Jitter: true, Neighbors: true, MinDist: true, N: "15", D: "0.1"}) {
		t.Fatalf("settings rows on umap: %+v", got)
	}

	x0, y0 := p.screenOf(1010)
	p.do(chromedp.Click(chromedp.CSS(`#umap-jitter`)))
	switchesTo(p, "umap-jitter")
	if x, y := p.screenOf(1010); near(x, x0, 0.01) && near(y, y0, 0.01) {
		t.Error("image 1010 did not move to its jittered place")
	}
	if !eval[bool](p, `document.querySelector('#layouts button[data-layout="umap"]').getAttribute('aria-pressed') === 'true'`) {
		t.Error("the umap button is not pressed while its jittered twin shows")
	}

	// Neighbours 5 (the sliders run over the values in ascending order),
	// keeping the jitter; then min distance 0.5; then no jitter.
	slide(p, "umap-neighbors", 0)
	switchesTo(p, "umap-n5-d0.1-jitter")
	slide(p, "umap-min-dist", 1)
	switchesTo(p, "umap-n5-d0.5-jitter")
	p.do(chromedp.Click(chromedp.CSS(`#umap-jitter`)))
	switchesTo(p, "umap-n5-d0.5")
	if got := readUMAPRows(p); got != (umapRows{Jitter: true, Neighbors: true, MinDist: true, N: "5", D: "0.5"}) {
		t.Errorf("settings rows on umap-n5-d0.5: %+v", got)
	}
	p.screenshot("umap-variant-settings")

	// Other layouts hide the rows; the umap button and key 1 return to the
	// variant last shown.
	p.do(chromedp.Click(chromedp.CSS(`#layouts button[data-layout="grid"]`)))
	switchesTo(p, "grid")
	if got := readUMAPRows(p); got.Jitter || got.Neighbors || got.MinDist {
		t.Errorf("settings rows on grid: %+v, want none", got)
	}
	p.key("1")
	switchesTo(p, "umap-n5-d0.5")

	// The URL names the variant and reopens it, the tray in step.
	p.waitFor(`location.hash.includes('layout=umap-n5-d0.5')`, 5*time.Second)
	url := eval[string](p, `location.href`)
	p.do(chromedp.Navigate("about:blank"), chromedp.Navigate(url))
	p.waitFor(`window.__firstFrame === true && __viewer.layout === 'umap-n5-d0.5'`, 20*time.Second)
	if got := readUMAPRows(p); got != (umapRows{Jitter: true, Neighbors: true, MinDist: true, N: "5", D: "0.5"}) {
		t.Errorf("settings rows after reopening: %+v", got)
	}
	p.noConsoleErrors()
}

func TestViewer_UMAPRowsStayHiddenForAPlotWithoutVariants(t *testing.T) {
	f := newFakeServer(t, 50)
	p := open(t, f.handler(), "/", desktop)
	p.do(chromedp.Click(chromedp.CSS(`#btn-settings`)))
	p.waitFor(`!document.querySelector('#settings').hidden`, 2*time.Second)
	if got := readUMAPRows(p); got.Jitter || got.Neighbors || got.MinDist {
		t.Errorf("settings rows %+v: want no UMAP row for a plot made before variants", got)
	}
	if names := eval[[]string](p, `__viewer.layouts`); slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "umap-") }) {
		t.Errorf("layouts %v", names)
	}
	p.noConsoleErrors()
}
