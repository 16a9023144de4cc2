// Command load puts a running `pixplot serve` under concurrent read load and
// reports throughput and latency per kind of request. Each client loops for
// the whole duration over a random mix of what the viewer asks for: plot
// manifests, atlases, thumbnails, similar images (by id, within the plot) and
// full-text searches (with words taken from the plot's file names).
//
//	pixplot serve --db big.db --read-only &
//	go run ./bench/load -addr 127.0.0.1:8080 -clients 50 -duration 30s
//
// Any status other than 200 counts as an error; the first few are printed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "the server's host:port")
	clients := flag.Int("clients", 50, "concurrent clients")
	duration := flag.Duration("duration", 30*time.Second, "how long to run")
	plot := flag.String("plot", "", "plot to load (default: the first ready one)")
	flag.Parse()
	if err := run(*addr, *plot, *clients, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// target is what the clients ask about: one ready plot.
type target struct {
	base     string
	plot     string
	images   []int64
	tiers    []tier
	words    []string
	filename []string
}

type tier struct {
	cellSize int
	count    int
}

// kinds of request, in the mix with these weights.
var kinds = []struct {
	name   string
	weight int
	url    func(t *target, r *rand.Rand) string
}{
	{"manifest", 1, func(t *target, r *rand.Rand) string { return t.base + "/api/plots/" + url.PathEscape(t.plot) }},
	{"atlas", 3, func(t *target, r *rand.Rand) string {
		tr := t.tiers[r.IntN(len(t.tiers))]
		return fmt.Sprintf("%s/api/plots/%s/atlases/%d?tier=%d", t.base, url.PathEscape(t.plot), r.IntN(tr.count), tr.cellSize)
	}},
	{"thumb", 6, func(t *target, r *rand.Rand) string {
		size := []string{"cell", "preview"}[r.IntN(2)]
		return fmt.Sprintf("%s/api/images/%d/thumb?size=%s", t.base, t.images[r.IntN(len(t.images))], size)
	}},
	{"similar", 3, func(t *target, r *rand.Rand) string {
		return fmt.Sprintf("%s/api/images/%d/similar?k=20&plot=%s", t.base, t.images[r.IntN(len(t.images))], url.QueryEscape(t.plot))
	}},
	{"search", 2, func(t *target, r *rand.Rand) string {
		return fmt.Sprintf("%s/api/search?q=%s&plot=%s", t.base, url.QueryEscape(t.words[r.IntN(len(t.words))]), url.QueryEscape(t.plot))
	}},
}

func run(addr, plot string, clients int, duration time.Duration) error {
	client := &http.Client{
		Timeout:   time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients},
	}
	t, err := discover(client, "http://"+addr, plot)
	if err != nil {
		return err
	}
	fmt.Printf("plot %s: %d images, %d tiers, %d search words; %d clients for %v\n",
		t.plot, len(t.images), len(t.tiers), len(t.words), clients, duration)

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	stats := newStats()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 7))
			for ctx.Err() == nil {
				k := pick(r)
				start := time.Now()
				n, err := get(ctx, client, kinds[k].url(t, r))
				if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
					return // cut off by the end of the run, not the server's fault
				}
				stats.add(kinds[k].name, time.Since(start), n, err)
			}
		}(uint64(i))
	}
	wg.Wait()
	stats.print(duration)
	if stats.errors() > 0 {
		return fmt.Errorf("%d requests failed", stats.errors())
	}
	return nil
}

func pick(r *rand.Rand) int {
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	x := r.IntN(total)
	for i, k := range kinds {
		if x < k.weight {
			return i
		}
		x -= k.weight
	}
	return 0
}

// get fetches url and returns the body size; a status other than 200 is an error.
func get(ctx context.Context, client *http.Client, u string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return n, err
	}
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return n, nil
}

func getJSON(client *http.Client, u string, v any) error {
	resp, err := client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("GET %s: %s %s", u, resp.Status, body)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// discover picks the plot and reads its images, tiers and file names.
func discover(client *http.Client, base, plot string) (*target, error) {
	var plots []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	if err := getJSON(client, base+"/api/plots", &plots); err != nil {
		return nil, err
	}
	for _, p := range plots {
		if plot == "" && p.Status == "ready" {
			plot = p.Name
		}
	}
	if plot == "" {
		return nil, errors.New("the server has no ready plot")
	}
	var manifest struct {
		Status  string  `json:"status"`
		Images  []int64 `json:"images"`
		Atlases []struct {
			CellSize int `json:"cell_size"`
			Count    int `json:"count"`
		} `json:"atlases"`
	}
	if err := getJSON(client, base+"/api/plots/"+url.PathEscape(plot), &manifest); err != nil {
		return nil, err
	}
	if manifest.Status != "ready" || len(manifest.Images) == 0 {
		return nil, fmt.Errorf("plot %s is %s with %d images", plot, manifest.Status, len(manifest.Images))
	}
	var meta struct {
		Filename []string `json:"filename"`
	}
	if err := getJSON(client, base+"/api/plots/"+url.PathEscape(plot)+"/meta", &meta); err != nil {
		return nil, err
	}
	t := &target{base: base, plot: plot, images: manifest.Images}
	for _, a := range manifest.Atlases {
		if a.Count > 0 {
			t.tiers = append(t.tiers, tier{a.CellSize, a.Count})
		}
	}
	if len(t.tiers) == 0 {
		return nil, fmt.Errorf("plot %s has no atlases", plot)
	}
	t.words = searchWords(meta.Filename)
	return t, nil
}

// searchWords are the distinct words of file names (without extensions), at
// most 1,000 of them; a couple of fixed words when there are none.
func searchWords(filenames []string) []string {
	seen := map[string]bool{}
	for _, name := range filenames {
		name = strings.TrimSuffix(name, path.Ext(name))
		for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' }) {
			if len(w) >= 3 && len(seen) < 1000 {
				seen[strings.ToLower(w)] = true
			}
		}
	}
	words := slices.Sorted(func(yield func(string) bool) {
		for w := range seen {
			if !yield(w) {
				return
			}
		}
	})
	if len(words) == 0 {
		words = []string{"image", "photo"}
	}
	return words
}

// stats collects latencies per kind.
type stats struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	bytes     map[string]int64
	failed    map[string]int
	examples  []string
}

func newStats() *stats {
	return &stats{latencies: map[string][]time.Duration{}, bytes: map[string]int64{}, failed: map[string]int{}}
}

func (s *stats) add(kind string, d time.Duration, n int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.failed[kind]++
		if len(s.examples) < 5 {
			s.examples = append(s.examples, err.Error())
		}
		return
	}
	s.latencies[kind] = append(s.latencies[kind], d)
	s.bytes[kind] += n
}

func (s *stats) errors() int {
	total := 0
	for _, n := range s.failed {
		total += n
	}
	return total
}

func (s *stats) print(duration time.Duration) {
	fmt.Printf("%-9s %8s %8s %9s %9s %9s %9s %7s\n", "kind", "ok", "req/s", "p50", "p95", "p99", "max", "errors")
	var all []time.Duration
	for _, k := range kinds {
		l := s.latencies[k.name]
		all = append(all, l...)
		printRow(k.name, l, s.failed[k.name], duration)
	}
	printRow("all", all, s.errors(), duration)
	for _, e := range s.examples {
		fmt.Println("error:", e)
	}
}

func printRow(name string, l []time.Duration, failed int, duration time.Duration) {
	slices.Sort(l)
	q := func(p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[min(len(l)-1, int(p*float64(len(l))))].Round(10 * time.Microsecond)
	}
	fmt.Printf("%-9s %8d %8.0f %9v %9v %9v %9v %7d\n", name, len(l), float64(len(l))/duration.Seconds(),
		q(0.5), q(0.95), q(0.99), q(1), failed)
}
