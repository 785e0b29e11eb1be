/* SPDX-License-Identifier: MIT */
/*
 * onnx_internal.h - what the ONNX importer's files share (not installed).
 *
 * The importer reads a serialized onnx.ModelProto (decoded by the code
 * protoc-c generates from Debian's onnx.proto), walks its nodes in
 * topological order and builds an npu_net through the library's layer
 * calls. Every ONNX value (a name in the graph) gets one struct ox_value:
 *
 *   OX_CONST    an initializer or Constant output: data on the host
 *   OX_TENSOR   a tensor of the net (8-bit, int32 or float32), with the map
 *               from its ONNX axes to the net's NHWC storage
 *   OX_PENDING  a float op of a QDQ group (Conv, Gemm, Add, pools, ...)
 *               whose inputs are dequantized; it becomes a quantized layer
 *               when its QuantizeLinear is reached (as ONNX Runtime's QDQ
 *               transformer fuses DQ -> op -> Q into one QOperator kernel)
 *
 * A DequantizeLinear does not make a float tensor: its output is the same
 * 8-bit tensor (or constant) with dq set and the DequantizeLinear's
 * quantization in q, so that the QDQ consumers (and layout ops such as
 * Reshape, MaxPool or Transpose, which commute with dequantization) read
 * the quantized data. Only a consumer that needs real floats (a graph
 * output, Softmax) gets a dequantize layer.
 *
 * Layouts. ONNX activations are NCHW (rank 4) or [N, F] (rank 2); the
 * net stores NHWC. axes[i] gives the NHWC axis (0 N, 1 H, 2 W, 3 C) that
 * ONNX axis i lives on; an NCHW value has axes {0, 3, 1, 2}, a [N, F]
 * value {0, 3}. A Flatten of an NCHW tensor with H*W > 1 is a rank-2
 * value with flat_chw set: its features are the NHWC tensor's (C, H, W)
 * in ONNX's order, which an FC layer reads with OIHW weights at no cost;
 * other consumers get it materialized by a layout layer.
 */
#ifndef NPU_ONNX_INTERNAL_H
#define NPU_ONNX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "net_internal.h"
#include "onnx.pb-c.h"

/* A protobuf string field, "" when it is absent (protoc-c leaves it NULL). */
#define S(x) ((x) ? (x) : "")

#define OX_MAX_RANK 8
/* Opsets of the default domain the importer knows (ONNX 1.7 to 1.16). */
#define OX_OPSET_MIN 10
#define OX_OPSET_MAX 21
/* No initializer or external data file larger than this (bytes). */
#define OX_MAX_TENSOR_BYTES (UINT64_C(1) << 31)

/* ONNX TensorProto.DataType values the importer handles. */
enum ox_dtype {
	OX_FLOAT = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
	OX_UINT8 = ONNX__TENSOR_PROTO__DATA_TYPE__UINT8,
	OX_INT8 = ONNX__TENSOR_PROTO__DATA_TYPE__INT8,
	OX_INT32 = ONNX__TENSOR_PROTO__DATA_TYPE__INT32,
	OX_INT64 = ONNX__TENSOR_PROTO__DATA_TYPE__INT64,
};

/* Host data of an initializer or Constant, little-endian, row-major. */
struct ox_const {
	int dtype;			/* enum ox_dtype */
	int rank;
	int64_t dims[OX_MAX_RANK];
	size_t elems;
	const void *data;		/* elems elements of dtype */
	void *owned;			/* what to free (NULL: data lives in the proto) */
};

enum ox_kind { OX_UNSET = 0, OX_CONST, OX_TENSOR, OX_PENDING };

/* Quantization of a DQ value or a QuantizeLinear: per tensor or per axis. */
struct ox_quant {
	int axis;			/* ONNX axis, or -1 for per tensor */
	int n;				/* 1, or the size of that axis */
	const float *scale;		/* n values (borrowed from an ox_const) */
	const struct ox_const *zp;	/* NULL (0, uint8 unless told), or n values */
	enum npu_type type;		/* of the quantized side */
};

struct ox_pending;

struct ox_value {
	const char *name;		/* the proto's string */
	enum ox_kind kind;
	int rank;			/* ONNX rank and dims (known for every kind) */
	int64_t dims[OX_MAX_RANK];
	const struct ox_const *c;	/* OX_CONST */
	int tid;			/* OX_TENSOR: net tensor id */
	int axes[4];			/* OX_TENSOR: ONNX axis -> NHWC axis */
	int flat_chw;			/* OX_TENSOR rank 2: a 4-D tensor's C, H, W as features */
	int dq;				/* the float DequantizeLinear(this, q) */
	struct ox_quant q;		/* dq: its scale and zero point */
	int canon;			/* the canonical tensor once made, or -1 */
	int fmat;			/* dq: the dequantized float tensor once made, or -1 */
	int own;			/* tid is the output of a layer made for this value */
	struct ox_pending *pend;	/* OX_PENDING (owned) */
	int producer;			/* node index, -1 for inputs/initializers */
	int consumer;			/* a node that reads it (the only one when uses == 1), or -1 */
	int uses;			/* node inputs + graph outputs reading it */
};

/* The importer's state. */
struct ox_imp {
	npu_ctx *ctx;
	npu_net *net;
	const char *src;		/* file name for messages */
	const char *base_dir;		/* external data files are relative to it */
	int batch;			/* override of the batch dimension, or 0 */
	size_t max_bytes;		/* limit of the net's tensors, or 0 */
	Onnx__ModelProto *model;
	Onnx__GraphProto *g;
	int opset;			/* default domain */
	int ms_opset;			/* com.microsoft, 0 when not imported */
	struct ox_value *vals;
	int nvals;
	struct ox_const **consts;	/* initializers, Constant outputs, folded values */
	int nconsts, cap_consts;
	int *order;			/* node indices in topological order */
	struct { const char *key; int val; } *hash;	/* value name -> index */
	size_t hash_cap;
	const Onnx__NodeProto *node;	/* being translated (for messages) */
	int node_idx;			/* its index in the graph */
	const Onnx__NodeProto *layer_node;	/* whose name its layers take, if not it */
	uint8_t *s8u8;			/* per node: a DequantizeLinear whose pair became uint8 */
};

/* ---- onnx_model.c: reading the model ---- */

/*
 * Decodes the protobuf, checks the opsets, reads every initializer (raw,
 * typed fields or external data), indexes the values and orders the nodes.
 */
npu_status ox_read_model(struct ox_imp *im, const void *data, size_t bytes);
void ox_release(struct ox_imp *im);
/* Value index of a name, or -1. */
int ox_find(const struct ox_imp *im, const char *name);
const char *ox_dtype_name(int dtype);
size_t ox_dtype_size(int dtype);

/* ---- onnx_tensor.c: tensors into constants ---- */

/* Decodes a TensorProto (an initializer or a Constant's value). */
npu_status ox_tensor_const(struct ox_imp *im, const Onnx__TensorProto *t, const char *what,
			   struct ox_const *out);
/* A new zeroed constant owned by the importer. */
npu_status ox_new_const(struct ox_imp *im, struct ox_const **out);
/* The current node (a Constant) makes value v a constant. */
npu_status ox_constant_node(struct ox_imp *im, int v);

/* ---- onnx_attr.c ---- */

/* Attributes of the current node. The getters fail with NPU_E_PARSE on a wrong type. */
const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name);
npu_status ox_attr_int(struct ox_imp *im, const char *name, int64_t def, int64_t *out);
npu_status ox_attr_float(struct ox_imp *im, const char *name, float def, float *out);
/* *n = 0 when absent; at most max values. */
npu_status ox_attr_ints(struct ox_imp *im, const char *name, int max, int64_t *v, int *n);
/* NULL when absent; the proto's bytes, NUL-terminated copy in buf. */
npu_status ox_attr_string(struct ox_imp *im, const char *name, char *buf, size_t len,
			  int *present);
/* Rejects attributes the handler does not know (typos must not mean defaults). */
npu_status ox_attr_only(struct ox_imp *im, const char *const *known);

/*
 * Records "<file>: node '<name>' (<op>, domain <d>, opset <v>): <msg>" (or
 * "<file>: <msg>" outside a node) and returns st.
 */
npu_status ox_fail(struct ox_imp *im, npu_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The message the library left on the context, prefixed like ox_fail. */
npu_status ox_api_fail(struct ox_imp *im, npu_status st);

#endif /* NPU_ONNX_INTERNAL_H */
