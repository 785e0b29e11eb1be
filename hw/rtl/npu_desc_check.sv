// Descriptor validation: the hardware form of npu_check_desc() in
// hw/npu_hw_check.h, checked against it on random descriptors by
// tests/sim/test_desc_check.c. Every rule and its priority order follows
// that function; when they disagree, the test fails.
//
// Two stages: S1 computes the sizes and byte ranges (the multiplies), S2
// applies the rules in priority order and registers the verdict.
module npu_desc_check #(
  parameter int unsigned ROWS       = 16,
  parameter int unsigned COLS       = 16,
  parameter int unsigned IBUF_BYTES = 131072,
  parameter int unsigned WBUF_BYTES = 131072,
  parameter int unsigned ACC_DEPTH  = 512,
  parameter int unsigned PBUF_DEPTH = 1024,
  parameter int unsigned MAX_K      = 16,
  parameter int unsigned MAX_STRIDE = 16,
  parameter int unsigned MAX_DIL    = 16,
  parameter int unsigned MAX_DIM    = 4096
) (
  input  logic          clk,
  input  logic [4:0]    mem_log2,
  input  logic          in_valid,
  input  logic [1023:0] in_desc,
  input  logic          inject,        // test hook: fail with ERR_INTERNAL
  output logic          out_valid,
  output logic [3:0]    out_err,
  output logic [31:0]   out_info
);
  localparam int unsigned LR = $clog2(ROWS);
  localparam int unsigned LC = $clog2(COLS);

  // field byte offsets
  localparam int unsigned B_OPCODE  = npu_regs_pkg::HDR_opcode;
  localparam int unsigned B_VERSION = npu_regs_pkg::HDR_version;
  localparam int unsigned B_FLAGS   = npu_regs_pkg::HDR_flags;
  localparam int unsigned B_IN_ADDR = npu_regs_pkg::CONV_in_addr;
  localparam int unsigned B_IRS     = npu_regs_pkg::CONV_in_row_stride;
  localparam int unsigned B_IPS     = npu_regs_pkg::CONV_in_pix_stride;
  localparam int unsigned B_IN_H    = npu_regs_pkg::CONV_in_h;
  localparam int unsigned B_IN_W    = npu_regs_pkg::CONV_in_w;
  localparam int unsigned B_GROUPS  = npu_regs_pkg::CONV_groups;
  localparam int unsigned B_CIN     = npu_regs_pkg::CONV_cin_pg;
  localparam int unsigned B_COUT    = npu_regs_pkg::CONV_cout_pg;
  localparam int unsigned B_OUT_H   = npu_regs_pkg::CONV_out_h;
  localparam int unsigned B_OUT_W   = npu_regs_pkg::CONV_out_w;
  localparam int unsigned B_KH      = npu_regs_pkg::CONV_kh;
  localparam int unsigned B_KW      = npu_regs_pkg::CONV_kw;
  localparam int unsigned B_SH      = npu_regs_pkg::CONV_stride_h;
  localparam int unsigned B_SW      = npu_regs_pkg::CONV_stride_w;
  localparam int unsigned B_DH      = npu_regs_pkg::CONV_dil_h;
  localparam int unsigned B_DW      = npu_regs_pkg::CONV_dil_w;
  localparam int unsigned B_PT      = npu_regs_pkg::CONV_pad_top;
  localparam int unsigned B_PL      = npu_regs_pkg::CONV_pad_left;
  localparam int unsigned B_PB      = npu_regs_pkg::CONV_pad_bottom;
  localparam int unsigned B_PR      = npu_regs_pkg::CONV_pad_right;
  localparam int unsigned B_W_ADDR  = npu_regs_pkg::CONV_w_addr;
  localparam int unsigned B_CP_ADDR = npu_regs_pkg::CONV_cp_addr;
  localparam int unsigned B_OUT_ADDR= npu_regs_pkg::CONV_out_addr;
  localparam int unsigned B_ORS     = npu_regs_pkg::CONV_out_row_stride;
  localparam int unsigned B_OPS     = npu_regs_pkg::CONV_out_pix_stride;
  localparam int unsigned B_IN_TYPE = npu_regs_pkg::CONV_in_type;
  localparam int unsigned B_W_TYPE  = npu_regs_pkg::CONV_w_type;
  localparam int unsigned B_OUT_TYPE= npu_regs_pkg::CONV_out_type;
  localparam int unsigned B_RQ_MODE = npu_regs_pkg::CONV_rq_mode;
  localparam int unsigned B_IN_ZP   = npu_regs_pkg::CONV_in_zp;
  localparam int unsigned B_OUT_ZP  = npu_regs_pkg::CONV_out_zp;
  localparam int unsigned B_ACT_MIN = npu_regs_pkg::CONV_act_min;
  localparam int unsigned B_ACT_MAX = npu_regs_pkg::CONV_act_max;
  localparam int unsigned B_CONV_RSV  = npu_regs_pkg::CONV_reserved;
  localparam int unsigned B_STATS     = npu_regs_pkg::FENCE_stats_addr;
  localparam int unsigned B_FENCE_RSV = npu_regs_pkg::FENCE_reserved;
  localparam int unsigned B_NOP_RSV   = npu_regs_pkg::NOP_reserved;
  localparam logic [31:0] RSVD32      = npu_regs_pkg::MEM_RESERVED;
  localparam logic [31:0] STATS32     = npu_regs_pkg::FENCE_STATS_BYTES;
  localparam logic [31:0] IBUF32 = IBUF_BYTES;
  localparam logic [31:0] WBUF32 = WBUF_BYTES;
  localparam logic [31:0] ACC32  = ACC_DEPTH[31:0];
  localparam logic [31:0] PBUF32 = PBUF_DEPTH[31:0];
  localparam logic [15:0] MAXDIM = MAX_DIM[15:0];
  localparam logic [15:0] COLS16 = COLS[15:0];
  localparam logic [7:0]  MAXK   = MAX_K[7:0];
  localparam logic [7:0]  MAXS   = MAX_STRIDE[7:0];
  localparam logic [7:0]  MAXD   = MAX_DIL[7:0];
  localparam logic [31:0] ROWS32 = ROWS;
  localparam logic [31:0] RM1_32 = ROWS32 - 32'd1;
  localparam logic [16:0] RM1_17 = ROWS[16:0] - 17'd1;
  localparam logic [16:0] CM1_17 = COLS[16:0] - 17'd1;
  localparam logic [31:0] BLK32  = ROWS * COLS;
  localparam int N_CONV_RSV  = (128 - B_CONV_RSV) / 4;
  localparam int N_FENCE_RSV = (128 - B_FENCE_RSV) / 4;
  localparam int N_NOP_RSV   = (128 - B_NOP_RSV) / 4;

  // 64-bit forms of the limits (Verilator wants sized concatenations)
  logic [63:0] RSVD, STATS_BYTES, IBUF64, WBUF64, BLK64;
  assign RSVD        = {32'd0, RSVD32};
  assign STATS_BYTES = {32'd0, STATS32};
  assign IBUF64      = {32'd0, IBUF32};
  assign WBUF64      = {32'd0, WBUF32};
  assign BLK64       = {32'd0, BLK32};

  // ---------------- stage 1: sizes and ranges ----------------
  logic [1023:0] d;
  assign d = in_desc;

  logic [15:0] in_h, in_w, groups, cin, cout, out_h, out_w;
  logic [7:0]  kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  logic [31:0] in_addr, irs, ips, w_addr, cp_addr, out_addr, ors, ops;
  always_comb begin
    in_h = d[8*B_IN_H +: 16];  in_w = d[8*B_IN_W +: 16];
    groups = d[8*B_GROUPS +: 16];  cin = d[8*B_CIN +: 16];  cout = d[8*B_COUT +: 16];
    out_h = d[8*B_OUT_H +: 16];  out_w = d[8*B_OUT_W +: 16];
    kh = d[8*B_KH +: 8];  kw = d[8*B_KW +: 8];
    sh = d[8*B_SH +: 8];  sw = d[8*B_SW +: 8];
    dh = d[8*B_DH +: 8];  dw = d[8*B_DW +: 8];
    pt = d[8*B_PT +: 8];  pl = d[8*B_PL +: 8];  pb = d[8*B_PB +: 8];  pr = d[8*B_PR +: 8];
    in_addr = d[8*B_IN_ADDR +: 32];  irs = d[8*B_IRS +: 32];  ips = d[8*B_IPS +: 32];
    w_addr = d[8*B_W_ADDR +: 32];  cp_addr = d[8*B_CP_ADDR +: 32];
    out_addr = d[8*B_OUT_ADDR +: 32];  ors = d[8*B_ORS +: 32];  ops = d[8*B_OPS +: 32];
  end

  logic        dwm, chain;
  logic [7:0]  dw_nsx, dw_nsy;
  logic [15:0] dw_ncs;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [7:0]  dw_tw, dw_th;    // only the slice counts size the weights
  logic [63:0] dw_row;          // words per input row; fits 48 bits
  /* verilator lint_on UNUSEDSIGNAL */
  npu_dw_geom #(.ROWS(ROWS), .COLS(COLS)) u_dw_geom (
    .kh, .kw, .groups, .tw(dw_tw), .th(dw_th), .n_sx(dw_nsx), .n_sy(dw_nsy), .n_cs(dw_ncs));

  logic [31:0] ch_in, ch_out, geo_h_need, geo_h_have, geo_w_need, geo_w_have;
  logic [32:0] ch_in_pad;
  logic [16:0] n_cc, n_kc;
  logic [63:0] ibuf_need, wbuf_need;
  logic [31:0] acc_need;
  logic [63:0] in_end, w_end, cp_end, out_end;
  logic [63:0] out_bytes;
  always_comb begin
    ch_in  = {16'd0, groups} * {16'd0, cin};
    ch_out = {16'd0, groups} * {16'd0, cout};
    geo_h_need = {16'd0, out_h - 16'd1} * {24'd0, sh} + {24'd0, kh - 8'd1} * {24'd0, dh} + 32'd1;
    geo_h_have = {24'd0, pt} + {16'd0, in_h} + {24'd0, pb};
    geo_w_need = {16'd0, out_w - 16'd1} * {24'd0, sw} + {24'd0, kw - 8'd1} * {24'd0, dw} + 32'd1;
    geo_w_have = {24'd0, pl} + {16'd0, in_w} + {24'd0, pr};
    ch_in_pad = (({1'b0, ch_in} + {1'b0, RM1_32}) >> LR) << LR;
    n_cc = ({1'b0, cin} + RM1_17) >> LR;
    n_kc = ({1'b0, cout} + CM1_17) >> LC;
    dwm = (d[8*B_FLAGS +: 16] & npu_regs_pkg::CONV_DEPTHWISE_W) != 16'd0;
    chain = (d[8*B_FLAGS +: 16] &
             (npu_regs_pkg::CONV_ACC_HOLD_W | npu_regs_pkg::CONV_ACC_CONT_W)) != 16'd0;
    // depthwise: each row on an odd number of ROWS-byte words
    dw_row = ({48'd0, in_w} * {31'd0, ch_in_pad}) >> LR;
    if (dwm) begin
      ibuf_need = {48'd0, in_h} * (dw_row | 64'd1) * {32'd0, ROWS32};
      wbuf_need = {48'd0, dw_ncs} * {56'd0, dw_nsx} * {56'd0, dw_nsy} * BLK64;
    end else begin
      ibuf_need = {32'd0, in_h} * {48'd0, in_w} * {31'd0, ch_in_pad};
      wbuf_need = {48'd0, groups} * {47'd0, n_kc} * {56'd0, kh} * {56'd0, kw} *
                  {47'd0, n_cc} * BLK64;
    end
    // rows go in chunks that fit a bank; a chain's link is one pass
    acc_need = chain ? {16'd0, out_h} * {16'd0, out_w} : {16'd0, out_w};
    in_end = {32'd0, in_addr} + {48'd0, in_h - 16'd1} * {32'd0, irs} +
             {48'd0, in_w - 16'd1} * {32'd0, ips} + {32'd0, ch_in};
    w_end = {32'd0, w_addr} + wbuf_need;
    cp_end = {32'd0, cp_addr} + {32'd0, ch_out} * 64'd16;
    out_bytes = (d[8*B_OUT_TYPE +: 8] == npu_regs_pkg::TYPE_INT32_W) ? {30'd0, ch_out, 2'b00} : {32'd0, ch_out};
    out_end = {32'd0, out_addr} + {48'd0, out_h - 16'd1} * {32'd0, ors} +
              {48'd0, out_w - 16'd1} * {32'd0, ops} + out_bytes;
  end

  logic          s1_valid, s1_inject;
  logic [1023:0] s1_d;
  logic          s1_geo_h, s1_geo_w, s1_ibuf, s1_wbuf, s1_acc, s1_pbuf;
  logic [63:0]   s1_in_end, s1_w_end, s1_cp_end, s1_out_end;
  always_ff @(posedge clk) begin
    s1_valid   <= in_valid;
    s1_inject  <= inject;
    s1_d       <= d;
    s1_geo_h   <= geo_h_need > geo_h_have;
    s1_geo_w   <= geo_w_need > geo_w_have;
    s1_ibuf    <= ibuf_need > IBUF64;
    s1_wbuf    <= wbuf_need > WBUF64;
    s1_acc     <= acc_need > ACC32;
    s1_pbuf    <= ch_out > PBUF32;
    s1_in_end  <= in_end;
    s1_w_end   <= w_end;
    s1_cp_end  <= cp_end;
    s1_out_end <= out_end;
  end

  // ---------------- stage 2: the rules in priority order ----------------
  logic [1023:0] e;
  assign e = s1_d;

  function automatic logic zp_bad(input logic [7:0] t, input logic [15:0] zp);
    logic signed [15:0] z;
    z = $signed(zp);
    if (t == npu_regs_pkg::TYPE_INT8_W)       zp_bad = z < -16'sd128 || z > 16'sd127;
    else if (t == npu_regs_pkg::TYPE_UINT8_W) zp_bad = z < 16'sd0 || z > 16'sd255;
    else                   zp_bad = z != 16'sd0;
  endfunction

  function automatic logic range_bad(input logic [31:0] start, input logic [63:0] stop,
                                     input logic [4:0] ml2);
    range_bad = ({32'd0, start} < RSVD) || (stop > (64'd1 << ml2)) || (stop <= {32'd0, start});
  endfunction

  logic [3:0]  err;
  logic [31:0] info;
  logic [7:0]  opc, ver, in_t, w_t, out_t, rq;
  logic [15:0] flags;
  logic signed [15:0] amin, amax, lo, hi;
  logic [31:0] rsv_off_conv, rsv_off_fence, rsv_off_nop;
  logic [31:0] e_in_addr, e_w_addr, e_cp_addr, e_out_addr, e_stats;
  logic [15:0] e_in_h, e_in_w, e_groups, e_cin, e_cout, e_out_h, e_out_w;
  logic [7:0]  e_kh, e_kw, e_sh, e_sw, e_dh, e_dw;
  logic        e_dwm, e_chain;

  always_comb begin
    opc = e[8*B_OPCODE +: 8];
    ver = e[8*B_VERSION +: 8];
    flags = e[8*B_FLAGS +: 16];
    in_t = e[8*B_IN_TYPE +: 8];
    w_t = e[8*B_W_TYPE +: 8];
    out_t = e[8*B_OUT_TYPE +: 8];
    rq = e[8*B_RQ_MODE +: 8];
    amin = $signed(e[8*B_ACT_MIN +: 16]);
    amax = $signed(e[8*B_ACT_MAX +: 16]);
    e_in_addr = e[8*B_IN_ADDR +: 32];
    e_w_addr = e[8*B_W_ADDR +: 32];
    e_cp_addr = e[8*B_CP_ADDR +: 32];
    e_out_addr = e[8*B_OUT_ADDR +: 32];
    e_stats = e[8*B_STATS +: 32];
    e_in_h = e[8*B_IN_H +: 16];  e_in_w = e[8*B_IN_W +: 16];
    e_groups = e[8*B_GROUPS +: 16];  e_cin = e[8*B_CIN +: 16];  e_cout = e[8*B_COUT +: 16];
    e_out_h = e[8*B_OUT_H +: 16];  e_out_w = e[8*B_OUT_W +: 16];
    e_kh = e[8*B_KH +: 8];  e_kw = e[8*B_KW +: 8];
    e_sh = e[8*B_SH +: 8];  e_sw = e[8*B_SW +: 8];
    e_dh = e[8*B_DH +: 8];  e_dw = e[8*B_DW +: 8];
    e_dwm = (flags & npu_regs_pkg::CONV_DEPTHWISE_W) != 16'd0;
    e_chain = (flags & (npu_regs_pkg::CONV_ACC_HOLD_W | npu_regs_pkg::CONV_ACC_CONT_W)) != 16'd0;
    lo = (out_t == npu_regs_pkg::TYPE_INT8_W) ? -16'sd128 : 16'sd0;
    hi = (out_t == npu_regs_pkg::TYPE_INT8_W) ? 16'sd127 : 16'sd255;

    // first nonzero reserved word of each layout (0: none)
    rsv_off_conv = 32'd0;
    for (int i = 0; i < N_CONV_RSV; i++)
      if (e[8*(124-4*i) +: 32] != 32'd0) rsv_off_conv = 124 - 4*i;
    rsv_off_fence = 32'd0;
    for (int i = 0; i < N_FENCE_RSV; i++)
      if (e[8*(124-4*i) +: 32] != 32'd0) rsv_off_fence = 124 - 4*i;
    rsv_off_nop = 32'd0;
    for (int i = 0; i < N_NOP_RSV; i++)
      if (e[8*(124-4*i) +: 32] != 32'd0) rsv_off_nop = 124 - 4*i;

    err = 4'd0;
    info = 32'd0;
    if (s1_inject) begin
      err = npu_regs_pkg::ERR_INTERNAL_W;
    end else if (opc > npu_regs_pkg::OP_FENCE_W) begin
      err = npu_regs_pkg::ERR_OPCODE_W;  info = B_OPCODE;
    end else if (ver != npu_regs_pkg::DESC_VERSION[7:0]) begin
      err = npu_regs_pkg::ERR_VERSION_W;  info = B_VERSION;
    end else if (opc == npu_regs_pkg::OP_CONV_W) begin
      if ((flags & ~npu_regs_pkg::CONV_FLAGS_ALL_W) != 16'd0 || (e_dwm && e_chain)) begin
        err = npu_regs_pkg::ERR_RESERVED_W;  info = B_FLAGS;
      end else if (rsv_off_conv != 32'd0) begin
        err = npu_regs_pkg::ERR_RESERVED_W;  info = rsv_off_conv;
      end else if (in_t > npu_regs_pkg::TYPE_UINT8_W) begin
        err = npu_regs_pkg::ERR_TYPE_W;  info = B_IN_TYPE;
      end else if (w_t > npu_regs_pkg::TYPE_UINT8_W) begin
        err = npu_regs_pkg::ERR_TYPE_W;  info = B_W_TYPE;
      end else if (out_t > npu_regs_pkg::TYPE_INT32_W) begin
        err = npu_regs_pkg::ERR_TYPE_W;  info = B_OUT_TYPE;
      end else if (rq > npu_regs_pkg::RQ_FP32_W || ((out_t == npu_regs_pkg::TYPE_INT32_W) != (rq == npu_regs_pkg::RQ_NONE_W))) begin
        err = npu_regs_pkg::ERR_TYPE_W;  info = B_RQ_MODE;
      end else if (e_in_h == 16'd0 || e_in_h > MAXDIM) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_IN_H;
      end else if (e_in_w == 16'd0 || e_in_w > MAXDIM) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_IN_W;
      end else if (e_groups == 16'd0) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_GROUPS;
      end else if (e_cin == 16'd0) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_CIN;
      end else if (e_cout == 16'd0) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_COUT;
      end else if (e_dwm && e_cin != 16'd1) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_CIN;
      end else if (e_dwm && e_cout != 16'd1) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_COUT;
      end else if (e_chain && e_groups != 16'd1) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_GROUPS;
      end else if (e_chain && e_cout > COLS16) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_COUT;
      end else if (e_out_h == 16'd0 || e_out_h > MAXDIM) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_OUT_H;
      end else if (e_out_w == 16'd0 || e_out_w > MAXDIM) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_OUT_W;
      end else if (e_kh == 8'd0 || e_kh > MAXK) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_KH;
      end else if (e_kw == 8'd0 || e_kw > MAXK) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_KW;
      end else if (e_sh == 8'd0 || e_sh > MAXS) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_SH;
      end else if (e_sw == 8'd0 || e_sw > MAXS) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_SW;
      end else if (e_dh == 8'd0 || e_dh > MAXD) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_DH;
      end else if (e_dw == 8'd0 || e_dw > MAXD) begin
        err = npu_regs_pkg::ERR_DIM_W;  info = B_DW;
      end else if (zp_bad(in_t, e[8*B_IN_ZP +: 16])) begin
        err = npu_regs_pkg::ERR_ZERO_POINT_W;  info = B_IN_ZP;
      end else if (zp_bad(out_t, e[8*B_OUT_ZP +: 16])) begin
        err = npu_regs_pkg::ERR_ZERO_POINT_W;  info = B_OUT_ZP;
      end else if (out_t == npu_regs_pkg::TYPE_INT32_W && amin != 16'sd0) begin
        err = npu_regs_pkg::ERR_CLAMP_W;  info = B_ACT_MIN;
      end else if (out_t == npu_regs_pkg::TYPE_INT32_W && amax != 16'sd0) begin
        err = npu_regs_pkg::ERR_CLAMP_W;  info = B_ACT_MAX;
      end else if (out_t != npu_regs_pkg::TYPE_INT32_W && (amin < lo || amin > hi)) begin
        err = npu_regs_pkg::ERR_CLAMP_W;  info = B_ACT_MIN;
      end else if (out_t != npu_regs_pkg::TYPE_INT32_W && (amax < lo || amax > hi || amax < amin)) begin
        err = npu_regs_pkg::ERR_CLAMP_W;  info = B_ACT_MAX;
      end else if (s1_geo_h) begin
        err = npu_regs_pkg::ERR_GEOMETRY_W;  info = B_OUT_H;
      end else if (s1_geo_w) begin
        err = npu_regs_pkg::ERR_GEOMETRY_W;  info = B_OUT_W;
      end else if (s1_ibuf) begin
        err = npu_regs_pkg::ERR_CAPACITY_W;  info = npu_regs_pkg::CAPERR_IBUF;
      end else if (s1_wbuf) begin
        err = npu_regs_pkg::ERR_CAPACITY_W;  info = npu_regs_pkg::CAPERR_WBUF;
      end else if (s1_acc) begin
        err = npu_regs_pkg::ERR_CAPACITY_W;  info = npu_regs_pkg::CAPERR_ACC;
      end else if (s1_pbuf) begin
        err = npu_regs_pkg::ERR_CAPACITY_W;  info = npu_regs_pkg::CAPERR_PBUF;
      end else if (range_bad(e_in_addr, s1_in_end, mem_log2)) begin
        err = npu_regs_pkg::ERR_ADDRESS_W;  info = B_IN_ADDR;
      end else if (range_bad(e_w_addr, s1_w_end, mem_log2)) begin
        err = npu_regs_pkg::ERR_ADDRESS_W;  info = B_W_ADDR;
      end else if (range_bad(e_cp_addr, s1_cp_end, mem_log2)) begin
        err = npu_regs_pkg::ERR_ADDRESS_W;  info = B_CP_ADDR;
      end else if (range_bad(e_out_addr, s1_out_end, mem_log2)) begin
        err = npu_regs_pkg::ERR_ADDRESS_W;  info = B_OUT_ADDR;
      end
    end else if (opc == npu_regs_pkg::OP_FENCE_W) begin
      if ((flags & ~npu_regs_pkg::FENCE_FLAGS_ALL_W) != 16'd0) begin
        err = npu_regs_pkg::ERR_RESERVED_W;  info = B_FLAGS;
      end else if (rsv_off_fence != 32'd0) begin
        err = npu_regs_pkg::ERR_RESERVED_W;  info = rsv_off_fence;
      end else if ((flags & npu_regs_pkg::FENCE_STATS_W) != 16'd0) begin
        if (range_bad(e_stats, {32'd0, e_stats} + STATS_BYTES, mem_log2)) begin
          err = npu_regs_pkg::ERR_ADDRESS_W;  info = B_STATS;
        end
      end else if (e_stats != 32'd0) begin
        err = npu_regs_pkg::ERR_RESERVED_W;  info = B_STATS;
      end
    end else begin
      if (flags != 16'd0) begin
        err = npu_regs_pkg::ERR_RESERVED_W;  info = B_FLAGS;
      end else if (rsv_off_nop != 32'd0) begin
        err = npu_regs_pkg::ERR_RESERVED_W;  info = rsv_off_nop;
      end
    end
  end

  always_ff @(posedge clk) begin
    out_valid <= s1_valid;
    out_err   <= err;
    out_info  <= info;
  end
endmodule
