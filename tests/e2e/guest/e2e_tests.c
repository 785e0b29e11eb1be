// SPDX-License-Identifier: MIT
/*
 * e2e_tests.c - functional, negative, fault, multi-process, unload and
 * latency tests of the driver + device, run inside the guest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "e2e.h"
#include "e2e_conv.h"

/* Submits n jobs of random NOP counts and waits for all; returns failures. */
static void nop_jobs(struct e2e_dev *d, uint64_t *r, unsigned n, const char *who)
{
	union npu_desc descs[16];
	uint64_t ids[64], cnt[NPU_NUM_COUNTERS];
	uint32_t lens[64];
	struct drm_npu_wait w;
	unsigned i, j, batch;
	int ret;

	for (i = 0; i < n; i += batch) {
		batch = 1 + e2e_randn(r, 16);
		if (batch > n - i)
			batch = n - i;
		for (j = 0; j < batch; j++) {
			unsigned k;

			lens[j] = 1 + e2e_randn(r, 16);
			for (k = 0; k < lens[j]; k++)
				e2e_nop(&descs[k], i + j);
			ids[j] = 0;
			ret = e2e_submit(d, descs, lens[j], NULL, 0, &ids[j], NULL);
			CHECK_EQ(ret, 0, "%s: submit of job %u", who, i + j);
			if (j)
				CHECK(ids[j] > ids[j - 1], "%s: job ids increase (%llu after %llu)", who,
				      (unsigned long long)ids[j], (unsigned long long)ids[j - 1]);
		}
		for (j = 0; j < batch; j++) {
			if (!ids[j])
				continue;
			memset(cnt, 0, sizeof(cnt));
			ret = e2e_wait(d, ids[j], 20000, &w, cnt, NPU_NUM_COUNTERS);
			CHECK_EQ(ret, 0, "%s: wait for job %llu", who, (unsigned long long)ids[j]);
			if (ret)
				continue;
			CHECK_EQ(w.status, DRM_NPU_JOB_OK, "%s: job %llu err %u", who,
				 (unsigned long long)ids[j], w.err_code);
			CHECK_EQ(w.err_index, ~0u, "%s: err_index of a good job", who);
			if (d->caps.features & NPU_FEAT_FENCE_STATS) {
				/* Between the job's two fences: its NOPs and the leading fence. */
				CHECK(cnt[NPU_CNT_DESCS] >= lens[j] && cnt[NPU_CNT_DESCS] <= lens[j] + 2,
				      "%s: job of %u NOPs retired %llu descriptors", who, lens[j],
				      (unsigned long long)cnt[NPU_CNT_DESCS]);
				CHECK_EQ(cnt[NPU_CNT_CONVS], 0, "%s: NOP job ran convolutions", who);
				CHECK(cnt[NPU_CNT_CYCLES] > 0, "%s: job took no cycles", who);
			}
			/* The record is gone once waited for. */
			CHECK_EQ(e2e_wait(d, ids[j], 0, NULL, NULL, 0), -ENOENT, "%s: second wait", who);
		}
	}
}

int e2e_test_basic(uint64_t seed)
{
	struct e2e_dev d;
	struct e2e_bo a, b;
	uint64_t v, avail0, avail1, r = e2e_seed_state(seed);
	size_t i;
	int ret;

	printf("basic: seed %llu\n", (unsigned long long)seed);
	if (e2e_open(&d))
		return 1;

	/* Parameters: the raw capability registers, consistent with each other. */
	CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_HW_ID, &v), 0, "HW_ID");
	CHECK_EQ(v, NPU_ID_VALUE, "ID register");
	CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_HW_VERSION, &v), 0, "HW_VERSION");
	CHECK_EQ(v >> 16, NPU_VERSION_MAJOR, "major version");
	CHECK_EQ(d.mem_size, 1ull << d.caps.mem_log2, "MEM_SIZE vs CAP_MEM");
	CHECK_EQ(d.caps.mem_reserved, NPU_MEM_RESERVED, "reserved bytes");
	CHECK_EQ(d.caps.desc_bytes, NPU_DESC_BYTES, "descriptor size");
	CHECK(d.caps.rows > 0 && d.caps.cols > 0, "array %ux%u", d.caps.rows, d.caps.cols);
	CHECK(d.max_descs >= 16 && d.max_descs < (1u << d.caps.ring_log2_max),
	      "MAX_JOB_DESCS %llu", (unsigned long long)d.max_descs);
	CHECK_EQ(d.max_bos, 64, "MAX_JOB_BOS");
	CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_JOB_TIMEOUT_MS, &v), 0, "TIMEOUT");
	CHECK_EQ(v, e2e_get_module_param("timeout_ms"), "timeout param");
	CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_MEM_AVAILABLE, &avail0), 0, "MEM_AVAILABLE");
	CHECK(avail0 > 0 && avail0 < d.mem_size - NPU_MEM_RESERVED, "available %llu",
	      (unsigned long long)avail0);

	/* Buffers: page granular, outside the reserved area, zeroed, disjoint. */
	ret = e2e_bo_new(&d, 1, &a);
	CHECK_EQ(ret, 0, "BO of 1 byte");
	ret |= e2e_bo_new(&d, 3 * 4096 + 5, &b);
	CHECK_EQ(ret, 0, "BO of 3 pages + 5");
	if (!ret) {
		CHECK_EQ(a.size, 4096, "rounded size");
		CHECK_EQ(b.size, 4 * 4096, "rounded size");
		CHECK(a.addr % 4096 == 0 && b.addr % 4096 == 0, "page aligned");
		CHECK(a.addr >= NPU_MEM_RESERVED && b.addr >= NPU_MEM_RESERVED, "not reserved");
		CHECK(a.addr + a.size <= b.addr || b.addr + b.size <= a.addr, "disjoint");
		CHECK(b.addr + b.size <= d.mem_size, "inside memory");
		for (i = 0; i < b.size; i++)
			if (b.map[i])
				break;
		CHECK_EQ(i, b.size, "new BO is zeroed");
		memset(b.map, 0x5a, b.size);
		CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_MEM_AVAILABLE, &avail1), 0, "available");
		CHECK_EQ(avail0 - avail1, a.size + b.size, "accounting");
		e2e_bo_free(&d, &b);
		/* Memory comes back zeroed for the next owner. */
		ret = e2e_bo_new(&d, 4 * 4096, &b);
		CHECK_EQ(ret, 0, "BO again");
		for (i = 0; !ret && i < b.size; i++)
			if (b.map[i])
				break;
		CHECK(ret || i == b.size, "reused memory is zeroed");
	}
	e2e_bo_free(&d, &a);
	e2e_bo_free(&d, &b);
	CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_MEM_AVAILABLE, &avail1), 0, "available");
	CHECK_EQ(avail1, avail0, "all memory back");

	/* Jobs. */
	nop_jobs(&d, &r, 200, "basic");
	e2e_close(&d);
	return e2e_failures;
}

/* Expects a SUBMIT of one descriptor to be rejected with (errno, code). */
static void expect_reject(struct e2e_dev *d, const union npu_desc *desc,
			  const uint32_t *h, uint32_t nh, int err, uint32_t code,
			  const char *what)
{
	struct drm_npu_submit out;
	uint64_t jobs0 = (uint64_t)e2e_state("next_seqno");
	int ret = e2e_submit(d, desc, 1, h, nh, NULL, &out);

	CHECK_EQ(ret, err, "%s", what);
	if (err == -EINVAL && code) {
		CHECK_EQ(out.bad_code, code, "%s: reject code", what);
		CHECK_EQ(out.bad_index, 0, "%s: reject index", what);
	}
	CHECK_EQ((uint64_t)e2e_state("next_seqno"), jobs0, "%s: nothing reached the device", what);
}

int e2e_test_neg(uint64_t seed)
{
	struct e2e_dev d;
	struct e2e_bo bo, other;
	struct e2e_conv cc;
	union npu_desc desc[3], t;
	uint64_t r = e2e_seed_state(seed), v;
	uint32_t h[2], bad_h = 0xdead;
	struct drm_npu_submit s;
	struct drm_npu_wait w;
	struct drm_npu_bo_create c;
	struct drm_npu_bo_info bi;
	struct drm_npu_get_param gp;
	void *p;
	int ret;

	printf("neg: seed %llu\n", (unsigned long long)seed);
	if (e2e_open(&d))
		return 1;

	/* Unknown ioctl numbers and bad sizes. */
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOWR(DRM_COMMAND_BASE + 0x20, struct drm_npu_wait), &w),
		 -EINVAL, "unknown driver ioctl");
	/* GET_PARAM */
	memset(&gp, 0, sizeof(gp));
	gp.param = DRM_NPU_PARAM_COUNT;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_GET_PARAM, &gp), -EINVAL, "unknown param");
	gp.param = 0xffffffffu;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_GET_PARAM, &gp), -EINVAL, "huge param");
	gp.param = DRM_NPU_PARAM_HW_ID;
	gp.pad = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_GET_PARAM, &gp), -EINVAL, "param pad");
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_GET_PARAM, NULL), -EFAULT, "NULL argument");

	/* BO_CREATE / BO_INFO */
	memset(&c, 0, sizeof(c));
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_BO_CREATE, &c), -EINVAL, "size 0");
	c.size = 4096;
	c.flags = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_BO_CREATE, &c), -EINVAL, "BO flags");
	c.flags = 0;
	c.size = d.mem_size;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_BO_CREATE, &c), -EINVAL, "larger than usable memory");
	c.size = ~0ull;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_BO_CREATE, &c), -EINVAL, "size ~0");
	CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_MEM_AVAILABLE, &v), 0, "available");
	c.size = v + 4096;
	if (c.size <= d.mem_size - NPU_MEM_RESERVED)
		CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_BO_CREATE, &c), -ENOMEM, "more than available");
	memset(&bi, 0, sizeof(bi));
	bi.handle = bad_h;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_BO_INFO, &bi), -ENOENT, "BO_INFO bad handle");

	ret = e2e_bo_new(&d, 1 << 20, &bo);
	CHECK_EQ(ret, 0, "BO");
	ret |= e2e_bo_new(&d, 1 << 16, &other);
	CHECK_EQ(ret, 0, "BO");
	if (ret)
		return e2e_failures;
	bi.handle = bo.handle;
	bi.pad = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_BO_INFO, &bi), -EINVAL, "BO_INFO pad");

	/* mmap: private, too large, unknown offset. */
	p = mmap(NULL, bo.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, d.fd, (off_t)bo.mmap_offset);
	CHECK(p == MAP_FAILED, "MAP_PRIVATE must fail");
	if (p != MAP_FAILED)
		munmap(p, bo.size);
	p = mmap(NULL, bo.size * 2, PROT_READ, MAP_SHARED, d.fd, (off_t)bo.mmap_offset);
	CHECK(p == MAP_FAILED, "mapping beyond the BO must fail");
	if (p != MAP_FAILED)
		munmap(p, bo.size * 2);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, d.fd, (off_t)(bo.mmap_offset + (1ull << 30)));
	CHECK(p == MAP_FAILED, "unknown mmap offset must fail");
	if (p != MAP_FAILED)
		munmap(p, 4096);

	/* SUBMIT: struct fields */
	e2e_nop(&desc[0], 1);
	h[0] = bo.handle;
	memset(&s, 0, sizeof(s));
	s.descs = (uintptr_t)desc;
	s.desc_count = 1;
	s.flags = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_SUBMIT, &s), -EINVAL, "submit flags");
	s.flags = 0;
	s.pad = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_SUBMIT, &s), -EINVAL, "submit pad");
	s.pad = 0;
	s.reserved[1] = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_SUBMIT, &s), -EINVAL, "submit reserved");
	s.reserved[1] = 0;
	s.desc_count = 0;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_SUBMIT, &s), -EINVAL, "no descriptors");
	s.desc_count = (uint32_t)d.max_descs + 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_SUBMIT, &s), -EINVAL, "too many descriptors");
	s.desc_count = 1;
	s.bo_count = (uint32_t)d.max_bos + 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_SUBMIT, &s), -EINVAL, "too many BOs");
	s.bo_count = 0;
	s.descs = 16;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_SUBMIT, &s), -EFAULT, "bad descriptor pointer");
	s.descs = (uintptr_t)desc;
	s.bo_count = 1;
	s.bo_handles = 8;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_SUBMIT, &s), -EFAULT, "bad handle pointer");
	expect_reject(&d, desc, &bad_h, 1, -ENOENT, 0, "unknown BO handle");

	/* SUBMIT: descriptors the device would reject never reach it. */
	t = desc[0];
	t.hdr.opcode = 7;
	expect_reject(&d, &t, NULL, 0, -EINVAL, NPU_ERR_OPCODE, "bad opcode");
	t = desc[0];
	t.hdr.version = 2;
	expect_reject(&d, &t, NULL, 0, -EINVAL, NPU_ERR_VERSION, "bad version");
	t = desc[0];
	t.bytes[100] = 1;
	expect_reject(&d, &t, NULL, 0, -EINVAL, NPU_ERR_RESERVED, "reserved byte of a NOP");
	t = desc[0];
	t.nop.flags = 1;
	expect_reject(&d, &t, NULL, 0, -EINVAL, NPU_ERR_RESERVED, "NOP flags");
	memset(&t, 0, sizeof(t));
	t.fence.opcode = NPU_OP_FENCE;
	t.fence.version = NPU_DESC_VERSION;
	t.fence.seqno = 0x7fffffff;
	t.fence.flags = NPU_FENCE_IRQ;
	expect_reject(&d, &t, NULL, 0, -EINVAL, DRM_NPU_REJECT_OPCODE, "user FENCE");

	/* A valid conv inside bo, then its addresses pointed elsewhere. */
	if (!e2e_conv_random(&r, &d.caps, 6, &cc)) {
		struct e2e_bo cbo;

		if (!e2e_conv_place(&d, &cc, &cbo)) {
			struct npu_range rg[NPU_T_COUNT];
			uint32_t in_len, out_len;

			h[0] = cbo.handle;
			h[1] = other.handle;
			npu_conv_ranges(&d.caps, &cc.desc.conv, rg);
			in_len = (uint32_t)(rg[NPU_T_INPUT].end - rg[NPU_T_INPUT].start);
			out_len = (uint32_t)(rg[NPU_T_OUTPUT].end - rg[NPU_T_OUTPUT].start);
			CHECK_EQ(npu_check_desc(&d.caps, &cc.desc, &(uint32_t){0}), NPU_ERR_NONE, "template");

			t = cc.desc;	/* BO not listed */
			expect_reject(&d, &t, &other.handle, 1, -EINVAL, DRM_NPU_REJECT_BO_RANGE,
				      "conv on an unlisted BO");
			t = cc.desc;
			t.conv.out_addr = NPU_MEM_RESERVED;	/* the ring */
			expect_reject(&d, &t, h, 2, -EINVAL, DRM_NPU_REJECT_BO_RANGE, "output into the ring");
			t = cc.desc;
			t.conv.in_addr = NPU_MEM_RESERVED + 4096;	/* the ring */
			expect_reject(&d, &t, h, 2, -EINVAL, DRM_NPU_REJECT_BO_RANGE, "input from the ring");
			t = cc.desc;
			t.conv.w_addr = 0x100;	/* the transport area */
			expect_reject(&d, &t, h, 2, -EINVAL, NPU_ERR_ADDRESS, "weights from reserved memory");
			t = cc.desc;
			t.conv.cp_addr = (uint32_t)d.mem_size - 8;
			expect_reject(&d, &t, h, 2, -EINVAL, NPU_ERR_ADDRESS, "params past the end");
			t = cc.desc;	/* straddles the end of its BO by one byte */
			t.conv.out_addr = (uint32_t)(cbo.addr + cbo.size - out_len + 1);
			expect_reject(&d, &t, h, 2, -EINVAL, DRM_NPU_REJECT_BO_RANGE, "output past its BO");
			t = cc.desc;	/* straddles two BOs */
			if (other.addr == cbo.addr + cbo.size) {
				t.conv.in_addr = (uint32_t)(other.addr - in_len / 2 - 1);
				if (in_len > 2)
					expect_reject(&d, &t, h, 2, -EINVAL, DRM_NPU_REJECT_BO_RANGE,
						      "input across two BOs");
			}
			t = cc.desc;
			t.conv.reserved[5] = 1;
			expect_reject(&d, &t, h, 2, -EINVAL, NPU_ERR_RESERVED, "conv reserved word");
			t = cc.desc;
			t.conv.kh = 0;
			expect_reject(&d, &t, h, 2, -EINVAL, NPU_ERR_DIM, "kh 0");
			t = cc.desc;
			t.conv.in_type = 9;
			expect_reject(&d, &t, h, 2, -EINVAL, NPU_ERR_TYPE, "bad type");
			t = cc.desc;
			t.conv.in_h = (uint16_t)(d.caps.max_dim + 1);
			expect_reject(&d, &t, h, 2, -EINVAL, NPU_ERR_DIM, "in_h too big");
			/* The second descriptor is the bad one: index 1 reported. */
			desc[0] = cc.desc;
			desc[1] = cc.desc;
			desc[1].conv.out_addr = NPU_MEM_RESERVED;
			ret = e2e_submit(&d, desc, 2, h, 2, NULL, &s);
			CHECK_EQ(ret, -EINVAL, "second descriptor bad");
			CHECK_EQ(s.bad_index, 1, "index of the bad descriptor");
			CHECK_EQ(s.bad_code, DRM_NPU_REJECT_BO_RANGE, "code");
			e2e_bo_free(&d, &cbo);
		}
		e2e_conv_free(&cc);
	}

	/* WAIT */
	memset(&w, 0, sizeof(w));
	w.job_id = 1ull << 60;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_WAIT, &w), -ENOENT, "unknown job");
	w.flags = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_WAIT, &w), -EINVAL, "wait flags");
	w.flags = 0;
	w.pad = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_WAIT, &w), -EINVAL, "wait pad");
	w.pad = 0;
	w.reserved = 1;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_WAIT, &w), -EINVAL, "wait reserved");
	w.reserved = 0;
	w.counters_count = NPU_NUM_COUNTERS + 1;
	w.counters = (uintptr_t)&v;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_WAIT, &w), -EINVAL, "too many counters");
	w.counters_count = 1;
	w.counters = 0;
	CHECK_EQ(e2e_ioctl(d.fd, DRM_IOCTL_NPU_WAIT, &w), -EINVAL, "counters without pointer");
	{
		uint64_t id;

		e2e_nop(&desc[0], 3);
		CHECK_EQ(e2e_submit(&d, desc, 1, NULL, 0, &id, NULL), 0, "NOP");
		CHECK_EQ(e2e_wait(&d, id, 10000, &w, (uint64_t *)8, 4), -EFAULT, "bad counters pointer");
		CHECK_EQ(e2e_wait(&d, id, 10000, &w, NULL, 0), 0, "wait after EFAULT");
		CHECK_EQ(w.status, DRM_NPU_JOB_OK, "status");
	}

	/* At most DRM_NPU_MAX_UNWAITED jobs per file not waited for. */
	{
		uint64_t *ids = calloc(DRM_NPU_MAX_UNWAITED, sizeof(*ids));
		unsigned i, n = 0;

		e2e_nop(&desc[0], 4);
		for (i = 0; i < DRM_NPU_MAX_UNWAITED; i++) {
			ret = e2e_submit(&d, desc, 1, NULL, 0, &ids[n], NULL);
			if (ret) {
				CHECK_EQ(ret, 0, "unwaited job %u", i);
				break;
			}
			n++;
		}
		CHECK_EQ(e2e_submit(&d, desc, 1, NULL, 0, NULL, NULL), -EBUSY,
			 "job %u without a WAIT", DRM_NPU_MAX_UNWAITED + 1);
		for (i = 0; i < n; i++)
			if (e2e_wait(&d, ids[i], 20000, &w, NULL, 0) || w.status != DRM_NPU_JOB_OK)
				break;
		CHECK_EQ(i, n, "waiting for the unwaited jobs");
		CHECK_EQ(e2e_submit(&d, desc, 1, NULL, 0, &ids[0], NULL), 0, "submit after waiting");
		CHECK_EQ(e2e_wait(&d, ids[0], 20000, &w, NULL, 0), 0, "wait");
		free(ids);
	}

	e2e_bo_free(&d, &other);
	e2e_bo_free(&d, &bo);
	e2e_close(&d);
	return e2e_failures;
}

/* ------------------------------------------------------------------ */
static int job_status(struct e2e_dev *d, uint64_t id, unsigned ms, struct drm_npu_wait *w)
{
	int ret = e2e_wait(d, id, ms, w, NULL, 0);

	return ret ? ret : (int)w->status;
}

int e2e_test_fault(uint64_t seed, bool conv)
{
	struct e2e_dev d;
	union npu_desc desc[4];
	struct drm_npu_wait w;
	uint64_t a, b, c, t0, el;
	long long timeouts0, resets0;
	unsigned old_timeout = e2e_get_module_param("timeout_ms");
	int i;

	printf("fault: seed %llu\n", (unsigned long long)seed);
	if (e2e_open(&d))
		return 1;
	for (i = 0; i < 4; i++)
		e2e_nop(&desc[i], 0x100 + i);

	/* Injected device error: the job fails with the device's code. */
	CHECK_EQ(e2e_inject("error"), 0, "inject error");
	CHECK_EQ(e2e_submit(&d, desc, 3, NULL, 0, &a, NULL), 0, "submit");
	CHECK_EQ(e2e_submit(&d, desc, 2, NULL, 0, &b, NULL), 0, "submit");
	CHECK_EQ(job_status(&d, a, 10000, &w), DRM_NPU_JOB_ERROR, "injected error");
	CHECK_EQ(w.err_code, NPU_ERR_INTERNAL, "error code");
	CHECK_EQ(job_status(&d, b, 10000, &w), DRM_NPU_JOB_OK, "job after the error");

	/* Delayed completion below the timeout: a slow job still succeeds. */
	CHECK_EQ(e2e_inject("delay 300"), 0, "inject delay");
	t0 = e2e_now_ns();
	CHECK_EQ(e2e_submit(&d, desc, 1, NULL, 0, &a, NULL), 0, "submit");
	CHECK_EQ(e2e_wait(&d, a, 50, &w, NULL, 0), -ETIME, "wait shorter than the delay");
	CHECK_EQ(job_status(&d, a, 10000, &w), DRM_NPU_JOB_OK, "delayed job");
	el = (e2e_now_ns() - t0) / 1000000;
	CHECK(el >= 300, "delayed job finished after %llu ms", (unsigned long long)el);

	/*
	 * Hang: the job times out, the device is reset, the job queued behind
	 * it is replayed (a convolution when the datapath is tested: its
	 * output must be exact), and the next job is correct.
	 */
	for (i = 0; i < 2; i++) {
		uint64_t r = e2e_seed_state(seed + 77 + (uint64_t)i);
		struct e2e_conv cc[2];
		struct e2e_bo bo[2];
		bool have[2] = { false, false };
		char msg[160];
		int k;

		for (k = 0; conv && k < 2; k++)
			have[k] = !e2e_conv_random(&r, &d.caps, 8, &cc[k]) &&
				  !e2e_conv_place(&d, &cc[k], &bo[k]);
		CHECK_EQ(e2e_set_param("timeout_ms", 400), 0, "set timeout");
		timeouts0 = e2e_state("timeouts");
		resets0 = e2e_state("resets");
		CHECK_EQ(e2e_inject("hang"), 0, "inject hang");
		t0 = e2e_now_ns();
		CHECK_EQ(e2e_submit(&d, desc, 2, NULL, 0, &a, NULL), 0, "submit");
		if (have[0])
			CHECK_EQ(e2e_submit(&d, &cc[0].desc, 1, &bo[0].handle, 1, &b, NULL), 0, "submit");
		else
			CHECK_EQ(e2e_submit(&d, desc, 3, NULL, 0, &b, NULL), 0, "submit");
		CHECK_EQ(job_status(&d, a, 10000, &w), DRM_NPU_JOB_TIMEOUT, "hung job");
		el = (e2e_now_ns() - t0) / 1000000;
		CHECK(el >= 400 && el < 5000, "timeout after %llu ms", (unsigned long long)el);
		CHECK_EQ(job_status(&d, b, 20000, &w), DRM_NPU_JOB_OK, "job queued behind the hang");
		if (have[0])
			CHECK(e2e_conv_compare(&cc[0], &bo[0], msg, sizeof(msg)) == 0,
			      "replayed conv: %s", msg);
		if (have[1]) {
			CHECK_EQ(e2e_submit(&d, &cc[1].desc, 1, &bo[1].handle, 1, &c, NULL), 0, "submit");
			CHECK_EQ(job_status(&d, c, 20000, &w), DRM_NPU_JOB_OK, "conv after the reset");
			CHECK(e2e_conv_compare(&cc[1], &bo[1], msg, sizeof(msg)) == 0,
			      "conv after the reset: %s", msg);
		} else {
			CHECK_EQ(e2e_submit(&d, desc, 4, NULL, 0, &c, NULL), 0, "submit");
			CHECK_EQ(job_status(&d, c, 10000, &w), DRM_NPU_JOB_OK, "job after the reset");
		}
		CHECK_EQ(e2e_state("timeouts"), timeouts0 + 1, "timeouts counted");
		CHECK_EQ(e2e_state("resets"), resets0 + 1, "resets counted");
		CHECK_EQ(e2e_set_param("timeout_ms", old_timeout), 0, "restore timeout");
		for (k = 0; k < 2; k++)
			if (have[k]) {
				e2e_bo_free(&d, &bo[k]);
				e2e_conv_free(&cc[k]);
			}
	}

	/* A device-detected error in a descriptor (bad channel parameters). */
	if (conv) {
		uint64_t r = e2e_seed_state(seed);
		struct e2e_conv cc;
		struct e2e_bo bo;
		char msg[160];

		if (!e2e_conv_random(&r, &d.caps, 6, &cc) && !e2e_conv_place(&d, &cc, &bo)) {
			struct npu_chan_param p;
			uint64_t cp = cc.desc.conv.cp_addr - bo.addr;

			memcpy(&p, bo.map + cp, sizeof(p));
			p.reserved1 = 1;
			memcpy(bo.map + cp, &p, sizeof(p));
			desc[0] = cc.desc;
			desc[0].conv.tag = 0xabc;
			e2e_nop(&desc[1], 0);
			desc[2] = cc.desc;
			CHECK_EQ(e2e_submit(&d, desc, 3, &bo.handle, 1, &a, NULL), 0, "submit");
			CHECK_EQ(job_status(&d, a, 20000, &w), DRM_NPU_JOB_ERROR, "bad channel params");
			CHECK_EQ(w.err_code, NPU_ERR_CHAN_PARAM, "error code");
			CHECK_EQ(w.err_index, 0, "faulting descriptor");
			CHECK_EQ(w.err_tag, 0xabc, "faulting tag");
			CHECK_EQ(w.err_info, offsetof(struct npu_chan_param, reserved1), "err info");
			/* Fixed, the same descriptor computes the right thing. */
			p.reserved1 = 0;
			memcpy(bo.map + cp, &p, sizeof(p));
			CHECK_EQ(e2e_submit(&d, &cc.desc, 1, &bo.handle, 1, &a, NULL), 0, "submit");
			CHECK_EQ(job_status(&d, a, 20000, &w), DRM_NPU_JOB_OK, "fixed job");
			CHECK(e2e_conv_compare(&cc, &bo, msg, sizeof(msg)) == 0, "after error: %s", msg);
			e2e_bo_free(&d, &bo);
		}
		e2e_conv_free(&cc);
	}
	e2e_close(&d);
	return e2e_failures;
}

/* ------------------------------------------------------------------ */
/* Several processes at once, and isolation between them               */
/* ------------------------------------------------------------------ */
static int child_work(uint64_t seed, bool conv, const struct e2e_bo *foreign, int id)
{
	struct e2e_dev d;
	uint64_t r = e2e_seed_state(seed * 7919 + (uint64_t)id);
	char who[32];
	unsigned i;

	e2e_failures = 0;
	snprintf(who, sizeof(who), "proc%d", id);
	if (e2e_open(&d))
		return 1;
	if (foreign) {
		struct e2e_bo mine;
		struct e2e_conv cc;
		void *p;

		/* Another process's BO: not mappable, not addressable. */
		p = mmap(NULL, foreign->size, PROT_READ, MAP_SHARED, d.fd, (off_t)foreign->mmap_offset);
		CHECK(p == MAP_FAILED && errno == EACCES, "%s: mapping a foreign BO (errno %d)", who, errno);
		if (p != MAP_FAILED)
			munmap(p, foreign->size);
		if (!e2e_conv_random(&r, &d.caps, 6, &cc)) {
			if (!e2e_conv_place(&d, &cc, &mine)) {
				union npu_desc t = cc.desc;
				struct drm_npu_submit s;

				t.conv.out_addr = (uint32_t)foreign->addr;
				CHECK_EQ(e2e_submit(&d, &t, 1, &mine.handle, 1, NULL, &s), -EINVAL,
					 "%s: output into a foreign BO", who);
				CHECK_EQ(s.bad_code, DRM_NPU_REJECT_BO_RANGE, "%s: code", who);
				t = cc.desc;
				t.conv.in_addr = (uint32_t)foreign->addr;
				CHECK_EQ(e2e_submit(&d, &t, 1, &mine.handle, 1, NULL, &s), -EINVAL,
					 "%s: input from a foreign BO", who);
				/* A foreign handle number means nothing here. */
				CHECK_EQ(e2e_submit(&d, &cc.desc, 1, &foreign->handle, 1, NULL, &s) != 0 ||
					 foreign->handle == mine.handle, 1, "%s: foreign handle", who);
				e2e_bo_free(&d, &mine);
			}
			e2e_conv_free(&cc);
		}
	}
	nop_jobs(&d, &r, 150, who);
	for (i = 0; conv && i < 6; i++) {
		struct e2e_conv cc;
		struct e2e_bo bo;
		struct drm_npu_wait w;
		uint64_t job;
		char msg[160];

		if (e2e_conv_random(&r, &d.caps, 8, &cc))
			continue;
		if (!e2e_conv_place(&d, &cc, &bo)) {
			CHECK_EQ(e2e_submit(&d, &cc.desc, 1, &bo.handle, 1, &job, NULL), 0, "%s: conv", who);
			CHECK_EQ(job_status(&d, job, 30000, &w), DRM_NPU_JOB_OK, "%s: conv", who);
			CHECK(e2e_conv_compare(&cc, &bo, msg, sizeof(msg)) == 0, "%s: %s", who, msg);
			e2e_bo_free(&d, &bo);
		}
		e2e_conv_free(&cc);
	}
	e2e_close(&d);
	return e2e_failures ? 1 : 0;
}

/* A process that dies (SIGKILL) with BOs, mappings and jobs in flight. */
static void crash_child(void)
{
	struct e2e_dev d;
	struct e2e_bo bo[4];
	union npu_desc n[8];
	int i;

	if (e2e_open(&d))
		_exit(1);
	for (i = 0; i < 8; i++)
		e2e_nop(&n[i], 0);
	for (i = 0; i < 4; i++) {
		if (e2e_bo_new(&d, (i + 1) * 65536, &bo[i]))
			_exit(1);
		memset(bo[i].map, i, bo[i].size);
	}
	for (i = 0; i < 20; i++)
		e2e_submit(&d, n, 8, (uint32_t[]){ bo[0].handle, bo[1].handle }, 2, NULL, NULL);
	kill(getpid(), SIGKILL);
	_exit(1);
}

int e2e_test_multi(uint64_t seed, bool conv)
{
	struct e2e_dev d;
	struct e2e_bo secret;
	pid_t pid[3], crash;
	uint64_t avail0, avail = 0, t0;
	int i, st, nproc = 3;

	printf("multi: seed %llu, %d processes\n", (unsigned long long)seed, nproc + 1);
	if (e2e_open(&d))
		return 1;
	CHECK_EQ(e2e_bo_new(&d, 8192, &secret), 0, "secret BO");
	memset(secret.map, 0x77, secret.size);
	fflush(stdout);
	for (i = 0; i < nproc; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			close(d.fd);	/* the children use their own files */
			_exit(child_work(seed, conv, &secret, i));
		}
		CHECK(pid[i] > 0, "fork");
	}
	e2e_failures += child_work(seed, conv, NULL, nproc);
	for (i = 0; i < nproc; i++) {
		if (pid[i] <= 0)
			continue;
		CHECK(waitpid(pid[i], &st, 0) == pid[i], "waitpid");
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d status %#x", i, st);
	}
	for (i = 0; i < (int)secret.size; i++)
		if (secret.map[i] != 0x77)
			break;
	CHECK_EQ(i, (int)secret.size, "the secret BO is untouched");
	e2e_bo_free(&d, &secret);

	/* Nothing leaks when a process dies with BOs and jobs in flight. */
	CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_MEM_AVAILABLE, &avail0), 0, "available");
	fflush(stdout);
	crash = fork();
	if (crash == 0) {
		close(d.fd);
		crash_child();
	}
	CHECK(waitpid(crash, &st, 0) == crash && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "crash child status %#x", st);
	t0 = e2e_now_ns();
	do {	/* its jobs still hold their BOs until they complete */
		CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_MEM_AVAILABLE, &avail), 0, "available");
		if (avail == avail0)
			break;
		usleep(10000);
	} while (e2e_now_ns() - t0 < 20000000000ull);
	CHECK_EQ(avail, avail0, "device memory back after the process died");
	CHECK_EQ(e2e_state("pending"), 0, "no jobs left behind");
	e2e_close(&d);
	return e2e_failures;
}

/* ------------------------------------------------------------------ */
/* Unload / unbind                                                      */
/* ------------------------------------------------------------------ */
/* Leaves jobs on a stalled device and exits without waiting (rmmod next). */
int e2e_test_orphan(void)
{
	struct e2e_dev d;
	struct e2e_bo bo;
	union npu_desc n[4];
	int i;

	if (e2e_open(&d))
		return 1;
	CHECK_EQ(e2e_bo_new(&d, 65536, &bo), 0, "BO");
	for (i = 0; i < 4; i++)
		e2e_nop(&n[i], 0);
	CHECK_EQ(e2e_inject("delay 700"), 0, "delay");
	for (i = 0; i < 8; i++)
		CHECK_EQ(e2e_submit(&d, n, 4, &bo.handle, 1, NULL, NULL), 0, "submit");
	printf("orphan: 8 jobs left pending, pending=%lld\n", e2e_state("pending"));
	return e2e_failures;	/* exit closes the file with the jobs in flight */
}

int e2e_test_hold(unsigned seconds)
{
	struct e2e_dev d;
	struct e2e_bo bo;
	union npu_desc n;
	uint64_t id;

	if (e2e_open(&d))
		return 1;
	CHECK_EQ(e2e_bo_new(&d, 4096, &bo), 0, "BO");
	e2e_nop(&n, 0);
	CHECK_EQ(e2e_submit(&d, &n, 1, NULL, 0, &id, NULL), 0, "submit");
	printf("hold: holding the device for %u s\n", seconds);
	fflush(stdout);
	sleep(seconds);
	return e2e_failures;	/* exit closes everything */
}

static sigjmp_buf sigbus_env;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(sigbus_env, 1);
}

static int pci_addr(char *buf, size_t len)
{
	DIR *dir = opendir("/sys/bus/pci/drivers/npu");
	struct dirent *e;
	int ret = -ENOENT;

	if (!dir)
		return -errno;
	while ((e = readdir(dir)))
		if (!strncmp(e->d_name, "0000:", 5)) {
			snprintf(buf, len, "%s", e->d_name);
			ret = 0;
			break;
		}
	closedir(dir);
	return ret;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

int e2e_test_unbind(void)
{
	struct e2e_dev d, d2;
	struct e2e_bo bo;
	union npu_desc n[4];
	uint64_t ids[6], v;
	char addr[300];
	volatile uint8_t x = 0;
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int i, faulted;

	if (pci_addr(addr, sizeof(addr))) {
		CHECK(0, "no npu PCI device bound");
		return e2e_failures;
	}
	printf("unbind: device %s, with an open file, a mapping and pending jobs\n", addr);
	if (e2e_open(&d))
		return 1;
	CHECK_EQ(e2e_bo_new(&d, 4096, &bo), 0, "BO");
	for (i = 0; i < 4; i++)
		e2e_nop(&n[i], 0);
	CHECK_EQ(e2e_inject("delay 500"), 0, "delay");
	for (i = 0; i < 6; i++)
		CHECK_EQ(e2e_submit(&d, n, 4, NULL, 0, &ids[i], NULL), 0, "submit");
	CHECK_EQ(sysfs_write("/sys/bus/pci/drivers/npu/unbind", addr), 0, "unbind");

	/* The file stays open but the device is gone. */
	CHECK_EQ(e2e_get_param(&d, DRM_NPU_PARAM_HW_ID, &v), -ENODEV, "ioctl after unbind");
	CHECK_EQ(e2e_wait(&d, ids[5], 1000, NULL, NULL, 0), -ENODEV, "wait after unbind");
	sigaction(SIGBUS, &sa, &old);
	faulted = sigsetjmp(sigbus_env, 1);
	if (!faulted)
		x = bo.map[0];
	sigaction(SIGBUS, &old, NULL);
	(void)x;
	CHECK(faulted, "the mapping was revoked");
	munmap(bo.map, bo.size);
	e2e_close(&d);

	CHECK_EQ(sysfs_write("/sys/bus/pci/drivers/npu/bind", addr), 0, "bind again");
	if (e2e_open(&d2))
		return e2e_failures + 1;
	CHECK_EQ(e2e_submit(&d2, n, 4, NULL, 0, &ids[0], NULL), 0, "submit after rebind");
	CHECK_EQ(job_status(&d2, ids[0], 10000, &(struct drm_npu_wait){0}), DRM_NPU_JOB_OK,
		 "job after rebind");
	e2e_close(&d2);
	return e2e_failures;
}

int e2e_test_escapes(void)
{
	long long esc = e2e_state("escapes"), acc = e2e_state("accesses");
	long long faults = e2e_state("sim_faults");

	printf("escapes: %lld of %lld device memory accesses outside the owning job's BOs; "
	       "simulator faults %lld\n", esc, acc, faults);
	CHECK_EQ(esc, 0, "escapes");
	CHECK_EQ(faults, 0, "simulator faults");
	CHECK(acc > 0, "the escape counter saw accesses");
	return e2e_failures;
}

/* ------------------------------------------------------------------ */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int e2e_test_rtt(unsigned n)
{
	struct e2e_dev d;
	union npu_desc nop;
	struct drm_npu_wait w;
	uint64_t *t, id, t0, sum = 0, cnt[NPU_NUM_COUNTERS], cycles = 0;
	long long sim0 = e2e_state("sim_us"), sim1, ack0 = e2e_state("irq_ack_us"), ack1;
	long long acks0 = e2e_state("irq_acks"), acks1;
	unsigned i, ok = 0;

	if (e2e_open(&d))
		return 1;
	t = calloc(n, sizeof(*t));
	e2e_nop(&nop, 0);
	for (i = 0; i < n; i++) {
		t0 = e2e_now_ns();
		if (e2e_submit(&d, &nop, 1, NULL, 0, &id, NULL) ||
		    e2e_wait(&d, id, 10000, &w, cnt, NPU_NUM_COUNTERS) || w.status != DRM_NPU_JOB_OK) {
			CHECK(0, "round trip %u failed", i);
			continue;
		}
		t[ok++] = e2e_now_ns() - t0;
		sum += t[ok - 1];
		cycles += cnt[NPU_CNT_CYCLES];
	}
	sim1 = e2e_state("sim_us");
	ack1 = e2e_state("irq_ack_us");
	acks1 = e2e_state("irq_acks");
	if (ok) {
		qsort(t, ok, sizeof(*t), cmp_u64);
		printf("E2E-RTT: submit->interrupt->wait of a 1-NOP job, n=%u: median %.1f us, "
		       "p99 %.1f us, mean %.1f us, min %.1f us, max %.1f us\n", ok,
		       t[ok / 2] / 1e3, t[(ok * 99) / 100] / 1e3, (double)sum / ok / 1e3,
		       t[0] / 1e3, t[ok - 1] / 1e3);
		/* The simulated device's share: the rest is guest, QEMU, transport. */
		if (sim0 >= 0 && sim1 >= sim0)
			printf("E2E-RTT: of which simulating the device: %.1f us per job "
			       "(%.0f device cycles between the job's fences)\n",
			       (double)(sim1 - sim0) / ok, (double)cycles / ok);
		if (ack0 >= 0 && acks1 > acks0)
			printf("E2E-RTT: interrupt signalled -> acknowledged (QEMU MSI-X delivery, "
			       "handler, doorbell): %.1f us on average\n",
			       (double)(ack1 - ack0) / (double)(acks1 - acks0));
		{
			static const char *const keys[] = { "ping_mean_us", "ping_min_us", "ping_max_us" };
			long long v[3];

			e2e_debugfs_read("npu_ping", keys, v, 3);
			CHECK(v[0] > 0, "transport ping");
			printf("E2E-RTT: transport ping (register write + flush, no device work, n=200): "
			       "mean %lld us, min %lld us, max %lld us\n", v[0], v[1], v[2]);
		}
	}
	free(t);
	e2e_close(&d);
	return e2e_failures;
}
