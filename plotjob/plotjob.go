// Package plotjob makes one plot of a catalog: it selects the images a filter
// picks, runs the plot pipeline on their embeddings and thumbnails, and stores
// the result, or reuses the stored plot when it is up to date. It is the one
// code path of `pixplot plot` and of plots created in the viewer.
package plotjob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/plot"
	"github.com/pixplot/pixplot/plot/atlas"
)

// CheckName accepts what the viewer accepts as a plot name (viewer/API.md).
func CheckName(name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("plot name %q: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Request is a plot to make: what to select and how to plot it.
type Request struct {
	Name    string // "" means DefaultName of the filter
	Filter  catalog.Filter
	Model   string // name or id; "" means the active model
	Force   bool
	Options plot.Options
}

// Outcome is what Make did.
type Outcome struct {
	Info   catalog.PlotInfo
	Reused bool // the stored plot was up to date
}

// params are the options a plot is stored with (plots.params): those
// that change the result, and the selection they were applied to.
type params struct {
	NNeighbors     Values[int]     `json:"n_neighbors"`
	MinDist        Values[float64] `json:"min_distance"`
	Metric         string          `json:"metric"`
	Epochs         int             `json:"epochs"`
	Seed           uint64          `json:"seed"`
	Supervised     bool            `json:"supervised"`
	PCADims        int             `json:"pca_dims"`
	ClusterOn      string          `json:"cluster_on"`
	MinClusterSize int             `json:"min_cluster_size"`
	MaxHotspots    int             `json:"max_hotspots"`
	CellSize       int             `json:"cell_size"`
	LODSize        int             `json:"lod_size"`
	AtlasSize      int             `json:"atlas_size"`
	// Images and Selection (SHA-256 of the selected ids) make a plot out of
	// date when the filter selects other images than it did.
	Images    int    `json:"images"`
	Selection string `json:"selection"`
}

func paramsOf(o plot.Options, ids []int64) params {
	h := sha256.New()
	for _, id := range ids {
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(id)))
	}
	return params{
		NNeighbors: o.NNeighbors, MinDist: o.MinDist, Metric: o.Metric.String(), Epochs: o.Epochs, Seed: o.Seed,
		Supervised: o.Supervised, PCADims: o.PCADims, ClusterOn: o.ClusterOn, MinClusterSize: o.MinClusterSize,
		MaxHotspots: o.MaxHotspots, CellSize: o.CellSize, LODSize: o.LODSize, AtlasSize: o.AtlasSize,
		Images: len(ids), Selection: hex.EncodeToString(h.Sum(nil)),
	}
}

// Values are the values of a plot parameter that takes one or several
// (n_neighbors, min_distance). JSON has one value as a bare number, so
// plots of one value keep the parameters (and fingerprint) they had before
// several were possible, and several as an array.
type Values[T int | float64] []T

// MarshalJSON writes one value as a number, several as an array.
func (v Values[T]) MarshalJSON() ([]byte, error) {
	if len(v) == 1 {
		return json.Marshal(v[0])
	}
	return json.Marshal([]T(v))
}

// UnmarshalJSON reads a number or an array of numbers.
func (v *Values[T]) UnmarshalJSON(data []byte) error {
	values, err := ParseValues[T](data)
	*v = values
	return err
}

// ParseValues reads a JSON number or a non-empty array of numbers.
func ParseValues[T int | float64](data []byte) ([]T, error) {
	var one T
	if json.Unmarshal(data, &one) == nil && string(bytes.TrimSpace(data)) != "null" {
		return []T{one}, nil
	}
	var many []T
	if err := json.Unmarshal(data, &many); err != nil || len(many) == 0 {
		what := "a number"
		if _, whole := any(one).(int); whole {
			what = "a whole number"
		}
		return nil, fmt.Errorf("%.40s: want %s or a non-empty array of them", data, what)
	}
	return many, nil
}

// Make selects the images of req, computes their plot and stores it,
// unless the stored plot of that name is up to date (same filter, model,
// options and selected images). An empty selection is an error and makes
// no plot. report, if not nil, sees every stage's progress.
func Make(ctx context.Context, cat *catalog.Catalog, req Request, report func(plot.Progress)) (Outcome, error) {
	model, err := resolveModel(ctx, cat, req.Model)
	if err != nil {
		return Outcome{}, err
	}
	if req.Name == "" {
		req.Name = DefaultName(req.Filter.String())
	}
	start := time.Now()
	ids, err := cat.Select(ctx, req.Filter)
	if err != nil {
		return Outcome{}, fmt.Errorf("plot %s: %w", req.Name, err)
	}
	newPlot := catalog.NewPlot{Name: req.Name, Filter: req.Filter, ModelID: model.ID, Params: paramsOf(req.Options, ids)}
	if !req.Force {
		if info, fresh, err := upToDate(ctx, cat, newPlot); err != nil || fresh {
			return Outcome{Info: info, Reused: fresh}, err
		}
	}
	in, err := cat.PlotInput(ctx, model.ID, ids)
	if err != nil {
		return Outcome{}, fmt.Errorf("plot %s: %w", req.Name, err)
	}
	if len(in.Images) == 0 {
		return Outcome{}, fmt.Errorf("plot %s: none of the %d selected images has a %s vector (re-run pixplot ingest)",
			req.Name, len(ids), model.Name)
	}
	selection := time.Since(start)
	id, existing, err := cat.BeginPlot(ctx, newPlot, req.Force)
	if err != nil {
		return Outcome{}, err
	}
	if existing != nil { // made meanwhile by another process
		return Outcome{Info: *existing, Reused: true}, nil
	}
	res, err := computePlot(ctx, cat, id, in, req.Options, report)
	if err != nil {
		// The plot is marked failed even when ctx was cancelled.
		if ferr := cat.FailPlot(context.WithoutCancel(ctx), id, err); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return Outcome{}, fmt.Errorf("plot %s: %w", req.Name, err)
	}
	result := storedResult(res, selection)
	if len(in.Missing) > 0 {
		result.Warnings = append(result.Warnings, fmt.Sprintf("%d of the %d selected images have no %s vector and are left out (first: image %d)",
			len(in.Missing), len(ids), model.Name, in.Missing[0]))
	}
	if err := cat.FinishPlot(ctx, id, result); err != nil {
		return Outcome{}, err
	}
	info, err := cat.Plot(ctx, req.Name)
	return Outcome{Info: info}, err
}

// upToDate reports whether the stored plot of p's name is ready and made
// from exactly p; a ready plot of that name made from another selection
// of the same filter is an error that says so.
func upToDate(ctx context.Context, cat *catalog.Catalog, p catalog.NewPlot) (catalog.PlotInfo, bool, error) {
	info, err := cat.Plot(ctx, p.Name)
	if errors.Is(err, catalog.ErrNotFound) || (err == nil && info.Status != catalog.PlotReady) {
		return info, false, nil
	}
	if err != nil {
		return info, false, err
	}
	fingerprint, err := p.Fingerprint()
	if err != nil || info.Fingerprint == fingerprint {
		return info, err == nil, err
	}
	var stored params
	if json.Unmarshal(info.Params, &stored) == nil {
		asked := p.Params.(params)
		sameButSelection := stored
		sameButSelection.Images, sameButSelection.Selection = asked.Images, asked.Selection
		if reflect.DeepEqual(sameButSelection, asked) && info.Filter == p.Filter.String() && info.ModelID == p.ModelID {
			return info, false, fmt.Errorf("%w: the filter of plot %q now selects %d images, it had %d: --force recomputes it",
				catalog.ErrPlotExists, p.Name, asked.Images, stored.Images)
		}
	}
	return info, false, nil // BeginPlot explains the difference
}

// computePlot runs the pipeline on in, streaming atlases into running plot
// id and recording its progress there.
func computePlot(ctx context.Context, cat *catalog.Catalog, id int64, in catalog.PlotInput, opts plot.Options,
	report func(plot.Progress)) (*plot.Result, error) {
	images := make([]plot.Image, len(in.Images))
	for i, img := range in.Images {
		images[i] = plot.Image(img)
	}
	heartbeat := &progressRecorder{ctx: ctx, cat: cat, id: id}
	opts.Progress = func(p plot.Progress) {
		if report != nil {
			report(p)
		}
		heartbeat.record(p)
	}
	opts.OnSheet = func(tier int, s atlas.Sheet) error {
		return cat.PutPlotAtlas(ctx, id, tier, catalog.Sheet(s))
	}
	res, err := plot.Run(ctx, plot.Input{Images: images, Vectors: in.Vectors, Dim: in.Dims, Thumbnails: cat}, opts)
	if err == nil {
		err = heartbeat.err
	}
	return res, err
}

// progressRecorder writes a running plot's stage to the catalog ("umap
// 120/500"), at most once a second: the viewer shows it, and it is the
// plot's heartbeat.
type progressRecorder struct {
	ctx     context.Context
	cat     *catalog.Catalog
	id      int64
	mu      sync.Mutex
	stage   string
	written time.Time
	err     error // the first failure: the plot was removed or taken over
}

func (r *progressRecorder) record(p plot.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || (p.Stage == r.stage && time.Since(r.written) < time.Second) {
		return
	}
	r.stage, r.written = p.Stage, time.Now()
	r.err = r.cat.SetPlotProgress(r.ctx, r.id, progressText(p))
}

// progressText is a short human-readable progress: "umap 120/500".
func progressText(p plot.Progress) string {
	if p.Total <= 1 {
		return p.Stage
	}
	if p.Total >= 1000 {
		return fmt.Sprintf("%s %d%%", p.Stage, 100*p.Done/p.Total)
	}
	return fmt.Sprintf("%s %d/%d", p.Stage, p.Done, p.Total)
}

// storedResult converts a computed plot into what the catalog stores, with
// the selection's time as the first timing.
func storedResult(res *plot.Result, selection time.Duration) catalog.PlotResult {
	out := catalog.PlotResult{ImageIDs: res.ImageIDs, Warnings: res.Warnings,
		Timings: []catalog.Timing{{Stage: plot.StageSelection, Seconds: selection.Seconds()}}}
	for _, t := range res.Timings {
		out.Timings = append(out.Timings, catalog.Timing(t))
	}
	for _, l := range res.Layouts {
		labels := make([]catalog.Label, len(l.Labels))
		for i, lb := range l.Labels {
			labels[i] = catalog.Label(lb)
		}
		stored := catalog.Layout{Name: l.Name, Positions: l.Positions, Labels: labels, CellSize: l.CellSize}
		if l.Variant != nil {
			stored.Variant = (*catalog.LayoutVariant)(l.Variant)
		}
		out.Layouts = append(out.Layouts, stored)
	}
	for _, h := range res.Hotspots {
		out.Hotspots = append(out.Hotspots, catalog.Hotspot(h))
	}
	for _, t := range res.Tiers {
		tier := catalog.Tier{Height: t.Height, Cells: make([]catalog.Cell, len(t.Cells)), Sheets: make([]catalog.Sheet, len(t.Sheets))}
		for i, c := range t.Cells {
			tier.Cells[i] = catalog.Cell(c)
		}
		for i, s := range t.Sheets {
			tier.Sheets[i] = catalog.Sheet(s)
		}
		out.Tiers = append(out.Tiers, tier)
	}
	return out
}

// resolveModel finds the model named or numbered by name, or the active one.
func resolveModel(ctx context.Context, cat *catalog.Catalog, name string) (pixplot.Model, error) {
	if name == "" {
		m, err := cat.ActiveModel(ctx)
		if err != nil {
			return m, fmt.Errorf("the catalog has no embeddings yet: run pixplot ingest first (%w)", err)
		}
		return m, nil
	}
	if id, err := strconv.ParseInt(name, 10, 64); err == nil {
		return cat.Model(ctx, id)
	}
	models, err := cat.Models(ctx)
	if err != nil {
		return pixplot.Model{}, err
	}
	var found []pixplot.Model
	var names []string
	for _, m := range models {
		if m.Name == name {
			found = append(found, m)
		}
		names = append(names, fmt.Sprintf("%d %s/%s", m.ID, m.Name, m.Output))
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return pixplot.Model{}, fmt.Errorf("--model %q: no such model in the catalog (it has: %s)", name, strings.Join(names, ", "))
	}
	return pixplot.Model{}, fmt.Errorf("--model %q names several models; give its id (%s)", name, strings.Join(names, ", "))
}

// DefaultName makes a plot name from a filter's canonical form: its
// words, lower-cased and joined by dashes, at most 64 bytes ("all" for no
// filter).
func DefaultName(canonical string) string {
	words := nameWord.FindAllString(strings.ToLower(canonical), -1)
	name := strings.Join(words, "-")
	if len(name) > 64 {
		name = strings.TrimRight(name[:64], "-")
	}
	if name == "" {
		return "all"
	}
	return name
}

var (
	nameWord = regexp.MustCompile(`[a-z0-9]+`)
	// namePattern is what the viewer accepts as a plot name (viewer/API.md).
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)
