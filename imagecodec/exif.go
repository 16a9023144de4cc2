package imagecodec

import (
	"bytes"
	"encoding/binary"
	"image"
)

// exifBlock finds the TIFF-structured EXIF data of an image file, or nil. All
// offsets come from the file, so every read is bounds-checked.
func exifBlock(data []byte, format string) []byte {
	switch format {
	case "jpeg":
		return jpegEXIF(data)
	case "png":
		return pngEXIF(data)
	case "webp":
		return webpEXIF(data)
	case "tiff":
		return data // a TIFF file is itself the structure EXIF borrows
	}
	return nil
}

// jpegEXIF returns the payload of the first APP1 "Exif" segment before the image data.
func jpegEXIF(data []byte) []byte {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xff {
			return nil
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd8: // markers without a length
			i += 2
			continue
		case marker == 0xda || marker == 0xd9: // start of scan, end of image
			return nil
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		segment := data[i+4 : i+2+n]
		if marker == 0xe1 && bytes.HasPrefix(segment, []byte("Exif\x00")) && len(segment) >= 6 {
			return segment[6:]
		}
		i += 2 + n
	}
	return nil
}

// pngEXIF returns the body of the eXIf chunk.
func pngEXIF(data []byte) []byte {
	i := 8 // after the signature
	for len(data)-i >= 12 {
		n := binary.BigEndian.Uint32(data[i:])
		if uint64(n) > uint64(len(data)-i-12) {
			return nil
		}
		body := data[i+8 : i+8+int(n)]
		switch string(data[i+4 : i+8]) {
		case "eXIf":
			return body
		case "IEND":
			return nil
		}
		i += 12 + int(n)
	}
	return nil
}

// webpEXIF returns the body of the EXIF chunk of an extended (VP8X) WebP file.
func webpEXIF(data []byte) []byte {
	i := 12 // after RIFF size WEBP
	for len(data)-i >= 8 {
		n := binary.LittleEndian.Uint32(data[i+4:])
		if uint64(n) > uint64(len(data)-i-8) {
			return nil
		}
		body := data[i+8 : i+8+int(n)]
		if string(data[i:i+4]) == "EXIF" {
			return body
		}
		i += 8 + int(n) + int(n&1) // chunks are padded to an even size
	}
	return nil
}

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF-structured block. It
// returns 1 (upright) when the block, the tag or its value is missing or invalid.
func exifOrientation(tiff []byte) int {
	// Some PNG and WebP writers keep the JPEG-style identifier in front.
	tiff = bytes.TrimPrefix(tiff, []byte("Exif\x00\x00"))
	if len(tiff) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 1
	}
	ifd := uint64(order.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > uint64(len(tiff)) {
		return 1
	}
	count := int(order.Uint16(tiff[ifd:]))
	entries := tiff[ifd+2:]
	for i := 0; i < count && 12*(i+1) <= len(entries); i++ {
		e := entries[12*i : 12*(i+1)]
		if order.Uint16(e) != 0x0112 {
			continue
		}
		var v uint32
		switch order.Uint16(e[2:]) { // field type; the value sits inline either way
		case 3: // SHORT, the type the standard prescribes
			v = uint32(order.Uint16(e[8:]))
		case 4: // LONG, written by a few tools
			v = order.Uint32(e[8:])
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 1
	}
	return 1
}

// orient turns an image as stored into the image as it should be shown, for
// EXIF orientation o. Orientations 5–8 swap width and height.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for x := 0; x < dw; x++ {
			var sx, sy int // the stored pixel shown at (x, y)
			switch o {
			case 2: // mirrored left-right
				sx, sy = w-1-x, y
			case 3: // turned 180°
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored top-bottom
				sx, sy = x, h-1-y
			case 5: // transposed
				sx, sy = y, x
			case 6: // stored turned 90° anticlockwise: turn clockwise to show
				sx, sy = y, h-1-x
			case 7: // transversed
				sx, sy = w-1-y, h-1-x
			case 8: // stored turned 90° clockwise: turn anticlockwise to show
				sx, sy = w-1-y, x
			}
			copy(row[4*x:4*x+4], src.Pix[src.PixOffset(sx+src.Rect.Min.X, sy+src.Rect.Min.Y):])
		}
	}
	return dst
}
