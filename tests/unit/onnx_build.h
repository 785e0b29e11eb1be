/* SPDX-License-Identifier: MIT */
/*
 * onnx_build.h - building small ONNX models in a test with the protoc-c
 * structures (the same generated code the importer decodes with), so that
 * a test can make a valid model and then break it one way at a time.
 * Everything a builder allocates is freed by ob_free().
 */
#ifndef NPU_TEST_ONNX_BUILD_H
#define NPU_TEST_ONNX_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

#define OB_MAX 64

struct ob {
	void **ptrs;
	int n, cap;
	Onnx__ModelProto model;
	Onnx__GraphProto graph;
	Onnx__OperatorSetIdProto opsets[2], *opset_ptrs[2];
	Onnx__NodeProto *nodes[OB_MAX];
	Onnx__TensorProto *inits[OB_MAX];
	Onnx__ValueInfoProto *inputs[OB_MAX], *outputs[OB_MAX];
	Onnx__StringStringEntryProto *meta[OB_MAX];
};

static void *ob_alloc(struct ob *b, size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->ptrs = realloc(b->ptrs, (size_t)b->cap * sizeof(void *));
	}
	b->ptrs[b->n++] = p;
	return p;
}

static char *ob_str(struct ob *b, const char *s)
{
	char *p = ob_alloc(b, strlen(s) + 1);

	strcpy(p, s);
	return p;
}

/* A model with the default domain at `opset` (and com.microsoft when ms). */
static void ob_init(struct ob *b, int opset, int ms)
{
	memset(b, 0, sizeof(*b));
	onnx__model_proto__init(&b->model);
	onnx__graph_proto__init(&b->graph);
	for (int i = 0; i < 2; i++) {
		onnx__operator_set_id_proto__init(&b->opsets[i]);
		b->opset_ptrs[i] = &b->opsets[i];
	}
	b->opsets[0].domain = ob_str(b, "");
	b->opsets[0].has_version = 1;
	b->opsets[0].version = opset;
	b->opsets[1].domain = ob_str(b, "com.microsoft");
	b->opsets[1].has_version = 1;
	b->opsets[1].version = 1;
	b->model.has_ir_version = 1;
	b->model.ir_version = 8;
	b->model.n_opset_import = ms ? 2 : 1;
	b->model.opset_import = b->opset_ptrs;
	b->model.producer_name = ob_str(b, "npu-test");
	b->model.graph = &b->graph;
	b->graph.name = ob_str(b, "test");
	b->graph.node = b->nodes;
	b->graph.initializer = b->inits;
	b->graph.input = b->inputs;
	b->graph.output = b->outputs;
	b->model.metadata_props = b->meta;
}

static void ob_free(struct ob *b)
{
	for (int i = 0; i < b->n; i++)
		free(b->ptrs[i]);
	free(b->ptrs);
	memset(b, 0, sizeof(*b));
}

/* An initializer with raw little-endian data. */
static Onnx__TensorProto *ob_init_raw(struct ob *b, const char *name, int dtype, int rank,
				      const int64_t *dims, const void *data, size_t bytes)
{
	Onnx__TensorProto *t = ob_alloc(b, sizeof(*t));

	onnx__tensor_proto__init(t);
	t->name = ob_str(b, name);
	t->has_data_type = 1;
	t->data_type = dtype;
	t->n_dims = (size_t)rank;
	t->dims = ob_alloc(b, (size_t)rank * sizeof(int64_t));
	if (rank)
		memcpy(t->dims, dims, (size_t)rank * sizeof(int64_t));
	t->has_raw_data = 1;
	t->raw_data.len = bytes;
	t->raw_data.data = ob_alloc(b, bytes);
	if (bytes)
		memcpy(t->raw_data.data, data, bytes);
	b->inits[b->graph.n_initializer++] = t;
	return t;
}

static Onnx__TensorProto *ob_scalar_f(struct ob *b, const char *name, float v)
{
	return ob_init_raw(b, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL, &v, 4);
}

static Onnx__TensorProto *ob_scalar_u8(struct ob *b, const char *name, int dtype, int v)
{
	uint8_t x = (uint8_t)v;

	return ob_init_raw(b, name, dtype, 0, NULL, &x, 1);
}

/* A node; ins and outs are NULL-terminated lists of names. */
static Onnx__NodeProto *ob_node(struct ob *b, const char *op, const char *domain,
				const char *name, const char *const *ins, const char *const *outs)
{
	Onnx__NodeProto *n = ob_alloc(b, sizeof(*n));
	size_t i;

	onnx__node_proto__init(n);
	n->op_type = ob_str(b, op);
	n->domain = ob_str(b, domain);
	n->name = ob_str(b, name);
	for (i = 0; ins[i]; i++)
		;
	n->n_input = i;
	n->input = ob_alloc(b, i * sizeof(char *));
	for (i = 0; i < n->n_input; i++)
		n->input[i] = ob_str(b, ins[i]);
	for (i = 0; outs[i]; i++)
		;
	n->n_output = i;
	n->output = ob_alloc(b, i * sizeof(char *));
	for (i = 0; i < n->n_output; i++)
		n->output[i] = ob_str(b, outs[i]);
	n->attribute = ob_alloc(b, 16 * sizeof(Onnx__AttributeProto *));
	b->nodes[b->graph.n_node++] = n;
	return n;
}

static void ob_attr_ints(struct ob *b, Onnx__NodeProto *n, const char *name, int count,
			 const int64_t *v)
{
	Onnx__AttributeProto *a = ob_alloc(b, sizeof(*a));

	onnx__attribute_proto__init(a);
	a->name = ob_str(b, name);
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
	a->n_ints = (size_t)count;
	a->ints = ob_alloc(b, (size_t)count * sizeof(int64_t));
	if (count)
		memcpy(a->ints, v, (size_t)count * sizeof(int64_t));
	n->attribute[n->n_attribute++] = a;
}

static void ob_attr_int(struct ob *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = ob_alloc(b, sizeof(*a));

	onnx__attribute_proto__init(a);
	a->name = ob_str(b, name);
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	a->has_i = 1;
	a->i = v;
	n->attribute[n->n_attribute++] = a;
}

/* A graph input (out = 0) or output (out = 1); a dim of -1 is symbolic "N". */
static Onnx__ValueInfoProto *ob_value(struct ob *b, int out, const char *name, int elem,
				      int rank, const int64_t *dims)
{
	Onnx__ValueInfoProto *v = ob_alloc(b, sizeof(*v));
	Onnx__TypeProto *t = ob_alloc(b, sizeof(*t));
	Onnx__TypeProto__Tensor *tt = ob_alloc(b, sizeof(*tt));
	Onnx__TensorShapeProto *sh = ob_alloc(b, sizeof(*sh));

	onnx__value_info_proto__init(v);
	onnx__type_proto__init(t);
	onnx__type_proto__tensor__init(tt);
	onnx__tensor_shape_proto__init(sh);
	v->name = ob_str(b, name);
	v->type = t;
	t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	t->tensor_type = tt;
	tt->has_elem_type = 1;
	tt->elem_type = elem;
	tt->shape = sh;
	sh->n_dim = (size_t)rank;
	sh->dim = ob_alloc(b, (size_t)rank * sizeof(*sh->dim));
	for (int i = 0; i < rank; i++) {
		Onnx__TensorShapeProto__Dimension *d = ob_alloc(b, sizeof(*d));

		onnx__tensor_shape_proto__dimension__init(d);
		if (dims[i] < 0) {
			d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
			d->dim_param = ob_str(b, "N");
		} else {
			d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			d->dim_value = dims[i];
		}
		sh->dim[i] = d;
	}
	if (out)
		b->outputs[b->graph.n_output++] = v;
	else
		b->inputs[b->graph.n_input++] = v;
	return v;
}

static void ob_meta(struct ob *b, const char *key, const char *value)
{
	Onnx__StringStringEntryProto *e = ob_alloc(b, sizeof(*e));

	onnx__string_string_entry_proto__init(e);
	e->key = ob_str(b, key);
	e->value = ob_str(b, value);
	b->meta[b->model.n_metadata_props++] = e;
}

/* The serialized model (malloc'd; the caller frees it). */
static uint8_t *ob_pack(struct ob *b, size_t *len)
{
	uint8_t *buf;

	*len = onnx__model_proto__get_packed_size(&b->model);
	buf = malloc(*len ? *len : 1);
	onnx__model_proto__pack(&b->model, buf);
	return buf;
}

#endif /* NPU_TEST_ONNX_BUILD_H */
