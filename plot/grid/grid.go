// Package grid lays points out on a grid, one per cell, keeping their 2-D
// neighbourhoods (PixPlot's "grid" layout, which it made with Rasterfairy):
// the points are scaled onto a cols×rows grid and each is given a cell so
// that the total squared distance from points to their cells is least, a
// linear assignment problem.
//
// Up to Options.ExactLimit points the assignment is solved exactly
// (Jonker–Volgenant, see Assign): O(n³) at worst, about 0.4 s of CPU for
// 1,024 clustered points and 3.4 s for 2,048. Above it the cells and the
// points are cut recursively, like a kd-tree, into blocks of at most
// TileSize points and as many cells: a block's cells are sorted along the
// axis on which they spread more and halved, and its points, sorted along
// the same axis, are cut at the same count. Each block is then solved
// exactly. This keeps about 98% of the exact solution's neighbourhood
// preservation at a small fraction of its time (100,000 points in a few
// seconds). Re-solving windows across block borders lowers the total cost
// further but, on clumpy layouts, scrambles neighbourhoods, so it is not
// done.
package grid

import (
	"fmt"
	"math"
	"slices"

	"github.com/pixplot/pixplot/plot/internal/parallel"
)

// DefaultExactLimit is the most points Layout assigns as one exact problem.
const DefaultExactLimit = 1024

// MaxExactLimit bounds Options.ExactLimit: an exact problem of n points
// holds an n×n float64 cost matrix (512 MiB at this limit) and takes O(n³)
// time (about 26 s of CPU for 4,096 clustered points).
const MaxExactLimit = 8192

// TileSize is the most points in one block of the tiled assignment (or
// ExactLimit, if smaller).
const TileSize = 256

// Aspect ratios Layout takes from the points are clamped to
// [1/MaxAspect, MaxAspect], so that a thin cloud still gives a usable grid.
const MaxAspect = 4.0

// Options configure Layout.
type Options struct {
	// Aspect is the grid's width over its height; 0 means the aspect of the
	// points' bounding box, clamped by MaxAspect.
	Aspect float64
	// ExactLimit is the most points solved as one exact assignment; larger
	// inputs are tiled. 0 means DefaultExactLimit.
	ExactLimit int
}

// Grid is a layout of n points on Cols×Rows cells. Cells are numbered
// row-major from the bottom-left (row grows with y, as in the input); the
// first n cells are used, so only the top row may be partly empty.
type Grid struct {
	Cols, Rows int
	Cells      []int // the cell of each point, row·Cols + col
}

// Float is the element type of input coordinates.
type Float interface{ ~float32 | ~float64 }

// Layout assigns each of the points xy (x, y pairs) its own cell.
func Layout[T Float](xy []T, opts Options) (*Grid, error) {
	px, py, err := splitXY(xy)
	if err != nil {
		return nil, err
	}
	if opts.Aspect < 0 || math.IsNaN(opts.Aspect) || math.IsInf(opts.Aspect, 0) {
		return nil, fmt.Errorf("grid: Aspect = %v (want > 0, or 0 for the points' own)", opts.Aspect)
	}
	if opts.ExactLimit < 0 || opts.ExactLimit > MaxExactLimit {
		return nil, fmt.Errorf("grid: ExactLimit = %d (want 1 to %d, or 0 for %d)", opts.ExactLimit, MaxExactLimit, DefaultExactLimit)
	}
	limit := opts.ExactLimit
	if limit == 0 {
		limit = DefaultExactLimit
	}
	n := len(px)
	if n == 0 {
		return &Grid{}, nil
	}
	aspect := opts.Aspect
	if aspect == 0 {
		aspect = boxAspect(px, py)
	}
	cols := min(n, int(math.Ceil(math.Sqrt(float64(n)*aspect))))
	g := &Grid{Cols: cols, Rows: (n + cols - 1) / cols}
	scaleInto(px, float64(g.Cols))
	scaleInto(py, float64(g.Rows))
	cx, cy := make([]float64, n), make([]float64, n)
	for c := range n {
		cx[c], cy[c] = float64(c%cols)+0.5, float64(c/cols)+0.5
	}
	var cellOf []int32
	if n <= limit {
		cellOf = solveLAP(n, squaredDistances(px, py, cx, cy))
	} else {
		cellOf = tiledAssign(px, py, cx, cy, min(TileSize, limit))
	}
	g.Cells = make([]int, n)
	for i, c := range cellOf {
		g.Cells[i] = int(c)
	}
	return g, nil
}

// CellSize is the side of a cell in Positions' units.
func (g *Grid) CellSize() float64 {
	return 2 / float64(max(g.Cols, g.Rows, 1))
}

// Positions returns the centre of each point's cell as float32 (x, y)
// pairs in point order, normalised with the aspect kept: the grid's longer
// side spans [-1, 1] edge to edge and the grid is centred on 0.
func (g *Grid) Positions() []float32 {
	s := g.CellSize()
	x0, y0 := -float64(g.Cols)*s/2, -float64(g.Rows)*s/2
	out := make([]float32, 0, 2*len(g.Cells))
	for _, c := range g.Cells {
		col, row := c%g.Cols, c/g.Cols
		out = append(out, float32(x0+(float64(col)+0.5)*s), float32(y0+(float64(row)+0.5)*s))
	}
	return out
}

// splitXY checks and converts interleaved x, y pairs.
func splitXY[T Float](xy []T) (px, py []float64, err error) {
	if len(xy)%2 != 0 {
		return nil, nil, fmt.Errorf("grid: %d coordinates do not make (x, y) pairs", len(xy))
	}
	px, py = make([]float64, len(xy)/2), make([]float64, len(xy)/2)
	for i, v := range xy {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, nil, fmt.Errorf("grid: point %d, coordinate %d is %v", i/2, i%2, f)
		}
		if i%2 == 0 {
			px[i/2] = f
		} else {
			py[i/2] = f
		}
	}
	return px, py, nil
}

// boxAspect is the width over the height of the points' bounding box,
// clamped by MaxAspect (1 for a single point).
func boxAspect(px, py []float64) float64 {
	w := slices.Max(px) - slices.Min(px)
	h := slices.Max(py) - slices.Min(py)
	switch {
	case w == 0 && h == 0:
		return 1
	case h == 0:
		return MaxAspect
	}
	return min(max(w/h, 1/MaxAspect), MaxAspect)
}

// scaleInto maps v linearly onto [0, extent] (all to extent/2 if v is
// constant).
func scaleInto(v []float64, extent float64) {
	lo, hi := slices.Min(v), slices.Max(v)
	for i := range v {
		if hi > lo {
			v[i] = (v[i] - lo) / (hi - lo) * extent
		} else {
			v[i] = extent / 2
		}
	}
}

// squaredDistances is the row-major matrix of squared distances from each
// point (px, py) to each cell centre (cx, cy), points as rows.
func squaredDistances(px, py, cx, cy []float64) []float64 {
	m := make([]float64, 0, len(px)*len(cx))
	for i := range px {
		for j := range cx {
			dx, dy := px[i]-cx[j], py[i]-cy[j]
			m = append(m, dx*dx+dy*dy)
		}
	}
	return m
}

// solveBlock assigns the points pts to the cells cells (as many) exactly,
// writing cellOf.
func solveBlock(px, py, cx, cy []float64, pts, cells []int32, cellOf []int32) {
	bx, by := make([]float64, len(pts)), make([]float64, len(pts))
	for k, i := range pts {
		bx[k], by[k] = px[i], py[i]
	}
	bcx, bcy := make([]float64, len(cells)), make([]float64, len(cells))
	for k, j := range cells {
		bcx[k], bcy[k] = cx[j], cy[j]
	}
	for k, col := range solveLAP(len(pts), squaredDistances(bx, by, bcx, bcy)) {
		cellOf[pts[k]] = cells[col]
	}
}

// block is a set of points and as many cells.
type block struct{ pts, cells []int32 }

// tiledAssign is the scalable assignment the package comment describes.
func tiledAssign(px, py, cx, cy []float64, limit int) []int32 {
	n := len(px)
	all := block{pts: make([]int32, n), cells: make([]int32, n)}
	for i := range n {
		all.pts[i], all.cells[i] = int32(i), int32(i)
	}
	blocks := splitBlocks(px, py, cx, cy, all, limit, nil)
	cellOf := make([]int32, n)
	parallel.Chunks(len(blocks), 0, func(b int) {
		solveBlock(px, py, cx, cy, blocks[b].pts, blocks[b].cells, cellOf)
	})
	return cellOf
}

// splitBlocks halves b until blocks hold at most limit points: the cells
// are sorted along the axis on which they spread more and cut in two
// halves, and the points, sorted the same way, are cut at the same count.
func splitBlocks(px, py, cx, cy []float64, b block, limit int, out []block) []block {
	if len(b.pts) <= limit {
		return append(out, b)
	}
	cMajor, cMinor, pMajor, pMinor := cx, cy, px, py
	if spread(cy, b.cells) > spread(cx, b.cells) {
		cMajor, cMinor, pMajor, pMinor = cy, cx, py, px
	}
	byAxis := func(a, b []float64) func(i, j int32) int {
		return func(i, j int32) int {
			if c := cmpFloat(a[i], a[j]); c != 0 {
				return c
			}
			if c := cmpFloat(b[i], b[j]); c != 0 {
				return c
			}
			return int(i - j)
		}
	}
	slices.SortFunc(b.cells, byAxis(cMajor, cMinor))
	slices.SortFunc(b.pts, byAxis(pMajor, pMinor))
	half := len(b.pts) / 2
	out = splitBlocks(px, py, cx, cy, block{b.pts[:half], b.cells[:half]}, limit, out)
	return splitBlocks(px, py, cx, cy, block{b.pts[half:], b.cells[half:]}, limit, out)
}

func spread(v []float64, idx []int32) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, i := range idx {
		lo, hi = min(lo, v[i]), max(hi, v[i])
	}
	return hi - lo
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
