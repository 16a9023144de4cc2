package knn

import (
	"math"
	"slices"
)

// neighbourHeaps holds, for every point, a bounded max-heap of its best
// candidate neighbours so far: slot 0 is the farthest kept, so a candidate
// is worth a look only if it is closer than that.
type neighbourHeaps struct {
	n     int // points
	size  int // slots per point
	idx   []int32
	dist  []float32
	fresh []bool // not yet used to generate candidates (NN-descent's "new" flag); nil if not tracked
}

// newNeighbourHeaps makes n empty heaps of size slots; flags says whether to
// track the fresh flags.
func newNeighbourHeaps(n, size int, flags bool) *neighbourHeaps {
	h := &neighbourHeaps{
		n:    n,
		size: size,
		idx:  make([]int32, n*size),
		dist: make([]float32, n*size),
	}
	if flags {
		h.fresh = make([]bool, n*size)
	}
	for i := range h.idx {
		h.idx[i] = -1
		h.dist[i] = float32(math.Inf(1))
	}
	return h
}

// threshold is the distance a candidate must beat to enter p's heap.
func (h *neighbourHeaps) threshold(p int32) float32 {
	return h.dist[int(p)*h.size]
}

// push offers q at distance d to p's heap and reports whether it entered.
// A point already in the heap is not added twice.
func (h *neighbourHeaps) push(p, q int32, d float32) bool {
	lo := int(p) * h.size
	idx := h.idx[lo : lo+h.size]
	dist := h.dist[lo : lo+h.size]
	if !(d < dist[0]) {
		return false
	}
	if slices.Contains(idx, q) {
		return false
	}
	var fresh []bool
	if h.fresh != nil {
		fresh = h.fresh[lo : lo+h.size]
	}
	siftDown(idx, dist, fresh, q, d)
	return true
}

// siftDown replaces the root of a max-heap by (q, d) and restores the order;
// the new entry is fresh. fresh may be nil.
func siftDown(idx []int32, dist []float32, fresh []bool, q int32, d float32) {
	i := 0
	for {
		left := 2*i + 1
		if left >= len(dist) {
			break
		}
		child := left
		if right := left + 1; right < len(dist) && dist[right] > dist[left] {
			child = right
		}
		if dist[child] <= d {
			break
		}
		idx[i], dist[i] = idx[child], dist[child]
		if fresh != nil {
			fresh[i] = fresh[child]
		}
		i = child
	}
	idx[i], dist[i] = q, d
	if fresh != nil {
		fresh[i] = true
	}
}

// sortedRow returns p's neighbours by increasing distance (ties by index),
// missing ones (-1) last.
func (h *neighbourHeaps) sortedRow(p int, idx []int32, dist []float32) {
	type pair struct {
		i int32
		d float32
	}
	lo := p * h.size
	pairs := make([]pair, h.size)
	for j := range pairs {
		pairs[j] = pair{h.idx[lo+j], h.dist[lo+j]}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		switch {
		case (a.i < 0) != (b.i < 0):
			if a.i < 0 {
				return 1
			}
			return -1
		case a.d < b.d:
			return -1
		case a.d > b.d:
			return 1
		}
		return int(a.i) - int(b.i)
	})
	for j, pr := range pairs {
		idx[j], dist[j] = pr.i, pr.d
	}
}

// toGraph turns the heaps (which exclude each point itself) into a Graph
// with the point first, converting search distances to metric distances.
func (h *neighbourHeaps) toGraph(s *space, k, threads int) *Graph {
	n := h.n
	g := &Graph{K: k, Indices: make([]int32, n*k), Distances: make([]float32, n*k)}
	parallelRows(n, threads, func(p int) {
		idx, dist := g.Row(p)
		idx[0], dist[0] = int32(p), 0
		h.sortedRow(p, idx[1:], dist[1:])
		for j := 1; j < k; j++ {
			if idx[j] < 0 {
				dist[j] = float32(math.Inf(1))
				continue
			}
			dist[j] = s.metricDistance(dist[j])
		}
	})
	return g
}
