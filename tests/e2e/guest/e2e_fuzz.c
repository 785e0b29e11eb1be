// SPDX-License-Identifier: MIT
/*
 * e2e_fuzz.c - seeded, bounded fuzzing of the driver from inside the guest.
 *
 * Phase 1: random ioctls: driver and core DRM numbers, right and wrong
 * sizes and directions, random or half-valid arguments, bad pointers. Every
 * return value must be 0 or an errno from a fixed list.
 * Phase 2: hostile jobs: valid templates (NOP, and CONV when the datapath
 * is tested) mutated to point at another process's BO, the ring, the
 * reserved area, past the end of memory or of a BO, with broken fields,
 * user FENCEs and bad handle lists. The driver's verdict must equal the
 * model's (npu_check_desc + "every range inside a listed BO"); accepted jobs
 * must complete (OK or a device error). The escape counter of the virtual
 * platform is checked afterwards by the escapes test.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include "e2e.h"
#include "e2e_conv.h"

static bool errno_expected(int e)
{
	switch (e) {
	case 0: case EINVAL: case EFAULT: case ENOENT: case ENOMEM: case ENOTTY:
	case EACCES: case ENOSYS: case EOPNOTSUPP: case ETIME: case EBUSY:
	case EPERM: case ENOSPC: case ERANGE: case E2BIG: case EBADF:
		return true;
	default:
		return false;
	}
}

#define MAX_HANDLES 32

struct fuzz {
	struct e2e_dev d;
	uint64_t r;
	uint8_t *arg;			/* 4 KiB of argument space before a guard page */
	uint8_t *guard;
	uint32_t handles[MAX_HANDLES];
	unsigned nhandles;
	union npu_desc descs[8];
	uint64_t jobs[64];
	unsigned njobs;
	unsigned unexpected;
};

static uint32_t pick_handle(struct fuzz *f)
{
	if (!f->nhandles || !e2e_randn(&f->r, 8))
		return (uint32_t)e2e_rand(&f->r) % 64;
	return f->handles[e2e_randn(&f->r, f->nhandles)];
}

static uint64_t rand_ptr(struct fuzz *f)
{
	switch (e2e_randn(&f->r, 5)) {
	case 0: return 0;
	case 1: return (uintptr_t)f->guard;
	case 2: return e2e_rand(&f->r);
	case 3: return (uintptr_t)f->descs;
	default: return (uintptr_t)f->arg + 2048;
	}
}

static uint64_t rand_size(struct fuzz *f)
{
	switch (e2e_randn(&f->r, 6)) {
	case 0: return 0;
	case 1: return e2e_rand(&f->r);
	case 2: return e2e_rand(&f->r) & 0xffffffffull;
	default: return 1 + e2e_randn(&f->r, 256 * 1024);
	}
}

/* One random ioctl; returns its errno (0 = success). */
static int fuzz_one_ioctl(struct fuzz *f)
{
	static const unsigned long core[] = {
		DRM_IOCTL_VERSION, DRM_IOCTL_GEM_CLOSE, DRM_IOCTL_GEM_FLINK,
		DRM_IOCTL_GEM_OPEN, DRM_IOCTL_GET_CAP, DRM_IOCTL_SET_CLIENT_CAP,
		DRM_IOCTL_PRIME_HANDLE_TO_FD, DRM_IOCTL_PRIME_FD_TO_HANDLE,
		DRM_IOCTL_SYNCOBJ_CREATE, DRM_IOCTL_GET_UNIQUE, DRM_IOCTL_MODE_GETRESOURCES,
	};
	unsigned long req;
	unsigned nr, size, dir;
	uint8_t *a = f->arg;
	int mode = (int)e2e_randn(&f->r, 10), ret;
	void *argp = a;

	memset(a, 0, 512);
	switch (e2e_randn(&f->r, 10)) {
	case 0:
		req = core[e2e_randn(&f->r, sizeof(core) / sizeof(core[0]))];
		break;
	case 1:
		nr = DRM_COMMAND_BASE + e2e_randn(&f->r, 0x40);
		size = e2e_randn(&f->r, 256);
		dir = e2e_randn(&f->r, 4);
		req = _IOC(dir, DRM_IOCTL_BASE, nr, size);
		break;
	default: {
		static const unsigned long drv[] = {
			DRM_IOCTL_NPU_GET_PARAM, DRM_IOCTL_NPU_BO_CREATE, DRM_IOCTL_NPU_BO_INFO,
			DRM_IOCTL_NPU_SUBMIT, DRM_IOCTL_NPU_WAIT, DRM_IOCTL_GEM_CLOSE,
		};

		req = drv[e2e_randn(&f->r, 6)];
		if (!e2e_randn(&f->r, 8))	/* wrong size */
			req = _IOC(_IOC_DIR(req), DRM_IOCTL_BASE, _IOC_NR(req), e2e_randn(&f->r, 200));
		break;
	}
	}

	if (mode < 5) {
		/* Half-valid arguments for the driver's ioctls. */
		if (req == DRM_IOCTL_NPU_GET_PARAM) {
			struct drm_npu_get_param *p = (void *)a;

			p->param = e2e_randn(&f->r, 3) ? e2e_randn(&f->r, DRM_NPU_PARAM_COUNT + 2)
						       : (uint32_t)e2e_rand(&f->r);
			p->pad = e2e_randn(&f->r, 8) ? 0 : 1;
		} else if (req == DRM_IOCTL_NPU_BO_CREATE) {
			struct drm_npu_bo_create *p = (void *)a;

			p->size = rand_size(f);
			p->flags = e2e_randn(&f->r, 8) ? 0 : (uint32_t)e2e_rand(&f->r);
		} else if (req == DRM_IOCTL_NPU_BO_INFO) {
			struct drm_npu_bo_info *p = (void *)a;

			p->handle = pick_handle(f);
			p->pad = e2e_randn(&f->r, 8) ? 0 : 1;
		} else if (req == DRM_IOCTL_NPU_SUBMIT) {
			struct drm_npu_submit *p = (void *)a;
			unsigned i;

			for (i = 0; i < 8; i++) {
				e2e_nop(&f->descs[i], i);
				if (!e2e_randn(&f->r, 4))
					f->descs[i].bytes[e2e_randn(&f->r, NPU_DESC_BYTES)] ^=
						(uint8_t)(1u << e2e_randn(&f->r, 8));
			}
			p->descs = e2e_randn(&f->r, 4) ? (uintptr_t)f->descs : rand_ptr(f);
			p->desc_count = e2e_randn(&f->r, 6) ? 1 + e2e_randn(&f->r, 8) : (uint32_t)e2e_rand(&f->r);
			p->bo_handles = (uintptr_t)f->handles;
			p->bo_count = e2e_randn(&f->r, 6) ? e2e_randn(&f->r, f->nhandles + 1)
						      : (uint32_t)e2e_rand(&f->r);
			if (!e2e_randn(&f->r, 10))
				p->flags = (uint32_t)e2e_rand(&f->r);
			if (!e2e_randn(&f->r, 10))
				p->reserved[e2e_randn(&f->r, 2)] = e2e_rand(&f->r);
		} else if (req == DRM_IOCTL_NPU_WAIT) {
			struct drm_npu_wait *p = (void *)a;

			p->job_id = f->njobs && e2e_randn(&f->r, 2) ? f->jobs[e2e_randn(&f->r, f->njobs)]
								 : e2e_rand(&f->r);
			p->timeout_ns = e2e_randn(&f->r, 2) ? (int64_t)(e2e_now_ns() + 20000000)
							   : (int64_t)e2e_rand(&f->r);
			if (e2e_randn(&f->r, 2)) {
				p->counters = rand_ptr(f);
				p->counters_count = e2e_randn(&f->r, 20);
			}
		} else if (req == DRM_IOCTL_GEM_CLOSE) {
			struct drm_gem_close *p = (void *)a;

			p->handle = pick_handle(f);
			p->pad = e2e_randn(&f->r, 8) ? 0 : 1;
		} else {
			unsigned i;

			for (i = 0; i < 256; i++)
				a[i] = (uint8_t)e2e_rand(&f->r);
		}
	} else if (mode < 8) {
		unsigned i;

		for (i = 0; i < 256; i++)
			a[i] = (uint8_t)e2e_rand(&f->r);
		/* Keep WAIT from sleeping for ages on a random far timeout. */
		if (req == DRM_IOCTL_NPU_WAIT)
			((struct drm_npu_wait *)a)->timeout_ns = (int64_t)(e2e_now_ns() + 10000000);
		/* Keep BO_CREATE sizes from zeroing most of device memory. */
		if (req == DRM_IOCTL_NPU_BO_CREATE)
			((struct drm_npu_bo_create *)a)->size &= 0x3ffff;
	} else if (mode == 8) {
		argp = f->guard - e2e_randn(&f->r, 16);	/* straddles the guard page */
	} else {
		argp = e2e_randn(&f->r, 2) ? NULL : (void *)(uintptr_t)e2e_rand(&f->r);
	}

	ret = ioctl(f->d.fd, req, argp) ? errno : 0;
	if (!ret && req == DRM_IOCTL_NPU_BO_CREATE && argp == a) {
		struct drm_npu_bo_create *p = (void *)a;

		if (f->nhandles < MAX_HANDLES) {
			f->handles[f->nhandles++] = p->handle;
		} else {
			struct drm_gem_close cl = { .handle = p->handle };

			e2e_ioctl(f->d.fd, DRM_IOCTL_GEM_CLOSE, &cl);
		}
	}
	if (!ret && req == DRM_IOCTL_NPU_SUBMIT && argp == a && f->njobs < 64)
		f->jobs[f->njobs++] = ((struct drm_npu_submit *)a)->job_id;
	if (!ret && req == DRM_IOCTL_GEM_CLOSE && argp == a) {
		uint32_t h = ((struct drm_gem_close *)a)->handle;
		unsigned i;

		for (i = 0; i < f->nhandles; i++)
			if (f->handles[i] == h) {
				f->handles[i] = f->handles[--f->nhandles];
				break;
			}
	}
	if (!errno_expected(ret)) {
		f->unexpected++;
		if (f->unexpected <= 10)
			printf("fuzz: ioctl %#lx returned unexpected errno %d\n", req, ret);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
struct bo_range {
	uint64_t start, end;
};

/* The model: would the driver accept this job? */
static bool model_accepts(const struct npu_caps *c, const union npu_desc *d, unsigned n,
			  const struct bo_range *bos, unsigned nbos, bool bad_handle)
{
	struct npu_range r[NPU_T_COUNT];
	uint32_t info;
	unsigned i, t, b;

	if (bad_handle)
		return false;
	for (i = 0; i < n; i++) {
		if (npu_check_desc(c, &d[i], &info) != NPU_ERR_NONE)
			return false;
		if (d[i].hdr.opcode == NPU_OP_FENCE)
			return false;
		if (d[i].hdr.opcode != NPU_OP_CONV)
			continue;
		npu_conv_ranges(c, &d[i].conv, r);
		for (t = 0; t < NPU_T_COUNT; t++) {
			for (b = 0; b < nbos; b++)
				if (r[t].start >= bos[b].start && r[t].end <= bos[b].end)
					break;
			if (b == nbos)
				return false;
		}
	}
	return true;
}

static uint32_t hostile_addr(struct fuzz *f, const struct e2e_bo *own, const struct e2e_bo *foreign)
{
	uint64_t mem = f->d.mem_size;

	switch (e2e_randn(&f->r, 9)) {
	case 0: return (uint32_t)(foreign->addr + e2e_randn(&f->r, (uint32_t)foreign->size));
	case 1: return NPU_MEM_RESERVED + e2e_randn(&f->r, 256 * 1024);	/* the ring */
	case 2: return e2e_randn(&f->r, NPU_MEM_RESERVED);
	case 3: return (uint32_t)(mem - e2e_randn(&f->r, 4096));
	case 4: return (uint32_t)(own->addr + own->size - e2e_randn(&f->r, 256));
	case 5: return (uint32_t)e2e_rand(&f->r);
	case 6: return (uint32_t)(own->addr - 1 - e2e_randn(&f->r, 64));
	default: return (uint32_t)(own->addr + e2e_randn(&f->r, (uint32_t)own->size / 2));
	}
}

static void mutate(struct fuzz *f, union npu_desc *d, const struct e2e_bo *own,
		   const struct e2e_bo *foreign)
{
	switch (e2e_randn(&f->r, 10)) {
	case 0: case 1: case 2:
		if (d->hdr.opcode == NPU_OP_CONV) {
			uint32_t *fld[] = { &d->conv.in_addr, &d->conv.w_addr, &d->conv.cp_addr,
					    &d->conv.out_addr };

			*fld[e2e_randn(&f->r, 4)] = hostile_addr(f, own, foreign);
		}
		break;
	case 3:
		d->bytes[e2e_randn(&f->r, NPU_DESC_BYTES)] ^= (uint8_t)(1u << e2e_randn(&f->r, 8));
		break;
	case 4:
		memset(d, 0, sizeof(*d));
		d->fence.opcode = NPU_OP_FENCE;
		d->fence.version = NPU_DESC_VERSION;
		d->fence.flags = (uint16_t)e2e_randn(&f->r, 4);
		d->fence.seqno = (uint32_t)e2e_rand(&f->r);
		if (d->fence.flags & NPU_FENCE_STATS)
			d->fence.stats_addr = hostile_addr(f, own, foreign);
		break;
	case 5:
		if (d->hdr.opcode == NPU_OP_CONV) {
			d->conv.in_row_stride = (uint32_t)e2e_rand(&f->r) >> e2e_randn(&f->r, 32);
			d->conv.out_pix_stride = (uint32_t)e2e_rand(&f->r) >> e2e_randn(&f->r, 32);
		}
		break;
	case 6:
		if (d->hdr.opcode == NPU_OP_CONV) {
			d->conv.out_h = (uint16_t)(1 + e2e_randn(&f->r, 40));
			d->conv.in_h = (uint16_t)(1 + e2e_randn(&f->r, 40));
		}
		break;
	case 7:
		d->bytes[e2e_randn(&f->r, NPU_DESC_BYTES)] = (uint8_t)e2e_rand(&f->r);
		break;
	default:
		break;	/* unchanged: valid */
	}
}

static void wait_jobs(struct fuzz *f, unsigned *ok, unsigned *err, unsigned *tmo)
{
	struct drm_npu_wait w;
	unsigned i;
	int ret;

	for (i = 0; i < f->njobs; i++) {
		ret = e2e_wait(&f->d, f->jobs[i], 60000, &w, NULL, 0);
		CHECK_EQ(ret, 0, "hostile job %llu", (unsigned long long)f->jobs[i]);
		if (ret)
			continue;
		if (w.status == DRM_NPU_JOB_OK)
			(*ok)++;
		else if (w.status == DRM_NPU_JOB_ERROR)
			(*err)++;
		else if (w.status == DRM_NPU_JOB_TIMEOUT)
			(*tmo)++;
		else
			CHECK(0, "hostile job status %u", w.status);
	}
	f->njobs = 0;
}

int e2e_test_fuzz(uint64_t seed, bool conv, unsigned n_ioctls, unsigned n_jobs)
{
	struct fuzz f;
	struct e2e_bo own, own2, foreign;
	struct e2e_conv tmpl[4];
	unsigned ntmpl = 0, i, j, accepted = 0, ok = 0, err = 0, tmo = 0, drv_ok;
	unsigned errs[64] = { 0 };
	int pipefd[2], ret;
	pid_t child;
	uint64_t t0 = e2e_now_ns();

	printf("fuzz: seed %llu, %u ioctls, %u hostile jobs%s\n", (unsigned long long)seed,
	       n_ioctls, n_jobs, conv ? " (with convolutions)" : "");
	memset(&f, 0, sizeof(f));
	f.r = e2e_seed_state(seed);
	f.arg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f.arg == MAP_FAILED)
		return 1;
	f.guard = f.arg + 4096;
	mprotect(f.guard, 4096, PROT_NONE);
	if (e2e_open(&f.d))
		return 1;

	/* Phase 1: random ioctls (the file is reopened now and then). */
	for (i = 0; i < n_ioctls; i++) {
		ret = fuzz_one_ioctl(&f);
		errs[ret < 64 ? ret : 63]++;
		if (i % 20000 == 19999) {
			e2e_close(&f.d);
			f.nhandles = f.njobs = 0;
			CHECK_EQ(e2e_open(&f.d), 0, "reopen");
		}
	}
	CHECK_EQ(f.unexpected, 0, "unexpected errnos");
	printf("fuzz: %u ioctls in %.1f s: ok %u, EINVAL %u, EFAULT %u, ENOENT %u, ENOTTY %u, other %u\n",
	       n_ioctls, (e2e_now_ns() - t0) / 1e9, errs[0], errs[EINVAL], errs[EFAULT], errs[ENOENT],
	       errs[ENOTTY], n_ioctls - errs[0] - errs[EINVAL] - errs[EFAULT] - errs[ENOENT] - errs[ENOTTY]);
	e2e_close(&f.d);
	f.nhandles = f.njobs = 0;
	if (e2e_open(&f.d))
		return 1;

	/* Phase 2: hostile jobs. A child owns the foreign BO. */
	if (pipe(pipefd))
		return 1;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		struct e2e_dev cd;
		struct e2e_bo cb;
		char c;

		close(f.d.fd);
		if (e2e_open(&cd) || e2e_bo_new(&cd, 64 * 1024, &cb))
			_exit(1);
		memset(cb.map, 0x3c, cb.size);
		if (write(pipefd[1], &cb, sizeof(cb)) != sizeof(cb))
			_exit(1);
		if (read(pipefd[0], &c, 1) < 0)	/* until the parent says so */
			_exit(1);
		for (i = 0; i < cb.size; i++)
			if (cb.map[i] != 0x3c)
				_exit(3);	/* somebody wrote into our BO */
		_exit(0);
	}
	if (read(pipefd[0], &foreign, sizeof(foreign)) != sizeof(foreign)) {
		CHECK(0, "foreign BO");
		return e2e_failures;
	}
	CHECK_EQ(e2e_bo_new(&f.d, 1 << 20, &own), 0, "own BO");
	CHECK_EQ(e2e_bo_new(&f.d, 64 << 10, &own2), 0, "own BO 2");
	if (conv)
		for (ntmpl = 0; ntmpl < 4; ntmpl++) {
			struct e2e_bo tb;

			/* Shapes placed in a scratch BO, then re-pointed into own. */
			if (e2e_conv_random(&f.r, &f.d.caps, 6, &tmpl[ntmpl]) ||
			    e2e_conv_place(&f.d, &tmpl[ntmpl], &tb))
				break;
			{
				struct npu_desc_conv *c = &tmpl[ntmpl].desc.conv;
				uint32_t base = (uint32_t)tb.addr;

				c->in_addr = c->in_addr - base + (uint32_t)own.addr;
				c->w_addr = c->w_addr - base + (uint32_t)own.addr;
				c->cp_addr = c->cp_addr - base + (uint32_t)own.addr;
				c->out_addr = c->out_addr - base + (uint32_t)own.addr;
				if (tb.size <= own.size)
					memcpy(own.map, tb.map, tb.size);
			}
			e2e_bo_free(&f.d, &tb);
		}

	for (i = 0; i < n_jobs; i++) {
		struct bo_range br[3];
		uint32_t h[3];
		unsigned n = 1 + e2e_randn(&f.r, 6), nh = 0, nb = 0;
		bool bad_handle = false, model;
		struct drm_npu_submit out;
		uint64_t id;

		for (j = 0; j < n; j++) {
			if (ntmpl && e2e_randn(&f.r, 3))
				f.descs[j] = tmpl[e2e_randn(&f.r, ntmpl)].desc;
			else
				e2e_nop(&f.descs[j], j);
			mutate(&f, &f.descs[j], &own, &foreign);
			if (!e2e_randn(&f.r, 4))
				mutate(&f, &f.descs[j], &own, &foreign);
		}
		if (e2e_randn(&f.r, 6)) {
			h[nh++] = own.handle;
			br[nb++] = (struct bo_range){ own.addr, own.addr + own.size };
		}
		if (e2e_randn(&f.r, 2)) {
			h[nh++] = own2.handle;
			br[nb++] = (struct bo_range){ own2.addr, own2.addr + own2.size };
		}
		if (!e2e_randn(&f.r, 20)) {
			h[nh++] = foreign.handle == own.handle || foreign.handle == own2.handle
				  ? 0x7777 : foreign.handle;
			bad_handle = true;
		}
		model = model_accepts(&f.d.caps, f.descs, n, br, nb, bad_handle);
		ret = e2e_submit(&f.d, f.descs, n, h, nh, &id, &out);
		drv_ok = ret == 0;
		if (drv_ok != model) {
			CHECK(0, "job %u: driver says %d (code %#x at %u), model says %s", i, ret,
			      out.bad_code, out.bad_index, model ? "accept" : "reject");
			if (e2e_failures > 20)
				break;
		}
		if (ret && ret != -EINVAL && ret != -ENOENT)
			CHECK(0, "job %u: unexpected error %d", i, ret);
		if (drv_ok) {
			accepted++;
			f.jobs[f.njobs++] = id;
			if (f.njobs == 32)
				wait_jobs(&f, &ok, &err, &tmo);
		}
	}
	wait_jobs(&f, &ok, &err, &tmo);
	printf("fuzz: %u hostile jobs: %u rejected, %u accepted (%u ok, %u device error, %u timeout) in %.1f s\n",
	       n_jobs, n_jobs - accepted, accepted, ok, err, tmo, (e2e_now_ns() - t0) / 1e9);

	/* The foreign BO is intact (checked by its owner). */
	if (write(pipefd[1], "x", 1) != 1)
		CHECK(0, "pipe");
	{
		int st;

		CHECK(waitpid(child, &st, 0) == child, "waitpid");
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "foreign BO owner: status %#x", st);
	}
	for (j = 0; j < ntmpl; j++)
		e2e_conv_free(&tmpl[j]);
	e2e_bo_free(&f.d, &own2);
	e2e_bo_free(&f.d, &own);
	e2e_close(&f.d);
	return e2e_failures;
}
