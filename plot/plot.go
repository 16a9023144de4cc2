// Package plot turns a selection of catalogued images into a plot, the way
// PixPlot's pipeline did, in plain Go with no database or network: optional
// PCA pre-reduction of the embeddings, a kNN graph and UMAP (package umap),
// HDBSCAN hotspots (package hdbscan) labelled from the images' metadata, the
// layouts of package layout, and texture atlases of the stored thumbnails
// (package atlas). The same input and options, seed included, give the same
// plot.
//
// The caller (the pixplot command) reads the selection from the catalog and
// stores the Result; Run only needs vectors, per-image metadata and a way to
// read thumbnails.
package plot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/plot/atlas"
	"github.com/pixplot/pixplot/plot/hdbscan"
	"github.com/pixplot/pixplot/plot/knn"
	"github.com/pixplot/pixplot/plot/layout"
)

// Stages of making a plot, in order, as Options.Progress reports them and
// Result.Timings times them. StageSelection is the caller's (reading the
// selection); Run reports the others.
const (
	StageSelection  = "selection"
	StagePCA        = "pca"
	StageKNN        = "knn"
	StageUMAP       = "umap" // Done/Total count optimisation epochs
	StageClustering = "clustering"
	StageLayouts    = "layouts"
	StageVariants   = "variants" // the UMAP layouts of further parameters, when asked for; Done/Total count their epochs
	StageAtlases    = "atlases"  // Done/Total count images drawn over all tiers
)

// What hotspots are clustered on (Options.ClusterOn).
const (
	ClusterOnUMAP = "umap" // the 2-D UMAP layout, as PixPlot's viewer shows it
	ClusterOnPCA  = "pca"  // the PCA-reduced vectors (the raw ones when PCA is off)
)

// MaxHighDimClusterImages is the most images Run clusters in more than two
// dimensions (ClusterOnPCA): HDBSCAN's spanning tree there costs n² distance
// evaluations.
const MaxHighDimClusterImages = 20000

// Image is what Run needs to know of one selected image.
type Image struct {
	ID     int64
	Width  int // pixels, after EXIF orientation: the aspect ratio of its cells
	Height int

	Category string
	Label    string // the class supervised UMAP uses ("" for none)
	Tags     []string
	Year     *int
	Lat, Lng *float64
	X, Y     *float64
}

// ThumbnailSource reads the stored JPEG thumbnails atlases are packed from.
type ThumbnailSource interface {
	// ThumbnailJPEGs returns the thumbnails of one size (pixplot.ThumbCell
	// or pixplot.ThumbLOD) of the images ids, in that order: nil for an
	// image that has none. Run calls it for a sheet's worth of images at a
	// time, from several goroutines at once.
	ThumbnailJPEGs(ctx context.Context, size string, ids []int64) ([][]byte, error)
}

// Input is a selection of images to plot.
type Input struct {
	Images     []Image   // in plot order
	Vectors    []float32 // one embedding per image, Dim values each, row-major
	Dim        int
	Thumbnails ThumbnailSource
}

// Options configure Run. Start from DefaultOptions: zero values are not
// defaults.
type Options struct {
	// NNeighbors (UMAP's n_neighbors, counting the image itself) and
	// MinDist (min_dist) list the UMAP parameters to lay the images out
	// with, each a value or several: every combination makes a UMAP layout
	// (at most MaxUMAPLayouts). The first values make the umap layout, which
	// hotspots, atlases and the other layouts follow; each other
	// combination makes a layout of its own (layout.UMAPVariantName), and
	// every UMAP layout a jittered twin (layout.JitterSuffix).
	NNeighbors []int
	MinDist    []float64
	Metric     knn.Metric // distance between embeddings
	Epochs     int        // UMAP epochs; 0 means umap-learn's (500 up to 10,000 images, else 200)
	Seed       uint64
	Supervised bool // UMAP supervised by Image.Label (images without one are unknown)

	PCADims   int    // reduce embeddings to this many principal components first; 0 turns PCA off
	ClusterOn string // ClusterOnUMAP or ClusterOnPCA
	// MinClusterSize is HDBSCAN's smallest hotspot; 0 means
	// hdbscan.DefaultMinClusterSize(number of images).
	MinClusterSize int
	MaxHotspots    int // keep the largest this many hotspots; 0 keeps all

	CellSize  int // cell tier: cell height in px
	LODSize   int // zoomed-in tier: cell height in px; 0 makes no such tier
	AtlasSize int // atlas sheet side in px

	Threads int // goroutines; 0 means GOMAXPROCS. The plot does not depend on it.
	// Progress, if not nil, is told how each stage advances, one call at a time.
	Progress func(Progress)
	// OnSheet, if not nil, is handed each atlas sheet of a tier (by cell
	// height) as soon as it is encoded, one call at a time and in no
	// particular order, and the Result keeps only the sheets' sizes: a
	// caller that stores sheets as they come never holds them all (about
	// 0.5 GB of JPEG for 100,000 images). An error stops Run.
	OnSheet func(tier int, s atlas.Sheet) error
}

// Progress is how far a stage has come.
type Progress struct {
	Stage       string
	Done, Total int
}

// Defaults of the options (PixPlot's where it had one).
const (
	DefaultNNeighbors = 15
	DefaultMinDist    = 0.01
	// MaxUMAPLayouts bounds the combinations of NNeighbors and MinDist:
	// each costs a UMAP optimisation (PixPlot's sliders showed a handful).
	MaxUMAPLayouts = 9
	DefaultPCADims = 100
	// DefaultMaxHotspots is twice PixPlot's 10: the minimum cluster size
	// grows with the plot (hdbscan.DefaultMinClusterSize), so large plots
	// have more clusters worth listing, and a hotspot panel still reads
	// at 20.
	DefaultMaxHotspots = 20
	// DefaultAtlasSize is the sheet side every WebGL2 browser takes.
	DefaultAtlasSize = 2048
	// Exemplars is how many of its most central images a hotspot lists.
	Exemplars = 5
)

// DefaultOptions returns the default options.
func DefaultOptions() Options {
	return Options{
		NNeighbors:  []int{DefaultNNeighbors},
		MinDist:     []float64{DefaultMinDist},
		Metric:      knn.Cosine,
		PCADims:     DefaultPCADims,
		ClusterOn:   ClusterOnUMAP,
		MaxHotspots: DefaultMaxHotspots,
		CellSize:    pixplot.CellHeight,
		LODSize:     pixplot.LODHeight,
		AtlasSize:   DefaultAtlasSize,
	}
}

// Hotspot is a cluster of similar images (PixPlot's hotspots).
type Hotspot struct {
	ID    int    // 1, 2, … by decreasing size
	Label string // the dominant category or tag, else "Cluster <ID>"
	Size  int
	// Centroid is the mean position of the members in the umap layout.
	Centroid  [2]float32
	Exemplars []int64 // image IDs of the most central members, most central first
	Members   []int   // plot positions (indices into Input.Images), increasing
}

// Tier is the atlases of one cell height.
type Tier struct {
	Height int          // cell height in px (atlases.tier)
	Side   int          // side of a full sheet
	Cells  []atlas.Cell // per image, in plot order
	// Sheets are the atlases by index; their JPEG is nil when
	// Options.OnSheet took it.
	Sheets []atlas.Sheet
}

// Timing is how long a stage took.
type Timing struct {
	Stage   string  `json:"stage"`
	Seconds float64 `json:"seconds"`
}

// Result is a computed plot.
type Result struct {
	ImageIDs []int64 // plot order
	// Layouts: umap, grid, categorical, date, geographic, custom (the
	// last four when the metadata allow them), umap-jitter, then each
	// further UMAP variant followed by its jittered twin.
	Layouts  []layout.Layout
	Hotspots []Hotspot
	Tiers    []Tier // the cell tier, then the zoomed-in one
	Timings  []Timing
	// Warnings say what was made worse than asked, e.g. thumbnails drawn
	// as placeholders.
	Warnings []string
}

// Layout returns the layout called name, or nil.
func (r *Result) Layout(name string) *layout.Layout {
	for i := range r.Layouts {
		if r.Layouts[i].Name == name {
			return &r.Layouts[i]
		}
	}
	return nil
}

// ErrEmpty is returned for a selection of no images.
var ErrEmpty = errors.New("plot: no images selected")

// Run computes the plot of in.
func Run(ctx context.Context, in Input, opts Options) (*Result, error) {
	if err := check(in, opts); err != nil {
		return nil, err
	}
	variants, _ := opts.UMAPVariants() // checked
	r := &run{in: in, opts: opts, res: &Result{}, variants: variants}
	r.res.ImageIDs = make([]int64, len(in.Images))
	for i, img := range in.Images {
		r.res.ImageIDs[i] = img.ID
	}
	steps := []func(context.Context) error{r.reduce, r.embed, r.cluster, r.arrange, r.vary, r.pack}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	r.clock.stop()
	r.res.Timings = r.clock.timings
	return r.res, nil
}

func check(in Input, opts Options) error {
	n := len(in.Images)
	switch {
	case n == 0:
		return ErrEmpty
	case in.Dim < 1 || len(in.Vectors) != n*in.Dim:
		return fmt.Errorf("plot: %d vector values for %d images of %d dimensions", len(in.Vectors), n, in.Dim)
	case in.Thumbnails == nil:
		return errors.New("plot: no thumbnail source")
	}
	if err := opts.Check(); err != nil {
		return err
	}
	for _, img := range in.Images {
		if img.Width <= 0 || img.Height <= 0 {
			return fmt.Errorf("plot: image %d has no pixel size (%d×%d)", img.ID, img.Width, img.Height)
		}
	}
	if opts.Supervised && !hasLabel(in.Images) {
		return errors.New("plot: supervised UMAP needs labels, and no selected image has one (metadata column label)")
	}
	if opts.ClusterOn == ClusterOnPCA && n > MaxHighDimClusterImages {
		return fmt.Errorf("plot: clustering %d images on PCA vectors would take hours (at most %d; cluster on %s instead)",
			n, MaxHighDimClusterImages, ClusterOnUMAP)
	}
	return nil
}

// Check reports the first option Run would refuse whatever the images.
// Errors about the UMAP parameters name them as plot parameters do
// (n_neighbors, min_distance).
func (opts Options) Check() error {
	if _, err := opts.UMAPVariants(); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	switch {
	case opts.Epochs < 0:
		return fmt.Errorf("plot: %d epochs (want at least 1, or 0 for the default)", opts.Epochs)
	case opts.PCADims < 0:
		return fmt.Errorf("plot: %d PCA dimensions (want at least 1, or 0 for no PCA)", opts.PCADims)
	case opts.ClusterOn != ClusterOnUMAP && opts.ClusterOn != ClusterOnPCA:
		return fmt.Errorf("plot: cluster on %q (want %s or %s)", opts.ClusterOn, ClusterOnUMAP, ClusterOnPCA)
	case opts.MinClusterSize < 0 || opts.MinClusterSize == 1:
		return fmt.Errorf("plot: minimum cluster size %d (want at least 2, or 0 for the default)", opts.MinClusterSize)
	case opts.MaxHotspots < 0:
		return fmt.Errorf("plot: %d hotspots at most (want at least 1, or 0 for all)", opts.MaxHotspots)
	case opts.LODSize != 0 && opts.LODSize <= opts.CellSize:
		return fmt.Errorf("plot: zoomed-in cells of %d px are not larger than the %d px cells (use 0 for no zoomed-in tier)", opts.LODSize, opts.CellSize)
	}
	for _, t := range opts.tiers() {
		if _, err := atlas.Pack(nil, nil, t.height, opts.AtlasSize); err != nil {
			return fmt.Errorf("plot: %w", err)
		}
	}
	return nil
}

// UMAPVariants returns the combinations of NNeighbors and MinDist in
// order, n_neighbors first (as PixPlot's itertools.product): the first is
// the umap layout's. Errors name the parameter (n_neighbors,
// min_distance) and the bad value.
func (opts Options) UMAPVariants() ([]layout.Variant, error) {
	if err := opts.CheckUMAPLists("n_neighbors", "min_distance"); err != nil {
		return nil, err
	}
	var out []layout.Variant
	for _, k := range opts.NNeighbors {
		for _, d := range opts.MinDist {
			out = append(out, layout.Variant{NNeighbors: k, MinDist: d})
		}
	}
	return out, nil
}

// CheckUMAPLists checks NNeighbors, MinDist and how many layouts they make,
// calling the two by the names the caller's users know (JSON fields, flags).
func (opts Options) CheckUMAPLists(nNeighbors, minDist string) error {
	if err := checkNNeighbors(opts.NNeighbors); err != nil {
		return fmt.Errorf("%s %w", nNeighbors, err)
	}
	if err := checkMinDists(opts.MinDist); err != nil {
		return fmt.Errorf("%s %w", minDist, err)
	}
	if count := len(opts.NNeighbors) * len(opts.MinDist); count > MaxUMAPLayouts {
		return fmt.Errorf("%s × %s: %d × %d values make %d UMAP layouts (at most %d)",
			nNeighbors, minDist, len(opts.NNeighbors), len(opts.MinDist), count, MaxUMAPLayouts)
	}
	return nil
}

// checkNNeighbors refuses an empty list, a value below 2 and a value given
// twice. The error starts with the value, for the caller to put the
// parameter's name before it.
func checkNNeighbors(values []int) error {
	if len(values) == 0 {
		return errors.New("has no value (want a number of neighbours of at least 2)")
	}
	for i, v := range values {
		if v < 2 {
			return fmt.Errorf("%d: want at least 2 neighbours", v)
		}
		if slices.Contains(values[:i], v) {
			return fmt.Errorf("%d is given twice", v)
		}
	}
	return nil
}

// checkMinDists refuses an empty list, a value outside [0, 1] and a value
// given twice. The error starts with the value, for the caller to put the
// parameter's name before it.
func checkMinDists(values []float64) error {
	if len(values) == 0 {
		return errors.New("has no value (want a number from 0 to 1)")
	}
	for i, v := range values {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("%g: want 0 … 1", v)
		}
		if slices.Contains(values[:i], v) {
			return fmt.Errorf("%g is given twice", v)
		}
	}
	return nil
}

func hasLabel(images []Image) bool {
	for _, img := range images {
		if img.Label != "" {
			return true
		}
	}
	return false
}

// run is one Run's state as it moves through the stages.
type run struct {
	in    Input
	opts  Options
	res   *Result
	clock stopwatch

	progressMu sync.Mutex

	reduced  []float32 // the embeddings after PCA (or the input's)
	dim      int
	variants []layout.Variant // the UMAP parameters; the first are the umap layout's
	graph    *knn.Graph       // the kNN graph for the most neighbours, until the variants are made
	embedded []float32        // the umap layout before normalisation, where the variants start from
	labels   []int            // hotspot of each image (0-based), or hdbscan.Noise
}

// umap is the umap layout, always the first.
func (r *run) umap() *layout.Layout { return &r.res.Layouts[0] }

func (r *run) progress(stage string, done, total int) {
	if r.opts.Progress == nil {
		return
	}
	r.progressMu.Lock()
	defer r.progressMu.Unlock()
	r.opts.Progress(Progress{Stage: stage, Done: done, Total: total})
}

func (r *run) warn(format string, args ...any) {
	r.res.Warnings = append(r.res.Warnings, fmt.Sprintf(format, args...))
}

// stopwatch times consecutive stages.
type stopwatch struct {
	stage   string
	start   time.Time
	timings []Timing
}

// enter ends the current stage, if any, and starts stage.
func (s *stopwatch) enter(stage string) {
	s.stop()
	s.stage, s.start = stage, time.Now()
}

func (s *stopwatch) stop() {
	if s.stage != "" {
		s.timings = append(s.timings, Timing{Stage: s.stage, Seconds: time.Since(s.start).Seconds()})
	}
	s.stage = ""
}

// clusterMinSize is the HDBSCAN minimum cluster size for n images.
func (o Options) clusterMinSize(n int) int {
	if o.MinClusterSize > 0 {
		return o.MinClusterSize
	}
	return hdbscan.DefaultMinClusterSize(n)
}
