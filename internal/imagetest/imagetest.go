// Package imagetest builds small real image files for tests: JPEG and PNG
// encodings, JPEG with an EXIF orientation (APP1 segment and its TIFF IFD0),
// PNG chunks with their CRCs, PNGs of any 8-bit colour type, corner-marker
// pictures for orientation checks, and headers that claim huge sizes.
//
// It imports only the standard library, so any package's tests can use it.
package imagetest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// EncodeJPEG encodes img as a baseline JPEG of the given quality.
func EncodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// EncodePNG encodes img as a PNG.
func EncodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// RawPNG writes a PNG of any 8-bit colour type from interleaved samples (image/png cannot write grey+alpha, type 4).
func RawPNG(t testing.TB, w, h int, colorType byte, channels int, sample func(x, y, c int) byte) []byte {
	t.Helper()
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, colorType
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, PNGChunk("IHDR", ihdr)...)
	out = append(out, PNGChunk("IDAT", zlibRows(t, w, h, channels, sample))...)
	return append(out, PNGChunk("IEND", nil)...)
}

// zlibRows is the compressed IDAT payload of w×h pixels, each row with filter type 0 (none).
func zlibRows(t testing.TB, w, h, channels int, sample func(x, y, c int) byte) []byte {
	t.Helper()
	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	row := make([]byte, 1+w*channels)
	for y := range h {
		for x := range w {
			for c := range channels {
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
	return idat.Bytes()
}

// PNGChunk is one PNG chunk: length, type, body and the CRC over type and body.
func PNGChunk(typ string, body []byte) []byte {
	c := make([]byte, 8, 12+len(body))
	binary.BigEndian.PutUint32(c, uint32(len(body)))
	copy(c[4:], typ)
	c = append(c, body...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// WithPNGChunk inserts chunk right after IHDR (signature 8 + IHDR 25 bytes).
func WithPNGChunk(pngData, chunk []byte) []byte {
	out := append([]byte{}, pngData[:33]...)
	out = append(out, chunk...)
	return append(out, pngData[33:]...)
}

// WithPNGSize rewrites the IHDR width and height in place, fixing the IHDR CRC, so the header claims w×h.
func WithPNGSize(pngData []byte, w, h uint32) []byte {
	binary.BigEndian.PutUint32(pngData[16:], w)
	binary.BigEndian.PutUint32(pngData[20:], h)
	copy(pngData[29:], PNGChunk("IHDR", pngData[16:29])[21:])
	return pngData
}

// WithJPEGSize rewrites the height and width of the first baseline SOF0 segment in place, so the header claims w×h.
func WithJPEGSize(jpegData []byte, w, h uint16) []byte {
	sof := bytes.Index(jpegData, []byte{0xff, 0xc0})
	binary.BigEndian.PutUint16(jpegData[sof+5:], h)
	binary.BigEndian.PutUint16(jpegData[sof+7:], w)
	return jpegData
}

// WithJPEGEXIF inserts an APP1 Exif segment holding tiff right after the JPEG's SOI marker.
func WithJPEGEXIF(jpegData, tiff []byte) []byte {
	payload := append([]byte("Exif\x00\x00"), tiff...)
	segment := binary.BigEndian.AppendUint16([]byte{0xff, 0xe1}, uint16(2+len(payload)))
	out := append([]byte{}, jpegData[:2]...)
	out = append(out, segment...)
	out = append(out, payload...)
	return append(out, jpegData[2:]...)
}

// OrientationTIFF is a minimal TIFF structure whose IFD0 holds only Orientation = o.
func OrientationTIFF(order binary.ByteOrder, o uint16) []byte {
	b := tiffIFD0(order, 1)
	order.PutUint16(ifdEntry(order, b, 0, 0x0112, 3, 1), o) // Orientation, SHORT, 1 value
	return b
}

// CameraOrientationTIFF is a TIFF structure whose IFD0 holds Orientation = o after one unrelated tag, as cameras write it.
func CameraOrientationTIFF(order binary.ByteOrder, o uint16) []byte {
	b := tiffIFD0(order, 2)
	copy(ifdEntry(order, b, 0, 0x010f, 2, 3), "pp\x00")     // Make, ASCII, inline "pp"
	order.PutUint16(ifdEntry(order, b, 1, 0x0112, 3, 1), o) // Orientation, SHORT, 1 value
	return b
}

// tiffIFD0 is a TIFF header in order whose IFD0, at offset 8, has room for n entries and no next IFD.
func tiffIFD0(order binary.ByteOrder, n int) []byte {
	b := make([]byte, 8+2+12*n+4)
	if order == binary.LittleEndian {
		copy(b, "II*\x00")
	} else {
		copy(b, "MM\x00*")
	}
	order.PutUint32(b[4:], 8)
	order.PutUint16(b[8:], uint16(n))
	return b
}

// ifdEntry writes IFD0 entry i's tag, type and count, and returns its 4-byte inline value for the caller to fill.
func ifdEntry(order binary.ByteOrder, tiff []byte, i int, tag, typ uint16, count uint32) []byte {
	e := tiff[10+12*i : 10+12*(i+1)]
	order.PutUint16(e[0:], tag)
	order.PutUint16(e[2:], typ)
	order.PutUint32(e[4:], count)
	return e[8:]
}

// OrientationByteOrder alternates the EXIF byte order with orientation o (odd little-endian, even big-endian), so tests cover both.
func OrientationByteOrder(o int) binary.ByteOrder {
	if o%2 == 0 {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// CornerMarkers is a white w×h picture with a side×side red (255,0,0) and blue (0,0,255) square stored where
// EXIF orientation o puts the upright top-left and top-right corners.
func CornerMarkers(w, h, side, o int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for i, c := range []color.RGBA{{255, 0, 0, 255}, {0, 0, 255, 255}} {
		fillSquare(img, storedCorners[o][i], side, c)
	}
	return img
}

// corner is a corner of the stored image: right or left, bottom or top.
type corner struct{ right, bottom bool }

// storedCorners says, for each EXIF orientation, where the upright top-left and top-right corners are stored.
var storedCorners = map[int][2]corner{
	1: {{false, false}, {true, false}},
	2: {{true, false}, {false, false}},
	3: {{true, true}, {false, true}},
	4: {{false, true}, {true, true}},
	5: {{false, false}, {false, true}},
	6: {{false, true}, {false, false}},
	7: {{true, true}, {true, false}},
	8: {{true, false}, {true, true}},
}

// fillSquare paints a side×side square of c into corner k of img.
func fillSquare(img *image.RGBA, k corner, side int, c color.RGBA) {
	x0, y0 := 0, 0
	if k.right {
		x0 = img.Rect.Dx() - side
	}
	if k.bottom {
		y0 = img.Rect.Dy() - side
	}
	for y := y0; y < y0+side; y++ {
		for x := x0; x < x0+side; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}
