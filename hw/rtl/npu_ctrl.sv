// Control: the register file, the interrupt logic, the dispatcher that
// hands queued descriptors to the loader or executes NOPs and FENCEs, and
// the error / flush / soft-reset sequencing.
//
// Errors are raised in descriptor order: a descriptor that failed
// validation waits until everything before it completed. The device then
// halts (STATUS.HALTED, npu_regs_pkg::IRQ_ERROR_W). When the host acknowledges npu_regs_pkg::IRQ_ERROR_W
// the datapath is flushed and the fetcher restarts after the faulting
// descriptor in skip mode (unless the faulting descriptor was itself the
// job's FENCE), so the rest of that job is retired unexecuted and its FENCE
// completes normally.
module npu_ctrl #(
  parameter int unsigned ROWS        = 16,
  parameter int unsigned COLS        = 16,
  parameter int unsigned IBUF_BYTES  = 131072,
  parameter int unsigned WBUF_BYTES  = 131072,
  parameter int unsigned ACC_DEPTH   = 512,
  parameter int unsigned PBUF_DEPTH  = 1024,
  parameter int unsigned MAX_K       = 16,
  parameter int unsigned MAX_STRIDE  = 16,
  parameter int unsigned MAX_DIL     = 16,
  parameter int unsigned MAX_DIM     = 4096,
  parameter int unsigned BEAT        = 64,
  parameter int unsigned BURST_LOG2  = 12,
  parameter int unsigned OUTSTANDING = 32,
  localparam int unsigned NC = npu_regs_pkg::NUM_COUNTERS
) (
  input  logic              clk,
  input  logic              rst_n,
  input  logic [4:0]        mem_log2,
  // register bus
  input  logic              reg_wr,
  input  logic [11:0]       reg_addr,
  input  logic [31:0]       reg_wdata,
  output logic [31:0]       reg_rdata,
  output logic              irq,
  // fetcher
  output logic              fetch_run,
  output logic [31:0]       ring_base,
  output logic [15:0]       ring_mask,
  output logic [15:0]       tail,
  output logic [15:0]       restart_ptr,
  output logic              restart_skip,
  input  logic              fetch_idle,
  input  logic              q_valid,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [1023:0]     q_desc,        // only the header and fence fields matter here
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [15:0]       q_idx,
  input  logic [3:0]        q_err,
  input  logic [31:0]       q_info,
  output logic              q_pop,
  input  logic              skip_retire,
  // datapath
  input  logic              loader_can_accept,
  output logic              loader_start,
  output logic              loader_invalidate,
  input  logic              pipeline_empty,
  input  logic              wb_retire,
  input  logic              wb_err_valid,
  input  logic [31:0]       wb_err_info,
  input  logic [15:0]       wb_err_idx,
  input  logic [31:0]       wb_err_tag,
  input  logic              dma_fault,
  input  logic [15:0]       dma_fault_idx,
  input  logic              dma_empty,
  output logic              flush,
  output logic              sreset,
  // fence counter snapshots
  input  logic [NC*64-1:0]  counters,
  output logic              st_wr_valid,
  input  logic              st_wr_ready,
  output logic [31:0]       st_wr_addr,
  output logic [6:0]        st_wr_len,
  output logic [BEAT*8-1:0] st_wr_data,
  output logic [15:0]       st_wr_idx,
  // status for the counters
  output logic              busy,
  output logic              idle,
  output logic [1:0]        retired
);
  localparam int unsigned B_OPCODE = npu_regs_pkg::HDR_opcode;
  localparam int unsigned B_FLAGS  = npu_regs_pkg::HDR_flags;
  localparam int unsigned B_TAG    = npu_regs_pkg::HDR_tag;
  localparam int unsigned B_SEQNO  = npu_regs_pkg::FENCE_seqno;
  localparam int unsigned B_STATS  = npu_regs_pkg::FENCE_stats_addr;
  localparam logic [31:0] RSVD      = npu_regs_pkg::MEM_RESERVED;
  localparam logic [31:0] C_ENABLE = npu_regs_pkg::CTRL_ENABLE;
  localparam logic [31:0] C_RESET  = npu_regs_pkg::CTRL_SOFT_RESET;
  localparam logic [16:0] RING_MAX = 17'd1 << npu_regs_pkg::RING_LOG2_MAX;
  localparam logic [31:0] LAST32   = npu_regs_pkg::FENCE_STATS_BYTES - 2 * BEAT;
  localparam logic [6:0]  LAST_LEN = LAST32[6:0];
  localparam logic [31:0] CNT_LO32 = npu_regs_pkg::REG_COUNTERS;
  localparam logic [31:0] CNT_HI32 = npu_regs_pkg::REG_COUNTERS + NC * 8;
  localparam logic [11:0] CNT_LO   = CNT_LO32[11:0];
  localparam logic [11:0] CNT_HI   = CNT_HI32[11:0];

  typedef enum logic [2:0] {K_RUN, K_HALT, K_FLUSH, K_RESET, K_FENCE_WR} kstate_e;
  kstate_e st;

  logic        enable;
  logic [16:0] ring_size;
  logic [15:0] head;
  logic [31:0] seqno;
  logic [1:0]  irq_status, irq_mask;
  logic [3:0]  err_code;
  logic [15:0] err_index;
  logic [31:0] err_info, err_tag;
  logic        err_was_fence;
  logic [31:0] scratch;
  logic        ring_reset;          // one-cycle flush after a ring reprogram
  logic [1:0]  fw_beat;
  logic [31:0] fw_addr;
  logic [15:0] fw_flags;
  logic [31:0] fw_seqno;
  logic [15:0] fw_idx;
  logic [3*BEAT*8-1:0] snap;        // {pad, counters, reserved, seqno}
  logic        flush_seen_empty;

  assign ring_mask = ring_size[15:0] - 16'd1;
  assign fetch_run = enable && (st == K_RUN);
  assign restart_ptr = head;

  // ---- descriptor at the head of the queue ----
  logic [7:0]  q_op;
  logic [15:0] q_flags;
  logic [31:0] q_tag;
  always_comb begin
    q_op    = q_desc[8*B_OPCODE +: 8];
    q_flags = q_desc[8*B_FLAGS +: 16];
    q_tag   = q_desc[8*B_TAG +: 32];
  end

  // ---- ring configuration check (when ENABLE is set) ----
  logic [3:0]  ring_bad;          // 0 ok, else: register offset / 4 of the culprit
  logic [32:0] ring_end;
  always_comb begin
    ring_end = {1'b0, ring_base} + {9'd0, ring_size, 7'd0};
    if (ring_base[6:0] != 7'd0 || ring_base < RSVD) ring_bad = 4'd1;
    else if (ring_size < 17'd2 || ring_size > RING_MAX || (ring_size & (ring_size - 17'd1)) != 17'd0)
      ring_bad = 4'd2;
    else if (ring_end > (33'd1 << mem_log2)) ring_bad = 4'd2;
    else ring_bad = 4'd0;
  end

  // ---- dispatcher decisions (RUN state) ----
  logic d_raise, d_conv, d_nop, d_fence;
  always_comb begin
    d_raise = 1'b0;
    d_conv  = 1'b0;
    d_nop   = 1'b0;
    d_fence = 1'b0;
    if (st == K_RUN && q_valid) begin
      if (q_err != 4'd0)       d_raise = pipeline_empty;
      else if (q_op == npu_regs_pkg::OP_CONV_W) d_conv = loader_can_accept;
      else if (q_op == npu_regs_pkg::OP_FENCE_W) d_fence = pipeline_empty;
      else                      d_nop = pipeline_empty;
    end
  end
  assign loader_start = d_conv;
  assign q_pop = d_conv || d_nop || d_raise || (d_fence && (q_flags & npu_regs_pkg::FENCE_STATS_W) == 16'd0) ||
                 (st == K_FENCE_WR && st_wr_valid && st_wr_ready && fw_beat == 2'd2);

  // ---- fence statistics writes: 64 + 64 + 8 bytes ----
  assign st_wr_valid = (st == K_FENCE_WR);
  assign st_wr_addr  = fw_addr + {24'd0, fw_beat, 6'd0};
  assign st_wr_len   = (fw_beat == 2'd2) ? LAST_LEN : 7'd64;
  assign st_wr_data  = snap[fw_beat*BEAT*8 +: BEAT*8];
  assign st_wr_idx   = fw_idx;

  logic fence_done;
  assign fence_done = (d_fence && (q_flags & npu_regs_pkg::FENCE_STATS_W) == 16'd0) ||
                      (st == K_FENCE_WR && st_wr_ready && fw_beat == 2'd2);

  logic [1:0] irq_set, irq_clr;
  logic [15:0] done_flags;
  always_comb begin
    done_flags = (st == K_FENCE_WR) ? fw_flags : q_flags;
    irq_set = (raise ? npu_regs_pkg::IRQ_ERROR_W : 2'b00) |
              ((fence_done && (done_flags & npu_regs_pkg::FENCE_IRQ_W) != 16'd0) ? npu_regs_pkg::IRQ_FENCE_W : 2'b00);
    irq_clr = (reg_wr && reg_addr == npu_regs_pkg::REG_IRQ_ACK_W) ? reg_wdata[1:0] : 2'b00;
  end

  // ---- retirement ----
  assign retired = {1'b0, wb_retire} + {1'b0, skip_retire} + {1'b0, d_nop || fence_done};

  assign flush  = (st == K_FLUSH) || (st == K_RESET) || ring_reset;
  assign busy   = (head != tail && enable) || !pipeline_empty || !fetch_idle || q_valid ||
                  (st != K_RUN);
  assign idle   = dma_empty && !st_wr_valid && pipeline_empty && fetch_idle &&
                  ((st == K_HALT && irq_status[1]) || (st == K_RUN && (!enable || head == tail)));
  assign irq    = (irq_status & irq_mask) != 2'b00;

  // ---- register reads ----
  localparam logic [31:0] CAP_ARRAY  = (COLS << 8) | ROWS;
  localparam logic [31:0] CAP_KERNEL = (MAX_DIL << 16) | (MAX_STRIDE << 8) | MAX_K;
  localparam logic [31:0] CAP_DMA    = (OUTSTANDING << 16) | (BURST_LOG2 << 8) | BEAT;
  localparam logic [31:0] CAP_DESC   = (npu_regs_pkg::RING_LOG2_MAX << 16) |
                                       (npu_regs_pkg::DESC_VERSION << 8) | npu_regs_pkg::DESC_BYTES;
  logic [31:0] status;
  always_comb begin
    status = 32'd0;
    status[0] = enable;
    status[1] = busy;
    status[2] = (st == K_HALT);
    status[3] = (st == K_RESET);
    status[4] = idle;
  end

  always_comb begin
    reg_rdata = 32'd0;
    if (reg_addr >= CNT_LO && reg_addr < CNT_HI) begin
      reg_rdata = counters[(reg_addr - CNT_LO) * 8 +: 32];
    end else begin
      case ({20'd0, reg_addr})
        npu_regs_pkg::REG_ID:           reg_rdata = npu_regs_pkg::ID_VALUE;
        npu_regs_pkg::REG_VERSION:      reg_rdata = npu_regs_pkg::VERSION_VALUE;
        npu_regs_pkg::REG_CAP_ARRAY:    reg_rdata = CAP_ARRAY;
        npu_regs_pkg::REG_CAP_IBUF:     reg_rdata = IBUF_BYTES;
        npu_regs_pkg::REG_CAP_WBUF:     reg_rdata = WBUF_BYTES;
        npu_regs_pkg::REG_CAP_ACC:      reg_rdata = ACC_DEPTH;
        npu_regs_pkg::REG_CAP_PBUF:     reg_rdata = PBUF_DEPTH;
        npu_regs_pkg::REG_CAP_FEATURES: reg_rdata = npu_regs_pkg::FEAT_DEFAULT;
        npu_regs_pkg::REG_CAP_KERNEL:   reg_rdata = CAP_KERNEL;
        npu_regs_pkg::REG_CAP_MEM:      reg_rdata = {27'd0, mem_log2};
        npu_regs_pkg::REG_CAP_MEM_RSVD: reg_rdata = RSVD;
        npu_regs_pkg::REG_CAP_DMA:      reg_rdata = CAP_DMA;
        npu_regs_pkg::REG_CAP_DESC:     reg_rdata = CAP_DESC;
        npu_regs_pkg::REG_CAP_MAX_DIM:  reg_rdata = MAX_DIM;
        npu_regs_pkg::REG_CTRL:         reg_rdata = {31'd0, enable};
        npu_regs_pkg::REG_STATUS:       reg_rdata = status;
        npu_regs_pkg::REG_RING_BASE:    reg_rdata = ring_base;
        npu_regs_pkg::REG_RING_SIZE:    reg_rdata = {15'd0, ring_size};
        npu_regs_pkg::REG_RING_TAIL:    reg_rdata = {16'd0, tail};
        npu_regs_pkg::REG_RING_HEAD:    reg_rdata = {16'd0, head};
        npu_regs_pkg::REG_FENCE_SEQNO:  reg_rdata = seqno;
        npu_regs_pkg::REG_IRQ_STATUS:   reg_rdata = {30'd0, irq_status};
        npu_regs_pkg::REG_IRQ_MASK:     reg_rdata = {30'd0, irq_mask};
        npu_regs_pkg::REG_ERR_CODE:     reg_rdata = {28'd0, err_code};
        npu_regs_pkg::REG_ERR_INDEX:    reg_rdata = {16'd0, err_index};
        npu_regs_pkg::REG_ERR_INFO:     reg_rdata = err_info;
        npu_regs_pkg::REG_ERR_TAG:      reg_rdata = err_tag;
        npu_regs_pkg::REG_SCRATCH:      reg_rdata = scratch;
        default:                        reg_rdata = 32'd0;
      endcase
    end
  end

  // ---- the state ----
  logic        raise;
  logic [3:0]  raise_code;
  logic [31:0] raise_info, raise_tag;
  logic [15:0] raise_idx;
  logic        raise_fence;
  logic        raise_halts;
  logic        tail_bad;
  always_comb begin
    tail_bad = reg_wr && reg_addr == npu_regs_pkg::REG_RING_TAIL_W && ({16'd0, reg_wdata[15:0]} >= {15'd0, ring_size} ||
                                                 reg_wdata[31:16] != 16'd0);
    raise = 1'b0;
    raise_code = 4'd0;
    raise_info = 32'd0;
    raise_tag = 32'd0;
    raise_idx = head;
    raise_fence = 1'b0;
    raise_halts = 1'b1;
    if (d_raise) begin
      raise = 1'b1;
      raise_code = q_err;
      raise_info = q_info;
      raise_tag = q_tag;
      raise_idx = q_idx;
      raise_fence = q_op == npu_regs_pkg::OP_FENCE_W;
    end else if (st == K_RUN && wb_err_valid) begin
      raise = 1'b1;
      raise_code = npu_regs_pkg::ERR_CHAN_PARAM_W;
      raise_info = wb_err_info;
      raise_tag = wb_err_tag;
      raise_idx = wb_err_idx;
    end else if (st == K_RUN && dma_fault) begin
      raise = 1'b1;
      raise_code = npu_regs_pkg::ERR_DMA_W;
      raise_idx = dma_fault_idx;
    end else if (tail_bad) begin
      raise = 1'b1;
      raise_code = npu_regs_pkg::ERR_RING_W;
      raise_info = npu_regs_pkg::REG_RING_TAIL;
      raise_halts = 1'b0;
    end else if (reg_wr && reg_addr == npu_regs_pkg::REG_CTRL_W && (reg_wdata & C_ENABLE) != 32'd0 &&
                 (reg_wdata & C_RESET) == 32'd0 && !enable && ring_bad != 4'd0) begin
      raise = 1'b1;
      raise_code = npu_regs_pkg::ERR_RING_W;
      raise_info = (ring_bad == 4'd1) ? npu_regs_pkg::REG_RING_BASE : npu_regs_pkg::REG_RING_SIZE;
      raise_halts = 1'b0;
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n || sreset) begin
      st <= K_RUN;
      enable <= 1'b0;
      ring_base <= 32'd0;
      ring_size <= 17'd0;
      head <= 16'd0;
      tail <= 16'd0;
      seqno <= 32'd0;
      irq_status <= 2'b00;
      irq_mask <= 2'b00;
      err_code <= 4'd0;
      err_index <= 16'd0;
      err_info <= 32'd0;
      err_tag <= 32'd0;
      err_was_fence <= 1'b0;
      scratch <= 32'd0;
      ring_reset <= 1'b0;
      restart_skip <= 1'b0;
      sreset <= 1'b0;
      fw_beat <= 2'd0;
      loader_invalidate <= 1'b0;
      flush_seen_empty <= 1'b0;
    end else begin
      ring_reset <= 1'b0;
      loader_invalidate <= 1'b0;
      head <= (head + {14'd0, retired}) & ring_mask;

      // ---- register writes ----
      if (reg_wr) begin
        case (reg_addr)
          npu_regs_pkg::REG_CTRL_W: begin
            if ((reg_wdata & C_RESET) != 32'd0) begin
              st <= K_RESET;
              flush_seen_empty <= 1'b0;
            end else if ((reg_wdata & C_ENABLE) == 32'd0) begin
              enable <= 1'b0;
            end else if (!enable && ring_bad == 4'd0) begin
              enable <= 1'b1;
            end
          end
          npu_regs_pkg::REG_RING_BASE_W: if (!enable && pipeline_empty && st == K_RUN) begin
            ring_base <= reg_wdata;
            head <= 16'd0;
            tail <= 16'd0;
            ring_reset <= 1'b1;
          end
          npu_regs_pkg::REG_RING_SIZE_W: if (!enable && pipeline_empty && st == K_RUN) begin
            ring_size <= (reg_wdata > {15'd0, RING_MAX}) ? 17'd0 : reg_wdata[16:0];
            head <= 16'd0;
            tail <= 16'd0;
            ring_reset <= 1'b1;
          end
          npu_regs_pkg::REG_RING_TAIL_W: if (!tail_bad) tail <= reg_wdata[15:0];
          npu_regs_pkg::REG_IRQ_MASK_W:  irq_mask <= reg_wdata[1:0];
          npu_regs_pkg::REG_SCRATCH_W:   scratch <= reg_wdata;
          default: ;
        endcase
      end

      // ---- interrupts and errors ----
      if (raise && irq_status[1] == 1'b0) begin
        err_code <= raise_code;
        err_index <= raise_idx;
        err_info <= raise_info;
        err_tag <= raise_tag;
        err_was_fence <= raise_fence;
      end
      irq_status <= (irq_status & ~irq_clr) | irq_set;

      case (st)
        K_RUN: begin
          if (raise && raise_halts) begin
            st <= K_HALT;
          end else if (d_fence) begin
            loader_invalidate <= 1'b1;
            if ((q_flags & npu_regs_pkg::FENCE_STATS_W) != 16'd0) begin
              st <= K_FENCE_WR;
              fw_beat <= 2'd0;
              fw_addr <= q_desc[8*B_STATS +: 32];
              fw_flags <= q_flags;
              fw_seqno <= q_desc[8*B_SEQNO +: 32];
              fw_idx <= q_idx;
              snap <= {{(3*BEAT*8 - NC*64 - 64){1'b0}}, counters, 32'd0, q_desc[8*B_SEQNO +: 32]};
            end else begin
              seqno <= q_desc[8*B_SEQNO +: 32];
            end
          end
        end
        K_FENCE_WR: if (st_wr_ready) begin
          if (fw_beat == 2'd2) begin
            seqno <= fw_seqno;
            st <= K_RUN;
          end else begin
            fw_beat <= fw_beat + 2'd1;
          end
        end
        K_HALT: if (irq_status[1] == 1'b0) begin
          st <= K_FLUSH;
          flush_seen_empty <= 1'b0;
          head <= (err_index + 16'd1) & ring_mask;
          restart_skip <= !err_was_fence;
        end
        K_FLUSH: begin
          // hold the flush until every issued read has drained
          flush_seen_empty <= dma_empty;
          if (flush_seen_empty && dma_empty) st <= K_RUN;
        end
        K_RESET: begin
          flush_seen_empty <= dma_empty;
          if (flush_seen_empty && dma_empty) sreset <= 1'b1;
        end
        default: st <= K_RUN;
      endcase
    end
  end
endmodule
