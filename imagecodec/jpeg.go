package imagecodec

// The only cgo in this package: a thin wrapper over the system libjpeg-turbo
// (link -ljpeg; Debian libjpeg62-turbo-dev), chosen because it decodes several
// times faster than image/jpeg, more so with DCT-domain downscaling
// (BenchmarkPhotoToThumbnailsAndModelInput), and encodes several times faster
// too (BenchmarkEncodeJPEG): atlas sheets and thumbnails are made with it.

/*
#cgo LDFLAGS: -ljpeg
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

// More scans than this marks a hostile progressive file that would take
// minutes to decode (real encoders write at most a few dozen).
#define PP_MAX_SCANS 1000

typedef struct {
	int width, height;         // full size from the header
	int cmyk;                  // pixels come out as CMYK (a CMYK or YCCK file)
	int adobe;                 // an Adobe APP14 marker was seen (CMYK stored inverted)
	int out_width, out_height; // after DCT scaling (decode only)
	int unsupported;           // the error is a JPEG feature libjpeg lacks, not damage
	char message[JMSG_LENGTH_MAX];
} pp_jpeg_info;

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	pp_jpeg_info *info;
	int saw_eof;        // the data ran out (libjpeg then pretends an EOI marker came)
	int missing_data;   // the entropy decoder needed bits that were not there
} pp_error;

static void pp_error_exit(j_common_ptr cinfo) {
	pp_error *e = (pp_error *)cinfo->err;
	int code = cinfo->err->msg_code;
	e->info->unsupported = code == JERR_SOF_UNSUPPORTED || code == JERR_NOT_COMPILED ||
	                       code == JERR_CONVERSION_NOTIMPL;
	(*cinfo->err->format_message)(cinfo, e->info->message);
	longjmp(e->jump, 1);
}

// Warnings are tolerated (real files often carry junk between markers), except
// data that ends before the pixels do: libjpeg would grey-fill the rest, we
// refuse. A file missing only its final EOI marker is complete and decodes.
static void pp_emit_message(j_common_ptr cinfo, int level) {
	pp_error *e = (pp_error *)cinfo->err;
	if (level >= 0) return;
	e->saw_eof |= cinfo->err->msg_code == JWRN_JPEG_EOF;
	e->missing_data |= cinfo->err->msg_code == JWRN_HIT_MARKER;
	if (e->saw_eof && e->missing_data) {
		cinfo->err->msg_code = JWRN_JPEG_EOF;
		pp_error_exit(cinfo);
	}
	cinfo->err->num_warnings++;
}

static void pp_progress(j_common_ptr cinfo) {
	if (((j_decompress_ptr)cinfo)->input_scan_number > PP_MAX_SCANS) {
		pp_error *e = (pp_error *)cinfo->err;
		snprintf(e->info->message, JMSG_LENGTH_MAX, "more than %d progressive scans", PP_MAX_SCANS);
		longjmp(e->jump, 1);
	}
}

// pp_jpeg reads the header of the JPEG in data into info and, when out is not
// NULL, decodes it scaled by 1/denom into out: 4 bytes per pixel (RGBA, or CMYK
// when info->cmyk), rows stride bytes apart, out_len bytes in all. It returns 0 on
// success and -1 with info->message set on any error; it never writes past out_len.
static int pp_jpeg(const unsigned char *data, unsigned long size, int denom,
                   unsigned char *out, size_t out_len, size_t stride, pp_jpeg_info *info) {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_progress_mgr progress;
	pp_error err;

	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = pp_error_exit;
	err.pub.emit_message = pp_emit_message;
	err.info = info;
	info->unsupported = 0;
	err.saw_eof = err.missing_data = 0;
	if (setjmp(err.jump)) {
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	progress.progress_monitor = pp_progress;
	cinfo.progress = &progress;
	jpeg_mem_src(&cinfo, data, size);
	jpeg_read_header(&cinfo, TRUE);
	info->width = cinfo.image_width;
	info->height = cinfo.image_height;
	info->cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
	info->adobe = cinfo.saw_Adobe_marker;
	if (out == NULL) {
		jpeg_destroy_decompress(&cinfo);
		return 0;
	}

	cinfo.scale_num = 1;
	cinfo.scale_denom = denom;
	cinfo.out_color_space = info->cmyk ? JCS_CMYK : JCS_EXT_RGBA;
	jpeg_start_decompress(&cinfo);
	info->out_width = cinfo.output_width;
	info->out_height = cinfo.output_height;
	if ((size_t)cinfo.output_width * 4 > stride || (size_t)cinfo.output_height * stride > out_len) {
		snprintf(info->message, JMSG_LENGTH_MAX, "scaled size %ux%u does not fit the buffer",
		         cinfo.output_width, cinfo.output_height);
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = out + (size_t)cinfo.output_scanline * stride;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	// Not jpeg_finish_decompress: every pixel is in, and a missing EOI marker
	// after complete pixel data is harmless.
	jpeg_destroy_decompress(&cinfo);
	return 0;
}

// pp_dest is the encoder's output: a malloc'd buffer that doubles when full.
// Unlike jpeg_mem_dest's, its pointer stays with us, so pp_encode frees it
// after an error too.
typedef struct {
	struct jpeg_destination_mgr pub;
	unsigned char *buf;
	size_t cap;
} pp_dest;

static void pp_dest_init(j_compress_ptr cinfo) {
	pp_dest *d = (pp_dest *)cinfo->dest;
	d->pub.next_output_byte = d->buf;
	d->pub.free_in_buffer = d->cap;
}

// Called with the whole buffer full.
static boolean pp_dest_grow(j_compress_ptr cinfo) {
	pp_dest *d = (pp_dest *)cinfo->dest;
	unsigned char *buf = realloc(d->buf, 2 * d->cap);
	if (buf == NULL) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
	d->buf = buf;
	d->pub.next_output_byte = buf + d->cap;
	d->pub.free_in_buffer = d->cap;
	d->cap *= 2;
	return TRUE;
}

static void pp_dest_term(j_compress_ptr cinfo) {}

// pp_compress writes the w×h image of 4-byte pixels (R, G, B and an ignored
// byte; rows stride bytes apart) as a baseline JPEG into dest: quality 1-100,
// 4:2:0 chroma, standard Huffman tables (optimised ones cost a second pass for
// a few percent). It returns 0, or -1 with info->message set.
static int pp_compress(const unsigned char *pix, int w, int h, size_t stride, int quality,
                       pp_dest *dest, pp_jpeg_info *info) {
	struct jpeg_compress_struct cinfo;
	pp_error err;

	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = pp_error_exit;
	err.pub.emit_message = pp_emit_message;
	err.info = info;
	err.saw_eof = err.missing_data = 0;
	if (setjmp(err.jump)) {
		jpeg_destroy_compress(&cinfo);
		return -1;
	}
	jpeg_create_compress(&cinfo);
	dest->pub.init_destination = pp_dest_init;
	dest->pub.empty_output_buffer = pp_dest_grow;
	dest->pub.term_destination = pp_dest_term;
	cinfo.dest = &dest->pub;
	cinfo.image_width = w;
	cinfo.image_height = h;
	cinfo.input_components = 4;
	cinfo.in_color_space = JCS_EXT_RGBX;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, quality, TRUE);
	cinfo.comp_info[0].h_samp_factor = cinfo.comp_info[0].v_samp_factor = 2;
	cinfo.comp_info[1].h_samp_factor = cinfo.comp_info[1].v_samp_factor = 1;
	cinfo.comp_info[2].h_samp_factor = cinfo.comp_info[2].v_samp_factor = 1;
	cinfo.optimize_coding = FALSE;
	jpeg_start_compress(&cinfo, TRUE);
	while (cinfo.next_scanline < cinfo.image_height) {
		JSAMPROW row = (JSAMPROW)(pix + (size_t)cinfo.next_scanline * stride);
		jpeg_write_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
	return 0;
}

// pp_encode is pp_compress into a fresh buffer: on success *out holds *out_len
// bytes for the caller to free; on error nothing is left allocated.
static int pp_encode(const unsigned char *pix, int w, int h, size_t stride, int quality,
                     unsigned char **out, size_t *out_len, pp_jpeg_info *info) {
	pp_dest dest;
	// About 2 bits a pixel, a photo's size at quality 85; growing costs one copy.
	dest.cap = (size_t)w * h / 4 + 4096;
	dest.buf = malloc(dest.cap);
	*out = NULL;
	*out_len = 0;
	if (dest.buf == NULL) {
		snprintf(info->message, JMSG_LENGTH_MAX, "out of memory for a %zu-byte output buffer", dest.cap);
		return -1;
	}
	if (pp_compress(pix, w, h, stride, quality, &dest, info) != 0) {
		free(dest.buf);
		return -1;
	}
	*out = dest.buf;
	*out_len = dest.cap - dest.pub.free_in_buffer;
	return 0;
}
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// jpegHeader is what the JPEG header says, read without decoding pixels.
type jpegHeader struct {
	width, height int
	cmyk          bool // CMYK or YCCK file
	adobe         bool // Adobe APP14 marker: CMYK values are stored inverted
}

func readJPEGHeader(data []byte) (jpegHeader, error) {
	var info C.pp_jpeg_info
	if C.pp_jpeg((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), 1, nil, 0, 0, &info) != 0 {
		return jpegHeader{}, libjpegError(&info)
	}
	return jpegHeader{
		width:  int(info.width),
		height: int(info.height),
		cmyk:   info.cmyk != 0,
		adobe:  info.adobe != 0,
	}, nil
}

// decodeJPEGScaled decodes data at 1/denom of its size (denom 1, 2, 4 or 8),
// using libjpeg's DCT-domain scaling, into an opaque RGBA image.
func decodeJPEGScaled(data []byte, h jpegHeader, denom int) (*image.RGBA, error) {
	// libjpeg rounds scaled sizes up; it re-checks this against the buffer.
	img := image.NewRGBA(image.Rect(0, 0, ceilDiv(h.width, denom), ceilDiv(h.height, denom)))
	var info C.pp_jpeg_info
	rc := C.pp_jpeg((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), C.int(denom),
		(*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.size_t(len(img.Pix)), C.size_t(img.Stride), &info)
	if rc != 0 {
		return nil, libjpegError(&info)
	}
	if h.cmyk {
		cmykToRGBA(img.Pix, h.adobe)
	}
	return img, nil
}

// encodeOpaqueJPEG compresses the opaque image img (see pp_compress), quality
// clamped to 1…100 as image/jpeg does.
func encodeOpaqueJPEG(img *image.RGBA, quality int) ([]byte, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("jpeg: cannot encode an empty %d×%d image", w, h)
	}
	pix := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y):]
	var info C.pp_jpeg_info
	var out *C.uchar
	var size C.size_t
	if C.pp_encode((*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h), C.size_t(img.Stride),
		C.int(min(max(quality, 1), 100)), &out, &size, &info) != 0 {
		return nil, fmt.Errorf("jpeg: encoding a %d×%d image: %s", w, h, C.GoString(&info.message[0]))
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(size)), nil
}

func libjpegError(info *C.pp_jpeg_info) error {
	class := ErrCorrupt
	if info.unsupported != 0 {
		class = ErrUnsupported
	}
	return fmt.Errorf("%w: jpeg: %s", class, C.GoString(&info.message[0]))
}

// cmykToRGBA converts 4-byte CMYK pixels to opaque RGBA in place. Files with an
// Adobe marker (Photoshop and most others) store inverted values, 255 = no ink;
// this is the convention browsers follow. No ICC profile is applied.
func cmykToRGBA(pix []uint8, adobeInverted bool) {
	for i := 0; i+3 < len(pix); i += 4 {
		c, m, y, k := uint32(pix[i]), uint32(pix[i+1]), uint32(pix[i+2]), uint32(pix[i+3])
		if !adobeInverted {
			c, m, y, k = 255-c, 255-m, 255-y, 255-k
		}
		pix[i] = uint8((c*k + 127) / 255)
		pix[i+1] = uint8((m*k + 127) / 255)
		pix[i+2] = uint8((y*k + 127) / 255)
		pix[i+3] = 255
	}
}
