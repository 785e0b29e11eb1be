/* SPDX-License-Identifier: MIT */
/* Bit-for-bit comparison and where the first difference is. */
#include <string.h>

#include "check.h"

void npu_compare(enum npu_dtype t, const void *expected, const void *actual, size_t n,
		 struct npu_diff *d)
{
	size_t i, esize = t == NPU_TYPE_INT32 ? 4 : 1;

	memset(d, 0, sizeof(*d));
	/* Equal buffers are the common case: let memcmp find that fast. */
	if (!memcmp(expected, actual, n * esize))
		return;
	for (i = 0; i < n; i++) {
		int32_t e = npu_load(t, expected, i), a = npu_load(t, actual, i);

		if (e == a)
			continue;
		if (!d->count++) {
			d->first = i;
			d->expected = e;
			d->actual = a;
		}
	}
}

void npu_nhwc_coord(size_t index, const int dims[4], int coord[4])
{
	int i;

	for (i = 3; i >= 0; i--) {
		coord[i] = (int)(index % (size_t)dims[i]);
		index /= (size_t)dims[i];
	}
}
