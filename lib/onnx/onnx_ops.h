/* SPDX-License-Identifier: MIT */
/*
 * onnx_ops.h - the op handlers of the ONNX importer and the helpers they
 * share (not installed). A handler translates im->node: it reads its
 * inputs' values, adds layers to im->net and sets its outputs' values.
 */
#ifndef NPU_ONNX_OPS_H
#define NPU_ONNX_OPS_H

#include "onnx_internal.h"

/* ---- onnx_import.c: node inputs and value tensors ---- */

/* Value index of input / output k of the current node; -1 when absent. */
int ox_in(struct ox_imp *im, int k);
int ox_out(struct ox_imp *im, int k);
/*
 * Checks the number of inputs (min_in of them present) and that outputs
 * after the first min_out are unused (optional outputs not computed).
 */
npu_status ox_arity(struct ox_imp *im, int min_in, int max_in, int min_out);
/* Input k must be a constant. */
npu_status ox_const_in(struct ox_imp *im, int k, const char *what, const struct ox_const **c);
/* Input k must be a one-element FLOAT constant. */
npu_status ox_scalar_float(struct ox_imp *im, int k, const char *what, float *out);
/*
 * Scale (input ks) and zero point (input kz, may be absent: 0, uint8) of a
 * (De)QuantizeLinear or QOperator input. Per tensor, or per axis when axis
 * >= 0 and there are axis_len values. Scales must be finite and > 0.
 */
npu_status ox_quant_in(struct ox_imp *im, int ks, int kz, int axis, int axis_len,
		       const char *what, struct ox_quant *q);
int ox_quant_zp(const struct ox_quant *q, int i);
/* n floats kept by the importer until it ends (scales it derives). */
npu_status ox_const_floats(struct ox_imp *im, const float *v, int n, const float **out);
int32_t ox_const_int(const struct ox_const *c, size_t i);
enum npu_type ox_npu_type(int dtype);

/* ONNX dims (rank 4 NCHW, 2 [N, F], 1 [F]) -> the net's NHWC dims. */
void ox_nhwc_dims(int rank, const int64_t *dims, int out[4]);
/* Value v becomes net tensor tid in the canonical layout for its rank. */
void ox_set_tensor(struct ox_imp *im, int v, int tid, int rank, const int64_t *dims);
int ox_is_canonical(const struct ox_value *x);
/* "<base>", or "<base>:<what>[n]" when taken, for the extra tensors the importer adds. */
const char *ox_tensor_name(struct ox_imp *im, const char *base, const char *what, char *buf,
			   size_t len);
/* The value's tensor in the canonical layout, without dequantizing. */
npu_status ox_canon_of(struct ox_imp *im, int v, int *tid);
/*
 * The value's net tensor in the canonical layout, dequantized to float32
 * when the value is a DequantizeLinear output (making either if needed).
 */
npu_status ox_tensor_of(struct ox_imp *im, int v, int *tid);
/* Value dst takes src's representation (an alias: Identity, a no-op Q). */
void ox_copy_value(struct ox_imp *im, int dst, int src);
/*
 * The 8-bit tensor of v (a quantized tensor, or the one a DequantizeLinear
 * reads) in the canonical layout, with the quantization q the consumer
 * states (relabelled if the tensor's own differs).
 */
npu_status ox_q8_of(struct ox_imp *im, int v, const struct ox_quant *q, int *tid);

/* ---- the QDQ groups (onnx_qdq.c) ---- */

enum ox_pkind { PK_CONV, PK_GEMM, PK_MATMUL, PK_ADD, PK_AVGPOOL, PK_GAP, PK_CONCAT,
		PK_SIGMOID };

/* A float op on DQ inputs, waiting for its QuantizeLinear. */
struct ox_pending {
	enum ox_pkind kind;
	const Onnx__NodeProto *node;	/* the float op */
	enum npu_act act;		/* a Relu or Clip between it and its Q */
	float clip_min, clip_max;
	int n_in;
	int in[];			/* the op's input values (-1 where absent) */
};

const char *ox_pending_op(const struct ox_pending *p);
/* The current node is a float op: record it when its inputs are DQ values. */
npu_status ox_qdq_float_op(struct ox_imp *im, enum ox_pkind kind);
/* A QuantizeLinear of a pending value: builds the fused layer into value y. */
npu_status ox_qdq_emit(struct ox_imp *im, int pending, const struct ox_quant *yq, int y);

/* ---- builders shared by QOperator and QDQ (onnx_conv.c, onnx_qop.c) ---- */

/* A quantized operand: a value and the quantization its consumer states. */
struct ox_qarg {
	int v;
	struct ox_quant q;
};

/*
 * Conv, from the attributes of `conv` (a Conv, QLinearConv or ConvInteger
 * node): x 8-bit, w an 8-bit constant [M, C/group, kH, kW] with wq, bias an
 * int32 constant [M] or NULL, y into value `out` with yq (NULL: int32
 * accumulators).
 */
npu_status ox_emit_conv(struct ox_imp *im, const Onnx__NodeProto *conv,
			const struct ox_qarg *x, const struct ox_const *w,
			const struct ox_quant *wq, const struct ox_const *bias,
			const struct ox_quant *yq, enum npu_act act, float lo, float hi, int out);
/*
 * A matrix product x [N, K] * w, w an 8-bit constant [K, M] (trans_w: [M, K]),
 * as a fully-connected layer; bias int32 [M] or NULL; yq NULL: int32.
 */
npu_status ox_emit_fc(struct ox_imp *im, const struct ox_qarg *x, const struct ox_const *w,
		      const struct ox_quant *wq, int trans_w, const struct ox_const *bias,
		      const struct ox_quant *yq, enum npu_act act, float lo, float hi, int out);
/* QLinearAdd arithmetic: a + b requantized to yq. */
npu_status ox_emit_add(struct ox_imp *im, const struct ox_qarg *a, const struct ox_qarg *b,
		       const struct ox_quant *yq, enum npu_act act, float lo, float hi,
		       int out);
/* QLinearAveragePool / QLinearGlobalAveragePool with the attributes of `pool`. */
npu_status ox_emit_avgpool(struct ox_imp *im, const Onnx__NodeProto *pool, int global,
			   const struct ox_qarg *x, const struct ox_quant *yq, int out);
/* QLinearConcat along axis 1 of n inputs. */
npu_status ox_emit_concat(struct ox_imp *im, const Onnx__NodeProto *concat,
			  const struct ox_qarg *xs, int n, const struct ox_quant *yq, int out);
npu_status ox_emit_sigmoid(struct ox_imp *im, const struct ox_qarg *x,
			   const struct ox_quant *yq, int out);

/* ---- handlers ---- */

/* onnx_conv.c */
npu_status ox_op_qlinearconv(struct ox_imp *im);
npu_status ox_op_convinteger(struct ox_imp *im);
npu_status ox_op_qlinearmatmul(struct ox_imp *im);
npu_status ox_op_matmulinteger(struct ox_imp *im);
npu_status ox_op_qgemm(struct ox_imp *im);
/* onnx_qop.c */
npu_status ox_op_quantize(struct ox_imp *im);
npu_status ox_op_dequantize(struct ox_imp *im);
npu_status ox_op_qlinearadd(struct ox_imp *im);
npu_status ox_op_qlinearavgpool(struct ox_imp *im);
npu_status ox_op_qlinearglobalavgpool(struct ox_imp *im);
npu_status ox_op_qlinearconcat(struct ox_imp *im);
npu_status ox_op_qlinearsigmoid(struct ox_imp *im);
/* onnx_qdq.c: the float ops (QDQ groups) and the activations */
npu_status ox_op_conv(struct ox_imp *im);
npu_status ox_op_gemm(struct ox_imp *im);
npu_status ox_op_matmul(struct ox_imp *im);
npu_status ox_op_add(struct ox_imp *im);
npu_status ox_op_averagepool(struct ox_imp *im);
npu_status ox_op_globalaveragepool(struct ox_imp *im);
npu_status ox_op_concat(struct ox_imp *im);
npu_status ox_op_sigmoid(struct ox_imp *im);
npu_status ox_op_relu(struct ox_imp *im);
npu_status ox_op_clip(struct ox_imp *im);
/* onnx_shape.c: layout and data movement */
npu_status ox_op_identity(struct ox_imp *im);
npu_status ox_op_constant(struct ox_imp *im);
npu_status ox_op_flatten(struct ox_imp *im);
npu_status ox_op_reshape(struct ox_imp *im);
npu_status ox_op_transpose(struct ox_imp *im);
npu_status ox_op_squeeze(struct ox_imp *im);
npu_status ox_op_unsqueeze(struct ox_imp *im);
npu_status ox_op_maxpool(struct ox_imp *im);
npu_status ox_op_pad(struct ox_imp *im);
npu_status ox_op_softmax(struct ox_imp *im);
/* A non-canonical view (flattened, transposed) made into a tensor. */
npu_status ox_canonicalize(struct ox_imp *im, int v, int *tid);

/* onnx_dispatch.c: finds the handler of im->node and runs it */
npu_status ox_translate(struct ox_imp *im);

/* Pooling geometry shared by MaxPool, AveragePool and QLinearAveragePool. */
struct ox_pool_geom {
	int kh, kw, sh, sw, dh, dw;
	int pads[4];			/* top, left, bottom, right */
	int ceil_mode, count_include_pad;
};
/* Reads kernel_shape, strides, dilations, pads, auto_pad, ceil_mode of im->node. */
npu_status ox_pool_attrs(struct ox_imp *im, int in_h, int in_w, int allow_dil,
			 struct ox_pool_geom *g);
/* The geometry into the library's pooling parameters. */
void ox_pool_params(const struct ox_pool_geom *g, struct npu_pool_params *p);
/* auto_pad: SAME_UPPER / SAME_LOWER / VALID / NOTSET -> pads (ONNX Conv and pools). */
npu_status ox_auto_pads(struct ox_imp *im, const int in[2], const int k[2], const int s[2],
			const int d[2], int pads[4]);

#endif /* NPU_ONNX_OPS_H */
