package hdbscan

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// kruskalMST is the textbook oracle: every pair's edge, sorted, joined.
func kruskalMST(points []float64, dim int, core2 []float64) []edge {
	n := len(core2)
	var all []edge
	for i := range n {
		for j := i + 1; j < n; j++ {
			d2 := dist2(points[i*dim:(i+1)*dim], points[j*dim:(j+1)*dim])
			all = append(all, newEdge(int32(i), int32(j), mrd2(core2[i], core2[j], d2)))
		}
	}
	slices.SortFunc(all, compareEdges)
	uf := newUnionFind(n)
	var mst []edge
	for _, e := range all {
		if uf.union(e.a, e.b) {
			mst = append(mst, e)
		}
	}
	return mst
}

// testInputs has random, lattice (many equal distances) and repeated points.
func testInputs() map[string][]float64 {
	rng := rand.New(rand.NewPCG(9, 9))
	inputs := map[string][]float64{}
	var random, lattice, repeated []float64
	for i := range 300 {
		random = append(random, rng.NormFloat64(), rng.NormFloat64())
		lattice = append(lattice, float64(i%17), float64(i/17))
		site := rng.IntN(12)
		repeated = append(repeated, float64(site%4), float64(site/4))
	}
	inputs["random"], inputs["lattice"], inputs["repeated"] = random, lattice, repeated
	return inputs
}

func TestSpanningTree_BoruvkaAndPrimGiveKruskalsTree(t *testing.T) {
	for name, points := range testInputs() {
		for _, k := range []int{1, 2, 5, 15} {
			tree := newKDTree(points, 2)
			cores := tree.coreDistances(k)
			want := kruskalMST(points, 2, cores.core2)
			sortEdges := func(e []edge) []edge { e = slices.Clone(e); slices.SortFunc(e, compareEdges); return e }
			if got := sortEdges(boruvkaMST(tree, cores)); !slices.Equal(got, want) {
				t.Errorf("%s, k=%d: Borůvka's tree differs from Kruskal's", name, k)
			}
			if got := sortEdges(primMST(points, 2, cores.core2)); !slices.Equal(got, want) {
				t.Errorf("%s, k=%d: Prim's tree differs from Kruskal's", name, k)
			}
		}
	}
}

func TestCoreDistances_CountThePointItself(t *testing.T) {
	// Points on a line at 0, 1, 3, 6, 10: with k = 3 the core distance is
	// the distance to the second nearest other point (R's minPts − 1).
	points := []float64{0, 1, 3, 6, 10}
	want := []float64{3, 2, 3, 4, 7}
	tree := newKDTree(points, 1).coreDistances(3)
	brute := bruteCoreDistances(points, 1, 3)
	for i, w := range want {
		if got := math.Sqrt(tree.core2[i]); got != w {
			t.Errorf("kd-tree core distance of point %d = %v, want %v", i, got, w)
		}
		if got := math.Sqrt(brute.core2[i]); got != w {
			t.Errorf("pairwise core distance of point %d = %v, want %v", i, got, w)
		}
	}
	if got := tree.nbr[0:2]; got[0] != 1 || got[1] != 2 {
		t.Errorf("nearest others of point 0 = %v, want [1 2]", got)
	}
}

func TestCondense_SplitsOnlyIntoClustersOfMinimumSize(t *testing.T) {
	// Two groups of four points on a line, 100 apart: the root splits into
	// two clusters of 4 when MinClusterSize ≤ 4, and into nothing above.
	points := []float64{0, 1, 2, 3, 100, 101, 102, 103}
	mst := spanningTree(points, 1, 1, true)
	for mcs, clusters := range map[int]int{2: 3, 4: 3, 5: 1} {
		ct := condense(singleLinkage(8, slices.Clone(mst)), mcs)
		if ct.numClusters() != clusters {
			t.Errorf("MinClusterSize %d: %d clusters in the condensed tree, want %d", mcs, ct.numClusters(), clusters)
		}
	}
	ct := condense(singleLinkage(8, slices.Clone(mst)), 4)
	if ct.birth[1] != 1.0/97 || ct.birth[2] != 1.0/97 {
		t.Errorf("children born at λ %v and %v, want 1/97", ct.birth[1], ct.birth[2])
	}
	stab := ct.stabilities()
	// Each child: points leave at λ = 1 (distance 1), born at 1/97.
	if want := 4 * (1 - 1.0/97); math.Abs(stab[1]-want) > 1e-12 {
		t.Errorf("child stability %v, want %v", stab[1], want)
	}
}
