/* SPDX-License-Identifier: MIT */
/*
 * layout.h - moving channels between the library's NHWC/OHWI layouts and
 * ONNX's NCHW/OIHW. OIHW -> OHWI is NCHW -> NHWC with N = K.
 */
#ifndef NPU_LAYOUT_H
#define NPU_LAYOUT_H

#include <stddef.h>

/* [n][c][hw] -> [n][hw][c], elements of `size` bytes; src and dst distinct. */
void npu_nchw_to_nhwc(const void *src, void *dst, size_t n, size_t c, size_t hw,
		      size_t size);
/* [n][hw][c] -> [n][c][hw]. */
void npu_nhwc_to_nchw(const void *src, void *dst, size_t n, size_t c, size_t hw,
		      size_t size);

#endif /* NPU_LAYOUT_H */
