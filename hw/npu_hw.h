/* SPDX-License-Identifier: MIT */
/*
 * npu_hw.h - the programming model of the NPU accelerator.
 *
 * This header is the single source of truth for the register map, the
 * descriptor layout, the error codes and the capability encoding. The RTL
 * (through a SystemVerilog package generated from this file by
 * tools/gen_hw_pkg.c), the simulator, the kernel driver and the library all
 * use it; tests/sim/test_hw_consistency.c checks that the RTL agrees.
 *
 * Everything is little-endian. All addresses are device-memory byte
 * addresses (the device sees one flat memory of 2^CAP_MEM_LOG2 bytes).
 * hw/README.md describes the behaviour behind each field.
 *
 * The header is usable from the kernel and from userspace.
 */
#ifndef NPU_HW_H
#define NPU_HW_H

#include <linux/types.h>

/* ------------------------------------------------------------------ */
/* Identification                                                      */
/* ------------------------------------------------------------------ */
#define NPU_ID_VALUE		0x4e505531u	/* "NPU1" */
#define NPU_VERSION_MAJOR	1u
#define NPU_VERSION_MINOR	3u	/* 1: NPU_CONV_DEPTHWISE, 2: accumulator chains, 3: row chunks */
#define NPU_VERSION_VALUE	((NPU_VERSION_MAJOR << 16) | NPU_VERSION_MINOR)

/* ------------------------------------------------------------------ */
/* Device memory                                                       */
/* ------------------------------------------------------------------ */
/*
 * The bottom NPU_MEM_RESERVED bytes of device memory are never accessed by
 * the device: a descriptor, ring or fence address that touches them is an
 * NPU_ERR_ADDRESS. The virtual platform mirrors the register file there.
 */
#define NPU_MEM_RESERVED	0x10000u
#define NPU_MEM_LOG2_MIN	20u	/* 1 MiB */
#define NPU_MEM_LOG2_MAX	31u	/* 2 GiB: addresses are 32-bit */
#define NPU_MEM_LOG2_DEFAULT	28u	/* 256 MiB */

/* ------------------------------------------------------------------ */
/* Register map (32-bit registers, byte offsets in a 4 KiB window)      */
/* Reads have no side effects. RO = read only, RW = read/write,        */
/* WO = write only (reads return 0), W1C = write one to clear.         */
/* ------------------------------------------------------------------ */
#define NPU_REG_WINDOW		0x1000u

#define NPU_REG_ID		0x000u	/* RO NPU_ID_VALUE */
#define NPU_REG_VERSION		0x004u	/* RO major << 16 | minor */
#define NPU_REG_CAP_ARRAY	0x008u	/* RO rows [7:0], cols [15:8] */
#define NPU_REG_CAP_IBUF	0x00cu	/* RO input buffer bytes per set */
#define NPU_REG_CAP_WBUF	0x010u	/* RO weight buffer bytes per set */
#define NPU_REG_CAP_ACC		0x014u	/* RO accumulator depth (pixels) */
#define NPU_REG_CAP_PBUF	0x018u	/* RO channel-parameter entries */
#define NPU_REG_CAP_FEATURES	0x01cu	/* RO NPU_FEAT_* */
#define NPU_REG_CAP_KERNEL	0x020u	/* RO max k [7:0], stride [15:8], dil [23:16] */
#define NPU_REG_CAP_MEM		0x024u	/* RO log2(mem bytes) [7:0] */
#define NPU_REG_CAP_MEM_RSVD	0x028u	/* RO NPU_MEM_RESERVED */
#define NPU_REG_CAP_DMA		0x02cu	/* RO beat bytes [7:0], log2 max burst [15:8], outstanding [23:16] */
#define NPU_REG_CAP_DESC	0x030u	/* RO desc bytes [7:0], desc version [15:8], log2 max ring [23:16] */
#define NPU_REG_CAP_MAX_DIM	0x034u	/* RO max value of in_h/in_w/out_h/out_w */

#define NPU_REG_CTRL		0x040u	/* RW NPU_CTRL_* */
#define NPU_REG_STATUS		0x044u	/* RO NPU_STATUS_* */
#define NPU_REG_RING_BASE	0x048u	/* RW ring address, NPU_DESC_BYTES aligned */
#define NPU_REG_RING_SIZE	0x04cu	/* RW entries, power of two */
#define NPU_REG_RING_TAIL	0x050u	/* RW producer index (the doorbell) */
#define NPU_REG_RING_HEAD	0x054u	/* RO consumer index */
#define NPU_REG_FENCE_SEQNO	0x058u	/* RO seqno of the last completed fence */
#define NPU_REG_IRQ_STATUS	0x060u	/* RO raw NPU_IRQ_* bits */
#define NPU_REG_IRQ_MASK	0x064u	/* RW 1 = bit drives the interrupt line */
#define NPU_REG_IRQ_ACK		0x068u	/* WO W1C on IRQ_STATUS */
#define NPU_REG_ERR_CODE	0x070u	/* RO NPU_ERR_* of the first error */
#define NPU_REG_ERR_INDEX	0x074u	/* RO ring index of the faulting descriptor */
#define NPU_REG_ERR_INFO	0x078u	/* RO field byte offset, see NPU_ERR_* */
#define NPU_REG_ERR_TAG		0x07cu	/* RO tag of the faulting descriptor */
#define NPU_REG_SCRATCH		0x080u	/* RW no effect */

/* Free-running 64-bit counters: low word at +0, high word at +4. */
#define NPU_REG_COUNTERS	0x100u
#define NPU_REG_COUNTER_LO(i)	(NPU_REG_COUNTERS + 8u * (i))
#define NPU_REG_COUNTER_HI(i)	(NPU_REG_COUNTERS + 8u * (i) + 4u)

enum npu_counter {
	NPU_CNT_CYCLES = 0,	/* clock cycles since reset */
	NPU_CNT_BUSY,		/* cycles with work queued or in flight */
	NPU_CNT_MAC_ACTIVE,	/* cycles the MAC array computed */
	NPU_CNT_MACS,		/* useful MACs (valid rows x valid columns) */
	NPU_CNT_RD_BYTES,	/* bytes read from device memory */
	NPU_CNT_WR_BYTES,	/* bytes written to device memory */
	NPU_CNT_DESCS,		/* descriptors retired (incl. skipped) */
	NPU_CNT_CONVS,		/* conv descriptors completed */
	NPU_CNT_STALL_FETCH,	/* array idle: no decoded descriptor */
	NPU_CNT_STALL_INPUT,	/* array idle: input tile still loading */
	NPU_CNT_STALL_WEIGHT,	/* array idle: weights/params still loading */
	NPU_CNT_STALL_ACC,	/* array idle: accumulator bank not drained */
	NPU_CNT_STALL_WRITE,	/* writeback held by memory backpressure */
	NPU_CNT_STALL_BARRIER,	/* loads held by a barrier/fence */
	NPU_CNT_RD_REQS,	/* read requests issued */
	NPU_CNT_WR_REQS,	/* write requests issued */
	NPU_NUM_COUNTERS
};

/* CTRL */
#define NPU_CTRL_ENABLE		(1u << 0)	/* process the ring */
#define NPU_CTRL_SOFT_RESET	(1u << 1)	/* write 1: reset, self-clearing */

/* STATUS */
#define NPU_STATUS_ENABLED	(1u << 0)
#define NPU_STATUS_BUSY		(1u << 1)	/* descriptors pending or in flight */
#define NPU_STATUS_HALTED	(1u << 2)	/* stopped on an error until acked */
#define NPU_STATUS_RESETTING	(1u << 3)
#define NPU_STATUS_IDLE		(1u << 4)	/* nothing pending, no memory traffic */

/* IRQ_STATUS / IRQ_MASK / IRQ_ACK */
#define NPU_IRQ_FENCE		(1u << 0)	/* a fence with NPU_FENCE_IRQ completed */
#define NPU_IRQ_ERROR		(1u << 1)	/* ERR_* registers hold an error */
#define NPU_IRQ_ALL		(NPU_IRQ_FENCE | NPU_IRQ_ERROR)

/* CAP_FEATURES */
#define NPU_FEAT_RQ_FIXED	(1u << 0)	/* TFLite fixed-point requantization */
#define NPU_FEAT_RQ_FP32	(1u << 1)	/* ONNX fp32 requantization */
#define NPU_FEAT_OUT_INT32	(1u << 2)	/* raw int32 output */
#define NPU_FEAT_UINT8		(1u << 3)	/* uint8 activations and weights */
#define NPU_FEAT_GROUPS		(1u << 4)	/* grouped / depthwise convolution */
#define NPU_FEAT_DILATION	(1u << 5)
#define NPU_FEAT_FENCE_STATS	(1u << 6)	/* fences can write counter snapshots */
#define NPU_FEAT_DEPTHWISE	(1u << 7)	/* NPU_CONV_DEPTHWISE descriptors */
#define NPU_FEAT_ACC_CHAIN	(1u << 8)	/* NPU_CONV_ACC_HOLD / NPU_CONV_ACC_CONT */

/* ------------------------------------------------------------------ */
/* Descriptors: NPU_DESC_BYTES each, in the ring                        */
/* ------------------------------------------------------------------ */
#define NPU_DESC_BYTES		128u
#define NPU_DESC_VERSION	1u
#define NPU_RING_LOG2_MAX	16u	/* at most 65536 entries */

enum npu_opcode {
	NPU_OP_NOP = 0,
	NPU_OP_CONV = 1,
	NPU_OP_FENCE = 2,
};

enum npu_dtype {
	NPU_TYPE_INT8 = 0,
	NPU_TYPE_UINT8 = 1,
	NPU_TYPE_INT32 = 2,	/* outputs only */
};

enum npu_rq_mode {
	NPU_RQ_NONE = 0,	/* int32 output: acc + bias, no requantization */
	NPU_RQ_FIXED = 1,	/* TFLite MultiplyByQuantizedMultiplier */
	NPU_RQ_FP32 = 2,	/* ONNX Runtime fp32 scale, round half to even */
};

/* Conv flags */
#define NPU_CONV_BARRIER	(1u << 0)	/* wait for all earlier writes, drop buffer reuse */
#define NPU_CONV_DEPTHWISE	(1u << 1)	/* depthwise mode (see struct npu_desc_conv) */
#define NPU_CONV_ACC_HOLD	(1u << 2)	/* keep the sums; write nothing (chains, below) */
#define NPU_CONV_ACC_CONT	(1u << 3)	/* start from the held sums, not from zero */
#define NPU_CONV_FLAGS_ALL	(NPU_CONV_BARRIER | NPU_CONV_DEPTHWISE | \
				 NPU_CONV_ACC_HOLD | NPU_CONV_ACC_CONT)

/* Fence flags */
#define NPU_FENCE_IRQ		(1u << 0)	/* raise NPU_IRQ_FENCE when done */
#define NPU_FENCE_STATS		(1u << 1)	/* write struct npu_fence_stats to stats_addr */
#define NPU_FENCE_FLAGS_ALL	(NPU_FENCE_IRQ | NPU_FENCE_STATS)

/* Fields shared by every descriptor. */
struct npu_desc_hdr {
	__u8 opcode;		/* enum npu_opcode */
	__u8 version;		/* NPU_DESC_VERSION */
	__u16 flags;
	__u32 tag;		/* free for software; reported in ERR_TAG */
};

/*
 * One convolution tile. FC layers are 1x1 convolutions over a 1x1 image.
 *
 * Output pixel (oy, ox), group g, output channel k of the group reads input
 * pixel (oy*stride_h + r*dil_h - pad_top, ox*stride_w + s*dil_w - pad_left)
 * of the tile for each tap (r, s); taps outside [0,in_h) x [0,in_w) are
 * padding and contribute zero. Input channel c of group g is byte
 * g*cin_pg + c of an input pixel; output channel k of group g is element
 * g*cout_pg + k of an output pixel.
 *
 * Weights are packed in COLS x ROWS blocks (CAP_ARRAY; npu_weight_bytes()):
 * for each group, each COLS-channel slice kc of cout_pg, each tap (r-major),
 * each ROWS-channel slice cc of cin_pg: ROWS*COLS bytes, byte [j*ROWS + i]
 * is the weight of output channel kc*COLS + j for input channel
 * cc*ROWS + i. Entries beyond cin_pg / cout_pg are ignored.
 *
 * Channel parameters: groups*cout_pg records of struct npu_chan_param.
 *
 * NPU_CONV_DEPTHWISE computes the same convolution for cin_pg = cout_pg = 1
 * (every group one channel: a depthwise convolution with multiplier 1;
 * other values are NPU_ERR_DIM) in a mode made for it: DWC = min(ROWS,
 * COLS) channels at a time, each against its own input channel, with the
 * kernel taps on the array's rows (npu_dw_geom()). The taps are cut into
 * tap slices of at most TH x TW taps, TW = min(kw, ROWS) and TH =
 * min(kh, ROWS / TW); slice (sy, sx) holds kernel rows [sy*TH, ...) and
 * columns [sx*TW, ...), th x tw taps (fewer at the kernel's edge). Weights:
 * for each channel slice cs (DWC channels), each tap slice (sy-major): one
 * ROWS x COLS block whose byte [j*ROWS + t] is the weight of channel
 * cs*DWC + j at tap (sy*TH + t % th, sx*TW + t / th) for t < th*tw (the
 * slice's taps column by column); other bytes are ignored. The device
 * keeps each input row on an odd number of buffer words (npu_ibuf_bytes()).
 *
 * In every mode the device works through a tile's output rows in chunks
 * that fit an accumulator bank (floor(CAP_ACC / out_w) rows), so only
 * out_w is limited by CAP_ACC; an accumulator chain's link must fit one
 * bank whole (out_h * out_w).
 *
 * Accumulator chains split a reduction too long for one descriptor (a
 * weight slice that does not fit the weight buffer) over several: each
 * link computes the same output pixels and channels over its own input
 * channels. NPU_CONV_ACC_HOLD keeps the link's sums in the accumulators
 * and writes nothing (bias and requantization are not applied);
 * NPU_CONV_ACC_CONT adds the link's products to the held sums instead of
 * starting from zero. A chain is HOLD, HOLD|CONT..., CONT; only its last
 * link's channel records (bias, scale), output fields and clamp count. A
 * link must be one pass of the array: groups = 1 and cout_pg <= COLS
 * (else NPU_ERR_DIM), not DEPTHWISE (NPU_ERR_RESERVED on flags). In ring
 * order, checked when fetched: a CONT must directly follow a HOLD with the
 * same out_h, out_w and cout_pg, and a HOLD must be followed by a CONT;
 * anything else is NPU_ERR_SEQUENCE (INFO = 0x02, the flags).
 */
struct npu_desc_conv {
	__u8 opcode;		/* 0x00 NPU_OP_CONV */
	__u8 version;		/* 0x01 */
	__u16 flags;		/* 0x02 NPU_CONV_* */
	__u32 tag;		/* 0x04 */
	__u32 in_addr;		/* 0x08 first byte of the tile's pixel (0,0) */
	__u32 in_row_stride;	/* 0x0c bytes between input rows */
	__u32 in_pix_stride;	/* 0x10 bytes between input pixels */
	__u16 in_h;		/* 0x14 input tile rows present in memory */
	__u16 in_w;		/* 0x16 */
	__u16 groups;		/* 0x18 */
	__u16 cin_pg;		/* 0x1a input channels per group */
	__u16 cout_pg;		/* 0x1c output channels per group */
	__u16 out_h;		/* 0x1e */
	__u16 out_w;		/* 0x20 */
	__u8 kh;		/* 0x22 */
	__u8 kw;		/* 0x23 */
	__u8 stride_h;		/* 0x24 */
	__u8 stride_w;		/* 0x25 */
	__u8 dil_h;		/* 0x26 */
	__u8 dil_w;		/* 0x27 */
	__u8 pad_top;		/* 0x28 virtual zero rows before the tile */
	__u8 pad_left;		/* 0x29 */
	__u8 pad_bottom;	/* 0x2a virtual zero rows after the tile */
	__u8 pad_right;		/* 0x2b */
	__u32 w_addr;		/* 0x2c packed weights */
	__u32 cp_addr;		/* 0x30 channel parameters */
	__u32 out_addr;		/* 0x34 first byte of output pixel (0,0) */
	__u32 out_row_stride;	/* 0x38 */
	__u32 out_pix_stride;	/* 0x3c */
	__u8 in_type;		/* 0x40 NPU_TYPE_INT8 / UINT8 */
	__u8 w_type;		/* 0x41 NPU_TYPE_INT8 / UINT8 */
	__u8 out_type;		/* 0x42 NPU_TYPE_* */
	__u8 rq_mode;		/* 0x43 enum npu_rq_mode */
	__s16 in_zp;		/* 0x44 */
	__s16 out_zp;		/* 0x46 */
	__s16 act_min;		/* 0x48 */
	__s16 act_max;		/* 0x4a */
	__u32 reserved[13];	/* 0x4c must be zero */
};

/* Completion marker: waits for all earlier descriptors to finish writing. */
struct npu_desc_fence {
	__u8 opcode;		/* 0x00 NPU_OP_FENCE */
	__u8 version;		/* 0x01 */
	__u16 flags;		/* 0x02 NPU_FENCE_* */
	__u32 tag;		/* 0x04 */
	__u32 seqno;		/* 0x08 written to FENCE_SEQNO */
	__u32 stats_addr;	/* 0x0c with NPU_FENCE_STATS; else must be 0 */
	__u32 reserved[28];	/* 0x10 must be zero */
};

struct npu_desc_nop {
	__u8 opcode;		/* 0x00 NPU_OP_NOP */
	__u8 version;		/* 0x01 */
	__u16 flags;		/* 0x02 must be zero */
	__u32 tag;		/* 0x04 */
	__u32 reserved[30];	/* 0x08 must be zero */
};

union npu_desc {
	struct npu_desc_hdr hdr;
	struct npu_desc_conv conv;
	struct npu_desc_fence fence;
	struct npu_desc_nop nop;
	__u8 bytes[NPU_DESC_BYTES];
};

/*
 * Per output channel parameters (16 bytes). NPU_RQ_FIXED: scale is the
 * int32 multiplier q, shift in [-31, 30] (positive = left).
 * NPU_RQ_FP32: scale holds the IEEE-754 binary32 bits of M (finite), shift
 * must be 0. NPU_RQ_NONE: scale and shift must be 0.
 */
struct npu_chan_param {
	__s32 bias;		/* 0x0 added to the accumulator */
	__u32 scale;		/* 0x4 */
	__s8 shift;		/* 0x8 */
	__u8 reserved0;		/* 0x9 must be zero */
	__s16 w_zp;		/* 0xa weight zero point for this channel */
	__u32 reserved1;	/* 0xc must be zero */
};
#define NPU_CHAN_PARAM_BYTES	16u
#define NPU_SHIFT_MIN		(-31)
#define NPU_SHIFT_MAX		30

/* Written by a fence with NPU_FENCE_STATS: a snapshot of the counters. */
struct npu_fence_stats {
	__u32 seqno;
	__u32 reserved;
	__u64 counter[NPU_NUM_COUNTERS];
};
#define NPU_FENCE_STATS_BYTES	(8u + 8u * NPU_NUM_COUNTERS)

/* ------------------------------------------------------------------ */
/* Errors: ERR_CODE values. ERR_INFO is the byte offset of the          */
/* offending descriptor field unless stated otherwise.                  */
/* ------------------------------------------------------------------ */
enum npu_err {
	NPU_ERR_NONE = 0,
	NPU_ERR_OPCODE = 1,	/* unknown opcode */
	NPU_ERR_VERSION = 2,	/* version != NPU_DESC_VERSION */
	NPU_ERR_RESERVED = 3,	/* reserved field or flag bit set */
	NPU_ERR_TYPE = 4,	/* bad in/w/out type or rq_mode, or bad combination */
	NPU_ERR_DIM = 5,	/* a dimension is zero or above its limit */
	NPU_ERR_GEOMETRY = 6,	/* output window exceeds the padded input */
	NPU_ERR_CAPACITY = 7,	/* tile does not fit a buffer; INFO = NPU_CAP_* */
	NPU_ERR_ADDRESS = 8,	/* range outside device memory or reserved area */
	NPU_ERR_ZERO_POINT = 9,	/* zero point outside its type's range */
	NPU_ERR_CLAMP = 10,	/* act_min/act_max outside type range or min > max */
	NPU_ERR_CHAN_PARAM = 11, /* INFO = channel << 8 | field offset in record */
	NPU_ERR_RING = 12,	/* bad RING_BASE/RING_SIZE on enable, or TAIL >= size */
	NPU_ERR_DMA = 13,	/* internal: a DMA request outside memory (never expected) */
	NPU_ERR_INTERNAL = 14,	/* internal fault (injected by the simulator's test hook) */
	NPU_ERR_SEQUENCE = 15,	/* an accumulator chain broken (NPU_CONV_ACC_*); INFO = 0x02 */
	NPU_ERR_COUNT
};

/* ERR_INFO for NPU_ERR_CAPACITY */
enum npu_capacity {
	NPU_CAP_IBUF = 1,
	NPU_CAP_WBUF = 2,
	NPU_CAP_ACC = 3,
	NPU_CAP_PBUF = 4,
};

/* Default configuration of hw/rtl (what CAP_* report for it). */
#define NPU_DEF_ROWS		16u
#define NPU_DEF_COLS		16u
#define NPU_DEF_IBUF_BYTES	(128u * 1024u)
#define NPU_DEF_WBUF_BYTES	(128u * 1024u)
#define NPU_DEF_ACC_DEPTH	512u
#define NPU_DEF_PBUF_DEPTH	1024u
#define NPU_DEF_MAX_K		16u
#define NPU_DEF_MAX_STRIDE	16u
#define NPU_DEF_MAX_DIL		16u
#define NPU_DEF_MAX_DIM		4096u
#define NPU_DEF_DMA_BEAT	64u
#define NPU_DEF_DMA_BURST_LOG2	12u	/* 4 KiB */
#define NPU_DEF_DMA_OUTSTANDING	32u
#define NPU_DEF_FEATURES	(NPU_FEAT_RQ_FIXED | NPU_FEAT_RQ_FP32 | \
				 NPU_FEAT_OUT_INT32 | NPU_FEAT_UINT8 | \
				 NPU_FEAT_GROUPS | NPU_FEAT_DILATION | \
				 NPU_FEAT_FENCE_STATS | NPU_FEAT_DEPTHWISE | \
				 NPU_FEAT_ACC_CHAIN)

/* The layout is part of the ABI: check it wherever the header is used. */
#ifdef __cplusplus
#define NPU_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define NPU_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif
NPU_STATIC_ASSERT(sizeof(struct npu_desc_conv) == NPU_DESC_BYTES, "conv descriptor size");
NPU_STATIC_ASSERT(sizeof(struct npu_desc_fence) == NPU_DESC_BYTES, "fence descriptor size");
NPU_STATIC_ASSERT(sizeof(struct npu_desc_nop) == NPU_DESC_BYTES, "nop descriptor size");
NPU_STATIC_ASSERT(sizeof(union npu_desc) == NPU_DESC_BYTES, "descriptor size");
NPU_STATIC_ASSERT(sizeof(struct npu_chan_param) == NPU_CHAN_PARAM_BYTES, "channel param size");
NPU_STATIC_ASSERT(sizeof(struct npu_fence_stats) == NPU_FENCE_STATS_BYTES, "fence stats size");

#endif /* NPU_HW_H */
