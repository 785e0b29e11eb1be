// SPDX-License-Identifier: MIT
/*
 * The drm backend: the kernel driver npu.ko (driver/) through libdrm.
 *
 * drmOpenWithType("npu", NULL, DRM_NODE_RENDER) finds the render node,
 * drmGetVersion() confirms the driver's name and UAPI major version, the
 * ioctls of driver/uapi/npu_drm.h go through drmIoctl(). Buffers are GEM
 * objects placed in device memory by the driver and mapped write-combined;
 * the driver checks every descriptor against the buffers of the job and
 * adds the fences itself.
 *
 * max_job_cycles: the driver resets the device when a job runs longer
 * than its timeout (GET_PARAM JOB_TIMEOUT_MS). The device's clock rate is
 * not known here (the virtual platform simulates some 10^5 cycles per
 * second, a real card some 10^9), so jobs are kept below
 * timeout_ms * NPU_DRM_CYCLES_PER_MS cycles, NPU_DRM_CYCLES_PER_MS being the
 * environment variable of that name or 50 (a fifth of the simulator's
 * slowest measured rate, so a job stays well inside the timeout).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "backend.h"
#include "npu_drm.h"

#define DEFAULT_CYCLES_PER_MS 50u

struct drm_backend {
	struct npu_backend base;
	int fd;
	struct npu_caps caps;
};

static struct drm_backend *db(struct npu_backend *b)
{
	return (struct drm_backend *)b;
}

static int npu_ioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

static npu_status errno_status(int e)
{
	switch (e) {
	case 0: return NPU_OK;
	case -ENOMEM: case -ENOSPC: return NPU_E_NOMEM;
	case -EINVAL: case -ENOENT: case -EFAULT: return NPU_E_INVAL;
	case -ETIME: case -ETIMEDOUT: return NPU_E_TIMEOUT;
	case -ENODEV: return NPU_E_NODEV;
	default: return NPU_E_DEVICE;
	}
}

static int get_param(int fd, uint32_t param, uint64_t *v)
{
	struct drm_npu_get_param p = { .param = param };
	int ret = npu_ioctl(fd, DRM_IOCTL_NPU_GET_PARAM, &p);

	if (!ret)
		*v = p.value;
	return ret;
}

/* CAP register offset -> GET_PARAM (the params are the raw registers). */
static uint32_t caps_rd(void *ctx, uint32_t off)
{
	static const struct { uint32_t off, param; } map[] = {
		{ NPU_REG_ID, DRM_NPU_PARAM_HW_ID },
		{ NPU_REG_VERSION, DRM_NPU_PARAM_HW_VERSION },
		{ NPU_REG_CAP_ARRAY, DRM_NPU_PARAM_CAP_ARRAY },
		{ NPU_REG_CAP_IBUF, DRM_NPU_PARAM_CAP_IBUF },
		{ NPU_REG_CAP_WBUF, DRM_NPU_PARAM_CAP_WBUF },
		{ NPU_REG_CAP_ACC, DRM_NPU_PARAM_CAP_ACC },
		{ NPU_REG_CAP_PBUF, DRM_NPU_PARAM_CAP_PBUF },
		{ NPU_REG_CAP_FEATURES, DRM_NPU_PARAM_CAP_FEATURES },
		{ NPU_REG_CAP_KERNEL, DRM_NPU_PARAM_CAP_KERNEL },
		{ NPU_REG_CAP_MEM, DRM_NPU_PARAM_CAP_MEM },
		{ NPU_REG_CAP_MEM_RSVD, DRM_NPU_PARAM_CAP_MEM_RSVD },
		{ NPU_REG_CAP_DMA, DRM_NPU_PARAM_CAP_DMA },
		{ NPU_REG_CAP_DESC, DRM_NPU_PARAM_CAP_DESC },
		{ NPU_REG_CAP_MAX_DIM, DRM_NPU_PARAM_CAP_MAX_DIM },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].off == off)
			return get_param(*(int *)ctx, map[i].param, &v) ? 0 : (uint32_t)v;
	return 0;
}

static void drm_close(struct npu_backend *b)
{
	struct drm_backend *d = db(b);

	close(d->fd);
	free((void *)b->ops);
	free(d);
}

static npu_status drm_caps(struct npu_backend *b, struct npu_caps *c)
{
	*c = db(b)->caps;
	return NPU_OK;
}

static npu_status drm_bo_alloc(struct npu_backend *b, size_t size, struct npu_bo **out)
{
	struct drm_backend *d = db(b);
	struct drm_npu_bo_create c = { .size = size };
	struct drm_npu_bo_info i = { 0 };
	struct drm_gem_close cl = { 0 };
	struct npu_bo *bo;
	void *map;
	int ret;

	ret = npu_ioctl(d->fd, DRM_IOCTL_NPU_BO_CREATE, &c);
	if (ret)
		return errno_status(ret);
	i.handle = cl.handle = c.handle;
	ret = npu_ioctl(d->fd, DRM_IOCTL_NPU_BO_INFO, &i);
	if (ret)
		goto err;
	map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, (off_t)i.mmap_offset);
	if (map == MAP_FAILED) {
		ret = -ENOMEM;
		goto err;
	}
	bo = calloc(1, sizeof(*bo));
	if (!bo) {
		munmap(map, c.size);
		ret = -ENOMEM;
		goto err;
	}
	bo->dev_addr = c.dev_addr;
	bo->size = c.size;
	bo->map = map;
	bo->handle = c.handle;
	*out = bo;
	return NPU_OK;
err:
	npu_ioctl(d->fd, DRM_IOCTL_GEM_CLOSE, &cl);
	return errno_status(ret);
}

static void drm_bo_free(struct npu_backend *b, struct npu_bo *bo)
{
	struct drm_gem_close cl = { 0 };

	if (!bo)
		return;
	cl.handle = bo->handle;
	munmap(bo->map, bo->size);
	npu_ioctl(db(b)->fd, DRM_IOCTL_GEM_CLOSE, &cl);
	free(bo);
}

static npu_status drm_submit(struct npu_backend *b, const union npu_desc *desc, size_t n,
			     struct npu_bo *const *bos, size_t nbos, uint64_t *job)
{
	struct drm_npu_submit s = { 0 };
	uint32_t handles[64];
	size_t i;
	int ret;

	if (nbos > sizeof(handles) / sizeof(handles[0]) || !n || n > UINT32_MAX)
		return NPU_E_INVAL;
	for (i = 0; i < nbos; i++)
		handles[i] = bos[i]->handle;
	s.descs = (uintptr_t)desc;
	s.desc_count = (uint32_t)n;
	s.bo_handles = (uintptr_t)handles;
	s.bo_count = (uint32_t)nbos;
	ret = npu_ioctl(db(b)->fd, DRM_IOCTL_NPU_SUBMIT, &s);
	if (ret == -EINVAL && s.bad_index != ~0u && getenv("NPU_DEBUG"))
		fprintf(stderr, "npu drm: descriptor %u rejected (code %#x)\n", s.bad_index, s.bad_code);
	if (ret)
		return ret == -EBUSY ? NPU_E_NOMEM : errno_status(ret);
	*job = s.job_id;
	return NPU_OK;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static npu_status drm_wait(struct npu_backend *b, uint64_t job, int64_t timeout_ns,
			   struct npu_job_result *res)
{
	struct drm_npu_wait w = { 0 };
	int ret;

	memset(res, 0, sizeof(*res));
	w.job_id = job;
	w.timeout_ns = timeout_ns < 0 || timeout_ns > INT64_MAX - mono_ns() ? INT64_MAX
									    : mono_ns() + timeout_ns;
	w.counters = (uintptr_t)res->counter;
	w.counters_count = NPU_NUM_COUNTERS;
	ret = npu_ioctl(db(b)->fd, DRM_IOCTL_NPU_WAIT, &w);
	if (ret)
		return errno_status(ret);
	switch (w.status) {
	case DRM_NPU_JOB_OK:
		res->cycles = res->counter[NPU_CNT_CYCLES];
		return NPU_OK;
	case DRM_NPU_JOB_ERROR:
		res->err_code = w.err_code ? w.err_code : NPU_ERR_INTERNAL;
		res->err_info = w.err_info;
		res->err_index = w.err_index;
		res->err_tag = w.err_tag;
		return NPU_OK;
	case DRM_NPU_JOB_TIMEOUT:
		return NPU_E_TIMEOUT;
	default:
		return NPU_E_NODEV;
	}
}

static int open_node(void)
{
	return drmOpenWithType(DRM_NPU_DRIVER_NAME, NULL, DRM_NODE_RENDER);
}

int npu_backend_drm_present(void)
{
	int fd = open_node();

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

npu_status npu_backend_drm_open(struct npu_backend **out, char *msg, size_t msglen)
{
	struct npu_backend_ops *ops;
	struct drm_backend *d;
	drmVersionPtr v;
	uint64_t max_descs = 0, timeout_ms = 0;
	const char *env = getenv("NPU_DRM_CYCLES_PER_MS");
	int fd;

	fd = open_node();
	if (fd < 0) {
		snprintf(msg, msglen, "no render node of the npu driver (is npu.ko loaded?)");
		return NPU_E_NODEV;
	}
	v = drmGetVersion(fd);
	if (!v || strcmp(v->name, DRM_NPU_DRIVER_NAME) || v->version_major != DRM_NPU_VERSION_MAJOR) {
		snprintf(msg, msglen, "render node driver %s %d.%d, expected %s %d.x",
			 v ? v->name : "?", v ? v->version_major : -1, v ? v->version_minor : -1,
			 DRM_NPU_DRIVER_NAME, DRM_NPU_VERSION_MAJOR);
		drmFreeVersion(v);
		close(fd);
		return NPU_E_NODEV;
	}
	d = calloc(1, sizeof(*d));
	ops = calloc(1, sizeof(*ops));
	if (!d || !ops) {
		free(d);
		free(ops);
		drmFreeVersion(v);
		close(fd);
		return NPU_E_NOMEM;
	}
	d->fd = fd;
	if (npu_caps_decode(&d->caps, caps_rd, &d->fd) ||
	    get_param(fd, DRM_NPU_PARAM_MAX_JOB_DESCS, &max_descs) ||
	    get_param(fd, DRM_NPU_PARAM_JOB_TIMEOUT_MS, &timeout_ms)) {
		snprintf(msg, msglen, "cannot read the device's capabilities");
		drmFreeVersion(v);
		free(ops);
		free(d);
		close(fd);
		return NPU_E_NODEV;
	}
	ops->name = "drm";
	ops->close = drm_close;
	ops->caps = drm_caps;
	ops->bo_alloc = drm_bo_alloc;
	ops->bo_free = drm_bo_free;
	ops->submit = drm_submit;
	ops->wait = drm_wait;
	ops->max_job_descs = (size_t)max_descs;
	ops->max_job_cycles = timeout_ms * (env ? strtoull(env, NULL, 0) : DEFAULT_CYCLES_PER_MS);
	d->base.ops = ops;
	snprintf(msg, msglen, "%s %d.%d.%d, %ux%u array, jobs below %llu cycles", v->name,
		 v->version_major, v->version_minor, v->version_patchlevel, d->caps.rows,
		 d->caps.cols, (unsigned long long)ops->max_job_cycles);
	drmFreeVersion(v);
	*out = &d->base;
	return NPU_OK;
}
