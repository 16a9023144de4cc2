package imagecodec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/pixplot/pixplot/internal/imagetest"
)

func TestSniff_NamesFormatsByContent(t *testing.T) {
	var bmpBuf, tiffBuf, gifBuf bytes.Buffer
	img := quadrants(8, 8)
	if err := bmp.Encode(&bmpBuf, img); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tiffBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	for format, data := range map[string][]byte{
		"jpeg": imagetest.EncodeJPEG(t, img, 90),
		"png":  imagetest.EncodePNG(t, img),
		"gif":  gifBuf.Bytes(),
		"webp": fixture(t, "lossy.webp"),
		"bmp":  bmpBuf.Bytes(),
		"tiff": tiffBuf.Bytes(),
	} {
		if got, ok := Sniff(data); !ok || got != format {
			t.Errorf("Sniff(%s bytes) = %q, %v", format, got, ok)
		}
	}
	for _, data := range []string{"", "BM is a text file", "hello", "<html></html>"} {
		if got, ok := Sniff([]byte(data)); ok {
			t.Errorf("Sniff(%q) = %q, want not an image", data, got)
		}
	}
}

func TestDecode_RefusesNonImagesSayingWhatTheyLookLike(t *testing.T) {
	htmlErrorPage := "\n<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>"
	for _, tc := range []struct {
		name string // as the file might be called; Decode never sees names
		data string
		want error
		msg  string
	}{
		{"empty.jpg", "", ErrNotImage, "not an image: empty file"},
		{"notes.jpg", "These are my holiday notes.\nDay 1: rain.\n", ErrNotImage, "not an image: looks like text"},
		{"error.png", htmlErrorPage, ErrNotImage, "not an image: looks like HTML"},
		{"lowercase.png", "<html><body>oops</body></html>", ErrNotImage, "not an image: looks like HTML"},
		{"meta.jpg", `{"error": "rate limited"}`, ErrNotImage, "not an image: looks like JSON"},
		{"scan.jpg", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ErrNotImage, "not an image: looks like a PDF document"},
		{"blob.png", "\x00\x01\x02\x03\x04\x05\x06\x07\x08", ErrNotImage, "not an image: unknown binary data starting 00 01 02 03 04 05 06 07"},
		{"phone.jpg", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", ErrUnsupported, "unsupported image format: HEIC/HEIF"},
		{"logo.png", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`, ErrUnsupported, "unsupported image format: SVG (vector image)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.data), Options{})
			if !errors.Is(err, tc.want) || err.Error() != tc.msg {
				t.Fatalf("err = %v, want %q wrapping %v", err, tc.msg, tc.want)
			}
		})
	}
}

func TestDecode_RefusesPNGBombFromItsHeaderQuicklyAndWithoutAllocating(t *testing.T) {
	// A 50,000×50,000 RGBA PNG header (10 GB of pixels) over a tiny IDAT.
	bomb := imagetest.WithPNGSize(imagetest.RawPNG(t, 1, 1, 6, 4, func(x, y, c int) byte { return 0 }), 50000, 50000)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Decode(bomb, Options{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "50000×50000") {
		t.Fatalf("err = %v, want ErrTooLarge naming 50000×50000", err)
	}
	if elapsed > time.Second {
		t.Errorf("refusing took %v", elapsed)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("refusing allocated %d bytes", allocated)
	}
}

func TestDecode_RefusesJPEGBombFromItsHeader(t *testing.T) {
	data := imagetest.WithJPEGSize(imagetest.EncodeJPEG(t, quadrants(16, 16), 90), 60000, 60000)
	start := time.Now()
	_, err := Decode(data, Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "60000×60000 pixels (3600.0 MP) exceed the limit of 100.0 MP") {
		t.Fatalf("err = %v, want ErrTooLarge with the dimensions", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("refusing took %v", elapsed)
	}
}

func TestDecode_UnsupportedFeaturesAreNotCalledCorrupt(t *testing.T) {
	lossless := imagetest.EncodeJPEG(t, quadrants(16, 16), 90)
	lossless[bytes.Index(lossless, []byte{0xff, 0xc0})+1] = 0xc3 // SOF3: lossless JPEG

	var buf bytes.Buffer
	if err := tiff.Encode(&buf, quadrants(16, 16), nil); err != nil {
		t.Fatal(err)
	}
	oldJPEGTIFF := buf.Bytes()
	ifd := binary.LittleEndian.Uint32(oldJPEGTIFF[4:])
	for i := range int(binary.LittleEndian.Uint16(oldJPEGTIFF[ifd:])) {
		entry := oldJPEGTIFF[ifd+2+12*uint32(i):]
		if binary.LittleEndian.Uint16(entry) == 0x0103 { // Compression
			binary.LittleEndian.PutUint16(entry[8:], 6) // old-style JPEG
		}
	}
	for name, tc := range map[string]struct {
		data []byte
		msg  string
	}{
		"lossless jpeg":       {lossless, "unsupported image format: jpeg: Unsupported JPEG process: SOF type 0xc3"},
		"old-style jpeg tiff": {oldJPEGTIFF, "unsupported image format: tiff: unsupported feature: compression value 6"},
	} {
		_, err := Decode(tc.data, Options{})
		if !errors.Is(err, ErrUnsupported) || err.Error() != tc.msg {
			t.Errorf("%s: err = %v, want %q", name, err, tc.msg)
		}
	}
}

func TestDecode_MaxPixelsIsConfigurable(t *testing.T) {
	for _, data := range [][]byte{imagetest.EncodeJPEG(t, quadrants(100, 50), 90), imagetest.EncodePNG(t, quadrants(100, 50))} {
		if _, err := Decode(data, Options{MaxPixels: 4999}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("MaxPixels 4999: err = %v, want ErrTooLarge", err)
		}
		mustDecode(t, data, Options{MaxPixels: 5000})
	}
}

func TestDecode_TruncatedOrGarbledFilesAreCorruptNotCrashes(t *testing.T) {
	baseline := imagetest.EncodeJPEG(t, photo(200, 150), 90)
	progressive := fixture(t, "progressive.jpg")
	pngData := imagetest.EncodePNG(t, photo(64, 64))
	sos := bytes.Index(baseline, []byte{0xff, 0xda})
	for name, data := range map[string][]byte{
		"baseline jpeg cut in half":      baseline[:len(baseline)/2],
		"baseline jpeg cut after header": baseline[:sos+12],
		"jpeg header only":               baseline[:sos],
		"progressive jpeg cut in half":   progressive[:len(progressive)/2],
		"png cut in half":                pngData[:len(pngData)/2],
		"png signature only":             pngData[:8],
		"webp cut in half":               fixture(t, "lossy.webp")[:60],
		"gif header only":                []byte("GIF89a\x10\x00\x10\x00"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(data, Options{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestDecode_JPEGWithGarbledPixelDataStillDecodes(t *testing.T) {
	// Like browsers, libjpeg resynchronises after bad entropy-coded data; the
	// picture is damaged but complete, so it is kept.
	data := imagetest.EncodeJPEG(t, photo(200, 150), 90)
	sos := bytes.Index(data, []byte{0xff, 0xda})
	for i := sos + 20; i < len(data)-2; i += 7 {
		data[i] = 0xff // stray markers all through the pixel data
	}
	d := mustDecode(t, data, Options{})
	wantSize(t, d.Image, 200, 150)
}

func TestDecode_TruncatedJPEGSaysPrematureEnd(t *testing.T) {
	data := imagetest.EncodeJPEG(t, photo(64, 64), 90)
	_, err := Decode(data[:len(data)-100], Options{})
	if err == nil || err.Error() != "corrupt image: jpeg: Premature end of JPEG file" {
		t.Fatalf("err = %v", err)
	}
}

func TestDecode_RefusesProgressiveJPEGWithThousandsOfScans(t *testing.T) {
	// Each scan of a progressive file re-reads the whole coefficient buffer, so
	// a small file with endless scans could keep a worker busy for minutes.
	data := fixture(t, "progressive.jpg")
	lastScan := data[bytes.LastIndex(data, []byte{0xff, 0xda}) : len(data)-2]
	hostile := append([]byte{}, data[:len(data)-2]...)
	for range 1001 {
		hostile = append(hostile, lastScan...)
	}
	hostile = append(hostile, 0xff, 0xd9)
	_, err := Decode(hostile, Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "more than 1000 progressive scans") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecode_JPEGMissingOnlyItsEndMarkerIsFine(t *testing.T) {
	data := imagetest.EncodeJPEG(t, quadrants(48, 32), 95)
	d := mustDecode(t, data[:len(data)-2], Options{})
	wantQuadrants(t, d.Image, 8)
}

func TestDecode_BaselineJPEG(t *testing.T) {
	d := mustDecode(t, imagetest.EncodeJPEG(t, quadrants(48, 32), 95), Options{})
	if d.Format != "jpeg" || d.Width != 48 || d.Height != 32 || d.Orientation != 1 {
		t.Errorf("got %s %d×%d orientation %d", d.Format, d.Width, d.Height, d.Orientation)
	}
	wantSize(t, d.Image, 48, 32)
	wantQuadrants(t, d.Image, 8)
	if !d.Image.Opaque() {
		t.Error("image is not opaque")
	}
}

func TestDecode_JPEGAgreesWithImageJPEG(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 120, 80))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 7)
	}
	for name, data := range map[string][]byte{
		"baseline":    imagetest.EncodeJPEG(t, photo(120, 80), 90),
		"grayscale":   imagetest.EncodeJPEG(t, gray, 90),
		"progressive": fixture(t, "progressive.jpg"),
		"cmyk adobe":  fixture(t, "cmyk_adobe.jpg"),
		"ycck adobe":  fixture(t, "ycck_adobe.jpg"),
	} {
		t.Run(name, func(t *testing.T) {
			std, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			want := Resize(std, std.Bounds().Dx(), std.Bounds().Dy())
			got := mustDecode(t, data, Options{}).Image
			wantSize(t, got, want.Rect.Dx(), want.Rect.Dy())
			// The decoders upsample chroma differently (libjpeg smoothly, Go by
			// replication), which shows along the hard colour edges of the tiny
			// quadrant fixtures; elsewhere they agree to a level or two.
			var sum int
			for i := range got.Pix {
				sum += absDiff(got.Pix[i], want.Pix[i])
			}
			if mean := float64(sum) / float64(len(got.Pix)); mean > 4 {
				t.Errorf("mean difference %.2f per channel", mean)
			}
		})
	}
}

func TestDecode_GrayscaleJPEG(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 32, 32))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i % 32 * 8)
	}
	d := mustDecode(t, imagetest.EncodeJPEG(t, gray, 95), Options{})
	wantColor(t, d.Image, 2, 5, color.RGBA{16, 16, 16, 255}, 6)
	wantColor(t, d.Image, 29, 5, color.RGBA{232, 232, 232, 255}, 6)
}

func TestDecode_ProgressiveJPEG(t *testing.T) {
	d := mustDecode(t, fixture(t, "progressive.jpg"), Options{})
	wantSize(t, d.Image, 48, 32)
	wantQuadrants(t, d.Image, 8)
}

func TestDecode_CMYKJPEGs(t *testing.T) {
	for _, name := range []string{"cmyk_adobe.jpg", "ycck_adobe.jpg", "cmyk_plain.jpg"} {
		t.Run(name, func(t *testing.T) {
			d := mustDecode(t, fixture(t, name), Options{})
			wantSize(t, d.Image, 48, 32)
			wantQuadrants(t, d.Image, 8)
			if !d.Image.Opaque() {
				t.Error("image is not opaque")
			}
		})
	}
}

func TestDecode_PNGColourTypes(t *testing.T) {
	// Each case is a 16×16 picture whose left half is red and right half is
	// white, written with a different PNG colour type.
	left := func(x int) bool { return x < 8 }
	rgba16 := image.NewNRGBA64(image.Rect(0, 0, 16, 16))
	gray16 := image.NewGray16(image.Rect(0, 0, 16, 16))
	nrgba := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	paletted := image.NewPaletted(image.Rect(0, 0, 16, 16), color.Palette{color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 0, 0}})
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			if left(x) {
				rgba16.Set(x, y, color.NRGBA64{0xffff, 0, 0, 0xffff})
				nrgba.Set(x, y, color.NRGBA{255, 0, 0, 255})
				gray16.Set(x, y, color.Gray16{0x0000})
			} else {
				rgba16.Set(x, y, color.NRGBA64{0x1234, 0x5678, 0x9abc, 0}) // transparent: colour must not leak
				nrgba.Set(x, y, color.NRGBA{0, 0, 0, 0})
				gray16.Set(x, y, color.Gray16{0xffff})
				paletted.SetColorIndex(x, y, 1)
			}
		}
	}
	grayAlpha := imagetest.RawPNG(t, 16, 16, 4, 2, func(x, y, c int) byte {
		if c == 1 { // alpha
			return map[bool]byte{true: 255, false: 0}[left(x)]
		}
		return 0
	})
	for _, tc := range []struct {
		name      string
		data      []byte
		leftColor color.RGBA
	}{
		{"8-bit RGBA with transparency", imagetest.EncodePNG(t, nrgba), red},
		{"16-bit RGBA", imagetest.EncodePNG(t, rgba16), red},
		{"16-bit gray", imagetest.EncodePNG(t, gray16), black},
		{"palette with transparent entry", imagetest.EncodePNG(t, paletted), red},
		{"gray+alpha", grayAlpha, black},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDecode(t, tc.data, Options{})
			wantSize(t, d.Image, 16, 16)
			wantColor(t, d.Image, 3, 8, tc.leftColor, 0)
			wantColor(t, d.Image, 12, 8, white, 0)
		})
	}
}

func TestDecode_GIFUsesFirstFrameOnWhite(t *testing.T) {
	pal := color.Palette{red, blue, color.RGBA{}}
	first := image.NewPaletted(image.Rect(0, 0, 20, 10), pal) // all red
	for x := 10; x < 20; x++ {
		for y := 0; y < 10; y++ {
			first.SetColorIndex(x, y, 2) // transparent
		}
	}
	second := image.NewPaletted(image.Rect(0, 0, 20, 10), pal)
	for i := range second.Pix {
		second.Pix[i] = 1 // blue
	}
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{first, second}, Delay: []int{10, 10}})
	if err != nil {
		t.Fatal(err)
	}
	d := mustDecode(t, buf.Bytes(), Options{})
	wantSize(t, d.Image, 20, 10)
	wantColor(t, d.Image, 4, 4, red, 0)
	wantColor(t, d.Image, 15, 4, white, 0)
}

func TestDecode_GIFFirstFrameSmallerThanScreen(t *testing.T) {
	frame := image.NewPaletted(image.Rect(5, 5, 10, 10), palette.Plan9)
	for i := range frame.Pix {
		frame.Pix[i] = uint8(frame.Palette.Index(blue))
	}
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, &gif.GIF{
		Image: []*image.Paletted{frame}, Delay: []int{0},
		Config: image.Config{ColorModel: frame.Palette, Width: 20, Height: 20},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := mustDecode(t, buf.Bytes(), Options{})
	wantSize(t, d.Image, 20, 20)
	wantColor(t, d.Image, 7, 7, blue, 10)
	wantColor(t, d.Image, 1, 1, white, 0)
}

func TestDecode_WebP(t *testing.T) {
	for _, name := range []string{"lossy.webp", "lossy_exif6.webp"} {
		d := mustDecode(t, fixture(t, name), Options{})
		if d.Format != "webp" {
			t.Errorf("%s: format %q", name, d.Format)
		}
		if d.Orientation == 1 {
			wantSize(t, d.Image, 48, 32)
			wantQuadrants(t, d.Image, 30)
		}
	}
	for _, name := range []string{"lossless_alpha.webp", "lossy_alpha.webp"} {
		t.Run(name, func(t *testing.T) {
			d := mustDecode(t, fixture(t, name), Options{})
			wantSize(t, d.Image, 48, 32)
			wantColor(t, d.Image, 10, 16, red, 30)
			wantColor(t, d.Image, 40, 6, white, 2)                            // transparent
			wantColor(t, d.Image, 40, 26, color.RGBA{127, 127, 127, 255}, 10) // black at alpha 128
		})
	}
}

func TestDecode_BMPAndTIFF(t *testing.T) {
	img := quadrants(48, 32)
	var bmpBuf, tiffBuf, tiffDeflate bytes.Buffer
	if err := bmp.Encode(&bmpBuf, img); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tiffBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tiffDeflate, img, &tiff.Options{Compression: tiff.Deflate, Predictor: true}); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"bmp": bmpBuf.Bytes(), "tiff": tiffBuf.Bytes(), "tiff deflate": tiffDeflate.Bytes()} {
		t.Run(name, func(t *testing.T) {
			d := mustDecode(t, data, Options{})
			wantSize(t, d.Image, 48, 32)
			wantQuadrants(t, d.Image, 0)
		})
	}
}

func TestDecode_LargeJPEGIsDecodedDCTScaledToMinSide(t *testing.T) {
	data := imagetest.EncodeJPEG(t, photo(2000, 1500), 90)
	for _, tc := range []struct{ minSide, w, h int }{
		{0, 2000, 1500},
		{100, 250, 188}, // 1/8
		{188, 250, 188},
		{189, 500, 375}, // 1/4
		{299, 500, 375},
		{600, 1000, 750}, // 1/2
		{1000, 2000, 1500},
	} {
		d := mustDecode(t, data, Options{MinSide: tc.minSide})
		if d.Width != 2000 || d.Height != 1500 {
			t.Errorf("MinSide %d: full size %d×%d", tc.minSide, d.Width, d.Height)
		}
		if got := d.Image.Rect.Size(); got != image.Pt(tc.w, tc.h) {
			t.Errorf("MinSide %d: decoded %v, want %d×%d", tc.minSide, got, tc.w, tc.h)
		}
	}
}

func TestDecode_ScaledJPEGKeepsTheColours(t *testing.T) {
	d := mustDecode(t, imagetest.EncodeJPEG(t, quadrants(640, 480), 90), Options{MinSide: 60})
	wantSize(t, d.Image, 80, 60)
	wantQuadrants(t, d.Image, 6)
	for _, name := range []string{"progressive.jpg", "cmyk_adobe.jpg", "ycck_adobe.jpg"} {
		d = mustDecode(t, fixture(t, name), Options{MinSide: 8})
		wantSize(t, d.Image, 12, 8)
		wantQuadrants(t, d.Image, 20)
	}
}

func TestDecode_OtherFormatsShrinkByIntegerFactorToMinSide(t *testing.T) {
	d := mustDecode(t, imagetest.EncodePNG(t, quadrants(1000, 600)), Options{MinSide: 100})
	if d.Width != 1000 || d.Height != 600 {
		t.Errorf("full size %d×%d", d.Width, d.Height)
	}
	wantSize(t, d.Image, 167, 100) // factor 6, last column of boxes partial
	wantQuadrants(t, d.Image, 0)
	wantColor(t, d.Image, 166, 99, yellow, 0)
}

func TestDecode_AppliesEXIFOrientation(t *testing.T) {
	// Each stored 60×40 image shows red top-left and blue top-right once upright.
	for o := 1; o <= 8; o++ {
		stored := imagetest.EncodeJPEG(t, imagetest.CornerMarkers(60, 40, 12, o), 95)
		data := imagetest.WithJPEGEXIF(stored, imagetest.CameraOrientationTIFF(imagetest.OrientationByteOrder(o), uint16(o)))
		for _, minSide := range []int{0, 20} { // full size and DCT-scaled by 2
			d := mustDecode(t, data, Options{MinSide: minSide})
			w, h := 60, 40
			if o >= 5 {
				w, h = 40, 60
			}
			if d.Orientation != o || d.Width != w || d.Height != h {
				t.Fatalf("orientation %d: got orientation %d, %d×%d", o, d.Orientation, d.Width, d.Height)
			}
			s := 1 + minSide/20
			wantSize(t, d.Image, w/s, h/s)
			wantColor(t, d.Image, 6/s, 6/s, red, 12)
			wantColor(t, d.Image, (w-6)/s, 6/s, blue, 12)
			wantColor(t, d.Image, (w-6)/s, (h-6)/s, white, 12)
		}
	}
}

func TestDecode_AppliesPNGeXIfOrientation(t *testing.T) {
	data := imagetest.WithPNGChunk(imagetest.EncodePNG(t, quadrants(48, 32)), imagetest.PNGChunk("eXIf", imagetest.CameraOrientationTIFF(binary.BigEndian, 8)))
	d := mustDecode(t, data, Options{})
	wantSize(t, d.Image, 32, 48)
	// Turned anticlockwise: the stored top-right (green) is now top-left.
	wantColor(t, d.Image, 8, 12, green, 0)
	wantColor(t, d.Image, 24, 12, yellow, 0)
	wantColor(t, d.Image, 8, 36, red, 0)
}

func TestDecode_AppliesWebPEXIFOrientation(t *testing.T) {
	d := mustDecode(t, fixture(t, "lossy_exif6.webp"), Options{})
	if d.Orientation != 6 || d.Width != 32 || d.Height != 48 {
		t.Fatalf("orientation %d, %d×%d", d.Orientation, d.Width, d.Height)
	}
	// Turned clockwise: the stored bottom-left (blue) is now top-left.
	wantColor(t, d.Image, 8, 12, blue, 30)
	wantColor(t, d.Image, 24, 12, red, 30)
	wantColor(t, d.Image, 24, 36, green, 30)
}

func TestDecode_IgnoresBrokenEXIF(t *testing.T) {
	jpegData := imagetest.EncodeJPEG(t, quadrants(48, 32), 95)
	valid := imagetest.CameraOrientationTIFF(binary.LittleEndian, 6)
	hugeCount := append([]byte{}, valid...)
	binary.LittleEndian.PutUint16(hugeCount[8:], 0xffff)
	for name, tiffBlock := range map[string][]byte{
		"IFD offset past the end": append(append([]byte{}, valid[:4]...), 0xff, 0xff, 0xff, 0x7f),
		"entry count past the end": func() []byte {
			b := append([]byte{}, valid[:22]...) // the orientation entry is cut off
			binary.LittleEndian.PutUint16(b[8:], 0xffff)
			return b
		}(),
		"orientation 9":     imagetest.CameraOrientationTIFF(binary.LittleEndian, 9),
		"orientation 0":     imagetest.CameraOrientationTIFF(binary.BigEndian, 0),
		"not TIFF":          []byte("hello, world"),
		"empty":             nil,
		"header only":       valid[:8],
		"ifd inside header": append(append([]byte{}, valid[:4]...), 2, 0, 0, 0),
	} {
		t.Run(name, func(t *testing.T) {
			d := mustDecode(t, imagetest.WithJPEGEXIF(jpegData, tiffBlock), Options{})
			if d.Orientation != 1 {
				t.Errorf("orientation %d", d.Orientation)
			}
			wantSize(t, d.Image, 48, 32)
		})
	}
	// A count larger than the entries present still finds the entries that are.
	if o := exifOrientation(hugeCount); o != 6 {
		t.Errorf("orientation %d with an oversized count", o)
	}
	// PNG and WebP writers sometimes keep JPEG's "Exif" identifier.
	if o := exifOrientation(append([]byte("Exif\x00\x00"), valid...)); o != 6 {
		t.Errorf("orientation %d behind an Exif identifier", o)
	}
}

func TestDecode_IsSafeForConcurrentUse(t *testing.T) {
	inputs := [][]byte{
		imagetest.EncodeJPEG(t, photo(300, 200), 90),
		imagetest.WithJPEGEXIF(imagetest.EncodeJPEG(t, photo(200, 300), 90), imagetest.CameraOrientationTIFF(binary.BigEndian, 6)),
		fixture(t, "progressive.jpg"),
		fixture(t, "cmyk_adobe.jpg"),
		imagetest.EncodePNG(t, photo(120, 90)),
		fixture(t, "lossy_alpha.webp"),
		[]byte("not an image"),
	}
	want := make([][]byte, len(inputs))
	for i, data := range inputs {
		if d, err := Decode(data, Options{MinSide: 50}); err == nil {
			want[i] = d.Image.Pix
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for round := 0; round < 5; round++ {
				for i, data := range inputs {
					d, err := Decode(data, Options{MinSide: 50})
					if (err == nil) != (want[i] != nil) || err == nil && !bytes.Equal(d.Image.Pix, want[i]) {
						t.Errorf("goroutine %d input %d: result differs (err %v)", g, i, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func FuzzDecode(f *testing.F) {
	f.Add(imagetest.EncodeJPEG(f, quadrants(16, 16), 90))
	f.Add(imagetest.WithJPEGEXIF(imagetest.EncodeJPEG(f, quadrants(16, 8), 90), imagetest.CameraOrientationTIFF(binary.BigEndian, 6)))
	f.Add(imagetest.EncodePNG(f, quadrants(16, 16)))
	for _, name := range []string{"progressive.jpg", "cmyk_adobe.jpg", "ycck_adobe.jpg", "lossy_exif6.webp", "lossless_alpha.webp", "lossy_alpha.webp"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data, Options{MaxPixels: 1 << 20, MinSide: 4})
		if err != nil {
			if !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if d.Image.Rect.Empty() || d.Width < d.Image.Rect.Dx() || d.Height < d.Image.Rect.Dy() {
			t.Fatalf("decoded %v for a %d×%d image", d.Image.Rect, d.Width, d.Height)
		}
	})
}
