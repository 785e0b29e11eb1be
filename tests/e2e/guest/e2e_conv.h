/* SPDX-License-Identifier: MIT */
/* e2e_conv.h - one-descriptor convolutions for the in-guest tests. */
#ifndef E2E_CONV_H
#define E2E_CONV_H

#include "e2e.h"
#include "npu_ref.h"

struct e2e_conv {
	struct npu_conv_spec s;
	uint32_t in_row_stride, in_pix_stride, out_row_stride, out_pix_stride;
	uint32_t tag;
	uint8_t *in, *w;		/* NHWC, OHWI */
	int32_t *bias, *w_zp, *mult;
	int8_t *shift;
	float *scale;
	void *ref;			/* reference output, dense NHWC */
	union npu_desc desc;		/* after e2e_conv_place() */
	uint64_t out_off;		/* output offset in the BO */
};

/* A random layer that fits one descriptor (spatial size <= max_hw). */
int e2e_conv_random(uint64_t *rng, const struct npu_caps *c, unsigned max_hw,
		    struct e2e_conv *cc);
/* Allocates one BO for everything, uploads, fills cc->desc. */
int e2e_conv_place(struct e2e_dev *d, struct e2e_conv *cc, struct e2e_bo *bo);
/* 0 if the device's output equals the reference, else -1 with a message. */
int e2e_conv_compare(const struct e2e_conv *cc, const struct e2e_bo *bo,
		     char *msg, size_t len);
void e2e_conv_describe(const struct e2e_conv *cc, char *buf, size_t len);
void e2e_conv_free(struct e2e_conv *cc);

#endif /* E2E_CONV_H */
