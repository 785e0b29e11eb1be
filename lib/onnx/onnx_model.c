/* SPDX-License-Identifier: MIT */
/*
 * Reading an ONNX model: the protobuf (protoc-c's generated decoder), the
 * opsets, every initializer (decoded by onnx_tensor.c), the value index
 * and a topological order of the nodes.
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
