package umap

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pixplot/pixplot/plot/internal/synth"
	"github.com/pixplot/pixplot/plot/knn"
)

// blobGraph is the pruned fuzzy graph of a few touching blobs.
func blobGraph(t *testing.T, n int) *graph {
	t.Helper()
	data, _ := synth.Blobs(n, 6, 4, 1.5, 1, 8)
	opts, _ := Options{NNeighbors: 10}.withDefaults(n)
	g, err := fuzzyGraph(data, 6, n, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, count := g.components(); count != 1 {
		t.Fatalf("test graph has %d components", count)
	}
	return g
}

func TestLaplacianEigenmap_MatchesDenseEigenDecomposition(t *testing.T) {
	g := blobGraph(t, 400)
	n := g.n
	// Dense D^(−½)·W·D^(−½) and its eigenvectors, largest first.
	deg := make([]float64, n)
	for i := range n {
		for p := g.rowStart[i]; p < g.rowStart[i+1]; p++ {
			deg[i] += float64(g.vals[p])
		}
	}
	m := mat.NewSymDense(n, nil)
	for i := range n {
		for p := g.rowStart[i]; p < g.rowStart[i+1]; p++ {
			j := int(g.cols[p])
			m.SetSym(i, j, float64(g.vals[p])/math.Sqrt(deg[i]*deg[j]))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(m, true) {
		t.Fatal("dense eigen-decomposition failed")
	}
	var dense mat.Dense
	eig.VectorsTo(&dense)
	values := eig.Values(nil)
	if gap := values[n-3] - values[n-4]; gap < 1e-3 {
		t.Fatalf("test graph has no eigengap after the 3rd eigenvalue (%g)", gap)
	}
	vecs := laplacianEigenmap(g, 1, 2)
	for d, v := range vecs {
		want := mat.Col(nil, n-2-d, &dense) // skip the trivial top eigenvector
		var dot float64
		for i := range v {
			dot += v[i] * want[i]
		}
		if math.Abs(math.Abs(dot)-1) > 1e-4 {
			t.Errorf("eigenvector %d: |cosine| with the dense one %.6f, want 1", d+1, math.Abs(dot))
		}
	}
}

func TestTopEigenvectors_RestartsUntilConverged(t *testing.T) {
	// A diagonal operator with eigenvalues 1, 1/2, 1/3, …: with a basis of
	// 8 vectors the solver must restart to resolve the top 2 of 500.
	n := 500
	op := symmetricOperator{n: n, apply: func(dst, src []float64) {
		for i := range dst {
			dst[i] = src[i] / float64(i+1)
		}
	}}
	values, vectors := topEigenvectors(op, nil, 2, lanczosOptions{basis: 8, maxMatvec: 5000, tol: 1e-10, seed: 3, threads: 1})
	for d, want := range []float64{1, 0.5} {
		if math.Abs(values[d]-want) > 1e-8 || math.Abs(math.Abs(vectors[d][d])-1) > 1e-6 {
			t.Errorf("eigenpair %d: value %g (want %g), component %g", d, values[d], want, vectors[d][d])
		}
	}
}

func TestSpectralLayout_IsSameForAnyThreadCount(t *testing.T) {
	g := blobGraph(t, 600)
	base := spectralLayout(g, nil, 0, knn.Euclidean, 4, 1)
	for _, threads := range []int{2, 3} {
		got := spectralLayout(g, nil, 0, knn.Euclidean, 4, threads)
		for i := range got {
			if got[i] != base[i] {
				t.Fatalf("threads %d: coordinate %d is %g, single thread %g", threads, i, got[i], base[i])
			}
		}
	}
}

func TestComponentLayout_PlacesManyComponentsByCentroidPCA(t *testing.T) {
	count := maxSpectralComponents + 100
	data, _ := synth.Blobs(count, 4, 5, 10, 1, 2)
	labels := make([]int, count)
	for i := range labels {
		labels[i] = i // every point its own component
	}
	meta := componentLayout(data, 4, knn.Euclidean, labels, count, 1, 2)
	var largest float64
	for _, v := range meta {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("coordinate %v", v)
		}
		largest = max(largest, math.Abs(v))
	}
	if math.Abs(largest-1) > 1e-6 {
		t.Fatalf("largest coordinate %g, want 1", largest)
	}
}
