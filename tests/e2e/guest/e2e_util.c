// SPDX-License-Identifier: MIT
/* e2e_util.c - UAPI helpers of npu-e2e (see e2e.h). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "e2e.h"

int e2e_failures;
int e2e_verbose;

uint64_t e2e_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int e2e_ioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

int e2e_get_param(struct e2e_dev *d, uint32_t param, uint64_t *value)
{
	struct drm_npu_get_param p = { .param = param };
	int ret = e2e_ioctl(d->fd, DRM_IOCTL_NPU_GET_PARAM, &p);

	if (!ret)
		*value = p.value;
	return ret;
}

static uint32_t caps_rd(void *ctx, uint32_t off)
{
	static const uint32_t param_of[] = {
		[NPU_REG_ID / 4] = DRM_NPU_PARAM_HW_ID,
		[NPU_REG_VERSION / 4] = DRM_NPU_PARAM_HW_VERSION,
		[NPU_REG_CAP_ARRAY / 4] = DRM_NPU_PARAM_CAP_ARRAY,
		[NPU_REG_CAP_IBUF / 4] = DRM_NPU_PARAM_CAP_IBUF,
		[NPU_REG_CAP_WBUF / 4] = DRM_NPU_PARAM_CAP_WBUF,
		[NPU_REG_CAP_ACC / 4] = DRM_NPU_PARAM_CAP_ACC,
		[NPU_REG_CAP_PBUF / 4] = DRM_NPU_PARAM_CAP_PBUF,
		[NPU_REG_CAP_FEATURES / 4] = DRM_NPU_PARAM_CAP_FEATURES,
		[NPU_REG_CAP_KERNEL / 4] = DRM_NPU_PARAM_CAP_KERNEL,
		[NPU_REG_CAP_MEM / 4] = DRM_NPU_PARAM_CAP_MEM,
		[NPU_REG_CAP_MEM_RSVD / 4] = DRM_NPU_PARAM_CAP_MEM_RSVD,
		[NPU_REG_CAP_DMA / 4] = DRM_NPU_PARAM_CAP_DMA,
		[NPU_REG_CAP_DESC / 4] = DRM_NPU_PARAM_CAP_DESC,
		[NPU_REG_CAP_MAX_DIM / 4] = DRM_NPU_PARAM_CAP_MAX_DIM,
	};
	uint64_t v = 0;

	if (off / 4 >= sizeof(param_of) / sizeof(param_of[0]))
		return 0;
	if (e2e_get_param(ctx, param_of[off / 4], &v))
		return 0;
	return (uint32_t)v;
}

int e2e_open(struct e2e_dev *d)
{
	drmVersionPtr v;

	memset(d, 0, sizeof(*d));
	d->fd = drmOpenWithType(DRM_NPU_DRIVER_NAME, NULL, DRM_NODE_RENDER);
	if (d->fd < 0) {
		printf("e2e: no npu render node (%s)\n", strerror(errno));
		return -ENODEV;
	}
	v = drmGetVersion(d->fd);
	if (!v || strcmp(v->name, DRM_NPU_DRIVER_NAME) ||
	    v->version_major != DRM_NPU_VERSION_MAJOR) {
		printf("e2e: unexpected driver %s %d\n", v ? v->name : "?",
		       v ? v->version_major : -1);
		drmFreeVersion(v);
		close(d->fd);
		return -ENODEV;
	}
	drmFreeVersion(v);
	if (npu_caps_decode(&d->caps, caps_rd, d) ||
	    e2e_get_param(d, DRM_NPU_PARAM_MEM_SIZE, &d->mem_size) ||
	    e2e_get_param(d, DRM_NPU_PARAM_MAX_JOB_DESCS, &d->max_descs) ||
	    e2e_get_param(d, DRM_NPU_PARAM_MAX_JOB_BOS, &d->max_bos)) {
		printf("e2e: cannot read the device's parameters\n");
		close(d->fd);
		return -EIO;
	}
	return 0;
}

void e2e_close(struct e2e_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int e2e_bo_new(struct e2e_dev *d, uint64_t size, struct e2e_bo *bo)
{
	struct drm_npu_bo_create c = { .size = size };
	struct drm_npu_bo_info i = { 0 };
	void *p;
	int ret;

	memset(bo, 0, sizeof(*bo));
	ret = e2e_ioctl(d->fd, DRM_IOCTL_NPU_BO_CREATE, &c);
	if (ret)
		return ret;
	i.handle = c.handle;
	ret = e2e_ioctl(d->fd, DRM_IOCTL_NPU_BO_INFO, &i);
	if (ret)
		return ret;
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		 (off_t)i.mmap_offset);
	if (p == MAP_FAILED) {
		struct drm_gem_close cl = { .handle = c.handle };

		ret = -errno;
		e2e_ioctl(d->fd, DRM_IOCTL_GEM_CLOSE, &cl);
		return ret;
	}
	bo->handle = c.handle;
	bo->size = c.size;
	bo->addr = c.dev_addr;
	bo->mmap_offset = i.mmap_offset;
	bo->map = p;
	return 0;
}

void e2e_bo_free(struct e2e_dev *d, struct e2e_bo *bo)
{
	struct drm_gem_close cl = { .handle = bo->handle };

	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->handle)
		CHECK_EQ(e2e_ioctl(d->fd, DRM_IOCTL_GEM_CLOSE, &cl), 0, "GEM_CLOSE %u", bo->handle);
	memset(bo, 0, sizeof(*bo));
}

int e2e_submit(struct e2e_dev *d, const union npu_desc *descs, uint32_t n,
	       const uint32_t *handles, uint32_t nh, uint64_t *job_id,
	       struct drm_npu_submit *out)
{
	struct drm_npu_submit s = {
		.descs = (uintptr_t)descs,
		.bo_handles = (uintptr_t)handles,
		.desc_count = n,
		.bo_count = nh,
	};
	int ret = e2e_ioctl(d->fd, DRM_IOCTL_NPU_SUBMIT, &s);

	if (out)
		*out = s;
	if (!ret && job_id)
		*job_id = s.job_id;
	return ret;
}

int e2e_wait(struct e2e_dev *d, uint64_t job_id, unsigned timeout_ms,
	     struct drm_npu_wait *w, uint64_t *counters, uint32_t ncounters)
{
	struct drm_npu_wait x = {
		.job_id = job_id,
		.timeout_ns = (int64_t)(e2e_now_ns() + timeout_ms * 1000000ull),
		.counters = (uintptr_t)counters,
		.counters_count = ncounters,
	};
	int ret = e2e_ioctl(d->fd, DRM_IOCTL_NPU_WAIT, &x);

	if (w)
		*w = x;
	return ret;
}

void e2e_nop(union npu_desc *d, uint32_t tag)
{
	memset(d, 0, sizeof(*d));
	d->nop.opcode = NPU_OP_NOP;
	d->nop.version = NPU_DESC_VERSION;
	d->nop.tag = tag;
}

static char *debugfs_path(const char *name)
{
	static char path[256];
	glob_t g;

	/* dri/<minor>/ on 6.1 (render driver), accel/<minor>/ with accel */
	snprintf(path, sizeof(path), "/sys/kernel/debug/*/*/%s", name);
	if (glob(path, 0, NULL, &g) || !g.gl_pathc) {
		globfree(&g);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	return path;
}

int e2e_debugfs_read(const char *file, const char *const *keys, long long *vals, int n)
{
	char *path = debugfs_path(file);
	char k[64];
	long long v;
	FILE *f;
	int i;

	for (i = 0; i < n; i++)
		vals[i] = -1;
	if (!path || !(f = fopen(path, "r")))
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2)
		for (i = 0; i < n; i++)
			if (!strcmp(k, keys[i]))
				vals[i] = v;
	fclose(f);
	return 0;
}

long long e2e_debugfs(const char *file, const char *key)
{
	long long v;

	e2e_debugfs_read(file, &key, &v, 1);
	return v;
}

long long e2e_state(const char *key)
{
	return e2e_debugfs("npu_state", key);
}

int e2e_inject(const char *cmd)
{
	char *path = debugfs_path("npu_inject");
	int fd, ret = 0;

	if (!path)
		return -ENOENT;
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		ret = -errno;
	close(fd);
	return ret;
}

int e2e_set_param(const char *name, unsigned value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/npu/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%u\n", value);
	return fclose(f) ? -errno : 0;
}

unsigned e2e_get_module_param(const char *name)
{
	char path[128];
	unsigned v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/npu/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%u", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}
