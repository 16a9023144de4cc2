package imagecodec

import (
	"image"
	"image/color"
	"image/draw"

	xdraw "golang.org/x/image/draw"
)

// Resize scales img to exactly w×h (aspect ratio not kept, as model inputs
// want), compositing any transparency onto white. Shrinking averages areas:
// every output pixel is the mean of the source area it covers, which cannot
// alias and costs about one multiply-add per source pixel and channel.
// Enlarging (small sources) uses Catmull-Rom.
func Resize(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	mw, mh := min(w, b.Dx()), min(h, b.Dy())
	shrunk := resizeArea(img, mw, mh)
	if mw == w && mh == h {
		return shrunk
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Rect, shrunk, shrunk.Rect, xdraw.Src, nil)
	return dst
}

// Fixed-point area weights: 14 bits, so a weighted sum of 16-bit samples fits in 32 bits.
const (
	weightBits = 14
	weightOne  = 1 << weightBits
)

// resizeArea shrinks img to w×h (at most its own size) by area averaging, in
// two separable fixed-point passes; at its own size it only flattens.
func resizeArea(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	rows := newRowReader(img)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if w == sw && h == sh {
		for y := 0; y < h; y++ {
			copy(dst.Pix[y*dst.Stride:], rows.row(y))
		}
		return dst
	}
	// Horizontal pass: every source row to w pixels, RGB as 8.8 fixed point.
	xs := areaSpans(sw, w)
	mid := make([]uint16, 3*w*sh)
	for y := 0; y < sh; y++ {
		src, out := rows.row(y), mid[3*w*y:3*w*(y+1)]
		for x, s := range xs {
			var r, g, b uint32
			px, weights := src[4*s.first:], s.weights
			for len(px) >= 4 && len(weights) > 0 { // shaped so the compiler drops bounds checks
				wt := weights[0]
				r += uint32(px[0]) * wt
				g += uint32(px[1]) * wt
				b += uint32(px[2]) * wt
				px, weights = px[4:], weights[1:]
			}
			o := out[3*x : 3*x+3]
			o[0] = uint16((r + 1<<5) >> 6)
			o[1] = uint16((g + 1<<5) >> 6)
			o[2] = uint16((b + 1<<5) >> 6)
		}
	}
	// Vertical pass: weighted sums of whole rows, back to 8 bits.
	acc := make([]uint32, 3*w)
	for y, s := range areaSpans(sh, h) {
		clear(acc)
		for i, wt := range s.weights {
			row := mid[3*w*(s.first+i) : 3*w*(s.first+i+1)]
			row = row[:len(acc)]
			for j, v := range row {
				acc[j] += uint32(v) * wt
			}
		}
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		for a := acc; len(a) >= 3 && len(out) >= 4; a, out = a[3:], out[4:] {
			out[0] = uint8((a[0] + 1<<21) >> 22)
			out[1] = uint8((a[1] + 1<<21) >> 22)
			out[2] = uint8((a[2] + 1<<21) >> 22)
			out[3] = 255
		}
	}
	return dst
}

// areaSpan is the run of source pixels one output pixel covers, with the
// fixed-point share of each (summing to weightOne).
type areaSpan struct {
	first   int
	weights []uint32
}

// areaSpans maps n source pixels onto m ≤ n output pixels. In units of 1/m
// source pixel, output o covers [o·n, (o+1)·n) and source i covers
// [i·m, (i+1)·m), so every overlap is an exact integer.
func areaSpans(n, m int) []areaSpan {
	spans := make([]areaSpan, m)
	backing := make([]uint32, 0, m*(n/m+2))
	for o := range spans {
		lo, hi := int64(o)*int64(n), int64(o+1)*int64(n)
		first, last := int(lo/int64(m)), int((hi-1)/int64(m))
		start := len(backing)
		var sum, largest uint32
		largestAt := 0
		for i := first; i <= last; i++ {
			overlap := min(hi, int64(i+1)*int64(m)) - max(lo, int64(i)*int64(m))
			wt := uint32((overlap*weightOne + int64(n)/2) / int64(n))
			if wt > largest {
				largest, largestAt = wt, len(backing)
			}
			sum += wt
			backing = append(backing, wt)
		}
		backing[largestAt] += weightOne - sum // rounding leftovers: weights sum to exactly one
		spans[o] = areaSpan{first: first, weights: backing[start:len(backing):len(backing)]}
	}
	return spans
}

// rowReader yields the rows of any image as opaque 8-bit RGBA, transparency
// composited onto white, using image/draw's fast paths (RGBA, NRGBA, YCbCr,
// Gray, CMYK) and a palette lookup.
type rowReader struct {
	img     image.Image
	scratch *image.RGBA // one row, reused
	palette []uint8     // premultiplied RGBA per palette index, for *image.Paletted
}

func newRowReader(img image.Image) *rowReader {
	b := img.Bounds()
	r := &rowReader{img: img, scratch: image.NewRGBA(image.Rect(b.Min.X, 0, b.Max.X, 1))}
	if p, ok := img.(*image.Paletted); ok {
		r.palette = make([]uint8, 4*256) // indexes beyond the palette read as transparent
		for i, c := range p.Palette {
			rgba := color.RGBAModel.Convert(c).(color.RGBA)
			copy(r.palette[4*i:], []uint8{rgba.R, rgba.G, rgba.B, rgba.A})
		}
	}
	return r
}

// row returns row y (counted from the top of the bounds); the slice is reused
// by the next call.
func (r *rowReader) row(y int) []uint8 {
	b := r.img.Bounds()
	y += b.Min.Y
	out := r.scratch.Pix
	switch m := r.img.(type) {
	case *image.RGBA:
		copy(out, m.Pix[m.PixOffset(b.Min.X, y):])
	case *image.Paletted:
		i := m.PixOffset(b.Min.X, y)
		for x, idx := range m.Pix[i : i+b.Dx()] {
			copy(out[4*x:4*x+4], r.palette[4*int(idx):])
		}
	case *image.NYCbCrA: // lossy WebP with alpha: colour by the fast path, then premultiply
		r.drawRow(&m.YCbCr, y)
		alpha := m.A[m.AOffset(b.Min.X, y):]
		for x := 0; x < b.Dx(); x++ {
			a := uint32(alpha[x])
			out[4*x] = uint8((uint32(out[4*x])*a + 127) / 255)
			out[4*x+1] = uint8((uint32(out[4*x+1])*a + 127) / 255)
			out[4*x+2] = uint8((uint32(out[4*x+2])*a + 127) / 255)
			out[4*x+3] = uint8(a)
		}
	default:
		r.drawRow(r.img, y)
	}
	flattenOnWhite(out)
	return out
}

func (r *rowReader) drawRow(src image.Image, y int) {
	draw.Draw(r.scratch, r.scratch.Rect, src, image.Pt(r.img.Bounds().Min.X, y), draw.Src)
}

// flattenOnWhite composites premultiplied RGBA pixels onto white in place.
func flattenOnWhite(pix []uint8) {
	for i := 0; i+3 < len(pix); i += 4 {
		if a := pix[i+3]; a != 255 {
			white := 255 - uint32(a)
			pix[i] = uint8(min(255, uint32(pix[i])+white))
			pix[i+1] = uint8(min(255, uint32(pix[i+1])+white))
			pix[i+2] = uint8(min(255, uint32(pix[i+2])+white))
			pix[i+3] = 255
		}
	}
}
