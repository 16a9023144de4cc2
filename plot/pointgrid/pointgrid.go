// Package pointgrid moves scattered points onto the nodes of a fine square
// grid so that no two share a place, each moving as little as it can:
// PixPlot's "jittered" UMAP layouts, which it made with
// align_points_to_grid(positions, fill=0.01) of Douglas Duhaime's Python
// pointgrid package. This is a reimplementation of that algorithm:
//
//   - the grid spans the points' bounding box with about n/Fill nodes
//     (Fill 0.01: a hundred nodes per point, so most points move by less
//     than a node spacing);
//   - only every other node, in a checkerboard, may be taken, so no two
//     points end up side by side on a row or a column;
//   - points are placed one at a time in a shuffled order (seeded here,
//     unseeded in pointgrid), each on the nearest free node of a square
//     window around it, the window doubling until it holds one
//     (pointgrid's optimal_assignments search).
//
// Differences: cells are square in the points' units (pointgrid cut each
// axis into the same number of steps, which stretches cells when the
// points' extent is not square; PixPlot's layouts were), the nearest free
// node is exact (the window grows to the distance of the best node found,
// where pointgrid kept a nearer node just outside the window out of reach),
// and points that coincide, lie on a line or are alone get a grid around
// them rather than a division by zero.
package pointgrid

import (
	"errors"
	"fmt"
	"math"

	"github.com/pixplot/pixplot/plot/internal/points"
	"github.com/pixplot/pixplot/plot/internal/rng"
)

// DefaultFill is PixPlot's fill: one point per hundred grid nodes.
const DefaultFill = 0.01

// MaxFill is the largest Fill: half the nodes, all the checkerboard's.
const MaxFill = 0.5

// minAspect keeps the grid of points on (or near) a line from collapsing
// into a single row: its box is at least this fraction of its longer side
// wide and tall.
const minAspect = 1.0 / 8

// Options configure Align.
type Options struct {
	// Fill is the fraction of grid nodes that end up holding a point, in
	// (0, MaxFill]; 0 means DefaultFill.
	Fill float64
	// Seed fixes the order the points are placed in, and so the result.
	Seed uint64
}

// Align returns positions for the points xy ((x, y) pairs) on the nodes of
// a grid, one point per node, and the spacing of the grid's nodes. The
// same points and options give the same positions.
func Align(xy []float32, opts Options) ([]float32, float64, error) {
	if err := check(xy, &opts); err != nil {
		return nil, 0, err
	}
	n := len(xy) / 2
	if n == 0 {
		return []float32{}, 0, nil
	}
	g := newGrid(xy, opts.Fill)
	out := make([]float32, len(xy))
	order := rng.New(opts.Seed, 1).Perm(n)
	for _, p := range order {
		i, j, err := g.take(float64(xy[2*p]), float64(xy[2*p+1]))
		if err != nil {
			return nil, 0, fmt.Errorf("pointgrid: point %d: %w", p, err)
		}
		x, y := g.node(i, j)
		out[2*p], out[2*p+1] = float32(x), float32(y)
	}
	return out, g.step, nil
}

func check(xy []float32, opts *Options) error {
	if opts.Fill == 0 {
		opts.Fill = DefaultFill
	}
	if !(opts.Fill > 0 && opts.Fill <= MaxFill) {
		return fmt.Errorf("pointgrid: fill %g (want more than 0, at most %g)", opts.Fill, MaxFill)
	}
	if err := points.Check(xy); err != nil {
		return fmt.Errorf("pointgrid: %w", err)
	}
	return nil
}

// grid is a checkerboard of nodes, step apart, the first at (x0, y0). Node
// (i, j) may hold a point when i+j is even.
type grid struct {
	x0, y0     float64
	step       float64
	cols, rows int
	taken      []uint64 // bit j·cols+i
}

// newGrid lays a grid of about n/fill nodes over the bounding box of xy,
// centred on it, with room for every point on the checkerboard.
func newGrid(xy []float32, fill float64) *grid {
	n := len(xy) / 2
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for k := 0; k < len(xy); k += 2 {
		x, y := float64(xy[k]), float64(xy[k+1])
		x0, x1 = min(x0, x), max(x1, x)
		y0, y1 = min(y0, y), max(y1, y)
	}
	longer := max(x1-x0, y1-y0)
	if longer == 0 {
		longer = 1 // coinciding points: any unit will do
	}
	w, h := max(x1-x0, longer*minAspect), max(y1-y0, longer*minAspect)
	step := math.Sqrt(w * h * fill / float64(n))
	cols, rows := int(w/step)+1, int(h/step)+1
	for (cols*rows+1)/2 < n { // rounding left too few free nodes
		cols, rows = cols+1, rows+1
	}
	return &grid{
		x0:   (x0+x1)/2 - float64(cols-1)*step/2,
		y0:   (y0+y1)/2 - float64(rows-1)*step/2,
		step: step, cols: cols, rows: rows,
		taken: make([]uint64, (cols*rows+63)/64),
	}
}

func (g *grid) node(i, j int) (x, y float64) {
	return g.x0 + float64(i)*g.step, g.y0 + float64(j)*g.step
}

var errFull = errors.New("no free grid node left")

// take claims the free node nearest to (x, y). The window searched starts
// one step wide each way and doubles until it holds a free node; then it
// is widened to that node's distance once, since a nearer node may lie
// just outside a square window.
func (g *grid) take(x, y float64) (int, int, error) {
	fi, fj := (x-g.x0)/g.step, (y-g.y0)/g.step
	limit := float64(g.cols + g.rows)
	for r := 1.0; r <= 2*limit; r *= 2 {
		i, j, d2, ok := g.nearestFree(fi, fj, r)
		if !ok {
			continue
		}
		if d := math.Sqrt(d2); d > r {
			i, j, _, _ = g.nearestFree(fi, fj, d)
		}
		g.taken[(j*g.cols+i)/64] |= 1 << ((j*g.cols + i) % 64)
		return i, j, nil
	}
	return 0, 0, errFull
}

// nearestFree finds the free checkerboard node nearest to grid coordinates
// (fi, fj) within r steps along each axis: the first in row order on ties.
func (g *grid) nearestFree(fi, fj, r float64) (bi, bj int, best float64, ok bool) {
	i0, i1 := max(int(math.Ceil(fi-r)), 0), min(int(math.Floor(fi+r)), g.cols-1)
	j0, j1 := max(int(math.Ceil(fj-r)), 0), min(int(math.Floor(fj+r)), g.rows-1)
	best = math.Inf(1)
	for j := j0; j <= j1; j++ {
		dj := float64(j) - fj
		for i := i0 + (i0+j)%2; i <= i1; i += 2 { // even i+j only
			k := j*g.cols + i
			if g.taken[k/64]&(1<<(k%64)) != 0 {
				continue
			}
			di := float64(i) - fi
			if d := di*di + dj*dj; d < best {
				bi, bj, best, ok = i, j, d, true
			}
		}
	}
	return bi, bj, best, ok
}
