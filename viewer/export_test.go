package viewer

// The browser helpers of browser_test.go, exported to the external test
// package viewer_test, whose tests run the viewer against the real server
// (package server imports viewer, so only an external test can import it).

import (
	"image"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Page is one browser tab on a test server.
type Page = page

// Desktop is the 1280×800 desktop viewport.
var Desktop = desktop

// Open serves handler, opens path in a new tab and waits for the first frame.
func Open(t *testing.T, handler http.Handler, path string) *Page {
	t.Helper()
	return open(t, handler, path, desktop)
}

// Chromium skips the test without chromium (fails with CI=true).
func Chromium(t *testing.T) { t.Helper(); chromium(t) }

// Eval evaluates expr in the page, awaiting a promise.
func Eval[T any](p *Page, expr string) T { p.t.Helper(); return eval[T](p, expr) }

// LitFraction is the share of pixels below top that differ from the background.
func LitFraction(img image.Image, top int) float64 { return litFraction(img, top) }

func (p *page) Do(actions ...chromedp.Action[chromedp.Void]) { p.t.Helper(); p.do(actions...) }
func (p *page) WaitFor(expr string, timeout time.Duration)   { p.t.Helper(); p.waitFor(expr, timeout) }
func (p *page) Settle()                                      { p.t.Helper(); p.settle() }
func (p *page) NoConsoleErrors(expected ...string)           { p.t.Helper(); p.noConsoleErrors(expected...) }
func (p *page) Screenshot(name string) image.Image           { p.t.Helper(); return p.screenshot(name) }
func (p *page) ScreenOf(id int64) (float64, float64)         { p.t.Helper(); return p.screenOf(id) }
func (p *page) Click(x, y float64)                           { p.t.Helper(); p.click(x, y) }
func (p *page) Key(keys string)                              { p.t.Helper(); p.key(keys) }
func (p *page) Drag(points [][2]float64)                     { p.t.Helper(); p.drag(points) }
func (p *page) Wheel(x, y, dy float64)                       { p.t.Helper(); p.wheel(x, y, dy) }
