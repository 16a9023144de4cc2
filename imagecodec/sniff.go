package imagecodec

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Sniff names the supported format of an image file from its first bytes:
// jpeg, png, gif, webp, bmp or tiff. ok is false for anything else.
func Sniff(data []byte) (format string, ok bool) {
	for _, m := range supportedMagic {
		if m.matches(data) {
			return m.format, true
		}
	}
	return "", false
}

// identify is Sniff with an error that says what the bytes look like instead.
func identify(data []byte) (string, error) {
	if format, ok := Sniff(data); ok {
		return format, nil
	}
	for _, m := range unsupportedMagic {
		if m.matches(data) {
			return "", fmt.Errorf("%w: %s", ErrUnsupported, m.format)
		}
	}
	return "", fmt.Errorf("%w: %s", ErrNotImage, describe(data))
}

type magic struct {
	format string
	offset int
	prefix string
	also   func([]byte) bool // further check, may be nil
}

func (m magic) matches(data []byte) bool {
	return len(data) >= m.offset+len(m.prefix) &&
		string(data[m.offset:m.offset+len(m.prefix)]) == m.prefix &&
		(m.also == nil || m.also(data))
}

var supportedMagic = []magic{
	{"jpeg", 0, "\xff\xd8\xff", nil},
	{"png", 0, "\x89PNG\r\n\x1a\n", nil},
	{"gif", 0, "GIF87a", nil},
	{"gif", 0, "GIF89a", nil},
	{"webp", 0, "RIFF", func(d []byte) bool { return len(d) >= 12 && string(d[8:12]) == "WEBP" }},
	// "BM" alone is too weak (text can start with it): the DIB header size must be a known one.
	{"bmp", 0, "BM", func(d []byte) bool {
		if len(d) < 18 {
			return false
		}
		switch uint32(d[14]) | uint32(d[15])<<8 | uint32(d[16])<<16 | uint32(d[17])<<24 {
		case 12, 40, 52, 56, 64, 108, 124:
			return true
		}
		return false
	}},
	{"tiff", 0, "II*\x00", nil},
	{"tiff", 0, "MM\x00*", nil},
}

// Images we recognise but cannot decode; the format says which.
var unsupportedMagic = []magic{
	{"HEIC/HEIF", 4, "ftypheic", nil},
	{"HEIC/HEIF", 4, "ftypheix", nil},
	{"HEIC/HEIF", 4, "ftyphevc", nil},
	{"HEIC/HEIF", 4, "ftypmif1", nil},
	{"HEIC/HEIF", 4, "ftypmsf1", nil},
	{"AVIF", 4, "ftypavif", nil},
	{"AVIF", 4, "ftypavis", nil},
	{"JPEG XL", 0, "\xff\x0a", nil},
	{"JPEG XL", 0, "\x00\x00\x00\x0cJXL \r\n\x87\n", nil},
	{"JPEG 2000", 0, "\x00\x00\x00\x0cjP  \r\n\x87\n", nil},
	{"JPEG 2000", 0, "\xff\x4f\xff\x51", nil},
	{"Photoshop PSD", 0, "8BPS", nil},
	{"ICO", 0, "\x00\x00\x01\x00", nil},
	{"QOI", 0, "qoif", nil},
	{"SVG (vector image)", 0, "<svg", nil},
	{"SVG (vector image)", 0, "<?xml", func(d []byte) bool {
		return bytes.Contains(bytes.ToLower(head(d, 1024)), []byte("<svg"))
	}},
}

// describe says what non-image bytes look like, for the error message.
func describe(data []byte) string {
	if len(data) == 0 {
		return "empty file"
	}
	start := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(head(data, 1024), []byte("\xef\xbb\xbf")), " \t\r\n"))
	switch {
	case bytes.HasPrefix(start, []byte("<!doctype html")), bytes.HasPrefix(start, []byte("<html")),
		bytes.Contains(start, []byte("<html")), bytes.Contains(start, []byte("<body")), bytes.Contains(start, []byte("<head")):
		return "looks like HTML"
	case bytes.HasPrefix(start, []byte("<?xml")):
		return "looks like XML"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "looks like a PDF document"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "looks like a ZIP archive"
	case bytes.HasPrefix(data, []byte("\x1f\x8b")):
		return "looks like gzip data"
	case bytes.HasPrefix(start, []byte("{")), bytes.HasPrefix(start, []byte("[")):
		if isText(data) {
			return "looks like JSON"
		}
	}
	if isText(data) {
		return "looks like text"
	}
	return fmt.Sprintf("unknown binary data starting % x", head(data, 8))
}

// isText reports whether the first 512 bytes are UTF-8 without control
// characters other than whitespace.
func isText(data []byte) bool {
	h, cut := head(data, 512), len(data) > 512
	for len(h) > 0 {
		r, size := utf8.DecodeRune(h)
		if r == utf8.RuneError && size == 1 {
			// A multi-byte character cut by the 512-byte window is fine.
			return cut && len(h) < utf8.UTFMax
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' {
			return false
		}
		h = h[size:]
	}
	return true
}

func head(data []byte, n int) []byte { return data[:min(n, len(data))] }
