// Package hdbscan clusters points with HDBSCAN* (Campello, Moulavi & Sander
// 2013; McInnes & Healy 2017), as the Python hdbscan library and R's
// dbscan::hdbscan do:
//
//  1. core distance of a point: distance to its MinSamples-th nearest point,
//     the point itself counted (R's minPts - 1 nearest others);
//  2. mutual-reachability distance max(core(a), core(b), d(a, b));
//  3. its minimum spanning tree: Borůvka over a kd-tree for up to
//     KDTreeMaxDim dimensions (O(n log n) in practice, O(n) memory), Prim on
//     the implicit complete graph above that (O(n²) time, O(n) memory);
//  4. the single-linkage tree, condensed with MinClusterSize;
//  5. clusters picked by excess of mass ("eom") or as the leaves ("leaf");
//  6. labels (Noise = -1), membership probabilities and stabilities.
//
// No n×n matrix is ever built.
package hdbscan

import (
	"fmt"
	"math"
	"slices"
)

// Noise is the label of points that belong to no cluster.
const Noise = -1

// KDTreeMaxDim is the most dimensions for which core distances and the
// spanning tree use a kd-tree; above it a kd-tree prunes too little and the
// pairwise (Prim) path is faster.
const KDTreeMaxDim = 8

// Selection is how clusters are picked from the condensed tree.
type Selection string

// Selection methods.
const (
	// ExcessOfMass keeps the most stable clusters (HDBSCAN's default).
	ExcessOfMass Selection = "eom"
	// Leaf keeps the finest clusters: those that never split again.
	Leaf Selection = "leaf"
)

// Options configure Cluster. The zero value of every field but
// MinClusterSize means the library default.
type Options struct {
	// MinClusterSize is the fewest points a cluster may have (≥ 2).
	MinClusterSize int
	// MinSamples is the neighbourhood size of the core distance, the point
	// itself counted; 0 means MinClusterSize, which is R dbscan's single
	// minPts and the Python library's default.
	MinSamples int
	// Selection is ExcessOfMass ("" means that) or Leaf.
	Selection Selection
	// AllowSingleCluster lets the whole data set be the one cluster; when it
	// is selected, every point is a member (the least dense ones with low
	// probabilities).
	AllowSingleCluster bool
}

// Result is a clustering of n points.
type Result struct {
	// Labels is the cluster of each point, 0 … NumClusters()-1, or Noise.
	// Clusters are numbered by decreasing size (ties by tree order).
	Labels []int
	// Probabilities is each point's membership strength in its cluster, in
	// [0, 1]: λ at which it leaves the cluster over the cluster's largest λ
	// (as the Python library computes it); 0 for noise.
	Probabilities []float64
	// Stabilities is each cluster's excess of mass, Σ (λ_leave − λ_birth)
	// over its points, the measure EOM maximises (λ = 1/distance); +Inf for
	// a cluster holding MinSamples or more equal points.
	Stabilities []float64
	// Sizes is each cluster's number of points.
	Sizes []int
}

// NumClusters is the number of clusters found.
func (r *Result) NumClusters() int { return len(r.Sizes) }

// Members returns the points labelled cluster, in increasing order.
func (r *Result) Members(cluster int) []int {
	var m []int
	for i, l := range r.Labels {
		if l == cluster {
			m = append(m, i)
		}
	}
	return m
}

// Float is the element type of input points.
type Float interface{ ~float32 | ~float64 }

// Cluster runs HDBSCAN on data, n points of dim coordinates each stored
// row-major. Fewer points than MinClusterSize are all noise.
func Cluster[T Float](data []T, dim int, opts Options) (*Result, error) {
	points, err := toFloat64(data, dim)
	if err != nil {
		return nil, err
	}
	opts, err = opts.withDefaults()
	if err != nil {
		return nil, err
	}
	n := len(points) / dim
	if n < opts.MinClusterSize {
		return allNoise(n), nil
	}
	mst := spanningTree(points, dim, opts.MinSamples, dim <= KDTreeMaxDim)
	return extract(condense(singleLinkage(n, mst), opts.MinClusterSize), opts), nil
}

func (o Options) withDefaults() (Options, error) {
	if o.MinClusterSize < 2 {
		return o, fmt.Errorf("hdbscan: MinClusterSize = %d (want ≥ 2)", o.MinClusterSize)
	}
	if o.MinSamples < 0 {
		return o, fmt.Errorf("hdbscan: MinSamples = %d (want ≥ 1, or 0 for MinClusterSize)", o.MinSamples)
	}
	if o.MinSamples == 0 {
		o.MinSamples = o.MinClusterSize
	}
	switch o.Selection {
	case "":
		o.Selection = ExcessOfMass
	case ExcessOfMass, Leaf:
	default:
		return o, fmt.Errorf("hdbscan: unknown Selection %q (want %q or %q)", o.Selection, ExcessOfMass, Leaf)
	}
	return o, nil
}

// DefaultMinClusterSize is a MinClusterSize that grows with the number of
// points: 1% of them, at least 5 and at most 100. PixPlot used a fixed 20
// (right for about 2,000 images); a fixed size finds hundreds of tiny
// clusters in 100,000 images and none in 50.
func DefaultMinClusterSize(n int) int {
	return min(max(n/100, 5), 100)
}

// toFloat64 checks the shape and values of data and converts it.
func toFloat64[T Float](data []T, dim int) ([]float64, error) {
	if dim < 1 {
		return nil, fmt.Errorf("hdbscan: dimension %d (want ≥ 1)", dim)
	}
	if len(data)%dim != 0 {
		return nil, fmt.Errorf("hdbscan: %d values do not make rows of %d coordinates", len(data), dim)
	}
	points := make([]float64, len(data))
	for i, v := range data {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("hdbscan: point %d, coordinate %d is %v", i/dim, i%dim, f)
		}
		points[i] = f
	}
	return points, nil
}

func allNoise(n int) *Result {
	r := &Result{Labels: make([]int, n), Probabilities: make([]float64, n)}
	for i := range r.Labels {
		r.Labels[i] = Noise
	}
	return r
}

// spanningTree computes core distances (k nearest points, self included,
// capped at n) and the mutual-reachability minimum spanning tree.
func spanningTree(points []float64, dim, k int, useTree bool) []edge {
	n := len(points) / dim
	k = min(k, n)
	if useTree {
		t := newKDTree(points, dim)
		return boruvkaMST(t, t.coreDistances(k))
	}
	return primMST(points, dim, bruteCoreDistances(points, dim, k).core2)
}

// extract selects clusters and labels the points.
func extract(ct *condensedTree, opts Options) *Result {
	var selected []bool
	if opts.Selection == Leaf {
		selected = ct.selectLeaves(opts.AllowSingleCluster)
	} else {
		selected = ct.selectEOM(opts.AllowSingleCluster)
	}
	anc := ct.selectedAncestor(selected)
	n := len(ct.pointCluster)
	clusterOf := make([]int32, n)
	sizes := make([]int, ct.numClusters())
	for p, c := range ct.pointCluster {
		clusterOf[p] = anc[c]
		if anc[c] >= 0 {
			sizes[anc[c]]++
		}
	}
	label := numberBySize(selected, sizes)
	stability := ct.stabilities()
	death := ct.deaths()
	r := allNoise(n)
	count := 0
	for _, s := range selected {
		if s {
			count++
		}
	}
	r.Sizes = make([]int, count)
	r.Stabilities = make([]float64, count)
	for c, l := range label {
		if l >= 0 {
			r.Sizes[l] = sizes[c]
			r.Stabilities[l] = stability[c]
		}
	}
	for p, c := range clusterOf {
		if c < 0 {
			continue
		}
		r.Labels[p] = label[c]
		r.Probabilities[p] = membership(ct.pointLambda[p], death[c])
	}
	return r
}

// numberBySize gives the selected clusters labels 0, 1, … by decreasing
// size (ties by id); other clusters get -1.
func numberBySize(selected []bool, sizes []int) []int {
	var ids []int
	for c, s := range selected {
		if s {
			ids = append(ids, c)
		}
	}
	slices.SortStableFunc(ids, func(a, b int) int { return sizes[b] - sizes[a] })
	label := make([]int, len(selected))
	for c := range label {
		label[c] = Noise
	}
	for l, c := range ids {
		label[c] = l
	}
	return label
}

// membership is λ_point / λ_death capped at 1, with 1 for points that never
// leave (λ = ∞) and for clusters that die at λ = 0.
func membership(lambda, death float64) float64 {
	if death == 0 || math.IsInf(lambda, 1) {
		return 1
	}
	return min(lambda, death) / death
}
