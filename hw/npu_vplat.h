/* SPDX-License-Identifier: MIT */
/*
 * npu_vplat.h - transport of the virtual platform.
 *
 * In the virtual platform the NPU is QEMU's ivshmem-doorbell PCI function
 * (1af4:1110) served by sim/vplat/npu-vplat, a host process that runs the
 * simulator (sim/npu_sim.h) with device memory = the ivshmem shared memory:
 *
 *   BAR2   device memory, shared with the server. Its bottom
 *          NPU_MEM_RESERVED bytes are never touched by the device; this
 *          file lays out what the transport keeps there.
 *   BAR0   ivshmem registers; writing (peer << 16 | vector) to
 *          NPU_VPLAT_BAR0_DOORBELL signals that peer's eventfd. The server is
 *          peer 0 and listens on vector 0.
 *   MSI-X  vector 0 is the device's interrupt line (the server signals the
 *          guest's vector-0 eventfd).
 *
 * Register reads: the server keeps a copy of the 4 KiB register window at
 * NPU_VPLAT_REGS_OFF (the "mirror"). It refreshes the mirror whenever the
 * device may have changed and always before it signals an interrupt, so an
 * interrupt handler reads a consistent picture. The ID and version
 * registers are in the mirror before QEMU starts: a driver claims an
 * ivshmem function only if the mirror carries NPU_ID_VALUE, the major
 * version and the header's NPU_VPLAT_MAGIC.
 *
 * Register writes: the driver appends (offset, value) entries to the write
 * queue (struct npu_vplat_wq_entry, NPU_VPLAT_WQ_ENTRIES of them) and
 * advances hdr.wq_tail, then rings the doorbell. The server applies the
 * entries strictly in order, refreshes the mirror and only then advances
 * hdr.wq_head. So "wq_head == the tail I wrote" means every earlier write
 * has taken effect and the mirror shows it (a flush, like a read-back of a
 * posted MMIO write on a real card). Indices are free running (mod 2^32).
 *
 * Interrupts: the device's line is level-triggered, MSI-X is not. The
 * server sends one MSI when the line rises, and another one after applying
 * an IRQ_ACK that leaves the line up (new events between the driver's read
 * of IRQ_STATUS and its ack). A driver acks the bits it read, flushes, and
 * only then reads FENCE_SEQNO, so no completion is lost.
 *
 * Entries with offset >= NPU_VPLAT_CMD_BASE are commands for the server
 * (fault injection for tests), ordered with the register writes. A hung
 * device consumes (and ignores) queued writes, so flushes still return.
 *
 * Escape counting (tests): when hdr.acl_enable is 1, the server checks every
 * device memory access the simulator reports (npu_sim_set_access_hook)
 * against the job that owns the descriptor: ring_map[ring index] names a
 * job slot, and the slot lists the byte ranges the job may touch (its BOs
 * and the driver's statistics slot for it). Descriptor fetches must lie in
 * the ring. Every other access counts in hdr.escapes.
 *
 * Everything is little-endian; all fields are naturally aligned. The
 * driver writes only wq entries, wq_tail, acl_enable, ring_map and acl
 * slots; the server writes everything else.
 */
#ifndef NPU_VPLAT_H
#define NPU_VPLAT_H

#include "npu_hw.h"

#define NPU_VPLAT_MAGIC		0x544c5056u	/* "VPLT" */
#define NPU_VPLAT_VERSION	1u

/* ivshmem BAR0 registers (QEMU hw/misc/ivshmem.c) */
#define NPU_VPLAT_BAR0_INTRMASK		0x00u
#define NPU_VPLAT_BAR0_INTRSTATUS	0x04u
#define NPU_VPLAT_BAR0_IVPOSITION	0x08u
#define NPU_VPLAT_BAR0_DOORBELL		0x0cu
#define NPU_VPLAT_SERVER_PEER		0u
#define NPU_VPLAT_DOORBELL_VECTOR	0u
#define NPU_VPLAT_IRQ_VECTOR		0u
#define NPU_VPLAT_VECTORS		1u	/* -device ivshmem-doorbell,vectors=1 */

/* Layout of the reserved bottom of BAR2 */
#define NPU_VPLAT_REGS_OFF	0x0000u		/* NPU_REG_WINDOW bytes */
#define NPU_VPLAT_HDR_OFF	0x1000u
#define NPU_VPLAT_WQ_OFF	0x2000u
#define NPU_VPLAT_WQ_ENTRIES	1024u		/* power of two */
#define NPU_VPLAT_RING_MAP_OFF	0x4000u
#define NPU_VPLAT_RING_MAP_ENTRIES 2048u	/* __u16 each: max ring size */
#define NPU_VPLAT_ACL_OFF	0x5000u
#define NPU_VPLAT_ACL_SLOTS	64u		/* max jobs in flight */
#define NPU_VPLAT_ACL_RANGES	72u		/* ranges per job */
#define NPU_VPLAT_NO_SLOT	0xffffu		/* ring_map value: no job */

/* Commands in the write queue */
#define NPU_VPLAT_CMD_BASE	0x10000u
/* The device ignores everything from the next RING_TAIL write on, until a
 * CTRL.SOFT_RESET write: it hangs. */
#define NPU_VPLAT_CMD_HANG	0x10000u
/* npu_sim_inject_error(): the next descriptor raises NPU_ERR_INTERNAL. */
#define NPU_VPLAT_CMD_ERROR	0x10001u
/* After the next RING_TAIL write the device stalls for `value` ms. */
#define NPU_VPLAT_CMD_DELAY	0x10002u
/* Zero hdr.escapes, hdr.accesses and the timing statistics. */
#define NPU_VPLAT_CMD_CLEAR_STATS 0x10003u

struct npu_vplat_hdr {
	__u32 magic;		/* server: NPU_VPLAT_MAGIC */
	__u32 version;		/* server: NPU_VPLAT_VERSION */
	__u32 wq_entries;	/* server: NPU_VPLAT_WQ_ENTRIES */
	__u32 server_peer;	/* server: the peer id to ring */
	__u32 wq_tail;		/* driver: entries queued (free running) */
	__u32 wq_head;		/* server: entries applied (free running) */
	__u32 publish_seq;	/* server: bumped on every mirror refresh */
	__u32 acl_enable;	/* driver: 1 = count escapes against the ACL */
	__u64 escapes;		/* server: accesses outside the owning job's ranges */
	__u64 accesses;		/* server: accesses checked */
	__u64 irqs;		/* server: interrupts signalled */
	__u64 doorbells;	/* server: doorbell wake-ups */
	__u64 faults;		/* server: npu_sim_faults() */
	__u64 sim_ns;		/* server: wall time spent simulating */
	__u64 irq_ack_ns;	/* server: sum of interrupt signalled -> IRQ_ACK applied */
	__u64 irq_acks;		/* server: how many such intervals */
	__u32 reserved[40];
};

struct npu_vplat_wq_entry {
	__u32 off;		/* register offset, or NPU_VPLAT_CMD_* */
	__u32 val;
};

struct npu_vplat_range {
	__u32 start;		/* [start, end) */
	__u32 end;
};

struct npu_vplat_acl {
	__u32 count;		/* valid entries of range[] */
	__u32 seqno;		/* the job's seqno (for messages) */
	struct npu_vplat_range range[NPU_VPLAT_ACL_RANGES];
};

NPU_STATIC_ASSERT(sizeof(struct npu_vplat_hdr) == 256, "vplat header size");
NPU_STATIC_ASSERT(NPU_VPLAT_WQ_OFF + NPU_VPLAT_WQ_ENTRIES * 8u <= NPU_VPLAT_RING_MAP_OFF,
		  "write queue fits");
NPU_STATIC_ASSERT(NPU_VPLAT_RING_MAP_OFF + NPU_VPLAT_RING_MAP_ENTRIES * 2u <= NPU_VPLAT_ACL_OFF,
		  "ring map fits");
NPU_STATIC_ASSERT(NPU_VPLAT_ACL_OFF + NPU_VPLAT_ACL_SLOTS * sizeof(struct npu_vplat_acl) <=
		  NPU_MEM_RESERVED, "ACL fits in the reserved area");

#endif /* NPU_VPLAT_H */
