/* SPDX-License-Identifier: MIT */
/*
 * The data readers (npu_data.h): IDX (plain and gzip, every type), PGM
 * (P5, P2) and PNG (gray, gray+alpha, RGB, RGBA, palette, 1 and 16 bits,
 * interlaced) written here to a temporary directory and to memory; every
 * kind of bad input with its status and a phrase of its message; every
 * truncation of small files; random round trips (seed printed,
 * NPU_TEST_SEED replays); the real Fashion-MNIST test files.
 */
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "npu_data.h"

#define FMNIST_DIR "/usr/share/datasets/fashion-mnist/"

static char tmpdir[64];

/* ---- helpers -------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void buf_be32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
			 (uint8_t)v };

	buf_put(b, x, 4);
}

static const char *tmp_path(const char *name)
{
	static char path[8][128];
	static int k;

	k = (k + 1) % 8;
	snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
	return path[k];
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* A gzip member of p[0..n) (deflate level 6, zlib's gzip wrapper). */
static struct buf gzip_mem(const void *p, size_t n)
{
	struct buf b = { 0 };
	z_stream z = { 0 };

	b.cap = compressBound(n) + 64;
	b.p = malloc(b.cap);
	assert_non_null(b.p);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = b.p;
	z.avail_out = (uInt)b.cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	b.n = z.total_out;
	deflateEnd(&z);
	return b;
}

/* Writes p through zlib's gz* API (what `gzip` would make). */
static void write_gz_file(const char *path, const void *p, size_t n)
{
	gzFile f = gzopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(gzwrite(f, p, (unsigned)n), (int)n);
	assert_int_equal(gzclose(f), Z_OK);
}

/* An IDX file: header for `type` and dims, then `data` bytes (already big-endian). */
static struct buf idx_make(int type, int ndims, const uint32_t *dims, const void *data,
			   size_t bytes)
{
	struct buf b = { 0 };
	uint8_t h[4] = { 0, 0, (uint8_t)type, (uint8_t)ndims };
	int i;

	buf_put(&b, h, 4);
	for (i = 0; i < ndims; i++)
		buf_be32(&b, dims[i]);
	buf_put(&b, data, bytes);
	return b;
}

/* Asserts a failure: status, a phrase of the message, and a zeroed output. */
static void expect_idx_fail(const void *p, size_t n, size_t max, npu_status want,
			    const char *phrase)
{
	struct npu_idx idx, zero = { 0 };
	char msg[256];

	memset(&idx, 0x5a, sizeof(idx));
	assert_int_equal(npu_idx_load_mem(p, n, "t.idx", max, &idx, msg, sizeof(msg)), want);
	if (!strstr(msg, phrase) || strncmp(msg, "t.idx: ", 7))
		fail_msg("message '%s' lacks 't.idx: ' or '%s'", msg, phrase);
	assert_memory_equal(&idx, &zero, sizeof(idx));
}

static void expect_img_fail(const void *p, size_t n, size_t max, npu_status want,
			    const char *phrase)
{
	struct npu_image img, zero = { 0 };
	char msg[256];

	memset(&img, 0x5a, sizeof(img));
	assert_int_equal(npu_image_load_mem(p, n, "t.img", max, &img, msg, sizeof(msg)),
			 want);
	if (!strstr(msg, phrase) || strncmp(msg, "t.img: ", 7))
		fail_msg("message '%s' lacks 't.img: ' or '%s'", msg, phrase);
	assert_memory_equal(&img, &zero, sizeof(img));
}

/* ---- PNG writing (libpng) -------------------------------------------- */

static void png_write_buf(png_structp png, png_bytep p, size_t n)
{
	buf_put(png_get_io_ptr(png), p, n);
}

static void png_flush_buf(png_structp png)
{
	(void)png;
}

/*
 * A PNG of w x h samples (rows of w * channels samples of `depth` bits,
 * 16-bit samples as uint16_t in host order, sub-byte samples one per
 * byte), of the given color type; palette/trans for palette images.
 */
struct png_spec {
	int w, h, depth, color, interlace;
	const void *samples;
	const png_color *palette;
	int npalette;
	const png_byte *trans;
	int ntrans;
	const char *text;	/* a tEXt chunk, or NULL */
};

static struct buf png_make(const struct png_spec *s)
{
	static const int chans[7] = { 1, 0, 3, 1, 2, 0, 4 };
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	int ch = chans[s->color], y, x, bpp = s->depth == 16 ? 2 : 1;
	size_t row_samples = (size_t)s->w * ch;
	struct buf b = { 0 };
	uint8_t *rowbuf;

	assert_non_null(png);
	assert_non_null(info);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng failed writing a test PNG");
	png_set_write_fn(png, &b, png_write_buf, png_flush_buf);
	png_set_IHDR(png, info, (png_uint_32)s->w, (png_uint_32)s->h, s->depth, s->color,
		     s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (s->palette)
		png_set_PLTE(png, info, s->palette, s->npalette);
	if (s->trans)
		png_set_tRNS(png, info, s->trans, s->ntrans, NULL);
	if (s->text) {
		png_text t = { .compression = PNG_TEXT_COMPRESSION_NONE,
			       .key = (char *)"Comment", .text = (char *)s->text };
		png_set_text(png, info, &t, 1);
	}
	png_write_info(png, info);
	if (s->depth < 8)
		png_set_packing(png);
	rowbuf = malloc(row_samples * (size_t)bpp * (size_t)s->h);
	assert_non_null(rowbuf);
	/* PNG is big-endian for 16-bit samples. */
	for (y = 0; y < s->h; y++)
		for (x = 0; x < (int)row_samples; x++) {
			size_t i = (size_t)y * row_samples + (size_t)x;

			if (bpp == 2) {
				uint16_t v = ((const uint16_t *)s->samples)[i];

				rowbuf[2 * i] = (uint8_t)(v >> 8);
				rowbuf[2 * i + 1] = (uint8_t)v;
			} else {
				rowbuf[i] = ((const uint8_t *)s->samples)[i];
			}
		}
	{
		png_bytep *rows = malloc(sizeof(*rows) * (size_t)s->h);

		assert_non_null(rows);
		for (y = 0; y < s->h; y++)
			rows[y] = rowbuf + (size_t)y * row_samples * (size_t)bpp;
		png_write_image(png, rows);
		free(rows);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(rowbuf);
	return b;
}

/* Decodes p both from memory and from a file and checks the pixels. */
static void expect_image(const void *p, size_t n, const char *fname, int w, int h, int ch,
			 const uint8_t *want, const char *format)
{
	struct npu_image img;
	char msg[256];
	int pass;

	write_file(tmp_path(fname), p, n);
	for (pass = 0; pass < 2; pass++) {
		npu_status st = pass ? npu_image_load(tmp_path(fname), 0, &img, msg, sizeof(msg))
				     : npu_image_load_mem(p, n, fname, 0, &img, msg,
							  sizeof(msg));

		if (st != NPU_OK)
			fail_msg("%s: %s", fname, msg);
		assert_int_equal(img.width, w);
		assert_int_equal(img.height, h);
		assert_int_equal(img.channels, ch);
		assert_string_equal(img.format, format);
		assert_memory_equal(img.data, want, (size_t)w * h * ch);
		npu_image_free(&img);
		assert_null(img.data);
	}
}

/* ---- IDX: good files ------------------------------------------------ */

static void idx_check_values(const struct npu_idx *idx, const double *want, size_t n)
{
	size_t i;

	assert_int_equal(idx->count, n);
	for (i = 0; i < n; i++)
		if (npu_idx_value(idx, i) != want[i])
			fail_msg("%s element %zu: %g, want %g", npu_idx_type_name(idx->type), i,
				 npu_idx_value(idx, i), want[i]);
}

static void test_idx_types(void **state)
{
	/* 2x3 of each type: big-endian bytes in the file, host values out. */
	static const uint32_t dims[2] = { 2, 3 };
	static const double vals[6] = { 0, 1, -2, 100, -128, 127 };
	static const uint8_t u8[6] = { 0, 1, 2, 100, 200, 255 };
	int t;
	(void)state;

	for (t = 0; t < 6; t++) {
		static const int types[6] = { NPU_IDX_U8, NPU_IDX_I8, NPU_IDX_I16, NPU_IDX_I32,
					      NPU_IDX_F32, NPU_IDX_F64 };
		static const size_t es[6] = { 1, 1, 2, 4, 4, 8 };
		uint8_t data[6 * 8];
		double want[6];
		struct npu_idx idx;
		struct buf f, gz;
		char msg[256], name[32];
		int i, j, pass;

		for (i = 0; i < 6; i++) {
			uint64_t bits = 0;

			want[i] = t == 0 ? u8[i] : vals[i];
			switch (types[t]) {
			case NPU_IDX_U8:
				bits = u8[i];
				break;
			case NPU_IDX_I8:
				bits = (uint8_t)(int8_t)vals[i];
				break;
			case NPU_IDX_I16:
				bits = (uint16_t)(int16_t)(vals[i] * 300);
				want[i] = (int16_t)(vals[i] * 300);
				break;
			case NPU_IDX_I32:
				bits = (uint32_t)(int32_t)(vals[i] * 1e6);
				want[i] = (int32_t)(vals[i] * 1e6);
				break;
			case NPU_IDX_F32: {
				float f = (float)vals[i] * 0.5f + 0.25f;
				uint32_t u;

				memcpy(&u, &f, 4);
				bits = u;
				want[i] = f;
				break;
			}
			case NPU_IDX_F64: {
				double d = vals[i] / 3.0;

				memcpy(&bits, &d, 8);
				want[i] = d;
				break;
			}
			}
			for (j = 0; j < (int)es[t]; j++)	/* big-endian */
				data[i * es[t] + j] = (uint8_t)(bits >> (8 * (es[t] - 1 - j)));
		}
		f = idx_make(types[t], 2, dims, data, 6 * es[t]);
		gz = gzip_mem(f.p, f.n);
		for (pass = 0; pass < 4; pass++) {
			npu_status st;

			snprintf(name, sizeof(name), "t%d%s", t, pass & 1 ? ".gz" : "");
			if (pass < 2) {
				st = npu_idx_load_mem(pass ? gz.p : f.p, pass ? gz.n : f.n, name,
						      0, &idx, msg, sizeof(msg));
			} else {
				if (pass == 2)
					write_file(tmp_path(name), f.p, f.n);
				else
					write_gz_file(tmp_path(name), f.p, f.n);
				st = npu_idx_load(tmp_path(name), 0, &idx, msg, sizeof(msg));
			}
			if (st != NPU_OK)
				fail_msg("%s: %s", name, msg);
			assert_int_equal(idx.type, types[t]);
			assert_int_equal(idx.ndims, 2);
			assert_int_equal(idx.dims[0], 2);
			assert_int_equal(idx.dims[1], 3);
			assert_int_equal(idx.dims[2], 0);
			assert_int_equal(idx.elem_size, es[t]);
			assert_int_equal(idx.bytes, 6 * es[t]);
			assert_int_equal(idx.gzipped, pass & 1);
			idx_check_values(&idx, want, 6);
			/* The host-order data itself. */
			if (types[t] == NPU_IDX_I16)
				assert_int_equal(((int16_t *)idx.data)[3], 30000);
			if (types[t] == NPU_IDX_I32)
				assert_int_equal(((int32_t *)idx.data)[4], -128000000);
			npu_idx_free(&idx);
			assert_null(idx.data);
		}
		free(f.p);
		free(gz.p);
	}
	assert_string_equal(npu_idx_type_name(NPU_IDX_F64), "f64");
	assert_string_equal(npu_idx_type_name((enum npu_idx_type)3), "?");
	assert_true(npu_idx_value(NULL, 0) == 0.0);
	npu_idx_free(NULL);
}

/* Two gzip members one after the other are one file (as gunzip reads them). */
static void test_idx_gzip_members(void **state)
{
	static const uint32_t dims[1] = { 10 };
	uint8_t data[10] = { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 };
	struct buf f = idx_make(NPU_IDX_U8, 1, dims, data, 10), a, b, cat = { 0 };
	struct npu_idx idx;
	char msg[256];
	(void)state;

	a = gzip_mem(f.p, 9);
	b = gzip_mem(f.p + 9, f.n - 9);
	buf_put(&cat, a.p, a.n);
	buf_put(&cat, b.p, b.n);
	assert_int_equal(npu_idx_load_mem(cat.p, cat.n, "two", 0, &idx, msg, sizeof(msg)),
			 NPU_OK);
	assert_int_equal(idx.count, 10);
	assert_memory_equal(idx.data, data, 10);
	npu_idx_free(&idx);
	/* An empty member in between changes nothing. */
	free(b.p);
	b = gzip_mem("", 0);
	cat.n = 0;
	buf_put(&cat, b.p, b.n);
	buf_put(&cat, a.p, a.n);
	free(a.p);
	a = gzip_mem(f.p + 9, f.n - 9);
	buf_put(&cat, a.p, a.n);
	assert_int_equal(npu_idx_load_mem(cat.p, cat.n, "three", 0, &idx, msg, sizeof(msg)),
			 NPU_OK);
	assert_memory_equal(idx.data, data, 10);
	npu_idx_free(&idx);
	free(a.p);
	free(b.p);
	free(cat.p);
	free(f.p);
}

/* ---- IDX: bad files ------------------------------------------------- */

static void test_idx_bad_header(void **state)
{
	static const uint32_t d3[3] = { 2, 0, 4 };
	static const uint32_t big[4] = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };
	static const uint32_t lim[2] = { 1000, 1000 };
	static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint32_t d17[17];
	struct buf b;
	int i;
	(void)state;

	expect_idx_fail("", 0, 0, NPU_E_PARSE, "too short for an IDX header");
	expect_idx_fail("\0\0\x08", 3, 0, NPU_E_PARSE, "too short for an IDX header");
	expect_idx_fail("\x01\0\x08\x01\0\0\0\x01\x05", 9, 0, NPU_E_PARSE,
			"wrong magic 01 00 08 01");
	expect_idx_fail("P5\n1 1\n255\n\x01", 12, 0, NPU_E_PARSE, "wrong magic");
	expect_idx_fail("\0\0\x0a\x01\0\0\0\x01\x05", 9, 0, NPU_E_PARSE,
			"unknown type 0x0a");
	expect_idx_fail("\0\0\x08\0", 4, 0, NPU_E_PARSE, "no dimensions");
	for (i = 0; i < 17; i++)
		d17[i] = 1;
	b = idx_make(NPU_IDX_U8, 17, d17, data, 1);
	expect_idx_fail(b.p, b.n, 0, NPU_E_OVERFLOW, "17 dimensions, beyond the limit of 16");
	free(b.p);
	b = idx_make(NPU_IDX_U8, 3, d3, data, 0);
	expect_idx_fail(b.p, b.n, 0, NPU_E_PARSE, "dimension 1 is zero");
	free(b.p);
	b = idx_make(NPU_IDX_U8, 4, big, data, 8);
	expect_idx_fail(b.p, b.n, 0, NPU_E_OVERFLOW, "product overflows");
	free(b.p);
	/* 2^32-1 squared fits in 64 bits; times 8 bytes does not. */
	b = idx_make(NPU_IDX_F64, 2, big, data, 8);
	expect_idx_fail(b.p, b.n, 0, NPU_E_OVERFLOW, "size overflows");
	free(b.p);
	b = idx_make(NPU_IDX_U8, 2, lim, data, 8);
	expect_idx_fail(b.p, b.n, 999999, NPU_E_OVERFLOW,
			"1000000 data bytes, beyond the limit of 999999 bytes");
	/* The default limit is 1 GiB; 10^6 bytes is fine but not there. */
	expect_idx_fail(b.p, b.n, 0, NPU_E_PARSE, "shorter than its header says: 8 of 1000000");
	free(b.p);
	/* Cut inside the dimensions. */
	b = idx_make(NPU_IDX_U8, 3, d3, data, 0);
	expect_idx_fail(b.p, 9, 0, NPU_E_PARSE, "ends inside the dimensions (5 of 12 bytes)");
	free(b.p);
}

static void test_idx_bad_length(void **state)
{
	static const uint32_t dims[2] = { 3, 4 };
	uint8_t data[16];
	struct buf b, gz;
	size_t cut;
	(void)state;

	memset(data, 7, sizeof(data));
	b = idx_make(NPU_IDX_I16, 2, dims, data, 16);	/* needs 24 */
	expect_idx_fail(b.p, b.n, 0, NPU_E_PARSE, "shorter than its header says: 16 of 24");
	gz = gzip_mem(b.p, b.n);
	expect_idx_fail(gz.p, gz.n, 0, NPU_E_PARSE,
			"shorter than its header says: 16 of 24 data bytes after decompression");
	free(gz.p);
	free(b.p);
	b = idx_make(NPU_IDX_U8, 2, dims, data, 16);	/* needs 12 */
	expect_idx_fail(b.p, b.n, 0, NPU_E_PARSE,
			"longer than its header says: 4 bytes after the 12 data bytes");
	gz = gzip_mem(b.p, b.n);
	expect_idx_fail(gz.p, gz.n, 0, NPU_E_PARSE,
			"longer than its header says: 4 bytes after the 12 data bytes");
	free(gz.p);
	/* Every prefix of a good file, plain or gzip, is an error (never OK, never a crash). */
	b.n = 4 + 8 + 12;
	gz = gzip_mem(b.p, b.n);
	for (cut = 0; cut < b.n; cut++)
		expect_idx_fail(b.p, cut, 0, NPU_E_PARSE, cut < 4 ? "too short" : "short");
	for (cut = 0; cut < gz.n; cut++) {
		struct npu_idx idx;
		char msg[256];

		assert_int_equal(npu_idx_load_mem(gz.p, cut, "cut", 0, &idx, msg, sizeof(msg)),
				 NPU_E_PARSE);
		assert_null(idx.data);
		/* Cut in the gzip header, the deflate data or the trailer. */
		if (cut >= 2 && !strstr(msg, "truncated gzip stream"))
			fail_msg("cut at %zu of %zu: '%s'", cut, gz.n, msg);
	}
	free(gz.p);
	free(b.p);
}

static void test_idx_bad_gzip(void **state)
{
	static const uint32_t dims[1] = { 64 };
	uint8_t data[64], *zeros;
	struct buf b, gz, cat = { 0 };
	int i;
	(void)state;

	for (i = 0; i < 64; i++)
		data[i] = (uint8_t)(i * 37);
	b = idx_make(NPU_IDX_U8, 1, dims, data, 64);
	gz = gzip_mem(b.p, b.n);
	/* The CRC-32 of the trailer. */
	gz.p[gz.n - 8] ^= 0x01;
	expect_idx_fail(gz.p, gz.n, 0, NPU_E_PARSE, "corrupt gzip stream: incorrect data check");
	gz.p[gz.n - 8] ^= 0x01;
	/* The uncompressed length of the trailer. */
	gz.p[gz.n - 4] ^= 0x01;
	expect_idx_fail(gz.p, gz.n, 0, NPU_E_PARSE,
			"corrupt gzip stream: incorrect length check");
	gz.p[gz.n - 4] ^= 0x01;
	/* A bad block type in the deflate data (the first block's header bits). */
	gz.p[10] |= 0x06;
	expect_idx_fail(gz.p, gz.n, 0, NPU_E_PARSE, "corrupt gzip stream: invalid block type");
	free(gz.p);
	gz = gzip_mem(b.p, b.n);
	/* Compression method other than deflate. */
	gz.p[2] = 7;
	expect_idx_fail(gz.p, gz.n, 0, NPU_E_PARSE, "corrupt gzip stream: unknown compression");
	gz.p[2] = 8;
	/* Garbage after the stream. */
	buf_put(&cat, gz.p, gz.n);
	buf_put(&cat, "\0\0\0", 3);
	expect_idx_fail(cat.p, cat.n, 0, NPU_E_PARSE,
			"3 bytes after the end of the gzip stream are not another gzip member");
	free(cat.p);
	free(gz.p);
	free(b.p);
	/* A bomb: 8 MiB of zeros after a 4-byte file; counting stops past the limit. */
	zeros = calloc(1, 8u << 20);
	assert_non_null(zeros);
	memcpy(zeros, "\0\0\x08\x01\0\0\0\x04", 8);
	gz = gzip_mem(zeros, 8u << 20);
	assert_true(gz.n < 65536);
	expect_idx_fail(gz.p, gz.n, 4096, NPU_E_PARSE,
			"longer than its header says: more than 4096 bytes");
	free(gz.p);
	free(zeros);
}

static void test_idx_files(void **state)
{
	struct npu_idx idx;
	char msg[256], big[70000];
	(void)state;

	assert_int_equal(npu_idx_load(tmp_path("missing.idx"), 0, &idx, msg, sizeof(msg)),
			 NPU_E_IO);
	assert_non_null(strstr(msg, "missing.idx: cannot open: No such file"));
	assert_int_equal(npu_idx_load(tmpdir, 0, &idx, msg, sizeof(msg)), NPU_E_IO);
	assert_non_null(strstr(msg, "is a directory"));
	/* Files larger than the limit + limit/64 + 64 KiB are not even read. */
	memset(big, 0, sizeof(big));
	write_file(tmp_path("big.idx"), big, sizeof(big));
	assert_int_equal(npu_idx_load(tmp_path("big.idx"), 1000, &idx, msg, sizeof(msg)),
			 NPU_E_OVERFLOW);
	assert_non_null(strstr(msg, "file of 70000 bytes is beyond the limit of 66551 bytes"));
	assert_int_equal(npu_idx_load(NULL, 0, &idx, msg, sizeof(msg)), NPU_E_INVAL);
	assert_int_equal(npu_idx_load(tmp_path("big.idx"), 0, NULL, msg, sizeof(msg)),
			 NPU_E_INVAL);
	assert_int_equal(npu_idx_load_mem(NULL, 4, "x", 0, &idx, msg, sizeof(msg)),
			 NPU_E_INVAL);
	assert_non_null(strstr(msg, "x: NULL data"));
	assert_int_equal(npu_idx_load_mem("", 0, NULL, 0, &idx, msg, sizeof(msg)),
			 NPU_E_PARSE);
	assert_non_null(strstr(msg, "<memory>: "));
	/* No message buffer, or a tiny one: still the status, no overflow. */
	assert_int_equal(npu_idx_load_mem("", 0, "x", 0, &idx, NULL, 0), NPU_E_PARSE);
	assert_int_equal(npu_idx_load_mem("", 0, "a-long-name", 0, &idx, msg, 4), NPU_E_PARSE);
	assert_string_equal(msg, "a-l");
}

/* Random shapes and types: round trip, then random cuts and extra bytes. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void test_idx_random(void **state)
{
	const char *e = getenv("NPU_TEST_SEED"), *q = getenv("NPU_TEST_QUICK");
	uint64_t seed = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL), s;
	int iters = q && *q && strcmp(q, "0") ? 40 : 300, it;
	(void)state;

	print_message("test_data: seed %llu (NPU_TEST_SEED=%llu replays)\n",
		      (unsigned long long)seed, (unsigned long long)seed);
	s = seed;
	for (it = 0; it < iters; it++) {
		static const int types[6] = { NPU_IDX_U8, NPU_IDX_I8, NPU_IDX_I16, NPU_IDX_I32,
					      NPU_IDX_F32, NPU_IDX_F64 };
		static const size_t es[6] = { 1, 1, 2, 4, 4, 8 };
		int t = (int)(rng_next(&s) % 6), nd = 1 + (int)(rng_next(&s) % 4), i, gz;
		uint32_t dims[4];
		size_t count = 1, bytes, k, cut;
		uint8_t *data;
		struct buf f, z;
		struct npu_idx idx;
		char msg[256];

		for (i = 0; i < nd; i++) {
			dims[i] = 1 + (uint32_t)(rng_next(&s) % 9);
			count *= dims[i];
		}
		bytes = count * es[t];
		data = malloc(bytes);
		assert_non_null(data);
		for (k = 0; k < bytes; k++)
			data[k] = (uint8_t)rng_next(&s);
		f = idx_make(types[t], nd, dims, data, bytes);
		gz = (int)(rng_next(&s) & 1);
		z = gz ? gzip_mem(f.p, f.n) : f;
		if (npu_idx_load_mem(z.p, z.n, "r", 0, &idx, msg, sizeof(msg)) != NPU_OK)
			fail_msg("seed %llu iteration %d: %s", (unsigned long long)seed, it, msg);
		assert_int_equal(idx.count, count);
		assert_int_equal(idx.ndims, nd);
		/* Host order: each element's bytes reversed from the file (little-endian host). */
		for (k = 0; k < count; k++)
			for (i = 0; i < (int)es[t]; i++) {
				uint8_t want = data[k * es[t] + es[t] - 1 - (size_t)i];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
				want = data[k * es[t] + (size_t)i];
#endif
				assert_int_equal(((uint8_t *)idx.data)[k * es[t] + (size_t)i],
						 want);
			}
		npu_idx_free(&idx);
		cut = (size_t)(rng_next(&s) % z.n);
		assert_int_equal(npu_idx_load_mem(z.p, cut, "r", 0, &idx, msg, sizeof(msg)),
				 NPU_E_PARSE);
		if (!gz) {
			buf_put(&f, "x", 1);
			expect_idx_fail(f.p, f.n, 0, NPU_E_PARSE, "longer than its header says");
		} else {
			free(z.p);
		}
		free(f.p);
		free(data);
	}
}

/* ---- Images: good files --------------------------------------------- */

static void test_pgm_good(void **state)
{
	static const uint8_t px[6] = { 0, 1, 127, 128, 254, 255 };
	static const uint8_t p15[6] = { 0, 17, 34, 119, 136, 255 };	/* v * 255 / 15 */
	struct buf b = { 0 };
	(void)state;

	/* P5 with comments between the header fields. */
	buf_put(&b, "P5\n# made by test_data\n3 # width\n2\n255\n", 39);
	buf_put(&b, px, 6);
	expect_image(b.p, b.n, "p5.pgm", 3, 2, 1, px, "pgm");
	/* A CR LF and a single space are one whitespace byte each. */
	b.n = 0;
	buf_put(&b, "P5 3 2 255\r", 11);
	buf_put(&b, px, 6);
	expect_image(b.p, b.n, "p5cr.pgm", 3, 2, 1, px, "pgm");
	free(b.p);
	expect_image("P2\n3 2\n255\n0 1 127\n128  254\t255\n\n", 32, "p2.pgm", 3, 2, 1, px,
		     "pgm");
	expect_image("P2 3 2 15 0 1 2 7 8 15", 22, "p2-15.pgm", 3, 2, 1, p15, "pgm");
	/* maxval 1: 0 and 1 become 0 and 255. */
	expect_image("P2 2 1 1 1 0", 12, "p2-1.pgm", 2, 1, 1, (const uint8_t *)"\xff\0", "pgm");
}

static void test_png_good(void **state)
{
	static const uint8_t gray[6] = { 0, 50, 100, 150, 200, 255 };
	static const uint8_t rgb[18] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
					 250, 251, 252 };
	static const png_color pal[3] = { { 255, 0, 0 }, { 0, 128, 0 }, { 1, 2, 250 } };
	static const uint8_t idx[6] = { 0, 1, 2, 2, 1, 0 };
	static const png_byte trans[1] = { 0 };
	uint8_t want[18], ga[12], rgba[24];
	uint16_t g16[6] = { 0x0000, 0x12ff, 0x8080, 0xfffe, 0xffff, 0x0080 };
	uint16_t rgb16[18];
	uint8_t bits[6] = { 1, 0, 1, 0, 0, 1 };
	struct buf b;
	struct png_spec s = { .w = 3, .h = 2, .depth = 8, .color = PNG_COLOR_TYPE_GRAY,
			      .samples = gray };
	int i;
	(void)state;

	b = png_make(&s);
	expect_image(b.p, b.n, "gray.png", 3, 2, 1, gray, "png");
	free(b.p);
	/* Ancillary chunks are skipped; interlacing is undone. */
	s.text = "hello";
	s.interlace = 1;
	b = png_make(&s);
	expect_image(b.p, b.n, "gray-i.png", 3, 2, 1, gray, "png");
	free(b.p);
	s.text = NULL;
	s.interlace = 0;
	/* Gray + alpha: alpha dropped. */
	for (i = 0; i < 6; i++) {
		ga[2 * i] = gray[i];
		ga[2 * i + 1] = (uint8_t)(i * 40);
	}
	s.color = PNG_COLOR_TYPE_GRAY_ALPHA;
	s.samples = ga;
	b = png_make(&s);
	expect_image(b.p, b.n, "ga.png", 3, 2, 1, gray, "png");
	free(b.p);
	s.color = PNG_COLOR_TYPE_RGB;
	s.samples = rgb;
	b = png_make(&s);
	expect_image(b.p, b.n, "rgb.png", 3, 2, 3, rgb, "png");
	free(b.p);
	for (i = 0; i < 6; i++) {
		memcpy(rgba + 4 * i, rgb + 3 * i, 3);
		rgba[4 * i + 3] = (uint8_t)(255 - i);
	}
	s.color = PNG_COLOR_TYPE_RGB_ALPHA;
	s.samples = rgba;
	b = png_make(&s);
	expect_image(b.p, b.n, "rgba.png", 3, 2, 3, rgb, "png");
	free(b.p);
	/* Palette, with and without a tRNS chunk (transparency dropped either way). */
	for (i = 0; i < 6; i++) {
		want[3 * i] = pal[idx[i]].red;
		want[3 * i + 1] = pal[idx[i]].green;
		want[3 * i + 2] = pal[idx[i]].blue;
	}
	s.color = PNG_COLOR_TYPE_PALETTE;
	s.samples = idx;
	s.palette = pal;
	s.npalette = 3;
	b = png_make(&s);
	expect_image(b.p, b.n, "pal.png", 3, 2, 3, want, "png");
	free(b.p);
	s.trans = trans;
	s.ntrans = 1;
	b = png_make(&s);
	expect_image(b.p, b.n, "pal-trns.png", 3, 2, 3, want, "png");
	free(b.p);
	/* Palette of 2 bits per pixel. */
	s.depth = 2;
	b = png_make(&s);
	expect_image(b.p, b.n, "pal2.png", 3, 2, 3, want, "png");
	free(b.p);
	s.palette = NULL;
	s.trans = NULL;
	/* 16 bits: round(v * 255 / 65535), so 0x12ff is 19 (the high byte would be 18). */
	s.color = PNG_COLOR_TYPE_GRAY;
	s.depth = 16;
	s.samples = g16;
	b = png_make(&s);
	expect_image(b.p, b.n, "g16.png", 3, 2, 1, (const uint8_t *)"\0\x13\x80\xff\xff\0",
		     "png");
	free(b.p);
	for (i = 0; i < 18; i++) {
		rgb16[i] = (uint16_t)(rgb[i] * 257);
		want[i] = rgb[i];
	}
	s.color = PNG_COLOR_TYPE_RGB;
	s.samples = rgb16;
	b = png_make(&s);
	expect_image(b.p, b.n, "rgb16.png", 3, 2, 3, want, "png");
	free(b.p);
	/* 1-bit gray: 0 and 255. */
	s.color = PNG_COLOR_TYPE_GRAY;
	s.depth = 1;
	s.samples = bits;
	b = png_make(&s);
	expect_image(b.p, b.n, "g1.png", 3, 2, 1, (const uint8_t *)"\xff\0\xff\0\0\xff", "png");
	free(b.p);
}

/* ---- Images: bad files ---------------------------------------------- */

static void test_pgm_bad(void **state)
{
	(void)state;
	expect_img_fail("", 0, 0, NPU_E_PARSE, "not a PGM (P2/P5) or PNG image");
	expect_img_fail("GIF89a", 6, 0, NPU_E_PARSE, "not a PGM (P2/P5) or PNG image");
	expect_img_fail("P6 1 1 255\n\1\2\3", 14, 0, NPU_E_PARSE,
			"a P6 Netpbm image: only PGM (P2, P5) and PNG are read");
	expect_img_fail("P5", 2, 0, NPU_E_PARSE, "PGM header ends before its width");
	expect_img_fail("P5 3 # c\n", 9, 0, NPU_E_PARSE, "PGM header ends before its height");
	expect_img_fail("P5 3 x", 6, 0, NPU_E_PARSE,
			"bad character 0x78 at byte 5 where the height should be");
	expect_img_fail("P5 3a 2 255\n", 12, 0, NPU_E_PARSE, "where the width should be");
	expect_img_fail("P5 0 2 255\n", 11, 0, NPU_E_PARSE, "PGM width is zero");
	expect_img_fail("P2 2 0 255\n", 11, 0, NPU_E_PARSE, "PGM height is zero");
	expect_img_fail("P5 2 1 256\n\0\0", 13, 0, NPU_E_PARSE,
			"PGM maxval 256: only 8-bit PGM (maxval 1..255) is read");
	expect_img_fail("P5 2 1 0\n\0\0", 11, 0, NPU_E_PARSE, "PGM maxval 0");
	expect_img_fail("P5 65536 1 255\n", 15, 0, NPU_E_OVERFLOW,
			"beyond the limit of 65535 pixels a side");
	expect_img_fail("P5 99999999999999999999 1 255\n", 30, 0, NPU_E_OVERFLOW,
			"beyond the limit of 65535 pixels a side");
	expect_img_fail("P5 1000 1000 255\n", 17, 999999, NPU_E_OVERFLOW,
			"1000x1000 image: 1000000 bytes, beyond the limit of 999999 bytes");
	expect_img_fail("P5 2 2 255", 10, 0, NPU_E_PARSE, "no whitespace after maxval");
	expect_img_fail("P5 2 2 255#\n", 12, 0, NPU_E_PARSE, "no whitespace after maxval");
	expect_img_fail("P5 2 2 255\n\1\2\3", 14, 0, NPU_E_PARSE,
			"shorter than its header says: 3 of 4 pixel bytes");
	expect_img_fail("P5 2 2 255\n\1\2\3\4\n", 16, 0, NPU_E_PARSE,
			"longer than its header says: 1 bytes after the 4 pixel bytes");
	expect_img_fail("P5 2 2 100\n\1\2\145\4", 15, 0, NPU_E_PARSE,
			"pixel 2 is 101, above maxval 100");
	expect_img_fail("P2 2 2 255 1 2 3", 16, 0, NPU_E_PARSE,
			"shorter than its header says: 3 of 4 samples");
	expect_img_fail("P2 2 2 255 1 2 3 4 5", 20, 0, NPU_E_PARSE,
			"longer than its header says: 1 bytes after the 4 samples");
	expect_img_fail("P2 2 2 255 1 2 -3 4", 19, 0, NPU_E_PARSE,
			"bad character 0x2d at byte 15 in sample 2");
	expect_img_fail("P2 2 2 255 1 2 3x 4", 19, 0, NPU_E_PARSE, "in sample 2");
	expect_img_fail("P2 2 2 255 1 2 3 # 4", 20, 0, NPU_E_PARSE, "in sample 3");
	expect_img_fail("P2 2 2 9 1 2 3 10", 17, 0, NPU_E_PARSE, "pixel 3 is 10, above maxval 9");
	expect_img_fail("P2 2 2 9 1 2 3 99999999999999", 29, 0, NPU_E_PARSE,
			"pixel 3 is 4294967296, above maxval 9");
	expect_img_fail(NULL, 3, 0, NPU_E_INVAL, "NULL data");
}

/* Recomputes a PNG chunk's CRC after a test changed it (tests libpng's other checks). */
static void png_fix_crc(uint8_t *chunk)
{
	uint32_t len = (uint32_t)chunk[0] << 24 | chunk[1] << 16 | chunk[2] << 8 | chunk[3];
	uLong crc = crc32(0, chunk + 4, 4 + len);

	chunk[8 + len] = (uint8_t)(crc >> 24);
	chunk[9 + len] = (uint8_t)(crc >> 16);
	chunk[10 + len] = (uint8_t)(crc >> 8);
	chunk[11 + len] = (uint8_t)crc;
}

static void test_png_bad(void **state)
{
	static uint8_t gray[64 * 64];
	struct png_spec s = { .w = 64, .h = 64, .depth = 8, .color = PNG_COLOR_TYPE_GRAY,
			      .samples = gray };
	struct buf b;
	size_t cut, i, len;
	(void)state;

	for (i = 0; i < sizeof(gray); i++)
		gray[i] = (uint8_t)(i * 7 + i / 64);
	b = png_make(&s);
	/* Every truncation: an error, never a crash or a leak. */
	for (cut = 0; cut < b.n; cut++) {
		struct npu_image img;
		char msg[256];
		npu_status st = npu_image_load_mem(b.p, cut, "cut", 0, &img, msg, sizeof(msg));

		assert_int_equal(st, NPU_E_PARSE);
		assert_null(img.data);
		if (cut >= 8 && cut < b.n - 12 && !strstr(msg, "truncated PNG"))
			fail_msg("cut at %zu of %zu: '%s'", cut, b.n, msg);
	}
	/* The IEND chunk cut off (12 bytes): truncated too. */
	expect_img_fail(b.p, b.n - 12, 0, NPU_E_PARSE, "truncated PNG (the file ends after");
	/* IHDR is bytes 8..32: a flipped data byte fails its CRC. */
	b.p[20] ^= 0x10;
	expect_img_fail(b.p, b.n, 0, NPU_E_PARSE, "corrupt PNG: IHDR: CRC error");
	b.p[20] ^= 0x10;
	/* Width 0 with a good CRC. */
	memset(b.p + 16, 0, 4);
	png_fix_crc(b.p + 8);
	expect_img_fail(b.p, b.n, 0, NPU_E_PARSE,
			"corrupt PNG: Invalid IHDR data (Image width is zero in IHDR)");
	/* Beyond the side limit (libpng's user limit). */
	memcpy(b.p + 16, "\0\1\0\0", 4);
	png_fix_crc(b.p + 8);
	expect_img_fail(b.p, b.n, 0, NPU_E_PARSE,
			"corrupt PNG: Invalid IHDR data (Image width exceeds user limit in IHDR)");
	/* A size inside the side limit but beyond max_bytes: refused before any allocation. */
	memcpy(b.p + 16, "\0\0\xff\xff", 4);
	memcpy(b.p + 20, "\0\0\xff\xff", 4);
	png_fix_crc(b.p + 8);
	expect_img_fail(b.p, b.n, 0, NPU_E_OVERFLOW,
			"65535x65535 PNG: 4294836225 bytes, beyond the limit of 1073741824 bytes");
	free(b.p);
	/* Bad pixel data: an IDAT byte flipped, CRC fixed: zlib's error through libpng. */
	b = png_make(&s);
	for (i = 33; i + 8 < b.n; i++)
		if (!memcmp(b.p + i + 4, "IDAT", 4))
			break;
	assert_true(i + 8 < b.n);
	b.p[i + 8] ^= 0xff;	/* the zlib header */
	png_fix_crc(b.p + i);
	expect_img_fail(b.p, b.n, 0, NPU_E_PARSE, "corrupt PNG: ");
	free(b.p);
	/* Good pixel data, a wrong IDAT CRC. */
	b = png_make(&s);
	len = (size_t)b.p[i] << 24 | (size_t)b.p[i + 1] << 16 | (size_t)b.p[i + 2] << 8 |
	      b.p[i + 3];
	b.p[i + 8 + len] ^= 0x01;
	expect_img_fail(b.p, b.n, 0, NPU_E_PARSE, "corrupt PNG: IDAT: CRC error");
	free(b.p);
}

/* ---- The real dataset ------------------------------------------------ */

static void test_fashion_mnist(void **state)
{
	struct npu_idx img, lab;
	char msg[256];
	size_t i;
	uint64_t sum = 0;
	const uint8_t *p;
	(void)state;

	if (access(FMNIST_DIR "t10k-images-idx3-ubyte.gz", R_OK)) {
		print_message("skipped: %s not installed (dataset-fashion-mnist)\n", FMNIST_DIR);
		skip();
	}
	if (npu_idx_load(FMNIST_DIR "t10k-images-idx3-ubyte.gz", 0, &img, msg, sizeof(msg)))
		fail_msg("%s", msg);
	assert_int_equal(img.type, NPU_IDX_U8);
	assert_int_equal(img.ndims, 3);
	assert_int_equal(img.dims[0], 10000);
	assert_int_equal(img.dims[1], 28);
	assert_int_equal(img.dims[2], 28);
	assert_int_equal(img.bytes, 7840000);
	assert_true(img.gzipped);
	p = img.data;
	for (i = 0; i < 784; i++)
		sum += p[i];
	/* The first image (an ankle boot): its pixel sum and centre pixel. */
	assert_int_equal(sum, 33456);
	assert_int_equal(p[14 * 28 + 14], 110);
	for (sum = 0, i = img.bytes - 784; i < img.bytes; i++)
		sum += p[i];
	assert_int_equal(sum, 24390);
	npu_idx_free(&img);
	if (npu_idx_load(FMNIST_DIR "t10k-labels-idx1-ubyte.gz", 0, &lab, msg, sizeof(msg)))
		fail_msg("%s", msg);
	assert_int_equal(lab.type, NPU_IDX_U8);
	assert_int_equal(lab.ndims, 1);
	assert_int_equal(lab.dims[0], 10000);
	p = lab.data;
	assert_int_equal(p[0], 9);
	assert_int_equal(p[1], 2);
	for (i = 0; i < lab.count; i++)
		assert_true(p[i] <= 9);
	npu_idx_free(&lab);
	/* The training labels too (small); the 47 MB images are not needed here. */
	if (npu_idx_load(FMNIST_DIR "train-labels-idx1-ubyte.gz", 0, &lab, msg, sizeof(msg)))
		fail_msg("%s", msg);
	assert_int_equal(lab.dims[0], 60000);
	assert_int_equal(((uint8_t *)lab.data)[0], 9);
	npu_idx_free(&lab);
}

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_data.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idx_types),
		cmocka_unit_test(test_idx_gzip_members),
		cmocka_unit_test(test_idx_bad_header),
		cmocka_unit_test(test_idx_bad_length),
		cmocka_unit_test(test_idx_bad_gzip),
		cmocka_unit_test(test_idx_files),
		cmocka_unit_test(test_idx_random),
		cmocka_unit_test(test_pgm_good),
		cmocka_unit_test(test_png_good),
		cmocka_unit_test(test_pgm_bad),
		cmocka_unit_test(test_png_bad),
		cmocka_unit_test(test_fashion_mnist),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
