/* SPDX-License-Identifier: MIT */
/*
 * rng.h - the seeded generator behind synthetic weights and inputs
 * (splitmix64): tiny, fast, the same numbers on every machine, and its
 * state lives in the caller, so there is no global state.
 */
#ifndef NPU_RNG_H
#define NPU_RNG_H

#include <stdint.h>

struct npu_rng {
	uint64_t s;
};

static inline uint64_t npu_rng_next(struct npu_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (hi - lo < 2^32). */
static inline int64_t npu_rng_range(struct npu_rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(npu_rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static inline double npu_rng_unit(struct npu_rng *r)
{
	return (double)(npu_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* A seed for a named stream of a parent seed (FNV-1a of the name, mixed). */
static inline uint64_t npu_rng_derive(uint64_t seed, const char *name)
{
	struct npu_rng r;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	while (*name)
		h = (h ^ (unsigned char)*name++) * UINT64_C(0x100000001b3);
	r.s = seed ^ h;
	return npu_rng_next(&r);
}

#endif /* NPU_RNG_H */
