/* SPDX-License-Identifier: MIT */
/* check.h - comparing a layer's output with the reference, element by element. */
#ifndef NPU_CHECK_H
#define NPU_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "npu_ref.h"

struct npu_diff {
	uint64_t count;		/* differing elements */
	size_t first;		/* index of the first one (valid when count > 0) */
	int32_t expected, actual;
};

/* Compares n elements of type t. */
void npu_compare(enum npu_dtype t, const void *expected, const void *actual, size_t n,
		 struct npu_diff *d);

/* Element index of an NHWC tensor -> its (n, h, w, c) coordinate. */
void npu_nhwc_coord(size_t index, const int dims[4], int coord[4]);

#endif /* NPU_CHECK_H */
