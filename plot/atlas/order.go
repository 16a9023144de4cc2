package atlas

import (
	"cmp"
	"math"
	"slices"
)

// hilbertBits is the resolution of the curve per axis: 2¹⁶ steps, far finer
// than any layout's cells.
const hilbertBits = 16

// SpatialOrder returns the images ordered along a Hilbert curve through
// their positions xy ((x, y) pairs), so that images near each other on the
// map are mostly near each other in the order, and a run of the order (one
// sheet) covers a compact region. Ties keep input order.
func SpatialOrder(xy []float32) []int {
	n := len(xy) / 2
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for i := range n {
		for a := range 2 {
			v := float64(xy[2*i+a])
			lo[a], hi[a] = min(lo[a], v), max(hi[a], v)
		}
	}
	// One scale for both axes keeps the curve's cells square on the map.
	span := max(hi[0]-lo[0], hi[1]-lo[1])
	const cells = 1<<hilbertBits - 1
	keys := make([]uint64, n)
	for i := range n {
		var q [2]uint32
		for a := range 2 {
			if span > 0 {
				q[a] = uint32(math.Round((float64(xy[2*i+a]) - lo[a]) / span * cells))
			}
		}
		keys[i] = hilbertIndex(q[0], q[1])
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
	return order
}

// hilbertIndex is the distance along the Hilbert curve of order hilbertBits
// of the cell (x, y) (the classic rotate-and-flip walk from the top level).
func hilbertIndex(x, y uint32) uint64 {
	var d uint64
	for s := uint32(1) << (hilbertBits - 1); s > 0; s >>= 1 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 { // rotate the quadrant so the sub-curve joins up
			if rx == 1 {
				x, y = s-1-x&(s-1), s-1-y&(s-1)
			}
			x, y = y, x
		}
	}
	return d
}
