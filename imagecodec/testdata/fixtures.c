/*
 * Writes the test fixtures Go cannot encode itself (see README.md for the exact
 * commands). Every fixture shows the same 48×32 pattern of four quadrants:
 * red top-left, green top-right, blue bottom-left, yellow bottom-right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

#define W 48
#define H 32

/* Ink (0 = none, 255 = full) of each quadrant: TL, TR, BL, BR. */
static const unsigned char ink[4][4] = {
	{0, 255, 255, 0}, /* red */
	{255, 0, 255, 0}, /* green */
	{255, 255, 0, 0}, /* blue */
	{0, 0, 255, 0},   /* yellow */
};
static const unsigned char rgb[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}};

static int quadrant(int x, int y) { return (y >= H / 2) * 2 + (x >= W / 2); }

/* write_cmyk writes a 4-component JPEG. adobe_inverted stores 255 - ink and
 * writes the Adobe APP14 marker, as Photoshop does; otherwise the raw ink is
 * stored without that marker. ycck asks libjpeg for Adobe transform 2. */
static void write_cmyk(const char *path, int adobe_inverted, int ycck) {
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char row[W * 4];
	FILE *f = fopen(path, "wb");
	if (!f) { perror(path); exit(1); }
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = W;
	c.image_height = H;
	c.input_components = 4;
	c.in_color_space = JCS_CMYK;
	jpeg_set_defaults(&c);
	jpeg_set_colorspace(&c, ycck ? JCS_YCCK : JCS_CMYK);
	c.write_Adobe_marker = adobe_inverted;
	jpeg_set_quality(&c, 95, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < H) {
		for (int x = 0; x < W; x++)
			for (int i = 0; i < 4; i++) {
				unsigned char v = ink[quadrant(x, c.next_scanline)][i];
				row[x * 4 + i] = adobe_inverted ? 255 - v : v;
			}
		JSAMPROW r = row;
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	fclose(f);
}

/* write_ppm writes the pattern as binary PPM, the input of cjpeg and cwebp. */
static void write_ppm(const char *path) {
	FILE *f = fopen(path, "wb");
	if (!f) { perror(path); exit(1); }
	fprintf(f, "P6\n%d %d\n255\n", W, H);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) fwrite(rgb[quadrant(x, y)], 1, 3, f);
	fclose(f);
}

/* write_pam writes an RGBA PAM: left half opaque red, top-right fully
 * transparent, bottom-right black at alpha 128. */
static void write_pam(const char *path) {
	FILE *f = fopen(path, "wb");
	if (!f) { perror(path); exit(1); }
	fprintf(f, "P7\nWIDTH %d\nHEIGHT %d\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n", W, H);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			unsigned char p[4] = {255, 0, 0, 255};
			if (x >= W / 2) {
				p[0] = 0;
				p[3] = y < H / 2 ? 0 : 128;
			}
			fwrite(p, 1, 4, f);
		}
	fclose(f);
}

/* write_exif6 writes a big-endian TIFF header whose IFD0 holds Orientation = 6. */
static void write_exif6(const char *path) {
	static const unsigned char tiff[] = {
		'M', 'M', 0, 42, 0, 0, 0, 8, /* header, IFD0 at 8 */
		0, 1,                         /* one entry */
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, /* Orientation SHORT 1 = 6 */
		0, 0, 0, 0,                   /* no next IFD */
	};
	FILE *f = fopen(path, "wb");
	if (!f) { perror(path); exit(1); }
	fwrite(tiff, 1, sizeof tiff, f);
	fclose(f);
}

int main(void) {
	write_cmyk("cmyk_adobe.jpg", 1, 0);
	write_cmyk("ycck_adobe.jpg", 1, 1);
	write_cmyk("cmyk_plain.jpg", 0, 0);
	write_ppm("pattern.ppm");
	write_pam("pattern_alpha.pam");
	write_exif6("exif6.bin");
	return 0;
}
