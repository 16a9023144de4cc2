package umap

import (
	"fmt"
	"math"

	"github.com/pixplot/pixplot/plot/knn"
)

// Init chooses the starting layout of the optimisation.
type Init string

// Initial layouts, as umap-learn names them.
const (
	InitSpectral Init = "spectral" // eigenvectors of the graph's normalised Laplacian
	InitPCA      Init = "pca"      // first two principal components of the input
	InitRandom   Init = "random"   // uniform in [−10, 10]²
)

// Stages reported to Options.Progress.
const (
	StageNeighbours = "neighbours" // kNN graph: 0 of 1, then knn.Options.Progress steps
	StageGraph      = "graph"      // fuzzy simplicial set
	StageInit       = "init"       // initial layout
	StageLayout     = "layout"     // done epochs of total
)

// Options configure Embed. The zero value of a field takes the default
// named in its comment (umap-learn's, except MinDist, where PixPlot's
// 0.01 is used).
type Options struct {
	NNeighbors int        // neighbours per point, counting itself; 15
	MinDist    float64    // how tightly points may pack; 0.01 (0 is taken as the default too; use a tiny positive value for 0)
	Spread     float64    // scale of the embedded points; 1
	Metric     knn.Metric // input distance; Euclidean (its zero value)
	NEpochs    int        // optimisation epochs; 500 for n ≤ 10000, else 200
	Seed       uint64     // same seed and input give the same output
	Init       Init       // "spectral" (default), "pca" or "random"

	// Labels, when not nil, supervise the layout (umap-learn's categorical
	// target): one label per point, -1 for unknown.
	Labels []int
	// TargetWeight balances data (0) against labels (1); 0.5.
	TargetWeight float64

	LearningRate       float64 // initial SGD step; 1
	RepulsionStrength  float64 // gamma, weight of negative samples; 1
	NegativeSampleRate int     // negative samples per positive sample; 5

	Threads int // goroutines; 0 means GOMAXPROCS. The output does not depend on it.
	// Progress, if not nil, is called as the stages advance (see the Stage
	// constants) from the calling goroutine.
	Progress func(stage string, done, total int)

	// Neighbours tunes the kNN graph search (Method, Descent); its K,
	// Metric, Threads, Seed and Progress are set from the fields above.
	Neighbours knn.Options

	// Graph, when not nil, is the kNN graph of the data to use instead of
	// building one: from Neighbours, with at least NNeighbors columns
	// (fewer only when the data have fewer points), of which each row's
	// first NNeighbors are taken. One graph, built for the largest
	// NNeighbors, serves several embeddings of the same data.
	Graph *knn.Graph
	// Initial, when not nil, is the starting layout in place of Init: an
	// (x, y) pair per point, such as another embedding of the same points
	// (umap-learn's init=array).
	Initial []float32
}

// Default values of Options.
const (
	DefaultNNeighbors   = 15
	DefaultMinDist      = 0.01
	DefaultSpread       = 1.0
	DefaultTargetWeight = 0.5
)

func (o Options) withDefaults(n int) (Options, error) {
	if o.NNeighbors == 0 {
		o.NNeighbors = DefaultNNeighbors
	}
	if o.MinDist == 0 {
		o.MinDist = DefaultMinDist
	}
	if o.Spread == 0 {
		o.Spread = DefaultSpread
	}
	if o.Init == "" {
		o.Init = InitSpectral
	}
	if o.TargetWeight == 0 {
		o.TargetWeight = DefaultTargetWeight
	}
	if o.LearningRate == 0 {
		o.LearningRate = 1
	}
	if o.RepulsionStrength == 0 {
		o.RepulsionStrength = 1
	}
	if o.NegativeSampleRate == 0 {
		o.NegativeSampleRate = 5
	}
	switch {
	case o.NNeighbors < 2:
		return o, fmt.Errorf("umap: NNeighbors = %d (want ≥ 2)", o.NNeighbors)
	case o.MinDist < 0 || o.Spread <= 0 || o.MinDist > o.Spread:
		return o, fmt.Errorf("umap: MinDist = %g, Spread = %g (want 0 ≤ MinDist ≤ Spread, Spread > 0)", o.MinDist, o.Spread)
	case o.NEpochs < 0:
		return o, fmt.Errorf("umap: NEpochs = %d (want ≥ 0; 0 picks the default)", o.NEpochs)
	case o.Init != InitSpectral && o.Init != InitPCA && o.Init != InitRandom:
		return o, fmt.Errorf("umap: Init = %q (want spectral, pca or random)", o.Init)
	case o.TargetWeight < 0 || o.TargetWeight > 1:
		return o, fmt.Errorf("umap: TargetWeight = %g (want 0 … 1)", o.TargetWeight)
	case o.Labels != nil && len(o.Labels) != n:
		return o, fmt.Errorf("umap: %d labels for %d points", len(o.Labels), n)
	case o.LearningRate < 0 || o.RepulsionStrength < 0 || o.NegativeSampleRate < 0:
		return o, fmt.Errorf("umap: negative LearningRate, RepulsionStrength or NegativeSampleRate")
	}
	if err := o.checkGiven(n); err != nil {
		return o, err
	}
	for i, l := range o.Labels {
		if l < -1 {
			return o, fmt.Errorf("umap: label of point %d is %d (want ≥ 0, or -1 for unknown)", i, l)
		}
	}
	if o.NEpochs == 0 {
		o.NEpochs = 200
		if n <= 10000 {
			o.NEpochs = 500
		}
	}
	return o, nil
}

func (o Options) progress(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, done, total)
	}
}

// checkGiven checks Graph and Initial against the n points.
func (o Options) checkGiven(n int) error {
	if g := o.Graph; g != nil && (g.Len() != n || g.K < min(o.NNeighbors, n-1)) {
		return fmt.Errorf("umap: the given kNN graph has %d neighbours of %d points (want at least %d of %d)",
			g.K, g.Len(), min(o.NNeighbors, n-1), n)
	}
	if o.Initial == nil {
		return nil
	}
	if len(o.Initial) != 2*n {
		return fmt.Errorf("umap: the initial layout has %d coordinates for %d points (want %d)", len(o.Initial), n, 2*n)
	}
	for i, v := range o.Initial {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("umap: the initial layout's point %d has coordinate %v", i/2, v)
		}
	}
	return nil
}
