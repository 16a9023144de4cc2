package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/plot"
	"github.com/pixplot/pixplot/plot/knn"
	"github.com/pixplot/pixplot/plotjob"
)

func newPlotCmd(g *globalFlags) *cobra.Command {
	var flags plotFlags
	cmd := &cobra.Command{
		Use:   "plot [--where SQL] [--tag T]... [--category C]... [--name NAME]",
		Short: "Compute a plot (UMAP, hotspots, layouts, atlases) of the images a filter selects",
		Long: `Plot selects images with an SQL filter over the catalog view (and/or tags and
categories), projects their embeddings with UMAP, finds hotspots with HDBSCAN,
makes the umap, grid, categorical, date, geographic and custom layouts (the
last four when the metadata allow) and packs the thumbnails into atlases.
Every UMAP layout gets a jittered twin (umap-jitter: the images snapped to a
grid so that none overlap). Several --n-neighbors or --min-distance values
(comma-separated) make a UMAP layout per combination, umap-n<N>-d<D>, the
first combination being the umap layout; the viewer's sliders switch
between them.

A plot is stored under its name. Running the same command again reuses it;
--force recomputes it. The same seed and selection give the same plot.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := flags.request()
			if err != nil {
				return err
			}
			cat, err := g.openCatalog(false)
			if err != nil {
				return err
			}
			defer cat.Close()
			progress := &stageProgress{w: cmd.ErrOrStderr(), terminal: isTerminal(cmd.ErrOrStderr())}
			out, err := plotjob.Make(cmd.Context(), cat, req, progress.report)
			progress.end()
			if err != nil {
				return err
			}
			printPlotOutcome(cmd.OutOrStdout(), out)
			return nil
		},
	}
	flags.register(cmd)
	return cmd
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// plotFlags are the options of `pixplot plot`.
type plotFlags struct {
	where      string
	tags       []string
	categories []string
	name       string
	force      bool
	model      string
	metric     string
	seed       int64
	opts       plot.Options
}

func (p *plotFlags) register(cmd *cobra.Command) {
	d := plot.DefaultOptions()
	f := cmd.Flags()
	f.StringVar(&p.where, "where", "", `SQL condition over the catalog view, e.g. "year < 1900 AND has_tag('maps')"`)
	f.StringArrayVar(&p.tags, "tag", nil, "only images with this tag (repeatable: any of them)")
	f.StringArrayVar(&p.categories, "category", nil, "only images of this category (repeatable: any of them)")
	f.StringVar(&p.name, "name", "", `plot name (default: made from the filter, or "all")`)
	f.BoolVar(&p.force, "force", false, "recompute the plot even if it is up to date, or replace one made with other settings")
	f.StringVar(&p.model, "model", "", "use the embeddings of this model, by name or id (default: the catalog's active model)")
	p.opts.NNeighbors, p.opts.MinDist = d.NNeighbors, d.MinDist
	f.Var(&numberList[int]{values: &p.opts.NNeighbors}, "n-neighbors",
		"UMAP neighbours per image; several (5,15,30) make a UMAP layout each, the first being the umap layout")
	f.Var(&numberList[float64]{values: &p.opts.MinDist}, "min-distance",
		"UMAP minimum distance (0 … 1); several (0.01,0.5) make a UMAP layout each")
	f.StringVar(&p.metric, "metric", d.Metric.String(), "distance between embeddings: cosine, euclidean or correlation")
	f.IntVar(&p.opts.Epochs, "epochs", 0, "UMAP epochs (default: 500 up to 10,000 images, else 200)")
	f.Int64Var(&p.seed, "seed", 1, "random seed: the same seed and selection give the same plot")
	f.BoolVar(&p.opts.Supervised, "supervised", false, "let the label metadata column pull images of a class together")
	f.IntVar(&p.opts.PCADims, "pca-dims", d.PCADims, "reduce embeddings to this many principal components first (0 = off)")
	f.StringVar(&p.opts.ClusterOn, "cluster-on", d.ClusterOn, "find hotspots in the umap layout or in the PCA vectors: umap or pca")
	f.IntVar(&p.opts.MinClusterSize, "min-cluster-size", 0, "smallest hotspot (default: 1% of the images, 5 … 100)")
	f.IntVar(&p.opts.MaxHotspots, "max-hotspots", d.MaxHotspots, "keep the largest this many hotspots (0 = all)")
	f.IntVar(&p.opts.CellSize, "cell-size", d.CellSize, "atlas cell height in px (16 or 8 keep very large plots within GPU memory)")
	f.IntVar(&p.opts.AtlasSize, "atlas-size", d.AtlasSize, "atlas side in px: 2048 (works everywhere) or 4096")
	f.IntVar(&p.opts.LODSize, "lod-size", d.LODSize, "zoomed-in atlas cell height in px (0 = none)")
}

// request checks the flags and turns them into a plot request.
func (p *plotFlags) request() (plotjob.Request, error) {
	req := plotjob.Request{
		Name:   p.name,
		Filter: catalog.Filter{Where: p.where, Tags: p.tags, Categories: p.categories},
		Model:  p.model,
		Force:  p.force,
	}
	if req.Name != "" {
		if err := plotjob.CheckName(req.Name); err != nil {
			return req, fmt.Errorf("--name: %w", err)
		}
	}
	o := p.opts
	m, err := knn.ParseMetric(p.metric)
	if err != nil {
		return req, fmt.Errorf("--metric: %w", err)
	}
	o.Metric = m
	if p.seed < 0 {
		return req, fmt.Errorf("--seed %d: want 0 or more", p.seed)
	}
	o.Seed = uint64(p.seed)
	if err := o.CheckUMAPLists("--n-neighbors", "--min-distance"); err != nil {
		return req, err
	}
	if o.AtlasSize != 2048 && o.AtlasSize != 4096 {
		return req, fmt.Errorf("--atlas-size %d: want 2048 or 4096", o.AtlasSize)
	}
	req.Options = o
	return req, nil
}

// numberList is a flag of comma-separated numbers: given, it replaces the
// default; given again, it adds to the list.
type numberList[T int | float64] struct {
	values *[]T
	set    bool
}

func (l *numberList[T]) String() string {
	if l.values == nil {
		return ""
	}
	parts := make([]string, len(*l.values))
	for i, v := range *l.values {
		parts[i] = strconv.FormatFloat(float64(v), 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

func (l *numberList[T]) Set(text string) error {
	if !l.set {
		*l.values, l.set = nil, true
	}
	for _, part := range strings.Split(text, ",") {
		v, err := parseNumber[T](strings.TrimSpace(part))
		if err != nil {
			return err
		}
		*l.values = append(*l.values, v)
	}
	return nil
}

func (l *numberList[T]) Type() string {
	var zero T
	if _, whole := any(zero).(int); whole {
		return "ints"
	}
	return "numbers"
}

func parseNumber[T int | float64](text string) (T, error) {
	var zero T
	if _, whole := any(zero).(int); whole {
		v, err := strconv.Atoi(text)
		if err != nil {
			return zero, fmt.Errorf("%q is not a whole number", text)
		}
		return T(v), nil
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return zero, fmt.Errorf("%q is not a number", text)
	}
	return T(v), nil
}

// printPlotOutcome summarises a plot: what it holds and how long each stage took.
func printPlotOutcome(w io.Writer, out plotjob.Outcome) {
	p := out.Info
	if out.Reused {
		fmt.Fprintf(w, "plot %s is up to date (--force recomputes it)\n", p.Name)
	}
	fmt.Fprintf(w, "plot %s: %d images, layouts %s, %d hotspots, atlas tiers %v px\n",
		p.Name, p.ImageCount, strings.Join(p.Layouts, ", "), p.Hotspots, p.Tiers)
	if !out.Reused {
		printTimings(w, p.Timings)
	}
	for _, warning := range p.Warnings {
		fmt.Fprintln(w, "warning:", warning)
	}
}

// printTimings writes one line per stage, and the total.
func printTimings(w io.Writer, timings []catalog.Timing) {
	var total float64
	for _, t := range timings {
		fmt.Fprintf(w, "  %-11s %7.2f s\n", t.Stage, t.Seconds)
		total += t.Seconds
	}
	fmt.Fprintf(w, "  %-11s %7.2f s\n", "total", total)
}

// stageProgress shows plot.Progress on w: a bar redrawn in place on a
// terminal; otherwise a line when a stage starts and at each quarter of it.
type stageProgress struct {
	w        io.Writer
	terminal bool
	mu       sync.Mutex
	stage    string
	quarter  int
	drawn    time.Time
}

func (s *stageProgress) report(p plot.Progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	newStage := p.Stage != s.stage
	if newStage {
		if s.terminal && s.stage != "" {
			fmt.Fprintln(s.w)
		}
		s.stage, s.quarter = p.Stage, 0
	}
	if s.terminal {
		if newStage || p.Done == p.Total || time.Since(s.drawn) > 100*time.Millisecond {
			fmt.Fprint(s.w, "\r\x1b[K"+progressBar(p))
			s.drawn = time.Now()
		}
		return
	}
	quarter := 0
	if p.Total > 0 {
		quarter = 4 * p.Done / p.Total
	}
	if newStage || (p.Total > 1 && quarter > s.quarter) {
		fmt.Fprintf(s.w, "plot: %s %d/%d\n", p.Stage, p.Done, p.Total)
		s.quarter = quarter
	}
}

// end finishes the bar's line on a terminal.
func (s *stageProgress) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.terminal && s.stage != "" {
		fmt.Fprintln(s.w)
	}
	s.stage = ""
}

func progressBar(p plot.Progress) string {
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = width * min(p.Done, p.Total) / p.Total
	}
	return fmt.Sprintf("%-10s [%s%s] %d/%d", p.Stage, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.Done, p.Total)
}
