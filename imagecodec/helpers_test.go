package imagecodec

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

var (
	red    = color.RGBA{255, 0, 0, 255}
	green  = color.RGBA{0, 255, 0, 255}
	blue   = color.RGBA{0, 0, 255, 255}
	yellow = color.RGBA{255, 255, 0, 255}
	white  = color.RGBA{255, 255, 255, 255}
	black  = color.RGBA{0, 0, 0, 255}
)

// quadrants draws the pattern of the committed fixtures: red top-left, green
// top-right, blue bottom-left, yellow bottom-right.
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := [4]color.RGBA{red, green, blue, yellow}[2*(2*y/h)+2*x/w]
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// wantQuadrants checks the centre of each quadrant of an upright pattern image.
func wantQuadrants(t *testing.T, img *image.RGBA, tolerance int) {
	t.Helper()
	w, h := img.Rect.Dx(), img.Rect.Dy()
	wantColor(t, img, w/4, h/4, red, tolerance)
	wantColor(t, img, 3*w/4, h/4, green, tolerance)
	wantColor(t, img, w/4, 3*h/4, blue, tolerance)
	wantColor(t, img, 3*w/4, 3*h/4, yellow, tolerance)
}

func wantColor(t *testing.T, img *image.RGBA, x, y int, want color.RGBA, tolerance int) {
	t.Helper()
	got := img.RGBAAt(x, y)
	d := max(absDiff(got.R, want.R), absDiff(got.G, want.G), absDiff(got.B, want.B), absDiff(got.A, want.A))
	if d > tolerance {
		t.Errorf("pixel (%d,%d) = %v, want %v ± %d", x, y, got, want, tolerance)
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func wantSize(t *testing.T, img image.Image, w, h int) {
	t.Helper()
	if got := img.Bounds().Size(); got != image.Pt(w, h) {
		t.Fatalf("image is %d×%d, want %d×%d", got.X, got.Y, w, h)
	}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustDecode(t *testing.T, data []byte, opt Options) *Decoded {
	t.Helper()
	d, err := Decode(data, opt)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return d
}

// photo is a deterministic photo-like picture: smooth shapes, texture and
// sensor-like noise, so JPEG sizes and decode times resemble a camera's.
func photo(w, h int) *image.RGBA {
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			texture := 20 * math.Sin(float64(x)*0.31+3*math.Sin(float64(y)*0.05)) * math.Cos(float64(y)*0.17)
			noise := rng.NormFloat64() * 6
			r := 180*fx + 60*math.Sin(7*fy) + texture + noise
			g := 140*fy + 80*math.Cos(5*fx*fy) + texture + noise
			b := 200 - 120*fx*fy + texture + noise
			img.SetRGBA(x, y, color.RGBA{clamp8(r), clamp8(g), clamp8(b), 255})
		}
	}
	return img
}

func clamp8(v float64) uint8 { return uint8(max(0, min(255, v))) }
