// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * npu_gem.c - buffer objects.
 *
 * A BO is a range of device memory (BAR2), placed once at creation by
 * drm_mm and never moved, so its device address is stable and can be
 * written into descriptors by userspace. BOs are page aligned and a whole
 * number of pages, so mapping one never exposes a neighbour. There is no
 * shmem backing: the memory is the device's. User mappings are
 * write-combined PFN mappings of the BAR range; they are zapped when the
 * device is unplugged (drm_dev_unplug()).
 *
 * The bottom NPU_MEM_RESERVED bytes (the transport's area) are never given
 * to the allocator; the ring and the fence statistics area are drm_mm
 * nodes owned by the driver and are never BOs, so no submission can name
 * them.
 */
#include <linux/mm.h>
#include <linux/version.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "npu_drv.h"
#include "npu_drm.h"

int npu_mm_init(struct npu_device *ndev)
{
	u64 start = ndev->hw.caps.mem_reserved;
	u64 size = ndev->hw.mem_size - start;
	u32 ring_bytes, stats_bytes;
	int ret;

	mutex_init(&ndev->mm_lock);
	drm_mm_init(&ndev->mm, start, size);
	ndev->mm_free = size;

	ndev->ring_entries = min_t(u32, NPU_RING_ENTRIES_MAX,
				   1u << min_t(u32, ndev->hw.caps.ring_log2_max, 16));
	ring_bytes = ndev->ring_entries * NPU_DESC_BYTES;
	stats_bytes = NPU_JOB_SLOTS * NPU_STATS_SLOT_BYTES;
	ret = drm_mm_insert_node_generic(&ndev->mm, &ndev->ring_node,
					 PAGE_ALIGN(ring_bytes), PAGE_SIZE, 0,
					 DRM_MM_INSERT_LOW);
	if (ret)
		goto err;
	ret = drm_mm_insert_node_generic(&ndev->mm, &ndev->stats_node,
					 PAGE_ALIGN(stats_bytes), PAGE_SIZE, 0,
					 DRM_MM_INSERT_LOW);
	if (ret)
		goto err_ring;
	ndev->mm_free -= ndev->ring_node.size + ndev->stats_node.size;
	npu_hw_mem_clear(&ndev->hw, ndev->ring_node.start, ndev->ring_node.size);
	npu_hw_mem_clear(&ndev->hw, ndev->stats_node.start, ndev->stats_node.size);
	return 0;

err_ring:
	drm_mm_remove_node(&ndev->ring_node);
err:
	drm_mm_takedown(&ndev->mm);
	return ret;
}

/* Called when the drm_device is released: every BO is gone by then. */
void npu_mm_fini(struct npu_device *ndev)
{
	drm_mm_remove_node(&ndev->stats_node);
	drm_mm_remove_node(&ndev->ring_node);
	drm_mm_takedown(&ndev->mm);
	mutex_destroy(&ndev->mm_lock);
}

static void npu_bo_free(struct drm_gem_object *obj)
{
	struct npu_device *ndev = to_npu_dev(obj->dev);
	struct npu_bo *bo = to_npu_bo(obj);

	if (drm_mm_node_allocated(&bo->node)) {
		mutex_lock(&ndev->mm_lock);
		ndev->mm_free += bo->node.size;
		drm_mm_remove_node(&bo->node);
		mutex_unlock(&ndev->mm_lock);
	}
	drm_gem_object_release(obj);
	kfree(bo);
}

static int npu_bo_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct npu_device *ndev = to_npu_dev(obj->dev);
	struct npu_bo *bo = to_npu_bo(obj);
	unsigned long flags = VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	int idx, ret;

	/* Only shared mappings: a private (COW) copy of device memory is meaningless. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!drm_dev_enter(obj->dev, &idx))
		return -ENODEV;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
	vma->vm_page_prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));
	/* drm_gem_mmap() checked that the mapping is no larger than the BO. */
	ret = io_remap_pfn_range(vma, vma->vm_start,
				 (ndev->hw.mem_phys + bo->node.start) >> PAGE_SHIFT,
				 vma->vm_end - vma->vm_start, vma->vm_page_prot);
	drm_dev_exit(idx);
	return ret;
}

static const struct vm_operations_struct npu_bo_vm_ops = {
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static const struct drm_gem_object_funcs npu_bo_funcs = {
	.free = npu_bo_free,
	.mmap = npu_bo_mmap,
	.vm_ops = &npu_bo_vm_ops,
};

static struct npu_bo *npu_bo_create(struct npu_device *ndev, u64 size)
{
	struct npu_bo *bo;
	int ret, idx;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.funcs = &npu_bo_funcs;
	drm_gem_private_object_init(&ndev->drm, &bo->base, size);

	mutex_lock(&ndev->mm_lock);
	ret = drm_mm_insert_node_generic(&ndev->mm, &bo->node, size, PAGE_SIZE,
					 0, DRM_MM_INSERT_BEST);
	if (!ret)
		ndev->mm_free -= size;
	mutex_unlock(&ndev->mm_lock);
	if (ret) {
		ret = -ENOMEM;
		goto err;
	}
	ret = drm_gem_create_mmap_offset(&bo->base);
	if (ret)
		goto err;

	/* Never hand out what a previous owner left there. */
	if (!drm_dev_enter(&ndev->drm, &idx)) {
		ret = -ENODEV;
		goto err;
	}
	npu_hw_mem_clear(&ndev->hw, bo->node.start, size);
	drm_dev_exit(idx);
	return bo;

err:
	drm_gem_object_put(&bo->base);
	return ERR_PTR(ret);
}

int npu_bo_create_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct npu_device *ndev = to_npu_dev(dev);
	struct drm_npu_bo_create *args = data;
	struct npu_bo *bo;
	u64 size;
	int ret;

	if (args->flags || !args->size ||
	    args->size > ndev->hw.mem_size - ndev->hw.caps.mem_reserved)
		return -EINVAL;
	size = PAGE_ALIGN(args->size);

	bo = npu_bo_create(ndev, size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);
	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	if (!ret) {
		args->size = size;
		args->dev_addr = bo->node.start;
	}
	/* The handle holds the reference now (or the object goes). */
	drm_gem_object_put(&bo->base);
	return ret;
}

int npu_bo_info_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_npu_bo_info *args = data;
	struct drm_gem_object *obj;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	args->size = obj->size;
	args->dev_addr = to_npu_bo(obj)->node.start;
	args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return 0;
}
