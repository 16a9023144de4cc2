package quality

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pixplot/pixplot/plot/knn"
)

func TestTrustworthiness_MatchesScikitLearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		N, Dim int
		Data   []float32
		Layout []float32
		Trust  map[string]float64
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	layout := make([][2]float32, ref.N)
	for i := range layout {
		layout[i] = [2]float32{ref.Layout[2*i], ref.Layout[2*i+1]}
	}
	for key, want := range ref.Trust {
		name, kText, _ := strings.Cut(key, "/")
		k, _ := strconv.Atoi(kText)
		metric, err := knn.ParseMetric(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Trustworthiness(ref.Data, ref.Dim, layout, k, metric, 2)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: %.10f, scikit-learn %.10f", key, got, want)
		}
	}
}

func TestTrustworthiness_IsOneForAnExactCopy(t *testing.T) {
	data := make([]float32, 0, 200)
	layout := make([][2]float32, 100)
	for i := range layout {
		x, y := float32(i%10)+0.01*float32(i), float32(i/10)
		data = append(data, x, y)
		layout[i] = [2]float32{x, y}
	}
	got, err := Trustworthiness(data, 2, layout, 5, knn.Euclidean, 1)
	if err != nil || got != 1 {
		t.Fatalf("trustworthiness %v, %v; want 1", got, err)
	}
}

func TestKNNAccuracy_VotesAmongNearestOthers(t *testing.T) {
	// Two tight groups far apart, one point mislabelled, one unlabelled.
	var layout [][2]float32
	var labels []int
	for i := range 20 {
		layout = append(layout, [2]float32{float32(i % 2 * 100), float32(i) * 0.01})
		labels = append(labels, i%2)
	}
	labels[4] = 1  // in group 0
	labels[7] = -1 // ignored
	got, err := KNNAccuracy(layout, labels, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := 18.0 / 19; math.Abs(got-want) > 1e-12 {
		t.Fatalf("accuracy %v, want %v", got, want)
	}
}

func TestKNNAccuracy_GridMatchesBruteForce(t *testing.T) {
	// Clustered points so that cells hold very different counts.
	n := 3000
	layout := make([][2]float32, n)
	labels := make([]int, n)
	for i := range layout {
		c := i % 7
		a := float64(i) * 2.399963
		r := math.Sqrt(float64(i%400)) * 0.05 * float64(c+1)
		layout[i] = [2]float32{float32(float64(c*3) + r*math.Cos(a)), float32(float64(c*c) + r*math.Sin(a))}
		labels[i] = (i / 3) % 4
	}
	g := newGrid(layout)
	for _, i := range []int{0, 1, 17, 999, 2048, 2999} {
		got := g.nearest(i, 9)
		want := layoutNeighbours(layout, i, 9)
		for j := range want {
			di := dist2(layout[i], layout[got[j]])
			dj := dist2(layout[i], layout[want[j]])
			if di != dj {
				t.Fatalf("point %d neighbour %d: grid %d at %g, brute force %d at %g", i, j, got[j], di, want[j], dj)
			}
		}
	}
}

func dist2(a, b [2]float32) float64 {
	dx, dy := float64(a[0]-b[0]), float64(a[1]-b[1])
	return dx*dx + dy*dy
}
