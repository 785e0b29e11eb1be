/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * npu_drv.h - the npu DRM driver's internal types.
 *
 * Files, as in drivers/accel/ivpu:
 *   npu_drv.c   PCI probe/remove, DRM driver, ioctl table, debugfs
 *   npu_gem.c   buffer objects in device memory (drm_mm), mmap
 *   npu_job.c   submission, validation, fences, completion, timeout
 *   npu_hw.c    register access, reset, interrupts: the only file that
 *               knows the transport (npu_hwif.h)
 */
#ifndef NPU_DRV_H
#define NPU_DRV_H

#include <linux/dma-fence.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_mm.h>

#include "npu_hw.h"
#include "npu_hw_check.h"
#include "npu_hwif.h"

#define NPU_DRIVER_NAME		"npu"
#define NPU_DRIVER_DESC		"int8 NPU accelerator"

/* Ring and job limits (reported through GET_PARAM). */
#define NPU_RING_ENTRIES_MAX	2048u	/* <= NPU_VPLAT_RING_MAP_ENTRIES */
#define NPU_JOB_SLOTS		64u	/* jobs on the device at once */
#define NPU_JOB_MAX_BOS		64u
#define NPU_STATS_SLOT_BYTES	512u	/* begin snapshot at +0, end at +256 */
#define NPU_STATS_END_OFF	256u

extern unsigned int npu_timeout_ms;
#define NPU_TIMEOUT_MIN_MS	10u	/* smaller timeout_ms values count as this */

struct npu_device {
	struct drm_device drm;
	struct npu_hw hw;

	/* Device memory placement: BOs, the ring and the stats area. */
	struct mutex mm_lock;
	struct drm_mm mm;
	u64 mm_free;			/* bytes not allocated */
	struct drm_mm_node ring_node;
	struct drm_mm_node stats_node;
	u32 ring_entries;

	/*
	 * job_lock: the ring, the pending list and every hardware access made
	 * for jobs (submission, interrupt thread, timeout work, reset).
	 */
	struct mutex job_lock;
	struct list_head pending;	/* jobs on the device, oldest first */
	u32 ring_tail;			/* next ring index to write */
	u32 ring_used;			/* ring entries held by pending jobs */
	u32 npending;
	u64 next_seqno;
	unsigned long head_start;	/* jiffies when the oldest job became oldest */
	bool dead;			/* removed or broken: no more hardware access */
	wait_queue_head_t ring_wq;	/* submitters waiting for ring space */
	struct delayed_work timeout_work;

	spinlock_t fence_lock;
	u64 fence_context;

	/* Statistics for debugfs and the tests. */
	u64 jobs_done, jobs_failed, timeouts, resets, irqs;
};

struct npu_file {
	struct npu_device *ndev;
	struct xarray jobs;		/* job id -> struct npu_job (a fence ref) */
	atomic_t njobs;
};

struct npu_job {
	struct dma_fence fence;		/* first: freed through dma_fence_free() */
	struct npu_device *ndev;
	struct list_head node;		/* in ndev->pending */
	u64 seqno;

	union npu_desc *descs;		/* kernel copy of the user's descriptors */
	u32 ndescs;
	struct drm_gem_object **bos;	/* references held until completion */
	u32 nbos;
	u64 (*acl)[2];			/* nbos + 1 ranges for the escape accounting */

	u32 ring_start;			/* first ring index (leading fence) */
	u32 ring_count;			/* ndescs + 2 */
	u32 slot;			/* seqno % NPU_JOB_SLOTS */

	u32 status;			/* enum drm_npu_job_status */
	u32 err_code, err_index, err_info, err_tag;
	u64 counters[NPU_NUM_COUNTERS];
};

static inline struct npu_device *to_npu_dev(struct drm_device *drm)
{
	return container_of(drm, struct npu_device, drm);
}

static inline struct npu_device *hw_to_npu_dev(struct npu_hw *hw)
{
	return container_of(hw, struct npu_device, hw);
}

/* npu_gem.c */
struct npu_bo {
	struct drm_gem_object base;
	struct drm_mm_node node;	/* [node.start, node.start + node.size) */
};

static inline struct npu_bo *to_npu_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct npu_bo, base);
}

int npu_mm_init(struct npu_device *ndev);
void npu_mm_fini(struct npu_device *ndev);
int npu_bo_create_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int npu_bo_info_ioctl(struct drm_device *dev, void *data, struct drm_file *file);

/* npu_job.c */
int npu_job_init(struct npu_device *ndev);
void npu_job_fini(struct npu_device *ndev);
void npu_job_irq(struct npu_device *ndev);
int npu_submit_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int npu_wait_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
void npu_job_file_close(struct npu_file *nfile);
int npu_job_debugfs_show(struct npu_device *ndev, struct seq_file *m);

#endif /* NPU_DRV_H */
