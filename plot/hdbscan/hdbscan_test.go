package hdbscan

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCluster_RecoversPlantedGaussianClustersAmongUniformNoise(t *testing.T) {
	data, truth := plantedBlobs(1, []blob{
		{-15, -15, 1, 1, 400}, {15, -15, 1, 1, 300}, {-15, 15, 1.5, 1.5, 500},
		{15, 15, 0.7, 0.7, 200}, {0, 0, 1, 1, 300},
	}, 300, 30)
	r := mustCluster(t, data, 2, Options{MinClusterSize: 20})
	if r.NumClusters() != 5 {
		t.Fatalf("found %d clusters %v, planted 5", r.NumClusters(), r.Sizes)
	}
	var plantedTruth, plantedFound []int
	noise, noiseKept := 0, 0
	var absorbedProb, plantedProb []float64
	for i, c := range truth {
		if c == Noise {
			noise++
			if r.Labels[i] == Noise {
				noiseKept++
			} else {
				absorbedProb = append(absorbedProb, r.Probabilities[i])
			}
			continue
		}
		plantedTruth = append(plantedTruth, c)
		plantedFound = append(plantedFound, r.Labels[i])
		plantedProb = append(plantedProb, r.Probabilities[i])
	}
	if v := ari(t, plantedTruth, plantedFound); v < 0.95 {
		t.Errorf("ARI on planted points = %.3f, want ≥ 0.95", v)
	}
	// A cluster owns every point still attached to it when it is born, so
	// noise in its reach joins it, as in R and Python, with low probability.
	if frac := float64(noiseKept) / float64(noise); frac < 0.6 {
		t.Errorf("%.2f of the uniform noise labelled noise, want ≥ 0.6", frac)
	}
	if a, p := mean(absorbedProb), mean(plantedProb); !(a < p/2) {
		t.Errorf("mean probability of noise in clusters %.2f, of planted points %.2f; want under half", a, p)
	}
	if v := ari(t, truth, r.Labels); v < 0.9 {
		t.Errorf("ARI on all points (noise as a class) = %.3f, want ≥ 0.9", v)
	}
}

// TestCluster_AgreesWithRDbscan compares with labels frozen from R's
// dbscan::hdbscan (testdata/r_reference.R), whose minPts is both
// MinClusterSize and MinSamples.
func TestCluster_AgreesWithRDbscan(t *testing.T) {
	input := readCSV(t, "blobs2d.csv")
	data := make([]float64, 0, 2*len(input))
	for i, row := range input {
		data = append(data, parseFloat(t, "blobs2d.csv", i, row[0]), parseFloat(t, "blobs2d.csv", i, row[1]))
	}
	for _, minPts := range []int{10, 25} {
		name := "r_minpts" + strconv.Itoa(minPts) + ".csv"
		ref := readCSV(t, name)
		want := make([]int, len(ref))
		clusters := 0
		for i, row := range ref {
			want[i] = int(parseFloat(t, name, i, row[0])) - 1 // R: 0 = noise
			clusters = max(clusters, want[i]+1)
		}
		r := mustCluster(t, data, 2, Options{MinClusterSize: minPts})
		v := ari(t, want, r.Labels)
		t.Logf("minPts %d: %d clusters (R %d), ARI vs R %.4f", minPts, r.NumClusters(), clusters, v)
		if v < 0.95 || r.NumClusters() != clusters {
			t.Errorf("minPts %d: %d clusters, ARI %.4f; R found %d (want equal, ARI ≥ 0.95)", minPts, r.NumClusters(), v, clusters)
		}
	}
}

func TestCluster_LargerMinSamplesCallsMorePointsNoise(t *testing.T) {
	data, _ := referenceBlobs()
	noise := func(minSamples int) int {
		r := mustCluster(t, data, 2, Options{MinClusterSize: 20, MinSamples: minSamples})
		return len(r.Labels) - sum(r.Sizes)
	}
	few, many := noise(2), noise(50)
	if !(many > few) {
		t.Errorf("noise with MinSamples 2: %d, with 50: %d; want more with 50", few, many)
	}
	if same := noise(0); same != noise(20) {
		t.Errorf("MinSamples 0 gave %d noise points, MinSamples = MinClusterSize %d", same, noise(20))
	}
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func TestCluster_LeafSelectionNestsInsideExcessOfMass(t *testing.T) {
	// A broad cluster with three dense knots, and a separate blob.
	data, _ := plantedBlobs(3, []blob{
		{0, 0, 4, 4, 600}, {-3, 0, 0.3, 0.3, 60}, {3, 0, 0.3, 0.3, 60}, {0, 3, 0.3, 0.3, 60},
		{25, 0, 1, 1, 300},
	}, 0, 0)
	eom := mustCluster(t, data, 2, Options{MinClusterSize: 30})
	leaf := mustCluster(t, data, 2, Options{MinClusterSize: 30, Selection: Leaf})
	if leaf.NumClusters() <= eom.NumClusters() {
		t.Fatalf("leaf found %d clusters, EOM %d; want leaf finer", leaf.NumClusters(), eom.NumClusters())
	}
	parent := map[int]int{}
	for i, l := range leaf.Labels {
		if l == Noise {
			continue
		}
		e := eom.Labels[i]
		if e == Noise {
			t.Fatalf("point %d in leaf cluster %d is EOM noise", i, l)
		}
		if p, ok := parent[l]; ok && p != e {
			t.Fatalf("leaf cluster %d spans EOM clusters %d and %d", l, p, e)
		}
		parent[l] = e
	}
}

func TestCluster_SmallInputsAreNoiseWithoutPanicking(t *testing.T) {
	for n := range 4 {
		data := make([]float64, 0, 2*n)
		for i := range n {
			data = append(data, float64(i), float64(i*i))
		}
		r := mustCluster(t, data, 2, Options{MinClusterSize: 2})
		if r.NumClusters() != 0 {
			t.Errorf("n=%d: %d clusters, want none (a cluster needs a split)", n, r.NumClusters())
		}
		r = mustCluster(t, data, 2, Options{MinClusterSize: 2, AllowSingleCluster: true})
		if want := min(n/2, 1); r.NumClusters() != want {
			t.Errorf("n=%d with AllowSingleCluster: %d clusters, want %d", n, r.NumClusters(), want)
		}
	}
	data, _ := plantedBlobs(1, []blob{{0, 0, 1, 1, 19}}, 0, 0)
	for _, single := range []bool{false, true} {
		r := mustCluster(t, data, 2, Options{MinClusterSize: 20, AllowSingleCluster: single})
		if r.NumClusters() != 0 {
			t.Errorf("19 points, MinClusterSize 20, AllowSingleCluster %v: %d clusters, want all noise", single, r.NumClusters())
		}
	}
	r := mustCluster(t, data, 2, Options{MinClusterSize: 5, MinSamples: 50})
	t.Logf("MinSamples above n: %d clusters", r.NumClusters())
}

func TestCluster_DuplicatePointsFormClustersOfTheirOwn(t *testing.T) {
	same := make([]float64, 2*200)
	r := mustCluster(t, same, 2, Options{MinClusterSize: 5, AllowSingleCluster: true})
	if r.NumClusters() != 1 || r.Sizes[0] != 200 {
		t.Errorf("200 equal points: sizes %v, want one cluster of 200", r.Sizes)
	}
	// Three sites, each repeated 100 times, far apart.
	var sites []float64
	for i := range 300 {
		sites = append(sites, float64(10*(i%3)), 0)
	}
	r = mustCluster(t, sites, 2, Options{MinClusterSize: 20})
	if r.NumClusters() != 3 {
		t.Fatalf("3 repeated sites: sizes %v, want 3 clusters", r.Sizes)
	}
	for i, l := range r.Labels {
		if l != r.Labels[i%3] || r.Probabilities[i] != 1 {
			t.Fatalf("point %d: label %d, probability %v; want its site's label, probability 1", i, l, r.Probabilities[i])
		}
	}
}

func TestCluster_Float32InputGivesTheSameLabelsAsFloat64(t *testing.T) {
	data, _ := referenceBlobs()
	narrow := make([]float32, len(data))
	wide := make([]float64, len(data))
	for i, v := range data {
		narrow[i] = float32(v)
		wide[i] = float64(narrow[i])
	}
	a := mustCluster(t, narrow, 2, Options{MinClusterSize: 15})
	b := mustCluster(t, wide, 2, Options{MinClusterSize: 15})
	for i := range a.Labels {
		if a.Labels[i] != b.Labels[i] || a.Probabilities[i] != b.Probabilities[i] {
			t.Fatalf("point %d: float32 gave %d (%v), float64 %d (%v)", i, a.Labels[i], a.Probabilities[i], b.Labels[i], b.Probabilities[i])
		}
	}
}

func TestCluster_ManyDimensionsUsePrimWithTheSameClusters(t *testing.T) {
	// The same blobs embedded in 12 dimensions (above KDTreeMaxDim) and 2.
	flat, _ := referenceBlobs()
	const dim = 12
	wide := make([]float64, 0, len(flat)/2*dim)
	for i := 0; i < len(flat); i += 2 {
		row := make([]float64, dim)
		row[3], row[7] = flat[i], flat[i+1]
		wide = append(wide, row...)
	}
	a := mustCluster(t, flat, 2, Options{MinClusterSize: 15})
	b := mustCluster(t, wide, dim, Options{MinClusterSize: 15})
	if v := ari(t, a.Labels, b.Labels); v != 1 {
		t.Errorf("ARI between 2-D and 12-D runs = %v, want 1", v)
	}
}

func TestCluster_RejectsBadInputNamingTheProblem(t *testing.T) {
	cases := []struct {
		data []float64
		dim  int
		opts Options
		want string
	}{
		{[]float64{0, 0, 1, 1, 2, math.NaN()}, 2, Options{MinClusterSize: 2}, "point 2, coordinate 1 is NaN"},
		{[]float64{0, 0, math.Inf(1), 1}, 2, Options{MinClusterSize: 2}, "point 1, coordinate 0 is +Inf"},
		{[]float64{0, 0, 1}, 2, Options{MinClusterSize: 2}, "3 values do not make rows of 2"},
		{[]float64{0, 0}, 0, Options{MinClusterSize: 2}, "dimension 0"},
		{[]float64{0, 0}, 2, Options{MinClusterSize: 1}, "MinClusterSize = 1"},
		{[]float64{0, 0}, 2, Options{MinClusterSize: 5, MinSamples: -1}, "MinSamples = -1"},
		{[]float64{0, 0}, 2, Options{MinClusterSize: 5, Selection: "best"}, `unknown Selection "best"`},
	}
	for _, c := range cases {
		_, err := Cluster(c.data, c.dim, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}

func TestCluster_EveryClusterHasAFullMemberAndPositiveStability(t *testing.T) {
	data, _ := referenceBlobs()
	r := mustCluster(t, data, 2, Options{MinClusterSize: 15})
	full := make([]bool, r.NumClusters())
	for i, l := range r.Labels {
		if l >= 0 && r.Probabilities[i] == 1 {
			full[l] = true
		}
	}
	for c := range full {
		if !full[c] || !(r.Stabilities[c] > 0) {
			t.Errorf("cluster %d: has a probability-1 member %v, stability %v", c, full[c], r.Stabilities[c])
		}
	}
}

func TestDefaultMinClusterSize_GrowsWithNWithinBounds(t *testing.T) {
	for n, want := range map[int]int{0: 5, 50: 5, 2000: 20, 9999: 99, 1_000_000: 100} {
		if got := DefaultMinClusterSize(n); got != want {
			t.Errorf("DefaultMinClusterSize(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestCluster_HundredThousand2DPointsInSeconds(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("large input")
	}
	var blobs []blob
	for c := range 20 {
		blobs = append(blobs, blob{float64(c%5) * 12, float64(c/5) * 12, 1 + float64(c%3)/3, 1, 4750})
	}
	data, truth := plantedBlobs(5, blobs, 5000, 40)
	start := time.Now()
	r := mustCluster(t, data, 2, Options{MinClusterSize: DefaultMinClusterSize(len(truth))})
	elapsed := time.Since(start)
	v := ari(t, truth, r.Labels)
	t.Logf("n=%d: %d clusters in %v, ARI %.3f", len(truth), r.NumClusters(), elapsed, v)
	if elapsed > time.Minute || v < 0.9 {
		t.Errorf("took %v with ARI %.3f; want under a minute (a few seconds idle) and ARI ≥ 0.9", elapsed, v)
	}
}
