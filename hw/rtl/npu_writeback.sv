// Writeback: drains accumulator banks in the order compute filled them,
// one output pixel (COLS channels) per cycle, through COLS requantizer
// lanes, and writes each pixel's channels to device memory.
//
// Slots: one per accumulator bank. Compute sets a slot up at the start of a
// pass (descriptor, channel base, the pass's channel parameters) and
// commits it when the bank is complete; the writeback frees the slot once
// the bank has been read and the parameters consumed. A slot can instead
// carry an error token (a channel-parameter error found while loading):
// it is reported only after every earlier write completed, so errors
// surface in descriptor order. A pass covers output rows [oy0, oy0 + nrows)
// of the tile (all of them, except for depthwise chunks). A slot of zero
// rows (an accumulator chain's HOLD link) writes nothing: one empty item
// goes down the pipeline to retire it in order.
module npu_writeback #(
  parameter int unsigned COLS      = 16,
  parameter int unsigned ACC_DEPTH = 512,
  parameter int unsigned BEAT      = 64,
  localparam int unsigned AW = $clog2(ACC_DEPTH)
) (
  input  logic                clk,
  input  logic                rst_n,
  input  logic                flush,
  // slot protocol (from compute)
  input  logic                slot_setup,
  input  logic                slot_setup_id,
  input  logic [1023:0]       slot_desc,
  input  logic [15:0]         slot_idx,
  input  logic [31:0]         slot_chbase,
  input  logic [5:0]          slot_nvalid,
  input  logic [15:0]         slot_oy0,
  input  logic [15:0]         slot_nrows,
  input  logic                slot_last,
  input  logic [COLS*128-1:0] slot_prow,
  input  logic                slot_err,
  input  logic [31:0]         slot_err_info,
  input  logic                slot_commit,
  input  logic                slot_commit_id,
  output logic [1:0]          slot_busy,
  // accumulator read
  output logic                acc_rd_en,
  output logic                acc_rd_bank,
  output logic [AW-1:0]       acc_rd_addr,
  input  logic [COLS*32-1:0]  acc_rd_data,
  // memory write
  output logic                wr_valid,
  input  logic                wr_ready,
  output logic [31:0]         wr_addr,
  output logic [6:0]          wr_len,
  output logic [BEAT*8-1:0]   wr_data,
  output logic [15:0]         wr_idx,
  // events
  output logic                retire,        // a conv descriptor's last write done
  output logic                err_valid,
  output logic [31:0]         err_info,
  output logic [15:0]         err_idx,
  output logic [31:0]         err_tag,
  output logic                idle,
  output logic                stall_write
);
  localparam int unsigned O_OUT_ADDR = 8 * npu_regs_pkg::CONV_out_addr;
  localparam int unsigned O_ORS      = 8 * npu_regs_pkg::CONV_out_row_stride;
  localparam int unsigned O_OPS      = 8 * npu_regs_pkg::CONV_out_pix_stride;
  localparam int unsigned O_OUT_W    = 8 * npu_regs_pkg::CONV_out_w;
  localparam int unsigned O_OUT_TYPE = 8 * npu_regs_pkg::CONV_out_type;
  localparam int unsigned O_RQ_MODE  = 8 * npu_regs_pkg::CONV_rq_mode;
  localparam int unsigned O_OUT_ZP   = 8 * npu_regs_pkg::CONV_out_zp;
  localparam int unsigned O_ACT_MIN  = 8 * npu_regs_pkg::CONV_act_min;
  localparam int unsigned O_ACT_MAX  = 8 * npu_regs_pkg::CONV_act_max;
  localparam int unsigned O_TAG      = 8 * npu_regs_pkg::HDR_tag;
  localparam int unsigned O_CP_BIAS  = 8 * npu_regs_pkg::CP_bias;
  localparam int unsigned O_CP_SCALE = 8 * npu_regs_pkg::CP_scale;
  localparam int unsigned O_CP_SHIFT = 8 * npu_regs_pkg::CP_shift;

  // ---- slots ----
  typedef enum logic [1:0] {S_EMPTY, S_SETUP, S_FULL} slot_e;
  slot_e               sst [2];
  logic [1023:0]       sdesc [2];
  logic [15:0]         sidx [2];
  logic [31:0]         schbase [2];
  logic [5:0]          snvalid [2];
  logic [15:0]         soy0 [2];
  logic [15:0]         snrows [2];
  logic                slast [2];
  logic [COLS*128-1:0] sprow [2];
  logic                serr [2];
  logic [31:0]         serr_info [2];

  assign slot_busy = {sst[1] != S_EMPTY, sst[0] != S_EMPTY};

  // ---- drain state ----
  logic        cur;
  logic        running;
  logic [15:0] oy, ox;
  logic [AW-1:0] p;
  logic [31:0] row_ptr, pix_ptr;
  logic        stall;
  logic        en;

  /* verilator lint_off UNUSEDSIGNAL */
  logic [1023:0] cd;         // the descriptor: only the output fields matter here
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] c_ors, c_ops;
  logic [15:0] c_out_h, c_out_w;
  logic        c_i32;
  logic [31:0] c_base;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [47:0] c_rowoff;    // inside the output range the checker validated
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    cd       = sdesc[cur];
    c_ors    = cd[O_ORS +: 32];
    c_ops    = cd[O_OPS +: 32];
    c_out_h  = snrows[cur];
    c_out_w  = cd[O_OUT_W +: 16];
    c_i32    = cd[O_OUT_TYPE +: 8] == npu_regs_pkg::TYPE_INT32_W;
    c_rowoff = {32'd0, soy0[cur]} * {16'd0, c_ors};
    c_base   = cd[O_OUT_ADDR +: 32] + c_rowoff[31:0] +
               (c_i32 ? (schbase[cur] << 2) : schbase[cur]);
  end

  logic last_ox, last_pix, issue, tok;
  always_comb begin
    last_ox  = ox == c_out_w - 16'd1;
    last_pix = last_ox && (oy == c_out_h - 16'd1);
    issue    = running && en;
    tok      = !running && en && (sst[cur] == S_FULL) && !serr[cur] && (snrows[cur] == 16'd0);
  end

  // ---- pipeline: W1 (acc data), requant (3 stages), W4 = write request ----
  logic        w1_valid, w1_slot, w1_last_item, w1_retire, w1_i32, w1_nowr;
  logic        w2_nowr, w3_nowr, w4_nowr;
  logic [31:0] w1_addr;
  logic [6:0]  w1_len;
  logic [15:0] w1_idx;
  logic        w2_valid, w2_retire, w2_i32;
  logic [31:0] w2_addr;
  logic [6:0]  w2_len;
  logic [15:0] w2_idx;
  logic        w3_valid, w3_retire, w3_i32;
  logic [31:0] w3_addr;
  logic [6:0]  w3_len;
  logic [15:0] w3_idx;
  logic        w4_valid, w4_retire, w4_i32;

  assign stall = w4_valid && !w4_nowr && !wr_ready;
  assign en = !stall;
  assign stall_write = stall;

  assign acc_rd_en   = issue;
  assign acc_rd_bank = cur;
  assign acc_rd_addr = p;

  /* verilator lint_off UNUSEDSIGNAL */
  logic [1023:0] w1d;
  logic [COLS*128-1:0] w1p;  // bias/scale/shift of each lane; w_zp was for compute
  /* verilator lint_on UNUSEDSIGNAL */
  assign w1d = sdesc[w1_slot];
  assign w1p = sprow[w1_slot];

  logic [COLS-1:0] lane_valid;
  logic [COLS*32-1:0] lane_out;   // flat: Yosys 0.23 cannot connect ports to array elements
  for (genvar k = 0; k < COLS; k++) begin : g_lane
    npu_requant u_rq (
      .clk, .en,
      .in_valid(w1_valid),
      .acc(acc_rd_data[k*32 +: 32]),
      .bias(w1p[k*128 + O_CP_BIAS +: 32]),
      .mode(w1d[O_RQ_MODE +: 2]),
      .scale(w1p[k*128 + O_CP_SCALE +: 32]),
      .shift(w1p[k*128 + O_CP_SHIFT +: 8]),
      .out_zp(w1d[O_OUT_ZP +: 16]),
      .act_min(w1d[O_ACT_MIN +: 16]),
      .act_max(w1d[O_ACT_MAX +: 16]),
      .out_valid(lane_valid[k]),
      .out(lane_out[k*32 +: 32]));
  end

  always_comb begin
    wr_data = '0;
    for (int k = 0; k < COLS; k++) begin
      if (w4_i32) wr_data[k*32 +: 32] = lane_out[k*32 +: 32];
      else        wr_data[k*8 +: 8]   = lane_out[k*32 +: 8];
    end
  end
  assign wr_valid = w4_valid && !w4_nowr;
  assign retire   = w4_valid && (wr_ready || w4_nowr) && w4_retire;

  logic pipe_empty;
  assign pipe_empty = !w1_valid && !w2_valid && !w3_valid && !w4_valid;
  assign idle = !running && pipe_empty && (sst[0] == S_EMPTY) && (sst[1] == S_EMPTY);

  // error token at the head of the slot order, all earlier writes done
  logic err_go;
  assign err_go    = !running && (sst[cur] == S_FULL) && serr[cur] && pipe_empty;
  assign err_valid = err_go;
  assign err_info  = serr_info[cur];
  assign err_idx   = sidx[cur];
  assign err_tag   = cd[O_TAG +: 32];

  /* verilator lint_off UNUSEDSIGNAL */
  logic [COLS-1:0] lane_valid_unused;   // lane 0's valid bit stands for all
  /* verilator lint_on UNUSEDSIGNAL */
  assign lane_valid_unused = lane_valid;

  always_ff @(posedge clk) begin
    if (!rst_n || flush) begin
      sst[0]   <= S_EMPTY;
      sst[1]   <= S_EMPTY;
      cur      <= 1'b0;
      running  <= 1'b0;
      w1_valid <= 1'b0;
      w2_valid <= 1'b0;
      w3_valid <= 1'b0;
      w4_valid <= 1'b0;
    end else begin
      // slot protocol
      if (slot_setup) begin
        sst[slot_setup_id]       <= slot_err ? S_FULL : S_SETUP;
        sdesc[slot_setup_id]     <= slot_desc;
        sidx[slot_setup_id]      <= slot_idx;
        schbase[slot_setup_id]   <= slot_chbase;
        snvalid[slot_setup_id]   <= slot_nvalid;
        soy0[slot_setup_id]      <= slot_oy0;
        snrows[slot_setup_id]    <= slot_nrows;
        slast[slot_setup_id]     <= slot_last;
        sprow[slot_setup_id]     <= slot_prow;
        serr[slot_setup_id]      <= slot_err;
        serr_info[slot_setup_id] <= slot_err_info;
      end
      if (slot_commit) sst[slot_commit_id] <= S_FULL;

      if (err_go) begin
        sst[cur] <= S_EMPTY;
        cur <= ~cur;
      end

      // start draining the next full slot. An empty one (a HOLD link: its
      // bank stays with compute, which fills the same slot next) is freed at
      // once and goes by as one item; cur stays.
      if (tok) sst[cur] <= S_EMPTY;
      if (!running && (sst[cur] == S_FULL) && !serr[cur] && (snrows[cur] != 16'd0)) begin
        running <= 1'b1;
        oy      <= 16'd0;
        ox      <= 16'd0;
        p       <= '0;
        row_ptr <= c_base;
        pix_ptr <= c_base;
      end

      if (issue) begin
        if (last_pix) begin
          running <= 1'b0;
          cur     <= ~cur;
        end else begin
          p <= p + 1'b1;
          if (last_ox) begin
            ox      <= 16'd0;
            oy      <= oy + 16'd1;
            row_ptr <= row_ptr + c_ors;
            pix_ptr <= row_ptr + c_ors;
          end else begin
            ox      <= ox + 16'd1;
            pix_ptr <= pix_ptr + c_ops;
          end
        end
      end

      if (en) begin
        // the slot is free once its last pixel's parameters were consumed
        if (w1_valid && w1_last_item) sst[w1_slot] <= S_EMPTY;
        w1_valid     <= issue || tok;
        w1_nowr      <= tok;
        w1_slot      <= cur;
        w1_last_item <= last_pix && !tok;
        w1_retire    <= (tok || last_pix) && slast[cur];
        w1_i32       <= c_i32;
        w1_addr      <= pix_ptr;
        w1_len       <= c_i32 ? {snvalid[cur][4:0], 2'b00} : {1'b0, snvalid[cur]};
        w1_idx       <= sidx[cur];
        w2_valid  <= w1_valid;
        w2_nowr   <= w1_nowr;
        w2_retire <= w1_retire;
        w2_i32    <= w1_i32;
        w2_addr   <= w1_addr;
        w2_len    <= w1_len;
        w2_idx    <= w1_idx;
        w3_valid  <= w2_valid;
        w3_nowr   <= w2_nowr;
        w3_retire <= w2_retire;
        w3_i32    <= w2_i32;
        w3_addr   <= w2_addr;
        w3_len    <= w2_len;
        w3_idx    <= w2_idx;
        w4_valid  <= w3_valid;
        w4_nowr   <= w3_nowr;
        w4_retire <= w3_retire;
        w4_i32    <= w3_i32;
        wr_addr   <= w3_addr;
        wr_len    <= w3_len;
        wr_idx    <= w3_idx;
      end
    end
  end
endmodule
