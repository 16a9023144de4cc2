// Package imagecodec turns image file bytes into upright, opaque RGBA pixels,
// JPEG thumbnails and model-sized inputs.
//
// Formats are recognised by content, never by file name: JPEG (through the
// system libjpeg-turbo, with DCT-domain downscaling), PNG, GIF (first frame),
// WebP, BMP and TIFF (pure Go). EXIF orientation is applied (JPEG APP1, PNG
// eXIf, WebP EXIF, TIFF tag), transparency is composited onto white, and image
// headers are checked against Options.MaxPixels before any pixels are allocated.
//
// Errors wrap ErrNotImage, ErrUnsupported, ErrTooLarge or ErrCorrupt, so callers
// can group failures with errors.Is; they do not name the file (the caller does).
// Everything here is safe for concurrent use.
package imagecodec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// Failure classes; every error from Decode wraps exactly one of them.
var (
	ErrNotImage    = errors.New("not an image")
	ErrUnsupported = errors.New("unsupported image format")
	ErrTooLarge    = errors.New("image too large")
	ErrCorrupt     = errors.New("corrupt image")
)

// DefaultMaxPixels is the pixel limit used when Options.MaxPixels is 0.
const DefaultMaxPixels = 100_000_000

// Options tunes Decode.
type Options struct {
	// MaxPixels refuses images with more pixels (width×height from the header)
	// with ErrTooLarge; 0 means DefaultMaxPixels.
	MaxPixels int64
	// MinSide lets Decode shrink the image by an integer factor (a power of two
	// for JPEG) as long as both sides stay at least MinSide pixels; 0 decodes at
	// full size. Use 299 for thumbnails plus Inception-sized model input.
	MinSide int
}

// Decoded is an upright, opaque image.
type Decoded struct {
	Image *image.RGBA // possibly reduced according to Options.MinSide
	// Width and Height are the full size after orientation, even when Image is reduced.
	Width, Height int
	Format        string // jpeg, png, gif, webp, bmp or tiff
	Orientation   int    // the EXIF orientation that was applied, 1 when none
}

// Decode decodes an image file's bytes.
func Decode(data []byte, opt Options) (*Decoded, error) {
	format, err := identify(data)
	if err != nil {
		return nil, err
	}
	if opt.MaxPixels <= 0 {
		opt.MaxPixels = DefaultMaxPixels
	}
	var img *image.RGBA
	var width, height int
	if format == "jpeg" {
		img, width, height, err = decodeJPEG(data, opt)
	} else {
		img, width, height, err = decodePureGo(data, format, opt)
	}
	if err != nil {
		return nil, err
	}
	orientation := exifOrientation(exifBlock(data, format))
	img = orient(img, orientation)
	if orientation >= 5 {
		width, height = height, width
	}
	return &Decoded{Image: img, Width: width, Height: height, Format: format, Orientation: orientation}, nil
}

func decodeJPEG(data []byte, opt Options) (*image.RGBA, int, int, error) {
	h, err := readJPEGHeader(data)
	if err != nil {
		return nil, 0, 0, err
	}
	if err := checkSize(h.width, h.height, opt.MaxPixels); err != nil {
		return nil, 0, 0, err
	}
	denom := 1 // the largest of 8, 4, 2, 1 that keeps both sides ≥ MinSide
	if opt.MinSide > 0 {
		denom = 8
		for denom > 1 && ceilDiv(min(h.width, h.height), denom) < opt.MinSide {
			denom /= 2
		}
	}
	img, err := decodeJPEGScaled(data, h, denom)
	return img, h.width, h.height, err
}

// decodePureGo decodes the formats the Go libraries handle, checking the
// header size first, and flattens (and maybe shrinks) the result.
func decodePureGo(data []byte, format string, opt Options) (img *image.RGBA, width, height int, err error) {
	defer func() {
		// The x/image decoders have panicked on hostile input before; a bad file
		// must never take the process down.
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%w: %s decoder panicked: %v", ErrCorrupt, format, p)
		}
	}()
	codec := pureGoCodecs[format]
	cfg, err := codec.config(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, classify(err)
	}
	if err := checkSize(cfg.Width, cfg.Height, opt.MaxPixels); err != nil {
		return nil, 0, 0, err
	}
	src, err := codec.decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, classify(err)
	}
	if src.Bounds() != image.Rect(0, 0, cfg.Width, cfg.Height) {
		// A GIF's first frame may cover only part of its logical screen.
		canvas := image.NewRGBA(image.Rect(0, 0, cfg.Width, cfg.Height))
		draw.Draw(canvas, src.Bounds(), src, src.Bounds().Min, draw.Src)
		src = canvas
	}
	k := 1
	if opt.MinSide > 0 {
		k = max(1, min(cfg.Width, cfg.Height)/opt.MinSide)
	}
	return resizeArea(src, ceilDiv(cfg.Width, k), ceilDiv(cfg.Height, k)), cfg.Width, cfg.Height, nil
}

type pureGoCodec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var pureGoCodecs = map[string]pureGoCodec{
	"png":  {png.DecodeConfig, png.Decode},
	"gif":  {gif.DecodeConfig, gif.Decode}, // gif.Decode decodes the first frame only
	"webp": {webp.DecodeConfig, webp.Decode},
	"bmp":  {bmp.DecodeConfig, bmp.Decode},
	"tiff": {tiff.DecodeConfig, tiff.Decode},
}

// classify wraps an error of the Go decoders (whose messages already start
// with the format) in ErrUnsupported or ErrCorrupt.
func classify(err error) error {
	var pngFeature png.UnsupportedError
	var tiffFeature tiff.UnsupportedError
	if errors.As(err, &pngFeature) || errors.As(err, &tiffFeature) || errors.Is(err, bmp.ErrUnsupported) {
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}

// checkSize refuses empty images and those over maxPixels, before decoding.
func checkSize(w, h int, maxPixels int64) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: header says %d×%d pixels", ErrCorrupt, w, h)
	}
	if n := int64(w) * int64(h); n > maxPixels {
		return fmt.Errorf("%w: %d×%d pixels (%.1f MP) exceed the limit of %.1f MP",
			ErrTooLarge, w, h, float64(n)/1e6, float64(maxPixels)/1e6)
	}
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
