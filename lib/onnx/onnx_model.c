/* SPDX-License-Identifier: MIT */
/*
 * Reading an ONNX model: the protobuf (protoc-c's generated decoder), the
 * opsets, every initializer (raw_data, the typed fields, or an external
 * data file), the value index and a topological order of the nodes.
 * Everything is checked here so that a truncated, cyclic or inconsistent
 * file gets a clear error before any layer is built.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "raw_data is little-endian; this reader assumes a little-endian host"
#endif

#define S(x) ((x) ? (x) : "")

/* A name from the file, fit to print: at most 64 bytes, anything not printable as '?'. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 4 < len && i < 64; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] && i + 4 <= len)
		strcpy(buf + i, "...");
	else
		buf[i] = '\0';
	return buf;
}

static int node_index(const struct ox_imp *im, const Onnx__NodeProto *n)
{
	size_t i;

	for (i = 0; im->g && i < im->g->n_node; i++)
		if (im->g->node[i] == n)
			return (int)i;
	return -1;
}

npu_status ox_fail(struct ox_imp *im, npu_status st, const char *fmt, ...)
{
	char msg[NPU_MSG_LEN], name[96], op[80], dom[80];
	const Onnx__NodeProto *n = im->node;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!n)
		return npu_fail(im->ctx, st, "%s: %s", im->src, msg);
	/* an unnamed node (onnx.helper's default) by its index and first output */
	if (*S(n->name))
		snprintf(name, sizeof(name), "node '%s'", printable(n->name, op, sizeof(op)));
	else
		snprintf(name, sizeof(name), "node %d (unnamed, output '%s')", node_index(im, n),
			 printable(n->n_output ? S(n->output[0]) : "", op, sizeof(op)));
	return npu_fail(im->ctx, st, "%s: %s (%s, domain %s, opset %d): %s", im->src, name,
			printable(S(n->op_type), op, sizeof(op)),
			*S(n->domain) ? printable(n->domain, dom, sizeof(dom)) : "ai.onnx",
			!strcmp(S(n->domain), "com.microsoft") ? im->ms_opset : im->opset, msg);
}

npu_status ox_api_fail(struct ox_imp *im, npu_status st)
{
	char msg[NPU_MSG_LEN];

	snprintf(msg, sizeof(msg), "%s", im->ctx->err);
	return ox_fail(im, st, "%s", msg);
}

const char *ox_dtype_name(int dtype)
{
	static const char *const names[] = {
		"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
		"STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
		"COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
		"FLOAT8E5M2FNUZ", "UINT4", "INT4",
	};

	return dtype >= 0 && dtype < (int)(sizeof(names) / sizeof(names[0])) ? names[dtype]
									       : "unknown";
}

size_t ox_dtype_size(int dtype)
{
	switch (dtype) {
	case OX_UINT8:
	case OX_INT8:
		return 1;
	case OX_FLOAT:
	case OX_INT32:
		return 4;
	case OX_INT64:
		return 8;
	}
	return 0;
}

/* ---- the value index: open addressing over the names ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

int ox_find(const struct ox_imp *im, const char *name)
{
	size_t i;

	if (!name || !im->hash_cap)
		return -1;
	for (i = hash_str(name) & (im->hash_cap - 1);; i = (i + 1) & (im->hash_cap - 1)) {
		if (!im->hash[i].key)
			return -1;
		if (!strcmp(im->hash[i].key, name))
			return im->hash[i].val;
	}
}

/* A new value named `name`; NPU_E_PARSE when the name exists already. */
static npu_status add_value(struct ox_imp *im, const char *name, int producer, int *out)
{
	size_t i;

	if (!name || !*name)
		return ox_fail(im, NPU_E_PARSE, "a value has an empty name");
	for (i = hash_str(name) & (im->hash_cap - 1); im->hash[i].key;
	     i = (i + 1) & (im->hash_cap - 1))
		if (!strcmp(im->hash[i].key, name))
			return ox_fail(im, NPU_E_PARSE, "value '%s' is produced twice", name);
	im->hash[i].key = name;
	im->hash[i].val = im->nvals;
	memset(&im->vals[im->nvals], 0, sizeof(im->vals[0]));
	im->vals[im->nvals].name = name;
	im->vals[im->nvals].producer = producer;
	im->vals[im->nvals].consumer = -1;
	im->vals[im->nvals].tid = -1;
	im->vals[im->nvals].canon = -1;
	im->vals[im->nvals].fmat = -1;
	*out = im->nvals++;
	return NPU_OK;
}

/* ---- tensors ---- */

static npu_status check_path(struct ox_imp *im, const char *what, const char *loc)
{
	const char *p = loc;

	if (!*loc || loc[0] == '/')
		return ox_fail(im, NPU_E_PARSE, "%s: external data location '%s' must be a "
			       "relative path", what, loc);
	/* No component may climb out of the model's directory. */
	while (p) {
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return ox_fail(im, NPU_E_PARSE, "%s: external data location '%s' leaves "
				       "the model's directory", what, loc);
		p = strchr(p, '/');
		if (p)
			p++;
	}
	return NPU_OK;
}

static npu_status parse_u64(struct ox_imp *im, const char *what, const char *key,
			    const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		goto bad;
	*out = strtoull(s, &end, 10);
	if (*end || errno)
		goto bad;
	return NPU_OK;
bad:
	return ox_fail(im, NPU_E_PARSE, "%s: external data %s '%s' is not a byte count", what,
		       key, s);
}

static npu_status read_external(struct ox_imp *im, const Onnx__TensorProto *t,
				const char *what, size_t bytes, void **out)
{
	const char *loc = NULL;
	uint64_t offset = 0, length = UINT64_MAX;
	npu_status st;
	char *path;
	FILE *f;
	size_t i, got;
	void *buf;

	for (i = 0; i < t->n_external_data; i++) {
		const Onnx__StringStringEntryProto *e = t->external_data[i];

		if (!strcmp(S(e->key), "location"))
			loc = S(e->value);
		else if (!strcmp(S(e->key), "offset") &&
			 (st = parse_u64(im, what, "offset", S(e->value), &offset)))
			return st;
		else if (!strcmp(S(e->key), "length") &&
			 (st = parse_u64(im, what, "length", S(e->value), &length)))
			return st;
	}
	if (!loc)
		return ox_fail(im, NPU_E_PARSE, "%s: external data without a location", what);
	if ((st = check_path(im, what, loc)) != NPU_OK)
		return st;
	if (length != UINT64_MAX && length != bytes)
		return ox_fail(im, NPU_E_PARSE, "%s: external data length %llu, the tensor has "
			       "%zu bytes", what, (unsigned long long)length, bytes);
	if (offset > (uint64_t)LONG_MAX)
		return ox_fail(im, NPU_E_PARSE, "%s: external data offset %llu is too large",
			       what, (unsigned long long)offset);
	path = malloc(strlen(im->base_dir) + strlen(loc) + 2);
	buf = malloc(bytes ? bytes : 1);
	if (!path || !buf) {
		free(path);
		free(buf);
		return ox_fail(im, NPU_E_NOMEM, "%s: out of memory", what);
	}
	sprintf(path, "%s/%s", im->base_dir, loc);
	f = fopen(path, "rb");
	if (!f) {
		st = ox_fail(im, NPU_E_IO, "%s: cannot open external data '%s': %s", what, path,
			     strerror(errno));
		goto fail;
	}
	got = fseek(f, (long)offset, SEEK_SET) ? 0 : fread(buf, 1, bytes, f);
	fclose(f);
	if (got != bytes) {
		st = ox_fail(im, NPU_E_IO, "%s: external data '%s' holds fewer than %zu bytes "
			     "at offset %llu", what, path, bytes, (unsigned long long)offset);
		goto fail;
	}
	free(path);
	*out = buf;
	return NPU_OK;
fail:
	free(path);
	free(buf);
	return st;
}

/* Values from int32_data (8-bit and int32 tensors) into their own array. */
static npu_status from_int32_data(struct ox_imp *im, const Onnx__TensorProto *t,
				  const char *what, struct ox_const *c)
{
	size_t i;

	if (c->dtype == OX_INT32) {
		c->data = t->int32_data;
		return NPU_OK;
	}
	if (!(c->owned = malloc(c->elems ? c->elems : 1)))
		return ox_fail(im, NPU_E_NOMEM, "%s: out of memory", what);
	for (i = 0; i < c->elems; i++) {
		int32_t v = t->int32_data[i];

		if (c->dtype == OX_INT8 ? v < -128 || v > 127 : v < 0 || v > 255)
			return ox_fail(im, NPU_E_PARSE, "%s: element %zu = %d is outside %s", what,
				       i, (int)v, ox_dtype_name(c->dtype));
		((uint8_t *)c->owned)[i] = (uint8_t)v;
	}
	c->data = c->owned;
	return NPU_OK;
}

static npu_status tensor_const(struct ox_imp *im, const Onnx__TensorProto *t, const char *what,
			       struct ox_const *c);

npu_status ox_tensor_const(struct ox_imp *im, const Onnx__TensorProto *t, const char *what,
			   struct ox_const *c)
{
	static const int64_t empty[1];
	npu_status st = tensor_const(im, t, what, c);

	/* an empty tensor's data is never NULL (callers copy zero bytes from it) */
	if (st == NPU_OK && !c->data)
		c->data = empty;
	return st;
}

static npu_status tensor_const(struct ox_imp *im, const Onnx__TensorProto *t, const char *what,
			       struct ox_const *c)
{
	size_t esize, typed = 0, i;
	uint64_t elems = 1;
	npu_status st;

	memset(c, 0, sizeof(*c));
	c->dtype = t->has_data_type ? t->data_type : 0;
	if (!(esize = ox_dtype_size(c->dtype)))
		return ox_fail(im, NPU_E_UNSUPPORTED, "%s has data type %s; the importer reads "
			       "FLOAT, UINT8, INT8, INT32 and INT64", what,
			       ox_dtype_name(c->dtype));
	if (t->segment)
		return ox_fail(im, NPU_E_UNSUPPORTED, "%s is a segment of a tensor", what);
	if (t->n_dims > OX_MAX_RANK)
		return ox_fail(im, NPU_E_UNSUPPORTED, "%s has rank %zu (at most %d)", what,
			       t->n_dims, OX_MAX_RANK);
	c->rank = (int)t->n_dims;
	for (i = 0; i < t->n_dims; i++) {
		if (t->dims[i] < 0)
			return ox_fail(im, NPU_E_PARSE, "%s: dimension %zu is %lld", what, i,
				       (long long)t->dims[i]);
		c->dims[i] = t->dims[i];
		if (t->dims[i] && elems > OX_MAX_TENSOR_BYTES / esize / (uint64_t)t->dims[i])
			return ox_fail(im, NPU_E_OVERFLOW, "%s: more than %llu bytes", what,
				       (unsigned long long)OX_MAX_TENSOR_BYTES);
		elems *= (uint64_t)t->dims[i];
	}
	c->elems = (size_t)elems;
	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
		if ((st = read_external(im, t, what, c->elems * esize, &c->owned)) != NPU_OK)
			return st;
		c->data = c->owned;
		return NPU_OK;
	}
	if (t->has_raw_data) {
		if (t->raw_data.len != c->elems * esize)
			return ox_fail(im, NPU_E_PARSE, "%s: raw_data has %zu bytes, %zu %s "
				       "elements need %zu", what, t->raw_data.len, c->elems,
				       ox_dtype_name(c->dtype), c->elems * esize);
		c->data = t->raw_data.data;
		return NPU_OK;
	}
	switch (c->dtype) {
	case OX_FLOAT:
		typed = t->n_float_data;
		c->data = t->float_data;
		break;
	case OX_INT64:
		typed = t->n_int64_data;
		c->data = t->int64_data;
		break;
	default:
		typed = t->n_int32_data;
		break;
	}
	if (typed != c->elems)
		return ox_fail(im, NPU_E_PARSE, "%s: %zu values stored for %zu %s elements", what,
			       typed, c->elems, ox_dtype_name(c->dtype));
	if (c->dtype != OX_FLOAT && c->dtype != OX_INT64)
		return from_int32_data(im, t, what, c);
	return NPU_OK;
}

npu_status ox_new_const(struct ox_imp *im, struct ox_const **out)
{
	struct ox_const *c;

	if (im->nconsts == im->cap_consts) {
		int cap = im->cap_consts ? 2 * im->cap_consts : 16;
		struct ox_const **p = realloc(im->consts, (size_t)cap * sizeof(*p));

		if (!p)
			return ox_fail(im, NPU_E_NOMEM, "out of memory");
		im->consts = p;
		im->cap_consts = cap;
	}
	/* Each on its own: values keep pointers to them while the array grows. */
	if (!(c = calloc(1, sizeof(*c))))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	im->consts[im->nconsts++] = c;
	*out = c;
	return NPU_OK;
}

/* ---- attributes ---- */

const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->n_attribute; i++)
		if (!strcmp(S(n->attribute[i]->name), name))
			return n->attribute[i];
	return NULL;
}

static npu_status attr_type(struct ox_imp *im, const Onnx__AttributeProto *a, int want,
			    const char *want_name)
{
	if (a->ref_attr_name && *a->ref_attr_name)
		return ox_fail(im, NPU_E_UNSUPPORTED, "attribute '%s' refers to a function "
			       "attribute", S(a->name));
	if (a->has_type && (int)a->type != want)
		return ox_fail(im, NPU_E_PARSE, "attribute '%s' must be %s", S(a->name),
			       want_name);
	return NPU_OK;
}

npu_status ox_attr_int(struct ox_imp *im, const char *name, int64_t def, int64_t *out)
{
	const Onnx__AttributeProto *a = ox_attr(im->node, name);
	npu_status st;

	*out = def;
	if (!a)
		return NPU_OK;
	if ((st = attr_type(im, a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, "an INT")))
		return st;
	if (!a->has_i && a->has_type)
		return ox_fail(im, NPU_E_PARSE, "attribute '%s' has no value", name);
	*out = a->i;
	return NPU_OK;
}

npu_status ox_attr_float(struct ox_imp *im, const char *name, float def, float *out)
{
	const Onnx__AttributeProto *a = ox_attr(im->node, name);
	npu_status st;

	*out = def;
	if (!a)
		return NPU_OK;
	if ((st = attr_type(im, a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, "a FLOAT")))
		return st;
	*out = a->f;
	return NPU_OK;
}

npu_status ox_attr_ints(struct ox_imp *im, const char *name, int max, int64_t *v, int *n)
{
	const Onnx__AttributeProto *a = ox_attr(im->node, name);
	npu_status st;

	*n = 0;
	if (!a)
		return NPU_OK;
	if ((st = attr_type(im, a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS, "INTS")))
		return st;
	if (a->n_ints > (size_t)max)
		return ox_fail(im, NPU_E_PARSE, "attribute '%s' has %zu values (at most %d)",
			       name, a->n_ints, max);
	if (a->n_ints)
		memcpy(v, a->ints, a->n_ints * sizeof(*v));
	*n = (int)a->n_ints;
	return NPU_OK;
}

npu_status ox_attr_string(struct ox_imp *im, const char *name, char *buf, size_t len,
			  int *present)
{
	const Onnx__AttributeProto *a = ox_attr(im->node, name);
	npu_status st;

	*present = 0;
	buf[0] = '\0';
	if (!a)
		return NPU_OK;
	if ((st = attr_type(im, a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING, "a STRING")))
		return st;
	if (a->s.len >= len || (a->s.len && memchr(a->s.data, 0, a->s.len)))
		return ox_fail(im, NPU_E_PARSE, "attribute '%s' is not a short string", name);
	if (a->s.len)
		memcpy(buf, a->s.data, a->s.len);
	buf[a->s.len] = '\0';
	*present = 1;
	return NPU_OK;
}

npu_status ox_attr_only(struct ox_imp *im, const char *const *known)
{
	size_t i;
	int k;

	for (i = 0; i < im->node->n_attribute; i++) {
		const char *name = S(im->node->attribute[i]->name);

		for (k = 0; known[k]; k++)
			if (!strcmp(name, known[k]))
				break;
		if (!known[k])
			return ox_fail(im, NPU_E_UNSUPPORTED, "unknown attribute '%s'", name);
	}
	return NPU_OK;
}

/* ---- the graph ---- */

static npu_status read_opsets(struct ox_imp *im)
{
	size_t i;

	im->opset = -1;
	for (i = 0; i < im->model->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *o = im->model->opset_import[i];
		const char *d = S(o->domain);
		int64_t v = o->has_version ? o->version : 0;

		if (!*d || !strcmp(d, "ai.onnx")) {
			if (v < OX_OPSET_MIN || v > OX_OPSET_MAX)
				return ox_fail(im, NPU_E_UNSUPPORTED, "the model imports opset %lld "
					       "of the default domain; the importer reads %d to %d",
					       (long long)v, OX_OPSET_MIN, OX_OPSET_MAX);
			im->opset = (int)v;
		} else if (!strcmp(d, "com.microsoft")) {
			im->ms_opset = v > 0 && v < INT_MAX ? (int)v : 1;
		}
	}
	if (im->opset < 0)
		return ox_fail(im, NPU_E_PARSE, "the model imports no opset of the default domain");
	return NPU_OK;
}

/* Index every name; initializers become constants. */
static npu_status index_values(struct ox_imp *im)
{
	const Onnx__GraphProto *g = im->g;
	size_t total = g->n_input + g->n_initializer, i, j;
	npu_status st;
	int v;

	for (i = 0; i < g->n_node; i++)
		total += g->node[i]->n_output;
	if (total > (size_t)INT_MAX / 4)
		return ox_fail(im, NPU_E_OVERFLOW, "the graph has %zu values", total);
	im->hash_cap = 16;
	while (im->hash_cap < 2 * total)
		im->hash_cap *= 2;
	im->hash = calloc(im->hash_cap, sizeof(*im->hash));
	im->vals = calloc(total ? total : 1, sizeof(*im->vals));
	if (!im->hash || !im->vals)
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	for (i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *t = g->initializer[i];
		struct ox_const *c;
		char what[160];

		snprintf(what, sizeof(what), "initializer '%s'", S(t->name));
		if ((st = add_value(im, t->name, -1, &v)) || (st = ox_new_const(im, &c)) ||
		    (st = ox_tensor_const(im, t, what, c)))
			return st;
		im->vals[v].kind = OX_CONST;
		im->vals[v].c = c;
		im->vals[v].rank = c->rank;
		memcpy(im->vals[v].dims, c->dims, sizeof(c->dims));
	}
	if (g->n_sparse_initializer)
		return ox_fail(im, NPU_E_UNSUPPORTED, "sparse initializers are not supported");
	/* IR < 4 lists initializers among the inputs too: those stay constants. */
	for (i = 0; i < g->n_input; i++)
		if (ox_find(im, S(g->input[i]->name)) < 0 &&
		    (st = add_value(im, g->input[i]->name, -1, &v)))
			return st;
	for (i = 0; i < g->n_node; i++)
		for (j = 0; j < g->node[i]->n_output; j++)
			if (*S(g->node[i]->output[j]) &&
			    (st = add_value(im, g->node[i]->output[j], (int)i, &v))) {
				im->node = g->node[i];
				return ox_fail(im, NPU_E_PARSE, "output '%s' is produced twice",
					       g->node[i]->output[j]);
			}
	return NPU_OK;
}

/* Min-heap of node indices: the order stays the file's where it is valid. */
static void heap_push(int *h, int *n, int v)
{
	int i = (*n)++;

	while (i && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static int heap_pop(int *h, int *n)
{
	int top = h[0], v = h[--*n], i = 0;

	for (;;) {
		int c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
	return top;
}

/* Kahn's algorithm over node -> node edges; a leftover node is on a cycle. */
static npu_status sort_nodes(struct ox_imp *im)
{
	const Onnx__GraphProto *g = im->g;
	int nn = (int)g->n_node, *pending, *first, *next, *edge, *heap, nh = 0, done = 0;
	size_t nedges = 0, e = 0, i, j;
	npu_status st = NPU_OK;

	for (i = 0; i < g->n_node; i++)
		nedges += g->node[i]->n_input;
	pending = calloc((size_t)nn + 1, sizeof(int));
	first = malloc(((size_t)im->nvals + 1) * sizeof(int));
	next = malloc((nedges + 1) * sizeof(int));
	edge = malloc((nedges + 1) * sizeof(int));
	heap = malloc(((size_t)nn + 1) * sizeof(int));
	im->order = malloc(((size_t)nn + 1) * sizeof(int));
	im->s8u8 = calloc((size_t)nn + 1, 1);
	if (!pending || !first || !next || !edge || !heap || !im->order || !im->s8u8) {
		st = ox_fail(im, NPU_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < (size_t)im->nvals; i++)
		first[i] = -1;
	for (i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *n = g->node[i];

		for (j = 0; j < n->n_input; j++) {
			int v;

			if (!*S(n->input[j]))
				continue;	/* an optional input left out */
			if ((v = ox_find(im, n->input[j])) < 0) {
				im->node = n;
				st = ox_fail(im, NPU_E_PARSE, "input '%s' is not produced by any "
					     "node, graph input or initializer", n->input[j]);
				goto out;
			}
			im->vals[v].uses++;
			im->vals[v].consumer = (int)i;
			if (im->vals[v].producer < 0)
				continue;
			pending[i]++;
			edge[e] = (int)i;
			next[e] = first[v];
			first[v] = (int)e++;
		}
	}
	for (i = 0; i < g->n_node; i++)
		if (!pending[i])
			heap_push(heap, &nh, (int)i);
	while (nh) {
		int n = heap_pop(heap, &nh);

		im->order[done++] = n;
		for (j = 0; j < g->node[n]->n_output; j++) {
			int v = ox_find(im, S(g->node[n]->output[j]));

			for (int k = v >= 0 ? first[v] : -1; k >= 0; k = next[k])
				if (!--pending[edge[k]])
					heap_push(heap, &nh, edge[k]);
		}
	}
	if (done < nn) {
		for (i = 0; i < g->n_node && pending[i] == 0; i++)
			;
		im->node = g->node[i];
		st = ox_fail(im, NPU_E_PARSE, "the graph has a cycle through this node");
	}
out:
	free(pending);
	free(first);
	free(next);
	free(edge);
	free(heap);
	return st;
}

npu_status ox_read_model(struct ox_imp *im, const void *data, size_t bytes)
{
	npu_status st;
	size_t i;

	im->model = onnx__model_proto__unpack(NULL, bytes, data);
	if (!im->model)
		return ox_fail(im, NPU_E_PARSE, "not an ONNX model: the protobuf does not decode "
			       "as an onnx.ModelProto (truncated or not protobuf)");
	if (!im->model->graph)
		return ox_fail(im, NPU_E_PARSE, "the model has no graph");
	im->g = im->model->graph;
	if ((st = read_opsets(im)) != NPU_OK)
		return st;
	if (!im->g->n_node)
		return ox_fail(im, NPU_E_PARSE, "the graph has no nodes");
	if (!im->g->n_output)
		return ox_fail(im, NPU_E_PARSE, "the graph has no outputs");
	if ((st = index_values(im)) != NPU_OK || (st = sort_nodes(im)) != NPU_OK)
		return st;
	for (i = 0; i < im->g->n_output; i++) {
		int v = ox_find(im, S(im->g->output[i]->name));

		if (v < 0)
			return ox_fail(im, NPU_E_PARSE, "graph output '%s' is not produced by any "
				       "node", S(im->g->output[i]->name));
		im->vals[v].uses++;
	}
	return NPU_OK;
}

void ox_release(struct ox_imp *im)
{
	int i;

	for (i = 0; i < im->nvals; i++)
		free(im->vals[i].pend);
	for (i = 0; i < im->nconsts; i++) {
		free(im->consts[i]->owned);
		free(im->consts[i]);
	}
	free(im->consts);
	free(im->vals);
	free(im->hash);
	free(im->order);
	free(im->s8u8);
	if (im->model)
		onnx__model_proto__free_unpacked(im->model, NULL);
	memset(im, 0, sizeof(*im));
}

npu_status ox_constant_node(struct ox_imp *im, int v)
{
	static const char *const known[] = { "value", "value_float", "value_floats",
					     "value_int", "value_ints", NULL };
	const Onnx__AttributeProto *a;
	struct ox_const *c;
	npu_status st;
	char what[160];

	if ((st = ox_attr_only(im, known)) != NPU_OK || (st = ox_new_const(im, &c)) != NPU_OK)
		return st;
	snprintf(what, sizeof(what), "the value of Constant '%s'", im->vals[v].name);
	if ((a = ox_attr(im->node, "value")) && a->t) {
		if ((st = ox_tensor_const(im, a->t, what, c)) != NPU_OK)
			return st;
	} else if ((a = ox_attr(im->node, "value_float")) && a->has_f) {
		c->dtype = OX_FLOAT;
		c->elems = 1;
		c->data = &a->f;
	} else if ((a = ox_attr(im->node, "value_floats"))) {
		c->dtype = OX_FLOAT;
		c->rank = 1;
		c->dims[0] = (int64_t)a->n_floats;
		c->elems = a->n_floats;
		c->data = a->floats;
	} else if ((a = ox_attr(im->node, "value_int")) && a->has_i) {
		c->dtype = OX_INT64;
		c->elems = 1;
		c->data = &a->i;
	} else if ((a = ox_attr(im->node, "value_ints"))) {
		c->dtype = OX_INT64;
		c->rank = 1;
		c->dims[0] = (int64_t)a->n_ints;
		c->elems = a->n_ints;
		c->data = a->ints;
	} else {
		return ox_fail(im, NPU_E_PARSE, "Constant without a value");
	}
	if (!c->data) {
		static const int64_t empty[1];

		c->data = empty;	/* an empty list */
	}
	im->vals[v].kind = OX_CONST;
	im->vals[v].c = c;
	im->vals[v].rank = c->rank;
	memcpy(im->vals[v].dims, c->dims, sizeof(c->dims));
	return NPU_OK;
}
