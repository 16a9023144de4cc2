package viewer

// Browser tests: headless Debian chromium (software WebGL2 through
// SwiftShader) driven by chromedp against the viewer served with the fake
// API of fake_test.go (and, in real_test.go, the real server). They skip when chromium is missing, except under
// CI=true, where that is a failure.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/pixplot/pixplot/server/servertest"
)

var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	servertest.Cleanup() // the real fixture of real_test.go
	os.Exit(code)
}

// chromium returns a context for one browser shared by all tests.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; CI must install it (apt-get install --no-install-recommends chromium)")
		}
		t.Skip("chromium not installed (apt-get install --no-install-recommends chromium)")
	}
	browser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox,
			chromedp.DisableGPU, // also adds --enable-unsafe-swiftshader
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.WindowSize(1280, 800),
		)
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		browser.ctx = ctx
		browser.cancel = func() { cancel(); acancel() }
		browser.err = chromedp.Do(ctx) // start the browser without a deadline
	})
	if browser.err != nil {
		t.Fatalf("starting chromium: %v", browser.err)
	}
	return browser.ctx
}

// page is one browser tab on a test server.
type page struct {
	t       *testing.T
	ctx     context.Context
	base    string
	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

type viewport struct {
	w, h   int64
	mobile bool
}

var desktop = viewport{1280, 800, false}

// open serves handler, opens path in a new tab and waits for the first
// frame of the plot.
func open(t *testing.T, handler http.Handler, path string, vp viewport) *page {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	// a browser context of its own: no storage or cache shared with other tests
	ctx, cancel := chromedp.NewContext(chromium(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &page{t: t, ctx: ctx, base: srv.URL}
	var opts []chromedp.EmulateViewportOption
	if vp.mobile {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h, opts...)); err != nil {
		t.Fatal(err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m)
			p.mu.Unlock()
		}
	}()
	p.do(chromedp.Navigate(srv.URL + path))
	p.waitFor(`window.__firstFrame === true`, 20*time.Second)
	return p
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v\nconsole:\n%s", err, p.consoleText())
	}
}

func eval[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v\nconsole:\n%s", expr, err, p.consoleText())
	}
	return v
}

func (p *page) waitFor(expr string, timeout time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		p.t.Fatalf("waiting for %s: %v\nconsole:\n%s", expr, err, p.consoleText())
	}
}

func (p *page) settle() { p.waitFor(`!__viewer.moving`, 10*time.Second) }

func (p *page) consoleText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, m := range p.console {
		fmt.Fprintf(&b, "  %s\n", m)
	}
	return b.String()
}

// noConsoleErrors fails the test for each console error or uncaught
// exception, except errors containing one of the expected substrings.
func (p *page) noConsoleErrors(expected ...string) {
	p.t.Helper()
	time.Sleep(100 * time.Millisecond) // let the last events arrive
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.console {
		if m.IsException() || m.Type == chromedp.ConsoleError && !slices.ContainsFunc(expected, func(s string) bool { return strings.Contains(m.Text, s) }) {
			p.t.Errorf("console %s", m)
		}
	}
}

// screenshot saves the viewport as /tmp/pixplot-viewer-<name>.png.
func (p *page) screenshot(name string) image.Image {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), "pixplot-viewer-"+name+".png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		p.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		p.t.Fatal(err)
	}
	return img
}

func (p *page) screenOf(id int64) (float64, float64) {
	p.t.Helper()
	xy := eval[[]float64](p, fmt.Sprintf(`__viewer.screenOf(%d)`, id))
	if len(xy) != 2 {
		p.t.Fatalf("image %d has no place in layout", id)
	}
	return xy[0], xy[1]
}

func (p *page) click(x, y float64, opts ...chromedp.MouseOption) {
	p.t.Helper()
	p.do(chromedp.MouseClickXY(x, y, opts...))
}

func (p *page) key(keys string) {
	p.t.Helper()
	p.do(chromedp.KeyEvent(keys))
}

// drag presses the left button at the first point, moves through the rest
// and releases at the last.
func (p *page) drag(points [][2]float64, modifiers ...chromedp.Modifier) {
	p.t.Helper()
	held := func(e *input.DispatchMouseEventParams) {
		e.Button = input.MouseButtonLeft
		e.Buttons = 1
		e.ClickCount = 1
	}
	mods := chromedp.ButtonModifiers(modifiers...)
	actions := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, points[0][0], points[0][1], held, mods)}
	for _, pt := range points[1:] {
		actions = append(actions, chromedp.MouseEvent(chromedp.MouseMoved, pt[0], pt[1], held, mods))
	}
	last := points[len(points)-1]
	actions = append(actions, chromedp.MouseEvent(chromedp.MouseReleased, last[0], last[1], held, mods))
	p.do(actions...)
}

type wheelParams struct {
	Type   string  `json:"type"`
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	DeltaX float64 `json:"deltaX"`
	DeltaY float64 `json:"deltaY"`
}

// The typed MouseEvent drops deltaX: 0, which Chrome rejects for wheels.
var dispatchWheel = cdp.Command[wheelParams, cdp.Empty]{Method: "Input.dispatchMouseEvent"}

func (p *page) wheel(x, y, dy float64) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, dispatchWheel, wheelParams{Type: "mouseWheel", X: x, Y: y, DeltaY: dy}); err != nil {
		p.t.Fatal(err)
	}
}

// litFraction is the share of pixels below the header that differ from the
// background colour #111.
func litFraction(img image.Image, top int) float64 {
	b := img.Bounds()
	lit, all := 0, 0
	for y := b.Min.Y + top; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bb, _ := img.At(x, y).RGBA()
			all++
			if absDiff(r>>8, 0x11) > 8 || absDiff(g>>8, 0x11) > 8 || absDiff(bb>>8, 0x11) > 8 {
				lit++
			}
		}
	}
	return float64(lit) / float64(all)
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// pinch puts two fingers d0 px apart around (cx, cy) and spreads them to d1.
func (p *page) pinch(cx, cy, d0, d1 float64) {
	p.t.Helper()
	id1, id2 := 1.0, 2.0
	points := func(d float64) []*input.TouchPoint {
		return []*input.TouchPoint{{X: cx - d/2, Y: cy, ID: &id1}, {X: cx + d/2, Y: cy, ID: &id2}}
	}
	touch := func(typ input.DispatchTouchEventType, pts []*input.TouchPoint) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: pts})
			return err
		})
	}
	actions := []chromedp.Action[chromedp.Void]{touch(input.DispatchTouchEventTypeTouchStart, points(d0))}
	for k := 1; k <= 8; k++ {
		actions = append(actions, touch(input.DispatchTouchEventTypeTouchMove, points(d0+(d1-d0)*float64(k)/8)))
	}
	actions = append(actions, touch(input.DispatchTouchEventTypeTouchEnd, []*input.TouchPoint{}))
	p.do(actions...)
}
