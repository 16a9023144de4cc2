package imagecodec

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/pixplot/pixplot"
)

func TestResize_SquashesToExactSize(t *testing.T) {
	for _, size := range []image.Point{{299, 299}, {224, 224}, {1, 1}, {600, 10}} {
		got := Resize(quadrants(1000, 400), size.X, size.Y)
		wantSize(t, got, size.X, size.Y)
	}
	got := Resize(quadrants(1000, 400), 299, 299)
	wantQuadrants(t, got, 0)
}

func TestResize_AveragesFineDetailInsteadOfAliasing(t *testing.T) {
	// One-pixel black and white stripes: a sampling resize turns them into
	// solid black, white or moiré; averaging gives uniform mid-grey.
	stripes := image.NewRGBA(image.Rect(0, 0, 1733, 1151))
	for y := 0; y < 1151; y++ {
		for x := 0; x < 1733; x++ {
			v := uint8(255 * (x % 2))
			stripes.SetRGBA(x, y, color.RGBA{v, v, v, 255})
		}
	}
	got := Resize(stripes, 299, 299)
	for y := 0; y < 299; y += 13 {
		for x := 0; x < 299; x += 7 {
			wantColor(t, got, x, y, color.RGBA{128, 128, 128, 255}, 8)
		}
	}
}

func TestResize_FlattensTransparencyOntoWhite(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	for y := 0; y < 40; y++ {
		for x := 0; x < 20; x++ {
			src.SetNRGBA(x, y, color.NRGBA{0, 0, 255, 255})
			src.SetNRGBA(x+20, y, color.NRGBA{255, 0, 0, 0})
		}
	}
	for _, size := range []int{10, 40, 80} {
		got := Resize(src, size, size)
		wantColor(t, got, size/8, size/2, blue, 0)
		wantColor(t, got, size-1-size/8, size/2, white, 0)
		if !got.Opaque() {
			t.Errorf("%d px: not opaque", size)
		}
	}
}

func TestResize_AcceptsImagesNotAtTheOrigin(t *testing.T) {
	whole := quadrants(200, 100)
	sub := whole.SubImage(image.Rect(100, 0, 200, 100)) // green over yellow
	got := Resize(sub, 20, 20)
	wantColor(t, got, 10, 3, green, 0)
	wantColor(t, got, 10, 16, yellow, 0)
}

func TestResize_UpscalesSmoothly(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 2, 1))
	src.Pix[0], src.Pix[1] = 0, 200
	got := Resize(src, 16, 1)
	prev := -1
	for x := 0; x < 16; x++ {
		v := int(got.RGBAAt(x, 0).R)
		if v < prev-2 {
			t.Fatalf("not a smooth ramp at x=%d: %d after %d", x, v, prev)
		}
		prev = v
	}
	if first, last := got.RGBAAt(0, 0).R, got.RGBAAt(15, 0).R; first > 10 || last < 190 {
		t.Errorf("ends %d and %d, want about 0 and 200", first, last)
	}
}

func TestThumbnailSize_KeepsAspectWithinTheCaps(t *testing.T) {
	for _, tc := range []struct {
		size         string
		w, h         int
		wantW, wantH int
	}{
		{pixplot.ThumbCell, 400, 300, 43, 32},
		{pixplot.ThumbLOD, 400, 300, 171, 128},
		{pixplot.ThumbPreview, 400, 300, 256, 192},
		{pixplot.ThumbPreview, 300, 400, 192, 256},
		{pixplot.ThumbCell, 64, 64, 32, 32},
		{pixplot.ThumbLOD, 64, 64, 128, 128}, // small images are scaled up
		{pixplot.ThumbPreview, 64, 64, 256, 256},
		{pixplot.ThumbCell, 800, 100, 256, 32}, // exactly the 8:1 cap
		{pixplot.ThumbCell, 3000, 100, 256, 9}, // wider: fitted inside 256×32
		{pixplot.ThumbLOD, 3000, 100, 1024, 34},
		{pixplot.ThumbPreview, 3000, 100, 256, 9},
		{pixplot.ThumbCell, 100, 3000, 1, 32}, // very tall: width never below 1
		{pixplot.ThumbCell, 100000, 1, 256, 1},
	} {
		if w, h := ThumbnailSize(tc.size, tc.w, tc.h); w != tc.wantW || h != tc.wantH {
			t.Errorf("%s of %d×%d = %d×%d, want %d×%d", tc.size, tc.w, tc.h, w, h, tc.wantW, tc.wantH)
		}
	}
}

func TestThumbnails_AreJPEGsOfTheirDeclaredSize(t *testing.T) {
	for _, src := range []image.Image{quadrants(640, 480), quadrants(64, 64), quadrants(4000, 200)} {
		thumbs, err := Thumbnails(src)
		if err != nil {
			t.Fatal(err)
		}
		if len(thumbs) != 3 || thumbs[0].Size != pixplot.ThumbCell || thumbs[1].Size != pixplot.ThumbLOD || thumbs[2].Size != pixplot.ThumbPreview {
			t.Fatalf("got %d thumbnails", len(thumbs))
		}
		for _, th := range thumbs {
			w, h := ThumbnailSize(th.Size, src.Bounds().Dx(), src.Bounds().Dy())
			if th.Width != w || th.Height != h {
				t.Errorf("%s: %d×%d, want %d×%d", th.Size, th.Width, th.Height, w, h)
			}
			img, err := jpeg.Decode(bytes.NewReader(th.JPEG))
			if err != nil {
				t.Fatalf("%s: %v", th.Size, err)
			}
			wantSize(t, img, w, h)
			if th.Height >= 32 {
				rgba := mustDecode(t, th.JPEG, Options{}).Image
				wantQuadrants(t, rgba, 40)
			}
		}
	}
}

func TestEncodeJPEG_FlattensTransparencyOntoWhite(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	data, err := EncodeJPEG(transparent, ThumbQuality)
	if err != nil {
		t.Fatal(err)
	}
	wantColor(t, mustDecode(t, data, Options{}).Image, 8, 8, white, 1)
}
