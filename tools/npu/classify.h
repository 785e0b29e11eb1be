/* SPDX-License-Identifier: MIT */
/*
 * classify.h - what the classification parts of the npu command share
 * (classify.c: class names, the model's input and output, pixels into the
 * input, --image; images.c: --images). Not installed.
 */
#ifndef NPU_CLI_CLASSIFY_H
#define NPU_CLI_CLASSIFY_H

#include "cli.h"

struct names {
	int n;
	char **v;
	const char *source;	/* "--classes FILE", "the model's metadata", or NULL */
};

void names_free(struct names *nm);
/*
 * Class names for k classes: --classes (a count other than k is an error),
 * else the model's "classes" metadata (a count other than k is a warning
 * and the names are not used), else none. -1 with a message on stderr.
 */
int class_names(const struct options *o, npu_net *net, int k, struct names *nm);
/* Name of class i, or NULL without names. */
const char *class_name(const struct names *nm, int i);

struct model_io {
	int in_id, out_id;
	struct npu_tensor_info in, out;
	size_t in_bytes, out_bytes;	/* one image */
	int classes;			/* elements of one image's output */
	const char *out_op;		/* op of the layer that makes the output, or NULL */
};

/*
 * Checks that the model takes images of h x w x c (c = 1 or 3) in a batch
 * of n and fills m; -1 with a message naming both shapes when they do not fit.
 */
int model_io(npu_net *net, int n, int h, int w, int c, const char *data, struct model_io *m);
/* One image of hw pixels of src_c channels into the input's type and channels. */
void to_input(const uint8_t *px, size_t hw, int src_c, const struct npu_tensor_info *in,
	      void *dst);
/* One image's output as doubles: float32 and int32 as they are, 8-bit dequantized. */
void out_values(const void *buf, const struct npu_tensor_info *t, int k, double *v);
/* The index of the largest value, the lowest on a tie; NaN never wins. */
int argmax(const double *v, int k);
/* The model at a batch (--rewrite applied); NULL with the message printed. */
npu_net *load_model(npu_ctx *ctx, const struct options *o, int batch);

#endif /* NPU_CLI_CLASSIFY_H */
