package pointgrid

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// gaussianClusters returns n points in a few tight Gaussian clumps, the
// kind of layout UMAP with a small min_dist makes.
func gaussianClusters(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 2))
	centres := [][2]float64{{-0.7, -0.5}, {0.6, 0.4}, {0.1, 0.8}, {-0.2, -0.9}}
	xy := make([]float32, 0, 2*n)
	for k := range n {
		c := centres[k%len(centres)]
		xy = append(xy, float32(c[0]+0.05*r.NormFloat64()), float32(c[1]+0.05*r.NormFloat64()))
	}
	return xy
}

func align(t *testing.T, xy []float32, opts Options) ([]float32, float64) {
	t.Helper()
	out, step, err := Align(xy, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(xy) {
		t.Fatalf("%d coordinates out for %d in", len(out), len(xy))
	}
	return out, step
}

// checkApart fails unless every two points are at least one grid step
// apart (the checkerboard keeps them √2 steps apart), so no two share a node.
func checkApart(t *testing.T, out []float32, step float64) {
	t.Helper()
	n := len(out) / 2
	for a := range n {
		for b := a + 1; b < n; b++ {
			dx, dy := float64(out[2*a]-out[2*b]), float64(out[2*a+1]-out[2*b+1])
			if d := math.Hypot(dx, dy); d < 0.999*step {
				t.Fatalf("points %d and %d are %g apart, less than the grid step %g", a, b, d, step)
			}
		}
	}
}

// moves returns the mean and largest distance points moved.
func moves(in, out []float32) (mean, largest float64) {
	n := len(in) / 2
	for k := range n {
		d := math.Hypot(float64(in[2*k]-out[2*k]), float64(in[2*k+1]-out[2*k+1]))
		mean += d / float64(n)
		largest = max(largest, d)
	}
	return mean, largest
}

func TestAlign_PutsEveryPointOnItsOwnNodeOfAGridOfAHundredNodesPerPoint(t *testing.T) {
	xy := gaussianClusters(2000, 1)
	out, step := align(t, xy, Options{Seed: 1})
	checkApart(t, out, step)
	// The grid has about n/fill nodes over the points' box (2 × 2 here).
	wantStep := math.Sqrt(1.9 * 1.9 * DefaultFill / 2000)
	if step < 0.8*wantStep || step > 1.2*wantStep {
		t.Fatalf("grid step %g, want about %g", step, wantStep)
	}
}

func TestAlign_MovesPointsLittle(t *testing.T) {
	uniform := make([]float32, 2*3000)
	r := rand.New(rand.NewPCG(4, 4))
	for k := range uniform {
		uniform[k] = float32(2*r.Float64() - 1)
	}
	for name, xy := range map[string][]float32{"uniform": uniform, "clustered": gaussianClusters(3000, 2)} {
		t.Run(name, func(t *testing.T) {
			out, step := align(t, xy, Options{Seed: 3})
			mean, largest := moves(xy, out)
			t.Logf("step %.4g: mean move %.3g steps, largest %.3g steps", step, mean/step, largest/step)
			// A free node lies within a step or two almost always; the
			// dense middles of the clumps push a few points further.
			if mean > 1.5*step || largest > 12*step {
				t.Fatalf("points moved %g on average, at most %g (grid step %g)", mean, largest, step)
			}
		})
	}
}

func TestAlign_IsDeterministicForASeed(t *testing.T) {
	xy := gaussianClusters(500, 5)
	a, _ := align(t, xy, Options{Seed: 9})
	b, _ := align(t, xy, Options{Seed: 9})
	if !slices.Equal(a, b) {
		t.Fatal("the same points and seed gave different positions")
	}
	c, _ := align(t, xy, Options{Seed: 10})
	if slices.Equal(a, c) {
		t.Fatal("another seed (another placing order) gave exactly the same positions")
	}
}

func TestAlign_SpreadsCoincidingPointsAroundTheirPlace(t *testing.T) {
	xy := make([]float32, 0, 2*110)
	for range 100 {
		xy = append(xy, 0.25, -0.5)
	}
	xy = append(gaussianClusters(10, 6), xy...)
	out, step := align(t, xy, Options{Seed: 1})
	checkApart(t, out, step)
	// 100 points on every other node fill a disc of about √(2·100/π) ≈ 8 steps.
	for k := 10; k < 110; k++ {
		if d := math.Hypot(float64(out[2*k])-0.25, float64(out[2*k+1])+0.5); d > 10*step {
			t.Fatalf("coinciding point %d moved %g (%g steps) away", k, d, d/step)
		}
	}
}

func TestAlign_HandlesOneTwoAndThreePointsAndAllTheSame(t *testing.T) {
	for name, xy := range map[string][]float32{
		"one":            {0.3, 0.3},
		"two":            {-1, 0, 1, 0},
		"two the same":   {0.5, 0.5, 0.5, 0.5},
		"three":          {-1, -1, 1, 1, 0, 0.5},
		"three the same": {0, 0, 0, 0, 0, 0},
		"on a line":      {-1, 0, -0.5, 0, 0, 0, 0.5, 0, 1, 0},
	} {
		t.Run(name, func(t *testing.T) {
			out, step := align(t, xy, Options{})
			if !(step > 0) {
				t.Fatalf("grid step %g", step)
			}
			checkApart(t, out, step)
			for _, v := range out {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("positions %v", out)
				}
			}
		})
	}
	if out, _ := align(t, []float32{0.3, 0.3}, Options{}); out[0] != 0.3 || out[1] != 0.3 {
		t.Fatalf("a lone point moved to %v", out)
	}
	if out, _ := align(t, nil, Options{}); len(out) != 0 {
		t.Fatalf("no points gave %v", out)
	}
}

func TestAlign_RefusesBadInputNamingIt(t *testing.T) {
	for name, c := range map[string]struct {
		xy   []float32
		opts Options
		want string
	}{
		"odd length":     {[]float32{1, 2, 3}, Options{}, "3 coordinates"},
		"NaN":            {[]float32{0, 0, 1, float32(math.NaN())}, Options{}, "image 1: y is NaN"},
		"infinite":       {[]float32{float32(math.Inf(-1)), 0}, Options{}, "image 0: x is -Inf"},
		"fill too large": {[]float32{0, 0}, Options{Fill: 0.6}, "fill 0.6"},
		"negative fill":  {[]float32{0, 0}, Options{Fill: -1}, "fill -1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Align(c.xy, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestAlign_TakesEveryCheckerboardNodeAtTheLargestFill(t *testing.T) {
	xy := gaussianClusters(400, 7)
	out, step := align(t, xy, Options{Fill: MaxFill, Seed: 2})
	checkApart(t, out, step)
}

func BenchmarkAlign100k(b *testing.B) {
	xy := gaussianClusters(100000, 8)
	for b.Loop() {
		if _, _, err := Align(xy, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
