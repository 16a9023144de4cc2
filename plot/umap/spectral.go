package umap

import (
	"math"

	"github.com/pixplot/pixplot/plot/internal/parallel"
	"github.com/pixplot/pixplot/plot/internal/rng"
	"github.com/pixplot/pixplot/plot/knn"
	"github.com/pixplot/pixplot/plot/pca"
)

// layoutDim is the dimension of the embedding.
const layoutDim = 2

// spectralTolerance is the eigen-solver accuracy umap-learn asks of ARPACK.
const spectralTolerance = 1e-4

// spectralMaxMatvec bounds the eigen-solver's work (Fashion-MNIST 70k
// converges in 160 products); an unconverged result still spans nearly the
// right subspace, which is all an initial layout needs.
const spectralMaxMatvec = 600

// spectralLayout places the points by the eigenvectors of the graph's
// symmetric normalised Laplacian I − D^(−½)·W·D^(−½) with the 2 smallest
// non-trivial eigenvalues, as umap-learn's spectral_layout. A disconnected
// graph is laid out component by component (multiComponentLayout). The
// result is n×2, row-major.
func spectralLayout(g *graph, data []float32, dim int, metric knn.Metric, seed uint64, threads int) []float64 {
	labels, count := g.components()
	if count > 1 {
		return multiComponentLayout(g, labels, count, data, dim, metric, seed, threads)
	}
	vecs := laplacianEigenmap(g, seed, threads)
	out := make([]float64, g.n*layoutDim)
	for i := range g.n {
		for d := range layoutDim {
			out[i*layoutDim+d] = vecs[d][i]
		}
	}
	return out
}

// laplacianEigenmap returns the 2 eigenvectors of a connected graph's
// normalised Laplacian after the trivial one. They are the top non-trivial
// eigenvectors of D^(−½)·W·D^(−½), whose top one, D^(½)·1, is known.
func laplacianEigenmap(g *graph, seed uint64, threads int) [][]float64 {
	n := g.n
	invSqrtDeg := make([]float64, n)
	trivial := make([]float64, n)
	for i := range n {
		var deg float64
		for _, v := range g.vals[g.rowStart[i]:g.rowStart[i+1]] {
			deg += float64(v)
		}
		invSqrtDeg[i] = 1 / math.Sqrt(deg)
		trivial[i] = math.Sqrt(deg)
	}
	normalise(trivial)
	op := symmetricOperator{n: n, apply: func(dst, src []float64) {
		parallel.Range(n, 2048, threads, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				var s float64
				for p := g.rowStart[i]; p < g.rowStart[i+1]; p++ {
					j := g.cols[p]
					s += float64(g.vals[p]) * invSqrtDeg[j] * src[j]
				}
				dst[i] = invSqrtDeg[i] * s
			}
		})
	}}
	_, vecs := topEigenvectors(op, [][]float64{trivial}, layoutDim, lanczosOptions{
		basis:     max(2*(layoutDim+1)+1, min(int(math.Sqrt(float64(n))), 64)),
		maxMatvec: spectralMaxMatvec,
		tol:       spectralTolerance,
		seed:      seed,
		threads:   threads,
	})
	return vecs
}

// components labels the connected components of the graph.
func (g *graph) components() (labels []int, count int) {
	parent := make([]int32, g.n)
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := range g.n {
		for _, j := range g.cols[g.rowStart[i]:g.rowStart[i+1]] {
			if a, b := find(int32(i)), find(j); a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	labels = make([]int, g.n)
	index := map[int32]int{}
	for i := range g.n {
		root := find(int32(i))
		l, ok := index[root]
		if !ok {
			l = len(index)
			index[root] = l
		}
		labels[i] = l
	}
	return labels, len(index)
}

// subgraph returns the graph induced by the points in members (sorted).
func (g *graph) subgraph(members []int) *graph {
	local := make(map[int32]int32, len(members))
	for k, i := range members {
		local[int32(i)] = int32(k)
	}
	var es []entry
	for k, i := range members {
		for p := g.rowStart[i]; p < g.rowStart[i+1]; p++ {
			if j, ok := local[g.cols[p]]; ok {
				es = append(es, entry{int32(k), j, g.vals[p]})
			}
		}
	}
	return assemble(len(members), es, nil)
}

// multiComponentLayout lays out each connected component on its own, as
// umap-learn's multi_component_layout: components are placed by a
// meta-layout (corners of a cross for up to 4 components, else a spectral
// layout of the component centroids), and each is scaled to half the
// distance to its nearest neighbour in that layout. Components too small
// for a spectral layout are placed at random in that box.
func multiComponentLayout(g *graph, labels []int, count int, data []float32, dim int, metric knn.Metric, seed uint64, threads int) []float64 {
	var meta []float64
	if count > 2*layoutDim {
		meta = componentLayout(data, dim, metric, labels, count, seed, threads)
	} else {
		// Unit vectors ±e_1, ±e_2 (umap-learn's hypercube corners).
		k := (count + 1) / 2
		meta = make([]float64, 0, 2*k*layoutDim)
		for sign := 1.0; sign >= -1; sign -= 2 {
			for c := range k {
				row := make([]float64, layoutDim)
				row[c] = sign
				meta = append(meta, row...)
			}
		}
		meta = meta[:count*layoutDim]
	}
	members := make([][]int, count)
	for i, l := range labels {
		members[l] = append(members[l], i)
	}
	r := rng.New(seed, 0x3c0a)
	out := make([]float64, g.n*layoutDim)
	for c := range count {
		centre := meta[c*layoutDim : (c+1)*layoutDim]
		halfGap := math.Inf(1)
		for o := range count {
			if d := dist2(centre, meta[o*layoutDim:(o+1)*layoutDim]); d > 0 {
				halfGap = min(halfGap, math.Sqrt(d)/2)
			}
		}
		if math.IsInf(halfGap, 0) {
			halfGap = 1
		}
		size := len(members[c])
		if size < 2*layoutDim || size <= layoutDim+1 {
			for _, i := range members[c] {
				for d := range layoutDim {
					out[i*layoutDim+d] = centre[d] + (2*r.Float64()-1)*halfGap
				}
			}
			continue
		}
		vecs := laplacianEigenmap(g.subgraph(members[c]), rng.Hash(seed, 0x5b, uint64(c)), threads)
		var largest float64
		for _, v := range vecs {
			for _, x := range v {
				largest = max(largest, math.Abs(x))
			}
		}
		scale := halfGap / largest
		for k, i := range members[c] {
			for d := range layoutDim {
				out[i*layoutDim+d] = centre[d] + vecs[d][k]*scale
			}
		}
	}
	return out
}

func dist2(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s
}

// maxSpectralComponents bounds the components laid out by the dense
// centroid affinity (count² memory); more are placed by PCA instead.
const maxSpectralComponents = 2000

// componentLayout places the components by a spectral embedding of their
// centroids (affinity exp(−d²) under the input metric), scaled so that the
// largest coordinate is 1, as umap-learn's component_layout. Beyond
// maxSpectralComponents components it uses the centroids' first two
// principal components instead.
func componentLayout(data []float32, dim int, metric knn.Metric, labels []int, count int, seed uint64, threads int) []float64 {
	centroids := make([]float64, count*dim)
	sizes := make([]float64, count)
	for i, l := range labels {
		sizes[l]++
		for d := range dim {
			centroids[l*dim+d] += float64(data[i*dim+d])
		}
	}
	for c := range count {
		row := centroids[c*dim : (c+1)*dim]
		for d := range row {
			row[d] /= sizes[c]
		}
		prepareForMetric(row, metric)
	}
	if count > maxSpectralComponents {
		return centroidPCALayout(centroids, dim, count, threads)
	}
	distance := func(a, b int) float64 {
		x, y := centroids[a*dim:(a+1)*dim], centroids[b*dim:(b+1)*dim]
		if metric == knn.Euclidean {
			return math.Sqrt(dist2(x, y))
		}
		return max(0, 1-dotSerial(x, y))
	}
	affinity := make([]float64, count*count)
	parallel.Range(count, 16, threads, func(lo, hi int) {
		for a := lo; a < hi; a++ {
			for b := range count {
				if a != b { // the Laplacian ignores self-affinity
					d := distance(a, b)
					affinity[a*count+b] = math.Exp(-d * d)
				}
			}
		}
	})
	invSqrtDeg := make([]float64, count)
	trivial := make([]float64, count)
	for a := range count {
		var deg float64
		for _, v := range affinity[a*count : (a+1)*count] {
			deg += v
		}
		if deg == 0 {
			deg = 1
		}
		invSqrtDeg[a] = 1 / math.Sqrt(deg)
		trivial[a] = math.Sqrt(deg)
	}
	normalise(trivial)
	op := symmetricOperator{n: count, apply: func(dst, src []float64) {
		parallel.Range(count, 64, threads, func(lo, hi int) {
			for a := lo; a < hi; a++ {
				var s float64
				for b, v := range affinity[a*count : (a+1)*count] {
					s += v * invSqrtDeg[b] * src[b]
				}
				dst[a] = invSqrtDeg[a] * s
			}
		})
	}}
	_, vecs := topEigenvectors(op, [][]float64{trivial}, layoutDim, lanczosOptions{
		basis: 64, maxMatvec: 2000, tol: 1e-8, seed: seed ^ 0xc0, threads: threads,
	})
	// scikit-learn's SpectralEmbedding maps back by D^(−½) and fixes each
	// vector's sign so that its largest entry is positive.
	meta := make([]float64, count*layoutDim)
	var largest float64
	for d, v := range vecs {
		var peak float64
		for a := range v {
			v[a] *= invSqrtDeg[a]
			if math.Abs(v[a]) > math.Abs(peak) {
				peak = v[a]
			}
		}
		for a := range v {
			if peak < 0 {
				v[a] = -v[a]
			}
			meta[a*layoutDim+d] = v[a]
			largest = max(largest, v[a])
		}
	}
	if largest > 0 {
		for i := range meta {
			meta[i] /= largest
		}
	}
	return meta
}

// prepareForMetric turns a vector into the form whose euclidean geometry or
// dot product gives the metric: unchanged for euclidean, unit length for
// cosine, centred and unit length for correlation.
func prepareForMetric(v []float64, metric knn.Metric) {
	if metric == knn.Euclidean {
		return
	}
	if metric == knn.Correlation {
		var mean float64
		for _, x := range v {
			mean += x
		}
		mean /= float64(len(v))
		for i := range v {
			v[i] -= mean
		}
	}
	normalise(v)
}

// centroidPCALayout places count centroids by their first two principal
// components, scaled so that the largest coordinate is ±1.
func centroidPCALayout(centroids []float64, dim, count, threads int) []float64 {
	flat := make([]float32, len(centroids))
	for i, v := range centroids {
		flat[i] = float32(v)
	}
	meta := make([]float64, count*layoutDim)
	components := min(layoutDim, dim)
	proj, _, err := pca.Reduce(flat, dim, components, pca.Options{MaxFitRows: -1, Threads: threads})
	if err != nil { // finite centroids of checked data: cannot happen
		return meta
	}
	var largest float64
	for _, v := range proj {
		largest = max(largest, math.Abs(float64(v)))
	}
	for a := range count {
		for c := range components {
			meta[a*layoutDim+c] = float64(proj[a*components+c]) / max(largest, 1e-300)
		}
	}
	return meta
}
