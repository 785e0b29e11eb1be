/* SPDX-License-Identifier: MIT */
/* Single images (npu_data.h): PGM or PNG, told apart by content. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

npu_status npu_image_load_mem(const void *data, size_t bytes, const char *name,
			      size_t max_bytes, struct npu_image *out, char *msg,
			      size_t msglen)
{
	const uint8_t *p = data;
	size_t limit = npu_data_limit(max_bytes);
	npu_status st;

	if (msg && msglen)
		msg[0] = '\0';
	if (!name)
		name = NPU_DATA_MEM_NAME;
	if (!out)
		return npu_data_fail(msg, msglen, NPU_E_INVAL, name, "NULL output");
	memset(out, 0, sizeof(*out));
	if (!data && bytes)
		return npu_data_fail(msg, msglen, NPU_E_INVAL, name, "NULL data");
	if (bytes >= 8 && !memcmp(p, png_sig, 8))
		st = npu_png_decode(p, bytes, name, limit, out, msg, msglen);
	else if (bytes >= 2 && p[0] == 'P' && (p[1] == '5' || p[1] == '2'))
		st = npu_pgm_decode(p, bytes, name, limit, out, msg, msglen);
	else if (bytes >= 2 && p[0] == 'P' && p[1] >= '1' && p[1] <= '7')
		st = npu_data_fail(msg, msglen, NPU_E_PARSE, name,
				   "a P%c Netpbm image: only PGM (P2, P5) and PNG are read",
				   p[1]);
	else
		st = npu_data_fail(msg, msglen, NPU_E_PARSE, name,
				   "not a PGM (P2/P5) or PNG image");
	if (st != NPU_OK)
		memset(out, 0, sizeof(*out));
	return st;
}

npu_status npu_image_load(const char *path, size_t max_bytes, struct npu_image *out,
			  char *msg, size_t msglen)
{
	uint8_t *buf;
	size_t n;
	npu_status st;

	if (msg && msglen)
		msg[0] = '\0';
	if (out)
		memset(out, 0, sizeof(*out));
	if (!path || !out)
		return npu_data_fail(msg, msglen, NPU_E_INVAL, path, "NULL %s",
				     path ? "output" : "path");
	if ((st = npu_data_read_file(path, max_bytes, &buf, &n, msg, msglen)) != NPU_OK)
		return st;
	st = npu_image_load_mem(buf, n, path, max_bytes, out, msg, msglen);
	free(buf);
	return st;
}

void npu_image_free(struct npu_image *img)
{
	if (!img)
		return;
	free(img->data);
	memset(img, 0, sizeof(*img));
}
