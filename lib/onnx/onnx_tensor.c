/* SPDX-License-Identifier: MIT */
/*
 * ONNX tensors into the importer's constants: an initializer's raw_data,
 * its typed fields (int32_data for the 8- and 16-bit types, as the
 * protobuf stores them) or an external data file (a path inside the
 * model's folder, offset and length checked against the file), and a
 * Constant node's value attributes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "raw_data is little-endian; this reader assumes a little-endian host"
#endif

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
