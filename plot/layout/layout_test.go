package layout

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// checkNormalised fails unless every position (with its cell, when cells
// is set), and every label, lies in [-1, 1]², and all of them together span
// [-1, 1] on at least one axis (the longer side), less margin.
func checkNormalised(t *testing.T, l Layout, cells bool, margin float32) {
	t.Helper()
	half := float32(0)
	if cells {
		half = l.CellSize / 2
	}
	lo, hi := [2]float32{1, 1}, [2]float32{-1, -1}
	extend := func(what string, p [2]float32, h float32) {
		for a := range 2 {
			v0, v1 := p[a]-h, p[a]+h
			if v0 < -1-1e-5 || v1 > 1+1e-5 || math.IsNaN(float64(p[a])) {
				t.Fatalf("%s: %s coordinate %d = %v (± %v) outside [-1, 1]", l.Name, what, a, p[a], h)
			}
			lo[a], hi[a] = min(lo[a], v0), max(hi[a], v1)
		}
	}
	for i := range len(l.Positions) / 2 {
		x, y := l.Point(i)
		extend(fmt.Sprintf("image %d", i), [2]float32{x, y}, half)
	}
	for _, lb := range l.Labels {
		extend(fmt.Sprintf("label %q", lb.Text), [2]float32{lb.X, lb.Y}, 0)
	}
	if span := max(hi[0]-lo[0], hi[1]-lo[1]); span < 2-2*margin-1e-4 {
		t.Fatalf("%s: longer side spans %v, want about 2 (margin %v)", l.Name, span, margin)
	}
}

func TestScatter_NormalisesToUnitSquareKeepingAspect(t *testing.T) {
	xy := []float32{10, 5, 30, 10, 20, 7.5, 12, 6}
	l, err := Scatter(UMAP, xy)
	if err != nil {
		t.Fatal(err)
	}
	checkNormalised(t, l, false, 0)
	want := []float32{-1, -0.25, 1, 0.25, 0, 0, -0.8, -0.15}
	for i, w := range want {
		if math.Abs(float64(l.Positions[i]-w)) > 1e-6 {
			t.Fatalf("positions = %v, want %v (aspect 4:1 kept, centred)", l.Positions, want)
		}
	}
	if xy[0] != 10 {
		t.Fatal("Scatter changed its input")
	}
}

func TestScatter_DegenerateInputsStayAtTheOrigin(t *testing.T) {
	for _, xy := range [][]float32{{}, {3, 4}, {3, 4, 3, 4}} {
		l, err := Scatter(UMAP, xy)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range l.Positions {
			if v != 0 {
				t.Fatalf("Scatter(%v) = %v, want all at the origin", xy, l.Positions)
			}
		}
	}
	l, _ := Scatter(UMAP, []float32{0, 0, 2, 0})
	if l.Positions[0] != -1 || l.Positions[2] != 1 || l.Positions[1] != 0 {
		t.Fatalf("two points = %v, want (-1, 0) and (1, 0)", l.Positions)
	}
}

func TestScatter_RefusesNonFiniteCoordinates(t *testing.T) {
	_, err := Scatter(UMAP, []float32{0, 0, float32(math.NaN()), 1})
	if err == nil || !strings.Contains(err.Error(), "image 1") {
		t.Fatalf("err = %v, want one naming image 1", err)
	}
}

// cellRect is the square a cell covers.
type cellRect struct{ x0, y0, x1, y1 float32 }

func cellOf(l Layout, i int) cellRect {
	x, y := l.Point(i)
	h := l.CellSize / 2
	return cellRect{x - h, y - h, x + h, y + h}
}

func (r cellRect) overlaps(o cellRect) bool {
	const eps = 1e-5
	return r.x0 < o.x1-eps && o.x0 < r.x1-eps && r.y0 < o.y1-eps && o.y0 < r.y1-eps
}

func (r *cellRect) grow(o cellRect) {
	r.x0, r.y0, r.x1, r.y1 = min(r.x0, o.x0), min(r.y0, o.y0), max(r.x1, o.x1), max(r.y1, o.y1)
}

// checkCellsDisjoint fails if two images' cells overlap.
func checkCellsDisjoint(t *testing.T, l Layout) {
	t.Helper()
	n := len(l.Positions) / 2
	for i := range n {
		for j := range i {
			if cellOf(l, i).overlaps(cellOf(l, j)) {
				t.Fatalf("%s: the cells of images %d %v and %d %v overlap", l.Name, j, cellOf(l, j), i, cellOf(l, i))
			}
		}
	}
}

func randomSim(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	sim := make([]float32, 2*n)
	for i := range sim {
		sim[i] = float32(r.NormFloat64())
	}
	return sim
}

func TestByCategory_BlocksDoNotOverlapAndLabelsSitUnderTheirBlocks(t *testing.T) {
	sizes := map[string]int{"paintings": 50, "maps": 20, "coins": 7, "seals": 1, "": 9}
	var cats []string
	for _, name := range []string{"coins", "", "paintings", "seals", "maps"} {
		for range sizes[name] {
			cats = append(cats, name)
		}
	}
	l, ok, err := ByCategory(cats, randomSim(len(cats), 1))
	if err != nil || !ok {
		t.Fatalf("ByCategory: ok %v, err %v", ok, err)
	}
	checkNormalised(t, l, true, 0)
	checkCellsDisjoint(t, l)
	blocks := map[string]*cellRect{}
	for i, c := range cats {
		if c == "" {
			c = NoCategory
		}
		r := cellOf(l, i)
		if blocks[c] == nil {
			blocks[c] = &r
		}
		blocks[c].grow(r)
	}
	for a, ra := range blocks {
		for b, rb := range blocks {
			if a < b && ra.overlaps(*rb) {
				t.Fatalf("blocks %q %v and %q %v overlap", a, *ra, b, *rb)
			}
		}
		// A block is compact: about square, with no more cells than images plus one row.
		w, h := (ra.x1-ra.x0)/l.CellSize, (ra.y1-ra.y0)/l.CellSize
		n := sizes[a]
		if a == NoCategory {
			n = sizes[""]
		}
		if math.Abs(float64(w-h)) > 1.01 || w*h > float32(n)+w+0.01 {
			t.Fatalf("block %q of %d images is %.1f×%.1f cells, want square-ish", a, n, w, h)
		}
	}
	if len(l.Labels) != len(blocks) {
		t.Fatalf("%d labels for %d blocks", len(l.Labels), len(blocks))
	}
	for _, lb := range l.Labels {
		r := blocks[lb.Text]
		if r == nil {
			t.Fatalf("label %q names no block", lb.Text)
		}
		if lb.X < r.x0 || lb.X > r.x1 || lb.Y >= r.y0 || lb.Y < r.y0-1.5*l.CellSize {
			t.Fatalf("label %q at (%v, %v) is not just below its block %v", lb.Text, lb.X, lb.Y, *r)
		}
	}
	// Largest block first: it starts at the top left.
	if p := blocks["paintings"]; p.y1 < blocks["maps"].y1 || p.x0 > blocks["maps"].x0 {
		t.Fatalf("the largest block %v is not first (top left); maps at %v", *p, *blocks["maps"])
	}
	if blocks[NoCategory].y1 > blocks["seals"].y1 || (blocks[NoCategory].y1 == blocks["seals"].y1 && blocks[NoCategory].x0 < blocks["seals"].x0) {
		t.Fatalf("the %q block is not last", NoCategory)
	}
}

func TestByCategory_KeepsSimilarImagesTogetherInABlock(t *testing.T) {
	// 16 images of one category on a 4×4 lattice in similarity space land
	// in the same arrangement in their block.
	var cats []string
	var sim []float32
	for i := range 16 {
		cats = append(cats, "a")
		sim = append(sim, float32(i%4), float32(i/4))
	}
	cats = append(cats, "b")
	sim = append(sim, 0, 0)
	l, ok, err := ByCategory(cats, sim)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	for i := range 16 {
		for j := range 16 {
			xi, yi := l.Point(i)
			xj, yj := l.Point(j)
			if (i%4 < j%4) != (xi < xj) || (i/4 < j/4) != (yi < yj) {
				t.Fatalf("images %d and %d are not arranged as in similarity space", i, j)
			}
		}
	}
}

func TestByCategory_NeedsTwoCategories(t *testing.T) {
	for _, cats := range [][]string{{}, {"a"}, {"a", "a", ""}, {"", ""}} {
		if _, ok, err := ByCategory(cats, nil); ok || err != nil {
			t.Fatalf("ByCategory(%q) ok = %v, err = %v; want not applicable", cats, ok, err)
		}
	}
	if _, ok, _ := ByCategory([]string{"a", "b"}, nil); !ok {
		t.Fatal("two categories should make a layout")
	}
}

func years(vs ...int) []*int {
	out := make([]*int, len(vs))
	for i, v := range vs {
		if v != -1 {
			out[i] = &v
		}
	}
	return out
}

func TestByYear_ColumnsAreOrderedByYearWithLabelsUnderThem(t *testing.T) {
	ys := years(1950, 1920, 1930, 1920, -1, 1920, 1950, 1931, -1, 1920)
	l, ok, err := ByYear(ys, randomSim(len(ys), 2))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	checkNormalised(t, l, true, l.CellSize) // a column is 3 cells wide, its last row partly filled
	checkCellsDisjoint(t, l)
	// Span 1920 … 1950 is 31 one-year columns, 27 of them empty.
	labelX := map[string]float32{}
	var order []string
	for _, lb := range l.Labels {
		labelX[lb.Text] = lb.X
		order = append(order, lb.Text)
	}
	if got := strings.Join(order, ","); got != "1920,1930,1931,1950,"+NoDate {
		t.Fatalf("labels %s, want 1920,1930,1931,1950,%s", got, NoDate)
	}
	bottom := float32(1)
	for i := range ys {
		_, y := l.Point(i)
		bottom = min(bottom, y)
	}
	for i, y := range ys {
		text := NoDate
		if y != nil {
			text = strconv.Itoa(*y)
		}
		x, _ := l.Point(i)
		if math.Abs(float64(x-labelX[text])) > float64(2*l.CellSize) {
			t.Fatalf("image %d (%s) at x %v is not in the column labelled at %v", i, text, x, labelX[text])
		}
	}
	for _, lb := range l.Labels {
		if lb.Y >= bottom {
			t.Fatalf("label %q at y %v is not under the columns (lowest image %v)", lb.Text, lb.Y, bottom)
		}
	}
	// Empty years keep their place: 1930 is a third of the way from 1920 to 1950.
	frac := (labelX["1930"] - labelX["1920"]) / (labelX["1950"] - labelX["1920"])
	if math.Abs(float64(frac)-1.0/3) > 0.01 {
		t.Fatalf("1930 sits %.3f of the way from 1920 to 1950, want 1/3 (linear time axis)", frac)
	}
	// Every column stacks upwards from the common baseline.
	for _, i := range []int{0, 1, 2, 4, 7} { // one image of each column
		_, y := l.Point(i)
		if low := lowestInColumn(l, ys, i); low != bottom {
			t.Fatalf("the column of image %d (y %v) starts at %v, not at the baseline %v", i, y, low, bottom)
		}
	}
}

// lowestInColumn is the lowest y among the images of the same year as image i.
func lowestInColumn(l Layout, ys []*int, i int) float32 {
	low := float32(1)
	for j := range ys {
		if (ys[i] == nil) == (ys[j] == nil) && (ys[i] == nil || *ys[i] == *ys[j]) {
			_, y := l.Point(j)
			low = min(low, y)
		}
	}
	return low
}

func TestByYear_BinsLongSpansByRoundWidths(t *testing.T) {
	ys := years(1500, 1519, 1520, 2000, 1999)
	l, ok, err := ByYear(ys, nil)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	var texts []string
	for _, lb := range l.Labels {
		texts = append(texts, lb.Text)
	}
	if got := strings.Join(texts, ","); got != "1500–1519,1520–1539,1980–1999,2000–2019" {
		t.Fatalf("labels %s", got)
	}
	for i, label := range []int{0, 0, 1, 3, 2} {
		x, _ := l.Point(i)
		if lx := l.Labels[label].X; math.Abs(float64(x-lx)) > float64(2*l.CellSize) {
			t.Fatalf("image %d (year %d) at x %v is not in the column of %q at %v", i, *ys[i], x, l.Labels[label].Text, lx)
		}
	}
}

func TestByYear_BinsYearsBeforeZeroDownwards(t *testing.T) {
	if floorDiv(-5, 10) != -1 || floorDiv(-10, 10) != -1 || floorDiv(-11, 10) != -2 || floorDiv(5, 10) != 0 {
		t.Fatal("floorDiv does not round towards −∞")
	}
	l, ok, err := ByYear(years(-500, 1500), nil)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if l.Labels[0].Text != "-500–-401" {
		t.Fatalf("first label %q", l.Labels[0].Text)
	}
}

func TestByYear_NeedsAYear(t *testing.T) {
	if _, ok, err := ByYear(years(-1, -1), nil); ok || err != nil {
		t.Fatalf("ok %v err %v, want not applicable", ok, err)
	}
	l, ok, err := ByYear(years(1999), nil)
	if !ok || err != nil || len(l.Positions) != 2 {
		t.Fatalf("one dated image: ok %v err %v", ok, err)
	}
	checkNormalised(t, l, true, l.CellSize)
}

func ptr(v float64) *float64 { return &v }

func TestByLocation_UsesTheWorldFrameAndParksImagesWithoutCoordinates(t *testing.T) {
	lat := []*float64{ptr(41.3), nil, ptr(-33.9), ptr(90), nil}
	lng := []*float64{ptr(-72.9), ptr(10), ptr(151.2), ptr(-180), nil}
	l, ok, err := ByLocation(lat, lng)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	checkNormalised(t, l, false, 1) // a fixed frame, not fitted to the data
	for _, i := range []int{0, 2, 3} {
		x, y := l.Point(i)
		if math.Abs(float64(x)-*lng[i]/180) > 1e-6 || math.Abs(float64(y)-*lat[i]/180) > 1e-6 {
			t.Fatalf("image %d at (%v, %v), want (lng/180, lat/180)", i, x, y)
		}
	}
	for _, i := range []int{1, 4} {
		r := cellOf(l, i)
		if r.y1 > -0.5 || r.y0 < -1 {
			t.Fatalf("parked image %d cell %v is not below the map within [-1, -0.5]", i, r)
		}
	}
	if r1, r4 := cellOf(l, 1), cellOf(l, 4); r1.overlaps(r4) {
		t.Fatal("parked images overlap")
	}
	if len(l.Labels) != 1 || l.Labels[0].Text != NoLocation || l.Labels[0].Y > -0.5 {
		t.Fatalf("labels %v, want one %q below the map", l.Labels, NoLocation)
	}
}

func TestByLocation_OnlyWithCoordinates(t *testing.T) {
	if _, ok, err := ByLocation([]*float64{nil, ptr(3)}, []*float64{ptr(1), nil}); ok || err != nil {
		t.Fatalf("ok %v err %v; no image has both coordinates", ok, err)
	}
	_, _, err := ByLocation([]*float64{ptr(91)}, []*float64{ptr(0)})
	if err == nil || !strings.Contains(err.Error(), "image 0") {
		t.Fatalf("err = %v, want out of range naming image 0", err)
	}
	l, ok, err := ByLocation([]*float64{ptr(10)}, []*float64{ptr(20)})
	if !ok || err != nil || len(l.Labels) != 0 {
		t.Fatalf("all located: ok %v err %v labels %v", ok, err, l.Labels)
	}
}

func TestByXY_NormalisesKeepingAspectAndParksTheRest(t *testing.T) {
	x := []*float64{ptr(1000), ptr(3000), ptr(2000), nil}
	y := []*float64{ptr(0), ptr(500), ptr(250), ptr(1)}
	l, ok, err := ByXY(x, y)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	checkNormalised(t, l, false, 0)
	x0, y0 := l.Point(0)
	x1, y1 := l.Point(1)
	if ratio := (x1 - x0) / (y1 - y0); math.Abs(float64(ratio)-4) > 1e-4 {
		t.Fatalf("aspect %v, want 4 (2000 wide, 500 tall)", ratio)
	}
	_, yp := l.Point(3)
	if yp >= y0 {
		t.Fatalf("parked image at y %v is not below the placed ones (lowest %v)", yp, y0)
	}
	if len(l.Labels) != 1 || l.Labels[0].Text != NoPosition {
		t.Fatalf("labels %v", l.Labels)
	}
	if _, ok, _ := ByXY([]*float64{nil}, []*float64{ptr(1)}); ok {
		t.Fatal("no image with x and y should make no layout")
	}
}

func TestSimilarityGrid_GivesEveryImageItsOwnCell(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			l, err := SimilarityGrid(randomSim(n, uint64(n)))
			if err != nil {
				t.Fatal(err)
			}
			checkCellsDisjoint(t, l)
			checkNormalised(t, l, true, 0)
		})
	}
}
