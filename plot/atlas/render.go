package atlas

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"sync"

	"github.com/pixplot/pixplot/imagecodec"
	"github.com/pixplot/pixplot/plot/internal/parallel"
)

// DefaultQuality is the JPEG quality of sheets: that of the stored
// thumbnails they are made from, so re-encoding adds little loss.
const DefaultQuality = imagecodec.ThumbQuality

// Placeholder is the colour of a cell whose thumbnail is missing or does
// not decode; the background and gutters are black.
var Placeholder = color.RGBA{128, 128, 128, 255}

// Source returns the encoded thumbnails (JPEG, or any format imagecodec
// decodes) of the given images, in that order: nil for an image that has
// none. Render calls it once per sheet, possibly from several goroutines at
// once.
type Source func(ctx context.Context, images []int) ([][]byte, error)

// Sheet is one rendered atlas.
type Sheet struct {
	Index  int
	Width  int
	Height int
	JPEG   []byte
}

// RenderOptions configure Render.
type RenderOptions struct {
	Quality int // JPEG quality 1 … 100; 0 means DefaultQuality
	// Workers is how many sheets are rendered at once (each holds one
	// Side×Side RGBA canvas); 0 means GOMAXPROCS.
	Workers int
	// Progress, if not nil, is told how many images are drawn so far, from
	// one goroutine at a time.
	Progress func(done, total int)
}

// Render decodes, draws and encodes every sheet of p, passing each to emit
// as it is done (in no particular order, one call at a time). Thumbnails
// that are missing or do not decode are drawn as Placeholder cells and
// listed in placeholders (image indices, in packing order); any other
// failure (src, emit, ctx) stops the work and is returned.
func Render(ctx context.Context, p *Packing, src Source, opts RenderOptions, emit func(Sheet) error) (placeholders []int, err error) {
	if opts.Quality == 0 {
		opts.Quality = DefaultQuality
	}
	if opts.Quality < 1 || opts.Quality > 100 {
		return nil, fmt.Errorf("atlas: JPEG quality %d (want 1 … 100)", opts.Quality)
	}
	runs := sheetRuns(p)
	workers := min(parallel.Workers(opts.Workers), max(len(runs), 1))
	// With fewer sheets than workers, the spare ones decode within a sheet.
	inner := max(1, parallel.Workers(opts.Workers)/workers)
	r := &renderer{p: p, src: src, quality: opts.Quality, inner: inner, progress: opts.Progress, emit: emit,
		missing: make([][]int, len(runs))}
	canvases := make(chan *image.RGBA, workers)
	for range workers {
		canvases <- image.NewRGBA(image.Rect(0, 0, p.Side, p.Side))
	}
	parallel.Chunks(len(runs), workers, func(s int) {
		if r.failed() {
			return
		}
		if err := ctx.Err(); err != nil {
			r.fail(err)
			return
		}
		canvas := <-canvases
		defer func() { canvases <- canvas }()
		if err := r.sheet(ctx, s, runs[s], canvas); err != nil {
			r.fail(err)
		}
	})
	if r.err != nil {
		return nil, r.err
	}
	for _, m := range r.missing {
		placeholders = append(placeholders, m...)
	}
	return placeholders, nil
}

// sheetRuns splits p.Order into the runs of images on each sheet.
func sheetRuns(p *Packing) [][]int {
	runs := make([][]int, p.Sheets())
	start := 0
	for k, i := range p.Order {
		if k+1 == len(p.Order) || p.Cells[p.Order[k+1]].Atlas != p.Cells[i].Atlas {
			runs[p.Cells[i].Atlas] = p.Order[start : k+1]
			start = k + 1
		}
	}
	return runs
}

type renderer struct {
	p        *Packing
	src      Source
	quality  int
	inner    int
	progress func(done, total int)
	emit     func(Sheet) error

	mu      sync.Mutex // guards the fields below, progress and emit
	err     error
	done    int
	missing [][]int // per sheet
}

func (r *renderer) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err != nil
}

func (r *renderer) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// sheet renders sheet s, holding the images run, on canvas.
func (r *renderer) sheet(ctx context.Context, s int, run []int, canvas *image.RGBA) error {
	thumbs, err := r.src(ctx, run)
	if err != nil {
		return fmt.Errorf("atlas: thumbnails of sheet %d: %w", s, err)
	}
	if len(thumbs) != len(run) {
		return fmt.Errorf("atlas: %d thumbnails for the %d images of sheet %d", len(thumbs), len(run), s)
	}
	size := r.p.Sizes[s]
	paintBlack(canvas, size[1])
	bad := make([]bool, len(run))
	parallel.Range(len(run), 64, r.inner, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			bad[k] = !draw(canvas, r.p.Cells[run[k]], thumbs[k])
			thumbs[k] = nil // let the bytes go as soon as they are drawn
		}
		r.mu.Lock()
		r.done += hi - lo
		if r.progress != nil {
			r.progress(r.done, len(r.p.Cells))
		}
		r.mu.Unlock()
	})
	data, err := imagecodec.EncodeJPEG(canvas.SubImage(image.Rect(0, 0, size[0], size[1])), r.quality)
	if err != nil {
		return fmt.Errorf("atlas: encode sheet %d: %w", s, err)
	}
	var missing []int
	for k, b := range bad {
		if b {
			missing = append(missing, run[k])
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.missing[s] = missing
	if r.err != nil {
		return nil
	}
	return r.emit(Sheet{Index: s, Width: size[0], Height: size[1], JPEG: data})
}

// paintBlack paints the canvas's first rows opaque black.
func paintBlack(canvas *image.RGBA, rows int) {
	pix := canvas.Pix[:canvas.PixOffset(0, rows)]
	for i := 0; i < len(pix); i += 4 {
		pix[i], pix[i+1], pix[i+2], pix[i+3] = 0, 0, 0, 255
	}
}

// draw decodes a thumbnail into its cell, scaled to the cell's size, and
// reports whether it could; if not, the cell is filled with Placeholder.
func draw(canvas *image.RGBA, c Cell, data []byte) bool {
	var img *image.RGBA
	if data != nil {
		// MinSide lets a JPEG decode at a reduced scale when the thumbnail is
		// much larger than the cell.
		if d, err := imagecodec.Decode(data, imagecodec.Options{MinSide: 2 * min(c.W, c.H)}); err == nil {
			img = d.Image
		}
	}
	if img == nil {
		fill(canvas, c, Placeholder)
		extrude(canvas, c)
		return false
	}
	if img.Rect.Dx() != c.W || img.Rect.Dy() != c.H {
		img = imagecodec.Resize(img, c.W, c.H)
	}
	for y := range c.H {
		src := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):][:4*c.W]
		copy(canvas.Pix[canvas.PixOffset(c.X, c.Y+y):], src)
	}
	extrude(canvas, c)
	return true
}

// extrude copies a cell's right column and bottom row into the gutter next
// to them (where the sheet has room), so that the JPEG blocks and texture
// filtering that straddle a cell's edge meet its own colours rather than a
// black line, which would ring into the image.
func extrude(canvas *image.RGBA, c Cell) {
	b := canvas.Rect
	right := c.X + c.W
	if right < b.Max.X {
		for y := c.Y; y < c.Y+c.H; y++ {
			copy(canvas.Pix[canvas.PixOffset(right, y):][:4], canvas.Pix[canvas.PixOffset(right-1, y):])
		}
	}
	bottom := c.Y + c.H
	if bottom < b.Max.Y {
		width := c.W
		if right < b.Max.X {
			width++ // the corner too
		}
		copy(canvas.Pix[canvas.PixOffset(c.X, bottom):][:4*width], canvas.Pix[canvas.PixOffset(c.X, bottom-1):])
	}
}

func fill(canvas *image.RGBA, c Cell, col color.RGBA) {
	for y := c.Y; y < c.Y+c.H; y++ {
		row := canvas.Pix[canvas.PixOffset(c.X, y):][:4*c.W]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = col.R, col.G, col.B, col.A
		}
	}
}
