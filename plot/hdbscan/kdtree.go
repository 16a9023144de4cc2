package hdbscan

import (
	"math"

	"github.com/pixplot/pixplot/plot/internal/parallel"
)

// kdLeafSize is the most points a kd-tree leaf holds: small enough to prune
// well, large enough that the scan of a leaf beats another level of boxes.
const kdLeafSize = 16

// kdTree is a static kd-tree over n points of dim coordinates. Points are
// stored in tree order (pts row k is original point idx[k]) so that a leaf
// scan reads contiguous memory. Nodes are in pre-order: a node's children
// come after it, so a reverse sweep visits children before parents.
type kdTree struct {
	dim   int
	pts   []float64 // tree-ordered copy of the points, row-major
	idx   []int32   // idx[k]: original index of tree row k
	nodes []kdNode
	box   []float64 // node i's bounding box: lower corner then upper corner, 2·dim values
}

type kdNode struct {
	start, end  int32 // tree rows [start, end)
	left, right int32 // children; -1 for a leaf
}

func (t *kdTree) isLeaf(node int32) bool { return t.nodes[node].left < 0 }

func (t *kdTree) lower(node int32) []float64 {
	return t.box[int(node)*2*t.dim : int(node)*2*t.dim+t.dim]
}

func (t *kdTree) upper(node int32) []float64 {
	return t.box[int(node)*2*t.dim+t.dim : int(node+1)*2*t.dim]
}

func (t *kdTree) row(k int32) []float64 {
	return t.pts[int(k)*t.dim : int(k+1)*t.dim]
}

// newKDTree builds the tree over points (n rows of dim values), splitting
// each node at the median of its widest dimension.
func newKDTree(points []float64, dim int) *kdTree {
	n := len(points) / dim
	t := &kdTree{dim: dim, idx: make([]int32, n)}
	for i := range t.idx {
		t.idx[i] = int32(i)
	}
	t.nodes = make([]kdNode, 0, 2*(n/kdLeafSize+1))
	t.box = make([]float64, 0, cap(t.nodes)*2*dim)
	t.build(points, 0, n)
	t.pts = make([]float64, n*dim)
	for k, i := range t.idx {
		copy(t.pts[k*dim:(k+1)*dim], points[int(i)*dim:int(i+1)*dim])
	}
	return t
}

// build appends the node for idx[start:end] and its subtree; it returns the
// node's index.
func (t *kdTree) build(points []float64, start, end int) int32 {
	node := int32(len(t.nodes))
	t.nodes = append(t.nodes, kdNode{start: int32(start), end: int32(end), left: -1, right: -1})
	lo, hi := t.boundingBox(points, t.idx[start:end])
	t.box = append(append(t.box, lo...), hi...)
	if end-start <= kdLeafSize {
		return node
	}
	axis, width := 0, -1.0
	for d := range t.dim {
		if hi[d]-lo[d] > width {
			axis, width = d, hi[d]-lo[d]
		}
	}
	mid := (start + end) / 2
	// Equal points are split by count alone: small leaves still let a
	// search stop once it holds enough of them.
	if width > 0 {
		selectByAxis(t.idx[start:end], mid-start, points, t.dim, axis)
	}
	left := t.build(points, start, mid)
	right := t.build(points, mid, end)
	t.nodes[node].left, t.nodes[node].right = left, right
	return node
}

func (t *kdTree) boundingBox(points []float64, rows []int32) (lo, hi []float64) {
	lo = make([]float64, t.dim)
	hi = make([]float64, t.dim)
	for d := range t.dim {
		lo[d], hi[d] = math.Inf(1), math.Inf(-1)
	}
	for _, i := range rows {
		p := points[int(i)*t.dim : int(i+1)*t.dim]
		for d, v := range p {
			lo[d] = min(lo[d], v)
			hi[d] = max(hi[d], v)
		}
	}
	return lo, hi
}

// selectByAxis reorders rows so that rows[k] has the k-th smallest
// coordinate on axis, with smaller ones before it and larger ones after
// (Hoare's quickselect with a median-of-three pivot).
func selectByAxis(rows []int32, k int, points []float64, dim, axis int) {
	key := func(i int) float64 { return points[int(rows[i])*dim+axis] }
	lo, hi := 0, len(rows)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		a, b, c := key(lo), key(mid), key(hi)
		pivot := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for key(i) < pivot {
				i++
			}
			for key(j) > pivot {
				j--
			}
			if i <= j {
				rows[i], rows[j] = rows[j], rows[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// boxDist2 is the squared distance from q to node's bounding box.
func (t *kdTree) boxDist2(q []float64, node int32) float64 {
	lo, hi := t.lower(node), t.upper(node)
	s := 0.0
	for d, v := range q {
		if v < lo[d] {
			s += (lo[d] - v) * (lo[d] - v)
		} else if v > hi[d] {
			s += (v - hi[d]) * (v - hi[d])
		}
	}
	return s
}

func dist2(a, b []float64) float64 {
	s := 0.0
	for d := range a {
		x := a[d] - b[d]
		s += x * x
	}
	return s
}

// neighbourHeap keeps the k nearest candidates seen so far as a max-heap on
// squared distance (slot 0 is the farthest kept).
type neighbourHeap struct {
	d2  []float64
	idx []int32
}

func (h *neighbourHeap) reset(k int) {
	h.d2 = h.d2[:0]
	h.idx = h.idx[:0]
	for range k {
		h.d2 = append(h.d2, math.Inf(1))
		h.idx = append(h.idx, -1)
	}
}

// bound is the squared distance a candidate must beat to enter.
func (h *neighbourHeap) bound() float64 { return h.d2[0] }

func (h *neighbourHeap) offer(d2 float64, i int32) {
	if !(d2 < h.d2[0]) {
		return
	}
	// Replace the root and sift it down.
	n, pos := len(h.d2), 0
	for {
		child := 2*pos + 1
		if child >= n {
			break
		}
		if child+1 < n && h.d2[child+1] > h.d2[child] {
			child++
		}
		if h.d2[child] <= d2 {
			break
		}
		h.d2[pos], h.idx[pos] = h.d2[child], h.idx[child]
		pos = child
	}
	h.d2[pos], h.idx[pos] = d2, i
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// nearest fills h with the k nearest points to q (original indices; q's
// own point, if in the tree, is among them at distance 0).
func (t *kdTree) nearest(q []float64, h *neighbourHeap, stack []int32) []int32 {
	stack = append(stack[:0], 0)
	for len(stack) > 0 {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if t.boxDist2(q, node) >= h.bound() {
			continue
		}
		nd := t.nodes[node]
		if nd.left < 0 {
			for k := nd.start; k < nd.end; k++ {
				h.offer(dist2(q, t.row(k)), t.idx[k])
			}
			continue
		}
		// Push the farther child first so the nearer one is searched first.
		near, far := nd.left, nd.right
		if t.boxDist2(q, far) < t.boxDist2(q, near) {
			near, far = far, near
		}
		stack = append(stack, far, near)
	}
	return stack
}

// coreTable holds, for every point, its squared core distance (to its k-th
// nearest point, itself included) and its few nearest other points, which
// seed the Borůvka search with good candidate edges.
type coreTable struct {
	core2 []float64 // by original index
	keep  int       // neighbours kept per point
	nbr   []int32   // n·keep original indices, nearest first; -1 when missing
}

// coreNeighbours is how many nearest other points coreTable keeps.
const coreNeighbours = 8

func newCoreTable(n, k int) *coreTable {
	keep := min(coreNeighbours, k-1)
	return &coreTable{core2: make([]float64, n), keep: keep, nbr: make([]int32, n*keep)}
}

// record stores point i's row from its filled heap: the heap's root is the
// k-th nearest, and the nearest others are picked by insertion (ties by
// index, so the row depends only on the data).
func (c *coreTable) record(i int, h *neighbourHeap) {
	c.core2[i] = h.bound()
	row := c.nbr[i*c.keep : (i+1)*c.keep]
	var d2 [coreNeighbours]float64
	kept := 0
	for s, j := range h.idx {
		if int(j) == i || j < 0 {
			continue
		}
		d := h.d2[s]
		pos := kept
		for pos > 0 && (d < d2[pos-1] || d == d2[pos-1] && j < row[pos-1]) {
			pos--
		}
		if pos >= len(row) {
			continue
		}
		end := min(kept, len(row)-1)
		copy(row[pos+1:end+1], row[pos:end])
		copy(d2[pos+1:end+1], d2[pos:end])
		row[pos], d2[pos] = j, d
		kept = min(kept+1, len(row))
	}
	for ; kept < len(row); kept++ {
		row[kept] = -1
	}
}

// coreDistances computes the coreTable of all points with the tree, in
// parallel; every point's row depends only on the data.
func (t *kdTree) coreDistances(k int) *coreTable {
	n := len(t.idx)
	tab := newCoreTable(n, k)
	parallel.Range(n, 256, 0, func(lo, hi int) {
		var h neighbourHeap
		var stack []int32
		for row := lo; row < hi; row++ {
			h.reset(k)
			stack = t.nearest(t.row(int32(row)), &h, stack)
			tab.record(int(t.idx[row]), &h)
		}
	})
	return tab
}

// bruteCoreDistances computes the same table by comparing every pair; used
// where a kd-tree cannot prune (many dimensions).
func bruteCoreDistances(points []float64, dim, k int) *coreTable {
	n := len(points) / dim
	tab := newCoreTable(n, k)
	parallel.Range(n, 64, 0, func(lo, hi int) {
		var h neighbourHeap
		for i := lo; i < hi; i++ {
			h.reset(k)
			q := points[i*dim : (i+1)*dim]
			for j := range n {
				h.offer(dist2(q, points[j*dim:(j+1)*dim]), int32(j))
			}
			tab.record(i, &h)
		}
	})
	return tab
}
