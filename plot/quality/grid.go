package quality

import (
	"math"
	"slices"
)

// grid buckets 2-D points into square-ish cells (about two points per
// cell) for k-nearest-neighbour queries by expanding rings of cells.
type grid struct {
	pts          [][2]float32
	minX, minY   float64
	cellW, cellH float64
	cols, rows   int
	cellStart    []int // points of cell c: items[cellStart[c]:cellStart[c+1]]
	items        []int
}

func newGrid(pts [][2]float32) *grid {
	g := &grid{pts: pts}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = min(minX, float64(p[0])), max(maxX, float64(p[0]))
		minY, maxY = min(minY, float64(p[1])), max(maxY, float64(p[1]))
	}
	side := max(1, int(math.Sqrt(float64(len(pts))/2)))
	g.cols, g.rows = side, side
	g.minX, g.minY = minX, minY
	g.cellW = max((maxX-minX)/float64(side), 1e-12)
	g.cellH = max((maxY-minY)/float64(side), 1e-12)
	g.cellStart = make([]int, side*side+1)
	cellOf := make([]int, len(pts))
	for i, p := range pts {
		cx, cy := g.cell(p)
		cellOf[i] = cy*g.cols + cx
		g.cellStart[cellOf[i]+1]++
	}
	for c := range side * side {
		g.cellStart[c+1] += g.cellStart[c]
	}
	next := slices.Clone(g.cellStart)
	g.items = make([]int, len(pts))
	for i, c := range cellOf {
		g.items[next[c]] = i
		next[c]++
	}
	return g
}

func (g *grid) cell(p [2]float32) (int, int) {
	cx := int((float64(p[0]) - g.minX) / g.cellW)
	cy := int((float64(p[1]) - g.minY) / g.cellH)
	return min(max(cx, 0), g.cols-1), min(max(cy, 0), g.rows-1)
}

// nearest returns the k points nearest to point i, other than i, closest first.
func (g *grid) nearest(i, k int) []int {
	q := g.pts[i]
	best := newNearestK(k)
	offer := func(j int) {
		if j != i {
			dx, dy := float64(g.pts[j][0])-float64(q[0]), float64(g.pts[j][1])-float64(q[1])
			best.offer(j, dx*dx+dy*dy)
		}
	}
	cx, cy := g.cell(q)
	step := min(g.cellW, g.cellH)
	for r := 0; ; r++ {
		if r > g.cols && r > g.rows {
			break
		}
		for y := cy - r; y <= cy+r; y++ {
			if y < 0 || y >= g.rows {
				continue
			}
			for x := cx - r; x <= cx+r; x++ {
				if x < 0 || x >= g.cols || (y != cy-r && y != cy+r && x != cx-r && x != cx+r) {
					continue
				}
				c := y*g.cols + x
				for _, j := range g.items[g.cellStart[c]:g.cellStart[c+1]] {
					offer(j)
				}
			}
		}
		// Every unvisited cell is at least r cell widths away.
		if full, farthest := best.full(); full && farthest <= float64(r)*step*float64(r)*step {
			break
		}
	}
	return best.indices()
}
