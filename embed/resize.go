package embed

import (
	"image"
	"math"
)

// Images are squashed to the model's square input with a separable triangle
// (bilinear) filter whose support widens with the shrink factor, like PIL's
// BILINEAR resize or TF's antialiased bilinear: every source pixel contributes,
// so downscaled photos do not alias, at a cost linear in the source size.

// axisTaps says, for each output index along one axis, which consecutive
// source indices contribute (from start) and with what normalised weights.
type axisTaps struct {
	start   []int
	weights [][]float32
}

func triangleTaps(in, out int) axisTaps {
	scale := float64(in) / float64(out)
	support := math.Max(scale, 1) // triangle radius in source pixels
	t := axisTaps{start: make([]int, out), weights: make([][]float32, out)}
	for i := 0; i < out; i++ {
		center := (float64(i) + 0.5) * scale
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		w := make([]float32, 0, hi-lo)
		var sum float64
		for x := lo; x < hi; x++ {
			d := math.Abs((float64(x) + 0.5 - center) / support)
			v := math.Max(1-d, 0)
			w = append(w, float32(v))
			sum += v
		}
		if sum == 0 { // cannot happen for in, out >= 1; keep the nearest pixel
			lo, w, sum = min(int(center), in-1), []float32{1}, 1
		}
		for k := range w {
			w[k] = float32(float64(w[k]) / sum)
		}
		t.start[i], t.weights[i] = lo, w
	}
	return t
}

// rowReader writes source row y of an image as nch float32 values per pixel.
type rowReader func(y int, dst []float32)

// resample filters a w×h image of nch interleaved channels to side×side.
// Only source rows some output row uses are read.
func resample(read rowReader, w, h, nch, side int) []float32 {
	cols, rows := triangleTaps(w, side), triangleTaps(h, side)
	firstRow, lastRow := rows.start[0], rows.start[side-1]+len(rows.weights[side-1])
	src := make([]float32, nch*w)
	line := nch * side
	horiz := make([]float32, line*(lastRow-firstRow)) // rows filtered along x
	for y := firstRow; y < lastRow; y++ {
		read(y, src)
		dst := horiz[line*(y-firstRow):]
		for x := 0; x < side; x++ {
			taps := cols.weights[x]
			s := src[nch*cols.start[x]:]
			for c := 0; c < nch; c++ {
				var sum float32
				for k, wt := range taps {
					sum += wt * s[nch*k+c]
				}
				dst[nch*x+c] = sum
			}
		}
	}
	out := make([]float32, line*side)
	for y := 0; y < side; y++ {
		dst := out[line*y : line*(y+1)]
		for k, wt := range rows.weights[y] {
			row := horiz[line*(rows.start[y]+k-firstRow):]
			for i := range dst {
				dst[i] += wt * row[i]
			}
		}
	}
	return out
}

// planeReader reads rows of one 8-bit plane.
func planeReader(pix []uint8, stride, offset int) rowReader {
	return func(y int, dst []float32) {
		p := pix[offset+y*stride:]
		for x := range dst {
			dst[x] = float32(p[x])
		}
	}
}

// resizeRGB returns img squashed to side×side as R,G,B float32 triples in
// 0..255, row-major, with any transparency composited onto white.
func resizeRGB(img image.Image, side int) []float32 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.YCbCr:
		return resizeYCbCr(m, side)
	case *image.Gray:
		grey := resample(planeReader(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y)), w, h, 1, side)
		out := make([]float32, 3*len(grey))
		for i, v := range grey {
			out[3*i], out[3*i+1], out[3*i+2] = v, v, v
		}
		return out
	case *image.RGBA:
		return resample(func(y int, dst []float32) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				white := float32(255 - p[4*x+3]) // premultiplied: add white behind
				dst[3*x] = float32(p[4*x]) + white
				dst[3*x+1] = float32(p[4*x+1]) + white
				dst[3*x+2] = float32(p[4*x+2]) + white
			}
		}, w, h, 3, side)
	case *image.NRGBA:
		return resample(func(y int, dst []float32) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				a := float32(p[4*x+3]) / 255
				white := 255 * (1 - a)
				dst[3*x] = float32(p[4*x])*a + white
				dst[3*x+1] = float32(p[4*x+1])*a + white
				dst[3*x+2] = float32(p[4*x+2])*a + white
			}
		}, w, h, 3, side)
	default:
		return resample(func(y int, dst []float32) {
			for x := 0; x < w; x++ {
				r, g, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				white := float32(0xffff - a)
				dst[3*x] = (float32(r) + white) / 257
				dst[3*x+1] = (float32(g) + white) / 257
				dst[3*x+2] = (float32(bb) + white) / 257
			}
		}, w, h, 3, side)
	}
}

// resizeYCbCr resamples the luma and (subsampled) chroma planes separately
// and converts to RGB only at the output size: filtering is linear, so this
// equals converting first, up to the clamping of out-of-gamut values, at a
// third of the cost for JPEG photos.
func resizeYCbCr(m *image.YCbCr, side int) []float32 {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	cw, ch := w, h // chroma plane size over the same picture
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		cw = (b.Max.X+1)/2 - b.Min.X/2
	case image.YCbCrSubsampleRatio420:
		cw, ch = (b.Max.X+1)/2-b.Min.X/2, (b.Max.Y+1)/2-b.Min.Y/2
	case image.YCbCrSubsampleRatio440:
		ch = (b.Max.Y+1)/2 - b.Min.Y/2
	case image.YCbCrSubsampleRatio411:
		cw = (b.Max.X+3)/4 - b.Min.X/4
	case image.YCbCrSubsampleRatio410:
		cw, ch = (b.Max.X+3)/4-b.Min.X/4, (b.Max.Y+1)/2-b.Min.Y/2
	}
	lum := resample(planeReader(m.Y, m.YStride, m.YOffset(b.Min.X, b.Min.Y)), w, h, 1, side)
	c0 := m.COffset(b.Min.X, b.Min.Y)
	cb := resample(planeReader(m.Cb, m.CStride, c0), cw, ch, 1, side)
	cr := resample(planeReader(m.Cr, m.CStride, c0), cw, ch, 1, side)
	out := make([]float32, 3*len(lum))
	clamp := func(v float32) float32 { return min(max(v, 0), 255) }
	for i, y := range lum { // JFIF YCbCr -> RGB, as color.YCbCrToRGB
		u, v := cb[i]-128, cr[i]-128
		out[3*i] = clamp(y + 1.40200*v)
		out[3*i+1] = clamp(y - 0.34414*u - 0.71414*v)
		out[3*i+2] = clamp(y + 1.77200*u)
	}
	return out
}
