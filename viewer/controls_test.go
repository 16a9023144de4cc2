package viewer

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// keyHold presses (down) or releases one key without the other half of a
// keystroke, for keys that act while held.
func (p *page) keyHold(r rune, down bool) {
	p.t.Helper()
	want := input.DispatchKeyEventTypeKeyUp
	if down {
		want = input.DispatchKeyEventTypeKeyDown
	}
	for _, k := range kb.Encode(r) {
		if k.Type != want {
			continue
		}
		p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, input.DispatchKeyEvent, *k)
			return err
		}))
	}
}

// afterFrames evaluates expr after n animation frames.
func afterFrames[T any](p *page, n int, expr string) T {
	p.t.Helper()
	return eval[T](p, fmt.Sprintf(`new Promise((resolve) => { let n = %d;
		const next = () => (--n > 0 ? requestAnimationFrame(next) : resolve(%s)); requestAnimationFrame(next); })`, n, expr))
}

func TestViewer_SettingsTrayBorderSliderWidensGapsBetweenImages(t *testing.T) {
	f := newFakeServer(t, 100)
	p := open(t, f.handler(), "/#layout=grid", desktop)
	p.waitFor(`__viewer.atlasesLoaded === __viewer.atlasesTotal`, 20*time.Second)
	p.do(chromedp.Click(chromedp.CSS(`#btn-settings`)))
	p.waitFor(`!document.querySelector('#settings').hidden`, 2*time.Second)
	rows := eval[[]string](p, `[...document.querySelectorAll('#settings > label.setting input')].map((i) => i.id)`)
	if !slices.Contains(rows, "point-size") || !slices.Contains(rows, "border") {
		t.Errorf("settings rows hold %v, want point-size and border", rows)
	}
	if got := eval[float64](p, `__viewer.border`); got != 0.08 {
		t.Errorf("default border = %v, want 0.08 (images fill 92%% of their cell)", got)
	}
	// Image 1045 (square) and 1046 sit side by side in the 10×10 grid; the
	// probe is 35% of a cell right of 1045's centre: inside the image with
	// no border, in the gap with half the cell as border.
	x, y := p.screenOf(1045)
	x2, _ := p.screenOf(1046)
	probe := [2]int{int(x + 0.35*(x2-x)), int(y)}
	drawnAt := func(border float64) bool {
		t.Helper()
		got := eval[float64](p, fmt.Sprintf(`(() => { const b = document.querySelector('#border');
			b.value = %g; b.dispatchEvent(new Event('input', {bubbles: true})); return __viewer.border; })()`, border))
		if got != border {
			t.Fatalf("border slider set to %g, __viewer.border = %g", border, got)
		}
		afterFrames[bool](p, 2, "true")
		img := p.screenshot(fmt.Sprintf("border-%g", border))
		return !isGray(img, probe[0], probe[1], 0x11, 8)
	}
	if !drawnAt(0) {
		t.Errorf("with border 0 the pixel at %v, 35%% of a cell from image 1045's centre, is background", probe)
	}
	if drawnAt(0.5) {
		t.Errorf("with border 0.5 the pixel at %v is still drawn, want the gap's background", probe)
	}
	p.key(kb.Escape) // leaves the slider
	p.key(kb.Escape) // closes the tray
	if !eval[bool](p, `document.querySelector('#settings').hidden`) {
		t.Error("Esc left the settings tray open")
	}
	p.key("]") // point size up a step
	p.do(chromedp.Reload())
	p.waitFor(`window.__firstFrame === true`, 20*time.Second)
	if got := eval[[]float64](p, `[__viewer.border, __viewer.sizeExponent, Number(document.querySelector('#border').value)]`); !slices.Equal(got, []float64{0.5, 0.25, 0.5}) {
		t.Errorf("after a reload border, size and slider = %v, want the last ones chosen [0.5 0.25 0.5]", got)
	}
	p.noConsoleErrors()
}

func TestViewer_FlyKeysZoomWhileHeldAndStepThroughHotspots(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/", desktop)
	p.settle()
	if eval[bool](p, `__viewer.attract.enabled`) {
		t.Error("attract mode is on without ?demo")
	}
	before := eval[map[string]float64](p, `__viewer.cam`)
	p.keyHold('r', true)
	p.waitFor(fmt.Sprintf(`__viewer.cam.zoom > %g`, 1.5*before["zoom"]), 5*time.Second)
	p.keyHold('r', false)
	released := afterFrames[map[string]float64](p, 2, `__viewer.cam`)
	later := afterFrames[map[string]float64](p, 6, `__viewer.cam`)
	if later["zoom"] != released["zoom"] {
		t.Errorf("zoom went on after R was released: %v → %v", released["zoom"], later["zoom"])
	}
	if !near(later["x"], before["x"], 1e-9) || !near(later["y"], before["y"], 1e-9) {
		t.Errorf("holding R moved the view's centre from (%v,%v) to (%v,%v)", before["x"], before["y"], later["x"], later["y"])
	}

	hotspots := f.plots[0].Hotspots
	for _, step := range []struct {
		key string
		k   int
	}{{"e", 0}, {"e", 1}, {"q", 0}, {"q", len(hotspots) - 1}} {
		p.key(step.key)
		p.settle()
		if got := centredHotspot(p, hotspots); got != step.k {
			t.Errorf("key %s centred the view on hotspot %d, want %d", step.key, got, step.k)
		}
	}
	help := eval[string](p, `document.querySelector('#help-keys').textContent`)
	for _, want := range []string{"Zoom in / out while held", "previous / next hotspot"} {
		if !strings.Contains(help, want) {
			t.Errorf("the help lacks %q", want)
		}
	}
	p.noConsoleErrors()
}

func TestViewer_AttractModeShowsImagesWhenIdleAndStopsOnKey(t *testing.T) {
	f := newFakeServer(t, 300)
	p := open(t, f.handler(), "/?demo=1", desktop)
	if got := eval[map[string]any](p, `__viewer.attract`); got["enabled"] != true || got["delay"] != 1.0 {
		t.Fatalf("attract = %v, want enabled with a 1 s delay", got)
	}
	p.waitFor(`__viewer.attract.running`, 10*time.Second)
	p.waitFor(`!document.querySelector('#lightbox').hidden && __viewer.selected !== null`, 30*time.Second)
	if got := eval[string](p, `__viewer.layout`); got == "umap" {
		t.Error("attract mode opened an image without switching from the umap layout")
	}
	if link := eval[string](p, `document.querySelector('#lb-link').href`); strings.Contains(link, "demo") {
		t.Errorf("the permalink %s keeps attract mode", link)
	}
	p.key("x") // any key
	if got := eval[map[string]any](p, `__viewer.attract`); got["running"] != false || got["step"] != "idle" {
		t.Errorf("after a key press attract = %v, want stopped", got)
	}
	p.waitFor(`__viewer.attract.running`, 10*time.Second) // idle again for a second: it restarts
	p.noConsoleErrors()
}

// centredHotspot returns the hotspot whose members' mean screen position is
// nearest the middle of the part of the view the hotspots panel leaves free.
func centredHotspot(p *page, hotspots []fakeHotspot) int {
	p.t.Helper()
	free := eval[[]float64](p, `(() => { const s = document.querySelector('#stage').getBoundingClientRect();
		const h = document.querySelector('#hotspots').getBoundingClientRect(); return [h.right, s.top, s.right, s.bottom]; })()`)
	cx, cy := (free[0]+free[2])/2, (free[1]+free[3])/2
	at := map[int64]placed{}
	for _, pl := range positions(p) {
		at[pl.ID] = pl
	}
	best, bestD := -1, math.Inf(1)
	for k, h := range hotspots {
		var sx, sy float64
		for _, m := range h.Members {
			pl := at[int64(1000+m)]
			sx, sy = sx+pl.X, sy+pl.Y
		}
		n := float64(len(h.Members))
		if d := math.Hypot(sx/n-cx, sy/n-cy); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}
