package umap

import (
	"math"
	"slices"

	"github.com/pixplot/pixplot/plot/internal/parallel"
	"github.com/pixplot/pixplot/plot/knn"
)

// Constants of umap-learn's smooth_knn_dist.
const (
	smoothKTolerance = 1e-5
	minKDistScale    = 1e-3
	smoothKIters     = 64
)

// smoothKNNDist finds, for each point, rho (the distance to its nearest
// neighbour that is not at distance 0) and sigma such that
// Σ_{j≥1} exp(−max(0, d_j − rho)/sigma) = log₂(k), as umap-learn's
// smooth_knn_dist with local_connectivity 1 and bandwidth 1. Column 0 of
// each row is the point itself. The search runs in float32 like the
// original, so results match it closely.
func smoothKNNDist(g *knn.Graph, k float64, threads int) (sigmas, rhos []float32) {
	n := g.Len()
	sigmas = make([]float32, n)
	rhos = make([]float32, n)
	target := math.Log2(k)
	var total float64
	count := 0
	for _, d := range g.Distances {
		if !isInf(d) {
			total += float64(d)
			count++
		}
	}
	meanAll := float32(total / float64(max(count, 1)))
	parallel.Range(n, 1024, threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			_, dist := g.Row(i)
			sigmas[i], rhos[i] = smoothRow(dist, target, meanAll)
		}
	})
	return sigmas, rhos
}

func smoothRow(dist []float32, target float64, meanAll float32) (sigma, rho float32) {
	for _, d := range dist {
		if d > 0 && !isInf(d) {
			rho = d // local_connectivity 1: the first non-zero distance
			break
		}
	}
	var lo, mid, hi float32 = 0, 1, float32(math.Inf(1))
	for range smoothKIters {
		var psum float32
		for _, d := range dist[1:] {
			if r := d - rho; r > 0 {
				psum += float32(math.Exp(float64(-(r / mid))))
			} else {
				psum += 1
			}
		}
		if math.Abs(float64(psum)-target) < smoothKTolerance {
			break
		}
		if float64(psum) > target {
			hi = mid
			mid = (lo + hi) / 2
		} else {
			lo = mid
			if isInf(hi) {
				mid *= 2
			} else {
				mid = (lo + hi) / 2
			}
		}
	}
	sigma = mid
	if rho > 0 {
		var sum float64
		count := 0
		for _, d := range dist {
			if !isInf(d) {
				sum += float64(d)
				count++
			}
		}
		sigma = max(sigma, minKDistScale*float32(sum/float64(count)))
	} else {
		sigma = max(sigma, minKDistScale*meanAll)
	}
	return sigma, rho
}

func isInf(v float32) bool { return math.IsInf(float64(v), 0) }

// graph is a sparse symmetric matrix of membership strengths in CSR form:
// row i's entries are cols[rowStart[i]:rowStart[i+1]], sorted by column.
type graph struct {
	n        int
	rowStart []int
	cols     []int32
	vals     []float32
}

// entry is one matrix element during assembly.
type entry struct {
	row, col int32
	val      float32
}

// fuzzySimplicialSet turns the kNN graph into umap-learn's fuzzy graph: each
// point's membership strengths exp(−(d − rho)/sigma) to its neighbours,
// combined by fuzzy union A + Aᵀ − A∘Aᵀ (set_op_mix_ratio 1).
func fuzzySimplicialSet(g *knn.Graph, sigmas, rhos []float32) *graph {
	n := g.Len()
	entries := make([]entry, 0, len(g.Indices))
	for i := range n {
		idx, dist := g.Row(i)
		for j, q := range idx {
			if q < 0 || int(q) == i {
				continue // missing, or the point itself (strength 0)
			}
			val := float32(1)
			if r := dist[j] - rhos[i]; r > 0 && sigmas[i] != 0 {
				val = float32(math.Exp(float64(-(r / sigmas[i]))))
			}
			if val > 0 {
				entries = append(entries, entry{int32(i), q, val})
			}
		}
	}
	return fuzzyUnion(n, entries)
}

// fuzzyUnion returns A + Aᵀ − A∘Aᵀ for the matrix A given as entries with
// distinct (row, col) pairs.
func fuzzyUnion(n int, entries []entry) *graph {
	both := make([]entry, 0, 2*len(entries))
	both = append(both, entries...)
	for _, e := range entries {
		both = append(both, entry{e.col, e.row, e.val})
	}
	g := assemble(n, both, func(a, b float32) float32 {
		return float32(float64(a) + float64(b) - float64(a)*float64(b))
	})
	return g
}

// assemble builds a CSR matrix from entries, merging the (at most two)
// entries at the same position with merge and dropping zeros.
func assemble(n int, entries []entry, merge func(a, b float32) float32) *graph {
	rowStart := make([]int, n+1)
	for _, e := range entries {
		rowStart[e.row+1]++
	}
	for i := range n {
		rowStart[i+1] += rowStart[i]
	}
	sorted := make([]entry, len(entries))
	next := slices.Clone(rowStart[:n])
	for _, e := range entries {
		sorted[next[e.row]] = e
		next[e.row]++
	}
	g := &graph{n: n, rowStart: make([]int, n+1)}
	g.cols = make([]int32, 0, len(entries))
	g.vals = make([]float32, 0, len(entries))
	for i := range n {
		row := sorted[rowStart[i]:rowStart[i+1]]
		slices.SortFunc(row, func(a, b entry) int { return int(a.col) - int(b.col) })
		for j := 0; j < len(row); j++ {
			val := row[j].val
			if j+1 < len(row) && row[j+1].col == row[j].col {
				val = merge(val, row[j+1].val)
				j++
			}
			if val != 0 {
				g.cols = append(g.cols, row[j].col)
				g.vals = append(g.vals, val)
			}
		}
		g.rowStart[i+1] = len(g.cols)
	}
	return g
}

// entries lists the non-zero elements in row order.
func (g *graph) entries() []entry {
	out := make([]entry, 0, len(g.vals))
	for i := range g.n {
		for p := g.rowStart[i]; p < g.rowStart[i+1]; p++ {
			out = append(out, entry{int32(i), g.cols[p], g.vals[p]})
		}
	}
	return out
}

// maxValue is the largest membership strength (0 for an empty graph).
func (g *graph) maxValue() float32 {
	var m float32
	for _, v := range g.vals {
		m = max(m, v)
	}
	return m
}

// prune drops strengths below max/nEpochs, as umap-learn does before the
// layout: such edges would not be sampled even once.
func (g *graph) prune(nEpochs int) *graph {
	limit := g.maxValue() / float32(nEpochs)
	all := g.entries()
	kept := all[:0]
	for _, e := range all {
		if e.val >= limit {
			kept = append(kept, e)
		}
	}
	return assemble(g.n, kept, nil)
}
