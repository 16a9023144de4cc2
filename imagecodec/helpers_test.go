package imagecodec

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
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

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
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

// tiffOrientation is a minimal TIFF structure whose IFD0 holds Orientation = o
// after one unrelated tag, as cameras write it.
func tiffOrientation(order binary.ByteOrder, o uint16) []byte {
	b := make([]byte, 8+2+2*12+4)
	if order == binary.LittleEndian {
		copy(b, "II*\x00")
	} else {
		copy(b, "MM\x00*")
	}
	order.PutUint32(b[4:], 8)
	order.PutUint16(b[8:], 2)
	entry := b[10:]
	order.PutUint16(entry[0:], 0x010f) // Make, ASCII, inline "pp"
	order.PutUint16(entry[2:], 2)
	order.PutUint32(entry[4:], 3)
	copy(entry[8:], "pp\x00")
	entry = b[22:]
	order.PutUint16(entry[0:], 0x0112)
	order.PutUint16(entry[2:], 3)
	order.PutUint32(entry[4:], 1)
	order.PutUint16(entry[8:], o)
	return b
}

// withJPEGEXIF inserts an APP1 Exif segment holding tiff right after SOI.
func withJPEGEXIF(jpegData, tiff []byte) []byte {
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+len(payload)))
	out := append([]byte{}, jpegData[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpegData[2:]...)
}

func pngChunk(typ string, body []byte) []byte {
	c := make([]byte, 8, 12+len(body))
	binary.BigEndian.PutUint32(c, uint32(len(body)))
	copy(c[4:], typ)
	c = append(c, body...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// withPNGChunk inserts a chunk right after IHDR (signature 8 + IHDR 25 bytes).
func withPNGChunk(pngData []byte, chunk []byte) []byte {
	out := append([]byte{}, pngData[:33]...)
	out = append(out, chunk...)
	return append(out, pngData[33:]...)
}

// rawPNG writes a PNG from already-interleaved 8-bit samples of the given
// colour type (image/png cannot write gray+alpha, type 4).
func rawPNG(t testing.TB, w, h int, colorType byte, channels int, sample func(x, y, c int) byte) []byte {
	t.Helper()
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, colorType
	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	row := make([]byte, 1+w*channels) // filter byte 0 (none)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < channels; c++ {
				row[1+x*channels+c] = sample(x, y, c)
			}
		}
		if _, err := z.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", idat.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
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
