/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the data readers from memory (npu_data.h). Every input
 * goes through the IDX reader (plain or gzip) and the image reader (PGM
 * or PNG); each recognises its own magic, so one target covers them all.
 * A PNG input is decoded a second time with every chunk's CRC recomputed,
 * so that mutations reach libpng's chunk parsing and our transformations
 * instead of stopping at the first CRC check (as libpng's own fuzzer
 * does by turning CRC checks off).
 * Besides the sanitizers' checks it asserts the readers' contract: a
 * success describes a buffer of exactly the stated size (every byte is
 * read, so ASan sees a short one), a failure is a documented status with
 * a message naming the input and leaves the output zeroed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "npu_data.h"

/* Decoded bytes an input may ask for: keeps every input fast. */
#define FUZZ_MAX_BYTES ((size_t)1 << 22)

#define CHECK(c)                                                                  \
	do {                                                                      \
		if (!(c)) {                                                       \
			fprintf(stderr, "fuzz_idx: contract broken: %s\n", #c);   \
			abort();                                                  \
		}                                                                 \
	} while (0)

static volatile unsigned sink;

static void touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	unsigned s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += b[i];
	sink += s;
}

static int zeroed(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void failed(npu_status st, const char *msg)
{
	CHECK(st == NPU_E_PARSE || st == NPU_E_OVERFLOW || st == NPU_E_NOMEM);
	CHECK(!strncmp(msg, "fuzz: ", 6) && strlen(msg) > 6);
}

static void image(const uint8_t *data, size_t size)
{
	struct npu_image img;
	char msg[256];
	npu_status st;

	msg[0] = '\0';
	st = npu_image_load_mem(data, size, "fuzz", FUZZ_MAX_BYTES, &img, msg, sizeof(msg));
	if (st == NPU_OK) {
		CHECK(img.width >= 1 && img.width <= NPU_IMAGE_MAX_SIDE);
		CHECK(img.height >= 1 && img.height <= NPU_IMAGE_MAX_SIDE);
		CHECK(img.channels == 1 || img.channels == 3);
		CHECK(img.data && img.format);
		CHECK((size_t)img.width * img.height * img.channels <= FUZZ_MAX_BYTES);
		touch(img.data, (size_t)img.width * img.height * img.channels);
		npu_image_free(&img);
	} else {
		failed(st, msg);
		CHECK(zeroed(&img, sizeof(img)));
	}
}

/* A copy of a PNG with each whole chunk's CRC recomputed, or NULL. */
static uint8_t *png_fix_crcs(const uint8_t *data, size_t size)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t *p;
	size_t pos = 8;

	if (size < 8 || memcmp(data, sig, 8) || !(p = malloc(size)))
		return NULL;
	memcpy(p, data, size);
	while (size - pos >= 12) {
		size_t len = (size_t)p[pos] << 24 | (size_t)p[pos + 1] << 16 |
			     (size_t)p[pos + 2] << 8 | p[pos + 3];
		uLong crc;

		if (len > size - pos - 12)
			break;
		crc = crc32(0, p + pos + 4, (uInt)(4 + len));
		p[pos + 8 + len] = (uint8_t)(crc >> 24);
		p[pos + 9 + len] = (uint8_t)(crc >> 16);
		p[pos + 10 + len] = (uint8_t)(crc >> 8);
		p[pos + 11 + len] = (uint8_t)crc;
		pos += 12 + len;
	}
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npu_idx idx;
	uint8_t *fixed;
	char msg[256];
	npu_status st;
	size_t count = 1;
	int i;

	msg[0] = '\0';
	st = npu_idx_load_mem(data, size, "fuzz", FUZZ_MAX_BYTES, &idx, msg, sizeof(msg));
	if (st == NPU_OK) {
		CHECK(idx.ndims >= 1 && idx.ndims <= NPU_IDX_MAX_DIMS);
		for (i = 0; i < NPU_IDX_MAX_DIMS; i++) {
			CHECK(i < idx.ndims ? idx.dims[i] >= 1 : idx.dims[i] == 0);
			if (i < idx.ndims)
				count *= idx.dims[i];
		}
		CHECK(idx.count == count && idx.bytes == count * idx.elem_size);
		CHECK(idx.bytes <= FUZZ_MAX_BYTES && idx.data);
		CHECK(strcmp(npu_idx_type_name(idx.type), "?"));
		touch(idx.data, idx.bytes);
		sink += npu_idx_value(&idx, idx.count - 1) != 0.0;
		npu_idx_free(&idx);
	} else {
		failed(st, msg);
		CHECK(zeroed(&idx, sizeof(idx)));
	}
	image(data, size);
	if ((fixed = png_fix_crcs(data, size))) {
		image(fixed, size);
		free(fixed);
	}
	return 0;
}
