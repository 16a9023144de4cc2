package hdbscan

import (
	"math"
	"slices"

	"github.com/pixplot/pixplot/plot/internal/parallel"
)

// edge joins points a < b (original indices) at squared mutual-reachability
// distance w2.
type edge struct {
	a, b int32
	w2   float64
}

func newEdge(i, j int32, w2 float64) edge {
	if i > j {
		i, j = j, i
	}
	return edge{a: i, b: j, w2: w2}
}

// less orders edges by weight, then by endpoints. The order is total, so the
// minimum spanning tree is unique even when weights tie (mutual reachability
// makes ties common: every edge inside a core distance weighs that core
// distance), which Borůvka needs to be correct.
func (e edge) less(f edge) bool {
	if e.w2 != f.w2 {
		return e.w2 < f.w2
	}
	if e.a != f.a {
		return e.a < f.a
	}
	return e.b < f.b
}

func compareEdges(e, f edge) int {
	switch {
	case e.less(f):
		return -1
	case f.less(e):
		return 1
	}
	return 0
}

// mrd2 is the squared mutual-reachability distance given the squared core
// distances and the squared distance of two points.
func mrd2(core2a, core2b, d2 float64) float64 {
	return max(core2a, core2b, d2)
}

// primMST is the minimum spanning tree of the complete mutual-reachability
// graph by Prim's algorithm on the implicit dense graph: O(n²) distance
// computations and O(n) memory. Each step's scan of the points outside the
// tree is split across goroutines; the edge order is total, so the tree
// does not depend on the split.
func primMST(points []float64, dim int, core2 []float64) []edge {
	n := len(core2)
	if n < 2 {
		return nil
	}
	edges := make([]edge, 0, n-1)
	// best[v]: lightest known edge from the tree to v, for v outside it.
	best := make([]edge, n)
	for i := range best {
		best[i] = noEdge
	}
	remaining := make([]int32, 0, n-1)
	for i := 1; i < n; i++ {
		remaining = append(remaining, int32(i))
	}
	workers := parallel.Workers(0)
	picks := make([]int, workers) // position in remaining of each chunk's lightest
	current := int32(0)
	for len(remaining) > 0 {
		p := points[int(current)*dim : int(current+1)*dim]
		grain := max(primGrain, (len(remaining)+workers-1)/workers)
		chunks := (len(remaining) + grain - 1) / grain
		parallel.Chunks(chunks, workers, func(ch int) {
			pick := -1
			for r := ch * grain; r < min((ch+1)*grain, len(remaining)); r++ {
				v := remaining[r]
				q := points[int(v)*dim : int(v+1)*dim]
				if cand := newEdge(current, v, mrd2(core2[current], core2[v], dist2(p, q))); cand.less(best[v]) {
					best[v] = cand
				}
				if pick < 0 || best[v].less(best[remaining[pick]]) {
					pick = r
				}
			}
			picks[ch] = pick
		})
		pick := picks[0]
		for _, r := range picks[1:chunks] {
			if best[remaining[r]].less(best[remaining[pick]]) {
				pick = r
			}
		}
		next := remaining[pick]
		edges = append(edges, best[next])
		remaining[pick] = remaining[len(remaining)-1]
		remaining = remaining[:len(remaining)-1]
		current = next
	}
	return edges
}

// primGrain is the fewest points one goroutine scans in a Prim step: below
// it, starting goroutines costs more than the scan.
const primGrain = 8192

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct {
	parent []int32
	size   []int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(i int32) int32 {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

// union joins the sets of a and b and reports whether they were apart.
func (u *unionFind) union(a, b int32) bool {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return false
	}
	if u.size[ra] < u.size[rb] {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.size[ra] += u.size[rb]
	return true
}

// boruvka computes the minimum spanning tree of the mutual-reachability
// graph with Borůvka's algorithm: each round, every component finds its
// lightest outgoing edge with a kd-tree search, and all those edges join the
// tree. A search skips whole nodes that lie in the querying component or
// whose lower bound max(own core, node's least core, box distance) cannot
// beat the component's best edge so far. Memory is O(n).
type boruvka struct {
	t        *kdTree
	core2    []float64 // by tree row
	comp     []int32   // component (union-find root, a tree row) of each tree row
	nodeComp []int32   // component shared by all of a node's rows, or -1
	nodeCore []float64 // least squared core distance in each node
	nodeMin  []int32   // least original index in each node
	best     []edge    // best outgoing edge of each component root (original indices)
	rowOf    []int32   // tree row of each original index
	stack    []int32
}

// noEdge is heavier than every edge.
var noEdge = edge{a: math.MaxInt32, b: math.MaxInt32, w2: math.Inf(1)}

// boruvkaMST returns the minimum spanning tree over the points of t with
// the core distances of cores (see boruvka).
func boruvkaMST(t *kdTree, cores *coreTable) []edge {
	n := len(t.idx)
	if n < 2 {
		return nil
	}
	b := &boruvka{
		t:        t,
		core2:    make([]float64, n),
		comp:     make([]int32, n),
		nodeComp: make([]int32, len(t.nodes)),
		nodeCore: make([]float64, len(t.nodes)),
		nodeMin:  make([]int32, len(t.nodes)),
		best:     make([]edge, n),
		rowOf:    make([]int32, n),
	}
	for k, i := range t.idx {
		b.rowOf[i] = int32(k)
		b.core2[k] = cores.core2[i]
	}
	b.summariseNodes()
	// Points with small core distances find light edges first, which lets
	// the rest of their component stop early.
	byCore := make([]int32, n)
	for k := range byCore {
		byCore[k] = int32(k)
	}
	slices.SortStableFunc(byCore, func(x, y int32) int { return cmpFloat(b.core2[x], b.core2[y]) })

	uf := newUnionFind(n)
	edges := make([]edge, 0, n-1)
	for len(edges) < n-1 {
		before := len(edges)
		b.startRound(uf)
		b.seedFromNeighbours(cores)
		for _, k := range byCore {
			if b.core2[k] <= b.best[b.comp[k]].w2 {
				b.search(k)
			}
		}
		for k := range int32(n) {
			if b.comp[k] != k || b.best[k] == noEdge {
				continue
			}
			e := b.best[k]
			if uf.union(b.rowOf[e.a], b.rowOf[e.b]) {
				edges = append(edges, e)
			}
		}
		if len(edges) == before {
			panic("hdbscan: a Borůvka round joined no components")
		}
	}
	return edges
}

func (b *boruvka) summariseNodes() {
	t := b.t
	for node := len(t.nodes) - 1; node >= 0; node-- {
		nd := t.nodes[node]
		if nd.left < 0 {
			b.nodeCore[node] = slices.Min(b.core2[nd.start:nd.end])
			b.nodeMin[node] = slices.Min(t.idx[nd.start:nd.end])
		} else {
			b.nodeCore[node] = min(b.nodeCore[nd.left], b.nodeCore[nd.right])
			b.nodeMin[node] = min(b.nodeMin[nd.left], b.nodeMin[nd.right])
		}
	}
}

// startRound refreshes the components of rows and nodes and forgets the
// previous round's best edges.
func (b *boruvka) startRound(uf *unionFind) {
	for k := range b.comp {
		b.comp[k] = uf.find(int32(k))
		b.best[k] = noEdge
	}
	t := b.t
	for node := len(t.nodes) - 1; node >= 0; node-- {
		nd := t.nodes[node]
		if nd.left < 0 {
			c := b.comp[nd.start]
			for k := nd.start + 1; k < nd.end && c >= 0; k++ {
				if b.comp[k] != c {
					c = -1
				}
			}
			b.nodeComp[node] = c
		} else if b.nodeComp[nd.left] == b.nodeComp[nd.right] {
			b.nodeComp[node] = b.nodeComp[nd.left]
		} else {
			b.nodeComp[node] = -1
		}
	}
}

// offer records the edge between rows k and j (in different components) as
// a candidate for k's component.
func (b *boruvka) offer(k, j int32, w2 float64) {
	c := b.comp[k]
	if cand := newEdge(b.t.idx[k], b.t.idx[j], w2); cand.less(b.best[c]) {
		b.best[c] = cand
	}
}

// seedFromNeighbours offers every point's nearest neighbours that lie in
// another component: cheap, and usually close to each component's answer,
// so the searches that follow prune hard.
func (b *boruvka) seedFromNeighbours(cores *coreTable) {
	t := b.t
	for k := range int32(len(t.idx)) {
		i := t.idx[k]
		for _, jo := range cores.nbr[int(i)*cores.keep : int(i+1)*cores.keep] {
			if jo < 0 {
				break
			}
			j := b.rowOf[jo]
			if b.comp[j] == b.comp[k] {
				continue
			}
			w2 := mrd2(b.core2[k], b.core2[j], dist2(t.row(k), t.row(j)))
			b.offer(k, j, w2)
			b.offer(j, k, w2)
		}
	}
}

// search offers row k's lightest edges to rows outside its component.
func (b *boruvka) search(k int32) {
	t := b.t
	c := b.comp[k]
	q := t.row(k)
	coreK := b.core2[k]
	// bestFrom is the lightest edge k could have into node: its weight
	// bound and, for ties, the smallest endpoints any point there can give.
	bestFrom := func(node int32) edge {
		return newEdge(t.idx[k], b.nodeMin[node], max(coreK, b.nodeCore[node], t.boxDist2(q, node)))
	}
	promising := func(node int32) bool {
		return b.nodeComp[node] != c && !b.best[c].less(bestFrom(node))
	}
	b.stack = append(b.stack[:0], 0)
	for len(b.stack) > 0 {
		node := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		if !promising(node) {
			continue
		}
		nd := t.nodes[node]
		if nd.left < 0 {
			for j := nd.start; j < nd.end; j++ {
				if b.comp[j] == c {
					continue
				}
				w2 := mrd2(coreK, b.core2[j], dist2(q, t.row(j)))
				if w2 <= b.best[c].w2 {
					b.offer(k, j, w2)
				}
			}
			continue
		}
		near, far := nd.left, nd.right
		if bestFrom(far).less(bestFrom(near)) {
			near, far = far, near
		}
		b.stack = append(b.stack, far, near)
	}
}
