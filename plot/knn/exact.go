package knn

import (
	"gonum.org/v1/gonum/blas"
)

// Block sizes of the exact search: queryBlock×columnBlock dot products are
// computed by one matrix product (4 MiB of float32), then scanned.
const (
	queryBlock  = 512
	columnBlock = 2048
)

// exact computes the graph by comparing every pair of points.
func (s *space) exact(k, threads int, progress func(done, total int)) *Graph {
	h := newNeighbourHeaps(s.n, k-1, false)
	if k == 1 {
		return h.toGraph(s, k, threads)
	}
	dots := make([]float32, queryBlock*columnBlock)
	blocks := (s.n + queryBlock - 1) / queryBlock
	for q0 := 0; q0 < s.n; q0 += queryBlock {
		rows := min(queryBlock, s.n-q0)
		for c0 := 0; c0 < s.n; c0 += columnBlock {
			cols := min(columnBlock, s.n-c0)
			// dots[r][c] = vecs[q0+r] · vecs[c0+c]; gonum runs it on all cores.
			kernels.Sgemm(blas.NoTrans, blas.Trans, rows, cols, s.dim, 1,
				s.vecs[q0*s.dim:], s.dim, s.vecs[c0*s.dim:], s.dim, 0, dots, cols)
			parallelRows(rows, threads, func(r int) {
				s.offerBlockRow(h, int32(q0+r), c0, dots[r*cols:(r+1)*cols])
			})
		}
		progress(q0/queryBlock+1, blocks)
	}
	return h.toGraph(s, k, threads)
}

// offerBlockRow pushes the points c0, c0+1, … with dot products dots into
// p's heap, skipping p itself.
func (s *space) offerBlockRow(h *neighbourHeaps, p int32, c0 int, dots []float32) {
	limit := h.threshold(p)
	for c, d := range dots {
		q := int32(c0 + c)
		if s.metric == Euclidean {
			d = s.sqNorm[p] + s.sqNorm[q] - 2*d
		} else {
			d = 1 - d
		}
		if d < limit && q != p && h.push(p, q, d) {
			limit = h.threshold(p)
		}
	}
}
