// Command firstframe measures how soon the viewer shows a plot: it serves a
// catalog with `pixplot serve --read-only`, opens each plot in a fresh
// headless Chromium (software WebGL2, an empty profile, the HTTP cache off)
// and reports
//
//   - the first frame: performance.now() (ms from navigation start) when the
//     viewer first draws the plot's points (window.__firstFrame turns true);
//   - the bytes received before that frame (CDP Network.loadingFinished
//     encodedDataLength: headers and bodies as sent), per image of the plot;
//   - when every base-tier atlas has arrived, and the bytes by then;
//   - frames per second while the wheel zooms in and out for 3 s after that.
//
// Each figure is the median over -runs page loads.
//
//	go run ./bench/firstframe -db synth-100000.db -plots first-10k,e2e -runs 3
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/pixplot/pixplot/bench/internal/benchkit"
)

type config struct {
	pixplot, db, chromium string
	plots                 []string
	runs                  int
	timeout               time.Duration
}

func main() {
	var c config
	plots := flag.String("plots", "", "comma-separated plot names")
	flag.StringVar(&c.pixplot, "pixplot", "./bin/pixplot", "the pixplot binary")
	flag.StringVar(&c.db, "db", "", "catalog holding the plots")
	flag.StringVar(&c.chromium, "chromium", "chromium", "Chromium binary (Debian: chromium)")
	flag.IntVar(&c.runs, "runs", 3, "page loads per plot")
	flag.DurationVar(&c.timeout, "timeout", 3*time.Minute, "longest wait for a page's first frame and atlases")
	flag.Parse()
	c.plots = strings.Split(*plots, ",")
	if c.db == "" || *plots == "" {
		fmt.Fprintln(os.Stderr, "bench/firstframe: -db and -plots are required")
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench/firstframe:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	chromium, err := exec.LookPath(c.chromium)
	if err != nil {
		return fmt.Errorf("%w (apt-get install --no-install-recommends chromium)", err)
	}
	base, stop, err := serve(c.pixplot, c.db)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Printf("serving %s at %s; load average %s\n", c.db, base, benchkit.LoadAverage())
	for _, name := range c.plots {
		images, err := plotImages(base, name)
		if err != nil {
			return err
		}
		var loads []load
		for range c.runs {
			l, err := open(chromium, base+"/#plot="+url.QueryEscape(name), c.timeout)
			if err != nil {
				return fmt.Errorf("plot %s: %w", name, err)
			}
			fmt.Printf("  %s: first frame %6.0f ms, %8.0f bytes before it; all %d base atlases at %6.0f ms, %9.0f bytes; %.1f fps zooming; %d requests, %d console errors\n",
				name, l.firstFrameMs, l.firstFrameBytes, l.atlases, l.atlasesMs, l.atlasesBytes, l.zoomFPS, l.requests, l.consoleErrors)
			loads = append(loads, l)
		}
		m := medians(loads)
		fmt.Printf("%s (%d images), median of %d: first frame %.0f ms, %.1f bytes per image before it; base atlases complete at %.0f ms (%.1f bytes per image); %.1f fps zooming\n",
			name, images, len(loads), m.firstFrameMs, m.firstFrameBytes/float64(images), m.atlasesMs, m.atlasesBytes/float64(images), m.zoomFPS)
		benchkit.Result(name+".images", float64(images))
		benchkit.Result(name+".first_frame_ms", m.firstFrameMs)
		benchkit.Result(name+".bytes_per_image", m.firstFrameBytes/float64(images))
		benchkit.Result(name+".atlases_ms", m.atlasesMs)
		benchkit.Result(name+".atlases_bytes_per_image", m.atlasesBytes/float64(images))
		benchkit.Result(name+".zoom_fps", m.zoomFPS)
		benchkit.Result(name+".console_errors", float64(m.consoleErrors))
	}
	return nil
}

// serve starts `pixplot serve --read-only` on a free loopback port and
// waits until it answers.
func serve(pixplot, db string) (base string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(pixplot, "serve", "--db", db, "--addr", addr, "--read-only")
	var logs bytes.Buffer // the request log, shown only when the server fails
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	base = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return "", nil, fmt.Errorf("%s serve exited: %v\n%s", pixplot, err, logs.String())
		default:
		}
		if resp, err := http.Get(base + "/api/config"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, stop, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("%s serve did not answer on %s within 60 s", pixplot, addr)
}

// plotImages checks the plot is ready and returns its number of images.
func plotImages(base, name string) (int, error) {
	resp, err := http.Get(base + "/api/plots/" + url.PathEscape(name))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var manifest struct {
		Status string  `json:"status"`
		Images []int64 `json:"images"`
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET /api/plots/%s: %s", name, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&manifest); err != nil {
		return 0, err
	}
	if manifest.Status != "ready" || len(manifest.Images) == 0 {
		return 0, fmt.Errorf("plot %s is %q with %d images", name, manifest.Status, len(manifest.Images))
	}
	return len(manifest.Images), nil
}

// load is what one page load measured.
type load struct {
	firstFrameMs, firstFrameBytes float64
	atlasesMs, atlasesBytes       float64
	atlases, requests             int
	consoleErrors                 int
	zoomFPS                       float64
}

// firstFrameHook reports the moment the viewer sets window.__firstFrame to
// true through a CDP binding, so the byte count is taken at that event.
const firstFrameHook = `(() => {
  let v = false;
  Object.defineProperty(window, '__firstFrame', {
    configurable: true,
    get() { return v; },
    set(x) { v = x; if (x === true) __benchFirstFrame(String(performance.now())); },
  });
})();`

// open loads url in a fresh browser and measures it.
func open(chromium, url string, timeout time.Duration) (load, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU, // also --enable-unsafe-swiftshader: software WebGL2
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 800),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, stop := context.WithTimeout(ctx, timeout)
	defer stop()

	var (
		mu       sync.Mutex
		got      load
		bytes    float64
		framed   bool
		frameAt  = make(chan struct{})
		frameErr error
	)
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventLoadingFinished:
			bytes += ev.EncodedDataLength
			got.requests++
		case *runtime.EventExceptionThrown:
			got.consoleErrors++
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				got.consoleErrors++
			}
		case *runtime.EventBindingCalled:
			if ev.Name == "__benchFirstFrame" && !framed {
				framed = true
				got.firstFrameMs, frameErr = strconv.ParseFloat(ev.Payload, 64)
				got.firstFrameBytes = bytes
				close(frameAt)
			}
		}
	})
	if err != nil {
		return got, err
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		return got, err
	}
	_, err1 := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	_, err2 := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
	_, err3 := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: "__benchFirstFrame"})
	_, err4 := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: firstFrameHook})
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return got, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return got, err
	}
	select {
	case <-frameAt:
	case <-ctx.Done():
		return got, fmt.Errorf("no first frame within %v", timeout)
	}
	if frameErr != nil {
		return got, frameErr
	}
	state, err := chromedp.Run(ctx, chromedp.Poll[atlasState](
		`__viewer.atlasesTotal > 0 && __viewer.atlasesLoaded >= __viewer.atlasesTotal && {total: __viewer.atlasesTotal, ms: performance.now()}`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		return got, fmt.Errorf("waiting for the atlases: %w", err)
	}
	time.Sleep(200 * time.Millisecond) // the last atlas's loadingFinished may trail its decode
	fps, err := chromedp.Run(ctx, chromedp.Evaluate[float64](zoomFPS, chromedp.EvalAwaitPromise))
	if err != nil {
		return got, fmt.Errorf("zooming: %w", err)
	}
	got.zoomFPS = fps
	mu.Lock()
	defer mu.Unlock()
	got.atlases, got.atlasesMs, got.atlasesBytes = state.Total, state.Ms, bytes
	return got, nil
}

// zoomFPS wheels the view in and out once per animation frame for 3 s and
// resolves to the frames drawn per second.
const zoomFPS = `new Promise((resolve) => {
  const c = document.querySelector('#gl');
  let frames = 0;
  const t0 = performance.now();
  const step = () => {
    c.dispatchEvent(new WheelEvent('wheel', {deltaY: frames % 2 ? 40 : -40, clientX: 700, clientY: 400, bubbles: true, cancelable: true}));
    frames++;
    if (performance.now() - t0 < 3000) requestAnimationFrame(step); else resolve(frames / ((performance.now() - t0) / 1000));
  };
  requestAnimationFrame(step);
})`

type atlasState struct {
	Total int     `json:"total"`
	Ms    float64 `json:"ms"`
}

func medians(loads []load) load {
	pick := func(f func(load) float64) float64 {
		v := make([]float64, len(loads))
		for i, l := range loads {
			v[i] = f(l)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return load{
		firstFrameMs:    pick(func(l load) float64 { return l.firstFrameMs }),
		firstFrameBytes: pick(func(l load) float64 { return l.firstFrameBytes }),
		atlasesMs:       pick(func(l load) float64 { return l.atlasesMs }),
		atlasesBytes:    pick(func(l load) float64 { return l.atlasesBytes }),
		consoleErrors:   int(pick(func(l load) float64 { return float64(l.consoleErrors) })),
		zoomFPS:         pick(func(l load) float64 { return l.zoomFPS }),
	}
}
