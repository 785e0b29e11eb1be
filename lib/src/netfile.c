/* SPDX-License-Identifier: MIT */
/*
 * Network descriptions (JSON, parsed by jansson; lib/README.md documents
 * the format). The loader reads the file, checks every field (unknown
 * fields are errors, so that a typo never silently means a default) and
 * builds the net through the public API. Weights come from raw files or a
 * seed; synthetic layers get their scales from synth.c.
 */
#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_internal.h"
#include "synth.h"

/* Weights larger than this are a mistake in a description, not a network. */
#define MAX_WEIGHT_BYTES (UINT64_C(1) << 31)

struct loader {
	npu_ctx *ctx;
	npu_net *net;
	const char *src;		/* file name for messages */
	const char *base_dir;		/* relative paths start here */
	uint64_t seed;
	enum npu_type type;		/* default activation and weight type */
	enum npu_requant requant;	/* default requantization mode */
	enum npu_layout layout;		/* of input shapes, data and weight files */
	int input_h, input_w;		/* overrides, or 0 */
	int batch;			/* override, or 0 */
	size_t max_bytes;		/* limit of the net's tensors, or 0 */
	struct npu_stats *stats;	/* per tensor id */
	int cap_stats;
	int prev;			/* output of the previous layer */
	char where[160];		/* "layer 3 'conv2'" */
};

static npu_status lfail(struct loader *L, npu_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static npu_status lfail(struct loader *L, npu_status st, const char *fmt, ...)
{
	char msg[NPU_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return npu_fail(L->ctx, st, "%s: %s: %s", L->src, L->where, msg);
}

/* An API call failed: its message is already there; say which file. */
static npu_status api_fail(struct loader *L, npu_status st)
{
	char msg[NPU_MSG_LEN];

	snprintf(msg, sizeof(msg), "%s", L->ctx->err);
	return npu_fail(L->ctx, st, "%s: %s: %s", L->src, L->where, msg);
}

/* ---- field access ----------------------------------------------------- */

static npu_status check_keys(struct loader *L, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *val;
	int i;

	json_object_foreach(obj, key, val) {
		for (i = 0; allowed[i]; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (!allowed[i])
			return lfail(L, NPU_E_PARSE, "unknown field '%s'", key);
	}
	return NPU_OK;
}

static npu_status to_int(struct loader *L, const char *key, json_t *v, int *out)
{
	json_int_t i;

	if (!json_is_integer(v))
		return lfail(L, NPU_E_PARSE, "'%s' must be an integer", key);
	i = json_integer_value(v);
	if (i < INT_MIN || i > INT_MAX)
		return lfail(L, NPU_E_PARSE, "'%s' = %lld does not fit an int", key,
			     (long long)i);
	*out = (int)i;
	return NPU_OK;
}

/* Optional integer (def when missing). */
static npu_status get_int(struct loader *L, json_t *obj, const char *key, int def, int *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		*out = def;
		return NPU_OK;
	}
	return to_int(L, key, v, out);
}

static npu_status need(struct loader *L, json_t *obj, const char *key)
{
	return json_object_get(obj, key) ? NPU_OK
					 : lfail(L, NPU_E_PARSE, "missing field '%s'", key);
}

/* n integers: a single integer means all n equal. */
static npu_status get_ints(struct loader *L, json_t *obj, const char *key, int n, int def,
			   int *out)
{
	json_t *v = json_object_get(obj, key);
	npu_status st;
	size_t i;
	int k;

	if (!v || json_is_integer(v)) {
		if ((st = get_int(L, obj, key, def, &out[0])) != NPU_OK)
			return st;
		for (k = 1; k < n; k++)
			out[k] = out[0];
		return NPU_OK;
	}
	if (!json_is_array(v) || json_array_size(v) != (size_t)n)
		return lfail(L, NPU_E_PARSE, "'%s' must be an integer or an array of %d", key,
			     n);
	for (i = 0; i < (size_t)n; i++)
		if ((st = to_int(L, key, json_array_get(v, i), &out[i])) != NPU_OK)
			return st;
	return NPU_OK;
}

static npu_status get_number(struct loader *L, json_t *obj, const char *key, double def,
			     double *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		*out = def;
		return NPU_OK;
	}
	if (!json_is_number(v))
		return lfail(L, NPU_E_PARSE, "'%s' must be a number", key);
	*out = json_number_value(v);
	return NPU_OK;
}

static npu_status get_string(struct loader *L, json_t *obj, const char *key,
			     const char *def, const char **out)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		*out = def;
		return NPU_OK;
	}
	if (!json_is_string(v))
		return lfail(L, NPU_E_PARSE, "'%s' must be a string", key);
	*out = json_string_value(v);
	return NPU_OK;
}

/* A string field that names one of a few values. */
static npu_status get_choice(struct loader *L, json_t *obj, const char *key,
			     const char *const *names, const int *values, int def, int *out)
{
	const char *s = NULL;
	npu_status st;
	char list[128] = "";
	int i;

	if ((st = get_string(L, obj, key, NULL, &s)) != NPU_OK)
		return st;
	if (!s) {
		*out = def;
		return NPU_OK;
	}
	for (i = 0; names[i]; i++) {
		if (!strcmp(s, names[i])) {
			*out = values[i];
			return NPU_OK;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", names[i]);
	}
	return lfail(L, NPU_E_PARSE, "'%s' is \"%s\"; expected one of %s", key, s, list);
}

static const char *const type_names[] = { "int8", "uint8", "int32", "float32", NULL };
static const int type_values[] = { NPU_INT8, NPU_UINT8, NPU_INT32, NPU_FLOAT32 };

static npu_status get_type(struct loader *L, json_t *obj, const char *key,
			   enum npu_type def, enum npu_type *out)
{
	int v;
	npu_status st = get_choice(L, obj, key, type_names, type_values, (int)def, &v);

	*out = (enum npu_type)v;
	return st;
}

/*
 * "act": "none", "relu", "relu6" or "clip"; "clip": [min, max] (real
 * bounds) goes with "clip" and nothing else.
 */
static npu_status get_act(struct loader *L, json_t *obj, enum npu_act *out, float *clip_min,
			  float *clip_max)
{
	static const char *const names[] = { "none", "relu", "relu6", "clip", NULL };
	static const int values[] = { NPU_ACT_NONE, NPU_ACT_RELU, NPU_ACT_RELU6,
				      NPU_ACT_CLIP };
	json_t *c = json_object_get(obj, "clip");
	int v;
	npu_status st = get_choice(L, obj, "act", names, values, NPU_ACT_NONE, &v);

	*out = (enum npu_act)v;
	*clip_min = *clip_max = 0.0f;
	if (st != NPU_OK)
		return st;
	if (*out != NPU_ACT_CLIP)
		return c ? lfail(L, NPU_E_PARSE, "'clip' goes with \"act\": \"clip\" only")
			 : NPU_OK;
	if (!c)
		return lfail(L, NPU_E_PARSE, "\"act\": \"clip\" needs \"clip\": [min, max]");
	if (!json_is_array(c) || json_array_size(c) != 2 ||
	    !json_is_number(json_array_get(c, 0)) || !json_is_number(json_array_get(c, 1)))
		return lfail(L, NPU_E_PARSE, "'clip' must be [min, max], two numbers");
	for (int i = 0; i < 2; i++) {
		double v = json_number_value(json_array_get(c, i));

		if (!(fabs(v) <= FLT_MAX))
			return lfail(L, NPU_E_PARSE, "'clip' bound %g is beyond float's range", v);
		*(i ? clip_max : clip_min) = (float)v;
	}
	return NPU_OK;
}

/*
 * The activation the synthetic scales model: a clip that keeps only
 * non-negative values is one-sided like ReLU; any other clip is modelled
 * as no activation (both sides of zero are kept).
 */
static enum npu_act synth_act(enum npu_act act, float clip_min)
{
	if (act == NPU_ACT_CLIP)
		return clip_min >= 0.0f ? NPU_ACT_RELU : NPU_ACT_NONE;
	return act;
}

static npu_status get_requant(struct loader *L, json_t *obj, enum npu_requant def,
			      enum npu_requant *out)
{
	static const char *const names[] = { "tflite", "onnx", NULL };
	static const int values[] = { NPU_REQUANT_TFLITE, NPU_REQUANT_ONNX };
	int v;
	npu_status st = get_choice(L, obj, "requant", names, values, (int)def, &v);

	*out = (enum npu_requant)v;
	return st;
}

/*
 * "pad": integer, [top, left, bottom, right], "valid" or "same" (TensorFlow:
 * out = ceil(in / stride), the odd pixel of padding at the bottom/right).
 */
static npu_status get_pads(struct loader *L, json_t *obj, const int in_hw[2],
			   const int k[2], const int stride[2], const int dil[2], int pads[4])
{
	json_t *v = json_object_get(obj, "pad");
	int i;

	if (v && json_is_string(v)) {
		const char *s = json_string_value(v);

		memset(pads, 0, 4 * sizeof(int));
		if (!strcmp(s, "valid"))
			return NPU_OK;
		if (strcmp(s, "same"))
			return lfail(L, NPU_E_PARSE, "'pad' is \"%s\"; expected \"same\", "
				     "\"valid\", an integer or [top, left, bottom, right]", s);
		for (i = 0; i < 2; i++) {
			int64_t s_ = stride[i] > 0 ? stride[i] : 1;
			int64_t out = (in_hw[i] + s_ - 1) / s_;
			int64_t eff = (int64_t)(k[i] - 1) * (dil[i] > 0 ? dil[i] : 1) + 1;
			int64_t total = (out - 1) * s_ + eff - in_hw[i];

			if (total < 0)
				total = 0;
			if (total > INT_MAX)
				return lfail(L, NPU_E_PARSE, "'same' padding is too large");
			pads[i] = (int)(total / 2);		/* top, left */
			pads[i + 2] = (int)(total - total / 2);	/* bottom, right */
		}
		return NPU_OK;
	}
	return get_ints(L, obj, "pad", 4, 0, pads);
}

/* ---- files ------------------------------------------------------------ */

static npu_status read_file(struct loader *L, const char *rel, size_t want, void **out)
{
	char path[4096];
	FILE *f;
	long size;
	void *buf;

	if (rel[0] == '/')
		snprintf(path, sizeof(path), "%s", rel);
	else
		snprintf(path, sizeof(path), "%s/%s", L->base_dir, rel);
	f = fopen(path, "rb");
	if (!f)
		return lfail(L, NPU_E_IO, "cannot open %s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return lfail(L, NPU_E_IO, "cannot read %s: %s", path, strerror(errno));
	}
	if ((unsigned long)size != want) {
		fclose(f);
		return lfail(L, NPU_E_PARSE, "%s has %ld bytes; the layer needs %zu", path,
			     size, want);
	}
	buf = malloc(want ? want : 1);
	if (!buf) {
		fclose(f);
		return lfail(L, NPU_E_NOMEM, "out of memory reading %s", path);
	}
	if (fread(buf, 1, want, f) != want) {
		free(buf);
		fclose(f);
		return lfail(L, NPU_E_IO, "short read from %s", path);
	}
	fclose(f);
	*out = buf;
	return NPU_OK;
}

/* Little-endian int32 words of a file, in host order. */
static npu_status read_int32s(struct loader *L, const char *rel, size_t n, int32_t **out)
{
	uint8_t *b;
	size_t i;
	npu_status st = read_file(L, rel, n * 4, (void **)&b);

	if (st != NPU_OK)
		return st;
	for (i = 0; i < n; i++) {
		uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
			     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
		int32_t v;

		memcpy(&v, &u, sizeof(v));
		memcpy(b + 4 * i, &v, sizeof(v));
	}
	*out = (int32_t *)b;
	return NPU_OK;
}

/* ---- tensors and statistics ------------------------------------------- */

static npu_status set_stats(struct loader *L, int id, struct npu_stats s)
{
	if (id >= L->cap_stats) {
		int cap = L->cap_stats ? L->cap_stats * 2 : 64;
		struct npu_stats *p;

		while (cap <= id)
			cap *= 2;
		p = realloc(L->stats, (size_t)cap * sizeof(*p));
		if (!p)
			return lfail(L, NPU_E_NOMEM, "out of memory");
		L->stats = p;
		L->cap_stats = cap;
	}
	L->stats[id] = s;
	return NPU_OK;
}

/* The layer's input: "input" names a network input or an earlier layer. */
static npu_status resolve(struct loader *L, json_t *v, const char *key, int *id)
{
	const char *name;

	if (!json_is_string(v))
		return lfail(L, NPU_E_PARSE, "'%s' must be a tensor name", key);
	name = json_string_value(v);
	*id = npu_net_find_tensor(L->net, name);
	if (*id < 0)
		return lfail(L, NPU_E_PARSE,
			     "'%s' names '%s', which is neither a network input nor an "
			     "earlier layer", key, name);
	return NPU_OK;
}

static npu_status layer_input(struct loader *L, json_t *layer, int *id)
{
	json_t *v = json_object_get(layer, "input");

	if (v)
		return resolve(L, v, "input", id);
	if (L->prev < 0)
		return lfail(L, NPU_E_PARSE, "no 'input' and no earlier layer or input");
	*id = L->prev;
	return NPU_OK;
}

static npu_status out_quant(struct loader *L, json_t *obj, enum npu_type def_type,
			    struct npu_out_quant *q)
{
	static const char *const keys[] = { "type", "scale", "zero_point", NULL };
	double scale = 1.0;
	npu_status st;

	if (!json_is_object(obj))
		return lfail(L, NPU_E_PARSE, "'output' must be an object");
	if ((st = check_keys(L, obj, keys)) != NPU_OK ||
	    (st = get_type(L, obj, "type", def_type, &q->type)) != NPU_OK ||
	    (st = get_number(L, obj, "scale", 1.0, &scale)) != NPU_OK ||
	    (st = get_int(L, obj, "zero_point", 0, &q->zero_point)) != NPU_OK)
		return st;
	if ((q->type == NPU_INT8 || q->type == NPU_UINT8) &&
	    (st = need(L, obj, "scale")) != NPU_OK)
		return st;
	q->scale = (float)scale;
	return NPU_OK;
}

/* ---- conv and FC ------------------------------------------------------ */

struct conv_src {
	struct npu_weights w;
	void *data;
	float *scales;
	int32_t *zps, *bias;
	struct npu_out_quant out;
	struct npu_stats out_stats;
};

static void conv_src_free(struct conv_src *c)
{
	free(c->data);
	free(c->scales);
	free(c->zps);
	free(c->bias);
}

/* A number or an array of K numbers -> floats. */
static npu_status scale_list(struct loader *L, json_t *v, int K, float **out, int *n)
{
	size_t i, len = json_is_array(v) ? json_array_size(v) : 1;

	if (!json_is_number(v) && !(json_is_array(v) && (len == 1 || len == (size_t)K)))
		return lfail(L, NPU_E_PARSE, "'scale' must be a number or an array of %d", K);
	*out = malloc(len * sizeof(float));
	if (!*out)
		return lfail(L, NPU_E_NOMEM, "out of memory");
	*n = (int)len;
	for (i = 0; i < len; i++) {
		json_t *e = json_is_array(v) ? json_array_get(v, i) : v;

		if (!json_is_number(e))
			return lfail(L, NPU_E_PARSE, "'scale' entries must be numbers");
		(*out)[i] = (float)json_number_value(e);
	}
	return NPU_OK;
}

static npu_status zp_list(struct loader *L, json_t *v, int K, int32_t **out, int *n)
{
	size_t i, len = json_is_array(v) ? json_array_size(v) : 1;
	int z;
	npu_status st;

	if (!json_is_integer(v) && !(json_is_array(v) && (len == 1 || len == (size_t)K)))
		return lfail(L, NPU_E_PARSE, "'zero_point' must be an integer or an array of %d",
			     K);
	*out = malloc(len * sizeof(int32_t));
	if (!*out)
		return lfail(L, NPU_E_NOMEM, "out of memory");
	*n = (int)len;
	for (i = 0; i < len; i++) {
		if ((st = to_int(L, "zero_point", json_is_array(v) ? json_array_get(v, i) : v,
				 &z)) != NPU_OK)
			return st;
		(*out)[i] = z;
	}
	return NPU_OK;
}

/*
 * Weights, bias and output quantization of a conv/FC with K outputs and
 * fan_in weights each; `in` is the input tensor id.
 */
static npu_status conv_source(struct loader *L, json_t *layer, const char *name, int in,
			      int K, uint64_t fan_in, enum npu_act act, struct conv_src *c)
{
	static const char *const wkeys[] = { "seed", "file", "layout", "type", "scale",
					     "zero_point", NULL };
	static const char *const bkeys[] = { "seed", "file", NULL };
	static const char *const layout_names[] = { "OHWI", "OIHW", NULL };
	static const int layout_values[] = { NPU_OHWI, NPU_OIHW };
	json_t *jw = json_object_get(layer, "weights"), *jb = json_object_get(layer, "bias");
	json_t *jo = json_object_get(layer, "output"), *v;
	const struct npu_tensor *t = &L->net->tensors[in];
	struct npu_synth_conv sc = { 0 };
	struct npu_rng wr, br;
	const char *file = NULL;
	uint64_t n = (uint64_t)K * fan_in;
	json_int_t seed;
	npu_status st;
	int lay, k, scales_given;

	if (!jw)
		jw = json_object();
	else
		json_incref(jw);
	if (!json_is_object(jw)) {
		json_decref(jw);
		return lfail(L, NPU_E_PARSE, "'weights' must be an object");
	}
	st = check_keys(L, jw, wkeys);
	if (st == NPU_OK)
		st = get_string(L, jw, "file", NULL, &file);
	if (st == NPU_OK)
		st = get_type(L, jw, "type", L->type == NPU_UINT8 ? NPU_UINT8 : NPU_INT8,
			      &c->w.type);
	if (st == NPU_OK)
		st = get_choice(L, jw, "layout", layout_names, layout_values,
				L->layout == NPU_NCHW ? NPU_OIHW : NPU_OHWI, &lay);
	if (st == NPU_OK && n > MAX_WEIGHT_BYTES)
		st = lfail(L, NPU_E_INVAL, "%llu weights is more than this loader accepts",
			   (unsigned long long)n);
	if (st == NPU_OK && (v = json_object_get(jw, "zero_point")))
		st = zp_list(L, v, K, &c->zps, &c->w.n_zero_points);
	if (st == NPU_OK && (v = json_object_get(jw, "scale")))
		st = scale_list(L, v, K, &c->scales, &c->w.n_scales);
	seed = (json_int_t)npu_rng_derive(L->seed, name);
	if (st == NPU_OK && (v = json_object_get(jw, "seed"))) {
		if (!json_is_integer(v) || file)
			st = lfail(L, NPU_E_PARSE, "weights 'seed' must be an integer (and "
				   "not given with 'file')");
		seed = json_integer_value(v);
	}
	json_decref(jw);
	if (st != NPU_OK)
		return st;
	c->w.layout = (enum npu_layout)lay;
	c->w.zero_points = c->zps;
	if (!c->zps) {
		/*
		 * Not given: 0 for every type, as the API (NULL zero points) and
		 * ONNX (an absent zero-point input) have it (lib/README.md,
		 * "Defaults: one rule"). Seeded weights are drawn around it too.
		 */
		c->zps = malloc(sizeof(int32_t));
		if (!c->zps)
			return lfail(L, NPU_E_NOMEM, "out of memory");
		c->zps[0] = 0;
		c->w.zero_points = c->zps;
		c->w.n_zero_points = 1;
	}
	wr.s = (uint64_t)seed;
	br.s = npu_rng_derive((uint64_t)seed, "bias");

	if (file) {
		if (!c->scales)
			return lfail(L, NPU_E_PARSE, "weights from a file need their 'scale'");
		if ((st = read_file(L, file, (size_t)n, &c->data)) != NPU_OK)
			return st;
	} else {
		c->data = malloc(n ? (size_t)n : 1);
		if (!c->data)
			return lfail(L, NPU_E_NOMEM, "out of memory for %llu weights",
				     (unsigned long long)n);
		for (k = 0; k < K; k++)
			npu_synth_fill(&wr, c->w.type,
				       c->zps[c->w.n_zero_points == 1 ? 0 : k],
				       (char *)c->data + (size_t)k * fan_in, (size_t)fan_in);
	}
	c->w.data = c->data;

	sc.in_scale = t->scale;
	sc.acc_m2 = npu_synth_acc_m2(c->data, c->w.type, c->zps, c->w.n_zero_points, K,
				     fan_in, L->stats[in]);
	sc.act = act;	/* synth_act() of the layer's activation */
	sc.out_type = L->type;
	scales_given = c->scales != NULL;
	if (!scales_given) {
		c->scales = malloc((size_t)K * sizeof(float));
		if (!c->scales)
			return lfail(L, NPU_E_NOMEM, "out of memory");
		c->w.n_scales = K;
	}
	c->w.scales = c->scales;
	if (jo && (st = out_quant(L, jo, L->type, &c->out)) != NPU_OK)
		return st;
	npu_synth_conv_quant(&sc, &wr, c->scales, c->w.n_scales, scales_given, &c->out,
			     jo != NULL, &c->out_stats);

	/* Bias: seeded by default when the weights are, absent for file weights. */
	if (jb && json_is_string(jb) && !strcmp(json_string_value(jb), "none"))
		return NPU_OK;
	if (jb && !json_is_object(jb))
		return lfail(L, NPU_E_PARSE, "'bias' must be \"none\" or an object");
	if (jb && (st = check_keys(L, jb, bkeys)) != NPU_OK)
		return st;
	if (jb && (v = json_object_get(jb, "file")))
		return json_is_string(v) ? read_int32s(L, json_string_value(v), (size_t)K,
						       &c->bias)
					 : lfail(L, NPU_E_PARSE, "bias 'file' must be a string");
	if (!jb && file)
		return NPU_OK;
	if (jb && (v = json_object_get(jb, "seed"))) {
		if (!json_is_integer(v))
			return lfail(L, NPU_E_PARSE, "bias 'seed' must be an integer");
		br.s = (uint64_t)json_integer_value(v);
	}
	c->bias = malloc((size_t)K * sizeof(int32_t));
	if (!c->bias)
		return lfail(L, NPU_E_NOMEM, "out of memory");
	npu_synth_bias(&sc, &br, c->bias, K);
	return NPU_OK;
}

static npu_status load_conv(struct loader *L, json_t *layer, const char *name, int in,
			    int *out)
{
	const struct npu_tensor *t = &L->net->tensors[in];
	struct npu_conv2d_params p = { .name = name };
	struct conv_src c = { 0 };
	int k[2], stride[2], dil[2], pads[4];
	json_t *g = json_object_get(layer, "groups");
	npu_status st;

	if ((st = need(L, layer, "filters")) != NPU_OK ||
	    (st = need(L, layer, "kernel")) != NPU_OK ||
	    (st = get_int(L, layer, "filters", 0, &p.out_channels)) != NPU_OK ||
	    (st = get_ints(L, layer, "kernel", 2, 1, k)) != NPU_OK ||
	    (st = get_ints(L, layer, "stride", 2, 1, stride)) != NPU_OK ||
	    (st = get_ints(L, layer, "dilation", 2, 1, dil)) != NPU_OK ||
	    (st = get_pads(L, layer, &t->dims[1], k, stride, dil, pads)) != NPU_OK ||
	    (st = get_act(L, layer, &p.act, &p.clip_min, &p.clip_max)) != NPU_OK ||
	    (st = get_requant(L, layer, L->requant, &p.requant)) != NPU_OK)
		return st;
	if (g && json_is_string(g) && !strcmp(json_string_value(g), "depthwise"))
		p.groups = t->dims[3];
	else if ((st = get_int(L, layer, "groups", 1, &p.groups)) != NPU_OK)
		return st;
	p.kernel_h = k[0];
	p.kernel_w = k[1];
	p.stride_h = stride[0];
	p.stride_w = stride[1];
	p.dilation_h = dil[0];
	p.dilation_w = dil[1];
	p.pad_top = pads[0];
	p.pad_left = pads[1];
	p.pad_bottom = pads[2];
	p.pad_right = pads[3];
	/* Shapes the conv itself would refuse must not size any buffer here. */
	if (p.out_channels < 1 || k[0] < 1 || k[1] < 1 || p.groups < 1 ||
	    t->dims[3] % p.groups || p.out_channels % p.groups)
		return lfail(L, NPU_E_INVAL,
			     "filters %d, kernel %dx%d, groups %d do not fit %d input channels",
			     p.out_channels, k[0], k[1], p.groups, t->dims[3]);
	st = conv_source(L, layer, name, in, p.out_channels,
			 (uint64_t)k[0] * k[1] * (t->dims[3] / p.groups),
			 synth_act(p.act, p.clip_min), &c);
	if (st == NPU_OK) {
		p.weights = c.w;
		p.weights.bias = c.bias;
		p.out = c.out;
		st = npu_net_add_conv2d(L->net, in, &p, out);
		if (st != NPU_OK)
			st = api_fail(L, st);
		else
			st = set_stats(L, *out, c.out_stats);
	}
	conv_src_free(&c);
	return st;
}

static npu_status load_fc(struct loader *L, json_t *layer, const char *name, int in,
			  int *out)
{
	const struct npu_tensor *t = &L->net->tensors[in];
	struct npu_fc_params p = { .name = name };
	struct conv_src c = { 0 };
	npu_status st;

	if ((st = need(L, layer, "units")) != NPU_OK ||
	    (st = get_int(L, layer, "units", 0, &p.units)) != NPU_OK ||
	    (st = get_act(L, layer, &p.act, &p.clip_min, &p.clip_max)) != NPU_OK ||
	    (st = get_requant(L, layer, L->requant, &p.requant)) != NPU_OK)
		return st;
	if (p.units < 1)
		return lfail(L, NPU_E_INVAL, "'units' must be >= 1");
	st = conv_source(L, layer, name, in, p.units,
			 (uint64_t)t->dims[1] * t->dims[2] * t->dims[3],
			 synth_act(p.act, p.clip_min), &c);
	if (st == NPU_OK) {
		p.weights = c.w;
		p.weights.bias = c.bias;
		p.out = c.out;
		st = npu_net_add_fc(L->net, in, &p, out);
		if (st != NPU_OK)
			st = api_fail(L, st);
		else
			st = set_stats(L, *out, c.out_stats);
	}
	conv_src_free(&c);
	return st;
}

/* ---- CPU ops ---------------------------------------------------------- */

static npu_status load_pool(struct loader *L, json_t *layer, const char *name, int in,
			    int *out, enum npu_pool_kind kind)
{
	const struct npu_tensor *t = &L->net->tensors[in];
	struct npu_pool_params p = { .name = name, .kind = kind };
	int k[2], stride[2], pads[4];
	static const int one[2] = { 1, 1 };
	npu_status st;

	if ((st = need(L, layer, "kernel")) != NPU_OK ||
	    (st = get_ints(L, layer, "kernel", 2, 1, k)) != NPU_OK ||
	    (st = get_ints(L, layer, "stride", 2, 1, stride)) != NPU_OK ||
	    (st = get_pads(L, layer, &t->dims[1], k, stride, one, pads)) != NPU_OK)
		return st;
	p.kernel_h = k[0];
	p.kernel_w = k[1];
	p.stride_h = stride[0];
	p.stride_w = stride[1];
	p.pad_top = pads[0];
	p.pad_left = pads[1];
	p.pad_bottom = pads[2];
	p.pad_right = pads[3];
	if ((st = npu_net_add_pool(L->net, in, &p, out)) != NPU_OK)
		return api_fail(L, st);
	return set_stats(L, *out, npu_synth_pool(L->stats[in], kind == NPU_POOL_MAX,
						 (uint64_t)k[0] * k[1]));
}

static npu_status load_maxpool(struct loader *L, json_t *layer, const char *name, int in,
			       int *out)
{
	return load_pool(L, layer, name, in, out, NPU_POOL_MAX);
}

static npu_status load_avgpool(struct loader *L, json_t *layer, const char *name, int in,
			       int *out)
{
	return load_pool(L, layer, name, in, out, NPU_POOL_AVG);
}

static npu_status load_gap(struct loader *L, json_t *layer, const char *name, int in,
			   int *out)
{
	const struct npu_tensor *t = &L->net->tensors[in];
	uint64_t taps = (uint64_t)t->dims[1] * t->dims[2];
	npu_status st;

	(void)layer;
	if ((st = npu_net_add_global_avg_pool(L->net, name, in, out)) != NPU_OK)
		return api_fail(L, st);
	return set_stats(L, *out, npu_synth_pool(L->stats[in], 0, taps));
}

static npu_status load_add(struct loader *L, json_t *layer, const char *name, int in,
			   int *out)
{
	struct npu_add_params p = { .name = name };
	json_t *ins = json_object_get(layer, "inputs"), *jo = json_object_get(layer, "output");
	struct npu_stats s;
	int a, b;
	npu_status st;

	(void)in;
	if (!json_is_array(ins) || json_array_size(ins) != 2)
		return lfail(L, NPU_E_PARSE, "'inputs' must name the two tensors to add");
	if ((st = resolve(L, json_array_get(ins, 0), "inputs", &a)) != NPU_OK ||
	    (st = resolve(L, json_array_get(ins, 1), "inputs", &b)) != NPU_OK ||
	    (st = get_act(L, layer, &p.act, &p.clip_min, &p.clip_max)) != NPU_OK ||
	    (st = get_requant(L, layer, L->requant, &p.requant)) != NPU_OK)
		return st;
	npu_synth_add_quant(L->net->tensors[a].scale, L->stats[a], L->net->tensors[b].scale,
			    L->stats[b], synth_act(p.act, p.clip_min), L->net->tensors[a].type,
			    &p.out, &s);
	if (jo && (st = out_quant(L, jo, L->net->tensors[a].type, &p.out)) != NPU_OK)
		return st;
	if ((st = npu_net_add_add(L->net, a, b, &p, out)) != NPU_OK)
		return api_fail(L, st);
	return set_stats(L, *out, s);
}

static const struct npu_stats float_stats = { 0.0, 1.0 };

static npu_status load_softmax(struct loader *L, json_t *layer, const char *name, int in,
			       int *out)
{
	struct npu_softmax_params p = { .name = name, .out = { NPU_FLOAT32, 1.0f, 0 } };
	json_t *jo = json_object_get(layer, "output");
	double beta = 1.0;
	npu_status st;

	if ((st = get_number(L, layer, "beta", 1.0, &beta)) != NPU_OK)
		return st;
	p.beta = (float)beta;
	if (jo && (st = out_quant(L, jo, NPU_FLOAT32, &p.out)) != NPU_OK)
		return st;
	if ((st = npu_net_add_softmax(L->net, in, &p, out)) != NPU_OK)
		return api_fail(L, st);
	return set_stats(L, *out, float_stats);
}

static npu_status load_quantize(struct loader *L, json_t *layer, const char *name, int in,
				int *out)
{
	json_t *jo = json_object_get(layer, "output");
	struct npu_out_quant q;
	struct npu_stats s;
	npu_status st;

	npu_synth_quantize(L->stats[in], L->type == NPU_UINT8 ? NPU_UINT8 : NPU_INT8, &q, &s);
	if (jo && (st = out_quant(L, jo, q.type, &q)) != NPU_OK)
		return st;
	if ((st = npu_net_add_quantize(L->net, name, in, &q, out)) != NPU_OK)
		return api_fail(L, st);
	return set_stats(L, *out, s);
}

static npu_status load_dequantize(struct loader *L, json_t *layer, const char *name,
				  int in, int *out)
{
	npu_status st;

	(void)layer;
	if ((st = npu_net_add_dequantize(L->net, name, in, out)) != NPU_OK)
		return api_fail(L, st);
	return set_stats(L, *out, float_stats);
}

static npu_status load_reshape(struct loader *L, json_t *layer, const char *name, int in,
			       int *out)
{
	int dims[4];
	npu_status st;

	if ((st = need(L, layer, "shape")) != NPU_OK)
		return st;
	if (!json_is_array(json_object_get(layer, "shape")))
		return lfail(L, NPU_E_PARSE, "'shape' must be [n, h, w, c]");
	if ((st = get_ints(L, layer, "shape", 4, 1, dims)) != NPU_OK)
		return st;
	if ((st = npu_net_add_reshape(L->net, name, in, dims, out)) != NPU_OK)
		return api_fail(L, st);
	return set_stats(L, *out, L->stats[in]);
}

static npu_status load_flatten(struct loader *L, json_t *layer, const char *name, int in,
			       int *out)
{
	npu_status st;

	(void)layer;
	if ((st = npu_net_add_flatten(L->net, name, in, out)) != NPU_OK)
		return api_fail(L, st);
	return set_stats(L, *out, L->stats[in]);
}

/* ---- the file --------------------------------------------------------- */

#define COMMON "name", "op", "input", "comment"
static const char *const conv_keys[] = { COMMON, "filters", "kernel", "stride", "dilation",
					 "pad", "groups", "act", "clip", "requant", "weights",
					 "bias", "output", NULL };
static const char *const fc_keys[] = { COMMON, "units", "act", "clip", "requant", "weights",
				       "bias", "output", NULL };
static const char *const pool_keys[] = { COMMON, "kernel", "stride", "pad", NULL };
static const char *const plain_keys[] = { COMMON, NULL };
static const char *const add_keys[] = { "name", "op", "inputs", "comment", "act", "clip",
					"requant", "output", NULL };
static const char *const softmax_keys[] = { COMMON, "beta", "output", NULL };
static const char *const quantize_keys[] = { COMMON, "output", NULL };
static const char *const reshape_keys[] = { COMMON, "shape", NULL };

static const struct op_def {
	const char *op;
	const char *const *keys;
	npu_status (*load)(struct loader *L, json_t *layer, const char *name, int in,
			   int *out);
} op_defs[] = {
	{ "conv2d", conv_keys, load_conv },
	{ "fc", fc_keys, load_fc },
	{ "maxpool", pool_keys, load_maxpool },
	{ "avgpool", pool_keys, load_avgpool },
	{ "global_avgpool", plain_keys, load_gap },
	{ "add", add_keys, load_add },
	{ "softmax", softmax_keys, load_softmax },
	{ "quantize", quantize_keys, load_quantize },
	{ "dequantize", plain_keys, load_dequantize },
	{ "reshape", reshape_keys, load_reshape },
	{ "flatten", plain_keys, load_flatten },
};

static npu_status load_layer(struct loader *L, json_t *layer, size_t index)
{
	const struct op_def *def = NULL;
	const char *name = NULL, *op = NULL;
	npu_status st;
	int in = -1, out;
	size_t i;

	snprintf(L->where, sizeof(L->where), "layer %zu", index);
	if (!json_is_object(layer))
		return lfail(L, NPU_E_PARSE, "must be an object");
	if ((st = get_string(L, layer, "name", NULL, &name)) != NPU_OK)
		return st;
	if (!name || !*name)
		return lfail(L, NPU_E_PARSE, "missing field 'name'");
	snprintf(L->where, sizeof(L->where), "layer %zu '%s'", index, name);
	if ((st = get_string(L, layer, "op", NULL, &op)) != NPU_OK)
		return st;
	if (!op)
		return lfail(L, NPU_E_PARSE, "missing field 'op'");
	for (i = 0; i < sizeof(op_defs) / sizeof(op_defs[0]); i++)
		if (!strcmp(op, op_defs[i].op))
			def = &op_defs[i];
	if (!def)
		return lfail(L, NPU_E_UNSUPPORTED,
			     "unknown op '%s' (conv2d, fc, maxpool, avgpool, global_avgpool, "
			     "add, softmax, quantize, dequantize, reshape, flatten)", op);
	if ((st = check_keys(L, layer, def->keys)) != NPU_OK)
		return st;
	if (def->load != load_add && (st = layer_input(L, layer, &in)) != NPU_OK)
		return st;
	if ((st = def->load(L, layer, name, in, &out)) != NPU_OK)
		return st;
	L->prev = out;
	return NPU_OK;
}

static npu_status load_input(struct loader *L, json_t *ji, size_t index, uint64_t seed)
{
	static const char *const keys[] = { "name", "shape", "type", "scale", "zero_point",
					    "data", "comment", NULL };
	struct npu_tensor_desc d = { .layout = L->layout };
	const char *name = NULL, *data = NULL;
	const struct npu_tensor *t;
	double scale = 1.0;
	void *buf;
	npu_status st;
	int id, hi, wi;

	snprintf(L->where, sizeof(L->where), "input %zu", index);
	if (!json_is_object(ji))
		return lfail(L, NPU_E_PARSE, "must be an object");
	if ((st = check_keys(L, ji, keys)) != NPU_OK ||
	    (st = get_string(L, ji, "name", NULL, &name)) != NPU_OK)
		return st;
	if (!name || !*name)
		return lfail(L, NPU_E_PARSE, "missing field 'name'");
	snprintf(L->where, sizeof(L->where), "input '%s'", name);
	if ((st = need(L, ji, "shape")) != NPU_OK)
		return st;
	if (!json_is_array(json_object_get(ji, "shape")))
		return lfail(L, NPU_E_PARSE, "'shape' must be an array of 4 integers");
	if ((st = get_ints(L, ji, "shape", 4, 1, d.dims)) != NPU_OK ||
	    (st = get_type(L, ji, "type", L->type, &d.type)) != NPU_OK ||
	    (st = get_number(L, ji, "scale", 1.0 / 128, &scale)) != NPU_OK ||
	    /* absent: 0, whatever the type (lib/README.md, "Defaults: one rule") */
	    (st = get_int(L, ji, "zero_point", 0, &d.zero_point)) != NPU_OK ||
	    (st = get_string(L, ji, "data", NULL, &data)) != NPU_OK)
		return st;
	d.scale = (float)scale;
	hi = L->layout == NPU_NCHW ? 2 : 1;
	wi = hi + 1;
	if (L->input_h > 0)
		d.dims[hi] = L->input_h;
	if (L->input_w > 0)
		d.dims[wi] = L->input_w;
	if (L->batch > 0)
		d.dims[0] = L->batch;
	if ((st = npu_net_add_input(L->net, name, &d, &id)) != NPU_OK)
		return api_fail(L, st);
	t = &L->net->tensors[id];
	if (data) {
		if (L->input_h > 0 || L->input_w > 0 || L->batch > 0)
			return lfail(L, NPU_E_INVAL, "an input size or batch override does not "
				     "apply to an input read from a file");
		if ((st = read_file(L, data, t->bytes, &buf)) != NPU_OK)
			return st;
		st = npu_net_set_input(L->net, id, L->layout, buf, t->bytes);
		free(buf);
		if (st != NPU_OK)
			return api_fail(L, st);
	} else {
		npu_net_fill_input(L->net, id, npu_rng_derive(seed, name));
	}
	L->prev = id;
	return set_stats(L, id, npu_synth_measure(t->data, t->elems, t->type, t->zero_point));
}

static npu_status load_outputs(struct loader *L, json_t *jo)
{
	npu_status st;
	size_t i;
	int id;

	snprintf(L->where, sizeof(L->where), "outputs");
	if (!jo)
		return npu_net_mark_output(L->net, L->prev);
	if (!json_is_array(jo))
		return lfail(L, NPU_E_PARSE, "'outputs' must be an array of tensor names");
	for (i = 0; i < json_array_size(jo); i++) {
		if ((st = resolve(L, json_array_get(jo, i), "outputs", &id)) != NPU_OK)
			return st;
		if ((st = npu_net_mark_output(L->net, id)) != NPU_OK)
			return api_fail(L, st);
	}
	return NPU_OK;
}

/* "metadata": {"key": "string", ...} -> npu_net_metadata() ("classes", say). */
static npu_status load_metadata(struct loader *L, json_t *jm)
{
	const char *key;
	json_t *v;
	npu_status st;

	snprintf(L->where, sizeof(L->where), "metadata");
	if (!jm)
		return NPU_OK;
	if (!json_is_object(jm))
		return lfail(L, NPU_E_PARSE, "'metadata' must be an object of strings");
	json_object_foreach(jm, key, v) {
		if (!json_is_string(v))
			return lfail(L, NPU_E_PARSE, "'%s' must be a string", key);
		if ((st = npu_net_set_metadata(L->net, key, json_string_value(v))) != NPU_OK)
			return api_fail(L, st);
	}
	return NPU_OK;
}

static npu_status load_root(struct loader *L, json_t *root)
{
	static const char *const keys[] = { "version", "name", "description", "comment",
					    "seed", "layout", "type", "requant", "inputs",
					    "layers", "outputs", "metadata", NULL };
	static const char *const layout_names[] = { "NHWC", "NCHW", NULL };
	static const int layout_values[] = { NPU_NHWC, NPU_NCHW };
	json_t *inputs, *layers, *seed;
	const char *name = NULL;
	npu_status st;
	int version, v;
	size_t i;

	snprintf(L->where, sizeof(L->where), "top level");
	if (!json_is_object(root))
		return lfail(L, NPU_E_PARSE, "the description must be a JSON object");
	if ((st = check_keys(L, root, keys)) != NPU_OK ||
	    (st = get_int(L, root, "version", 1, &version)) != NPU_OK ||
	    (st = get_string(L, root, "name", "net", &name)) != NPU_OK ||
	    (st = get_choice(L, root, "layout", layout_names, layout_values, NPU_NHWC, &v)) !=
		    NPU_OK)
		return st;
	L->layout = (enum npu_layout)v;
	if (version != 1)
		return lfail(L, NPU_E_PARSE, "version %d is not supported (1 is)", version);
	if ((st = get_type(L, root, "type", NPU_INT8, &L->type)) != NPU_OK ||
	    (st = get_requant(L, root, NPU_REQUANT_TFLITE, &L->requant)) != NPU_OK)
		return st;
	if (L->type != NPU_INT8 && L->type != NPU_UINT8)
		return lfail(L, NPU_E_PARSE, "'type' (of activations) must be int8 or uint8");
	seed = json_object_get(root, "seed");
	if (seed && !json_is_integer(seed))
		return lfail(L, NPU_E_PARSE, "'seed' must be an integer");
	if (!L->seed)
		L->seed = seed ? (uint64_t)json_integer_value(seed) : 1;
	inputs = json_object_get(root, "inputs");
	layers = json_object_get(root, "layers");
	if (!json_is_array(inputs) || !json_array_size(inputs))
		return lfail(L, NPU_E_PARSE, "'inputs' must be a non-empty array");
	if (!json_is_array(layers) || !json_array_size(layers))
		return lfail(L, NPU_E_PARSE, "'layers' must be a non-empty array");
	if ((st = npu_net_create(L->ctx, name, &L->net)) != NPU_OK)
		return st;
	L->net->max_bytes = L->max_bytes;
	L->prev = -1;
	for (i = 0; i < json_array_size(inputs); i++)
		if ((st = load_input(L, json_array_get(inputs, i), i, L->seed)) != NPU_OK)
			return st;
	for (i = 0; i < json_array_size(layers); i++)
		if ((st = load_layer(L, json_array_get(layers, i), i)) != NPU_OK)
			return st;
	if ((st = load_outputs(L, json_object_get(root, "outputs"))) != NPU_OK)
		return st;
	return load_metadata(L, json_object_get(root, "metadata"));
}

static npu_status load(npu_ctx *ctx, json_t *root, const char *src, const char *base_dir,
		       const struct npu_load_opts *o, npu_net **out)
{
	struct loader L = { .ctx = ctx, .src = src, .base_dir = base_dir };
	npu_status st;

	if (o) {
		L.seed = o->seed;
		L.input_h = o->input_h;
		L.input_w = o->input_w;
		L.batch = o->batch;
		L.max_bytes = o->max_bytes;
	}
	st = load_root(&L, root);
	free(L.stats);
	if (st != NPU_OK) {
		npu_net_free(L.net);
		return st;
	}
	*out = L.net;
	return NPU_OK;
}

static npu_status json_fail(npu_ctx *ctx, const char *src, const json_error_t *e)
{
	if (json_error_code(e) == json_error_cannot_open_file)
		return npu_fail(ctx, NPU_E_IO, "%s: %s", src, e->text);
	if (json_error_code(e) == json_error_out_of_memory)
		return npu_fail(ctx, NPU_E_NOMEM, "%s: %s", src, e->text);
	return npu_fail(ctx, NPU_E_PARSE, "%s:%d:%d: %s", src, e->line, e->column, e->text);
}

int npu_looks_like_json(const void *data, size_t bytes)
{
	const unsigned char *p = data;
	size_t i;

	/* A serialized ModelProto starts with a field tag, never blank or '{'. */
	for (i = 0; i < bytes; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
			continue;
		return p[i] == '{';
	}
	return 0;
}

static npu_status load_json_buffer(npu_ctx *ctx, const void *data, size_t bytes,
				   const char *name, const char *base_dir,
				   const struct npu_load_opts *o, npu_net **out)
{
	json_error_t err;
	json_t *root;
	npu_status st;

	root = json_loadb(data, bytes, JSON_REJECT_DUPLICATES, &err);
	if (!root)
		return json_fail(ctx, name, &err);
	st = load(ctx, root, name, base_dir ? base_dir : ".", o, out);
	json_decref(root);
	return st;
}

npu_status npu_net_load_buffer(npu_ctx *ctx, const void *data, size_t bytes,
			       const char *name, const char *base_dir,
			       const struct npu_load_opts *o, npu_net **out)
{
	if (!ctx || !data || !out)
		return npu_fail(ctx, NPU_E_INVAL, "npu_net_load_buffer: NULL argument");
	*out = NULL;
	if (!name)
		name = "<buffer>";
	if (!bytes)
		return npu_fail(ctx, NPU_E_PARSE, "%s: empty file", name);
	if (npu_looks_like_json(data, bytes))
		return load_json_buffer(ctx, data, bytes, name, base_dir, o, out);
	return npu_onnx_load(ctx, data, bytes, name, base_dir ? base_dir : ".", o, out);
}

/* The whole file in memory (a model is read once). */
static npu_status slurp(npu_ctx *ctx, const char *path, void **data, size_t *bytes)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *buf = NULL, *p;

	if (!f)
		return npu_fail(ctx, NPU_E_IO, "%s: cannot open: %s", path, strerror(errno));
	for (;;) {
		if (!(p = realloc(buf, cap))) {
			free(buf);
			fclose(f);
			return npu_fail(ctx, NPU_E_NOMEM, "%s: out of memory reading it", path);
		}
		buf = p;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap > SIZE_MAX / 2) {
			free(buf);
			fclose(f);
			return npu_fail(ctx, NPU_E_OVERFLOW, "%s: too large", path);
		}
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return npu_fail(ctx, NPU_E_IO, "%s: read error", path);
	}
	fclose(f);
	*data = buf;
	*bytes = n;
	return NPU_OK;
}

npu_status npu_net_load(npu_ctx *ctx, const char *path, const struct npu_load_opts *o,
			npu_net **out)
{
	char *dir, *slash;
	npu_status st;
	size_t bytes = 0;
	void *data = NULL;

	if (!ctx || !path || !out)
		return npu_fail(ctx, NPU_E_INVAL, "npu_net_load: NULL argument");
	*out = NULL;
	if ((st = slurp(ctx, path, &data, &bytes)) != NPU_OK)
		return st;
	dir = strdup(path);
	if (!dir) {
		free(data);
		return npu_fail(ctx, NPU_E_NOMEM, "out of memory");
	}
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	st = npu_net_load_buffer(ctx, data, bytes, path, slash ? dir : ".", o, out);
	free(dir);
	free(data);
	return st;
}

npu_status npu_net_load_string(npu_ctx *ctx, const char *text, const char *base_dir,
			       const struct npu_load_opts *o, npu_net **out)
{
	if (!ctx || !text || !out)
		return npu_fail(ctx, NPU_E_INVAL, "npu_net_load_string: NULL argument");
	*out = NULL;
	return load_json_buffer(ctx, text, strlen(text), "<string>", base_dir, o, out);
}
