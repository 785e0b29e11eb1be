/* SPDX-License-Identifier: MIT */
/*
 * Attributes of the node being translated. A getter fails when an
 * attribute has another type than the operator's spec gives it, and
 * ox_attr_only rejects attributes a handler does not know, so a typo or
 * an unsupported option is an error, never a silent default.
 */
#include <stdio.h>
#include <string.h>

#include "onnx_internal.h"

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
