package imagecodec

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"strings"
	"sync"
	"testing"
)

// decodeStdlib decodes with image/jpeg, an independent decoder, into RGBA.
func decodeStdlib(t testing.TB, data []byte) *image.RGBA {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/jpeg cannot decode the output: %v", err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	return rgba
}

// psnr is the peak signal-to-noise ratio of b against a over R, G and B, in dB.
func psnr(a, b *image.RGBA) float64 {
	var sq float64
	for y := range a.Rect.Dy() {
		for x := range a.Rect.Dx() {
			p, q := a.RGBAAt(a.Rect.Min.X+x, a.Rect.Min.Y+y), b.RGBAAt(x, y)
			for _, d := range []float64{float64(p.R) - float64(q.R), float64(p.G) - float64(q.G), float64(p.B) - float64(q.B)} {
				sq += d * d
			}
		}
	}
	mse := sq / float64(3*a.Rect.Dx()*a.Rect.Dy())
	return 10 * math.Log10(255*255/mse)
}

func TestEncodeJPEG_DecodesWithImageJPEGToTheSameSizeAndColours(t *testing.T) {
	for _, size := range []image.Point{{640, 480}, {33, 17}, {1, 1}} {
		src := quadrants(size.X, size.Y)
		data, err := EncodeJPEG(src, ThumbQuality)
		if err != nil {
			t.Fatal(err)
		}
		got := decodeStdlib(t, data)
		wantSize(t, got, size.X, size.Y)
		if size.X >= 32 {
			wantQuadrants(t, got, 40)
		}
	}
	src := photo(300, 200)
	data, err := EncodeJPEG(src, 90)
	if err != nil {
		t.Fatal(err)
	}
	if p := psnr(src, decodeStdlib(t, data)); p < 33 {
		t.Errorf("photo at quality 90: PSNR %.1f dB, want ≥ 33", p)
	}
}

func TestEncodeJPEG_EncodesOnlyASubImagesRectangle(t *testing.T) {
	// An atlas sheet is the top-left part of a larger, reused canvas; here the
	// part is off the origin too, and everything around it is red.
	canvas := image.NewRGBA(image.Rect(0, 0, 200, 150))
	draw.Draw(canvas, canvas.Rect, image.NewUniform(red), image.Point{}, draw.Src)
	part := image.Rect(40, 30, 140, 90)
	draw.Draw(canvas, part, quadrants(part.Dx(), part.Dy()), image.Point{}, draw.Src)
	data, err := EncodeJPEG(canvas.SubImage(part), ThumbQuality)
	if err != nil {
		t.Fatal(err)
	}
	got := decodeStdlib(t, data)
	wantSize(t, got, part.Dx(), part.Dy())
	wantQuadrants(t, got, 40)
}

func TestEncodeJPEG_Uses420ChromaSubsampling(t *testing.T) {
	data, err := EncodeJPEG(quadrants(64, 48), ThumbQuality)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if ycc, ok := img.(*image.YCbCr); !ok || ycc.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		t.Errorf("decoded as %T %v, want 4:2:0 YCbCr", img, img.ColorModel())
	}
}

func TestEncodeJPEG_HigherQualityGivesLargerFiles(t *testing.T) {
	src := photo(256, 256)
	last := 0
	for _, q := range []int{20, 50, 85, 98} {
		data, err := EncodeJPEG(src, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) <= last {
			t.Errorf("quality %d: %d bytes, not more than the %d of the quality before", q, len(data), last)
		}
		last = len(data)
	}
	// Out-of-range qualities are clamped, as image/jpeg does.
	for q, same := range map[int]int{0: 1, -5: 1, 150: 100} {
		a, errA := EncodeJPEG(src, q)
		b, errB := EncodeJPEG(src, same)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("quality %d: not encoded as quality %d (errors %v, %v)", q, same, errA, errB)
		}
	}
}

func TestEncodeJPEG_RefusesImagesJPEGCannotHold(t *testing.T) {
	for _, tc := range []struct {
		img  image.Image
		want string
	}{
		{image.NewRGBA(image.Rect(0, 0, 65501, 1)), "65500"}, // libjpeg's limit, reported by its error handler
		{image.NewRGBA(image.Rect(0, 0, 0, 10)), "empty 0×10"},
	} {
		data, err := EncodeJPEG(tc.img, ThumbQuality)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v image: %d bytes, error %v; want an error mentioning %q", tc.img.Bounds().Size(), len(data), err, tc.want)
		}
	}
	// The encoder is still fine afterwards.
	if _, err := EncodeJPEG(quadrants(8, 8), ThumbQuality); err != nil {
		t.Fatal(err)
	}
}

func TestEncodeJPEG_GivesTheSameBytesFromConcurrentCalls(t *testing.T) {
	images := []*image.RGBA{photo(120, 80), quadrants(64, 64), photo(31, 47)}
	want := make([][]byte, len(images))
	for i, img := range images {
		var err error
		if want[i], err = EncodeJPEG(img, ThumbQuality); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for r := range 6 {
				i := (g + r) % len(images)
				got, err := EncodeJPEG(images[i], ThumbQuality)
				if err != nil || !bytes.Equal(got, want[i]) {
					t.Errorf("goroutine %d: image %d differs from the sequential encoding (error %v)", g, i, err)
				}
				if _, err := EncodeJPEG(image.NewRGBA(image.Rect(0, 0, 65501, 1)), ThumbQuality); err == nil {
					t.Errorf("goroutine %d: oversized image encoded", g)
				}
			}
		})
	}
	wg.Wait()
}

// An atlas sheet (2048² at the thumbnail quality, what plot/atlas spends its
// time on) and a preview thumbnail, by libjpeg-turbo and by image/jpeg, the
// encoder it replaced. Run with -cpu 1.
func BenchmarkEncodeJPEG(b *testing.B) {
	for _, side := range []int{2048, 256} {
		src := photo(side, side)
		encoders := []struct {
			name   string
			encode func() int
		}{
			{"libjpeg-turbo", func() int {
				data, err := EncodeJPEG(src, ThumbQuality)
				if err != nil {
					b.Fatal(err)
				}
				return len(data)
			}},
			{"stdlib-image-jpeg", func() int {
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: ThumbQuality}); err != nil {
					b.Fatal(err)
				}
				return buf.Len()
			}},
		}
		for _, enc := range encoders {
			b.Run(fmt.Sprintf("%dx%d/%s", side, side, enc.name), func(b *testing.B) {
				defer reportCPU(b)()
				var size int
				for b.Loop() {
					size = enc.encode()
				}
				b.ReportMetric(float64(size)/1024, "KB")
			})
		}
	}
}
