package hdbscan

import (
	"encoding/csv"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/pixplot/pixplot/plot/quality"
)

// updateTestdata rewrites the frozen inputs in testdata; the R labels are
// then regenerated with testdata/r_reference.R (see there).
var updateTestdata = flag.Bool("update", false, "rewrite testdata/blobs2d.csv")

// blob is a planted 2-D Gaussian cluster.
type blob struct {
	x, y, sx, sy float64
	n            int
}

// plantedBlobs draws the blobs and then noise points uniform in
// [-box, box]²; truth is the blob index, or Noise.
func plantedBlobs(seed uint64, blobs []blob, noise int, box float64) (data []float64, truth []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for c, b := range blobs {
		for range b.n {
			data = append(data, b.x+b.sx*rng.NormFloat64(), b.y+b.sy*rng.NormFloat64())
			truth = append(truth, c)
		}
	}
	for range noise {
		data = append(data, box*(2*rng.Float64()-1), box*(2*rng.Float64()-1))
		truth = append(truth, Noise)
	}
	return data, truth
}

// referenceBlobs is the input frozen in testdata/blobs2d.csv: six blobs of
// different sizes, spreads and shapes, and 10% uniform noise.
func referenceBlobs() ([]float64, []int) {
	return plantedBlobs(20240611, []blob{
		{-20, -15, 1.0, 1.0, 300},
		{-5, -18, 0.6, 0.6, 150},
		{12, -12, 2.0, 1.0, 300},
		{-18, 10, 1.5, 1.5, 250},
		{0, 8, 0.8, 2.5, 200},
		{18, 15, 1.2, 1.2, 150},
	}, 150, 30)
}

func TestWriteReferenceInput(t *testing.T) {
	if !*updateTestdata {
		t.Skip("run with -update to rewrite testdata/blobs2d.csv")
	}
	data, _ := referenceBlobs()
	rows := [][]string{{"x", "y"}}
	for i := 0; i < len(data); i += 2 {
		rows = append(rows, []string{
			strconv.FormatFloat(data[i], 'g', -1, 64),
			strconv.FormatFloat(data[i+1], 'g', -1, 64),
		})
	}
	f, err := os.Create(filepath.Join("testdata", "blobs2d.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := csv.NewWriter(f).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
}

// readCSV returns the rows of a testdata CSV file without its header.
func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows[1:]
}

func parseFloat(t *testing.T, name string, row int, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s row %d: %v", name, row+2, err)
	}
	return v
}

func ari(t *testing.T, a, b []int) float64 {
	t.Helper()
	v, err := quality.AdjustedRandIndex(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustCluster[T Float](t *testing.T, data []T, dim int, opts Options) *Result {
	t.Helper()
	r, err := Cluster(data, dim, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkResultShape(t, r, len(data)/dim)
	return r
}

// checkResultShape checks what every Result promises, whatever the input.
func checkResultShape(t *testing.T, r *Result, n int) {
	t.Helper()
	if len(r.Labels) != n || len(r.Probabilities) != n {
		t.Fatalf("%d labels and %d probabilities for %d points", len(r.Labels), len(r.Probabilities), n)
	}
	if len(r.Stabilities) != r.NumClusters() {
		t.Fatalf("%d stabilities for %d clusters", len(r.Stabilities), r.NumClusters())
	}
	counted := make([]int, r.NumClusters())
	for i, l := range r.Labels {
		p := r.Probabilities[i]
		switch {
		case l == Noise && p != 0:
			t.Fatalf("noise point %d has probability %v", i, p)
		case l < Noise || l >= r.NumClusters():
			t.Fatalf("point %d has label %d of %d clusters", i, l, r.NumClusters())
		case !(p >= 0 && p <= 1):
			t.Fatalf("point %d has probability %v", i, p)
		}
		if l >= 0 {
			counted[l]++
		}
	}
	for c, s := range r.Sizes {
		if counted[c] != s {
			t.Fatalf("cluster %d: size %d, %d labelled", c, s, counted[c])
		}
		if c > 0 && s > r.Sizes[c-1] {
			t.Fatalf("clusters not by decreasing size: %v", r.Sizes)
		}
	}
}
