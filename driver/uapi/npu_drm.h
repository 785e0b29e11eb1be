/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * npu_drm.h - the userspace API of the npu DRM driver (driver/).
 *
 * Shared by the kernel driver and by lib/ (the libdrm backend). Modelled on
 * drivers/accel/ivpu and qaic: GET_PARAM, BO_CREATE, BO_INFO, SUBMIT, WAIT.
 *
 * Rules for every ioctl:
 *  - pointers are __u64 (u64_to_user_ptr in the kernel);
 *  - every struct is explicitly padded to a multiple of 8 bytes;
 *  - pad and reserved fields must be zero, unknown flag bits must be zero,
 *    otherwise the ioctl fails with -EINVAL;
 *  - counts and sizes out of range fail with -EINVAL.
 *
 * Device addresses: a BO is placed in device memory once, when it is
 * created, and never moves; BO_CREATE returns its device address. Command
 * descriptors (hw/npu_hw.h) carry absolute device addresses. SUBMIT checks
 * that every byte range a descriptor makes the device read or write lies
 * inside one of the BOs listed in the submission (range checks, no
 * relocations).
 */
#ifndef NPU_DRM_H
#define NPU_DRM_H

#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include <drm.h>		/* libdrm's copy: pkg-config --cflags libdrm */
#endif

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_NPU_DRIVER_NAME	"npu"
/* Bumped on incompatible changes; reported by drmGetVersion() as major. */
#define DRM_NPU_VERSION_MAJOR	1
#define DRM_NPU_VERSION_MINOR	0

#define DRM_NPU_GET_PARAM	0x00
#define DRM_NPU_BO_CREATE	0x01
#define DRM_NPU_BO_INFO		0x02
#define DRM_NPU_SUBMIT		0x03
#define DRM_NPU_WAIT		0x04

#define DRM_IOCTL_NPU_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_GET_PARAM, struct drm_npu_get_param)
#define DRM_IOCTL_NPU_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_BO_CREATE, struct drm_npu_bo_create)
#define DRM_IOCTL_NPU_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_BO_INFO, struct drm_npu_bo_info)
#define DRM_IOCTL_NPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_SUBMIT, struct drm_npu_submit)
#define DRM_IOCTL_NPU_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NPU_WAIT, struct drm_npu_wait)

/*
 * GET_PARAM. The DRM_NPU_PARAM_CAP_* values are the raw contents of the
 * device's capability registers (hw/npu_hw.h, NPU_REG_CAP_*), so userspace
 * can decode them with npu_caps_decode() exactly as the driver does.
 */
enum drm_npu_param {
	DRM_NPU_PARAM_HW_ID = 0,	/* NPU_REG_ID */
	DRM_NPU_PARAM_HW_VERSION,	/* NPU_REG_VERSION */
	DRM_NPU_PARAM_CAP_ARRAY,
	DRM_NPU_PARAM_CAP_IBUF,
	DRM_NPU_PARAM_CAP_WBUF,
	DRM_NPU_PARAM_CAP_ACC,
	DRM_NPU_PARAM_CAP_PBUF,
	DRM_NPU_PARAM_CAP_FEATURES,
	DRM_NPU_PARAM_CAP_KERNEL,
	DRM_NPU_PARAM_CAP_MEM,
	DRM_NPU_PARAM_CAP_MEM_RSVD,
	DRM_NPU_PARAM_CAP_DMA,
	DRM_NPU_PARAM_CAP_DESC,
	DRM_NPU_PARAM_CAP_MAX_DIM,
	DRM_NPU_PARAM_MEM_SIZE,		/* bytes of device memory */
	DRM_NPU_PARAM_MEM_AVAILABLE,	/* bytes of device memory not allocated now */
	DRM_NPU_PARAM_MAX_JOB_DESCS,	/* max desc_count of one SUBMIT */
	DRM_NPU_PARAM_MAX_JOB_BOS,	/* max bo_count of one SUBMIT */
	DRM_NPU_PARAM_JOB_TIMEOUT_MS,	/* current timeout of one job */
	DRM_NPU_PARAM_COUNT
};

struct drm_npu_get_param {
	__u32 param;		/* in: enum drm_npu_param */
	__u32 pad;		/* must be 0 */
	__u64 value;		/* out */
};

/*
 * BO_CREATE: a buffer in device memory, zero-filled, page aligned, its size
 * rounded up to whole pages. mmap() it (write-combined) through the offset
 * from BO_INFO. Freed with DRM_IOCTL_GEM_CLOSE when the last reference
 * (handle, mapping, pending job) goes.
 */
struct drm_npu_bo_create {
	__u64 size;		/* in: bytes (> 0); out: the rounded size */
	__u32 flags;		/* in: must be 0 */
	__u32 handle;		/* out */
	__u64 dev_addr;		/* out: device address of byte 0 */
};

struct drm_npu_bo_info {
	__u32 handle;		/* in */
	__u32 pad;		/* must be 0 */
	__u64 size;		/* out */
	__u64 dev_addr;		/* out */
	__u64 mmap_offset;	/* out: offset to pass to mmap() on this fd */
};

/*
 * SUBMIT: one job = desc_count descriptors (NPU_DESC_BYTES each, hw/npu_hw.h)
 * executed in order, after every job submitted before it (on any file).
 * Allowed opcodes: NPU_OP_CONV and NPU_OP_NOP; the driver adds the fences.
 * Each descriptor must pass npu_check_desc() against the device's caps, the
 * job's accumulator chains must be whole (npu_check_seq(), and no chain left
 * open at its end: NPU_ERR_SEQUENCE at the last descriptor), and every range
 * a descriptor touches must lie inside one BO of bo_handles. On -EINVAL
 * because of a descriptor, bad_index is its index and bad_code says why
 * (an NPU_ERR_* value of the device's check, or DRM_NPU_REJECT_*); nothing
 * reaches the device. Otherwise bad_index is ~0 and bad_code 0.
 *
 * The job holds references to its BOs until it completes. Jobs submitted but
 * never waited for are kept per file until the file is closed, at most
 * DRM_NPU_MAX_UNWAITED of them (then SUBMIT fails with -EBUSY).
 */
#define DRM_NPU_REJECT_BO_RANGE	0x100	/* a range is not inside a listed BO */
#define DRM_NPU_REJECT_OPCODE	0x101	/* opcode not allowed in a job (FENCE) */
#define DRM_NPU_MAX_UNWAITED	4096

struct drm_npu_submit {
	__u64 descs;		/* in: pointer to desc_count descriptors */
	__u64 bo_handles;	/* in: pointer to bo_count __u32 handles */
	__u32 desc_count;	/* in: 1..MAX_JOB_DESCS */
	__u32 bo_count;		/* in: 0..MAX_JOB_BOS */
	__u32 flags;		/* in: must be 0 */
	__u32 bad_index;	/* out: see above */
	__u32 bad_code;		/* out: see above */
	__u32 pad;		/* must be 0 */
	__u64 job_id;		/* out: for WAIT; never 0 */
	__u64 reserved[2];	/* must be 0 */
};

/* WAIT: status of a finished job. */
enum drm_npu_job_status {
	DRM_NPU_JOB_OK = 0,
	DRM_NPU_JOB_ERROR = 1,		/* the device raised err_code */
	DRM_NPU_JOB_TIMEOUT = 2,	/* did not finish in time; device was reset */
	DRM_NPU_JOB_ABORTED = 3,	/* the device went away (unbind/unload) */
};

/*
 * Waits until the job finished or timeout_ns (absolute CLOCK_MONOTONIC)
 * passed: then -ETIME, and the job can be waited for again. Once it returns
 * 0 the job's record is released: a second WAIT on the same id gives
 * -ENOENT. A job id of another file is -ENOENT too.
 *
 * counters: if nonzero, a pointer to counters_count __u64 (at most
 * NPU_NUM_COUNTERS) that receive the job's device counters (enum npu_counter
 * of hw/npu_hw.h, counted from the job's start to its end); zeros when the
 * job did not complete normally or the device has no NPU_FEAT_FENCE_STATS.
 */
struct drm_npu_wait {
	__u64 job_id;		/* in */
	__s64 timeout_ns;	/* in: absolute CLOCK_MONOTONIC */
	__u64 counters;		/* in: pointer or 0 */
	__u32 counters_count;	/* in: 0..NPU_NUM_COUNTERS */
	__u32 flags;		/* in: must be 0 */
	__u32 status;		/* out: enum drm_npu_job_status */
	__u32 err_code;		/* out: NPU_ERR_* for DRM_NPU_JOB_ERROR */
	__u32 err_index;	/* out: index of the faulting descriptor in the job, ~0 if none of them */
	__u32 err_info;		/* out: the device's ERR_INFO */
	__u32 err_tag;		/* out: the device's ERR_TAG */
	__u32 pad;		/* must be 0 */
	__u64 reserved;		/* must be 0 */
};

#if defined(__cplusplus)
}
#endif

#endif /* NPU_DRM_H */
