package hdbscan

import (
	"math"
	"slices"
)

// dendrogram is the single-linkage tree of n points in scipy's linkage
// layout: merge i creates node n+i from nodes left[i] and right[i] (a node
// below n is a point) at distance dist[i], holding size[i] points.
type dendrogram struct {
	n           int
	left, right []int32
	dist        []float64
	size        []int32
}

func (d *dendrogram) root() int32 { return int32(2*d.n - 2) }

func (d *dendrogram) nodeSize(node int32) int32 {
	if int(node) < d.n {
		return 1
	}
	return d.size[int(node)-d.n]
}

// singleLinkage merges the MST edges from lightest to heaviest.
func singleLinkage(n int, mst []edge) *dendrogram {
	slices.SortFunc(mst, compareEdges)
	d := &dendrogram{
		n:     n,
		left:  make([]int32, len(mst)),
		right: make([]int32, len(mst)),
		dist:  make([]float64, len(mst)),
		size:  make([]int32, len(mst)),
	}
	uf := newUnionFind(n)
	nodeOf := make([]int32, n) // union-find root -> dendrogram node of its set
	for i := range nodeOf {
		nodeOf[i] = int32(i)
	}
	for i, e := range mst {
		ra, rb := uf.find(e.a), uf.find(e.b)
		d.left[i], d.right[i] = nodeOf[ra], nodeOf[rb]
		d.dist[i] = math.Sqrt(e.w2)
		d.size[i] = d.nodeSize(nodeOf[ra]) + d.nodeSize(nodeOf[rb])
		uf.union(ra, rb)
		nodeOf[uf.find(ra)] = int32(n + i)
	}
	return d
}

// condensedTree is the single-linkage tree seen as clusters of at least
// minClusterSize points that shrink as λ = 1/distance grows: a cluster
// either loses points (which "fall out" at the λ they leave) or splits into
// two new clusters. Cluster 0 is the root; a child's id is above its
// parent's.
type condensedTree struct {
	parent []int32   // per cluster; -1 for the root
	birth  []float64 // λ at which each cluster appears (0 for the root)
	// Point rows: the cluster each point falls out of, and at which λ.
	pointCluster []int32
	pointLambda  []float64
	// Child-cluster rows: cluster c (c ≥ 1) leaves parent[c] at birth[c]
	// with clusterSize[c] points.
	clusterSize []int32
}

func lambdaOf(distance float64) float64 {
	if distance > 0 {
		return 1 / distance
	}
	return math.Inf(1)
}

// condense walks the dendrogram from the root. At each merge, a side with
// fewer than minClusterSize points falls out of the current cluster; if
// both sides are large enough, both become new clusters.
func condense(d *dendrogram, minClusterSize int) *condensedTree {
	n := d.n
	ct := &condensedTree{
		parent:       []int32{-1},
		birth:        []float64{0},
		clusterSize:  []int32{int32(n)},
		pointCluster: make([]int32, n),
		pointLambda:  make([]float64, n),
	}
	if n == 1 {
		ct.pointLambda[0] = math.Inf(1)
		return ct
	}
	mcs := int32(minClusterSize)
	type task struct{ node, cluster int32 }
	stack := []task{{d.root(), 0}}
	var leaves []int32
	fallOut := func(node, cluster int32, lambda float64) {
		leaves = append(leaves[:0], node)
		for len(leaves) > 0 {
			v := leaves[len(leaves)-1]
			leaves = leaves[:len(leaves)-1]
			if int(v) < n {
				ct.pointCluster[v] = cluster
				ct.pointLambda[v] = lambda
				continue
			}
			leaves = append(leaves, d.left[int(v)-n], d.right[int(v)-n])
		}
	}
	for len(stack) > 0 {
		tk := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i := int(tk.node) - n
		l, r := d.left[i], d.right[i]
		lambda := lambdaOf(d.dist[i])
		ls, rs := d.nodeSize(l), d.nodeSize(r)
		switch {
		case ls >= mcs && rs >= mcs:
			for _, side := range []int32{l, r} {
				c := int32(len(ct.parent))
				ct.parent = append(ct.parent, tk.cluster)
				ct.birth = append(ct.birth, lambda)
				ct.clusterSize = append(ct.clusterSize, d.nodeSize(side))
				stack = append(stack, task{side, c})
			}
		case ls < mcs && rs < mcs:
			fallOut(l, tk.cluster, lambda)
			fallOut(r, tk.cluster, lambda)
		case ls < mcs:
			fallOut(l, tk.cluster, lambda)
			stack = append(stack, task{r, tk.cluster})
		default:
			fallOut(r, tk.cluster, lambda)
			stack = append(stack, task{l, tk.cluster})
		}
	}
	return ct
}

func (ct *condensedTree) numClusters() int { return len(ct.parent) }

// persistence is (λ − birth)·size with a row that leaves at its cluster's
// birth contributing nothing (which also covers ∞ − ∞ at zero distances).
func persistence(lambda, birth float64, size int32) float64 {
	if lambda == birth {
		return 0
	}
	return (lambda - birth) * float64(size)
}

// stabilities is, per cluster, Σ (λ_leave − λ_birth)·size over the points
// and child clusters that leave it: the excess of mass it holds.
func (ct *condensedTree) stabilities() []float64 {
	s := make([]float64, ct.numClusters())
	for p, c := range ct.pointCluster {
		s[c] += persistence(ct.pointLambda[p], ct.birth[c], 1)
	}
	for c := 1; c < ct.numClusters(); c++ {
		parent := ct.parent[c]
		s[parent] += persistence(ct.birth[c], ct.birth[parent], ct.clusterSize[c])
	}
	return s
}

// deaths is, per cluster, the largest λ of the rows that leave it directly
// (points or child clusters): the λ at which it is gone.
func (ct *condensedTree) deaths() []float64 {
	death := make([]float64, ct.numClusters())
	for p, c := range ct.pointCluster {
		death[c] = max(death[c], ct.pointLambda[p])
	}
	for c := 1; c < ct.numClusters(); c++ {
		death[ct.parent[c]] = max(death[ct.parent[c]], ct.birth[c])
	}
	return death
}

func (ct *condensedTree) children() [][]int32 {
	kids := make([][]int32, ct.numClusters())
	for c := 1; c < ct.numClusters(); c++ {
		kids[ct.parent[c]] = append(kids[ct.parent[c]], int32(c))
	}
	return kids
}

// selectEOM picks the clusters of maximal total stability such that no
// selected cluster contains another (excess of mass). Children are visited
// before parents (higher ids first): a cluster is kept when it is at least
// as stable as the best selection among its descendants. The root takes
// part only if allowRoot.
func (ct *condensedTree) selectEOM(allowRoot bool) []bool {
	stability := ct.stabilities()
	kids := ct.children()
	selected := make([]bool, ct.numClusters())
	first := 1
	if allowRoot {
		first = 0
	}
	for c := ct.numClusters() - 1; c >= first; c-- {
		subtree := 0.0
		for _, k := range kids[c] {
			subtree += stability[k]
		}
		if subtree > stability[c] {
			stability[c] = subtree
			continue
		}
		selected[c] = true
		ct.unselectDescendants(c, kids, selected)
	}
	return selected
}

// selectLeaves picks the clusters that do not split any further; with no
// split at all, the root if allowRoot.
func (ct *condensedTree) selectLeaves(allowRoot bool) []bool {
	kids := ct.children()
	selected := make([]bool, ct.numClusters())
	for c := 1; c < ct.numClusters(); c++ {
		selected[c] = len(kids[c]) == 0
	}
	if ct.numClusters() == 1 && allowRoot {
		selected[0] = true
	}
	return selected
}

func (ct *condensedTree) unselectDescendants(c int, kids [][]int32, selected []bool) {
	stack := slices.Clone(kids[c])
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		selected[k] = false
		stack = append(stack, kids[k]...)
	}
}

// selectedAncestor is, per cluster, the selected cluster that contains it
// (itself if selected), or -1.
func (ct *condensedTree) selectedAncestor(selected []bool) []int32 {
	anc := make([]int32, ct.numClusters())
	for c := range anc { // parents have lower ids, so they are done first
		switch {
		case selected[c]:
			anc[c] = int32(c)
		case c == 0:
			anc[c] = -1
		default:
			anc[c] = anc[ct.parent[c]]
		}
	}
	return anc
}
