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
	} u;
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
/* Fused activation -> clamp on the quantized output. */
void npu_act_clamp(enum npu_act act, enum npu_type t, float scale, int zp,
		   int *lo, int *hi);

double npu_now(void);

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
