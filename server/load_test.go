package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pixplot/pixplot/modelstore"
	"github.com/pixplot/pixplot/server/servertest"
)

// loadClients is how many clients the load test runs at once.
const loadClients = 50

// loadDuration is how long the load test runs: PIXPLOT_LOAD_SECONDS (the
// promise is 30 s, what `make bench` runs), else 10 s.
func loadDuration(t *testing.T) time.Duration {
	t.Helper()
	s := os.Getenv("PIXPLOT_LOAD_SECONDS")
	if s == "" {
		return 10 * time.Second
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("PIXPLOT_LOAD_SECONDS=%q: want a whole number of seconds", s)
	}
	return time.Duration(n) * time.Second
}

// loadTarget is what the clients ask about: the fixture's ready plot.
type loadTarget struct {
	base   string
	images []int64
	tiers  [][2]int // cell size, atlas count
	words  []string
	upload []byte
}

// loadKinds are the requests of the mix, with their weights: what the viewer
// asks for while someone explores a plot.
var loadKinds = []struct {
	name   string
	weight int
	send   func(c *http.Client, t *loadTarget, r *rand.Rand) (*http.Response, error)
}{
	{"manifest", 2, func(c *http.Client, t *loadTarget, r *rand.Rand) (*http.Response, error) {
		return c.Get(t.base + "/api/plots/" + fixturePlot)
	}},
	{"atlas", 6, func(c *http.Client, t *loadTarget, r *rand.Rand) (*http.Response, error) {
		tier := t.tiers[r.IntN(len(t.tiers))]
		return c.Get(fmt.Sprintf("%s/api/plots/%s/atlases/%d?tier=%d", t.base, fixturePlot, r.IntN(tier[1]), tier[0]))
	}},
	{"thumb", 12, func(c *http.Client, t *loadTarget, r *rand.Rand) (*http.Response, error) {
		size := []string{"cell", "preview"}[r.IntN(2)]
		return c.Get(fmt.Sprintf("%s/api/images/%d/thumb?size=%s", t.base, t.images[r.IntN(len(t.images))], size))
	}},
	{"similar", 6, func(c *http.Client, t *loadTarget, r *rand.Rand) (*http.Response, error) {
		return c.Get(fmt.Sprintf("%s/api/images/%d/similar?k=20&plot=%s", t.base, t.images[r.IntN(len(t.images))], fixturePlot))
	}},
	{"search", 4, func(c *http.Client, t *loadTarget, r *rand.Rand) (*http.Response, error) {
		return c.Get(fmt.Sprintf("%s/api/search?q=%s&plot=%s", t.base, url.QueryEscape(t.words[r.IntN(len(t.words))]), fixturePlot))
	}},
	{"upload", 1, func(c *http.Client, t *loadTarget, r *rand.Rand) (*http.Response, error) {
		body := multipartBody("image", t.upload)
		return c.Post(t.base+"/api/similar?k=20&plot="+fixturePlot, body.contentType, bytes.NewReader(body.body))
	}},
}

func pickLoadKind(r *rand.Rand) int {
	total := 0
	for _, k := range loadKinds {
		total += k.weight
	}
	x := r.IntN(total)
	for i, k := range loadKinds {
		if x < k.weight {
			return i
		}
		x -= k.weight
	}
	return 0
}

func TestLoad_FiftyClientsWhileAPlotIsMadeHaveNoErrorsAndLeakNothing(t *testing.T) {
	duration := loadDuration(t)
	cat := openCatalog(t, false)
	srv := New(cat, Options{Models: modelstore.Default(nil), Plot: testPlotFunc})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := NewHTTPServer(srv.Handler())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	defer func() {
		hs.Close()
		<-served
		srv.Close()
	}()
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: loadClients, MaxConnsPerHost: loadClients}}
	target := discoverLoadTarget(t, client, "http://"+ln.Addr().String())

	// A short warm-up opens what stays open by design: pooled catalog
	// connections, the upload model. Then the baseline.
	if s := runLoad(client, target, time.Second); s.failures() > 0 {
		t.Fatalf("warm-up: %s", s.failureText())
	}
	client.CloseIdleConnections()
	goroutinesBefore, fdsBefore := settledGoroutines(0), openFiles(t)
	heapBefore := heapInUse()

	// A plot is made while the clients read.
	wantStatus(t, "create a plot under load", sendJSON(t, "POST", target.base+"/api/plots", map[string]any{"name": "under-load", "where": "year >= 2010"}), http.StatusAccepted)
	peakHeap := atomic.Uint64{}
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if h := heapInUse(); h > peakHeap.Load() {
				peakHeap.Store(h)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	stats := runLoad(client, target, duration)
	close(stopSampling)
	<-sampled
	plotStatus := servertest.WaitForPlot(t, client, target.base, "under-load", time.Minute)

	client.CloseIdleConnections()
	goroutinesAfter, fdsAfter := settledGoroutines(goroutinesBefore), openFiles(t)
	runtime.GC()
	heapAfter := heapInUse()

	t.Logf("%d clients for %v over loopback while a plot was made:\n%s", loadClients, duration, stats.table(duration))
	t.Logf("goroutines %d → %d, open files %d → %d, heap in use %d MB → peak %d MB → %d MB after GC",
		goroutinesBefore, goroutinesAfter, fdsBefore, fdsAfter, heapBefore>>20, peakHeap.Load()>>20, heapAfter>>20)
	if n := stats.failures(); n > 0 {
		t.Errorf("%d requests failed: %s", n, stats.failureText())
	}
	if plotStatus != "ready" {
		t.Errorf("the plot made under load ended %s", plotStatus)
	}
	if goroutinesAfter > goroutinesBefore+2 {
		t.Errorf("goroutines grew from %d to %d", goroutinesBefore, goroutinesAfter)
	}
	if fdsAfter > fdsBefore+2 {
		t.Errorf("open files grew from %d to %d", fdsBefore, fdsAfter)
	}
	if peak := peakHeap.Load(); peak > 512<<20 {
		t.Errorf("heap in use peaked at %d MB", peak>>20)
	}
	if heapAfter > heapBefore+64<<20 {
		t.Errorf("heap in use grew from %d MB to %d MB", heapBefore>>20, heapAfter>>20)
	}
}

// discoverLoadTarget reads the fixture plot's images, atlas tiers and tags.
func discoverLoadTarget(t *testing.T, client *http.Client, base string) *loadTarget {
	t.Helper()
	var manifest struct {
		Images  []int64 `json:"images"`
		Atlases []struct {
			CellSize int `json:"cell_size"`
			Count    int `json:"count"`
		} `json:"atlases"`
	}
	getJSON(t, base+"/api/plots/"+fixturePlot, &manifest)
	var meta struct {
		Categories []string `json:"categories"`
		Tags       []string `json:"tags"`
	}
	getJSON(t, base+"/api/plots/"+fixturePlot+"/meta", &meta)
	target := &loadTarget{base: base, images: manifest.Images}
	for _, a := range manifest.Atlases {
		target.tiers = append(target.tiers, [2]int{a.CellSize, a.Count})
	}
	for _, w := range append(meta.Tags, meta.Categories...) {
		target.words = append(target.words, strings.Fields(w)...)
	}
	_, target.upload = emojiFile(t)
	if len(target.images) == 0 || len(target.tiers) == 0 || len(target.words) == 0 {
		t.Fatalf("nothing to load: %+v", target)
	}
	return target
}

// loadStats are the latencies and failures of a load run, per kind.
type loadStats struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	failed    map[string]int
	examples  []string
}

func (s *loadStats) add(kind string, took time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.failed[kind]++
		if len(s.examples) < 5 {
			s.examples = append(s.examples, kind+": "+err.Error())
		}
		return
	}
	s.latencies[kind] = append(s.latencies[kind], took)
}

func (s *loadStats) failures() int {
	n := 0
	for _, f := range s.failed {
		n += f
	}
	return n
}

func (s *loadStats) failureText() string { return strings.Join(s.examples, "; ") }

// table prints requests, throughput and latency percentiles per kind.
func (s *loadStats) table(d time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %8s %8s %9s %9s %9s %7s\n", "kind", "ok", "req/s", "p50", "p99", "max", "errors")
	var all []time.Duration
	row := func(name string, l []time.Duration, failed int) {
		slices.Sort(l)
		q := func(p float64) time.Duration {
			if len(l) == 0 {
				return 0
			}
			return l[min(len(l)-1, int(p*float64(len(l))))].Round(10 * time.Microsecond)
		}
		fmt.Fprintf(&b, "%-9s %8d %8.0f %9v %9v %9v %7d\n", name, len(l), float64(len(l))/d.Seconds(), q(0.5), q(0.99), q(1), failed)
	}
	for _, k := range loadKinds {
		all = append(all, s.latencies[k.name]...)
		row(k.name, s.latencies[k.name], s.failed[k.name])
	}
	row("all", all, s.failures())
	return b.String()
}

// runLoad has loadClients clients send the mix for d; only 200 answers count
// as success.
func runLoad(client *http.Client, target *loadTarget, d time.Duration) *loadStats {
	stats := &loadStats{latencies: map[string][]time.Duration{}, failed: map[string]int{}}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range loadClients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 99))
			for time.Now().Before(deadline) {
				k := loadKinds[pickLoadKind(r)]
				start := time.Now()
				resp, err := k.send(client, target, r)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = errors.New(resp.Status)
					}
				}
				stats.add(k.name, time.Since(start), err)
			}
		})
	}
	wg.Wait()
	return stats
}

// settledGoroutines waits (up to 5 s) for the goroutine count to fall to at
// most want, or to stop falling, and returns it; want 0 just lets it settle.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		next := runtime.NumGoroutine()
		if (want > 0 && next <= want) || (want == 0 && next == n) {
			return next
		}
		n = next
	}
	return n
}

// openFiles counts this process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("counting open files: %v", err)
	}
	return len(entries)
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
