package layout

import (
	"fmt"
	"math"
)

// MaxDateColumns is the most year columns ByYear draws: longer spans are
// binned by a wider, round number of years.
const MaxDateColumns = 40

// binWidths are the round bin widths ByYear may use, in years.
var binWidths = []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000}

// ByYear is PixPlot's date layout, a histogram made of images: one column
// per year bin in time order, images stacked upwards, the year (or range,
// "1920–1929") labelled under each non-empty column. Bins are one year wide
// unless the span needs more than MaxDateColumns columns; empty bins stay as
// empty columns so the time axis is linear. Columns start 3 images wide and
// double until the tallest is no taller than the whole is wide. Images
// without a year stand in a last column labelled NoDate, set apart by an
// extra gap. Within a column, images are placed by sim (see sortGrid); sim
// may be nil. ok is false when no image has a year.
func ByYear(years []*int, sim []float32) (l Layout, ok bool, err error) {
	if err := checkSim(sim, len(years)); err != nil {
		return Layout{}, false, fmt.Errorf("layout %s: %w", Date, err)
	}
	lo, hi, dated := math.MaxInt, math.MinInt, false
	for _, y := range years {
		if y != nil {
			lo, hi, dated = min(lo, *y), max(hi, *y), true
		}
	}
	if !dated {
		return Layout{}, false, nil
	}
	width := binWidth(lo, hi)
	first := floorDiv(lo, width)
	bins := make([][]int, floorDiv(hi, width)-first+1)
	var undated []int
	for i, y := range years {
		if y == nil {
			undated = append(undated, i)
			continue
		}
		b := floorDiv(*y, width) - first
		bins[b] = append(bins[b], i)
	}
	columns := len(bins)
	if len(undated) > 0 {
		columns++
	}
	cols := barWidth(bins, undated, columns)
	c := newCells(len(years))
	x := 0
	for b, members := range bins {
		if len(members) > 0 {
			start := (first + b) * width
			c.label(yearText(start, width), float64(x)+float64(cols)/2, -1)
			c.stack(members, sim, x, cols)
		}
		x += cols + 1 // empty bins keep their place on the time axis
	}
	if len(undated) > 0 {
		x++ // an extra gap sets the undated column apart
		c.label(NoDate, float64(x)+float64(cols)/2, -1)
		c.stack(undated, sim, x, cols)
	}
	return c.layout(Date), true, nil
}

// stack fills a column cols wide at x from the bottom (y = 0) upwards.
func (c *cells) stack(members []int, sim []float32, x, cols int) {
	for k, i := range sortGrid(members, sim, cols, false) {
		c.place(i, float64(x+k%cols)+0.5, float64(k/cols)+0.5)
	}
	rows := (len(members) + cols - 1) / cols
	c.bounds.union(box{float64(x), 0, float64(x + cols), float64(rows)})
}

// binWidth is the narrowest round width that spans lo … hi in at most
// MaxDateColumns bins.
func binWidth(lo, hi int) int {
	for _, w := range binWidths {
		if floorDiv(hi, w)-floorDiv(lo, w)+1 <= MaxDateColumns {
			return w
		}
	}
	w := binWidths[len(binWidths)-1]
	for floorDiv(hi, w)-floorDiv(lo, w)+1 > MaxDateColumns {
		w *= 10
	}
	return w
}

// barWidth is PixPlot's column width: 3, doubled while the tallest column
// is taller than all columns (with their one-cell gaps) are wide.
func barWidth(bins [][]int, undated []int, columns int) int {
	tallest := len(undated)
	for _, b := range bins {
		tallest = max(tallest, len(b))
	}
	cols := 3
	for (tallest+cols-1)/cols > columns*(cols+1) {
		cols *= 2
	}
	return cols
}

func yearText(start, width int) string {
	if width == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d–%d", start, start+width-1)
}

// floorDiv divides rounding towards −∞, so that years before 0 bin alike.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
