package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pixplot/pixplot/ingest/iiif"
)

// RemoteOptions bound what is downloaded.
type RemoteOptions struct {
	Client *http.Client // nil: a client without its own timeout (Timeout bounds each request)
	// Timeout bounds each request, body included (default 2 minutes).
	Timeout time.Duration
	// MaxImageBytes refuses larger downloads (default 256 MiB).
	MaxImageBytes int64
	// MaxManifestBytes refuses larger manifests and collections (default 32 MiB).
	MaxManifestBytes int64
	// IIIFMaxSide is the long side asked of IIIF image services that can scale
	// (default 1024): enough for thumbnails and the model, a fraction of the
	// bytes of a full-size scan.
	IIIFMaxSide int
	// Parallel is how many manifests are fetched at once (default 8).
	Parallel int
}

func (o RemoteOptions) withDefaults() RemoteOptions {
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.MaxImageBytes <= 0 {
		o.MaxImageBytes = 256 << 20
	}
	if o.MaxManifestBytes <= 0 {
		o.MaxManifestBytes = 32 << 20
	}
	if o.IIIFMaxSide <= 0 {
		o.IIIFMaxSide = 1024
	}
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	return o
}

// maxCollectionDepth bounds nested IIIF collections (and pages of one).
const maxCollectionDepth = 8

// listedURL is one line of a URL list.
type listedURL struct {
	url  string
	line int // 0 when not from a file
}

// parseURLList reads one URL per line; blank lines and lines starting with
// "#" are skipped, anything else that is not an http(s) URL is reported.
func parseURLList(file string, data []byte) ([]listedURL, []Problem) {
	var urls []listedURL
	var problems []Problem
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if u, err := url.Parse(line); err != nil || !isURL(line) || u.Host == "" {
			problems = append(problems, Problem{Path: fmt.Sprintf("%s:%d", file, i+1), Stage: StageDiscover,
				Message: fmt.Sprintf("%q is not an http(s) URL; skipped", truncate(line, 80))})
			continue
		}
		urls = append(urls, listedURL{url: line, line: i + 1})
	}
	return urls, problems
}

// discoverURLs resolves each URL to images: IIIF manifests give all their
// images (with their metadata), collections all their manifests' images, and
// image URLs themselves. Documents are fetched Parallel at a time, collection
// members included; the items keep the list's (and collections') order and
// each Source appears once.
func discoverURLs(ctx context.Context, urls []listedURL, opt RemoteOptions) Discovery {
	c := &crawl{opt: opt.withDefaults(), visited: map[string]bool{}}
	c.cond = sync.NewCond(&c.mu)
	for i, u := range urls {
		c.push(crawlTask{url: u.url, order: []int{i}})
	}
	var wg sync.WaitGroup
	for range c.opt.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t, ok := c.pop()
				if !ok {
					return
				}
				c.finish(c.resolve(ctx, t))
			}
		}()
	}
	wg.Wait()
	return c.result()
}

// crawl is a queue of URLs to resolve, shared by the fetching goroutines.
type crawl struct {
	opt     RemoteOptions
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []crawlTask
	active  int             // tasks taken and not finished
	visited map[string]bool // URLs queued once, so collections cannot loop
	found   []crawlResult
}

type crawlTask struct {
	url   string
	depth int   // collection nesting
	order []int // position in the list, then in each collection
}

type crawlResult struct {
	order    []int
	items    []Item
	problems []Problem
	children []crawlTask
}

func (c *crawl) push(t crawlTask) {
	if c.visited[t.url] {
		return
	}
	c.visited[t.url] = true
	c.queue = append(c.queue, t)
}

// pop waits for a task; false when none is left and none can come.
func (c *crawl) pop() (crawlTask, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.queue) == 0 && c.active > 0 {
		c.cond.Wait()
	}
	if len(c.queue) == 0 {
		return crawlTask{}, false
	}
	t := c.queue[0]
	c.queue = c.queue[1:]
	c.active++
	return t, true
}

func (c *crawl) finish(r crawlResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active--
	c.found = append(c.found, r)
	for _, child := range r.children {
		c.push(child)
	}
	c.cond.Broadcast()
}

// result orders what was found and drops repeated sources.
func (c *crawl) result() Discovery {
	sort.Slice(c.found, func(i, j int) bool { return slices.Compare(c.found[i].order, c.found[j].order) < 0 })
	var d Discovery
	seen := map[string]bool{}
	for _, r := range c.found {
		d.Problems = append(d.Problems, r.problems...)
		for _, it := range r.items {
			if !seen[it.Source] {
				seen[it.Source] = true
				d.Items = append(d.Items, it)
			}
		}
	}
	return d
}

// resolve turns one URL into images, or into the members of a collection.
func (c *crawl) resolve(ctx context.Context, t crawlTask) crawlResult {
	r := crawlResult{order: t.order}
	problem := func(format string, args ...any) crawlResult {
		r.problems = append(r.problems, Problem{Path: t.url, Stage: StageDiscover, Message: fmt.Sprintf(format, args...)})
		return r
	}
	if hasImageExtension(urlPath(t.url)) {
		r.items = []Item{urlItem(t.url)}
		return r
	}
	if ctx.Err() != nil {
		return problem("%v", ctx.Err())
	}
	body, contentType, err := download(ctx, c.opt, t.url, c.opt.MaxManifestBytes)
	if err != nil {
		return problem("%v", err)
	}
	if !looksLikeJSON(body) {
		if isImageContent(contentType, body) {
			r.items = []Item{urlItem(t.url)}
			return r
		}
		return problem("neither a IIIF manifest nor an image (content type %q); skipped", contentType)
	}
	doc, err := iiif.Parse(body)
	if err != nil {
		return problem("%v", err)
	}
	if m := doc.Manifest; m != nil {
		switch {
		case len(m.Images) == 0:
			problem("manifest has no images")
		case len(m.Problems) > 0: // one entry per manifest: ingest_errors keeps one per path
			problem("%s", strings.Join(m.Problems, "; "))
		}
		r.items = manifestItems(t.url, m, c.opt.IIIFMaxSide)
		return r
	}
	if t.depth >= maxCollectionDepth {
		return problem("collection nested deeper than %d levels; not followed", maxCollectionDepth)
	}
	col := doc.Collection
	for _, list := range [][]string{col.Manifests, col.Collections, col.Pages} {
		for _, member := range list {
			order := append(slices.Clip(t.order), len(r.children))
			r.children = append(r.children, crawlTask{url: resolveReference(t.url, member), depth: t.depth + 1, order: order})
		}
	}
	return r
}

// manifestItems makes the items of a manifest's images.
func manifestItems(manifestURL string, m *iiif.Manifest, maxSide int) []Item {
	var items []Item
	for _, img := range m.Images {
		src := resolveReference(manifestURL, img.URL(maxSide))
		fallback := img.FallbackURL(maxSide)
		if fallback != "" {
			fallback = resolveReference(manifestURL, fallback)
		}
		name := img.Name()
		if name == "" {
			name = path.Base(urlPath(src))
		}
		meta := manifestMetadata(manifestURL, m, img)
		items = append(items, Item{Source: src, Path: src, Filename: name, Fallback: fallback, Meta: &meta})
	}
	return items
}

// urlItem is an image given by URL: its Path is the URL, its Filename the
// URL path's last segment.
func urlItem(u string) Item {
	name := path.Base(urlPath(u))
	if name == "/" || name == "." || name == "" {
		name = u
	}
	return Item{Source: u, Path: u, Filename: name}
}

// urlPath is the decoded path of a URL ("" when it does not parse).
func urlPath(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Path
}

// resolveReference makes ref absolute against base (manifests may use relative ids).
func resolveReference(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

func looksLikeJSON(body []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\uFEFF")), " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

func isImageContent(contentType string, body []byte) bool {
	return strings.HasPrefix(contentType, "image/") || strings.HasPrefix(http.DetectContentType(body), "image/")
}

// httpStatusError is a download answered with a status other than 200.
type httpStatusError struct {
	status int
	text   string
}

func (e *httpStatusError) Error() string { return "HTTP " + e.text }

// retryable reports whether another try may succeed.
func (e *httpStatusError) retryable() bool {
	return e.status == http.StatusTooManyRequests || e.status >= 500
}

var (
	// errTooLarge marks a file or download over its byte limit.
	errTooLarge = errors.New("too large")
	// errTimedOut marks a download that took longer than RemoteOptions.Timeout.
	errTimedOut = errors.New("timed out")
)

// download GETs u with a per-request timeout and a byte limit, retrying
// twice (after 1 s and 3 s) on 429, 5xx and connection errors.
func download(ctx context.Context, opt RemoteOptions, u string, limit int64) ([]byte, string, error) {
	delays := []time.Duration{time.Second, 3 * time.Second}
	for attempt := 0; ; attempt++ {
		body, contentType, err := downloadOnce(ctx, opt, u, limit)
		if err == nil || attempt == len(delays) || !retryable(ctx, err) {
			return body, contentType, err
		}
		select {
		case <-ctx.Done():
			return nil, "", ctx.Err()
		case <-time.After(delays[attempt]):
		}
	}
}

func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, errTooLarge) || errors.Is(err, errTimedOut) {
		return false // a slow server would make every retry as slow
	}
	var se *httpStatusError
	if errors.As(err, &se) {
		return se.retryable()
	}
	return true // network errors, timeouts
}

func downloadOnce(parent context.Context, opt RemoteOptions, u string, limit int64) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(parent, opt.Timeout)
	defer cancel()
	timedOut := func(err error) error {
		switch {
		case parent.Err() != nil:
			return parent.Err()
		case ctx.Err() != nil:
			return fmt.Errorf("%w after %v", errTimedOut, opt.Timeout)
		}
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("User-Agent", "pixplot")
	req.Header.Set("Accept", "application/ld+json, application/json, image/*;q=0.9, */*;q=0.5")
	resp, err := opt.Client.Do(req)
	if err != nil {
		return nil, "", timedOut(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return nil, "", &httpStatusError{status: resp.StatusCode, text: resp.Status}
	}
	if resp.ContentLength > limit {
		return nil, "", fmt.Errorf("%w: %s bytes, the limit is %s", errTooLarge, strconv.FormatInt(resp.ContentLength, 10), strconv.FormatInt(limit, 10))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", timedOut(err)
	}
	if int64(len(body)) > limit {
		return nil, "", fmt.Errorf("%w: more than %d bytes", errTooLarge, limit)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
