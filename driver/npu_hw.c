// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * npu_hw.c - the hardware layer over the virtual platform's transport
 * (hw/npu_vplat.h): registers are read from the mirror the server keeps in
 * the reserved bottom of BAR2, written through the write queue and the
 * ivshmem doorbell; the device interrupt is MSI-X vector 0.
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/pci.h>

#include <drm/drm_managed.h>

#include "npu_drv.h"
#include "npu_vplat.h"

#define NPU_BAR_REGS		0	/* ivshmem registers (doorbell) */
#define NPU_BAR_MEM		2	/* device memory */
#define NPU_FLUSH_TIMEOUT_US	(2 * USEC_PER_SEC)
#define NPU_FLUSH_SPIN_US	200
#define NPU_RESET_TIMEOUT_US	(2 * USEC_PER_SEC)

#define HDR(f)	(NPU_VPLAT_HDR_OFF + offsetof(struct npu_vplat_hdr, f))

static u32 npu_mem_rd32(struct npu_hw *hw, u32 off)
{
	return readl(hw->mem + off);
}

static u64 npu_mem_rd64(struct npu_hw *hw, u32 off)
{
	return (u64)readl(hw->mem + off) | ((u64)readl(hw->mem + off + 4) << 32);
}

u32 npu_hw_rd(struct npu_hw *hw, u32 off)
{
	if (WARN_ON_ONCE(off >= NPU_REG_WINDOW || (off & 3)))
		return 0;
	return npu_mem_rd32(hw, NPU_VPLAT_REGS_OFF + off);
}

static void npu_hw_doorbell(struct npu_hw *hw)
{
	writel(NPU_VPLAT_SERVER_PEER << 16 | NPU_VPLAT_DOORBELL_VECTOR,
	       hw->bar0 + NPU_VPLAT_BAR0_DOORBELL);
}

/* Queues one entry; the server applies entries in order. */
static void npu_hw_queue(struct npu_hw *hw, u32 off, u32 val)
{
	u32 slot, head;
	ktime_t deadline;

	mutex_lock(&hw->wr_lock);
	if (hw->broken)
		goto out;
	head = npu_mem_rd32(hw, HDR(wq_head));
	if (hw->wq_tail - head >= NPU_VPLAT_WQ_ENTRIES) {
		/* Full: the server drains it as fast as it can. */
		npu_hw_doorbell(hw);
		deadline = ktime_add_us(ktime_get(), NPU_FLUSH_TIMEOUT_US);
		while (hw->wq_tail - npu_mem_rd32(hw, HDR(wq_head)) >=
		       NPU_VPLAT_WQ_ENTRIES) {
			if (ktime_after(ktime_get(), deadline)) {
				hw->broken = true;
				dev_err(&hw->pdev->dev, "write queue stuck\n");
				goto out;
			}
			usleep_range(10, 50);
		}
	}
	slot = NPU_VPLAT_WQ_OFF + (hw->wq_tail % NPU_VPLAT_WQ_ENTRIES) *
	       sizeof(struct npu_vplat_wq_entry);
	writel(off, hw->mem + slot);
	writel(val, hw->mem + slot + 4);
	hw->wq_tail++;
	wmb();	/* the entry before the tail, the tail before the doorbell */
	writel(hw->wq_tail, hw->mem + HDR(wq_tail));
	wmb();
	npu_hw_doorbell(hw);
out:
	mutex_unlock(&hw->wr_lock);
}

void npu_hw_wr(struct npu_hw *hw, u32 off, u32 val)
{
	if (WARN_ON_ONCE(off >= NPU_REG_WINDOW || (off & 3)))
		return;
	npu_hw_queue(hw, off, val);
}

int npu_hw_flush(struct npu_hw *hw)
{
	u32 target, head;
	int ret;

	mutex_lock(&hw->wr_lock);
	target = hw->wq_tail;
	ret = hw->broken ? -EIO : 0;
	mutex_unlock(&hw->wr_lock);
	if (ret)
		return ret;
	/*
	 * The server usually answers within tens of microseconds: spin
	 * briefly before sleeping between polls.
	 */
	ret = read_poll_timeout_atomic(npu_mem_rd32, head, (s32)(head - target) >= 0,
				       2, NPU_FLUSH_SPIN_US, false, hw, HDR(wq_head));
	if (ret)
		ret = read_poll_timeout(npu_mem_rd32, head, (s32)(head - target) >= 0,
					20, NPU_FLUSH_TIMEOUT_US, false, hw,
					HDR(wq_head));
	if (ret) {
		mutex_lock(&hw->wr_lock);
		hw->broken = true;
		mutex_unlock(&hw->wr_lock);
		dev_err(&hw->pdev->dev, "device does not answer (write queue %u/%u)\n",
			head, target);
	}
	return ret;
}

int npu_hw_reset(struct npu_hw *hw)
{
	u32 st;
	int ret;

	npu_hw_wr(hw, NPU_REG_CTRL, NPU_CTRL_SOFT_RESET);
	ret = npu_hw_flush(hw);
	if (ret)
		return ret;
	ret = read_poll_timeout(npu_hw_rd, st, !(st & NPU_STATUS_RESETTING),
				20, NPU_RESET_TIMEOUT_US, false, hw,
				NPU_REG_STATUS);
	if (ret)
		dev_err(&hw->pdev->dev, "soft reset did not finish (status %#x)\n", st);
	return ret;
}

int npu_hw_start(struct npu_hw *hw, u32 ring_base, u32 ring_entries)
{
	u32 st, irq;
	int ret;

	npu_hw_wr(hw, NPU_REG_IRQ_ACK, NPU_IRQ_ALL);
	npu_hw_wr(hw, NPU_REG_RING_BASE, ring_base);
	npu_hw_wr(hw, NPU_REG_RING_SIZE, ring_entries);
	npu_hw_wr(hw, NPU_REG_IRQ_MASK, NPU_IRQ_ALL);
	npu_hw_wr(hw, NPU_REG_CTRL, NPU_CTRL_ENABLE);
	ret = npu_hw_flush(hw);
	if (ret)
		return ret;
	st = npu_hw_rd(hw, NPU_REG_STATUS);
	irq = npu_hw_rd(hw, NPU_REG_IRQ_STATUS);
	if (!(st & NPU_STATUS_ENABLED) || (irq & NPU_IRQ_ERROR)) {
		dev_err(&hw->pdev->dev, "enable failed: status %#x irq %#x err %u\n",
			st, irq, npu_hw_rd(hw, NPU_REG_ERR_CODE));
		return -EIO;
	}
	return 0;
}

void npu_hw_stop(struct npu_hw *hw)
{
	npu_hw_wr(hw, NPU_REG_IRQ_MASK, 0);
	npu_hw_reset(hw);
}

void npu_hw_mem_write(struct npu_hw *hw, u64 addr, const void *src, size_t len)
{
	memcpy_toio(hw->mem + addr, src, len);
}

void npu_hw_mem_read(struct npu_hw *hw, u64 addr, void *dst, size_t len)
{
	memcpy_fromio(dst, hw->mem + addr, len);
}

void npu_hw_mem_clear(struct npu_hw *hw, u64 addr, size_t len)
{
	memset_io(hw->mem + addr, 0, len);
}

void npu_hw_acl_enable(struct npu_hw *hw, bool on)
{
	writel(on ? 1 : 0, hw->mem + HDR(acl_enable));
}

void npu_hw_acl_ring(struct npu_hw *hw, u32 ring_index, u32 slot)
{
	writew(slot, hw->mem + NPU_VPLAT_RING_MAP_OFF +
	       (ring_index % NPU_VPLAT_RING_MAP_ENTRIES) * 2);
}

void npu_hw_acl_slot(struct npu_hw *hw, u32 slot, u32 seqno,
		     const u64 (*ranges)[2], u32 count)
{
	u32 base = NPU_VPLAT_ACL_OFF + slot * sizeof(struct npu_vplat_acl);
	u32 i;

	if (WARN_ON_ONCE(slot >= NPU_VPLAT_ACL_SLOTS ||
			 count > NPU_VPLAT_ACL_RANGES))
		return;
	for (i = 0; i < count; i++) {
		u32 r = base + offsetof(struct npu_vplat_acl, range) +
			i * sizeof(struct npu_vplat_range);

		writel(ranges[i][0], hw->mem + r);
		writel(ranges[i][1], hw->mem + r + 4);
	}
	writel(seqno, hw->mem + base + offsetof(struct npu_vplat_acl, seqno));
	writel(count, hw->mem + base + offsetof(struct npu_vplat_acl, count));
}

int npu_hw_inject(struct npu_hw *hw, enum npu_hw_inject what, u32 arg)
{
	static const u32 cmd[] = {
		[NPU_INJECT_HANG] = NPU_VPLAT_CMD_HANG,
		[NPU_INJECT_ERROR] = NPU_VPLAT_CMD_ERROR,
		[NPU_INJECT_DELAY] = NPU_VPLAT_CMD_DELAY,
		[NPU_INJECT_CLEAR_STATS] = NPU_VPLAT_CMD_CLEAR_STATS,
	};

	if (what >= ARRAY_SIZE(cmd))
		return -EINVAL;
	npu_hw_queue(hw, cmd[what], arg);
	return npu_hw_flush(hw);
}

int npu_hw_transport_stats(struct npu_hw *hw, struct npu_hw_transport_stats *st)
{
	int ret = npu_hw_flush(hw);

	if (ret)
		return ret;
	st->escapes = npu_mem_rd64(hw, HDR(escapes));
	st->accesses = npu_mem_rd64(hw, HDR(accesses));
	st->irqs = npu_mem_rd64(hw, HDR(irqs));
	st->doorbells = npu_mem_rd64(hw, HDR(doorbells));
	st->faults = npu_mem_rd64(hw, HDR(faults));
	st->sim_ns = npu_mem_rd64(hw, HDR(sim_ns));
	st->irq_ack_ns = npu_mem_rd64(hw, HDR(irq_ack_ns));
	st->irq_acks = npu_mem_rd64(hw, HDR(irq_acks));
	return 0;
}

static u32 npu_caps_rd(void *ctx, u32 off)
{
	return npu_hw_rd(ctx, off);
}

int npu_hw_probe(struct npu_hw *hw, struct pci_dev *pdev)
{
	struct device *dev = &pdev->dev;
	resource_size_t len;
	u32 off;
	int ret;

	hw->pdev = pdev;
	ret = drmm_mutex_init(&hw_to_npu_dev(hw)->drm, &hw->wr_lock);
	if (ret)
		return ret;

	if (!(pci_resource_flags(pdev, NPU_BAR_REGS) & IORESOURCE_MEM) ||
	    !(pci_resource_flags(pdev, NPU_BAR_MEM) & IORESOURCE_MEM))
		return -ENODEV;
	len = pci_resource_len(pdev, NPU_BAR_MEM);
	if (!is_power_of_2(len) || len < (1ull << NPU_MEM_LOG2_MIN) ||
	    len > (1ull << NPU_MEM_LOG2_MAX))
		return -ENODEV;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_regions(pdev, NPU_DRIVER_NAME);
	if (ret)
		return ret;
	hw->bar0 = devm_ioremap(dev, pci_resource_start(pdev, NPU_BAR_REGS),
				pci_resource_len(pdev, NPU_BAR_REGS));
	hw->mem_phys = pci_resource_start(pdev, NPU_BAR_MEM);
	hw->mem_size = len;
	hw->mem = devm_ioremap_wc(dev, hw->mem_phys, len);
	if (!hw->bar0 || !hw->mem)
		return -ENOMEM;

	/* Is this ivshmem function an NPU? Leave it alone otherwise. */
	if (npu_mem_rd32(hw, HDR(magic)) != NPU_VPLAT_MAGIC ||
	    npu_mem_rd32(hw, HDR(version)) != NPU_VPLAT_VERSION ||
	    npu_caps_decode(&hw->caps, npu_caps_rd, hw)) {
		dev_info(dev, "ivshmem device without an NPU signature, not claimed\n");
		return -ENODEV;
	}
	if ((1ull << hw->caps.mem_log2) != len ||
	    hw->caps.mem_reserved < NPU_MEM_RESERVED ||
	    hw->caps.desc_version != NPU_DESC_VERSION) {
		dev_err(dev, "inconsistent NPU (mem 2^%u vs BAR %pa, reserved %#x, desc v%u)\n",
			hw->caps.mem_log2, &len, hw->caps.mem_reserved,
			hw->caps.desc_version);
		return -ENODEV;
	}
	for (off = 0; off <= NPU_REG_CAP_MAX_DIM; off += 4)
		hw->cap_regs[off / 4] = npu_hw_rd(hw, off);
	/* Continue the queue where the previous driver instance left it. */
	hw->wq_tail = npu_mem_rd32(hw, HDR(wq_tail));
	return 0;
}

static irqreturn_t npu_hw_irq_hard(int irq, void *data)
{
	return IRQ_WAKE_THREAD;
}

int npu_hw_irq_init(struct npu_hw *hw, irq_handler_t thread_fn, void *data)
{
	int ret;

	/* MSI-X messages are memory writes by the function: bus mastering. */
	pci_set_master(hw->pdev);
	ret = pci_alloc_irq_vectors(hw->pdev, NPU_VPLAT_VECTORS,
				    NPU_VPLAT_VECTORS, PCI_IRQ_MSIX);
	if (ret < 0)
		return ret;
	hw->irq = pci_irq_vector(hw->pdev, NPU_VPLAT_IRQ_VECTOR);
	ret = request_threaded_irq(hw->irq, npu_hw_irq_hard, thread_fn, 0,
				   NPU_DRIVER_NAME, data);
	if (ret) {
		pci_free_irq_vectors(hw->pdev);
		hw->irq = 0;
	}
	return ret;
}

void npu_hw_irq_fini(struct npu_hw *hw, void *data)
{
	if (!hw->irq)
		return;
	free_irq(hw->irq, data);
	pci_free_irq_vectors(hw->pdev);
	hw->irq = 0;
}
