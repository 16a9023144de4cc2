// Package atlas packs a plot's thumbnails into texture atlases: square JPEG
// sheets that a WebGL viewer uploads whole, drawing each image from its
// rectangle.
//
// A tier is one resolution: cells Height pixels tall (32 for the zoomed-out
// view, 128 for zoomed-in detail), aspect ratio kept, laid left to right in
// rows on sheets of Side×Side pixels, PixPlot-style. Unlike PixPlot, cells
// are set apart by a Gutter so texture filtering never blends neighbours,
// and cells are packed in the order the caller gives; SpatialOrder gives a
// Hilbert-curve order of layout positions, so that a zoomed-in region of the
// map needs few high-resolution sheets.
//
// Pack decides every rectangle from the images' pixel sizes alone; Render
// then decodes the stored thumbnails atlas by atlas (never all at once),
// draws and encodes them, so memory stays bounded by a few sheets.
package atlas

import (
	"fmt"
	"math/bits"

	"github.com/pixplot/pixplot"
)

// Gutter is the empty space, in pixels, between neighbouring cells and
// between rows.
const Gutter = 1

// Sheet sides Pack accepts.
const (
	MinSide = 256
	MaxSide = 16384
)

// Cell is an image's rectangle in a tier: sheet index and pixel rectangle
// from the sheet's top-left corner.
type Cell struct {
	Atlas int `json:"atlas"`
	X     int `json:"x"`
	Y     int `json:"y"`
	W     int `json:"w"`
	H     int `json:"h"`
}

// Packing is where every image of one tier goes.
type Packing struct {
	Height int    // row height: cells are this tall (less for images wider than pixplot.MaxThumbAspect:1)
	Side   int    // side of a full sheet
	Cells  []Cell // per image, in input order
	// Sizes are the sheets' width and height: Side×Side, except that a
	// sheet whose rows fill less of it (the last) is cut to the used
	// height, rounded up to a power of two.
	Sizes [][2]int
	// Order lists the images in packing order: each sheet holds a
	// contiguous run of it.
	Order []int
}

// Fit is the cell size of a w×h image in a tier of the given height: the
// aspect ratio kept at that height, except that images wider than
// pixplot.MaxThumbAspect:1 are fitted inside a MaxThumbAspect·height×height
// box (the rule imagecodec.ThumbnailSize applies to stored thumbnails).
// Sides are at least 1 pixel.
func Fit(w, h, height int) (cw, ch int) {
	boxW := pixplot.MaxThumbAspect * height
	if w*height >= h*boxW {
		return boxW, max(1, roundDiv(h*boxW, w))
	}
	return max(1, roundDiv(w*height, h)), height
}

func roundDiv(a, b int) int { return (2*a + b) / (2 * b) }

// Pack places images of the given pixel sizes (width, height per image) in
// rows of height pixels on side×side sheets, in order (a permutation of
// the images; nil means input order).
func Pack(sizes [][2]int, order []int, height, side int) (*Packing, error) {
	if err := checkTier(height, side); err != nil {
		return nil, err
	}
	n := len(sizes)
	if order == nil {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	if err := checkPermutation(order, n); err != nil {
		return nil, err
	}
	p := &Packing{Height: height, Side: side, Cells: make([]Cell, n), Order: order}
	sheet, x, y := 0, 0, 0
	usedH := 0
	closeSheet := func() {
		p.Sizes = append(p.Sizes, [2]int{side, ceilPow2(usedH, side)})
		sheet, x, y, usedH = sheet+1, 0, 0, 0
	}
	for _, i := range order {
		w, h := sizes[i][0], sizes[i][1]
		if w <= 0 || h <= 0 {
			return nil, fmt.Errorf("atlas: image %d is %d×%d pixels", i, w, h)
		}
		cw, ch := Fit(w, h, height)
		if x > 0 && x+cw > side { // next row
			x, y = 0, y+height+Gutter
		}
		if y+height > side { // next sheet
			closeSheet()
		}
		p.Cells[i] = Cell{Atlas: sheet, X: x, Y: y, W: cw, H: ch}
		x += cw + Gutter
		usedH = max(usedH, y+ch)
	}
	if usedH > 0 {
		closeSheet()
	}
	return p, nil
}

func checkTier(height, side int) error {
	if side < MinSide || side > MaxSide || side&(side-1) != 0 {
		return fmt.Errorf("atlas: sheet side %d (want a power of two from %d to %d)", side, MinSide, MaxSide)
	}
	// A cell at most MaxThumbAspect·height wide must fit a row.
	if height < 1 || pixplot.MaxThumbAspect*height > side {
		return fmt.Errorf("atlas: cell height %d on %d-pixel sheets (want 1 … %d)", height, side, side/pixplot.MaxThumbAspect)
	}
	return nil
}

func checkPermutation(order []int, n int) error {
	if len(order) != n {
		return fmt.Errorf("atlas: order lists %d images, want %d", len(order), n)
	}
	seen := make([]bool, n)
	for k, i := range order {
		if i < 0 || i >= n || seen[i] {
			return fmt.Errorf("atlas: order[%d] = %d is not a new image index below %d", k, i, n)
		}
		seen[i] = true
	}
	return nil
}

// ceilPow2 is the least power of two ≥ v, at most limit.
func ceilPow2(v, limit int) int {
	if v <= 1 {
		return 1
	}
	return min(1<<bits.Len(uint(v-1)), limit)
}

// Sheets is the number of sheets.
func (p *Packing) Sheets() int { return len(p.Sizes) }
