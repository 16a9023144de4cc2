//go:build unix

package ingest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/pixplot/pixplot"
	"github.com/pixplot/pixplot/catalog"
	"github.com/pixplot/pixplot/imagecodec"
	"github.com/pixplot/pixplot/internal/imagetest"
)

// hostileImage is one entry of the bad-images corpus and what ingest must do
// with it: store it (format and upright size) or report it (stage and a
// message fragment) while the rest of the run goes on.
type hostileImage struct {
	path  string                       // relative to the corpus root
	write func(t *testing.T, p string) // creates the entry at its absolute path

	format        string // stored: format and size after orientation
	width, height int
	look          func(t *testing.T, preview image.Image) // stored: checks the stored preview thumbnail

	stage, reason string // refused: ingest_errors stage and message fragment
}

func (h hostileImage) refused() bool { return h.stage != "" }

// hostileMaxFileBytes is the file size limit of the corpus's runs, so that a
// file over it (read as root, it is the read failure root still meets) need
// not be a gigabyte.
const hostileMaxFileBytes = 4 << 20

var (
	markRed   = color.RGBA{255, 0, 0, 255}
	markBlue  = color.RGBA{0, 0, 255, 255}
	markWhite = color.RGBA{255, 255, 255, 255}
	markBlack = color.RGBA{0, 0, 0, 255}
)

// hostileCorpus is the ≥ 20-case corpus of the bad-images promise: broken and
// disguised files, decompression bombs, every colour model and container
// pixplot reads, all eight EXIF orientations, awkward names and file kinds.
func hostileCorpus(t *testing.T) []hostileImage {
	photoJPEG := imagetest.EncodeJPEG(t, gradient(160, 120), 90)
	sos := bytes.Index(photoJPEG, []byte{0xff, 0xda})
	bombPNG := imagetest.WithPNGSize(imagetest.RawPNG(t, 1, 1, 6, 4, func(x, y, c int) byte { return 0 }), 50000, 50000)
	bombJPEG := imagetest.WithJPEGSize(imagetest.EncodeJPEG(t, gradient(16, 16), 90), 60000, 60000)

	cases := []hostileImage{
		// Refused with a reason.
		{path: "truncated.jpg", write: bytesFile(photoJPEG[:sos+(len(photoJPEG)-sos)/2]),
			stage: StageDecode, reason: "corrupt image: jpeg: Premature end of JPEG file"},
		{path: "empty.jpg", write: bytesFile(nil), stage: StageDecode, reason: "not an image: empty file"},
		{path: "notes.jpg", write: bytesFile([]byte("Holiday notes.\nDay 1: rain.\n")),
			stage: StageDecode, reason: "not an image: looks like text"},
		{path: "error page.png", write: bytesFile([]byte("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n")),
			stage: StageDecode, reason: "not an image: looks like HTML"},
		{path: "bomb.png", write: bytesFile(bombPNG),
			stage: StageDecode, reason: "image too large: 50000×50000 pixels (2500.0 MP) exceed the limit of 100.0 MP"},
		{path: "bomb.jpg", write: bytesFile(bombJPEG),
			stage: StageDecode, reason: "image too large: 60000×60000 pixels"},
		{path: "phone.jpg", write: bytesFile([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")),
			stage: StageDecode, reason: "unsupported image format: HEIC/HEIF"},
		{path: "dangling.jpg", write: symlinkTo("missing.jpg"),
			stage: StageDiscover, reason: `broken symlink to "missing.jpg": no such file or directory`},
		{path: "ping.jpg", write: symlinkTo("pong.jpg"), stage: StageDiscover, reason: "too many levels of symbolic links"},
		{path: "pong.jpg", write: symlinkTo("ping.jpg"), stage: StageDiscover, reason: "too many levels of symbolic links"},
		{path: "nested/back", write: symlinkTo(".."),
			stage: StageDiscover, reason: "symlink loop (it leads back to a directory above it); not followed"},
		{path: "pipe.jpg", write: fifo, stage: StageDiscover, reason: "not a regular file (a named pipe); skipped"},
		{path: "huge.jpg", write: sparseFile(hostileMaxFileBytes + 1),
			stage: StageRead, reason: fmt.Sprintf("too large: %d bytes, the limit is %d", hostileMaxFileBytes+1, hostileMaxFileBytes)},

		// Stored, upright and opaque.
		{path: "baseline.jpg", write: bytesFile(photoJPEG), format: "jpeg", width: 160, height: 120},
		{path: "grayscale.jpg", write: encodedFile(func(t *testing.T) []byte { return imagetest.EncodeJPEG(t, grayImage(64, 48), 90) }),
			format: "jpeg", width: 64, height: 48},
		{path: "progressive.jpg", write: fixtureFile("progressive.jpg"), format: "jpeg", width: 48, height: 32, look: quadrantsLook},
		{path: "cmyk_adobe.jpg", write: fixtureFile("cmyk_adobe.jpg"), format: "jpeg", width: 48, height: 32, look: quadrantsLook},
		{path: "ycck_adobe.jpg", write: fixtureFile("ycck_adobe.jpg"), format: "jpeg", width: 48, height: 32, look: quadrantsLook},
		{path: "cmyk_plain.jpg", write: fixtureFile("cmyk_plain.jpg"), format: "jpeg", width: 48, height: 32, look: quadrantsLook},
		{path: "deep.png", write: encodedFile(png16), format: "png", width: 40, height: 30, look: halvesLook(markRed, markBlue)},
		{path: "gray alpha.png", write: encodedFile(grayAlphaPNG), format: "png", width: 40, height: 30,
			look: halvesLook(markWhite, markBlack)}, // transparent left half flattened onto white
		{path: "palette.png", write: encodedFile(palettePNG), format: "png", width: 40, height: 30, look: halvesLook(markRed, markBlue)},
		{path: "animated.gif", write: encodedFile(animatedGIF), format: "gif", width: 40, height: 30, look: halvesLook(markRed, markRed)},
		{path: "lossy.webp", write: fixtureFile("lossy.webp"), format: "webp", width: 48, height: 32, look: quadrantsLook},
		{path: "lossless_alpha.webp", write: fixtureFile("lossless_alpha.webp"), format: "webp", width: 48, height: 32,
			look: func(t *testing.T, img image.Image) { wantRGB(t, img, 0.75, 0.25, markWhite, 40) }}, // transparent corner on white
		{path: "lossy_alpha.webp", write: fixtureFile("lossy_alpha.webp"), format: "webp", width: 48, height: 32},
		{path: "lossy_exif6.webp", write: fixtureFile("lossy_exif6.webp"), format: "webp", width: 32, height: 48},
		{path: "picture.bmp", write: encodedFile(bmpFile), format: "bmp", width: 40, height: 30, look: halvesLook(markRed, markBlue)},
		{path: "scan.tiff", write: encodedFile(tiffFile), format: "tiff", width: 40, height: 30, look: halvesLook(markRed, markBlue)},
		{path: "really a png.jpg", write: encodedFile(palettePNG), format: "png", width: 40, height: 30},
		{path: "SHOUTING.JPEG", write: bytesFile(photoJPEG), format: "jpeg", width: 160, height: 120},
		{path: "Ünïcødé folder/a photo 日本 #1 (copy).jpg", write: bytesFile(photoJPEG), format: "jpeg", width: 160, height: 120},
		{path: "folder.jpg/inside.png", write: encodedFile(palettePNG), format: "png", width: 40, height: 30}, // a directory named *.jpg is walked
	}
	// A file without read permission. Tests run as root in CI, where
	// permissions do not stop reading: then it must simply be stored.
	unreadable := hostileImage{path: "unreadable.png", write: unreadableFile(encodedFile(palettePNG))}
	if os.Geteuid() == 0 {
		unreadable.format, unreadable.width, unreadable.height = "png", 40, 30
	} else {
		unreadable.stage, unreadable.reason = StageRead, "permission denied"
	}
	cases = append(cases, unreadable)
	for o := 1; o <= 8; o++ {
		w, h := 1024, 640 // large enough for DCT-domain downscaling
		if o >= 5 {
			w, h = h, w
		}
		cases = append(cases, hostileImage{
			path: "orientation " + string(rune('0'+o)) + ".jpg", write: encodedFile(func(t *testing.T) []byte { return orientedJPEG(t, o) }),
			format: "jpeg", width: w, height: h, look: cornerMarkersLook,
		})
	}
	return cases
}

func TestRun_HostileImagesAreStoredUprightOrReportedAndTheRunGoesOn(t *testing.T) {
	emb := realEmbedder(t)
	root := filepath.Join(t.TempDir(), "corpus")
	cases := hostileCorpus(t)
	var stored, refused, undiscoverable int
	for _, c := range cases {
		full := filepath.Join(root, filepath.FromSlash(c.path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		c.write(t, full)
		switch {
		case !c.refused():
			stored++
		case c.stage == StageDiscover:
			undiscoverable++
		default:
			refused++
		}
	}
	if len(cases) < 20 {
		t.Fatalf("corpus has %d cases, the promise is at least 20", len(cases))
	}
	cat := newCatalog(t)
	opt := Options{Images: root, Workers: 2, MaxFileBytes: hostileMaxFileBytes}
	s, err := Run(context.Background(), cat, emb, opt)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, s.Text())
	}
	t.Logf("%d cases; summary:\n%s", len(cases), s.Text())
	if s.Discovered != stored+refused || s.Ingested != stored || s.Failed != refused || s.DiscoveryProblems != undiscoverable {
		t.Errorf("summary %+v, want %d discovered, %d ingested, %d failed, %d skipped in discovery",
			counts(s), stored+refused, stored, refused, undiscoverable)
	}
	if code := s.Outcome().ExitCode(); code != 3 {
		t.Errorf("exit status %d, want 3 (some files failed, the rest stored)", code)
	}
	checkHostileOutcome(t, cat, root, cases, true)

	// A second run stores nothing twice and reports the same problems once each.
	s, err = Run(context.Background(), cat, emb, opt)
	if err != nil {
		t.Fatal(err)
	}
	if s.Unchanged != stored || s.Ingested+s.Updated != 0 || s.Failed != refused || s.Outcome().ExitCode() != 3 {
		t.Errorf("second run:\n%s", s.Text())
	}
	checkHostileOutcome(t, cat, root, cases, false)
}

// checkHostileOutcome checks that every case was stored whole and upright or
// is in ingest_errors with its reason, and nothing else is in the catalog;
// looks also checks what the stored previews show.
func checkHostileOutcome(t *testing.T, cat *catalog.Catalog, root string, cases []hostileImage, looks bool) {
	t.Helper()
	ctx := context.Background()
	errs, err := cat.Errors(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	reported := map[string]catalog.IngestError{}
	for _, e := range errs {
		if _, dup := reported[e.Path]; dup {
			t.Errorf("%s reported twice", e.Path)
		}
		reported[e.Path] = e
	}
	model, err := cat.ActiveModel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, c := range cases {
		full := filepath.Join(root, filepath.FromSlash(c.path))
		e, isReported := reported[full]
		delete(reported, full)
		if c.refused() {
			if !isReported || e.Stage != c.stage || !strings.Contains(e.Message, c.reason) {
				t.Errorf("%s: ingest_errors has %+v, want stage %s with %q", c.path, e, c.stage, c.reason)
			}
			if _, err := cat.ImageIDByPath(ctx, c.path); err == nil {
				t.Errorf("%s: refused but an image row exists", c.path)
			}
			continue
		}
		stored++
		if isReported {
			t.Errorf("%s: stored but reported: %+v", c.path, e)
		}
		if !looks {
			c.look = nil
		}
		checkStoredImage(t, cat, model.ID, c)
	}
	for p, e := range reported {
		t.Errorf("unexpected problem %s: %s: %s", p, e.Stage, e.Message)
	}
	if in := info(t, cat); in.Images != int64(stored) || in.Thumbnails != 3*int64(stored) || in.Models[0].Vectors != int64(stored) {
		t.Errorf("catalog holds %+v, want %d whole images", in, stored)
	}
}

// checkStoredImage checks one stored case: size, format, three thumbnails of
// the right sizes, a vector, and what its preview looks like.
func checkStoredImage(t *testing.T, cat *catalog.Catalog, modelID int64, c hostileImage) {
	t.Helper()
	ctx := context.Background()
	id, err := cat.ImageIDByPath(ctx, c.path)
	if err != nil {
		t.Errorf("%s: not stored: %v", c.path, err)
		return
	}
	img, err := cat.Image(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if img.Format != c.format || img.Width != c.width || img.Height != c.height || img.Filename != filepath.Base(c.path) {
		t.Errorf("%s: stored as %s %s %d×%d, want %s %d×%d", c.path, img.Filename, img.Format, img.Width, img.Height, c.format, c.width, c.height)
	}
	if _, err := cat.Vector(ctx, modelID, id); err != nil {
		t.Errorf("%s: no vector: %v", c.path, err)
	}
	for _, size := range []string{pixplot.ThumbCell, pixplot.ThumbLOD, pixplot.ThumbPreview} {
		th, err := cat.Thumbnail(ctx, id, size)
		if err != nil {
			t.Errorf("%s: no %s thumbnail: %v", c.path, size, err)
			continue
		}
		decoded, err := jpeg.Decode(bytes.NewReader(th.JPEG))
		if err != nil {
			t.Errorf("%s: %s thumbnail is not a JPEG: %v", c.path, size, err)
			continue
		}
		w, h := imagecodec.ThumbnailSize(size, c.width, c.height)
		if got := decoded.Bounds().Size(); got != image.Pt(w, h) || th.Width != w || th.Height != h {
			t.Errorf("%s: %s thumbnail %v (recorded %d×%d), want %d×%d", c.path, size, got, th.Width, th.Height, w, h)
		}
		if size == pixplot.ThumbPreview && c.look != nil {
			t.Run("preview of "+c.path, func(t *testing.T) { c.look(t, decoded) })
		}
	}
}

// orientedJPEG is a white 1024×640 JPEG whose EXIF orientation o says how to
// turn it upright, with markers placed so that upright it shows red top-left
// and blue top-right.
func orientedJPEG(t *testing.T, o int) []byte {
	stored := imagetest.EncodeJPEG(t, imagetest.CornerMarkers(1024, 640, 160, o), 92)
	return imagetest.WithJPEGEXIF(stored, imagetest.OrientationTIFF(imagetest.OrientationByteOrder(o), uint16(o)))
}

// cornerMarkersLook checks an upright orientation test image.
func cornerMarkersLook(t *testing.T, img image.Image) {
	wantRGB(t, img, 0.08, 0.08, markRed, 40)
	wantRGB(t, img, 0.92, 0.08, markBlue, 40)
	wantRGB(t, img, 0.08, 0.92, markWhite, 40)
	wantRGB(t, img, 0.92, 0.92, markWhite, 40)
}

// quadrantsLook checks imagecodec's fixture pattern: red, green / blue, yellow.
func quadrantsLook(t *testing.T, img image.Image) {
	wantRGB(t, img, 0.25, 0.25, markRed, 40)
	wantRGB(t, img, 0.75, 0.25, color.RGBA{0, 255, 0, 255}, 40)
	wantRGB(t, img, 0.25, 0.75, markBlue, 40)
	wantRGB(t, img, 0.75, 0.75, color.RGBA{255, 255, 0, 255}, 40)
}

// halvesLook checks an image whose left and right halves have one colour each.
func halvesLook(left, right color.RGBA) func(*testing.T, image.Image) {
	return func(t *testing.T, img image.Image) {
		wantRGB(t, img, 0.2, 0.5, left, 30)
		wantRGB(t, img, 0.8, 0.5, right, 30)
	}
}

// wantRGB checks the colour at a fraction of the image's width and height.
func wantRGB(t *testing.T, img image.Image, fx, fy float64, want color.RGBA, tolerance int) {
	t.Helper()
	b := img.Bounds()
	x, y := b.Min.X+int(fx*float64(b.Dx())), b.Min.Y+int(fy*float64(b.Dy()))
	r, g, bl, _ := img.At(x, y).RGBA()
	got := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
	for i, w := range [3]uint8{want.R, want.G, want.B} {
		if d := got[i] - int(w); d > tolerance || d < -tolerance {
			t.Errorf("pixel (%d,%d) of %v = %v, want %v ± %d", x, y, b.Size(), got, want, tolerance)
			return
		}
	}
}

// Writers of corpus entries.

func bytesFile(data []byte) func(*testing.T, string) {
	return func(t *testing.T, p string) {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func encodedFile(encode func(*testing.T) []byte) func(*testing.T, string) {
	return func(t *testing.T, p string) { bytesFile(encode(t))(t, p) }
}

// fixtureFile copies one of imagecodec's committed fixtures.
func fixtureFile(name string) func(*testing.T, string) {
	return func(t *testing.T, p string) {
		data, err := os.ReadFile(filepath.Join("..", "imagecodec", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		bytesFile(data)(t, p)
	}
}

func symlinkTo(target string) func(*testing.T, string) {
	return func(t *testing.T, p string) {
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
}

// sparseFile makes a file of size bytes without writing them.
func sparseFile(size int64) func(*testing.T, string) {
	return func(t *testing.T, p string) {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
}

func fifo(t *testing.T, p string) {
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}

func unreadableFile(write func(*testing.T, string)) func(*testing.T, string) {
	return func(t *testing.T, p string) {
		write(t, p)
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// Encoders of corpus images.

// gradient is a smooth colour picture.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(255 * x / w), uint8(255 * y / h), uint8(128 + 64*((x/8+y/8)%2)), 255})
		}
	}
	return img
}

func grayImage(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	return img
}

// halves fills the left half of a 40×30 image with one colour, the right with another.
func halves(left, right color.Color) func(x, y int) color.Color {
	return func(x, y int) color.Color {
		if x < 20 {
			return left
		}
		return right
	}
}

// png16 is a 16-bit-per-channel RGBA PNG.
func png16(t *testing.T) []byte {
	img := image.NewRGBA64(image.Rect(0, 0, 40, 30))
	paint := halves(color.RGBA64{0xffff, 0, 0, 0xffff}, color.RGBA64{0, 0, 0xffff, 0xffff})
	for y := range 30 {
		for x := range 40 {
			img.Set(x, y, paint(x, y))
		}
	}
	return imagetest.EncodePNG(t, img)
}

// grayAlphaPNG is an 8-bit grey+alpha PNG (colour type 4, which image/png
// cannot write): black everywhere, transparent on the left half.
func grayAlphaPNG(t *testing.T) []byte {
	return imagetest.RawPNG(t, 40, 30, 4, 2, func(x, y, c int) byte {
		if c == 1 && x >= 20 {
			return 255
		}
		return 0
	})
}

func palettePNG(t *testing.T) []byte {
	return imagetest.EncodePNG(t, halvesPaletted())
}

func halvesPaletted() *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, 40, 30), color.Palette{markRed, markBlue})
	for y := range 30 {
		for x := 20; x < 40; x++ {
			img.SetColorIndex(x, y, 1)
		}
	}
	return img
}

// animatedGIF has a red first frame and a blue second one: only the first is used.
func animatedGIF(t *testing.T) []byte {
	colours := color.Palette{markRed, markBlue}
	first := image.NewPaletted(image.Rect(0, 0, 40, 30), colours)
	second := image.NewPaletted(image.Rect(0, 0, 40, 30), colours)
	for i := range second.Pix {
		second.Pix[i] = 1
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{first, second}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func bmpFile(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := bmp.Encode(&buf, halvesPaletted()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tiffFile(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, halvesPaletted(), &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
