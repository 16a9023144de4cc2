package umap

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/pixplot/pixplot/plot/knn"
)

// reference holds values frozen from umap-learn 0.5.3 by
// testdata/make_reference.py.
type reference struct {
	N, Dim, K  int
	Data       []float32
	Labels     []int
	KNNIndices []int32   `json:"knn_indices"`
	KNNDists   []float32 `json:"knn_dists"`
	Sigmas     []float64
	Rhos       []float64
	Graph      cooMatrix
	Supervised cooMatrix
}

type cooMatrix struct {
	Rows, Cols []int32
	Vals       []float64
}

func loadReference(t *testing.T) reference {
	t.Helper()
	raw, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

func (ref reference) knnGraph() *knn.Graph {
	return &knn.Graph{K: ref.K, Indices: ref.KNNIndices, Distances: ref.KNNDists}
}

func closeTo(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-6)
}

func TestExactNeighbours_MatchUmapLearnInput(t *testing.T) {
	ref := loadReference(t)
	g, err := knn.Build(ref.Data, ref.Dim, knn.Options{K: ref.K, Method: knn.Exact})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range ref.KNNIndices {
		if g.Indices[i] != want || !closeTo(float64(g.Distances[i]), float64(ref.KNNDists[i]), 1e-5) {
			t.Fatalf("neighbour %d of point %d: %d at %g; scikit-learn %d at %g",
				i%ref.K, i/ref.K, g.Indices[i], g.Distances[i], want, ref.KNNDists[i])
		}
	}
}

func TestSmoothKNNDist_MatchesUmapLearn(t *testing.T) {
	ref := loadReference(t)
	sigmas, rhos := smoothKNNDist(ref.knnGraph(), float64(ref.K), 1)
	for i := range ref.N {
		// sigma is a binary search stopped at a tolerance of 1e-5 on its
		// target sum, so float rounding can end it one step apart.
		if !closeTo(float64(sigmas[i]), ref.Sigmas[i], 1e-4) || !closeTo(float64(rhos[i]), ref.Rhos[i], 1e-6) {
			t.Errorf("point %d: sigma %g rho %g; umap-learn %g %g", i, sigmas[i], rhos[i], ref.Sigmas[i], ref.Rhos[i])
		}
	}
}

func TestFuzzySimplicialSet_MatchesUmapLearn(t *testing.T) {
	ref := loadReference(t)
	sigmas, rhos := smoothKNNDist(ref.knnGraph(), float64(ref.K), 1)
	g := fuzzySimplicialSet(ref.knnGraph(), sigmas, rhos)
	assertMatrix(t, g, ref.Graph)
}

func TestIntersectLabels_MatchesUmapLearn(t *testing.T) {
	ref := loadReference(t)
	sigmas, rhos := smoothKNNDist(ref.knnGraph(), float64(ref.K), 1)
	g := fuzzySimplicialSet(ref.knnGraph(), sigmas, rhos).intersectLabels(ref.Labels, 0.5)
	assertMatrix(t, g, ref.Supervised)
}

func assertMatrix(t *testing.T, g *graph, want cooMatrix) {
	t.Helper()
	es := g.entries()
	if len(es) != len(want.Vals) {
		t.Fatalf("%d non-zeros; umap-learn %d", len(es), len(want.Vals))
	}
	for p, e := range es {
		if e.row != want.Rows[p] || e.col != want.Cols[p] || !closeTo(float64(e.val), want.Vals[p], 1e-5) {
			t.Fatalf("entry %d: (%d, %d) = %g; umap-learn (%d, %d) = %g",
				p, e.row, e.col, e.val, want.Rows[p], want.Cols[p], want.Vals[p])
		}
	}
}
