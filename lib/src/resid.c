/* SPDX-License-Identifier: MIT */
/* Device memory residency: least-recently-used eviction and a scratch cache (resid.h). */
#include <string.h>

#include "resid.h"

void npu_resid_init(struct npu_resid *r, struct npu_backend *be)
{
	memset(r, 0, sizeof(*r));
	r->be = be;
}

void npu_resid_trim(struct npu_resid *r)
{
	for (int i = 0; i < r->ncache; i++)
		r->be->ops->bo_free(r->be, r->cache[i]);
	r->ncache = 0;
}

void npu_resid_fini(struct npu_resid *r)
{
	if (r->be)
		npu_resid_trim(r);
}

void npu_resid_remove(struct npu_resid *r, struct npu_resid_item *it)
{
	if (!it->listed)
		return;
	if (it->prev)
		it->prev->next = it->next;
	else
		r->mru = it->next;
	if (it->next)
		it->next->prev = it->prev;
	else
		r->lru = it->prev;
	it->prev = it->next = NULL;
	it->listed = 0;
}

void npu_resid_touch(struct npu_resid *r, struct npu_resid_item *it)
{
	npu_resid_remove(r, it);
	it->next = r->mru;
	if (r->mru)
		r->mru->prev = it;
	else
		r->lru = it;
	r->mru = it;
	it->listed = 1;
}

/* Evicts the least recently used unpinned item; 0 when there is none. */
static int evict_one(struct npu_resid *r)
{
	struct npu_resid_item *it = r->lru;

	while (it && it->pinned)
		it = it->prev;
	if (!it)
		return 0;
	npu_resid_remove(r, it);
	r->evictions++;
	it->evict(it);
	return 1;
}

npu_status npu_resid_alloc(struct npu_resid *r, size_t size, struct npu_bo **bo)
{
	npu_status st = r->be->ops->bo_alloc(r->be, size, bo);

	if (st == NPU_E_NOMEM && r->ncache) {
		npu_resid_trim(r);
		st = r->be->ops->bo_alloc(r->be, size, bo);
	}
	while (st == NPU_E_NOMEM && evict_one(r))
		st = r->be->ops->bo_alloc(r->be, size, bo);
	if (st != NPU_OK)
		*bo = NULL;
	return st;
}

npu_status npu_resid_scratch_get(struct npu_resid *r, size_t size, struct npu_bo **bo)
{
	int best = -1;

	for (int i = 0; i < r->ncache; i++) {
		size_t have = r->cache[i]->size;

		if (have >= size && have - size <= size + (64u << 10) &&
		    (best < 0 || have < r->cache[best]->size))
			best = i;
	}
	if (best >= 0) {
		*bo = r->cache[best];
		memmove(&r->cache[best], &r->cache[best + 1],
			(size_t)(r->ncache - best - 1) * sizeof(r->cache[0]));
		r->ncache--;
		return NPU_OK;
	}
	return npu_resid_alloc(r, size, bo);
}

void npu_resid_scratch_put(struct npu_resid *r, struct npu_bo *bo)
{
	if (!bo)
		return;
	if (r->ncache == NPU_RESID_CACHE) {
		r->be->ops->bo_free(r->be, r->cache[0]);
		memmove(&r->cache[0], &r->cache[1], (NPU_RESID_CACHE - 1) * sizeof(r->cache[0]));
		r->ncache--;
	}
	r->cache[r->ncache++] = bo;
}

void npu_resid_stats(const struct npu_resid *r, struct npu_resid_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->evictions = r->evictions;
	for (const struct npu_resid_item *it = r->mru; it; it = it->next) {
		s->items++;
		s->resident_bytes += it->bytes;
	}
	for (int i = 0; i < r->ncache; i++)
		s->cached_bytes += r->cache[i]->size;
	s->cached = r->ncache;
}
