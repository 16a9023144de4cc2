package grid

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustLayout[T Float](t *testing.T, xy []T, opts Options) *Grid {
	t.Helper()
	g, err := Layout(xy, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkBijection(t, g, len(xy)/2)
	return g
}

// checkBijection checks that the n points hold the first n cells, one each.
func checkBijection(t *testing.T, g *Grid, n int) {
	t.Helper()
	if len(g.Cells) != n {
		t.Fatalf("%d cells for %d points", len(g.Cells), n)
	}
	if n == 0 {
		return
	}
	if g.Cols*g.Rows < n || g.Cols*(g.Rows-1) >= n {
		t.Fatalf("%d×%d grid for %d points: want the fewest rows that fit", g.Cols, g.Rows, n)
	}
	taken := make([]bool, n)
	for i, c := range g.Cells {
		if c < 0 || c >= n || taken[c] {
			t.Fatalf("point %d got cell %d (out of range or taken)", i, c)
		}
		taken[c] = true
	}
}

func TestLayout_GivesEveryPointItsOwnCell(t *testing.T) {
	same := make([]float64, 2*50)
	line := make([]float64, 0, 2*300)
	for i := range 300 {
		line = append(line, float64(i), 0)
	}
	inputs := map[string][]float64{"equal points": same, "a line": line}
	for _, n := range []int{0, 1, 2, 3, 7, 100, 600, 1025, 5000} {
		inputs[fmt.Sprintf("%d clustered points", n)] = clustered(n, uint64(n))
	}
	for name, xy := range inputs {
		for _, opts := range []Options{{}, {Aspect: 2}, {ExactLimit: 40}} {
			g := mustLayout(t, xy, opts)
			if name == "a line" && opts.Aspect == 0 && g.Cols != int(math.Ceil(math.Sqrt(300*MaxAspect))) {
				t.Errorf("a line gave %d columns, want the widest aspect %v", g.Cols, MaxAspect)
			}
		}
	}
}

func TestLayout_ShapesTheGridByAspect(t *testing.T) {
	cases := []struct {
		n          int
		aspect     float64
		cols, rows int
	}{
		{100, 1, 10, 10}, {101, 1, 11, 10}, {100, 4, 20, 5}, {100, 0.25, 5, 20}, {1, 1, 1, 1}, {3, 9, 3, 1},
	}
	for _, c := range cases {
		g := mustLayout(t, clustered(c.n, 1), Options{Aspect: c.aspect})
		if g.Cols != c.cols || g.Rows != c.rows {
			t.Errorf("n=%d aspect %v: %d×%d, want %d×%d", c.n, c.aspect, g.Cols, g.Rows, c.cols, c.rows)
		}
	}
	wide := clustered(300, 2)
	for i := 0; i < len(wide); i += 2 {
		wide[i] *= 3
	}
	if g := mustLayout(t, wide, Options{}); g.Cols != 30 || g.Rows != 10 {
		t.Errorf("points three times wider than tall gave %d×%d, want 30×10", g.Cols, g.Rows)
	}
}

func TestLayout_PositionsAreCellCentresFillingTheUnitSquare(t *testing.T) {
	g := mustLayout(t, clustered(150, 3), Options{Aspect: 1.5})
	pos := g.Positions()
	s := g.CellSize()
	if g.Cols != 15 || s != 2.0/15 {
		t.Fatalf("%d×%d grid with cell size %v, want 15 columns of 2/15", g.Cols, g.Rows, s)
	}
	xs, ys := []float64{}, []float64{}
	for i := 0; i < len(pos); i += 2 {
		xs, ys = append(xs, float64(pos[i])), append(ys, float64(pos[i+1]))
	}
	const eps = 1e-6
	// The longer side spans [-1, 1] edge to edge; the shorter is centred.
	if math.Abs(slices.Min(xs)-(-1+s/2)) > eps || math.Abs(slices.Max(xs)-(1-s/2)) > eps {
		t.Errorf("x spans [%v, %v], want [%v, %v]", slices.Min(xs), slices.Max(xs), -1+s/2, 1-s/2)
	}
	if h := float64(g.Rows) * s / 2; math.Abs(slices.Min(ys)-(-h+s/2)) > eps || math.Abs(slices.Max(ys)-(h-s/2)) > eps {
		t.Errorf("y spans [%v, %v], want [%v, %v]", slices.Min(ys), slices.Max(ys), -h+s/2, h-s/2)
	}
	for i, c := range g.Cells {
		wantX := -1 + (float64(c%g.Cols)+0.5)*s
		if math.Abs(xs[i]-wantX) > eps {
			t.Fatalf("point %d in cell %d at x %v, want %v", i, c, xs[i], wantX)
		}
	}
}

func TestLayout_ExactAssignmentIsOptimal(t *testing.T) {
	for seed := range uint64(200) {
		n := 2 + int(seed%7)
		xy := clustered(n, seed)
		g := mustLayout(t, xy, Options{Aspect: 1})
		px, py, _ := splitXY(xy)
		scaleInto(px, float64(g.Cols))
		scaleInto(py, float64(g.Rows))
		cx, cy := make([]float64, n), make([]float64, n)
		for c := range n {
			cx[c], cy[c] = float64(c%g.Cols)+0.5, float64(c/g.Cols)+0.5
		}
		if got, want := totalCost(xy, g), bruteForceMin(n, squaredDistances(px, py, cx, cy)); math.Abs(got-want) > 1e-9 {
			t.Fatalf("seed %d (n=%d): cost %v, brute force %v", seed, n, got, want)
		}
	}
}

// Neighbourhood floors: measured 0.645 (exact, 1,000 points) and 0.636
// (tiled, 5,000 and 20,000 points) on clumpy layouts; a random assignment
// scores under 0.01.
const (
	exactPreservationFloor = 0.58
	tiledPreservationFloor = 0.57
	randomPreservationCeil = 0.05
)

func TestLayout_ExactAssignmentKeepsNeighbourhoods(t *testing.T) {
	xy := clustered(1000, 11)
	nn := nearestInput(xy, 10)
	g := mustLayout(t, xy, Options{})
	got, random := preservation(g, nn, 10), preservation(randomGrid(g, 1), nn, 10)
	t.Logf("exact, 1,000 points: %.3f of 10 nearest neighbours kept (random %.3f)", got, random)
	if got < exactPreservationFloor || random > randomPreservationCeil {
		t.Errorf("kept %.3f (want ≥ %v), random %.3f (want ≤ %v)", got, exactPreservationFloor, random, randomPreservationCeil)
	}
}

func TestLayout_TiledAssignmentKeepsNeighbourhoods(t *testing.T) {
	xy := clustered(5000, 12)
	nn := nearestInput(xy, 10)
	g := mustLayout(t, xy, Options{})
	got, random := preservation(g, nn, 10), preservation(randomGrid(g, 1), nn, 10)
	t.Logf("tiled, 5,000 points: %.3f of 10 nearest neighbours kept (random %.3f)", got, random)
	if got < tiledPreservationFloor || random > randomPreservationCeil {
		t.Errorf("kept %.3f (want ≥ %v), random %.3f (want ≤ %v)", got, tiledPreservationFloor, random, randomPreservationCeil)
	}
}

func TestLayout_TiledCostStaysNearTheExactOptimum(t *testing.T) {
	xy := clustered(1000, 13)
	exact := totalCost(xy, mustLayout(t, xy, Options{}))
	tiled := totalCost(xy, mustLayout(t, xy, Options{ExactLimit: 128}))
	t.Logf("1,000 points: exact cost %.0f, tiled (128) %.0f", exact, tiled)
	if tiled > 1.5*exact {
		t.Errorf("tiled cost %.0f is over 1.5× the optimum %.0f", tiled, exact)
	}
}

func TestLayout_IsDeterministicAndTakesFloat32(t *testing.T) {
	xy := clustered(3000, 14)
	narrow := make([]float32, len(xy))
	for i, v := range xy {
		narrow[i] = float32(v)
		xy[i] = float64(narrow[i])
	}
	a := mustLayout(t, xy, Options{})
	b := mustLayout(t, narrow, Options{})
	if !slices.Equal(a.Cells, b.Cells) {
		t.Error("the same points as float32 and float64 gave different layouts")
	}
}

func TestLayout_RejectsBadInputNamingTheProblem(t *testing.T) {
	cases := []struct {
		xy   []float64
		opts Options
		want string
	}{
		{[]float64{0, 0, 1}, Options{}, "3 coordinates do not make (x, y) pairs"},
		{[]float64{0, 0, 1, math.NaN()}, Options{}, "point 1, coordinate 1 is NaN"},
		{[]float64{0, 0}, Options{Aspect: -1}, "Aspect = -1"},
		{[]float64{0, 0}, Options{ExactLimit: -5}, "ExactLimit = -5"},
		{[]float64{0, 0}, Options{ExactLimit: MaxExactLimit + 1}, "ExactLimit = 8193"},
	}
	for _, c := range cases {
		if _, err := Layout(c.xy, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}

func TestLayout_HundredThousandPointsInSeconds(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("large input")
	}
	for _, n := range []int{1000, 4000, 20000, 100000} {
		xy := clustered(n, 15)
		start := time.Now()
		mustLayout(t, xy, Options{})
		elapsed := time.Since(start)
		t.Logf("%d points: %v", n, elapsed)
		if n == 100000 && elapsed > time.Minute {
			t.Errorf("100,000 points took %v, want under a minute (a few seconds idle)", elapsed)
		}
	}
}
