package umap

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/plot/internal/synth"
	"github.com/pixplot/pixplot/plot/knn"
	"github.com/pixplot/pixplot/plot/quality"
)

func embed(t *testing.T, data []float32, dim int, opts Options) [][2]float32 {
	t.Helper()
	out, err := Embed(data, dim, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(data)/dim {
		t.Fatalf("%d positions for %d points", len(out), len(data)/dim)
	}
	for i, p := range out {
		for _, v := range p {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("point %d at %v", i, p)
			}
		}
	}
	return out
}

func trustAndAccuracy(t *testing.T, data []float32, dim int, layout [][2]float32, labels []int) (float64, float64) {
	t.Helper()
	trust, err := quality.Trustworthiness(data, dim, layout, 15, knn.Euclidean, 0)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := quality.KNNAccuracy(layout, labels, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	return trust, acc
}

func TestEmbed_KeepsGaussianBlobsTrustworthyWithEveryInit(t *testing.T) {
	data, labels := synth.Blobs(2000, 50, 10, 4, 1, 1)
	for _, init := range []Init{InitSpectral, InitPCA, InitRandom} {
		epochs := 0 // the default, 500 for 2000 points
		if init != InitSpectral {
			epochs = 200
		}
		layout := embed(t, data, 50, Options{Seed: 1, Init: init, NEpochs: epochs})
		trust, acc := trustAndAccuracy(t, data, 50, layout, labels)
		t.Logf("%s: trustworthiness@15 %.4f, 5-NN accuracy %.4f", init, trust, acc)
		if trust < 0.95 || acc < 0.98 {
			t.Errorf("%s: trustworthiness@15 %.4f (want ≥ 0.95), 5-NN accuracy %.4f (want ≥ 0.98)", init, trust, acc)
		}
	}
}

func TestEmbed_SameSeedSameLayoutOnAnyThreadCount(t *testing.T) {
	// 5000 points: the layout runs in several chunks, concurrently.
	data, _ := synth.Embeddings(5000, 32, 12, 20, 0.5, 0.05, 2)
	opts := Options{Seed: 5, NEpochs: 60, Metric: knn.Cosine, Neighbours: knn.Options{Method: knn.Descent}}
	opts.Threads = 1
	base := embed(t, data, 32, opts)
	for _, threads := range []int{1, 2, 5} {
		opts.Threads = threads
		if got := embed(t, data, 32, opts); !slices.Equal(got, base) {
			t.Fatalf("threads %d: layout differs from the single-threaded one", threads)
		}
	}
	opts.Seed = 6
	if got := embed(t, data, 32, opts); slices.Equal(got, base) {
		t.Fatal("a different seed gave the same layout")
	}
}

func TestEmbed_SupervisedSeparatesOverlappingClassesBetter(t *testing.T) {
	// Two classes whose blobs overlap heavily: the data alone cannot tell
	// them apart, the labels can. Every 10th label is unknown.
	data, labels := synth.Blobs(1000, 10, 2, 0.2, 1, 7)
	partial := slices.Clone(labels)
	for i := 0; i < len(partial); i += 10 {
		partial[i] = -1
	}
	plain := embed(t, data, 10, Options{Seed: 3, NEpochs: 200})
	supervised := embed(t, data, 10, Options{Seed: 3, NEpochs: 200, Labels: partial})
	_, plainAcc := trustAndAccuracy(t, data, 10, plain, labels)
	_, supervisedAcc := trustAndAccuracy(t, data, 10, supervised, labels)
	t.Logf("5-NN accuracy: unsupervised %.3f, supervised %.3f", plainAcc, supervisedAcc)
	if supervisedAcc < plainAcc+0.15 || supervisedAcc < 0.9 {
		t.Errorf("5-NN accuracy: unsupervised %.3f, supervised %.3f (want ≥ 0.9 and 0.15 better)", plainAcc, supervisedAcc)
	}
}

func TestEmbed_GivesTinyInputsFiniteLayouts(t *testing.T) {
	for n := 1; n <= 17; n++ {
		data, _ := synth.Blobs(n, 3, 2, 2, 1, uint64(n))
		layout := embed(t, data, 3, Options{Seed: 1})
		if n == 1 && layout[0] != [2]float32{} {
			t.Errorf("one point at %v, want the origin", layout[0])
		}
		if n > 1 && len(slices.Compact(slices.Clone(layout))) == 1 {
			t.Errorf("%d points all at %v", n, layout[0])
		}
	}
}

func TestEmbed_HandlesDuplicatePoints(t *testing.T) {
	t.Run("all identical", func(t *testing.T) {
		data := make([]float32, 300*4)
		for i := range data {
			data[i] = 0.5
		}
		embed(t, data, 4, Options{Seed: 1, NEpochs: 50})
	})
	t.Run("four identical points", func(t *testing.T) {
		embed(t, []float32{1, 2, 1, 2, 1, 2, 1, 2}, 2, Options{Seed: 1})
	})
	t.Run("two groups of copies", func(t *testing.T) {
		data := make([]float32, 0, 400*4)
		for i := range 400 {
			v := float32(i % 2 * 10)
			data = append(data, v, v, v, v)
		}
		layout := embed(t, data, 4, Options{Seed: 1, NEpochs: 100})
		labels := make([]int, 400)
		for i := range labels {
			labels[i] = i % 2
		}
		if acc, _ := quality.KNNAccuracy(layout, labels, 5, 0); acc < 0.99 {
			t.Errorf("the two groups mix: 5-NN accuracy %.3f", acc)
		}
	})
	t.Run("blobs with repeated rows", func(t *testing.T) {
		data, labels := synth.Blobs(500, 8, 5, 5, 1, 3)
		data = append(data, data[:200*8]...)
		labels = append(labels, labels[:200]...)
		layout := embed(t, data, 8, Options{Seed: 1, NEpochs: 100})
		if acc, _ := quality.KNNAccuracy(layout, labels, 5, 0); acc < 0.95 {
			t.Errorf("5-NN accuracy %.3f", acc)
		}
	})
}

func TestEmbed_HandlesOneDimensionalData(t *testing.T) {
	data := make([]float32, 500)
	for i := range data {
		data[i] = float32(i%5*100 + i%7)
	}
	for _, init := range []Init{InitSpectral, InitPCA, InitRandom} {
		embed(t, data, 1, Options{Seed: 1, Init: init, NEpochs: 50})
	}
}

func TestEmbed_LaysOutDisconnectedGraphsComponentByComponent(t *testing.T) {
	for _, clusters := range []int{3, 8} { // cross layout; spectral layout of centroids
		data, labels := synth.Blobs(100*clusters, 5, clusters, 1000, 1, 4)
		opts, _ := Options{NNeighbors: 5}.withDefaults(len(labels))
		fg, err := fuzzyGraph(data, 5, len(labels), opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, count := fg.components(); count != clusters {
			t.Fatalf("%d clusters: graph has %d components", clusters, count)
		}
		layout := embed(t, data, 5, Options{Seed: 2, NNeighbors: 5, NEpochs: 100})
		if acc, _ := quality.KNNAccuracy(layout, labels, 5, 0); acc < 0.99 {
			t.Errorf("%d clusters: 5-NN accuracy %.3f", clusters, acc)
		}
	}
}

func TestEmbed_RejectsBadInput(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name string
		data []float32
		opts Options
		want string
	}{
		{"NaN", []float32{0, 1, 2, 3, 4, nan, 6, 7, 8, 9}, Options{}, "row 2 column 1 is NaN"},
		{"ragged", []float32{0, 1, 2}, Options{}, "not a whole number"},
		{"labels", []float32{0, 1, 2, 3}, Options{Labels: []int{1}}, "1 labels for 2 points"},
		{"negative label", []float32{0, 1, 2, 3}, Options{Labels: []int{1, -2}}, "label of point 1 is -2"},
		{"init", []float32{0, 1, 2, 3}, Options{Init: "tsne"}, `Init = "tsne"`},
		{"min_dist", []float32{0, 1, 2, 3}, Options{MinDist: 2}, "MinDist = 2"},
		{"graph of other points", make([]float32, 10), Options{Graph: &knn.Graph{K: 2, Indices: make([]int32, 6),
			Distances: make([]float32, 6)}}, "2 neighbours of 3 points (want at least 4 of 5)"},
		{"initial layout", make([]float32, 10), Options{Initial: []float32{0, 0}}, "2 coordinates for 5 points"},
		{"initial NaN", make([]float32, 4), Options{Initial: []float32{0, 0, nan, 0}}, "point 1 has coordinate NaN"},
	} {
		_, err := Embed(tc.data, 2, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestEmbed_ReportsStagesAndEveryEpoch(t *testing.T) {
	data, _ := synth.Blobs(300, 5, 3, 4, 1, 1)
	var stages []string
	epochs := 0
	embed(t, data, 5, Options{Seed: 1, NEpochs: 40, Progress: func(stage string, done, total int) {
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
		if stage == StageLayout {
			epochs++
			if done != epochs || total != 40 {
				t.Errorf("layout progress %d/%d after %d epochs", done, total, epochs)
			}
		}
	}})
	want := []string{StageNeighbours, StageGraph, StageInit, StageLayout}
	if !slices.Equal(stages, want) || epochs != 40 {
		t.Errorf("stages %v with %d epochs, want %v with 40", stages, epochs, want)
	}
}

func TestDefaultEpochs_FollowUmapLearn(t *testing.T) {
	for n, want := range map[int]int{100: 500, 10000: 500, 10001: 200} {
		if o, _ := (Options{}).withDefaults(n); o.NEpochs != want {
			t.Errorf("n = %d: %d epochs, want %d", n, o.NEpochs, want)
		}
	}
}

func TestEmbed_WithAGraphFromNeighboursGivesTheLayoutItWouldBuild(t *testing.T) {
	data, _ := synth.Blobs(600, 10, 4, 4, 1, 5)
	opts := Options{Seed: 3, NEpochs: 60, NNeighbors: 10}
	own := embed(t, data, 10, opts)
	g, err := Neighbours(data, 10, opts)
	if err != nil || g.K != 10 {
		t.Fatalf("graph %v, err %v", g, err)
	}
	opts.Graph = g
	if got := embed(t, data, 10, opts); !slices.Equal(got, own) {
		t.Fatal("the layout from the given graph differs from the one Embed builds")
	}
	// A graph built for more neighbours serves fewer: exact neighbours
	// are the same, nearest first.
	opts.Graph, err = Neighbours(data, 10, Options{Seed: 3, NNeighbors: 25})
	if err != nil {
		t.Fatal(err)
	}
	if got := embed(t, data, 10, opts); !slices.Equal(got, own) {
		t.Fatal("the layout from a 25-neighbour graph's nearest 10 differs")
	}
	if g, err := Neighbours(data[:3*10], 10, opts); g != nil || err != nil {
		t.Fatalf("3 points: graph %v, err %v (want none)", g, err)
	}
}

func TestEmbed_StartsFromAGivenLayoutKeepingItsArrangement(t *testing.T) {
	data, _ := synth.Blobs(800, 10, 6, 6, 1, 6)
	first := embed(t, data, 10, Options{Seed: 1, NEpochs: 100, NNeighbors: 15})
	initial := make([]float32, 0, 2*len(first))
	for _, p := range first {
		initial = append(initial, p[0], p[1])
	}
	// Another min_dist and fewer neighbours, from the first layout: the
	// clusters stay where they were, so one layout animates into the other.
	other := embed(t, data, 10, Options{Seed: 2, NEpochs: 100, NNeighbors: 5, MinDist: 0.5, Initial: initial})
	for axis := range 2 {
		if c := correlation(first, other, axis); c < 0.9 {
			t.Errorf("axis %d: correlation %.3f between the given and the resulting layout (want ≥ 0.9)", axis, c)
		}
	}
}

// correlation is Pearson's r between one coordinate of two layouts.
func correlation(a, b [][2]float32, axis int) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += float64(a[i][axis]) / n
		mb += float64(b[i][axis]) / n
	}
	var sab, saa, sbb float64
	for i := range a {
		da, db := float64(a[i][axis])-ma, float64(b[i][axis])-mb
		sab, saa, sbb = sab+da*db, saa+da*da, sbb+db*db
	}
	return sab / math.Sqrt(saa*sbb)
}
