// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * npu_drv.c - PCI binding, DRM driver, ioctl table, debugfs.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "npu_drv.h"
#include "npu_drm.h"

/*
 * The one place that decides how the driver registers: a compute
 * accelerator (/dev/accel/accel*) where the kernel has the accel framework,
 * a render-only DRM driver (/dev/dri/renderD*) elsewhere (6.1).
 */
#if IS_ENABLED(CONFIG_DRM_ACCEL)
#include <drm/drm_accel.h>
#define NPU_DRIVER_FEATURES	(DRIVER_GEM | DRIVER_COMPUTE_ACCEL)
DEFINE_DRM_ACCEL_FOPS(npu_fops);
#else
#define NPU_DRIVER_FEATURES	(DRIVER_GEM | DRIVER_RENDER)
DEFINE_DRM_GEM_FOPS(npu_fops);
#endif

unsigned int npu_timeout_ms = 2000;
module_param_named(timeout_ms, npu_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "time a job may run before the device is reset (ms, default 2000, at least 10)");

static int npu_get_param_ioctl(struct drm_device *dev, void *data,
			       struct drm_file *file)
{
	struct npu_device *ndev = to_npu_dev(dev);
	struct drm_npu_get_param *args = data;
	static const u32 reg[] = {
		[DRM_NPU_PARAM_HW_ID] = NPU_REG_ID,
		[DRM_NPU_PARAM_HW_VERSION] = NPU_REG_VERSION,
		[DRM_NPU_PARAM_CAP_ARRAY] = NPU_REG_CAP_ARRAY,
		[DRM_NPU_PARAM_CAP_IBUF] = NPU_REG_CAP_IBUF,
		[DRM_NPU_PARAM_CAP_WBUF] = NPU_REG_CAP_WBUF,
		[DRM_NPU_PARAM_CAP_ACC] = NPU_REG_CAP_ACC,
		[DRM_NPU_PARAM_CAP_PBUF] = NPU_REG_CAP_PBUF,
		[DRM_NPU_PARAM_CAP_FEATURES] = NPU_REG_CAP_FEATURES,
		[DRM_NPU_PARAM_CAP_KERNEL] = NPU_REG_CAP_KERNEL,
		[DRM_NPU_PARAM_CAP_MEM] = NPU_REG_CAP_MEM,
		[DRM_NPU_PARAM_CAP_MEM_RSVD] = NPU_REG_CAP_MEM_RSVD,
		[DRM_NPU_PARAM_CAP_DMA] = NPU_REG_CAP_DMA,
		[DRM_NPU_PARAM_CAP_DESC] = NPU_REG_CAP_DESC,
		[DRM_NPU_PARAM_CAP_MAX_DIM] = NPU_REG_CAP_MAX_DIM,
	};

	if (args->pad)
		return -EINVAL;
	if (args->param <= DRM_NPU_PARAM_CAP_MAX_DIM) {
		u32 i = array_index_nospec(args->param, DRM_NPU_PARAM_CAP_MAX_DIM + 1);

		args->value = ndev->hw.cap_regs[reg[i] / 4];
		return 0;
	}
	switch (args->param) {
	case DRM_NPU_PARAM_MEM_SIZE:
		args->value = ndev->hw.mem_size;
		return 0;
	case DRM_NPU_PARAM_MEM_AVAILABLE:
		mutex_lock(&ndev->mm_lock);
		args->value = ndev->mm_free;
		mutex_unlock(&ndev->mm_lock);
		return 0;
	case DRM_NPU_PARAM_MAX_JOB_DESCS:
		args->value = ndev->ring_entries / 2 - 2;
		return 0;
	case DRM_NPU_PARAM_MAX_JOB_BOS:
		args->value = NPU_JOB_MAX_BOS;
		return 0;
	case DRM_NPU_PARAM_JOB_TIMEOUT_MS:
		args->value = READ_ONCE(npu_timeout_ms);
		return 0;
	default:
		return -EINVAL;
	}
}

static const struct drm_ioctl_desc npu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(NPU_GET_PARAM, npu_get_param_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NPU_BO_CREATE, npu_bo_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NPU_BO_INFO, npu_bo_info_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NPU_SUBMIT, npu_submit_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NPU_WAIT, npu_wait_ioctl, DRM_RENDER_ALLOW),
};

static int npu_open(struct drm_device *dev, struct drm_file *file)
{
	struct npu_file *nfile;

	nfile = kzalloc(sizeof(*nfile), GFP_KERNEL);
	if (!nfile)
		return -ENOMEM;
	nfile->ndev = to_npu_dev(dev);
	xa_init(&nfile->jobs);
	atomic_set(&nfile->njobs, 0);
	file->driver_priv = nfile;
	return 0;
}

static void npu_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct npu_file *nfile = file->driver_priv;

	npu_job_file_close(nfile);
	kfree(nfile);
}

/* ------------------------------------------------------------------ */
/* debugfs: state, transport statistics, fault injection               */
/* ------------------------------------------------------------------ */
static int npu_state_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = m->private;
	struct npu_hw_transport_stats st;

	npu_job_debugfs_show(ndev, m);
	mutex_lock(&ndev->mm_lock);
	seq_printf(m, "mem_free %llu\n", ndev->mm_free);
	mutex_unlock(&ndev->mm_lock);
	mutex_lock(&ndev->job_lock);
	if (!ndev->dead && !npu_hw_transport_stats(&ndev->hw, &st))
		seq_printf(m, "escapes %llu\naccesses %llu\ndev_irqs %llu\ndoorbells %llu\nsim_faults %llu\nsim_us %llu\n",
			   st.escapes, st.accesses, st.irqs, st.doorbells, st.faults,
			   div_u64(st.sim_ns, 1000));
	if (!ndev->dead)
		seq_printf(m, "irq_ack_us %llu\nirq_acks %llu\n",
			   div_u64(st.irq_ack_ns, 1000), st.irq_acks);
	mutex_unlock(&ndev->job_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(npu_state);

/*
 * A transport round trip without device work: a SCRATCH write and a flush
 * (the write queue, the doorbell, the server's wake-up and its answer),
 * 200 times; prints mean, min and max in microseconds.
 */
static int npu_ping_show(struct seq_file *m, void *unused)
{
	struct npu_device *ndev = m->private;
	u64 t, sum = 0, lo = U64_MAX, hi = 0;
	int i, n = 200, ret = 0;

	mutex_lock(&ndev->job_lock);
	for (i = 0; i < n && !ndev->dead && !ret; i++) {
		t = ktime_get_ns();
		npu_hw_wr(&ndev->hw, NPU_REG_SCRATCH, i);
		ret = npu_hw_flush(&ndev->hw);
		t = ktime_get_ns() - t;
		sum += t;
		lo = min(lo, t);
		hi = max(hi, t);
	}
	if (!ret && !ndev->dead && npu_hw_rd(&ndev->hw, NPU_REG_SCRATCH) != (u32)(n - 1))
		ret = -EIO;
	mutex_unlock(&ndev->job_lock);
	if (ret || ndev->dead)
		return ret ? ret : -ENODEV;
	seq_printf(m, "pings %d\nping_mean_us %llu\nping_min_us %llu\nping_max_us %llu\n", n,
		   div_u64(sum, n * 1000), div_u64(lo, 1000), div_u64(hi, 1000));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(npu_ping);

/* Accepts "hang", "error", "delay <ms>", "clear". */
static ssize_t npu_inject_write(struct file *f, const char __user *ubuf,
				size_t len, loff_t *pos)
{
	struct npu_device *ndev = file_inode(f)->i_private;
	enum npu_hw_inject what;
	char buf[32];
	u32 arg = 0;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sysfs_streq(buf, "hang")) {
		what = NPU_INJECT_HANG;
	} else if (sysfs_streq(buf, "error")) {
		what = NPU_INJECT_ERROR;
	} else if (sysfs_streq(buf, "clear")) {
		what = NPU_INJECT_CLEAR_STATS;
	} else if (!strncmp(buf, "delay ", 6) && !kstrtou32(buf + 6, 0, &arg)) {
		what = NPU_INJECT_DELAY;
	} else {
		return -EINVAL;
	}
	mutex_lock(&ndev->job_lock);
	ret = ndev->dead ? -ENODEV : npu_hw_inject(&ndev->hw, what, arg);
	mutex_unlock(&ndev->job_lock);
	return ret ? ret : len;
}

static const struct file_operations npu_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = npu_inject_write,
	.llseek = noop_llseek,
};

static void npu_debugfs_init(struct drm_minor *minor)
{
	struct npu_device *ndev = to_npu_dev(minor->dev);

	debugfs_create_file("npu_state", 0444, minor->debugfs_root, ndev,
			    &npu_state_fops);
	debugfs_create_file("npu_inject", 0200, minor->debugfs_root, ndev,
			    &npu_inject_fops);
	debugfs_create_file("npu_ping", 0444, minor->debugfs_root, ndev,
			    &npu_ping_fops);
}

static void npu_drm_release(struct drm_device *dev, void *unused)
{
	npu_mm_fini(to_npu_dev(dev));
}

static const struct drm_driver npu_drm_driver = {
	.driver_features = NPU_DRIVER_FEATURES,
	.open = npu_open,
	.postclose = npu_postclose,
	.ioctls = npu_ioctls,
	.num_ioctls = ARRAY_SIZE(npu_ioctls),
	.fops = &npu_fops,
	.debugfs_init = npu_debugfs_init,
	.name = NPU_DRIVER_NAME,
	.desc = NPU_DRIVER_DESC,
	.date = "20261125",
	.major = DRM_NPU_VERSION_MAJOR,
	.minor = DRM_NPU_VERSION_MINOR,
};

/* ------------------------------------------------------------------ */
/* PCI                                                                 */
/* ------------------------------------------------------------------ */
static irqreturn_t npu_irq_thread(int irq, void *data)
{
	npu_job_irq(data);
	return IRQ_HANDLED;
}

static int npu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct npu_device *ndev;
	int ret;

	ndev = devm_drm_dev_alloc(&pdev->dev, &npu_drm_driver,
				  struct npu_device, drm);
	if (IS_ERR(ndev))
		return PTR_ERR(ndev);
	pci_set_drvdata(pdev, ndev);

	ret = npu_hw_probe(&ndev->hw, pdev);
	if (ret)
		return ret;
	ret = npu_mm_init(ndev);
	if (ret)
		return ret;
	ret = drmm_add_action_or_reset(&ndev->drm, npu_drm_release, NULL);
	if (ret)
		return ret;
	ret = npu_job_init(ndev);
	if (ret)
		goto err_stop;
	ret = npu_hw_irq_init(&ndev->hw, npu_irq_thread, ndev);
	if (ret)
		goto err_stop;
	ret = drm_dev_register(&ndev->drm, 0);
	if (ret)
		goto err_irq;

	drm_info(&ndev->drm, "NPU %ux%u, %llu MiB device memory, ring %u, timeout %u ms\n",
		 ndev->hw.caps.rows, ndev->hw.caps.cols, ndev->hw.mem_size >> 20,
		 ndev->ring_entries, npu_timeout_ms);
	return 0;

err_irq:
	npu_job_fini(ndev);
	npu_hw_irq_fini(&ndev->hw, ndev);
	return ret;
err_stop:
	npu_job_fini(ndev);
	return ret;
}

static void npu_remove(struct pci_dev *pdev)
{
	struct npu_device *ndev = pci_get_drvdata(pdev);

	/* Stop the device and fail pending jobs, then cut off the users. */
	npu_job_fini(ndev);
	drm_dev_unplug(&ndev->drm);
	npu_hw_irq_fini(&ndev->hw, ndev);
}

static const struct pci_device_id npu_pci_ids[] = {
	/* QEMU ivshmem-doorbell; probe checks BAR2's NPU signature. */
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, npu_pci_ids);

static struct pci_driver npu_pci_driver = {
	.name = NPU_DRIVER_NAME,
	.id_table = npu_pci_ids,
	.probe = npu_probe,
	.remove = npu_remove,
};
module_pci_driver(npu_pci_driver);

MODULE_DESCRIPTION(NPU_DRIVER_DESC);
MODULE_LICENSE("Dual MIT/GPL");
