package embed

import (
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/pixplot/pixplot"
)

func TestTriangleTaps_WeightsSumToOneAndCoverTheSource(t *testing.T) {
	for _, c := range [][2]int{{4000, 299}, {299, 299}, {64, 299}, {1, 224}, {301, 7}} {
		taps := triangleTaps(c[0], c[1])
		for i, w := range taps.weights {
			var sum float64
			for _, x := range w {
				if x < 0 {
					t.Fatalf("%v: negative weight", c)
				}
				sum += float64(x)
			}
			if math.Abs(sum-1) > 1e-5 {
				t.Errorf("%v: output %d weights sum to %v", c, i, sum)
			}
			if taps.start[i] < 0 || taps.start[i]+len(w) > c[0] {
				t.Errorf("%v: output %d reads outside the source", c, i)
			}
		}
	}
}

func TestResizeRGB_AveragesAwayDetailFinerThanTheOutputPixels(t *testing.T) {
	// A 1-pixel checkerboard halved must be flat grey, not aliased stripes.
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.SetGray(x, y, color.Gray{Y: uint8(255 * ((x + y) % 2))})
		}
	}
	out := resizeRGB(img, 32)
	for y := 1; y < 31; y++ { // the border sees a clipped window
		for x := 1; x < 31; x++ {
			if v := out[3*(32*y+x)]; math.Abs(float64(v)-127.5) > 0.01 {
				t.Fatalf("pixel %d,%d = %v, want 127.5", x, y, v)
			}
		}
	}
}

func TestResizeRGB_PutsTransparencyOnWhite(t *testing.T) {
	clear := image.NewNRGBA(image.Rect(0, 0, 8, 8))     // fully transparent black
	half := image.NewRGBA(image.Rect(0, 0, 8, 8))       // premultiplied
	generic := image.NewNRGBA64(image.Rect(0, 0, 8, 8)) // read through At
	halfRed := color.NRGBA{R: 255, A: 128}
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			half.Set(x, y, halfRed)
			generic.Set(x, y, halfRed)
		}
	}
	check := func(name string, img image.Image, want [3]float64) {
		t.Helper()
		out := resizeRGB(img, 4)
		for i := 0; i < len(out); i += 3 {
			for c := 0; c < 3; c++ {
				if math.Abs(float64(out[i+c])-want[c]) > 1 {
					t.Fatalf("%s: pixel %d = %v, want %v", name, i/3, out[i:i+3], want)
				}
			}
		}
	}
	check("transparent NRGBA", clear, [3]float64{255, 255, 255})
	check("half-transparent red RGBA", half, [3]float64{255, 127, 127})
	check("half-transparent red NRGBA64", generic, [3]float64{255, 127, 127})
}

func TestResizeRGB_ReadsJPEGPlanesLikeTheirRGBConversion(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "chelsea.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	ycc, ok := img.(*image.YCbCr)
	if !ok {
		t.Fatalf("decoded as %T", img)
	}
	// A sub-image with odd bounds exercises the chroma plane offsets.
	sub := ycc.SubImage(image.Rect(31, 17, 300, 200)).(*image.YCbCr)
	rgba := image.NewRGBA(sub.Bounds())
	draw.Draw(rgba, rgba.Bounds(), sub, sub.Bounds().Min, draw.Src)
	a, b := resizeRGB(sub, 37), resizeRGB(rgba, 37)
	var sum, worst float64
	for i := range a {
		d := math.Abs(float64(a[i] - b[i]))
		sum, worst = sum+d, math.Max(worst, d)
	}
	// Not equal: image.YCbCr.At takes the nearest chroma sample, the planes
	// are filtered over the chroma grid, which differs at sharp colour edges.
	if mean := sum / float64(len(a)); mean > 0.5 || worst > 8 {
		t.Errorf("planes vs RGB: mean |diff| %.3f, max %.3f (of 255)", mean, worst)
	}
}

func TestTensorize_ScalesAndLaysOutAsTheModelSays(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 10, 10))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 255, 0, 51, 255
	}
	cases := []struct {
		layout, scale string
		first3        [3]float32 // first three values of the tensor
	}{
		{LayoutNHWC, ScaleUnit, [3]float32{1, 0, 0.2}},
		{LayoutNHWC, ScaleSigned, [3]float32{1, -1, -0.6}},
		{LayoutNCHW, ScaleUnit, [3]float32{1, 1, 1}}, // the red plane first
		{LayoutNHWC, ScaleImageNet, [3]float32{(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.2 - 0.406) / 0.225}},
	}
	for _, c := range cases {
		e := &Embedder{model: pixplot.Model{Preprocess: pixplot.Preprocess{Size: 4, Layout: c.layout, Scale: c.scale}}}
		if err := e.setScale(c.scale); err != nil {
			t.Fatal(err)
		}
		got := e.Tensorize(img)
		if len(got) != 48 {
			t.Fatalf("%d values, want 4*4*3", len(got))
		}
		for i, w := range c.first3 {
			if math.Abs(float64(got[i]-w)) > 1e-5 {
				t.Errorf("%s %s: value %d = %v, want %v", c.layout, c.scale, i, got[i], w)
			}
		}
		if c.layout == LayoutNCHW && math.Abs(float64(got[16])) > 1e-6 {
			t.Errorf("NCHW: green plane starts with %v, want 0", got[16])
		}
	}
}
