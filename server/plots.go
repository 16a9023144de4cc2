package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/plot"
	"github.com/pixplot/pixplot/plot/knn"
	"github.com/pixplot/pixplot/plotjob"
)

// plotHead is what every plot answer starts with.
type plotHead struct {
	Name     string  `json:"name"`
	Where    string  `json:"where"`
	Status   string  `json:"status"`
	Progress *string `json:"progress,omitempty"` // while running
	Error    *string `json:"error,omitempty"`    // when failed
	Count    int     `json:"count"`
	Created  string  `json:"created"`
}

// plotSummary is one entry of GET /api/plots.
type plotSummary struct {
	plotHead
	Layouts  []string `json:"layouts"`
	Hotspots int      `json:"hotspots"`
}

// manifestBody is GET /api/plots/{plot} of a ready plot.
type manifestBody struct {
	plotHead
	Images   []int64           `json:"images"`
	Layouts  []layoutHead      `json:"layouts"`
	Hotspots []catalog.Hotspot `json:"hotspots"`
	Atlases  []atlasHead       `json:"atlases"`
}

// layoutHead names a layout and places its captions.
type layoutHead struct {
	Name    string                 `json:"name"`
	Labels  []catalog.Label        `json:"labels,omitempty"`
	Variant *catalog.LayoutVariant `json:"variant,omitempty"` // UMAP layouts: umap and umap-…
}

// atlasHead describes one atlas tier.
type atlasHead struct {
	CellSize int `json:"cell_size"`
	Size     int `json:"size"`
	Count    int `json:"count"`
}

// plotState is a plot as the API reports it: the catalog's row, or what the
// job queue knows before the row exists (or after a job failed without one).
type plotState struct {
	head plotHead
	info *catalog.PlotInfo // nil when only the job queue knows the plot
}

func (p plotState) ready() bool { return p.head.Status == catalog.PlotReady && p.info != nil }

func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// headOf reports a catalog row. A running plot whose process is gone is
// reported failed: nobody will finish it.
func headOf(info catalog.PlotInfo) plotHead {
	h := plotHead{Name: info.Name, Where: info.Filter, Status: info.Status, Count: info.ImageCount, Created: timeText(info.CreatedAt)}
	switch {
	case info.Status == catalog.PlotRunning && info.Stale:
		h.Status = catalog.PlotFailed
		h.Error = ptr("the computation was interrupted (its process stopped); create the plot again")
	case info.Status == catalog.PlotRunning:
		h.Progress = ptr(info.Progress)
	case info.Status == catalog.PlotFailed:
		h.Error = ptr(info.Error)
	}
	return h
}

func ptr[T any](v T) *T { return &v }

// jobHead reports a job the catalog has no (current) row for.
func jobHead(j job) plotHead {
	h := plotHead{Name: j.req.Name, Where: j.req.Filter.String(), Status: catalog.PlotRunning, Created: timeText(j.queuedAt)}
	switch {
	case !j.finished.IsZero():
		h.Status, h.Error = catalog.PlotFailed, ptr(j.err.Error())
	case j.running:
		h.Progress = ptr(plot.StageSelection)
	default:
		h.Progress = ptr("queued")
	}
	return h
}

// state merges the catalog's row of plot name with this server's job of
// that name.
func (s *Server) state(ctx context.Context, name string) (plotState, error) {
	info, err := s.cat.Plot(ctx, name)
	if errors.Is(err, catalog.ErrNotFound) {
		if j, ok := s.jobs.state(name); ok {
			return plotState{head: jobHead(j)}, nil
		}
	}
	if err != nil {
		return plotState{}, err
	}
	return s.merge(info), nil
}

// merge reports a catalog row, unless this server's job of that name is
// newer: a queued job, or one that failed, is newer than any row made before
// it was queued.
func (s *Server) merge(info catalog.PlotInfo) plotState {
	if j, ok := s.jobs.state(info.Name); ok && !rowIsNewer(info, j) {
		return plotState{head: jobHead(j)}
	}
	return plotState{head: headOf(info), info: &info}
}

// rowIsNewer reports whether the catalog row was made by job j (or later).
func rowIsNewer(info catalog.PlotInfo, j job) bool {
	made := !info.CreatedAt.Before(j.queuedAt.Truncate(time.Millisecond))
	if j.finished.IsZero() {
		return made // the job's own running row
	}
	return made && info.Status != catalog.PlotFailed || info.CreatedAt.After(j.finished)
}

// lookupPlot reads the {plot} path parameter and finds the plot: 404 when
// there is none (400 when the name could not be one).
func (s *Server) lookupPlot(c *gin.Context) (plotState, bool) {
	return s.findPlot(c, c.Param("plot"))
}

func (s *Server) findPlot(c *gin.Context, name string) (plotState, bool) {
	p, err := s.state(c.Request.Context(), name)
	switch {
	case errors.Is(err, catalog.ErrNotFound) && plotjob.CheckName(name) != nil:
		abort(c, http.StatusBadRequest, "%q is not a plot name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", clip(name))
		return p, false
	case errors.Is(err, catalog.ErrNotFound):
		abort(c, http.StatusNotFound, "no plot named %q", name)
		return p, false
	case err != nil:
		s.fail(c, err)
		return p, false
	}
	return p, true
}

// readyPlot is lookupPlot for routes that need the plot's results: 409 while
// it is running or when it failed.
func (s *Server) readyPlot(c *gin.Context) (plotState, bool) {
	p, ok := s.lookupPlot(c)
	if ok && !p.ready() {
		abortNotReady(c, p)
		return p, false
	}
	return p, ok
}

func abortNotReady(c *gin.Context, p plotState) {
	if p.head.Status == catalog.PlotFailed {
		abort(c, http.StatusConflict, "plot %s failed: %s", p.head.Name, *p.head.Error)
		return
	}
	abort(c, http.StatusConflict, "plot %s is still being computed (%s)", p.head.Name, *p.head.Progress)
}

// optionalPlot reads ?plot=NAME, which must be a ready plot; "" when absent.
func (s *Server) optionalPlot(c *gin.Context) (string, bool) {
	name := c.Query("plot")
	if name == "" {
		return "", true
	}
	p, ok := s.findPlot(c, name)
	if ok && !p.ready() {
		abortNotReady(c, p)
		return "", false
	}
	return name, ok
}

// listPlots is GET /api/plots: every plot in creation order, with the plots
// queued in this server that have no row yet.
func (s *Server) listPlots(c *gin.Context) {
	ctx := c.Request.Context()
	infos, err := s.cat.Plots(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	list := []plotSummary{}
	seen := map[string]bool{}
	for _, info := range infos {
		p := s.merge(info)
		seen[info.Name] = true
		sum := plotSummary{plotHead: p.head, Layouts: []string{}}
		if p.info != nil {
			sum.Hotspots = p.info.Hotspots
			if p.info.Layouts != nil {
				sum.Layouts = p.info.Layouts
			}
		}
		list = append(list, sum)
	}
	for _, j := range s.jobs.all() {
		if !seen[j.req.Name] {
			list = append(list, plotSummary{plotHead: jobHead(j), Layouts: []string{}})
		}
	}
	sort.SliceStable(list, func(a, b int) bool { return list[a].Created < list[b].Created }) // creation order
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, list)
}

// getPlot is GET /api/plots/{plot}: the head while running or failed, the
// whole manifest when ready.
func (s *Server) getPlot(c *gin.Context) {
	p, ok := s.lookupPlot(c)
	if !ok {
		return
	}
	c.Header("Cache-Control", "no-store")
	if !p.ready() {
		c.JSON(http.StatusOK, p.head)
		return
	}
	ctx := c.Request.Context()
	frozen, err := s.plots.get(ctx, s.cat, *p.info)
	if err != nil {
		s.fail(c, err)
		return
	}
	hotspots, err := s.cat.PlotHotspots(ctx, p.head.Name) // labels change: never cached
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, manifestBody{plotHead: p.head, Images: frozen.images, Layouts: frozen.layouts,
		Hotspots: hotspots, Atlases: frozen.atlases})
}

// plotImageIDs returns the image ids of the ready plot name.
func (s *Server) plotImageIDs(ctx context.Context, name string) ([]int64, error) {
	info, err := s.cat.Plot(ctx, name)
	if err != nil {
		return nil, err
	}
	frozen, err := s.plots.get(ctx, s.cat, info)
	if err != nil {
		return nil, err
	}
	return frozen.images, nil
}

// createBody is POST /api/plots: the viewer sends name, where, tags and
// categories; scripts may add the options of `pixplot plot`.
type createBody struct {
	Name       string   `json:"name"`
	Where      string   `json:"where"`
	Tags       []string `json:"tags"`
	Categories []string `json:"categories"`

	// n_neighbors and min_distance take a number or an array of numbers
	// (one UMAP layout per combination).
	NNeighbors     json.RawMessage `json:"n_neighbors"`
	MinDistance    json.RawMessage `json:"min_distance"`
	Metric         *string         `json:"metric"`
	Epochs         *int            `json:"epochs"`
	Seed           *uint64         `json:"seed"`
	Supervised     *bool           `json:"supervised"`
	PCADims        *int            `json:"pca_dims"`
	ClusterOn      *string         `json:"cluster_on"`
	MinClusterSize *int            `json:"min_cluster_size"`
	MaxHotspots    *int            `json:"max_hotspots"`
	CellSize       *int            `json:"cell_size"`
	LODSize        *int            `json:"lod_size"`
	AtlasSize      *int            `json:"atlas_size"`
}

// defaultSeed is the seed of plots made without one (as `pixplot plot`).
const defaultSeed = 1

// options are the plot options the body asks for, over the defaults.
func (b createBody) options() (plot.Options, error) {
	o := plot.DefaultOptions()
	o.Seed = defaultSeed
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&o.Epochs, b.Epochs)
	set(&o.PCADims, b.PCADims)
	set(&o.MinClusterSize, b.MinClusterSize)
	set(&o.MaxHotspots, b.MaxHotspots)
	set(&o.CellSize, b.CellSize)
	set(&o.LODSize, b.LODSize)
	set(&o.AtlasSize, b.AtlasSize)
	if err := readValues("n_neighbors", b.NNeighbors, &o.NNeighbors); err != nil {
		return o, err
	}
	if err := readValues("min_distance", b.MinDistance, &o.MinDist); err != nil {
		return o, err
	}
	if b.Seed != nil {
		o.Seed = *b.Seed
	}
	if b.Supervised != nil {
		o.Supervised = *b.Supervised
	}
	if b.ClusterOn != nil {
		o.ClusterOn = *b.ClusterOn
	}
	if b.Metric != nil {
		m, err := knn.ParseMetric(*b.Metric)
		if err != nil {
			return o, fmt.Errorf("metric: %w", err)
		}
		o.Metric = m
	}
	if o.AtlasSize != 2048 && o.AtlasSize != 4096 {
		return o, fmt.Errorf("atlas_size %d: want 2048 or 4096", o.AtlasSize)
	}
	if _, err := o.UMAPVariants(); err != nil { // names the field and value
		return o, err
	}
	return o, nil
}

// readValues reads field, a number or an array of numbers, into dst
// unless it is absent (or null).
func readValues[T int | float64](field string, raw json.RawMessage, dst *[]T) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	values, err := plotjob.ParseValues[T](raw)
	if err != nil {
		return fmt.Errorf("%s %w", field, err)
	}
	*dst = values
	return nil
}

// createPlot is POST /api/plots. Everything that can be checked at once is
// (name, body, options, the filter compiled and run against the catalog, a
// name in use); then the plot is queued and 202 returned. GET
// /api/plots/{name} reports its progress.
func (s *Server) createPlot(c *gin.Context) {
	var body createBody
	if !readJSON(c, &body) {
		return
	}
	body.Name = strings.TrimSpace(body.Name)
	if err := plotjob.CheckName(body.Name); err != nil {
		abort(c, http.StatusBadRequest, "%v", err)
		return
	}
	opts, err := body.options()
	if err != nil {
		abort(c, http.StatusBadRequest, "%v", err)
		return
	}
	req := PlotRequest{Name: body.Name, Filter: catalog.Filter{Where: body.Where, Tags: body.Tags, Categories: body.Categories}, Options: opts}
	ctx := c.Request.Context()
	if _, err := s.cat.Select(ctx, req.Filter); err != nil {
		s.fail(c, err)
		return
	}
	existing, err := s.state(ctx, req.Name)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
	case err != nil:
		s.fail(c, err)
		return
	case existing.head.Status != catalog.PlotFailed:
		abort(c, http.StatusConflict, "a plot named %q exists", req.Name)
		return
	}
	switch err := s.jobs.submit(req); {
	case errors.Is(err, errJobActive):
		abort(c, http.StatusConflict, "a plot named %q exists", req.Name)
		return
	case err != nil:
		abort(c, http.StatusServiceUnavailable, "%v", err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"name": req.Name, "status": catalog.PlotRunning})
}

// readJSON decodes a JSON body of at most maxJSONBodyBytes into v: 413 past
// the limit, 400 for anything but one JSON object of known fields.
func readJSON(c *gin.Context, v any) bool {
	return readJSONUpTo(c, v, maxJSONBodyBytes)
}

// readJSONUpTo is readJSON for bodies of at most limit bytes.
func readJSONUpTo(c *gin.Context, v any, limit int64) bool {
	if c.Request.ContentLength > limit {
		abort(c, http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", limit)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	var tooBig *http.MaxBytesError
	var wrongType *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		abort(c, http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", tooBig.Limit)
		return false
	case errors.As(err, &wrongType) && wrongType.Field != "":
		abort(c, http.StatusBadRequest, "request body: %s must be %s (got %s)", wrongType.Field, jsonKind(wrongType.Type), wrongType.Value)
		return false
	case errors.Is(err, io.EOF):
		abort(c, http.StatusBadRequest, "the request body is empty: send a JSON object")
		return false
	case err != nil:
		abort(c, http.StatusBadRequest, "request body: %v", err)
		return false
	}
	return true
}

// jsonKind says in words which JSON value decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}
