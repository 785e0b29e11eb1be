/* SPDX-License-Identifier: MIT */
/*
 * net_internal.h - what the front end's files share: the context, the
 * network (tensors and layers) and the error helper. Not installed.
 */
#ifndef NPU_NET_INTERNAL_H
#define NPU_NET_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "npu.h"
#include "ops_cpu.h"
#include "ops_ort.h"

#define NPU_MSG_LEN 512

struct npu_ctx {
	struct npu_device *dev;
	int checking;
	int threads;
	char backend_reason[NPU_MSG_LEN];
	char err[NPU_MSG_LEN];
};

struct npu_tensor {
	char *name;
	enum npu_type type;
	int dims[4];			/* NHWC */
	float scale;
	int zero_point;
	size_t elems, bytes;
	void *data;			/* owned; zeroed until written */
};

enum npu_layer_op {
	NPU_LAYER_CONV2D,
	NPU_LAYER_FC,
	NPU_LAYER_MAXPOOL,
	NPU_LAYER_AVGPOOL,
	NPU_LAYER_GLOBAL_AVGPOOL,
	NPU_LAYER_ADD,
	NPU_LAYER_SOFTMAX,
	NPU_LAYER_QUANTIZE,
	NPU_LAYER_DEQUANTIZE,
	NPU_LAYER_RESHAPE,
	NPU_LAYER_FLATTEN,
	/* layers_ext.c: ONNX Runtime's arithmetic and layout moves */
	NPU_LAYER_EXT_FIRST,
	NPU_LAYER_ORT_MAXPOOL = NPU_LAYER_EXT_FIRST,
	NPU_LAYER_ORT_AVGPOOL,
	NPU_LAYER_ORT_GAP,
	NPU_LAYER_CONCAT,
	NPU_LAYER_SIGMOID,
	NPU_LAYER_PAD,
	NPU_LAYER_TRANSPOSE,
	NPU_LAYER_CLAMP,
	NPU_LAYER_DEQUANTIZE_CH,
	NPU_LAYER_QUANTIZE_CH,
};

/* An axis permutation of a 4-D array (layers_ext.c). */
struct npu_transpose_op {
	int in[4];			/* input dims, as stored */
	int perm[4];			/* output axis j is input axis perm[j] */
	size_t esize;			/* bytes per element */
};

/* 8-bit values clamped to [lo, hi]. */
struct npu_clamp_op {
	enum npu_type type;
	size_t elems;
	int lo, hi;
};

/* A conv or FC layer: the canonical spec plus the arrays it points into. */
struct npu_conv_layer {
	struct npu_conv_spec spec;
	void *w;			/* OHWI, owned */
	int32_t *bias, *w_zp, *rq_mult;
	int8_t *rq_shift;
	float *rq_scale;
	struct npu_conv_plan *plan;	/* NULL: not planned yet, or fallback */
	int planned;			/* plan_create was tried */
	char *fallback;			/* why the device refused, or NULL */
};

struct npu_layer {
	char *name;
	enum npu_layer_op op;
	int in[2], nin;
	int out;
	uint64_t params, macs;
	union {
		struct npu_conv_layer conv;
		struct npu_pool_op pool;
		struct npu_add_op add;
		struct npu_softmax_op softmax;
		struct npu_ort_maxpool omax;
		struct npu_ort_qavgpool oavg;
		struct npu_ort_qgap ogap;
		struct npu_ort_qconcat ocat;	/* inputs: owned */
		struct npu_ort_qsigmoid osig;
		struct npu_ort_pad opad;
		struct npu_ort_dequantize odeq;	/* scale, zp: owned */
		struct npu_ort_quantize oq;	/* scale, zp: owned */
		struct npu_transpose_op tr;
		struct npu_clamp_op clamp;
	} u;
	int *ins;			/* NPU_LAYER_CONCAT: every input (owned) */
	const void **ptrs;		/* NPU_LAYER_CONCAT: their data at run time (owned) */
	struct npu_layer_report rep;	/* run part; the summary is derived */
	char *where;			/* owned text behind rep.where */
};

struct npu_net {
	npu_ctx *ctx;
	char *name;
	struct npu_tensor *tensors;
	int ntensors, cap_tensors;
	struct npu_layer *layers;
	int nlayers, cap_layers;
	int *inputs, ninputs;
	int *outputs, noutputs;
	npu_progress_fn progress;
	void *progress_user;
	void *check_buf;		/* reference output in check mode */
	size_t check_buf_bytes;
	double run_seconds;
	int prepared;
	size_t tensor_bytes;		/* host bytes of every tensor */
	size_t max_bytes;		/* npu_load_opts.max_bytes, or 0 */
	char **meta;			/* key, value, key, value, ... (owned) */
	int nmeta;			/* pairs */
};

/* Records a message on the context and returns s (printf-style). */
npu_status npu_fail(npu_ctx *ctx, npu_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The net's tensor id, or NULL with NPU_E_INVAL recorded. */
struct npu_tensor *npu_net_tensor(npu_net *net, int id);

/*
 * Adds a tensor (dims NHWC) and allocates its data. NPU_E_OVERFLOW when
 * its size does not fit in size_t, NPU_E_INVAL for a bad dim or a name
 * already used.
 */
npu_status npu_net_new_tensor(npu_net *net, const char *name, enum npu_type type,
			      const int dims[4], float scale, int zero_point, int *id);
/* Drops the most recently added tensor (when adding its layer failed). */
void npu_net_drop_last_tensor(npu_net *net);

/* Appends a layer (takes ownership of its union part on success). */
npu_status npu_net_append_layer(npu_net *net, struct npu_layer *l);

void npu_conv_layer_release(struct npu_conv_layer *c);

/* Range of an 8-bit type. */
int npu_type_min(enum npu_type t);
int npu_type_max(enum npu_type t);

double npu_now(void);

/*
 * Layers that only importers make (layers_ext.c). Each checks its
 * arguments and leaves the net unchanged on failure, like npu_net_add_*.
 *
 * transpose: the input's array with its axes permuted (output axis j is
 * input axis perm[j]), then viewed with out_dims (same element count): an
 * NHWC tensor to ONNX's C,H,W order is perm {0, 3, 1, 2} viewed as
 * [N, 1, 1, C*H*W].
 */
npu_status npu_net_add_transpose(npu_net *net, const char *name, int input,
				 const int perm[4], const int out_dims[4], int *id);
/* 8-bit values clamped to [lo, hi] (a Relu or Clip on a quantized tensor). */
npu_status npu_net_add_clamp(npu_net *net, const char *name, int input, int lo, int hi,
			     int *id);
/* The same data with another shape and quantization (a copy). */
npu_status npu_net_add_relabel(npu_net *net, const char *name, int input,
			       const int dims[4], float scale, int zero_point, int *id);
/*
 * 8-bit or int32 -> float32, (q - zp[c]) * scale[c] in float per channel
 * (n = C) or per tensor (n = 1), as ONNX DequantizeLinear. zps may be NULL.
 */
npu_status npu_net_add_dequantize_ch(npu_net *net, const char *name, int input,
				     const float *scales, const int32_t *zps, int n, int *id);
/*
 * float32 -> 8-bit as ONNX QuantizeLinear in ONNX Runtime (npu_ort_quantize:
 * a float division, saturation, NaN to the type's minimum), per channel (n
 * = C) or per tensor. The tensor is labelled with scales[0] and zps[0].
 */
npu_status npu_net_add_quantize_ch(npu_net *net, const char *name, int input,
				   enum npu_type type, const float *scales, const int32_t *zps,
				   int n, int *id);
/*
 * Narrows the clamp of the conv, FC or add layer that produces tensor id
 * to [lo, hi] (quantized values): a Relu or Clip fused into its producer.
 * The caller makes sure nothing else reads the tensor. Returns 1 when
 * done, 0 when id is not the output of such a layer (nothing changed).
 */
int npu_net_fuse_clamp(npu_net *net, int id, int lo, int hi);
/* NPU_REQUANT_ONNX pools (npu_net_add_pool passes them on). */
npu_status npu_net_add_ort_pool(npu_net *net, const char *name, int input,
				const struct npu_pool_params *p, int *id);
/* Runs, names and frees the layers_ext.c kinds (op >= NPU_LAYER_EXT_FIRST). */
void npu_layer_ext_run(npu_net *net, struct npu_layer *l);
const char *npu_layer_ext_name(const struct npu_layer *l);
void npu_layer_ext_release(struct npu_layer *l);

/* layers.c's helpers, shared with layers_ext.c. */
const char *npu_layer_name(npu_net *net, const char *name, const char *op, char *buf,
			   size_t len);
struct npu_tensor *npu_layer_input(npu_net *net, const char *layer, int id, int need_8bit);
npu_status npu_layer_check_out_quant(npu_net *net, const char *layer,
				     const struct npu_out_quant *q, int allow_int32,
				     int allow_float);
npu_status npu_layer_finish(npu_net *net, struct npu_layer *l, const char *name,
			    enum npu_type type, const int dims[4], float scale, int zp, int *id);

/*
 * The ONNX importer (lib/onnx/): builds a net from a serialized ModelProto
 * in memory. Same contract as npu_net_load (npu.h); name is for messages,
 * base_dir resolves external data files.
 */
npu_status npu_onnx_load(npu_ctx *ctx, const void *data, size_t bytes, const char *name,
			 const char *base_dir, const struct npu_load_opts *o, npu_net **out);
/* Whether bytes look like a JSON document (first non-blank byte is '{'). */
int npu_looks_like_json(const void *data, size_t bytes);

#endif /* NPU_NET_INTERNAL_H */
