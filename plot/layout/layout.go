// Package layout arranges a plot's images in the ways PixPlot offered besides
// the UMAP scatter: a similarity grid, blocks per category, a histogram of
// years, a world map and user-supplied x/y positions.
//
// Every layout is normalised the same way, unlike PixPlot (which stretched
// each axis to [-1, 1] on its own): the content is centred on the origin and
// scaled so that its longer side spans [-1, 1], so the aspect ratio is kept.
// Grid-like layouts (grid, categorical, date) are normalised by the edges of
// their cells, so every cell lies inside [-1, 1]², and CellSize says how big
// a cell is. The geographic layout is the one exception: it keeps the fixed
// world frame x = lng/180, y = lat/180 (as PixPlot did), so a viewer can draw
// the same base map under every plot.
//
// Images that lack what a layout is made from (a year, coordinates, x/y) are
// never dropped, since every layout holds a position for every image: they
// are parked in a labelled block of their own, apart from the rest.
package layout

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/pixplot/pixplot/plot/internal/points"
)

// Names of the layouts, as stored in plot_layouts.layout.
const (
	UMAP        = "umap"
	Grid        = "grid"
	Categorical = "categorical"
	Date        = "date"
	Geographic  = "geographic"
	Custom      = "custom"
)

// JitterSuffix ends the name of a UMAP layout's jittered twin: the same
// points snapped to a grid so that none overlap (package pointgrid).
const JitterSuffix = "-jitter"

// UMAPJitter is the umap layout's jittered twin.
const UMAPJitter = UMAP + JitterSuffix

// Variant describes a UMAP layout (umap, or umap-… for its jittered twin
// and other parameters): stored as plot_layouts.variant.
type Variant struct {
	NNeighbors int     `json:"n_neighbors"`
	MinDist    float64 `json:"min_dist"`
	Jitter     bool    `json:"jitter"`
}

// UMAPVariantName names the UMAP layout of other parameters than the umap
// layout's: umap-n<neighbours>-d<min_dist>, such as umap-n5-d0.1 or
// umap-n30-d1e-05, safe in URLs and file names.
func UMAPVariantName(nNeighbors int, minDist float64) string {
	return "umap-n" + strconv.Itoa(nNeighbors) + "-d" + strconv.FormatFloat(minDist, 'g', -1, 64)
}

// Captions of the blocks that hold images lacking a layout's data.
const (
	NoCategory = "no category"
	NoDate     = "no date"
	NoLocation = "no location"
	NoPosition = "no position"
)

// Label is a caption placed in a layout: a category under its block, a year
// under its column.
type Label struct {
	Text string  `json:"text"`
	X    float32 `json:"x"`
	Y    float32 `json:"y"`
}

// Layout is one arrangement of a plot's images.
type Layout struct {
	Name string
	// Positions holds an (x, y) pair per image, in plot order, within
	// [-1, 1]² with the aspect ratio kept; y grows upwards.
	Positions []float32
	// Labels are captions in the same coordinates (categorical and date
	// layouts, and parked blocks).
	Labels []Label
	// CellSize is the side of one image's cell in the same units: exact for
	// grid-like layouts, a suggested point size for scatter ones.
	CellSize float32
	// Variant is set for UMAP layouts only.
	Variant *Variant
}

// Point returns the position of image i.
func (l *Layout) Point(i int) (x, y float32) {
	return l.Positions[2*i], l.Positions[2*i+1]
}

// Scatter returns the layout name of free points xy ((x, y) pairs, such as a
// UMAP embedding), normalised with the aspect ratio kept.
func Scatter(name string, xy []float32) (Layout, error) {
	if err := points.Check(xy); err != nil {
		return Layout{}, fmt.Errorf("layout %s: %w", name, err)
	}
	b := boundsOf(xy)
	pos := slices.Clone(xy)
	t := b.fit()
	t.apply(pos)
	return Layout{Name: name, Positions: pos, CellSize: scatterCell(len(xy) / 2)}, nil
}

// scatterCell is the suggested point size of n scattered images: half the
// cell of a square grid of n images spanning [-1, 1].
func scatterCell(n int) float32 {
	return 1 / float32(math.Ceil(math.Sqrt(float64(max(n, 1)))))
}

// box is an axis-aligned bounding box.
type box struct{ x0, y0, x1, y1 float64 }

func emptyBox() box { return box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (b *box) add(x, y float64) {
	b.x0, b.x1 = min(b.x0, x), max(b.x1, x)
	b.y0, b.y1 = min(b.y0, y), max(b.y1, y)
}

func (b *box) union(o box) {
	b.add(o.x0, o.y0)
	b.add(o.x1, o.y1)
}

func (b box) empty() bool { return b.x0 > b.x1 }

func boundsOf(xy []float32) box {
	b := emptyBox()
	for i := 0; i+1 < len(xy); i += 2 {
		b.add(float64(xy[i]), float64(xy[i+1]))
	}
	return b
}

// transform maps content coordinates to layout ones: (v − centre)·scale.
type transform struct{ cx, cy, scale float64 }

// fit is the transform that centres b on the origin and makes its longer
// side span [-1, 1]; a box of no extent is only centred.
func (b box) fit() transform {
	if b.empty() {
		return transform{scale: 1}
	}
	side := max(b.x1-b.x0, b.y1-b.y0)
	scale := 1.0
	if side > 0 {
		scale = 2 / side
	}
	return transform{cx: (b.x0 + b.x1) / 2, cy: (b.y0 + b.y1) / 2, scale: scale}
}

func (t transform) apply(xy []float32) {
	for i := 0; i+1 < len(xy); i += 2 {
		xy[i] = t.x(float64(xy[i]))
		xy[i+1] = t.y(float64(xy[i+1]))
	}
}

func (t transform) x(v float64) float32 { return clampUnit((v - t.cx) * t.scale) }
func (t transform) y(v float64) float32 { return clampUnit((v - t.cy) * t.scale) }

// clampUnit guards against rounding just past ±1.
func clampUnit(v float64) float32 { return float32(min(max(v, -1), 1)) }

func (t transform) labels(ls []Label) {
	for i := range ls {
		ls[i].X, ls[i].Y = t.x(float64(ls[i].X)), t.y(float64(ls[i].Y))
	}
}
