/* SPDX-License-Identifier: MIT */
/*
 * npu.h - the public API of libnpu: build or load a quantized int8 network,
 * run it on the accelerator (or the CPU), check it, and read a report.
 *
 * Model
 *   npu_ctx   one backend (drm, sim or cpu) plus the last error message.
 *             A context is used by one thread at a time; any number of
 *             contexts may be used at once from different threads. The
 *             library has no global state.
 *   npu_net   a network that belongs to a context: tensors and layers,
 *             added in execution order. Each layer produces one tensor.
 *             Tensors are named by small integer ids (>= 0).
 *
 * Layout
 *   Inside the library activations are NHWC and conv weights OHWI
 *   (TFLite's layouts). Every call that takes or returns data or weights
 *   has an explicit layout argument, so NCHW activations and OIHW weights
 *   (ONNX's layouts) are accepted and converted.
 *
 * Arithmetic
 *   Conv and FC layers are computed exactly as lib/ref/npu_ref.h defines
 *   (int32 accumulation, bias, per-channel requantization in TFLite
 *   fixed-point or ONNX fp32 mode, output zero point, clamp). Every path
 *   (device, fast CPU, reference) gives the same bits.
 *
 * Errors
 *   Every function that can fail returns an npu_status (npu_err.h): NPU_OK
 *   or a negative code. npu_strerror() names the code; functions that have
 *   a context (or a net) also leave a sentence in npu_ctx_last_error().
 *   On failure nothing is half-done: an add_* call that fails adds nothing.
 */
#ifndef NPU_H
#define NPU_H

#include <stddef.h>
#include <stdint.h>

#include "npu_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct npu_ctx npu_ctx;
typedef struct npu_net npu_net;

/* A short fixed sentence for a status code (never NULL). */
const char *npu_strerror(npu_status s);

/* ------------------------------------------------------------------ */
/* Context                                                             */
/* ------------------------------------------------------------------ */

#define NPU_CTX_CHECK	(1u << 0)	/* compare every conv/FC with the reference */

struct npu_ctx_opts {
	/*
	 * "auto", "drm", "sim" or "cpu". NULL or "": $NPU_BACKEND if set,
	 * else "auto" (the drm device when its render node exists, else the
	 * in-process simulator, else the CPU).
	 */
	const char *backend;
	unsigned flags;			/* NPU_CTX_*; $NPU_CHECK=1 adds NPU_CTX_CHECK */
	unsigned dram_bytes_per_cycle;	/* simulator DRAM model; 0 = default */
	unsigned dram_latency;		/* simulator read latency, cycles; 0 = default */
	const char *trace_path;		/* simulator FST waveform, or NULL */
	int threads;			/* CPU threads; <= 0 = all cores */
};

/*
 * Opens a context. opts may be NULL (all defaults). On success *out is
 * set and msg (if not NULL) says which backend was picked and why; on
 * failure *out is NULL and msg holds the reason:
 *   NPU_E_INVAL   out is NULL or the backend name is unknown
 *   NPU_E_NODEV   the requested backend is not available
 *   NPU_E_NOMEM
 */
npu_status npu_ctx_open(const struct npu_ctx_opts *opts, npu_ctx **out,
			char *msg, size_t msglen);
/* Closes the context; every net of it must have been freed. NULL is a no-op. */
void npu_ctx_close(npu_ctx *ctx);

/* "drm", "sim" or "cpu". */
const char *npu_ctx_backend(const npu_ctx *ctx);
/* Which backend was picked and why (the sentence npu_ctx_open gave). */
const char *npu_ctx_backend_reason(const npu_ctx *ctx);
/* Whether check mode is on. */
int npu_ctx_checking(const npu_ctx *ctx);
/* The message of the last failed call on this context or its nets ("" if none). */
const char *npu_ctx_last_error(const npu_ctx *ctx);

/* The device's capability registers (never constants of the library). */
struct npu_device_info {
	unsigned rows, cols;		/* MAC array */
	unsigned ibuf_bytes, wbuf_bytes;	/* on-chip buffer bytes per set */
	unsigned acc_depth;		/* accumulator pixels */
	unsigned pbuf_depth;		/* channel-parameter entries */
	unsigned features;		/* NPU_FEAT_* of hw/npu_hw.h */
	unsigned max_kernel, max_stride, max_dilation, max_dim;
	unsigned mem_log2;		/* device memory = 2^mem_log2 bytes */
};
/* NPU_E_NODEV on the cpu backend, which has no device. */
npu_status npu_ctx_device_info(npu_ctx *ctx, struct npu_device_info *info);

/* ------------------------------------------------------------------ */
/* Tensors                                                             */
/* ------------------------------------------------------------------ */

enum npu_type {
	NPU_INT8 = 0,
	NPU_UINT8 = 1,
	NPU_INT32 = 2,		/* raw accumulators (conv/FC output without requantization; an input too) */
	NPU_FLOAT32 = 3,	/* model inputs/outputs (quantize, dequantize, softmax) */
};

enum npu_layout {
	NPU_NHWC = 0,		/* activations, TFLite */
	NPU_NCHW = 1,		/* activations, ONNX */
	NPU_OHWI = 2,		/* conv weights [K][kh][kw][C/groups], TFLite */
	NPU_OIHW = 3,		/* conv weights [K][C/groups][kh][kw], ONNX */
};

/*
 * A tensor's description. dims follow `layout` (NHWC: n, h, w, c; NCHW:
 * n, c, h, w); every dim must be >= 1 and the byte size must fit in
 * size_t. scale (> 0, finite) and zero_point (inside the type's range)
 * matter for 8-bit types; float and int32 tensors ignore them.
 *
 * Defaults, one rule: a zero point that is not given is 0 for weights,
 * inputs and outputs of every type (uint8 included): here a zeroed field
 * or NULL zero_points, in JSON an absent "zero_point", in ONNX an absent
 * zero-point input. A uint8 tensor centred on 128 must say so.
 */
struct npu_tensor_desc {
	enum npu_type type;
	enum npu_layout layout;		/* NPU_NHWC or NPU_NCHW */
	int dims[4];
	float scale;
	int zero_point;
};

/* What the library knows about a tensor; dims are always NHWC. */
struct npu_tensor_info {
	const char *name;		/* owned by the net */
	enum npu_type type;
	int dims[4];			/* n, h, w, c */
	float scale;
	int zero_point;
	size_t bytes;
};

/* Bytes of one element of a type (0 for an unknown type). */
size_t npu_type_size(enum npu_type t);
const char *npu_type_name(enum npu_type t);

/* ------------------------------------------------------------------ */
/* Building a network                                                  */
/* ------------------------------------------------------------------ */

/* NPU_E_INVAL (ctx or out NULL), NPU_E_NOMEM. */
npu_status npu_net_create(npu_ctx *ctx, const char *name, npu_net **out);
/* Frees the net and everything it owns. NULL is a no-op. */
void npu_net_free(npu_net *net);

/* Layer and tensor names must be unique in a net (NPU_E_INVAL otherwise). */
npu_status npu_net_add_input(npu_net *net, const char *name,
			     const struct npu_tensor_desc *desc, int *id);

enum npu_requant {
	NPU_REQUANT_TFLITE = 0,	/* int32 multiplier + shift, two roundings (TFLite) */
	NPU_REQUANT_ONNX = 1,	/* fp32 multiplier, round half to even (ONNX Runtime) */
};

/*
 * A fused activation is a clamp on the quantized output. Its bounds are
 * derived the way the layer's requantization mode's framework derives them:
 *   NPU_REQUANT_TFLITE: CalculateActivationRangeQuantized (TFLite's
 *     kernel_util.cc): a real bound f becomes zp + round(f / scale), the
 *     division in float, rounded half away from zero, limited to the type.
 *   NPU_REQUANT_ONNX: QuantizeLinear of the bound (ONNX Runtime's
 *     MlasQuantizeLinear): saturate(rne(f / scale) + zp), float division,
 *     rounded half to even.
 * E.g. ReLU6 at output scale 0.8 (6 / 0.8f is 7.5f in float): the top is
 * 8 in both; at scale 2.4 and zero point -100 (2.5f): -97 TFLite, -98 ONNX.
 * A bound beyond the output type saturates to it. clip_min and clip_max of
 * the conv/FC/add params are read only for NPU_ACT_CLIP and must be finite
 * with clip_min <= clip_max (NPU_E_INVAL otherwise, as for an unknown act).
 */
enum npu_act {
	NPU_ACT_NONE = 0,
	NPU_ACT_RELU = 1,	/* clamp below at the real value 0 (a clip at 0 below) */
	NPU_ACT_RELU6 = 2,	/* clamp to the real range [0, 6] */
	NPU_ACT_CLIP = 3,	/* clamp to the real range [clip_min, clip_max] (ONNX Clip) */
};

/* Output quantization of a layer. */
struct npu_out_quant {
	enum npu_type type;	/* int8, uint8 (or int32 where a layer allows it) */
	float scale;
	int zero_point;
};

/*
 * Weights of a conv or FC layer. data holds K * kh * kw * C/groups
 * elements in `layout` (FC: K * C_in, where the input is flattened in
 * NHWC order for NPU_OHWI and in CHW order, ONNX's Flatten, for NPU_OIHW).
 * The library copies everything it is given.
 */
struct npu_weights {
	enum npu_type type;		/* NPU_INT8 or NPU_UINT8 */
	enum npu_layout layout;		/* NPU_OHWI or NPU_OIHW */
	const void *data;
	const float *scales;		/* n_scales = 1 (per tensor) or K (per channel) */
	int n_scales;
	const int32_t *zero_points;	/* NULL (all 0), or n_zero_points = 1 or K */
	int n_zero_points;
	const int32_t *bias;		/* K values at scale in_scale * scale[k], or NULL */
};

/*
 * 2-D convolution. Zero values of stride, dilation and groups mean 1.
 * groups == C == K is depthwise. With out.type == NPU_INT32 the layer
 * writes raw accumulators (acc + bias): no requantization, act must be
 * NONE. Otherwise the real multiplier in_scale * w_scale[k] / out_scale is
 * converted by the layer's requantization mode; NPU_E_INVAL when it is
 * outside what the mode can represent.
 */
struct npu_conv2d_params {
	const char *name;
	int out_channels;
	int kernel_h, kernel_w;
	int stride_h, stride_w;
	int dilation_h, dilation_w;
	int pad_top, pad_left, pad_bottom, pad_right;
	int groups;
	enum npu_requant requant;
	enum npu_act act;
	struct npu_weights weights;
	struct npu_out_quant out;
	float clip_min, clip_max;	/* NPU_ACT_CLIP: real bounds, clip_min <= clip_max */
};
npu_status npu_net_add_conv2d(npu_net *net, int input,
			      const struct npu_conv2d_params *p, int *id);

/*
 * Fully connected: [N, H, W, C] -> [N, 1, 1, units], run on the device as
 * a 1x1 convolution over a 1x1 image of H*W*C channels (the same plan as
 * a conv).
 */
struct npu_fc_params {
	const char *name;
	int units;
	enum npu_requant requant;
	enum npu_act act;
	struct npu_weights weights;
	struct npu_out_quant out;
	float clip_min, clip_max;	/* NPU_ACT_CLIP: real bounds, clip_min <= clip_max */
};
npu_status npu_net_add_fc(npu_net *net, int input, const struct npu_fc_params *p,
			  int *id);

/*
 * Pooling on the CPU over 8-bit tensors. Zero stride and dilation mean 1.
 * The fields after the pads default (zero) to TFLite's pooling: output
 * size floor((in + pads - window) / stride) + 1, every window holding an
 * in-image pixel, the output keeping the input's type and quantization,
 * and the average dividing by the number of in-image taps and rounding
 * half away from zero (TFLite's reference AveragePool).
 *
 * With requant = NPU_REQUANT_ONNX the layer follows ONNX (MaxPool,
 * QLinearAveragePool, QLinearGlobalAveragePool of ONNX Runtime's CPU
 * kernels; lib/onnx/ORT_ARITHMETIC.md gives the arithmetic): ceil_mode
 * output sizes, dilations, count_include_pad, and an average that
 * requantizes to `out` (out.scale == 0 keeps the input's quantization).
 * NPU_POOL_GLOBAL_AVG averages the whole H x W (kernel, stride and pads
 * are ignored): [N, H, W, C] -> [N, 1, 1, C].
 */
enum npu_pool_kind { NPU_POOL_MAX = 0, NPU_POOL_AVG = 1, NPU_POOL_GLOBAL_AVG = 2 };
struct npu_pool_params {
	const char *name;
	enum npu_pool_kind kind;
	int kernel_h, kernel_w;
	int stride_h, stride_w;
	int pad_top, pad_left, pad_bottom, pad_right;
	int dilation_h, dilation_w;	/* NPU_REQUANT_ONNX only */
	int ceil_mode;			/* NPU_REQUANT_ONNX only: round output sizes up */
	int count_include_pad;		/* average: divide by the whole window, pads included */
	enum npu_requant requant;	/* whose arithmetic: TFLite (default) or ONNX Runtime */
	struct npu_out_quant out;	/* average: output quantization; scale 0 = the input's */
};
npu_status npu_net_add_pool(npu_net *net, int input, const struct npu_pool_params *p,
			    int *id);
/* [N, H, W, C] -> [N, 1, 1, C], average as above. */
npu_status npu_net_add_global_avg_pool(npu_net *net, const char *name, int input,
				       int *id);

/*
 * Element-wise a + b (same shape, both int8 or both uint8) requantized to
 * `out`, with a fused activation: residual connections. In ONNX mode b
 * may also be [1, 1, 1, C], one value per channel of a (ONNX's
 * broadcast of a [1, C, 1, 1] tensor).
 *   NPU_REQUANT_TFLITE: TFLite's integer Add (inputs shifted left by 20,
 *     rescaled by fixed-point multipliers, summed, rescaled to the output).
 *   NPU_REQUANT_ONNX: ONNX Runtime's com.microsoft QLinearAdd as its AVX2
 *     kernel computes it (two fused multiply-adds in fp32, round half to
 *     even; lib/onnx/ORT_ARITHMETIC.md), then the activation's clamp.
 *     With types that are not all one (ONNX Runtime then leaves
 *     DequantizeLinear -> Add -> QuantizeLinear unfused): the float graph,
 *     fl(fl(a - za) * sa) + fl(fl(b - zb) * sb), then QuantizeLinear.
 */
struct npu_add_params {
	const char *name;
	enum npu_requant requant;
	enum npu_act act;
	struct npu_out_quant out;
	float clip_min, clip_max;	/* NPU_ACT_CLIP: real bounds, clip_min <= clip_max */
};
npu_status npu_net_add_add(npu_net *net, int a, int b, const struct npu_add_params *p,
			   int *id);

/*
 * Softmax over channels (the last NHWC axis), computed in double from the
 * dequantized input, times beta (0 means 1). out.type NPU_FLOAT32 gives
 * probabilities; an 8-bit out.type quantizes them with out.scale and
 * out.zero_point (TFLite uses 1/256 and -128 for int8).
 */
struct npu_softmax_params {
	const char *name;
	float beta;
	struct npu_out_quant out;
};
npu_status npu_net_add_softmax(npu_net *net, int input,
			       const struct npu_softmax_params *p, int *id);

/*
 * Concatenation of n >= 1 8-bit tensors (all int8 or all uint8, same N, H,
 * W) along channels, each input requantized to `out`: ONNX Runtime's
 * QLinearConcat (NPU_REQUANT_ONNX) or TFLite's Concatenation
 * (NPU_REQUANT_TFLITE: round(s_i / s_out * (q - z_i)) + z_out in float,
 * half away from zero). NPU_E_INVAL: n < 1, NULL inputs, mismatched shapes
 * or types, bad quantization.
 */
struct npu_concat_params {
	const char *name;
	enum npu_requant requant;
	struct npu_out_quant out;
};
npu_status npu_net_add_concat(npu_net *net, const int *inputs, int n,
			      const struct npu_concat_params *p, int *id);

/*
 * Logistic sigmoid of an 8-bit tensor requantized to `out`, through a
 * 256-entry table built as ONNX Runtime's QLinearSigmoid builds it. Only
 * NPU_REQUANT_ONNX (NPU_E_UNSUPPORTED otherwise).
 */
struct npu_sigmoid_params {
	const char *name;
	enum npu_requant requant;
	struct npu_out_quant out;
};
npu_status npu_net_add_sigmoid(npu_net *net, int input,
			       const struct npu_sigmoid_params *p, int *id);

/*
 * Constant padding of an 8-bit tensor in H and W (ONNX Pad, mode
 * "constant"): value is the quantized pad value, inside the type's range.
 * Output keeps the input's type and quantization.
 */
struct npu_pad_params {
	const char *name;
	int pad_top, pad_left, pad_bottom, pad_right;	/* >= 0 */
	int value;
};
npu_status npu_net_add_pad(npu_net *net, int input, const struct npu_pad_params *p,
			   int *id);

/* float32 -> 8-bit: q = clamp(rne(x / scale) + zero_point); NaN -> zero_point. */
npu_status npu_net_add_quantize(npu_net *net, const char *name, int input,
				const struct npu_out_quant *out, int *id);
/* 8-bit -> float32: x = (q - zero_point) * scale. */
npu_status npu_net_add_dequantize(npu_net *net, const char *name, int input, int *id);
/* Same data, new NHWC shape with as many elements (dims[0..3] = n, h, w, c). */
npu_status npu_net_add_reshape(npu_net *net, const char *name, int input,
			       const int dims[4], int *id);
/* [N, H, W, C] -> [N, 1, 1, H*W*C] in NHWC element order. */
npu_status npu_net_add_flatten(npu_net *net, const char *name, int input, int *id);

/* Marks a tensor as a network output (the summary and CLI list them). */
npu_status npu_net_mark_output(npu_net *net, int id);

/*
 * Rewrites layers of a built net in place, keeping weights, weight zero
 * points, biases, requantization and clamps exactly, so every output is
 * bit-identical (an FC's OHWI weights [K][1][1][H*W*C] are the bytes of
 * the conv weights [K][H][W][C]; each output is the same int32 sum
 * requantized the same way). Names, tensors, parameters and MACs stay;
 * the report's op changes. A rewritten layer is planned again on the next
 * run (also after earlier runs).
 *   NPU_REWRITE_FC_TO_CONV: every FC layer becomes a convolution: a 1x1
 *     convolution over a 1x1 image when its input is flat (H = W = 1),
 *     otherwise a convolution whose kernel covers the whole H x W input.
 *   NPU_REWRITE_CONV_TO_FC: every convolution whose kernel covers its
 *     whole unpadded input (output 1x1; one group; no dilation) becomes an
 *     FC over the flattened input (at most 2^20 features; larger ones are
 *     left as they are).
 * Both flags swap the two kinds, each layer once. *count (may be NULL) is
 * the number of layers rewritten.
 *   NPU_E_INVAL  net is NULL, or an unknown flag
 */
#define NPU_REWRITE_FC_TO_CONV	(1u << 0)
#define NPU_REWRITE_CONV_TO_FC	(1u << 1)
npu_status npu_net_rewrite(npu_net *net, unsigned flags, int *count);

/* ------------------------------------------------------------------ */
/* Loading a network description (JSON; lib/README.md has the format)  */
/* ------------------------------------------------------------------ */

struct npu_load_opts {
	/* Overrides the file's "seed" (weights and inputs) when nonzero. */
	uint64_t seed;
	/*
	 * When nonzero, replace the height and width of every network input
	 * (all other shapes follow from them): e.g. ResNet at 32x32 for a
	 * quick test. Seeded weights are drawn for the new fan-ins.
	 */
	int input_h, input_w;
	/*
	 * When nonzero, the batch size N of every network input (images per
	 * run). 0 keeps the file's N; an ONNX input whose batch dimension is
	 * symbolic (dim_param) then gets 1.
	 */
	int batch;
	/*
	 * When nonzero, the most host memory (bytes) the net's tensors may
	 * take: a file that needs more is refused with NPU_E_NOMEM before
	 * anything is allocated past it (a guard for untrusted models).
	 */
	size_t max_bytes;
};
/*
 * Builds a net from a file: a JSON network description or an ONNX model
 * (.onnx, a serialized onnx.ModelProto), told apart by content, not by
 * the file name. Relative weight/data paths (JSON) and external tensor
 * data files (ONNX) are relative to the file's directory. JSON inputs are
 * filled (from their data files or the seed); ONNX inputs start at zero.
 *   NPU_E_IO      the file (or a weight or external data file) cannot be read
 *   NPU_E_PARSE   malformed JSON (the message has line:column) or protobuf,
 *                 unknown field, wrong value type, missing field, a layer
 *                 input that names no earlier tensor, a raw file of the wrong
 *                 size; ONNX: a cycle, a missing initializer, a type mismatch
 *   NPU_E_UNSUPPORTED  an op the library does not know (ONNX: the message
 *                 names the node, its op type, domain and opset)
 *   NPU_E_INVAL   a layer is impossible (bad shape or quantization)
 *   NPU_E_OVERFLOW  a dimension or size beyond what the library handles
 * Nothing is built on failure (*out is NULL).
 */
npu_status npu_net_load(npu_ctx *ctx, const char *path, const struct npu_load_opts *o,
			npu_net **out);
/* The same from a string; base_dir resolves relative paths (NULL = "."). */
npu_status npu_net_load_string(npu_ctx *ctx, const char *json, const char *base_dir,
			       const struct npu_load_opts *o, npu_net **out);
/*
 * The same from bytes in memory (JSON or ONNX, told apart by content);
 * name is used in messages. base_dir as above.
 */
npu_status npu_net_load_buffer(npu_ctx *ctx, const void *data, size_t bytes,
			       const char *name, const char *base_dir,
			       const struct npu_load_opts *o, npu_net **out);

/*
 * A net's metadata: ONNX metadata_props (key -> value), plus "producer"
 * (producer_name and version) and "domain" of an ONNX model. By convention
 * "classes" holds the class names of a classifier's output channels,
 * separated by commas. NULL when the key is absent. Owned by the net.
 */
const char *npu_net_metadata(const npu_net *net, const char *key);
/*
 * Adds or replaces a metadata entry (both strings are copied).
 * NPU_E_INVAL for a NULL argument, NPU_E_NOMEM.
 */
npu_status npu_net_set_metadata(npu_net *net, const char *key, const char *value);

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

int npu_net_num_tensors(const npu_net *net);
npu_status npu_net_tensor_info(const npu_net *net, int id, struct npu_tensor_info *info);
/* -1 when no tensor has this name. */
int npu_net_find_tensor(const npu_net *net, const char *name);
/* Ids of the tensors added with npu_net_add_input / marked as outputs. */
int npu_net_num_inputs(const npu_net *net);
int npu_net_input_id(const npu_net *net, int i);
int npu_net_num_outputs(const npu_net *net);
int npu_net_output_id(const npu_net *net, int i);

/*
 * Copies an input's data in. layout is NPU_NHWC or NPU_NCHW; bytes must
 * be the tensor's exact size (NPU_E_INVAL otherwise).
 */
npu_status npu_net_set_input(npu_net *net, int id, enum npu_layout layout,
			     const void *data, size_t bytes);
/*
 * Image n (0 <= n < N) of a batched tensor: the same as set_input /
 * get_output for one image; bytes must be one image's exact size
 * (H*W*C elements). NPU_E_INVAL for a bad id, n, layout or size.
 */
npu_status npu_net_set_input_image(npu_net *net, int id, int n, enum npu_layout layout,
				   const void *data, size_t bytes);
npu_status npu_net_get_output_image(npu_net *net, int id, int n, enum npu_layout layout,
				    void *buf, size_t bytes);
/* Fills an input with seeded uniform values over its type's range. */
npu_status npu_net_fill_input(npu_net *net, int id, uint64_t seed);

/*
 * Called before each layer runs (layer index, count, layer name), so a
 * caller can draw a progress line. Runs on the calling thread.
 */
typedef void (*npu_progress_fn)(void *user, int layer, int layers, const char *name);
void npu_net_set_progress(npu_net *net, npu_progress_fn fn, void *user);

/*
 * Runs every layer in order. The first run prepares the net (plans the
 * device layers, which uploads their weights). With check mode, every
 * conv/FC layer (device, CPU backend or fallback) is compared bit for bit
 * with npu_ref_conv; the first mismatch stops the run with
 * NPU_E_MISMATCH and a message naming the layer, the first differing NHWC
 * coordinate, expected and actual values and the number of differing
 * elements (also in the layer report).
 *
 * Device memory is used layer by layer, so a net may need more than the
 * device has: a layer's weights and channel records stay resident while
 * memory allows and are evicted, least recently used first, when another
 * layer needs the room (uploaded again before that layer's next run: the
 * report's reload_bytes); input and output buffers exist only while the
 * layer runs. A layer that cannot fit even with nothing else resident runs
 * on the CPU and its report says "cpu (fallback: needs N MiB of device
 * memory (input ..., output ..., weights ..., channel records ...) ...)".
 *   NPU_E_STATE   the net has no layers
 *   NPU_E_DEVICE, NPU_E_TIMEOUT, NPU_E_NOMEM  from the backend (NPU_E_NOMEM:
 *                 host memory; running out of device memory is not an error)
 */
npu_status npu_net_run(npu_net *net);

/* Copies a tensor's data out (after a run), converted to `layout`. */
npu_status npu_net_get_output(npu_net *net, int id, enum npu_layout layout,
			      void *buf, size_t bytes);

/* ------------------------------------------------------------------ */
/* Summary and report                                                  */
/* ------------------------------------------------------------------ */

enum npu_check_result {
	NPU_CHECK_NONE = 0,	/* not checked (check mode off, or not a conv/FC) */
	NPU_CHECK_PASS = 1,	/* bit-exact with the reference */
	NPU_CHECK_MISMATCH = 2,	/* differs: see first_diff, expected, actual */
};

struct npu_layer_report {
	/* Summary: known once the layer is added. */
	const char *name;		/* owned by the net */
	const char *op;			/* "conv2d", "depthwise", "fc", "maxpool", ... */
	int out_dims[4];		/* NHWC */
	enum npu_type out_type;
	uint64_t params;		/* conv: K*kh*kw*C/groups + K; FC: N*M + M; else 0 */
	uint64_t macs;

	/* Run figures: valid when ran != 0. */
	int ran;
	int on_device;			/* 1: on the accelerator */
	const char *where;		/* "sim", "drm", "cpu", "cpu (fallback: <why>)" */
	uint64_t cycles;		/* device cycles, doorbell to interrupt */
	uint64_t mac_active;		/* cycles the MAC array computed */
	uint64_t dram_read, dram_written;
	uint64_t dram_compulsory;	/* input + weights + params + output once */
	uint64_t dram_planned;		/* what the tiler planned to move */
	unsigned descriptors, jobs;
	uint64_t reload_bytes;		/* weights + records uploaded again for this run
					   (evicted earlier to make room for other layers) */
	double seconds;			/* wall time of the layer (check excluded) */

	enum npu_check_result check;
	uint64_t mismatches;		/* differing elements */
	int first_diff[4];		/* NHWC coordinate of the first one */
	int32_t expected, actual;	/* values there */
};

int npu_net_num_layers(const npu_net *net);
npu_status npu_net_layer_report(const npu_net *net, int i, struct npu_layer_report *r);

struct npu_net_totals {
	int layers, device_layers, fallback_layers;
	uint64_t params, macs;
	uint64_t cycles, mac_active;
	uint64_t dram_read, dram_written, dram_compulsory;
	uint64_t reload_bytes;		/* bytes: the layers' reload_bytes summed */
	double seconds;			/* wall time of the last run */
	double device_seconds;		/* wall time of layers that ran on the device */
	int checked, mismatched;	/* layers */
};
npu_status npu_net_totals(const npu_net *net, struct npu_net_totals *t);

#ifdef __cplusplus
}
#endif

#endif /* NPU_H */
