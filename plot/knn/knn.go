// Package knn builds k-nearest-neighbour graphs of float32 vectors: exactly
// with blocked matrix products for small inputs, and with NN-descent seeded
// by a random-projection forest (as pynndescent, which umap-learn uses) for
// large ones. Both are deterministic for a given seed, whatever the number of
// threads.
//
// A graph follows umap-learn's convention: each point is its own first
// neighbour (distance 0), so K neighbours are the point and its K-1 nearest
// others.
package knn

import (
	"fmt"
	"math"
	"strings"

	"github.com/pixplot/pixplot/plot/internal/parallel"
)

// Metric is a distance between input vectors.
type Metric int

// The supported metrics, named as in umap-learn.
const (
	Euclidean   Metric = iota // ‖x−y‖
	Cosine                    // 1 − x·y/(‖x‖‖y‖)
	Correlation               // cosine distance of the mean-centred vectors
)

// String returns the umap-learn name of the metric.
func (m Metric) String() string {
	switch m {
	case Euclidean:
		return "euclidean"
	case Cosine:
		return "cosine"
	case Correlation:
		return "correlation"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// ParseMetric reads a metric name ("euclidean", "cosine", "correlation").
func ParseMetric(name string) (Metric, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "euclidean", "l2":
		return Euclidean, nil
	case "cosine":
		return Cosine, nil
	case "correlation":
		return Correlation, nil
	}
	return 0, fmt.Errorf("knn: unknown metric %q (want euclidean, cosine or correlation)", name)
}

// Method chooses how the graph is computed.
type Method int

// Methods. Auto picks Exact when the pairwise work is small (see
// ExactBudget) and Descent otherwise.
const (
	Auto Method = iota
	Exact
	Descent
)

// ExactBudget is the largest n²·(dim+16) for which Auto computes the graph
// exactly (the 16 stands for the neighbour selection): about a quarter of a
// second on two cores, n ≈ 4,600 at 100 dimensions, close to umap-learn's
// exact limit of 4,096 points. Beyond it NN-descent is much faster (20,000
// points in 50 dimensions: 0.4 s against 8 s) at recall@15 above 0.99.
const ExactBudget = 2.5e9

// Graph is a k-nearest-neighbour graph. Row i of Indices and Distances holds
// the neighbours of point i by increasing distance; Indices[i*K] is i itself.
// A missing neighbour (fewer than K reachable points) has index -1 and an
// infinite distance.
type Graph struct {
	K         int
	Indices   []int32
	Distances []float32
}

// Len is the number of points.
func (g *Graph) Len() int {
	if g.K == 0 {
		return 0
	}
	return len(g.Indices) / g.K
}

// Row returns the neighbour indices and distances of point i.
func (g *Graph) Row(i int) ([]int32, []float32) {
	return g.Indices[i*g.K : (i+1)*g.K], g.Distances[i*g.K : (i+1)*g.K]
}

// Nearest returns the graph of each point's k nearest neighbours in g, its
// rows' first k columns (g itself when k is g.K). Taken from a graph built
// for more neighbours, they are the graph Build makes for k (Exact; up to
// ties) or one at least as good (Descent, whose recall grows with K).
func (g *Graph) Nearest(k int) *Graph {
	if k >= g.K {
		return g
	}
	n := g.Len()
	out := &Graph{K: k, Indices: make([]int32, 0, n*k), Distances: make([]float32, 0, n*k)}
	for i := range n {
		idx, dist := g.Row(i)
		out.Indices = append(out.Indices, idx[:k]...)
		out.Distances = append(out.Distances, dist[:k]...)
	}
	return out
}

// Options configure Build.
type Options struct {
	// K is the number of neighbours per point, counting the point itself
	// (umap-learn's n_neighbors). It must be between 1 and the number of points.
	K       int
	Metric  Metric
	Method  Method
	Threads int    // goroutines; 0 means GOMAXPROCS. Results do not depend on it.
	Seed    uint64 // seeds the forest and NN-descent sampling
	// Descent tunes NN-descent; zero fields take umap-learn's values.
	Descent DescentOptions
	// Progress, if not nil, is called from the calling goroutine as the work
	// advances: done of total steps (query blocks for Exact; trees, then
	// rounds for Descent, jumping to total when NN-descent converges early).
	Progress func(done, total int)
}

func (o Options) progress(done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}

// Build computes the K-nearest-neighbour graph of the rows of data (n rows
// of dim float32 values, row-major).
func Build(data []float32, dim int, opts Options) (*Graph, error) {
	n, err := CheckData(data, dim)
	if err != nil {
		return nil, fmt.Errorf("knn: %w", err)
	}
	if opts.K < 1 || opts.K > n {
		return nil, fmt.Errorf("knn: K = %d neighbours for %d points (want 1 ≤ K ≤ n)", opts.K, n)
	}
	if opts.Metric < Euclidean || opts.Metric > Correlation {
		return nil, fmt.Errorf("knn: unknown metric %v", opts.Metric)
	}
	s := newSpace(data, dim, opts.Metric, opts.Threads)
	method := opts.Method
	if method == Auto {
		method = Descent
		if float64(n)*float64(n)*float64(dim+16) <= ExactBudget {
			method = Exact
		}
	}
	var g *Graph
	switch method {
	case Exact:
		g = s.exact(opts.K, opts.Threads, opts.progress)
	case Descent:
		g = s.descent(opts.K, opts.Seed, opts.Threads, opts.Descent, opts.progress)
	default:
		return nil, fmt.Errorf("knn: unknown method %d", method)
	}
	return g, nil
}

// CheckData validates a row-major matrix and returns its number of rows: the
// length must be a non-zero multiple of dim and every value finite. Errors
// name the offending row and column.
func CheckData(data []float32, dim int) (int, error) {
	if dim < 1 {
		return 0, fmt.Errorf("dimension %d (want ≥ 1)", dim)
	}
	if len(data)%dim != 0 {
		return 0, fmt.Errorf("%d values is not a whole number of %d-dimensional rows", len(data), dim)
	}
	n := len(data) / dim
	if n == 0 {
		return 0, fmt.Errorf("no rows")
	}
	for i, v := range data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, fmt.Errorf("row %d column %d is %v (want a finite number)", i/dim, i%dim, v)
		}
	}
	return n, nil
}

// space holds the vectors in the form the search works on: unit vectors for
// the angular metrics (distance 1 − x·y) and centred vectors with squared
// norms for euclidean (squared distance ‖x‖²+‖y‖²−2x·y; centring keeps the
// norms small, so the subtraction loses little precision).
type space struct {
	metric Metric
	dim    int
	n      int
	vecs   []float32
	sqNorm []float32 // euclidean only
}

func newSpace(data []float32, dim int, metric Metric, threads int) *space {
	n := len(data) / dim
	s := &space{metric: metric, dim: dim, n: n, vecs: make([]float32, len(data))}
	copy(s.vecs, data)
	if metric == Euclidean {
		mean := make([]float64, dim)
		for i := range n {
			for j, v := range data[i*dim : (i+1)*dim] {
				mean[j] += float64(v)
			}
		}
		s.sqNorm = make([]float32, n)
		parallel.Range(n, 4096, threads, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				row := s.vecs[i*dim : (i+1)*dim]
				var sq float64
				for j := range row {
					row[j] -= float32(mean[j] / float64(n))
					sq += float64(row[j]) * float64(row[j])
				}
				s.sqNorm[i] = float32(sq)
			}
		})
		return s
	}
	parallel.Range(n, 4096, threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := s.vecs[i*dim : (i+1)*dim]
			if metric == Correlation {
				var mean float64
				for _, v := range row {
					mean += float64(v)
				}
				mean /= float64(dim)
				for j := range row {
					row[j] -= float32(mean)
				}
			}
			var sq float64
			for _, v := range row {
				sq += float64(v) * float64(v)
			}
			if sq > 0 {
				inv := float32(1 / math.Sqrt(sq))
				for j := range row {
					row[j] *= inv
				}
			}
		}
	})
	return s
}

func (s *space) row(i int32) []float32 {
	return s.vecs[int(i)*s.dim : (int(i)+1)*s.dim]
}

// dist is the search distance between points p and q: squared euclidean or
// 1 − cosine similarity. It is monotone in the metric distance.
func (s *space) dist(p, q int32) float32 {
	d := dot(s.row(p), s.row(q))
	if s.metric == Euclidean {
		return s.sqNorm[p] + s.sqNorm[q] - 2*d
	}
	return 1 - d
}

// metricDistance converts a search distance to the metric's distance.
func (s *space) metricDistance(d float32) float32 {
	d = max(d, 0)
	if s.metric == Euclidean {
		return float32(math.Sqrt(float64(d)))
	}
	return d
}

// parallelRows calls fn(i) for every i in [0, n) on up to threads goroutines.
func parallelRows(n, threads int, fn func(i int)) {
	parallel.Range(n, 256, threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}

// Recall is the fraction of g's neighbours (not counting each point itself)
// that are among truth's, where truth is an exact graph with the same K.
// A neighbour tied in distance with truth's farthest counts as found.
func (g *Graph) Recall(truth *Graph) float64 {
	n := g.Len()
	if n == 0 || g.K < 2 || truth.Len() != n || truth.K != g.K {
		return 0
	}
	found, total := 0, 0
	for i := range n {
		_, dist := g.Row(i)
		_, trueDist := truth.Row(i)
		limit := trueDist[g.K-1]
		limit += limit * 1e-5
		for j := 1; j < g.K; j++ {
			if trueDist[j] == float32(math.Inf(1)) {
				continue
			}
			total++
			if dist[j] <= limit {
				found++
			}
		}
	}
	if total == 0 {
		return 1
	}
	return float64(found) / float64(total)
}
