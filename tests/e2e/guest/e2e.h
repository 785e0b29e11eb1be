/* SPDX-License-Identifier: MIT */
/*
 * e2e.h - helpers of the in-guest test program npu-e2e: the UAPI through
 * libdrm (drmOpenWithType, drmGetVersion, drmIoctl), buffers, descriptors,
 * checks. Until lib/ has its drm backend the tests talk to the UAPI here.
 */
#ifndef E2E_H
#define E2E_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "npu_drm.h"
#include "npu_hw.h"
#include "npu_hw_check.h"

extern int e2e_failures;
extern int e2e_verbose;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			e2e_failures++;                                     \
			printf("CHECK FAILED %s:%d: %s: ", __FILE__, __LINE__, \
			       #cond);                                      \
			printf(__VA_ARGS__);                                \
			printf("\n");                                       \
			fflush(stdout);                                     \
		}                                                           \
	} while (0)
/* Equality of two integers, printing both. */
#define CHECK_EQ(a, b, ...)                                                 \
	do {                                                                \
		long long _a = (long long)(a), _b = (long long)(b);         \
		if (_a != _b) {                                             \
			e2e_failures++;                                     \
			printf("CHECK FAILED %s:%d: %s == %s: %lld != %lld: ", \
			       __FILE__, __LINE__, #a, #b, _a, _b);         \
			printf(__VA_ARGS__);                                \
			printf("\n");                                       \
			fflush(stdout);                                     \
		}                                                           \
	} while (0)

struct e2e_dev {
	int fd;
	struct npu_caps caps;
	uint64_t mem_size, max_descs, max_bos;
};

struct e2e_bo {
	uint32_t handle;
	uint64_t size, addr, mmap_offset;
	uint8_t *map;
};

/* Small deterministic PRNG (xorshift64*); seeds are printed by callers. */
static inline uint64_t e2e_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* A PRNG state from a printed seed (splitmix64; never 0). */
static inline uint64_t e2e_seed_state(uint64_t seed)
{
	uint64_t z = seed + 0x9E3779B97F4A7C15ull;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return z ? z : 1;
}

static inline uint32_t e2e_randn(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(e2e_rand(s) % n) : 0;
}

uint64_t e2e_now_ns(void);
/* Opens the npu render node and reads the caps; exits the test on failure. */
int e2e_open(struct e2e_dev *d);
void e2e_close(struct e2e_dev *d);
/* ioctl returning 0 or -errno */
int e2e_ioctl(int fd, unsigned long req, void *arg);
int e2e_get_param(struct e2e_dev *d, uint32_t param, uint64_t *value);
/* Creates, looks up and maps a BO; 0 or -errno. */
int e2e_bo_new(struct e2e_dev *d, uint64_t size, struct e2e_bo *bo);
void e2e_bo_free(struct e2e_dev *d, struct e2e_bo *bo);

int e2e_submit(struct e2e_dev *d, const union npu_desc *descs, uint32_t n,
	       const uint32_t *handles, uint32_t nh, uint64_t *job_id,
	       struct drm_npu_submit *out);
/* Waits up to timeout_ms from now; 0 or -errno; w receives the result. */
int e2e_wait(struct e2e_dev *d, uint64_t job_id, unsigned timeout_ms,
	     struct drm_npu_wait *w, uint64_t *counters, uint32_t ncounters);

void e2e_nop(union npu_desc *d, uint32_t tag);

/* Debugfs of the device: value of "key" in npu_state, or -1. */
long long e2e_state(const char *key);
/* Value of key in another debugfs file of the device (e.g. npu_ping). */
long long e2e_debugfs(const char *file, const char *key);
/* Several keys from one read (a read of npu_ping runs the pings). */
int e2e_debugfs_read(const char *file, const char *const *keys, long long *vals, int n);
/* Writes a fault-injection command ("hang", "error", "delay N", "clear"). */
int e2e_inject(const char *cmd);
/* Writes a module parameter of npu (e.g. "timeout_ms"). */
int e2e_set_param(const char *name, unsigned value);
unsigned e2e_get_module_param(const char *name);

/* Conv layer on the device in one descriptor: see e2e_conv.c. */
struct e2e_conv_case;

/* Test entry points: return the number of failures. */
int e2e_test_basic(uint64_t seed);
int e2e_test_neg(uint64_t seed);
int e2e_test_multi(uint64_t seed, bool conv);
int e2e_test_fault(uint64_t seed, bool conv);
int e2e_test_fuzz(uint64_t seed, bool conv, unsigned ioctls, unsigned jobs);
int e2e_test_rtt(unsigned n);
int e2e_test_conv(uint64_t seed, unsigned cases);
int e2e_test_hold(unsigned seconds);
int e2e_test_orphan(void);
int e2e_test_unbind(void);
int e2e_test_escapes(void);

#endif /* E2E_H */
