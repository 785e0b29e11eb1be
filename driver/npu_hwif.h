/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * npu_hwif.h - the hardware layer (npu_hw.c): register access, device
 * memory, reset, interrupts, and the test hooks of the virtual platform.
 *
 * Everything above this layer sees registers (hw/npu_hw.h) and device
 * memory only. Here the registers travel over the virtual platform's
 * transport (hw/npu_vplat.h); a PCIe card with MMIO registers would change
 * npu_hw.c only: npu_hw_rd/npu_hw_wr become readl/writel on its register
 * BAR, npu_hw_flush a read-back, and the ACL/inject hooks no-ops.
 */
#ifndef NPU_HWIF_H
#define NPU_HWIF_H

#include <linux/pci.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "npu_hw_check.h"

struct npu_hw {
	struct pci_dev *pdev;
	void __iomem *bar0;		/* transport registers (ivshmem) */
	void __iomem *mem;		/* device memory (BAR2), write-combined */
	resource_size_t mem_phys;
	u64 mem_size;
	int irq;

	struct mutex wr_lock;		/* the write queue (process context only) */
	u32 wq_tail;
	bool broken;			/* the transport stopped answering */

	struct npu_caps caps;
	u32 cap_regs[NPU_REG_CAP_MAX_DIM / 4 + 1];	/* raw ID..CAP_MAX_DIM */
};

/* Maps the device and checks its signature; -ENODEV if it is not an NPU. */
int npu_hw_probe(struct npu_hw *hw, struct pci_dev *pdev);
/* Interrupts: handler runs in a thread (it may sleep). */
int npu_hw_irq_init(struct npu_hw *hw, irq_handler_t thread_fn, void *data);
void npu_hw_irq_fini(struct npu_hw *hw, void *data);

/* Register access; npu_hw_wr() may sleep (process context). */
u32 npu_hw_rd(struct npu_hw *hw, u32 off);
void npu_hw_wr(struct npu_hw *hw, u32 off, u32 val);
/* Waits until every earlier npu_hw_wr() took effect; 0 or -ETIMEDOUT. */
int npu_hw_flush(struct npu_hw *hw);

/* Soft reset; 0 or -ETIMEDOUT/-EIO. */
int npu_hw_reset(struct npu_hw *hw);
/* Programs the ring and enables the device with interrupts unmasked. */
int npu_hw_start(struct npu_hw *hw, u32 ring_base, u32 ring_entries);
/* Masks interrupts and resets: the device stops touching memory. */
void npu_hw_stop(struct npu_hw *hw);

/* Device memory. */
void npu_hw_mem_write(struct npu_hw *hw, u64 addr, const void *src, size_t len);
void npu_hw_mem_read(struct npu_hw *hw, u64 addr, void *dst, size_t len);
void npu_hw_mem_clear(struct npu_hw *hw, u64 addr, size_t len);

/*
 * Escape accounting of the virtual platform (no-ops elsewhere): which job
 * slot owns a ring entry, and which ranges a job slot may touch.
 */
void npu_hw_acl_enable(struct npu_hw *hw, bool on);
void npu_hw_acl_ring(struct npu_hw *hw, u32 ring_index, u32 slot);
void npu_hw_acl_slot(struct npu_hw *hw, u32 slot, u32 seqno,
		     const u64 (*ranges)[2], u32 count);

/* Fault injection and transport statistics (virtual platform only). */
enum npu_hw_inject {
	NPU_INJECT_HANG,
	NPU_INJECT_ERROR,
	NPU_INJECT_DELAY,		/* arg = milliseconds */
	NPU_INJECT_CLEAR_STATS,
};
int npu_hw_inject(struct npu_hw *hw, enum npu_hw_inject what, u32 arg);
struct npu_hw_transport_stats {
	u64 escapes, accesses, irqs, doorbells, faults, sim_ns;
	u64 irq_ack_ns, irq_acks;
};
int npu_hw_transport_stats(struct npu_hw *hw, struct npu_hw_transport_stats *st);

#endif /* NPU_HWIF_H */
