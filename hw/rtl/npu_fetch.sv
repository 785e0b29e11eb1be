// Descriptor fetcher: reads descriptors from the ring (one 128-byte burst
// each) ahead of execution, validates them (npu_desc_check) and queues the
// verdicts for the dispatcher. After an error has been acknowledged the
// controller restarts it in skip mode: descriptors are retired unexecuted
// until the job's FENCE, which is queued normally. Accumulator chains are
// checked here, in ring order, after the checker's verdict
// (npu_check_seq() in hw/npu_hw_check.h).
module npu_fetch #(
  parameter int unsigned ROWS       = 16,
  parameter int unsigned COLS       = 16,
  parameter int unsigned IBUF_BYTES = 131072,
  parameter int unsigned WBUF_BYTES = 131072,
  parameter int unsigned ACC_DEPTH  = 512,
  parameter int unsigned PBUF_DEPTH = 1024,
  parameter int unsigned MAX_K      = 16,
  parameter int unsigned MAX_STRIDE = 16,
  parameter int unsigned MAX_DIL    = 16,
  parameter int unsigned MAX_DIM    = 4096,
  parameter int unsigned BEAT       = 64
) (
  input  logic              clk,
  input  logic              rst_n,
  input  logic              flush,
  input  logic [15:0]       restart_ptr,
  input  logic              restart_skip,
  input  logic [4:0]        mem_log2,
  input  logic              run,
  input  logic [31:0]       ring_base,
  input  logic [15:0]       ring_mask,     // entries - 1
  input  logic [15:0]       tail,
  input  logic              inject,        // pulse: fail the next descriptor
  // DMA read client
  output logic              req_valid,
  input  logic              req_ready,
  output logic [31:0]       req_addr,
  output logic [12:0]       req_len,
  output logic [15:0]       req_idx,
  input  logic              beat_valid,
  input  logic [6:0]        beat_num,
  input  logic [BEAT*8-1:0] beat_data,
  // verdicts, in ring order
  output logic              q_valid,
  output logic [1023:0]     q_desc,
  output logic [15:0]       q_idx,
  output logic [3:0]        q_err,
  output logic [31:0]       q_info,
  input  logic              q_pop,
  output logic              skip_retire,
  output logic              idle
);
  localparam int unsigned NBEATS = 1024 / (BEAT * 8);
  localparam int unsigned B_OPCODE = npu_regs_pkg::HDR_opcode;
  localparam logic [6:0] LASTB = NBEATS[6:0] - 7'd1;
  localparam int unsigned B_FLAGS = npu_regs_pkg::HDR_flags;
  localparam int unsigned B_OUT_H = npu_regs_pkg::CONV_out_h;
  localparam int unsigned B_OUT_W = npu_regs_pkg::CONV_out_w;
  localparam int unsigned B_COUT  = npu_regs_pkg::CONV_cout_pg;

  logic [15:0]   fptr;
  logic          inflight;      // a burst is requested or its beats are arriving
  logic          checking;      // the checker holds it
  logic [15:0]   cur_idx;
  logic [1023:0] buf_d;
  logic          skip;
  logic          inject_pend;

  // two-entry verdict queue
  logic [1023:0] qd [2];
  logic [15:0]   qi [2];
  logic [3:0]    qe [2];
  logic [31:0]   qn [2];
  logic          qh;
  logic [1:0]    qcount;

  logic          chk_in, chk_out;
  logic [3:0]    chk_err;
  logic [31:0]   chk_info;
  logic [1023:0] chk_desc;      // the descriptor the checker holds
  logic          last_beat;

  assign last_beat = beat_valid && (beat_num == LASTB);

  npu_desc_check #(
    .ROWS(ROWS), .COLS(COLS), .IBUF_BYTES(IBUF_BYTES), .WBUF_BYTES(WBUF_BYTES),
    .ACC_DEPTH(ACC_DEPTH), .PBUF_DEPTH(PBUF_DEPTH), .MAX_K(MAX_K),
    .MAX_STRIDE(MAX_STRIDE), .MAX_DIL(MAX_DIL), .MAX_DIM(MAX_DIM)
  ) u_check (
    .clk, .mem_log2, .in_valid(chk_in), .in_desc(buf_d), .inject(inject_pend),
    .out_valid(chk_out), .out_err(chk_err), .out_info(chk_info));

  assign chk_desc = buf_d;

  logic room;
  assign room = ({1'b0, qcount} + {2'b00, inflight} + {2'b00, checking}) < 3'd2;
  assign req_valid = run && !inflight && !checking && room && (fptr != tail) && !flush;
  assign req_addr  = ring_base + {9'd0, fptr, 7'd0};
  assign req_len   = 13'd128;
  assign req_idx   = fptr;

  assign q_valid = qcount != 2'd0;
  assign q_desc  = qd[qh];
  assign q_idx   = qi[qh];
  assign q_err   = qe[qh];
  assign q_info  = qn[qh];
  assign idle    = !inflight && !checking;

  logic push, is_fence;
  always_comb begin
    is_fence = chk_desc[8*B_OPCODE +: 8] == npu_regs_pkg::OP_FENCE_W;
    push = chk_out && (!skip || is_fence);
    skip_retire = chk_out && skip && !is_fence;
  end

  // accumulator chains: what the last HOLD left, and this descriptor's verdict
  logic        held;
  logic [47:0] held_shape;     // out_h, out_w, cout_pg of the HOLD
  logic        c_conv, c_hold, c_cont, seq_bad;
  logic [3:0]  v_err;
  logic [31:0] v_info;
  always_comb begin
    c_conv  = chk_desc[8*B_OPCODE +: 8] == npu_regs_pkg::OP_CONV_W;
    c_hold  = c_conv && (chk_desc[8*B_FLAGS +: 16] & npu_regs_pkg::CONV_ACC_HOLD_W) != 16'd0;
    c_cont  = c_conv && (chk_desc[8*B_FLAGS +: 16] & npu_regs_pkg::CONV_ACC_CONT_W) != 16'd0;
    seq_bad = (held != c_cont) ||
              (c_cont && held_shape != {chk_desc[8*B_OUT_H +: 16], chk_desc[8*B_OUT_W +: 16],
                                        chk_desc[8*B_COUT +: 16]});
    v_err   = chk_err;
    v_info  = chk_info;
    if (chk_err == npu_regs_pkg::ERR_NONE_W && seq_bad) begin
      v_err  = npu_regs_pkg::ERR_SEQUENCE_W;
      v_info = B_FLAGS;
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      fptr <= 16'd0;
      inflight <= 1'b0;
      checking <= 1'b0;
      chk_in <= 1'b0;
      qh <= 1'b0;
      qcount <= 2'd0;
      skip <= 1'b0;
      inject_pend <= 1'b0;
      held <= 1'b0;
    end else if (flush) begin
      held <= 1'b0;
      fptr <= restart_ptr;
      inflight <= 1'b0;
      checking <= 1'b0;
      chk_in <= 1'b0;
      qh <= 1'b0;
      qcount <= 2'd0;
      skip <= restart_skip;
      if (inject) inject_pend <= 1'b1;
    end else begin
      if (inject) inject_pend <= 1'b1;
      chk_in <= 1'b0;
      if (req_valid && req_ready) begin
        inflight <= 1'b1;
        cur_idx <= fptr;
        fptr <= (fptr + 16'd1) & ring_mask;
      end
      if (beat_valid) buf_d[beat_num[0]*BEAT*8 +: BEAT*8] <= beat_data;
      if (last_beat) begin
        inflight <= 1'b0;
        checking <= 1'b1;
        chk_in <= 1'b1;
      end
      if (chk_in && inject_pend) inject_pend <= 1'b0;
      if (chk_out) begin
        checking <= 1'b0;
        if (is_fence) skip <= 1'b0;
      end
      if (push) begin
        qd[qh ^ qcount[0]] <= chk_desc;
        qi[qh ^ qcount[0]] <= cur_idx;
        qe[qh ^ qcount[0]] <= v_err;
        qn[qh ^ qcount[0]] <= v_info;
        // an error ends the chain (the job is skipped up to its fence)
        held       <= (v_err == npu_regs_pkg::ERR_NONE_W) && c_hold;
        held_shape <= {chk_desc[8*B_OUT_H +: 16], chk_desc[8*B_OUT_W +: 16],
                       chk_desc[8*B_COUT +: 16]};
      end else if (skip_retire) begin
        held <= 1'b0;
      end
      if (q_pop) qh <= ~qh;
      qcount <= qcount + {1'b0, push} - {1'b0, q_pop};
    end
  end
endmodule
