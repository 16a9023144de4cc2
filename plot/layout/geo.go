package layout

import (
	"fmt"
	"math"
)

// Parked blocks: images lacking a layout's data sit in a grid block under
// the rest, at most parkHeight tall (in layout units, before any final
// fit), parkGap below it, with their caption in the gap.
const (
	parkGap    = 0.15
	parkHeight = 0.4
)

// ByLocation places images on an equirectangular world map in PixPlot's
// fixed frame, x = lng/180 ∈ [-1, 1] and y = lat/180 ∈ [-0.5, 0.5], so a
// viewer can draw one base map under any plot (a city-sized collection is
// then a small cluster to zoom into). Images without both lat and lng are
// parked in a block labelled NoLocation below the map, within y ≥ -1. ok is
// false when no image has coordinates.
func ByLocation(lat, lng []*float64) (l Layout, ok bool, err error) {
	if len(lat) != len(lng) {
		return Layout{}, false, fmt.Errorf("layout %s: %d latitudes for %d longitudes", Geographic, len(lat), len(lng))
	}
	n := len(lat)
	pos := make([]float32, 2*n)
	var parked []int
	for i := range n {
		if lat[i] == nil || lng[i] == nil {
			parked = append(parked, i)
			continue
		}
		la, lo := *lat[i], *lng[i]
		if !(la >= -90 && la <= 90) || !(lo >= -180 && lo <= 180) {
			return Layout{}, false, fmt.Errorf("layout %s: image %d: lat %v, lng %v out of range (want -90 … 90, -180 … 180)", Geographic, i, la, lo)
		}
		pos[2*i], pos[2*i+1] = float32(lo/180), float32(la/180)
	}
	if len(parked) == n {
		return Layout{}, false, nil
	}
	l = Layout{Name: Geographic, Positions: pos, CellSize: scatterCell(n)}
	l.park(parked, NoLocation, -0.5, 2, 1-0.5-parkGap)
	return l, true, nil
}

// ByXY is the custom layout: the images' own x/y metadata (another
// projection, a hand-made arrangement), normalised with the aspect kept.
// Images without both x and y are parked in a block labelled NoPosition
// below the others. ok is false when no image has x and y.
func ByXY(x, y []*float64) (l Layout, ok bool, err error) {
	if len(x) != len(y) {
		return Layout{}, false, fmt.Errorf("layout %s: %d x values for %d y values", Custom, len(x), len(y))
	}
	n := len(x)
	pos := make([]float32, 2*n)
	var parked []int
	placed := emptyBox()
	for i := range n {
		if x[i] == nil || y[i] == nil {
			parked = append(parked, i)
			continue
		}
		if math.IsNaN(*x[i]) || math.IsInf(*x[i], 0) || math.IsNaN(*y[i]) || math.IsInf(*y[i], 0) {
			return Layout{}, false, fmt.Errorf("layout %s: image %d: x %v, y %v (want finite numbers)", Custom, i, *x[i], *y[i])
		}
		pos[2*i], pos[2*i+1] = float32(*x[i]), float32(*y[i])
		placed.add(*x[i], *y[i])
	}
	if len(parked) == n {
		return Layout{}, false, nil
	}
	// Normalise the placed images alone first (their extent can be anything,
	// like 1e6), then make room for the parked block and fit the whole.
	t := placed.fit()
	for i := range n {
		if x[i] != nil && y[i] != nil {
			pos[2*i], pos[2*i+1] = t.x(*x[i]), t.y(*y[i])
		}
	}
	l = Layout{Name: Custom, Positions: pos, CellSize: scatterCell(n)}
	bottom := float64(t.y(placed.y0))
	width := max(float64(t.x(placed.x1)-t.x(placed.x0)), 1)
	if !l.park(parked, NoPosition, bottom, width, parkHeight) {
		return l, true, nil
	}
	all := boundsOf(pos)
	for _, lb := range l.Labels {
		all.add(float64(lb.X), float64(lb.Y))
	}
	// Cell edges of the parked block must stay inside too.
	all.y0 -= float64(l.CellSize) / 2
	t = all.fit()
	t.apply(l.Positions)
	t.labels(l.Labels)
	l.CellSize *= float32(t.scale)
	return l, true, nil
}

// park lays the images out in a grid block centred on x = 0 whose top edge
// is parkGap below bottom, at most width wide and height tall, with cells no
// larger than l.CellSize (so images drawn at CellSize do not overlap), and
// captions it with text in the gap. It reports whether anything was parked.
func (l *Layout) park(members []int, text string, bottom, width, height float64) bool {
	if len(members) == 0 {
		return false
	}
	m := float64(len(members))
	cols := min(len(members), max(1, int(math.Ceil(math.Sqrt(m*width/height)))))
	rows := (len(members) + cols - 1) / cols
	side := min(width/float64(cols), height/float64(rows), float64(l.CellSize))
	top := bottom - parkGap
	left := -float64(cols) * side / 2
	for k, i := range members {
		l.Positions[2*i] = float32(left + (float64(k%cols)+0.5)*side)
		l.Positions[2*i+1] = float32(top - (float64(k/cols)+0.5)*side)
	}
	l.Labels = append(l.Labels, Label{Text: text, X: 0, Y: float32(bottom - parkGap/2)})
	return true
}
