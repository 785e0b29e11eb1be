/* SPDX-License-Identifier: MIT */
/*
 * pack.h - laying out weights and channel parameters the way the device
 * reads them (hw/npu_hw.h: COLS x ROWS weight blocks, 16-byte channel
 * records). A descriptor covers `ng` groups starting at group g0 and, in
 * each, the output channels [k0, k0 + nk) of the group, over its input
 * channels [c0, c0 + nc) (all of them unless it is a chain's link).
 */
#ifndef NPU_PACK_H
#define NPU_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "npu_hw_check.h"
#include "npu_ref.h"

struct npu_pack_range {
	int g0, ng;	/* groups */
	int k0, nk;	/* output channels within each group */
	int c0, nc;	/* input channels within each group (an accumulator chain's
			   link); nc = 0: all of them */
};

/* Bytes of packed weights for the range (what npu_weight_bytes() expects). */
size_t npu_pack_weights_bytes(const struct npu_caps *c, const struct npu_conv_spec *s,
			      const struct npu_pack_range *r);
/* OHWI weights -> device blocks; padding entries are zero. */
void npu_pack_weights(const struct npu_caps *c, const struct npu_conv_spec *s,
		      const void *w_ohwi, const struct npu_pack_range *r, uint8_t *dst);
/*
 * Depthwise mode (NPU_CONV_DEPTHWISE, multiplier 1: in_c = out_c = groups):
 * bytes of the blocks for the channels [g0, g0 + ng), and the OHWI weights
 * ([C][kh][kw][1]) packed as hw/npu_hw.h describes: per channel slice of
 * min(ROWS, COLS) channels, per tap slice, a ROWS x COLS block whose byte
 * [j*ROWS + t] is channel j's weight at the slice's tap t (column-major).
 * Unused bytes are zero.
 */
size_t npu_pack_dw_weights_bytes(const struct npu_caps *c, const struct npu_conv_spec *s,
				 int ng);
void npu_pack_dw_weights(const struct npu_caps *c, const struct npu_conv_spec *s,
			 const void *w_ohwi, int g0, int ng, uint8_t *dst);
/* Channel records for the range, in descriptor order (group-major). */
void npu_pack_chan_params(const struct npu_conv_spec *s, const struct npu_pack_range *r,
			  struct npu_chan_param *dst);

#endif /* NPU_PACK_H */
