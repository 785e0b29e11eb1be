/* SPDX-License-Identifier: MIT */
/*
 * resid.h - device memory residency: which device buffers stay allocated
 * between runs and which make room when an allocation fails.
 *
 * Two kinds of buffers:
 *  - items: a plan's weights and channel records. They stay resident while
 *    memory allows, on a list ordered by last use. When an allocation
 *    fails, the least recently used unpinned item is evicted (its owner
 *    frees its buffers and uploads them again before its next run), and
 *    the allocation is retried, until it succeeds or nothing is left.
 *  - scratch: activation buffers (a layer's input and output), needed only
 *    while a layer runs. Released scratch buffers are kept in a small cache
 *    and handed to a later request of about the same size (no allocation,
 *    no zero fill); under pressure the cache is emptied before any item is
 *    evicted.
 *
 * Single-threaded, like the device it belongs to. Sizes are bytes.
 */
#ifndef NPU_RESID_H
#define NPU_RESID_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

/* Cached scratch buffers at most. */
#define NPU_RESID_CACHE 6

struct npu_resid_item {
	struct npu_resid_item *prev, *next;	/* prev: more recently used */
	/* Frees the owner's resident buffers (they are not in use). */
	void (*evict)(struct npu_resid_item *it);
	size_t bytes;			/* resident bytes, for the figures */
	int pinned;			/* in use by the running layer: never evicted */
	int listed;
};

struct npu_resid_stats {
	uint64_t evictions;		/* items evicted to make room */
	uint64_t resident_bytes;	/* of listed items */
	uint64_t cached_bytes;		/* scratch buffers in the cache */
	int items, cached;
};

struct npu_resid {
	struct npu_backend *be;
	struct npu_resid_item *mru, *lru;
	struct npu_bo *cache[NPU_RESID_CACHE];	/* oldest first */
	int ncache;
	uint64_t evictions;
};

void npu_resid_init(struct npu_resid *r, struct npu_backend *be);
/* Frees the cached scratch buffers. Items must have been removed. */
void npu_resid_fini(struct npu_resid *r);

/*
 * A device buffer of `size` bytes (zero-filled by the backend). When the
 * backend is out of memory: empties the scratch cache and retries, then
 * evicts unpinned items least recently used first, retrying after each.
 * NPU_E_NOMEM when it still fails with nothing left to free; other
 * backend errors as they come.
 */
npu_status npu_resid_alloc(struct npu_resid *r, size_t size, struct npu_bo **bo);

/*
 * A scratch buffer of at least `size` bytes: a cached one between size
 * and 2 * size + 64 KiB when there is one (its contents are stale), else
 * npu_resid_alloc(). Errors as npu_resid_alloc.
 */
npu_status npu_resid_scratch_get(struct npu_resid *r, size_t size, struct npu_bo **bo);
/* Gives a scratch buffer back (cached; the oldest cached one is freed when full). NULL: no-op. */
void npu_resid_scratch_put(struct npu_resid *r, struct npu_bo *bo);
/* Frees every cached scratch buffer. */
void npu_resid_trim(struct npu_resid *r);

/* Puts an item on the list as the most recently used (or moves it there). */
void npu_resid_touch(struct npu_resid *r, struct npu_resid_item *it);
/* Takes an item off the list (its buffers are the owner's business). */
void npu_resid_remove(struct npu_resid *r, struct npu_resid_item *it);

void npu_resid_stats(const struct npu_resid *r, struct npu_resid_stats *s);

#endif /* NPU_RESID_H */
