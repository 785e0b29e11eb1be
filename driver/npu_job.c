// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * npu_job.c - submission, validation, fences, completion, timeout.
 *
 * A job is the user's descriptors (CONV/NOP only) framed by two fences the
 * driver adds in the ring:
 *
 *   [FENCE stats->begin, seqno = previous job] [user descs...]
 *   [FENCE IRQ, stats->end, seqno = this job]
 *
 * Validation (before anything reaches the device): every descriptor must
 * pass npu_check_desc() with the caps read from the device (and chain
 * their accumulator links as npu_check_seq() requires), FENCE is not
 * allowed, and every byte range a CONV reads or writes (npu_conv_ranges())
 * must lie inside one of the BOs the submission lists. BOs never move, so
 * range checks are enough (no relocations); the job keeps its BOs alive
 * until it completes, so their memory cannot be reused meanwhile.
 *
 * Completion: the fence interrupt; the interrupt thread acks, flushes, reads
 * FENCE_SEQNO and signals every job up to it. An error interrupt marks the
 * job owning ERR_INDEX failed with the device's code and acks it; the device
 * then skips to that job's fence, which completes it.
 *
 * Timeout: the oldest job gets npu_timeout_ms from the moment it became the
 * oldest. Then it fails with DRM_NPU_JOB_TIMEOUT, the device is soft-reset
 * and every job queued behind it is written to the ring again, in order,
 * from index 0 (jobs behind a hung one have not written anything yet,
 * because the device executes in order; re-running them is safe).
 *
 * Removal: pending jobs fail with DRM_NPU_JOB_ABORTED.
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_utils.h>

#include "npu_drv.h"
#include "npu_drm.h"

static inline bool npu_seqno_passed(u32 done, u32 seqno)
{
	return (s32)(done - seqno) >= 0;
}

/* ------------------------------------------------------------------ */
/* Fences                                                              */
/* ------------------------------------------------------------------ */
static const char *npu_fence_driver_name(struct dma_fence *f)
{
	return NPU_DRIVER_NAME;
}

static const char *npu_fence_timeline_name(struct dma_fence *f)
{
	return "npu-ring";
}

static void npu_job_release(struct dma_fence *f)
{
	struct npu_job *job = container_of(f, struct npu_job, fence);

	kvfree(job->descs);
	kfree(job->bos);
	kfree(job->acl);
	dma_fence_free(f);
}

static const struct dma_fence_ops npu_fence_ops = {
	.get_driver_name = npu_fence_driver_name,
	.get_timeline_name = npu_fence_timeline_name,
	.release = npu_job_release,
};

static void npu_job_put_bos(struct npu_job *job)
{
	u32 i;

	for (i = 0; i < job->nbos; i++)
		if (job->bos[i])
			drm_gem_object_put(job->bos[i]);
	job->nbos = 0;
}

/* ------------------------------------------------------------------ */
/* The ring                                                            */
/* ------------------------------------------------------------------ */
static u32 npu_stats_addr(struct npu_device *ndev, u32 slot, bool end)
{
	return ndev->stats_node.start + slot * NPU_STATS_SLOT_BYTES +
	       (end ? NPU_STATS_END_OFF : 0);
}

static bool npu_has_stats(struct npu_device *ndev)
{
	return ndev->hw.caps.features & NPU_FEAT_FENCE_STATS;
}

static void npu_ring_put(struct npu_device *ndev, const union npu_desc *d,
			 u32 slot)
{
	u32 idx = ndev->ring_tail;

	npu_hw_mem_write(&ndev->hw, ndev->ring_node.start + (u64)idx * NPU_DESC_BYTES,
			 d, NPU_DESC_BYTES);
	npu_hw_acl_ring(&ndev->hw, idx, slot);
	ndev->ring_tail = (idx + 1) & (ndev->ring_entries - 1);
}

static void npu_fence_desc(struct npu_device *ndev, union npu_desc *d,
			   u32 seqno, u32 flags, u32 stats_addr)
{
	memset(d, 0, sizeof(*d));
	d->fence.opcode = NPU_OP_FENCE;
	d->fence.version = NPU_DESC_VERSION;
	d->fence.seqno = seqno;
	if (npu_has_stats(ndev)) {
		flags |= NPU_FENCE_STATS;
		d->fence.stats_addr = stats_addr;
	}
	d->fence.flags = flags;
}

/* Writes a job into the ring (without moving RING_TAIL). job_lock held. */
static void npu_job_write(struct npu_device *ndev, struct npu_job *job)
{
	u64 (*acl)[2] = job->acl;
	union npu_desc f;
	u32 i;

	job->ring_start = ndev->ring_tail;

	/* What the escape accounting lets this job touch: its BOs and stats. */
	for (i = 0; i < job->nbos; i++) {
		struct npu_bo *bo = to_npu_bo(job->bos[i]);

		acl[i][0] = bo->node.start;
		acl[i][1] = bo->node.start + bo->node.size;
	}
	acl[i][0] = npu_stats_addr(ndev, job->slot, false);
	acl[i][1] = acl[i][0] + NPU_STATS_SLOT_BYTES;
	npu_hw_acl_slot(&ndev->hw, job->slot, lower_32_bits(job->seqno), acl,
			job->nbos + 1);

	npu_fence_desc(ndev, &f, lower_32_bits(job->seqno - 1), 0,
		       npu_stats_addr(ndev, job->slot, false));
	npu_ring_put(ndev, &f, job->slot);
	for (i = 0; i < job->ndescs; i++)
		npu_ring_put(ndev, &job->descs[i], job->slot);
	npu_fence_desc(ndev, &f, lower_32_bits(job->seqno), NPU_FENCE_IRQ,
		       npu_stats_addr(ndev, job->slot, true));
	npu_ring_put(ndev, &f, job->slot);
}

static void npu_ring_doorbell(struct npu_device *ndev)
{
	wmb();	/* descriptors before the tail */
	npu_hw_wr(&ndev->hw, NPU_REG_RING_TAIL, ndev->ring_tail);
}

/* The module parameter, at least NPU_TIMEOUT_MIN_MS. */
static unsigned long npu_timeout_jiffies(void)
{
	return msecs_to_jiffies(max_t(unsigned int, READ_ONCE(npu_timeout_ms),
				      NPU_TIMEOUT_MIN_MS));
}

static void npu_timeout_arm(struct npu_device *ndev)
{
	unsigned long deadline, now = jiffies;

	if (ndev->dead || list_empty(&ndev->pending))
		return;
	deadline = ndev->head_start + npu_timeout_jiffies();
	mod_delayed_work(system_wq, &ndev->timeout_work,
			 time_after(deadline, now) ? deadline - now : 0);
}

/* ------------------------------------------------------------------ */
/* Completion                                                          */
/* ------------------------------------------------------------------ */
static void npu_job_read_counters(struct npu_device *ndev, struct npu_job *job)
{
	struct npu_fence_stats *s;
	u32 i;

	if (!npu_has_stats(ndev))
		return;
	s = kmalloc_array(2, sizeof(*s), GFP_KERNEL);
	if (!s)
		return;
	npu_hw_mem_read(&ndev->hw, npu_stats_addr(ndev, job->slot, false),
			&s[0], sizeof(*s));
	npu_hw_mem_read(&ndev->hw, npu_stats_addr(ndev, job->slot, true),
			&s[1], sizeof(*s));
	if (s[0].seqno == lower_32_bits(job->seqno - 1) &&
	    s[1].seqno == lower_32_bits(job->seqno))
		for (i = 0; i < NPU_NUM_COUNTERS; i++)
			job->counters[i] = s[1].counter[i] - s[0].counter[i];
	kfree(s);
}

/* Takes a job off the device and signals it. job_lock held. */
static void npu_job_retire(struct npu_device *ndev, struct npu_job *job, u32 status)
{
	static const int fence_err[] = {
		[DRM_NPU_JOB_OK] = 0,
		[DRM_NPU_JOB_ERROR] = -EIO,
		[DRM_NPU_JOB_TIMEOUT] = -ETIMEDOUT,
		[DRM_NPU_JOB_ABORTED] = -ENODEV,
	};

	if (job->status == DRM_NPU_JOB_OK)
		job->status = status;
	if (job->status == DRM_NPU_JOB_OK)
		npu_job_read_counters(ndev, job);
	list_del(&job->node);
	ndev->npending--;
	ndev->ring_used -= job->ring_count;
	if (job->status == DRM_NPU_JOB_OK)
		ndev->jobs_done++;
	else
		ndev->jobs_failed++;
	if (fence_err[job->status])
		dma_fence_set_error(&job->fence, fence_err[job->status]);
	dma_fence_signal(&job->fence);
	npu_job_put_bos(job);
	dma_fence_put(&job->fence);	/* the pending list's reference */
}

static void npu_complete_upto(struct npu_device *ndev, u32 done)
{
	struct npu_job *job, *tmp;
	bool progress = false;

	list_for_each_entry_safe(job, tmp, &ndev->pending, node) {
		if (!npu_seqno_passed(done, lower_32_bits(job->seqno)))
			break;
		npu_job_retire(ndev, job, DRM_NPU_JOB_OK);
		progress = true;
	}
	if (progress) {
		ndev->head_start = jiffies;
		npu_timeout_arm(ndev);
		wake_up_all(&ndev->ring_wq);
	}
}

static struct npu_job *npu_job_at_ring(struct npu_device *ndev, u32 idx)
{
	struct npu_job *job;

	list_for_each_entry(job, &ndev->pending, node)
		if (((idx - job->ring_start) & (ndev->ring_entries - 1)) < job->ring_count)
			return job;
	return NULL;
}

/*
 * Reset and replay: the device forgets everything, the ring starts again
 * at 0 with the pending jobs in order. job_lock held.
 */
static void npu_recover(struct npu_device *ndev)
{
	struct npu_job *job, *tmp;
	int ret;

	ndev->resets++;
	ret = npu_hw_reset(&ndev->hw);
	if (!ret)
		ret = npu_hw_start(&ndev->hw, ndev->ring_node.start, ndev->ring_entries);
	if (ret) {
		drm_err(&ndev->drm, "device lost (%d), failing every job\n", ret);
		ndev->dead = true;
		list_for_each_entry_safe(job, tmp, &ndev->pending, node)
			npu_job_retire(ndev, job, DRM_NPU_JOB_ABORTED);
		wake_up_all(&ndev->ring_wq);
		return;
	}
	ndev->ring_tail = 0;
	list_for_each_entry(job, &ndev->pending, node) {
		job->status = DRM_NPU_JOB_OK;
		npu_job_write(ndev, job);
	}
	if (!list_empty(&ndev->pending))
		npu_ring_doorbell(ndev);
	ndev->head_start = jiffies;
	npu_timeout_arm(ndev);
}

/*
 * Reads the interrupt status, records a device error on its job, acks,
 * and completes every job up to FENCE_SEQNO. Used by the interrupt thread
 * and, for a lost interrupt, by the timeout work. job_lock held.
 */
static void npu_service(struct npu_device *ndev)
{
	struct npu_hw *hw = &ndev->hw;
	struct npu_job *job;
	u32 status, code, idx;

	status = npu_hw_rd(hw, NPU_REG_IRQ_STATUS);
	if (status & NPU_IRQ_ERROR) {
		code = npu_hw_rd(hw, NPU_REG_ERR_CODE);
		idx = npu_hw_rd(hw, NPU_REG_ERR_INDEX);
		job = npu_job_at_ring(ndev, idx);
		if (!job) {
			drm_err(&ndev->drm, "device error %u at ring index %u outside any job\n",
				code, idx);
			npu_recover(ndev);
			return;
		}
		job->status = DRM_NPU_JOB_ERROR;
		job->err_code = code;
		idx = (idx - job->ring_start) & (ndev->ring_entries - 1);
		job->err_index = idx >= 1 && idx <= job->ndescs ? idx - 1 : ~0u;
		job->err_info = npu_hw_rd(hw, NPU_REG_ERR_INFO);
		job->err_tag = npu_hw_rd(hw, NPU_REG_ERR_TAG);
	}
	if (status) {
		/* Ack first, then read the seqno: no fence can slip between. */
		npu_hw_wr(hw, NPU_REG_IRQ_ACK, status);
		if (npu_hw_flush(hw)) {
			npu_recover(ndev);
			return;
		}
	}
	npu_complete_upto(ndev, npu_hw_rd(hw, NPU_REG_FENCE_SEQNO));
}

void npu_job_irq(struct npu_device *ndev)
{
	mutex_lock(&ndev->job_lock);
	if (!ndev->dead) {
		ndev->irqs++;
		npu_service(ndev);
	}
	mutex_unlock(&ndev->job_lock);
}

static void npu_timeout_work(struct work_struct *work)
{
	struct npu_device *ndev = container_of(to_delayed_work(work),
					       struct npu_device, timeout_work);
	struct npu_job *job;
	unsigned long deadline;

	mutex_lock(&ndev->job_lock);
	if (ndev->dead || list_empty(&ndev->pending))
		goto out;
	/* A completion whose interrupt has not been handled yet is no timeout. */
	if (!npu_hw_flush(&ndev->hw))
		npu_service(ndev);
	if (ndev->dead)
		goto out;
	job = list_first_entry_or_null(&ndev->pending, struct npu_job, node);
	if (!job)
		goto out;
	deadline = ndev->head_start + npu_timeout_jiffies();
	if (time_before(jiffies, deadline)) {
		npu_timeout_arm(ndev);
		goto out;
	}
	drm_warn(&ndev->drm, "job %llu timed out after %u ms, resetting the device\n",
		 job->seqno, READ_ONCE(npu_timeout_ms));
	ndev->timeouts++;
	npu_job_retire(ndev, job, DRM_NPU_JOB_TIMEOUT);
	npu_recover(ndev);
	wake_up_all(&ndev->ring_wq);
out:
	mutex_unlock(&ndev->job_lock);
}

/* ------------------------------------------------------------------ */
/* Submission                                                          */
/* ------------------------------------------------------------------ */
static bool npu_range_in_bos(struct npu_job *job, const struct npu_range *r)
{
	u32 i;

	for (i = 0; i < job->nbos; i++) {
		struct npu_bo *bo = to_npu_bo(job->bos[i]);

		if (r->start >= bo->node.start &&
		    r->end <= bo->node.start + bo->node.size)
			return true;
	}
	return false;
}

static int npu_job_validate(struct npu_device *ndev, struct npu_job *job,
			    struct drm_npu_submit *args)
{
	const struct npu_caps *caps = &ndev->hw.caps;
	struct npu_chain_state chain = {};
	struct npu_range r[NPU_T_COUNT];
	u32 i, t, info;
	int err;

	for (i = 0; i < job->ndescs; i++) {
		const union npu_desc *d = &job->descs[i];

		args->bad_index = i;
		err = npu_check_desc(caps, d, &info);
		if (err) {
			args->bad_code = err;
			return -EINVAL;
		}
		if (d->hdr.opcode == NPU_OP_FENCE) {
			args->bad_code = DRM_NPU_REJECT_OPCODE;
			return -EINVAL;
		}
		/* accumulator chains: the device would stop at a broken one */
		err = npu_check_seq(&chain, d, &info);
		if (err) {
			args->bad_code = err;
			return -EINVAL;
		}
		if (d->hdr.opcode != NPU_OP_CONV)
			continue;
		npu_conv_ranges(caps, &d->conv, r);
		for (t = 0; t < NPU_T_COUNT; t++) {
			if (!npu_range_in_bos(job, &r[t])) {
				args->bad_code = DRM_NPU_REJECT_BO_RANGE;
				return -EINVAL;
			}
		}
	}
	if (chain.held) {
		/* a chain left open: the job's closing fence would break it */
		args->bad_index = job->ndescs - 1;
		args->bad_code = NPU_ERR_SEQUENCE;
		return -EINVAL;
	}
	args->bad_index = ~0u;
	args->bad_code = 0;
	return 0;
}

static int npu_job_lookup_bos(struct drm_file *file, struct npu_job *job,
			      u64 handles_ptr)
{
	u32 *handles;
	u32 i;
	int ret = 0;

	if (!job->nbos)
		return 0;
	handles = kvmalloc_array(job->nbos, sizeof(*handles), GFP_KERNEL);
	if (!handles)
		return -ENOMEM;
	if (copy_from_user(handles, u64_to_user_ptr(handles_ptr),
			   job->nbos * sizeof(*handles))) {
		ret = -EFAULT;
		goto out;
	}
	for (i = 0; i < job->nbos; i++) {
		job->bos[i] = drm_gem_object_lookup(file, handles[i]);
		if (!job->bos[i]) {
			ret = -ENOENT;
			goto out;
		}
	}
out:
	kvfree(handles);
	return ret;
}

static bool npu_ring_has_room(struct npu_device *ndev, u32 need)
{
	return ndev->dead ||
	       (ndev->npending < NPU_JOB_SLOTS &&
		ndev->ring_used + need <= ndev->ring_entries);
}

int npu_submit_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct npu_device *ndev = to_npu_dev(dev);
	struct npu_file *nfile = file->driver_priv;
	struct drm_npu_submit *args = data;
	u32 max_descs = ndev->ring_entries / 2 - 2;
	struct npu_job *job;
	int ret, idx;

	args->bad_index = ~0u;
	args->bad_code = 0;
	if (args->flags || args->pad || args->reserved[0] || args->reserved[1] ||
	    !args->desc_count || args->desc_count > max_descs ||
	    args->bo_count > NPU_JOB_MAX_BOS)
		return -EINVAL;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	job->ndev = ndev;
	job->ndescs = args->desc_count;
	job->nbos = args->bo_count;
	job->ring_count = job->ndescs + 2;
	job->err_index = ~0u;
	job->descs = kvmalloc_array(job->ndescs, NPU_DESC_BYTES, GFP_KERNEL);
	job->bos = kcalloc(max_t(u32, job->nbos, 1), sizeof(*job->bos), GFP_KERNEL);
	job->acl = kmalloc_array(job->nbos + 1, sizeof(*job->acl), GFP_KERNEL);
	if (!job->descs || !job->bos || !job->acl) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (copy_from_user(job->descs, u64_to_user_ptr(args->descs),
			   (size_t)job->ndescs * NPU_DESC_BYTES)) {
		ret = -EFAULT;
		goto err_free;
	}
	ret = npu_job_lookup_bos(file, job, args->bo_handles);
	if (ret)
		goto err_free;
	ret = npu_job_validate(ndev, job, args);
	if (ret)
		goto err_free;
	if (atomic_inc_return(&nfile->njobs) > DRM_NPU_MAX_UNWAITED) {
		ret = -EBUSY;
		goto err_count;
	}

	mutex_lock(&ndev->job_lock);
	while (!npu_ring_has_room(ndev, job->ring_count)) {
		mutex_unlock(&ndev->job_lock);
		ret = wait_event_interruptible(ndev->ring_wq,
					       npu_ring_has_room(ndev, job->ring_count));
		if (ret)
			goto err_count;
		mutex_lock(&ndev->job_lock);
	}
	if (ndev->dead || !drm_dev_enter(dev, &idx)) {
		mutex_unlock(&ndev->job_lock);
		ret = -ENODEV;
		goto err_count;
	}
	job->seqno = ++ndev->next_seqno;
	job->slot = job->seqno % NPU_JOB_SLOTS;
	dma_fence_init(&job->fence, &npu_fence_ops, &ndev->fence_lock,
		       ndev->fence_context, job->seqno);
	/* One reference for the pending list, one for the file's table. */
	dma_fence_get(&job->fence);
	ret = xa_insert(&nfile->jobs, job->seqno, job, GFP_KERNEL);
	if (ret) {
		/* Nothing reached the device: drop both references. */
		drm_dev_exit(idx);
		mutex_unlock(&ndev->job_lock);
		atomic_dec(&nfile->njobs);
		npu_job_put_bos(job);
		dma_fence_put(&job->fence);
		dma_fence_put(&job->fence);
		return ret;
	}
	npu_job_write(ndev, job);
	if (list_empty(&ndev->pending)) {
		ndev->head_start = jiffies;
		list_add_tail(&job->node, &ndev->pending);
		npu_timeout_arm(ndev);
	} else {
		list_add_tail(&job->node, &ndev->pending);
	}
	ndev->npending++;
	ndev->ring_used += job->ring_count;
	npu_ring_doorbell(ndev);
	drm_dev_exit(idx);
	mutex_unlock(&ndev->job_lock);

	args->job_id = job->seqno;
	return 0;

err_count:
	atomic_dec(&nfile->njobs);
err_free:
	npu_job_put_bos(job);
	kvfree(job->descs);
	kfree(job->bos);
	kfree(job->acl);
	kfree(job);
	return ret;
}

int npu_wait_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct npu_file *nfile = file->driver_priv;
	struct drm_npu_wait *args = data;
	struct npu_job *job;
	long timeout;
	int ret = 0;

	if (args->flags || args->pad || args->reserved ||
	    args->counters_count > NPU_NUM_COUNTERS ||
	    (args->counters_count && !args->counters))
		return -EINVAL;

	xa_lock(&nfile->jobs);
	job = xa_load(&nfile->jobs, args->job_id);
	if (job)
		dma_fence_get(&job->fence);
	xa_unlock(&nfile->jobs);
	if (!job)
		return -ENOENT;

	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	timeout = dma_fence_wait_timeout(&job->fence, true, timeout);
	if (timeout < 0) {
		ret = timeout;
		goto out;
	}
	if (!timeout && !dma_fence_is_signaled(&job->fence)) {
		ret = -ETIME;
		goto out;
	}
	args->status = job->status;
	args->err_code = job->err_code;
	args->err_index = job->err_index;
	args->err_info = job->err_info;
	args->err_tag = job->err_tag;
	if (args->counters_count &&
	    copy_to_user(u64_to_user_ptr(args->counters), job->counters,
			 args->counters_count * sizeof(u64))) {
		ret = -EFAULT;
		goto out;
	}
	if (xa_cmpxchg(&nfile->jobs, args->job_id, job, NULL, GFP_KERNEL) == job) {
		atomic_dec(&nfile->njobs);
		dma_fence_put(&job->fence);	/* the table's reference */
	}
out:
	dma_fence_put(&job->fence);
	return ret;
}

void npu_job_file_close(struct npu_file *nfile)
{
	struct npu_job *job;
	unsigned long id;

	xa_for_each(&nfile->jobs, id, job) {
		xa_erase(&nfile->jobs, id);
		dma_fence_put(&job->fence);
	}
	xa_destroy(&nfile->jobs);
}

/* ------------------------------------------------------------------ */
/* Setup and teardown                                                  */
/* ------------------------------------------------------------------ */
int npu_job_init(struct npu_device *ndev)
{
	int ret;

	mutex_init(&ndev->job_lock);
	INIT_LIST_HEAD(&ndev->pending);
	init_waitqueue_head(&ndev->ring_wq);
	INIT_DELAYED_WORK(&ndev->timeout_work, npu_timeout_work);
	spin_lock_init(&ndev->fence_lock);
	ndev->fence_context = dma_fence_context_alloc(1);

	ret = npu_hw_reset(&ndev->hw);
	if (ret)
		return ret;
	npu_hw_acl_enable(&ndev->hw, true);
	return npu_hw_start(&ndev->hw, ndev->ring_node.start, ndev->ring_entries);
}

/* The device is going away: stop it and fail what is pending. */
void npu_job_fini(struct npu_device *ndev)
{
	struct npu_job *job, *tmp;

	mutex_lock(&ndev->job_lock);
	if (!ndev->dead)
		npu_hw_stop(&ndev->hw);
	ndev->dead = true;
	list_for_each_entry_safe(job, tmp, &ndev->pending, node)
		npu_job_retire(ndev, job, DRM_NPU_JOB_ABORTED);
	mutex_unlock(&ndev->job_lock);
	wake_up_all(&ndev->ring_wq);
	cancel_delayed_work_sync(&ndev->timeout_work);
}

int npu_job_debugfs_show(struct npu_device *ndev, struct seq_file *m)
{
	mutex_lock(&ndev->job_lock);
	seq_printf(m, "pending %u\nring_used %u\nring_entries %u\nnext_seqno %llu\n",
		   ndev->npending, ndev->ring_used, ndev->ring_entries,
		   ndev->next_seqno);
	seq_printf(m, "jobs_done %llu\njobs_failed %llu\ntimeouts %llu\nresets %llu\nirqs %llu\n",
		   ndev->jobs_done, ndev->jobs_failed, ndev->timeouts,
		   ndev->resets, ndev->irqs);
	seq_printf(m, "dead %d\n", ndev->dead);
	mutex_unlock(&ndev->job_lock);
	return 0;
}
