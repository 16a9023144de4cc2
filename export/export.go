// Package export writes a plot as a static web site: the viewer's files plus
// the answers of the server's API saved at the paths of viewer/API.md's static
// layout, so any static file server (python3 -m http.server, a web host)
// shows the plot without pixplot.
//
// The files hold exactly the API's bytes: they are produced by running the
// server's own handler in process (no network) on a read-only server, and
// saved under the names viewer/static.go gives. Similar images, which the API
// computes per request, are precomputed: each exported image's k nearest
// neighbours among the exported images (package plot/knn over the active
// model's vectors, the same cosine distance the API reports).
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/server"
	"github.com/pixplot/pixplot/viewer"
)

// DefaultK is how many similar images are kept per exported image.
const DefaultK = 20

// Options configure Write.
type Options struct {
	// Plots names the plots to export (at least one; each must be ready).
	Plots []string
	// K is how many similar images are saved per image (default DefaultK).
	K int
	// Workers is how many images are written at once (default NumCPU).
	Workers int
	// Log receives progress lines; nil for none.
	Log io.Writer
}

// Summary says what Write wrote.
type Summary struct {
	Dir    string        `json:"dir"`
	Plots  int           `json:"plots"`
	Images int           `json:"images"`
	Files  int64         `json:"files"`
	Bytes  int64         `json:"bytes"`
	Took   time.Duration `json:"took_ns"`
}

// Write exports opt.Plots of cat into dir. dir must not exist, be empty, or
// hold an earlier export (which is replaced). The site is built in a sibling
// directory and moved into place at the end, so an interrupted export leaves
// dir as it was.
func Write(ctx context.Context, cat *catalog.Catalog, dir string, opt Options) (Summary, error) {
	start := time.Now()
	if len(opt.Plots) == 0 {
		return Summary{}, errors.New("export: name at least one plot")
	}
	if opt.K <= 0 {
		opt.K = DefaultK
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	if err := checkTarget(dir); err != nil {
		return Summary{}, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return Summary{}, fmt.Errorf("export: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".partial-")
	if err != nil {
		return Summary{}, fmt.Errorf("export: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename; leftovers of a failure otherwise

	srv := server.New(cat, server.Options{ReadOnly: true, ReadOnlyReason: "static export"})
	defer srv.Close()
	w := &writer{ctx: ctx, cat: cat, api: srv.Handler(), dir: tmp, opt: opt, log: opt.Log}
	if err := w.site(); err != nil {
		return Summary{}, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it 0700
		return Summary{}, err
	}
	if err := replace(abs, tmp); err != nil {
		return Summary{}, err
	}
	s := Summary{Dir: abs, Plots: len(opt.Plots), Images: w.images, Files: w.files.Load(), Bytes: w.bytes.Load(), Took: time.Since(start)}
	w.logf("exported %d plot(s), %d images: %d files, %.1f MB in %v", s.Plots, s.Images, s.Files, float64(s.Bytes)/1e6, s.Took.Round(time.Millisecond))
	return s, nil
}

// checkTarget refuses a dir that holds something other than an earlier export.
func checkTarget(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if !isExport(dir) {
		return fmt.Errorf("export: %s is not empty and holds no earlier export (no %s saying static, no %s); choose another --out",
			dir, viewer.ConfigFile, viewer.PlotsFile)
	}
	return nil
}

// isExport reports whether dir holds a static export.
func isExport(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(viewer.ConfigFile)))
	if err != nil {
		return false
	}
	var cfg struct {
		Static bool `json:"static"`
	}
	if json.Unmarshal(b, &cfg) != nil || !cfg.Static {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, filepath.FromSlash(viewer.PlotsFile)))
	return err == nil
}

// replace moves the finished site tmp to dir, removing an earlier export.
func replace(dir, tmp string) error {
	if _, err := os.Stat(dir); err == nil {
		old := tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			_ = os.Rename(old, dir)
			return fmt.Errorf("export: %w", err)
		}
		return os.RemoveAll(old)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// writer builds one site.
type writer struct {
	ctx    context.Context
	cat    *catalog.Catalog
	api    http.Handler
	dir    string
	opt    Options
	log    io.Writer
	images int
	// filenames of the exported images by id (int64 → string), for the similar lists.
	filenames sync.Map
	files     atomic.Int64
	bytes     atomic.Int64
}

func (w *writer) logf(format string, args ...any) {
	if w.log != nil {
		fmt.Fprintf(w.log, format+"\n", args...)
	}
}

// site writes everything: viewer, config, plots, images, similar lists.
func (w *writer) site() error {
	if err := w.viewer(); err != nil {
		return err
	}
	if err := w.put(viewer.ConfigFile, viewer.StaticConfig); err != nil {
		return err
	}
	if err := w.plotList(); err != nil {
		return err
	}
	var ids []int64
	for _, name := range w.opt.Plots {
		plotIDs, err := w.plot(name)
		if err != nil {
			return err
		}
		ids = append(ids, plotIDs...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	w.images = len(ids)
	if err := w.imageFiles(ids); err != nil {
		return err
	}
	return w.similar(ids)
}

// viewer copies the embedded viewer.
func (w *writer) viewer() error {
	return fs.WalkDir(viewer.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == viewer.ConfigFile { // the export writes its own
			return err
		}
		b, err := fs.ReadFile(viewer.FS(), path)
		if err != nil {
			return err
		}
		return w.put(path, b)
	})
}

// put writes one file of the site (a slash-separated path).
func (w *writer) put(path string, data []byte) error {
	full := filepath.Join(w.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w.files.Add(1)
	w.bytes.Add(int64(len(data)))
	return nil
}

// get runs GET target on the server's handler and returns the body of a 200
// answer; anything else is an error quoting the API's message. notFound is
// true for a 404.
func (w *writer) get(target string) (body []byte, notFound bool, err error) {
	if err := w.ctx.Err(); err != nil {
		return nil, false, err
	}
	req := httptest.NewRequestWithContext(w.ctx, http.MethodGet, target, nil)
	rec := httptest.NewRecorder()
	w.api.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		return rec.Body.Bytes(), false, nil
	}
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return nil, rec.Code == http.StatusNotFound, fmt.Errorf("export: GET %s: %d %s", target, rec.Code, e.Error)
}

// save stores the answer of GET target at path.
func (w *writer) save(target, path string) error {
	body, _, err := w.get(target)
	if err != nil {
		return err
	}
	return w.put(path, body)
}

// plotList writes the plot list, keeping only the exported plots, each of
// which must exist and be ready.
func (w *writer) plotList() error {
	body, _, err := w.get("/api/plots")
	if err != nil {
		return err
	}
	var all []json.RawMessage
	if err := json.Unmarshal(body, &all); err != nil {
		return fmt.Errorf("export: plot list: %w", err)
	}
	status := map[string]string{}
	kept := []json.RawMessage{}
	var names []string
	for _, raw := range all {
		var p struct{ Name, Status string }
		if err := json.Unmarshal(raw, &p); err != nil {
			return fmt.Errorf("export: plot list: %w", err)
		}
		names = append(names, p.Name)
		status[p.Name] = p.Status
		if slices.Contains(w.opt.Plots, p.Name) {
			kept = append(kept, raw)
		}
	}
	for _, name := range w.opt.Plots {
		st, ok := status[name]
		switch {
		case !ok:
			return fmt.Errorf("export: no plot named %q (have: %v)", name, names)
		case st != "ready":
			return fmt.Errorf("export: plot %s is %s, not ready", name, st)
		}
	}
	list, err := json.Marshal(kept) // compact and HTML-escaped, as the API writes JSON
	if err != nil {
		return err
	}
	return w.put(viewer.PlotsFile, list)
}

// manifest is the part of a plot manifest the export needs to follow.
type manifest struct {
	Status  string  `json:"status"`
	Images  []int64 `json:"images"`
	Layouts []struct {
		Name string `json:"name"`
	} `json:"layouts"`
	Atlases []struct {
		CellSize int `json:"cell_size"`
		Count    int `json:"count"`
	} `json:"atlases"`
}

// plot writes one plot's manifest, layouts, cells, atlases and meta table,
// and returns its image ids.
func (w *writer) plot(name string) ([]int64, error) {
	base := "/api/plots/" + url.PathEscape(name)
	body, _, err := w.get(base)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("export: plot %s manifest: %w", name, err)
	}
	if err := w.put(viewer.ManifestFile(name), body); err != nil {
		return nil, err
	}
	for _, l := range m.Layouts {
		if err := w.save(base+"/layouts/"+url.PathEscape(l.Name), viewer.LayoutFile(name, l.Name)); err != nil {
			return nil, err
		}
	}
	atlases := 0
	for _, t := range m.Atlases {
		if err := w.save(fmt.Sprintf("%s/cells?tier=%d", base, t.CellSize), viewer.CellsFile(name, t.CellSize)); err != nil {
			return nil, err
		}
		for i := range t.Count {
			target := fmt.Sprintf("%s/atlases/%d?tier=%d", base, i, t.CellSize)
			if err := w.save(target, viewer.AtlasFile(name, t.CellSize, i)); err != nil {
				return nil, err
			}
		}
		atlases += t.Count
	}
	if err := w.save(base+"/meta", viewer.MetaFile(name)); err != nil {
		return nil, err
	}
	w.logf("plot %s: %d images, %d layouts, %d atlases", name, len(m.Images), len(m.Layouts), atlases)
	return m.Images, nil
}

// imageFiles writes each image's metadata and thumbnails, opt.Workers at a
// time. An image without a thumbnail of some size simply has no such file
// (the viewer then draws it as a box).
func (w *writer) imageFiles(ids []int64) error {
	jobs := make(chan int64)
	errs := make(chan error, w.opt.Workers)
	var wg sync.WaitGroup
	for range w.opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				if err := w.image(id); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for _, id := range ids {
		select {
		case jobs <- id:
		case err = <-errs:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err == nil {
		err = <-errs // nil when the channel is empty
	}
	if err == nil {
		w.logf("images: %d metadata files and thumbnails", len(ids))
	}
	return err
}

func (w *writer) image(id int64) error {
	base := fmt.Sprintf("/api/images/%d", id)
	body, _, err := w.get(base)
	if err != nil {
		return err
	}
	var img struct {
		Filename string `json:"filename"`
	}
	if err := json.Unmarshal(body, &img); err != nil {
		return fmt.Errorf("export: image %d: %w", id, err)
	}
	w.filenames.Store(id, img.Filename)
	if err := w.put(viewer.ImageFile(id), body); err != nil {
		return err
	}
	for _, size := range []string{"cell", "preview"} {
		body, notFound, err := w.get(base + "/thumb?size=" + size)
		if notFound {
			continue
		}
		if err != nil {
			return err
		}
		if err := w.put(viewer.ThumbFile(id, size), body); err != nil {
			return err
		}
	}
	return nil
}
