/* SPDX-License-Identifier: MIT */
/*
 * mkimage IDX INDEX OUT KIND: writes image INDEX of an IDX image file
 * (u8, N x H x W) as KIND: p5 or p2 (PGM); gray, rgb, palette, gray16,
 * ga (gray + alpha), rgba or interlaced (gray, Adam7) PNG with libpng.
 * rgb, rgba and palette repeat the gray value on R, G and B (so their
 * BT.601 luma is the gray value again); gray16 is v * 257 (so it reduces
 * to v); alpha is 255 - v. For the CLI tests and the fuzzing seeds.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu_data.h"

static int write_png(const char *path, const uint8_t *px, int h, int w, const char *kind)
{
	FILE *f = fopen(path, "wb");
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int rgb = !strcmp(kind, "rgb"), pal = !strcmp(kind, "palette");
	int g16 = !strcmp(kind, "gray16"), ga = !strcmp(kind, "ga"), rgba = !strcmp(kind, "rgba");
	int il = !strcmp(kind, "interlaced"), color = PNG_COLOR_TYPE_GRAY, y, x, c, ch = 1;
	png_color palette[256];
	uint8_t *img = malloc((size_t)w * (size_t)h * 4);
	png_bytep *rows = malloc(sizeof(*rows) * (size_t)h);

	if (!f || !png || !info || !img || !rows || setjmp(png_jmpbuf(png))) {
		fprintf(stderr, "mkimage: cannot write %s\n", path);
		return 1;
	}
	if (rgb || rgba || pal)
		color = rgb ? PNG_COLOR_TYPE_RGB : rgba ? PNG_COLOR_TYPE_RGB_ALPHA
					    : PNG_COLOR_TYPE_PALETTE;
	else if (ga)
		color = PNG_COLOR_TYPE_GRAY_ALPHA;
	ch = rgb ? 3 : rgba ? 4 : ga || g16 ? 2 : 1;	/* bytes per pixel */
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, g16 ? 16 : 8, color,
		     il ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	if (pal) {
		for (x = 0; x < 256; x++)
			palette[x].red = palette[x].green = palette[x].blue = (png_byte)x;
		png_set_PLTE(png, info, palette, 256);
	}
	png_write_info(png, info);
	for (y = 0; y < h; y++) {
		rows[y] = img + (size_t)y * (size_t)w * (size_t)ch;
		for (x = 0; x < w; x++) {
			uint8_t v = px[y * w + x], *o = rows[y] + x * ch;

			for (c = 0; c < ch; c++)
				o[c] = v;	/* gray16: v * 257 is the bytes v, v */
			if (ga || rgba)
				o[ch - 1] = (uint8_t)(255 - v);
		}
	}
	png_write_image(png, rows);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(img);
	free(rows);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct npu_idx idx;
	char msg[512];
	const uint8_t *px;
	unsigned long i;
	int h, w, k, rc;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: mkimage IDX INDEX OUT "
			"p5|p2|gray|rgb|palette|gray16|ga|rgba|interlaced\n");
		return 2;
	}
	if (npu_idx_load(argv[1], 0, &idx, msg, sizeof(msg))) {
		fprintf(stderr, "mkimage: %s\n", msg);
		return 1;
	}
	i = strtoul(argv[2], NULL, 0);
	if (idx.type != NPU_IDX_U8 || idx.ndims != 3 || i >= idx.dims[0]) {
		fprintf(stderr, "mkimage: %s: no u8 image %lu\n", argv[1], i);
		return 1;
	}
	h = (int)idx.dims[1];
	w = (int)idx.dims[2];
	px = (const uint8_t *)idx.data + i * (size_t)h * (size_t)w;
	if (argv[4][0] == 'p' && argv[4][1] != 'a') {
		if (!(f = fopen(argv[3], "wb")))
			return 1;
		if (!strcmp(argv[4], "p5")) {
			fprintf(f, "P5\n# image %lu of %s\n%d %d\n255\n", i, argv[1], w, h);
			fwrite(px, 1, (size_t)h * (size_t)w, f);
		} else {
			fprintf(f, "P2\n%d %d\n255\n", w, h);
			for (k = 0; k < h * w; k++)
				fprintf(f, "%d%c", px[k], k % w == w - 1 ? '\n' : ' ');
		}
		rc = fclose(f) ? 1 : 0;
	} else {
		rc = write_png(argv[3], px, h, w, argv[4]);
	}
	npu_idx_free(&idx);
	return rc;
}
