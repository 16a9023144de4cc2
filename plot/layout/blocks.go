package layout

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/pixplot/pixplot/plot/grid"
	"github.com/pixplot/pixplot/plot/internal/points"
)

// SimilarityGrid puts every image in its own cell of a grid so that images
// near each other in sim (a UMAP embedding, (x, y) pairs) stay near each
// other (package grid solves the assignment).
func SimilarityGrid(sim []float32) (Layout, error) {
	if err := points.Check(sim); err != nil {
		return Layout{}, fmt.Errorf("layout %s: %w", Grid, err)
	}
	g, err := grid.Layout(sim, grid.Options{})
	if err != nil {
		return Layout{}, fmt.Errorf("layout %s: %w", Grid, err)
	}
	return Layout{Name: Grid, Positions: g.Positions(), CellSize: float32(g.CellSize())}, nil
}

// blockMargin is the gap, in cells, between category blocks (PixPlot's 2);
// a block's label sits in the middle of the gap below it.
const blockMargin = 2

// ByCategory groups the images into one compact, square-ish block of cells
// per category, as PixPlot's categorical layout: blocks by decreasing size
// (ties by name), packed left to right in rows about as wide as the whole is
// tall, each labelled below. Images without a category ("") form a last
// block labelled NoCategory. Within a block, images are placed by sim (see
// sortGrid) so similar ones sit together; sim may be nil. ok is false when
// fewer than two distinct categories occur: one block says nothing.
func ByCategory(categories []string, sim []float32) (l Layout, ok bool, err error) {
	if err := checkSim(sim, len(categories)); err != nil {
		return Layout{}, false, fmt.Errorf("layout %s: %w", Categorical, err)
	}
	groups := groupBy(categories)
	named := 0
	for _, g := range groups {
		if g.key != "" {
			named++
		}
	}
	if named < 2 {
		return Layout{}, false, nil
	}
	slices.SortStableFunc(groups, func(a, b group) int {
		if (a.key == "") != (b.key == "") { // the unnamed block goes last
			if a.key == "" {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(len(b.members), len(a.members)); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	c := newCells(len(categories))
	width := shelfWidth(groups)
	x, top, shelfHeight := 0, 0, 0
	for _, g := range groups {
		cols := int(math.Ceil(math.Sqrt(float64(len(g.members)))))
		rows := (len(g.members) + cols - 1) / cols
		if x > 0 && x+cols > width {
			top -= shelfHeight + blockMargin
			x, shelfHeight = 0, 0
		}
		for k, i := range sortGrid(g.members, sim, cols, true) {
			c.place(i, float64(x+k%cols)+0.5, float64(top-k/cols)-0.5)
		}
		c.bounds.union(box{float64(x), float64(top - rows), float64(x + cols), float64(top)})
		text := g.key
		if text == "" {
			text = NoCategory
		}
		c.label(text, float64(x)+float64(cols)/2, float64(top-rows)-blockMargin/2.0)
		x += cols + blockMargin
		shelfHeight = max(shelfHeight, rows)
	}
	return c.layout(Categorical), true, nil
}

// shelfWidth is the row width, in cells, that makes the packed blocks about
// square: the square root of their total footprint, and at least the
// widest block.
func shelfWidth(groups []group) int {
	area, widest := 0, 0
	for _, g := range groups {
		cols := int(math.Ceil(math.Sqrt(float64(len(g.members)))))
		rows := (len(g.members) + cols - 1) / cols
		area += (cols + blockMargin) * (rows + blockMargin)
		widest = max(widest, cols)
	}
	return max(widest, int(math.Ceil(math.Sqrt(float64(area)))))
}

// group is the images sharing one key, in input order.
type group struct {
	key     string
	members []int
}

// groupBy groups indices by key, in order of first appearance.
func groupBy(keys []string) []group {
	index := map[string]int{}
	var groups []group
	for i, k := range keys {
		g, seen := index[k]
		if !seen {
			g = len(groups)
			index[k] = g
			groups = append(groups, group{key: k})
		}
		groups[g].members = append(groups[g].members, i)
	}
	return groups
}

// sortGrid orders members for filling a block row by row, cols per row: by
// sim's y (the highest first when fromTop, else the lowest), each row then
// by x, so that neighbours in sim are neighbours in the block. It is an
// O(n log n) stand-in for a full assignment, good enough inside a block.
// Without sim the input order is kept.
func sortGrid(members []int, sim []float32, cols int, fromTop bool) []int {
	out := slices.Clone(members)
	if sim == nil {
		return out
	}
	coord := func(i, axis int) float32 { return sim[2*i+axis] }
	byAxis := func(axis int, descending bool) func(a, b int) int {
		return func(a, b int) int {
			c := cmp.Compare(coord(a, axis), coord(b, axis))
			if descending {
				c = -c
			}
			if c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		}
	}
	slices.SortFunc(out, byAxis(1, fromTop))
	for lo := 0; lo < len(out); lo += cols {
		slices.SortFunc(out[lo:min(lo+cols, len(out))], byAxis(0, false))
	}
	return out
}

func checkSim(sim []float32, n int) error {
	if sim == nil {
		return nil
	}
	if len(sim) != 2*n {
		return fmt.Errorf("%d similarity coordinates for %d images (want %d)", len(sim), n, 2*n)
	}
	return points.Check(sim)
}

// cells collects a grid-like layout in cell units (cell side 1) before it
// is normalised.
type cells struct {
	pos    []float32
	labels []Label
	bounds box // cell edges and label anchors
}

func newCells(n int) *cells {
	return &cells{pos: make([]float32, 2*n), bounds: emptyBox()}
}

func (c *cells) place(i int, x, y float64) {
	c.pos[2*i], c.pos[2*i+1] = float32(x), float32(y)
}

func (c *cells) label(text string, x, y float64) {
	c.labels = append(c.labels, Label{Text: text, X: float32(x), Y: float32(y)})
	c.bounds.add(x, y)
}

// layout normalises the cells by their bounding box.
func (c *cells) layout(name string) Layout {
	t := c.bounds.fit()
	t.apply(c.pos)
	t.labels(c.labels)
	return Layout{Name: name, Positions: c.pos, Labels: c.labels, CellSize: float32(t.scale)}
}
