package imagetest_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/pixplot/pixplot/internal/imagetest"
)

func TestRawPNG_GrayAlphaIsReadByImagePNG(t *testing.T) {
	data := imagetest.RawPNG(t, 4, 2, 4, 2, func(x, y, c int) byte { return byte(100 * c) })
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.At(3, 1).(color.NRGBA); got != (color.NRGBA{0, 0, 0, 100}) || img.Bounds().Size() != image.Pt(4, 2) {
		t.Errorf("decoded %v with pixel %v", img.Bounds(), got)
	}
}

func TestWithPNGSize_HeaderClaimsTheSizeWithAValidCRC(t *testing.T) {
	data := imagetest.WithPNGSize(imagetest.RawPNG(t, 1, 1, 6, 4, func(x, y, c int) byte { return 0 }), 50000, 40000)
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width != 50000 || cfg.Height != 40000 {
		t.Errorf("config %+v, err %v", cfg, err)
	}
}

func TestWithJPEGSize_HeaderClaimsTheSize(t *testing.T) {
	data := imagetest.WithJPEGSize(imagetest.EncodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)), 90), 60000, 50000)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width != 60000 || cfg.Height != 50000 {
		t.Errorf("config %+v, err %v", cfg, err)
	}
}

func TestWithJPEGEXIF_AddsAnAPP1SegmentImageJPEGSkips(t *testing.T) {
	plain := imagetest.EncodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)), 90)
	data := imagetest.WithJPEGEXIF(plain, imagetest.OrientationTIFF(binary.BigEndian, 6))
	if !bytes.HasPrefix(data, []byte("\xff\xd8\xff\xe1\x00\x22Exif\x00\x00MM\x00*")) {
		t.Errorf("starts % x", data[:20])
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Error(err)
	}
}

func TestCameraOrientationTIFF_PutsOrientationSecond(t *testing.T) {
	b := imagetest.CameraOrientationTIFF(binary.LittleEndian, 7)
	if len(b) != 38 || binary.LittleEndian.Uint16(b[8:]) != 2 || binary.LittleEndian.Uint16(b[22:]) != 0x0112 || b[30] != 7 {
		t.Errorf("% x", b)
	}
}

func TestCornerMarkers_Orientation6StoresUprightTopLeftBottomLeft(t *testing.T) {
	img := imagetest.CornerMarkers(60, 40, 12, 6)
	for _, p := range []struct {
		x, y int
		want color.RGBA
	}{{5, 34, color.RGBA{255, 0, 0, 255}}, {5, 5, color.RGBA{0, 0, 255, 255}}, {54, 34, color.RGBA{255, 255, 255, 255}}} {
		if got := img.RGBAAt(p.x, p.y); got != p.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", p.x, p.y, got, p.want)
		}
	}
}
