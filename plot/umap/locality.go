package umap

import (
	"cmp"
	"math"
	"slices"
)

// hilbertOrder returns the vertices of a 2-D layout sorted along a Hilbert
// curve (ties by index), so that consecutive vertices lie close together.
func hilbertOrder(pos []float32) []int32 {
	n := len(pos) / 2
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i := range n {
		minX, maxX = min(minX, float64(pos[2*i])), max(maxX, float64(pos[2*i]))
		minY, maxY = min(minY, float64(pos[2*i+1])), max(maxY, float64(pos[2*i+1]))
	}
	const side = 1 << 16
	scale := func(v, lo, hi float64) uint32 {
		if hi <= lo {
			return 0
		}
		return uint32(min((v-lo)/(hi-lo)*side, side-1))
	}
	type keyed struct {
		key    uint64
		vertex int32
	}
	keys := make([]keyed, n)
	for i := range n {
		x := scale(float64(pos[2*i]), minX, maxX)
		y := scale(float64(pos[2*i+1]), minY, maxY)
		keys[i] = keyed{hilbertIndex(x, y, side), int32(i)}
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.vertex, b.vertex))
	})
	order := make([]int32, n)
	for k, kv := range keys {
		order[k] = kv.vertex
	}
	return order
}

// hilbertIndex is the distance of cell (x, y) along the Hilbert curve
// filling a side×side grid (side a power of two).
func hilbertIndex(x, y, side uint32) uint64 {
	var d uint64
	for s := side / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		// Turn the quadrant so the curve's pieces join up.
		if ry == 0 {
			if rx == 1 {
				x, y = side-1-x, side-1-y
			}
			x, y = y, x
		}
	}
	return d
}

// relabel returns the graph with vertex order[k] renamed k.
func (g *graph) relabel(order []int32) *graph {
	newID := make([]int32, g.n)
	for k, v := range order {
		newID[v] = int32(k)
	}
	es := g.entries()
	for k := range es {
		es[k].row, es[k].col = newID[es[k].row], newID[es[k].col]
	}
	return assemble(g.n, es, nil)
}
