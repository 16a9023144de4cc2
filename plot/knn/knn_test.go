package knn

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/plot/internal/synth"
)

// bruteForce computes the k nearest neighbours of every point the slow,
// obvious way in float64, self first.
func bruteForce(data []float32, dim, k int, metric Metric) ([][]int32, [][]float64) {
	n := len(data) / dim
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, dim)
		for d := range dim {
			rows[i][d] = float64(data[i*dim+d])
		}
		if metric == Correlation {
			var mean float64
			for _, v := range rows[i] {
				mean += v
			}
			for d := range rows[i] {
				rows[i][d] -= mean / float64(dim)
			}
		}
	}
	distance := func(x, y []float64) float64 {
		var dot, xx, yy, sq float64
		for d := range x {
			dot += x[d] * y[d]
			xx += x[d] * x[d]
			yy += y[d] * y[d]
			sq += (x[d] - y[d]) * (x[d] - y[d])
		}
		if metric == Euclidean {
			return math.Sqrt(sq)
		}
		return 1 - dot/math.Sqrt(xx*yy)
	}
	indices := make([][]int32, n)
	dists := make([][]float64, n)
	for i := range n {
		order := make([]int32, 0, n-1)
		for j := range n {
			if j != i {
				order = append(order, int32(j))
			}
		}
		slices.SortFunc(order, func(a, b int32) int {
			da, db := distance(rows[i], rows[a]), distance(rows[i], rows[b])
			switch {
			case da < db:
				return -1
			case da > db:
				return 1
			}
			return int(a - b)
		})
		indices[i] = append([]int32{int32(i)}, order[:k-1]...)
		dists[i] = []float64{0}
		for _, j := range order[:k-1] {
			dists[i] = append(dists[i], distance(rows[i], rows[j]))
		}
	}
	return indices, dists
}

func TestExact_MatchesBruteForceForEveryMetric(t *testing.T) {
	data, _ := synth.Blobs(300, 7, 4, 3, 1, 11)
	for _, metric := range []Metric{Euclidean, Cosine, Correlation} {
		g, err := Build(data, 7, Options{K: 8, Metric: metric, Method: Exact})
		if err != nil {
			t.Fatal(err)
		}
		wantIdx, wantDist := bruteForce(data, 7, 8, metric)
		for i := range 300 {
			idx, dist := g.Row(i)
			for j := range idx {
				if idx[j] != wantIdx[i][j] || math.Abs(float64(dist[j])-wantDist[i][j]) > 1e-4*max(1, wantDist[i][j]) {
					t.Fatalf("%v: point %d neighbour %d is %d at %g; brute force %d at %g",
						metric, i, j, idx[j], dist[j], wantIdx[i][j], wantDist[i][j])
				}
			}
		}
	}
}

func TestDescent_RecallAtLeast95PercentOn5000Points(t *testing.T) {
	for _, tc := range []struct {
		name   string
		metric Metric
		dim    int
		data   []float32
	}{
		{"embedding-like 100-d, cosine", Cosine, 100, first(synth.Embeddings(5000, 100, 24, 40, 0.6, 0.05, 3))},
		{"blobs 50-d, euclidean", Euclidean, 50, first(synth.Blobs(5000, 50, 10, 4, 1, 4))},
	} {
		exact, err := Build(tc.data, tc.dim, Options{K: 15, Metric: tc.metric, Method: Exact})
		if err != nil {
			t.Fatal(err)
		}
		approx, err := Build(tc.data, tc.dim, Options{K: 15, Metric: tc.metric, Method: Descent, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		recall := approx.Recall(exact)
		t.Logf("%s: recall@15 %.4f", tc.name, recall)
		if recall < 0.95 {
			t.Errorf("%s: recall@15 = %.4f, want ≥ 0.95", tc.name, recall)
		}
	}
}

func first[A, B any](a A, _ B) A { return a }

func TestDescent_SameSeedSameGraphOnAnyThreadCount(t *testing.T) {
	data, _ := synth.Embeddings(3000, 32, 16, 20, 0.6, 0.05, 5)
	base, err := Build(data, 32, Options{K: 10, Metric: Cosine, Method: Descent, Seed: 9, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, threads := range []int{1, 2, 3, 8} {
		g, err := Build(data, 32, Options{K: 10, Metric: Cosine, Method: Descent, Seed: 9, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(g.Indices, base.Indices) || !slices.Equal(g.Distances, base.Distances) {
			t.Fatalf("threads %d: graph differs from the single-threaded one", threads)
		}
	}
}

func TestBuild_PutsEachPointFirstEvenAmongDuplicates(t *testing.T) {
	data := make([]float32, 0, 40*3)
	for i := range 40 {
		v := float32(i / 10) // groups of 10 identical points
		data = append(data, v, v*v, 1)
	}
	for _, method := range []Method{Exact, Descent} {
		g, err := Build(data, 3, Options{K: 5, Method: method, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 40 {
			idx, dist := g.Row(i)
			if idx[0] != int32(i) || dist[0] != 0 {
				t.Fatalf("method %d: point %d's first neighbour is %d at %g", method, i, idx[0], dist[0])
			}
			for j := 1; j < 5; j++ {
				if idx[j] == int32(i) || int(idx[j])/10 != i/10 || dist[j] != 0 {
					t.Fatalf("method %d: point %d neighbour %d is %d at %g, want a duplicate at 0", method, i, j, idx[j], dist[j])
				}
			}
		}
	}
}

func TestBuild_KOfOneIsJustThePoint(t *testing.T) {
	g, err := Build([]float32{1, 2, 3, 4}, 2, Options{K: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Indices, []int32{0, 1}) || !slices.Equal(g.Distances, []float32{0, 0}) {
		t.Fatalf("graph %v %v", g.Indices, g.Distances)
	}
}

func TestBuild_RejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []float32
		dim  int
		k    int
		want string
	}{
		{"NaN", []float32{0, 1, 2, float32(math.NaN())}, 2, 1, "row 1 column 1 is NaN"},
		{"infinity", []float32{0, float32(math.Inf(1)), 2, 3}, 2, 1, "row 0 column 1 is +Inf"},
		{"ragged", []float32{0, 1, 2}, 2, 1, "not a whole number"},
		{"empty", nil, 2, 1, "no rows"},
		{"K too large", []float32{0, 1, 2, 3}, 2, 3, "K = 3 neighbours for 2 points"},
	} {
		_, err := Build(tc.data, tc.dim, Options{K: tc.k})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestParseMetric_KnowsUmapLearnNames(t *testing.T) {
	for name, want := range map[string]Metric{"euclidean": Euclidean, "L2": Euclidean, "cosine": Cosine, " Correlation ": Correlation} {
		if got, err := ParseMetric(name); err != nil || got != want {
			t.Errorf("ParseMetric(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := ParseMetric("manhattan"); err == nil {
		t.Error("ParseMetric(manhattan) succeeded")
	}
}
