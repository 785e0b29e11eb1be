// The compute engine: walks one loaded conv descriptor and streams it
// through the MAC array, one output pixel per cycle.
//
// Loop nest (outermost first): group g, output-channel slice kc (a "pass",
// accumulated in one accumulator bank), tap r, tap s, input-channel slice
// cc (one weight block each), output row oy, output column ox. Weight
// blocks are therefore read in exactly the packed order, one per
// (r, s, cc), and stay in the array for a whole pass over the tile's pixels.
//
// Pipeline: S0 issue (buffer reads) -> S1 operands -> S2 products/acc read
// -> S3 partial sums + accumulate/write. A pass hands its bank to the
// writeback through the slot protocol: setup (info, params) at pass start,
// commit when the last sum is written.
//
// Depthwise mode (NPU_CONV_DEPTHWISE): a pass is one channel slice (DWC
// channels) over one chunk of output rows that fits a bank; within it
// npu_dw_walk goes tap slice by tap slice, pixel by pixel, issuing gather
// reads of input columns into npu_dw_window. The pipeline gains one stage:
// S0 read -> D1 window append -> S1 (the pixel's window complete: operands)
// -> S2 -> S3 as above; only the read that completes a window goes on.
//
// Accumulator chains: a HOLD link's pass keeps its bank (the next link, a
// CONT, accumulates onto it from its first block) and hands the writeback
// an empty slot, which retires the descriptor in order.
module npu_compute #(
  parameter int unsigned ROWS       = 16,
  parameter int unsigned COLS       = 16,
  parameter int unsigned IBUF_BYTES = 131072,
  parameter int unsigned WBUF_BYTES = 131072,
  parameter int unsigned ACC_DEPTH  = 512,
  parameter int unsigned PBUF_DEPTH = 1024,
  parameter int unsigned BEAT       = 64,
  localparam int unsigned NB  = BEAT / ROWS,
  localparam int unsigned BA  = $clog2(NB),
  localparam int unsigned RA  = $clog2(IBUF_BYTES / ROWS) - BA,
  localparam int unsigned WA  = $clog2(IBUF_BYTES / ROWS),
  localparam int unsigned SA  = $clog2(ROWS),
  localparam int unsigned KA  = $clog2(WBUF_BYTES / (ROWS * COLS)),
  localparam int unsigned NA  = $clog2(PBUF_DEPTH),
  localparam int unsigned AW  = $clog2(ACC_DEPTH),
  localparam int unsigned BLK = ROWS * COLS
) (
  input  logic                clk,
  input  logic                rst_n,
  input  logic                flush,
  // loaded descriptor
  input  logic                rdy_valid,
  input  logic [1023:0]       rdy_desc,
  input  logic [15:0]         rdy_idx,
  input  logic                rdy_in_set,
  input  logic                rdy_w_set,
  input  logic                rdy_p_set,
  input  logic                rdy_err,
  // weight words (BEAT bytes) arrived in each weight set (the loader streams them)
  input  logic [2*($clog2(WBUF_BYTES / BEAT)+1)-1:0] w_words,
  input  logic [31:0]         rdy_err_info,
  output logic                rdy_take,
  // buffer sets are free again
  output logic                rel_valid,
  output logic                rel_in_set,
  output logic                rel_w_set,
  output logic                rel_p_set,
  // buffers
  output logic                ib_rd_en,
  output logic                ib_rd_set,
  output logic [WA-1:0]       ib_rd_word,
  output logic [SA-1:0]       ib_rd_shift,
  input  logic [ROWS*8-1:0]   ib_rd_data,
  output logic                ib_rd_gather,
  output logic [NB*RA-1:0]    ib_rd_bank_addr,
  input  logic [NB*ROWS*8-1:0] ib_rd_banks,
  output logic                wb_rd_en,
  output logic                wb_rd_set,
  output logic [KA-1:0]       wb_rd_block,
  input  logic [BLK*8-1:0]    wb_rd_data,
  output logic                pb_rd_en,
  output logic                pb_rd_set,
  output logic [NA-1:0]       pb_rd_rec,
  input  logic [COLS*128-1:0] pb_rd_data,
  output logic                acc_rd_en,
  output logic                acc_rd_bank,
  output logic [AW-1:0]       acc_rd_addr,
  input  logic [COLS*32-1:0]  acc_rd_data,
  output logic                acc_wr_en,
  output logic                acc_wr_bank,
  output logic [AW-1:0]       acc_wr_addr,
  output logic [COLS*32-1:0]  acc_wr_data,
  // writeback slots (one per accumulator bank)
  input  logic [1:0]          slot_busy,
  output logic                slot_setup,
  output logic                slot_setup_id,
  output logic [1023:0]       slot_desc,
  output logic [15:0]         slot_idx,
  output logic [31:0]         slot_chbase,
  output logic [5:0]          slot_nvalid,
  output logic [15:0]         slot_oy0,
  output logic [15:0]         slot_nrows,
  output logic                slot_last,
  output logic [COLS*128-1:0] slot_prow,
  output logic                slot_err,
  output logic [31:0]         slot_err_info,
  output logic                slot_commit,
  output logic                slot_commit_id,
  // status
  output logic                idle,
  output logic                busy_desc,     // holds a descriptor
  output logic                wait_bank,
  output logic                wait_weights,  // the next weight block has not arrived
  output logic                mac_issue,
  output logic [15:0]         macs_inc
);
  // Bit offsets of the descriptor fields (from npu_hw.h via npu_regs_pkg).
  localparam int unsigned O_IN_H    = 8 * npu_regs_pkg::CONV_in_h;
  localparam int unsigned O_IN_W    = 8 * npu_regs_pkg::CONV_in_w;
  localparam int unsigned O_GROUPS  = 8 * npu_regs_pkg::CONV_groups;
  localparam int unsigned O_CIN     = 8 * npu_regs_pkg::CONV_cin_pg;
  localparam int unsigned O_COUT    = 8 * npu_regs_pkg::CONV_cout_pg;
  localparam int unsigned O_OUT_H   = 8 * npu_regs_pkg::CONV_out_h;
  localparam int unsigned O_OUT_W   = 8 * npu_regs_pkg::CONV_out_w;
  localparam int unsigned O_KH      = 8 * npu_regs_pkg::CONV_kh;
  localparam int unsigned O_KW      = 8 * npu_regs_pkg::CONV_kw;
  localparam int unsigned O_SH      = 8 * npu_regs_pkg::CONV_stride_h;
  localparam int unsigned O_SW      = 8 * npu_regs_pkg::CONV_stride_w;
  localparam int unsigned O_DH      = 8 * npu_regs_pkg::CONV_dil_h;
  localparam int unsigned O_DW      = 8 * npu_regs_pkg::CONV_dil_w;
  localparam int unsigned O_PT      = 8 * npu_regs_pkg::CONV_pad_top;
  localparam int unsigned O_PL      = 8 * npu_regs_pkg::CONV_pad_left;
  localparam int unsigned O_IN_TYPE = 8 * npu_regs_pkg::CONV_in_type;
  localparam int unsigned O_W_TYPE  = 8 * npu_regs_pkg::CONV_w_type;
  localparam int unsigned O_IN_ZP   = 8 * npu_regs_pkg::CONV_in_zp;
  localparam int unsigned O_CP_WZP  = 8 * npu_regs_pkg::CP_w_zp;
  localparam int unsigned O_FLAGS   = 8 * npu_regs_pkg::HDR_flags;
  localparam int unsigned KS        = $clog2(COLS);
  localparam int unsigned DWC       = (ROWS < COLS) ? ROWS : COLS;
  localparam int unsigned LD        = $clog2(DWC);
  localparam int unsigned LW        = $clog2(ROWS + 1);
  localparam logic [16:0] DWC17     = DWC[16:0];
  localparam logic [5:0]  DWC6      = DWC[5:0];
  localparam logic [AW:0] ACCD      = ACC_DEPTH[AW:0];
  localparam logic [16:0] ROWS17    = ROWS[16:0];
  localparam logic [16:0] COLS17    = COLS[16:0];
  localparam logic [15:0] ROWS16    = ROWS[15:0];
  localparam logic [5:0]  ROWS6     = ROWS[5:0];
  localparam logic [5:0]  COLS6     = COLS[5:0];

  typedef enum logic [2:0] {C_IDLE, C_SETUP, C_DIV, C_PASS, C_PASS2, C_RUN, C_ERR, C_BLOCK} cstate_e;
  cstate_e st;

  // ---- descriptor fields ----
  logic [1023:0] d;
  logic [15:0]   idx_q;
  logic          in_set, w_set, p_set;
  logic [31:0]   err_info_q;

  logic [15:0] f_in_h, f_in_w, f_groups, f_cin, f_cout, f_out_h, f_out_w;
  logic [7:0]  f_kh, f_kw, f_sh, f_sw, f_dh, f_dw, f_pt, f_pl;
  logic        f_in_signed, f_w_signed, f_dwm;
  logic        f_hold, f_cont;   // accumulator chain: keep the sums / start from them
  logic [8:0]  f_in_zp;    // valid zero points fit 9 bits signed
  always_comb begin
    f_dwm    = (d[O_FLAGS +: 16] & npu_regs_pkg::CONV_DEPTHWISE_W) != 16'd0;
    f_hold   = (d[O_FLAGS +: 16] & npu_regs_pkg::CONV_ACC_HOLD_W) != 16'd0;
    f_cont   = (d[O_FLAGS +: 16] & npu_regs_pkg::CONV_ACC_CONT_W) != 16'd0;
    f_in_h   = d[O_IN_H +: 16];
    f_in_w   = d[O_IN_W +: 16];
    f_groups = d[O_GROUPS +: 16];
    f_cin    = d[O_CIN +: 16];
    f_cout   = d[O_COUT +: 16];
    f_out_h  = d[O_OUT_H +: 16];
    f_out_w  = d[O_OUT_W +: 16];
    f_kh     = d[O_KH +: 8];
    f_kw     = d[O_KW +: 8];
    f_sh     = d[O_SH +: 8];
    f_sw     = d[O_SW +: 8];
    f_dh     = d[O_DH +: 8];
    f_dw     = d[O_DW +: 8];
    f_pt     = d[O_PT +: 8];
    f_pl     = d[O_PL +: 8];
    f_in_signed = d[O_IN_TYPE +: 8] == npu_regs_pkg::TYPE_INT8_W;
    f_w_signed  = d[O_W_TYPE +: 8] == npu_regs_pkg::TYPE_INT8_W;
    f_in_zp  = d[O_IN_ZP +: 9];
  end

  // ---- per-descriptor derived values (C_SETUP) ----
  logic [31:0] pw;        // words per input pixel
  logic [31:0] rw;        // words per input row
  logic [15:0] n_cc;      // input-channel slices per group
  logic [15:0] n_kc;      // output-channel slices per group
  logic [31:0] ch_in;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [16:0] n_kc_full;
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_off UNUSEDSIGNAL */
  logic [47:0] rw_full;   // capacity checks keep the product far below 2^32
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    ch_in = {16'd0, f_groups} * {16'd0, f_cin};
    rw_full = {16'd0, f_in_w} * {16'd0, pw};
    n_kc_full = ({1'b0, f_cout} + COLS17 - 17'd1) >> KS;
  end

  // ---- loop counters ----
  logic [15:0] g, kc, cc, oy, ox;
  logic [7:0]  r, s;
  logic [31:0] blk;
  logic [31:0] blk_base;            // first block of the current (group, channel slice)
  logic [31:0] boff_g;              // g * cin_pg
  logic [31:0] boff;                // byte of the slice within a pixel
  logic [16:0] rem_c;               // cin_pg - cc*ROWS
  logic [16:0] rem_k;               // cout_pg - kc*COLS
  logic signed [17:0] ty, tx;       // r*dh - pt, s*dw - pl
  logic signed [17:0] iy, ix;
  logic [15:0] p;
  logic        bank;
  logic [8:0]  wzp_q [COLS];

  logic [5:0]  rows_valid, cols_valid;
  logic [5:0]  dw_nvalid_c;
  always_comb begin
    rows_valid = (rem_c > ROWS17) ? ROWS6 : rem_c[5:0];
    cols_valid = f_dwm ? dw_nvalid_c : (rem_k > COLS17) ? COLS6 : rem_k[5:0];
  end

  logic last_ox, last_oy, last_cc, last_s, last_r, last_kc, last_g;
  logic last_pix, last_blk, last_pass;
  always_comb begin
    last_ox = ox == f_out_w - 16'd1;
    last_oy = oy == oyc + dw_nrows - 16'd1;   // the chunk's last row
    last_cc = cc == n_cc - 16'd1;
    last_s  = s == f_kw - 8'd1;
    last_r  = r == f_kh - 8'd1;
    last_kc = kc == n_kc - 16'd1;
    last_g  = g == f_groups - 16'd1;
    last_pix  = last_ox && last_oy;
    last_blk  = last_cc && last_s && last_r;
    last_pass = last_kc && last_g && dw_last_chunk;
  end

  // ---- depthwise mode: passes (channel slice cs, chunk of rows from oyc) ----
  logic [15:0] cs, oyc, rpc;
  logic [16:0] rem_g;               // groups - cs*DWC
  logic [31:0] blk0;                // first weight block of the channel slice
  logic [7:0]  dwg_tw, dwg_th, dwg_nsx, dwg_nsy;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [15:0] dwg_ncs;             // the walk over cs ends by rem_g
  /* verilator lint_on UNUSEDSIGNAL */
  npu_dw_geom #(.ROWS(ROWS), .COLS(COLS)) u_dw_geom (
    .kh(f_kh), .kw(f_kw), .groups(f_groups),
    .tw(dwg_tw), .th(dwg_th), .n_sx(dwg_nsx), .n_sy(dwg_nsy), .n_cs(dwg_ncs));

  // rows per chunk: floor(ACC_DEPTH / out_w), by restoring division in C_DIV
  localparam int unsigned DI = $clog2(AW + 1);
  localparam logic [DI-1:0] AWI = AW[DI-1:0];
  logic [15:0]   div_rem;
  logic [16:0]   div_sh;
  logic [AW:0]   div_q;
  logic [DI-1:0] div_i;
  always_comb div_sh = {div_rem[15:0], ACCD[div_i]};
  // a tile that fits a bank is one chunk (no division needed)
  logic [31:0] px_full;
  logic        fits_bank;
  always_comb begin
    px_full   = {16'd0, f_out_h} * {16'd0, f_out_w};
    fits_bank = px_full <= {{(31-AW){1'b0}}, ACCD};
  end

  // chunks of output rows that fit a bank, in both modes
  logic signed [17:0] yc;           // input row of the chunk's first output row, r = 0
  /* verilator lint_off UNUSEDSIGNAL */
  logic [23:0] yc_full;             // the geometry check keeps it within 17 bits
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    yc_full = {8'd0, oyc} * {16'd0, f_sh};
    yc      = $signed({1'b0, yc_full[16:0]}) - $signed({10'd0, f_pt});
  end
  logic [15:0] dw_nrows;            // rows of the current chunk
  logic [5:0]  dw_nvalid;           // channels of the current slice
  logic        dw_last_chunk, dw_last_cs;
  logic [15:0] rows_left;
  always_comb begin
    rows_left     = f_out_h - oyc;
    dw_nrows      = (rows_left < rpc) ? rows_left : rpc;
    dw_nvalid     = (rem_g > DWC17) ? DWC6 : rem_g[5:0];
    dw_nvalid_c   = dw_nvalid;
    dw_last_chunk = rows_left <= rpc;
    dw_last_cs    = rem_g <= DWC17;
  end

  logic [NB*RA-1:0] dw_bank_addr;
  logic [NB*BA-1:0] dw_row_bank;
  logic [NB-1:0]    dw_row_keep;
  logic [BA:0]      dw_m;
  logic [LW-1:0]    dw_taps;
  logic             dw_fire, dw_ts_last, dw_pix_last, dw_done;
  logic [15:0]      dw_p;
  logic [7:0]       dw_ts;
  logic [31:0]      dw_cbyte;       // byte of the channel slice within a pixel
  assign dw_cbyte = {16'd0, cs} << LD;
  npu_dw_walk #(.ROWS(ROWS), .NB(NB), .WA(WA)) u_dw_walk (
    .clk,
    .kh(f_kh), .kw(f_kw), .sh(f_sh), .sw(f_sw), .dh(f_dh), .dw(f_dw), .pt(f_pt), .pl(f_pl),
    .in_h(f_in_h), .in_w(f_in_w), .out_w(f_out_w), .pw, .rwp(rw),
    .tw_full(dwg_tw), .th_full(dwg_th),
    .start(st == C_PASS2 && f_dwm), .cw(dw_cbyte >> SA), .oy0(oyc), .nrows(dw_nrows),
    .run(issue && f_dwm),
    .bank_addr(dw_bank_addr), .row_bank(dw_row_bank), .row_keep(dw_row_keep), .m(dw_m),
    .taps(dw_taps), .fire(dw_fire), .p(dw_p), .ts(dw_ts), .ts_last(dw_ts_last),
    .pix_last(dw_pix_last), .done(dw_done));

  // D1: the read's words arrive and join the window
  logic             d1_valid, d1_fire, d1_newblk, d1_first, d1_last, d1_bank;
  logic [AW-1:0]    d1_p;
  logic [BA:0]      d1_m;
  logic [LW-1:0]    d1_taps;
  logic [NB*BA-1:0] d1_row_bank;
  logic [NB-1:0]    d1_row_keep;
  logic [SA-1:0]    d1_boff;
  logic [5:0]       d1_nvalid;
  logic [KA-1:0]    d1_blk;
  logic [ROWS*COLS*9-1:0] win_act;
  npu_dw_window #(.ROWS(ROWS), .COLS(COLS), .NB(NB)) u_dw_window (
    .clk, .append(d1_valid), .m(d1_m), .taps(d1_taps), .row_bank(d1_row_bank),
    .row_keep(d1_row_keep), .byte_off(d1_boff), .bank_data(ib_rd_banks),
    .act_signed(f_in_signed), .act_zp(f_in_zp), .act(win_act));

  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] dw_blk;      // the weight capacity check bounds it to KA bits
  /* verilator lint_on UNUSEDSIGNAL */
  assign dw_blk = blk0 + {24'd0, dw_ts};

  // ---- weights arrive while the descriptor computes: wait for a block ----
  localparam int unsigned VA  = $clog2(WBUF_BYTES / BEAT);
  localparam int unsigned LBW = $clog2(BLK / BEAT);     // log2 words per block
  logic [VA:0]  w_have;        // words of the current weight set arrived
  logic [31:0]  w_need_blk;    // the block the next issue starts
  logic         w_need;        // the next issue starts a block
  logic         w_ok;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [32:0]  w_blocks;      // arrived blocks, compared in full
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    w_have     = w_set ? w_words[VA+1 +: VA+1] : w_words[0 +: VA+1];
    w_blocks   = {{(32-VA){1'b0}}, w_have} >> LBW;
    w_need     = f_dwm ? (dw_p == 16'd0) : (p == 16'd0);
    w_need_blk = f_dwm ? dw_blk : blk;
    w_ok       = !w_need || ({1'b0, w_need_blk} < w_blocks);
  end

  // ---- S0: issue ----
  logic        issue;
  logic        pix_ok;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] word_full;   // capacity checks bound it to WA bits
  /* verilator lint_on UNUSEDSIGNAL */
  logic [ROWS-1:0] keep;
  always_comb begin
    issue = (st == C_RUN) && w_ok;
    pix_ok = (iy >= 0) && (iy < $signed({2'b00, f_in_h})) &&
             (ix >= 0) && (ix < $signed({2'b00, f_in_w}));
    word_full = {14'd0, iy[17:0]} * rw + {14'd0, ix[17:0]} * pw + (boff >> SA);
    for (int c = 0; c < ROWS; c++) keep[c] = pix_ok && (c < {26'd0, rows_valid});
  end


  assign ib_rd_en        = issue;
  assign ib_rd_set       = in_set;
  assign ib_rd_word      = pix_ok ? word_full[WA-1:0] : '0;
  assign ib_rd_shift     = boff[SA-1:0];
  assign ib_rd_gather    = f_dwm;
  assign ib_rd_bank_addr = dw_bank_addr;
  // depthwise: the block is read when its first window completes (D1), so
  // that it arrives with that window at S1 even when the previous tap slice
  // had one pixel and its S1 came just before
  assign wb_rd_en        = f_dwm ? (d1_valid && d1_fire && d1_newblk) : (issue && (p == 16'd0));
  assign wb_rd_set       = w_set;
  assign wb_rd_block     = f_dwm ? d1_blk : blk[KA-1:0];

  // ---- pipeline registers ----
  logic            s1_valid, s1_newblk, s1_first, s1_last, s1_bank, s1_dw;
  logic [ROWS-1:0] s1_keep;
  logic [AW-1:0]   s1_p;
  logic [LW-1:0]   s1_taps;
  logic [5:0]      s1_nvalid;

  // in depthwise mode the MAC array works at S1, one pixel's window at a time
  assign mac_issue = (issue && !f_dwm) || (s1_valid && s1_dw);
  assign macs_inc  = (s1_valid && s1_dw) ? {{(10-LW+6){1'b0}}, s1_taps} * {10'd0, s1_nvalid} :
                     {10'd0, rows_valid} * {10'd0, cols_valid};
  logic [ROWS-1:0] s1_dw_keep;      // the window's entries that hold taps
  always_comb
    for (int t = 0; t < ROWS; t++) s1_dw_keep[t] = t < int'(s1_taps);
  logic            s2_valid, s2_first, s2_last, s2_bank;
  logic [AW-1:0]   s2_p;
  logic            s3_valid, s3_first, s3_last, s3_bank, s3_fwd;
  logic [AW-1:0]   s3_p;
  logic [COLS*32-1:0] last_sum;
  logic [COLS*9-1:0]  wzp_flat;

  always_comb for (int k = 0; k < COLS; k++) wzp_flat[k*9 +: 9] = wzp_q[k];

  /* verilator lint_off UNUSEDSIGNAL */
  logic              mac_valid;   // the S3 valid bit tracks it
  /* verilator lint_on UNUSEDSIGNAL */
  logic [COLS*32-1:0] psum;
  npu_mac_array #(.ROWS(ROWS), .COLS(COLS)) u_mac (
    .clk,
    .in_valid(s1_valid), .act_raw(ib_rd_data), .act_keep(s1_dw ? s1_dw_keep : s1_keep),
    .act_signed(f_in_signed), .act_zp(f_in_zp), .act_dw(s1_dw), .act2(win_act),
    .load_w(s1_valid && s1_newblk), .w_raw(wb_rd_data), .w_signed(f_w_signed),
    .w_zp(wzp_flat),
    .out_valid(mac_valid), .psum(psum));

  always_ff @(posedge clk) begin
    if (!rst_n || flush) begin
      d1_valid <= 1'b0;
      s1_valid <= 1'b0;
      s2_valid <= 1'b0;
      s3_valid <= 1'b0;
    end else begin
      d1_valid <= issue && f_dwm;
      s1_valid <= f_dwm ? (d1_valid && d1_fire) : issue;
      s2_valid <= s1_valid;
      s3_valid <= s2_valid;
    end
    // depthwise: S0 -> D1
    d1_fire     <= dw_fire;
    d1_newblk   <= dw_p == 16'd0;
    d1_first    <= dw_ts == 8'd0;
    d1_last     <= dw_ts_last && dw_pix_last;
    d1_bank     <= bank;
    d1_p        <= dw_p[AW-1:0];
    d1_m        <= dw_m;
    d1_taps     <= dw_taps;
    d1_row_bank <= dw_row_bank;
    d1_row_keep <= dw_row_keep;
    d1_boff     <= dw_cbyte[SA-1:0];
    d1_nvalid   <= cols_valid;
    d1_blk      <= dw_blk[KA-1:0];
    // S1 takes from D1 in depthwise mode, from S0 otherwise
    s1_dw     <= f_dwm;
    s1_taps   <= d1_taps;
    s1_nvalid <= d1_nvalid;
    s1_newblk <= f_dwm ? d1_newblk : p == 16'd0;
    s1_first  <= f_dwm ? d1_first : (r == 8'd0) && (s == 8'd0) && (cc == 16'd0) && !f_cont;
    s1_last   <= f_dwm ? d1_last : last_blk && last_pix;
    s1_bank   <= f_dwm ? d1_bank : bank;
    s1_keep   <= keep;
    s1_p      <= f_dwm ? d1_p : p[AW-1:0];
    s2_first  <= s1_first;
    s2_last   <= s1_last;
    s2_bank   <= s1_bank;
    s2_p      <= s1_p;
    s3_first  <= s2_first;
    s3_last   <= s2_last;
    s3_bank   <= s2_bank;
    s3_p      <= s2_p;
    // The read for the item entering S3 happened at this very edge: if the
    // item leaving S3 writes the same entry now, the read saw stale data.
    s3_fwd    <= s3_valid && s2_valid && (s3_p == s2_p) && (s3_bank == s2_bank);
    if (s3_valid) last_sum <= acc_wr_data;
  end

  // ---- S2: accumulator read; S3: accumulate and write ----
  assign acc_rd_en   = s2_valid && !s2_first;
  assign acc_rd_bank = s2_bank;
  assign acc_rd_addr = s2_p;
  always_comb begin
    for (int k = 0; k < COLS; k++) begin
      if (s3_first)    acc_wr_data[k*32 +: 32] = psum[k*32 +: 32];
      else if (s3_fwd) acc_wr_data[k*32 +: 32] = last_sum[k*32 +: 32] + psum[k*32 +: 32];
      else             acc_wr_data[k*32 +: 32] = acc_rd_data[k*32 +: 32] + psum[k*32 +: 32];
    end
  end
  assign acc_wr_en   = s3_valid;
  assign acc_wr_bank = s3_bank;
  assign acc_wr_addr = s3_p;
  assign slot_commit    = s3_valid && s3_last;
  assign slot_commit_id = s3_bank;

  // ---- control ----
  // a new descriptor waits until the last depthwise read left D1 (S1 still
  // reads descriptor fields for it)
  assign rdy_take  = (st == C_IDLE) && rdy_valid && !d1_valid;
  assign wait_bank = (st == C_PASS) && slot_busy[bank];
  assign wait_weights = (st == C_RUN) && !w_ok;
  assign pb_rd_en  = (st == C_PASS) && !slot_busy[bank];
  assign pb_rd_set = p_set;
  logic [31:0] rec_base;
  assign rec_base  = f_dwm ? dw_cbyte : {16'd0, g} * {16'd0, f_cout} + ({16'd0, kc} << KS);
  assign pb_rd_rec = rec_base[NA-1:0];

  assign slot_setup    = (st == C_PASS2) || ((st == C_ERR) && !slot_busy[bank]);
  assign slot_setup_id = bank;
  assign slot_desc     = d;
  assign slot_idx      = idx_q;
  assign slot_chbase   = rec_base;
  assign slot_nvalid   = cols_valid;
  assign slot_oy0      = oyc;
  // a HOLD link writes nothing: its slot is a token that retires it in order
  assign slot_nrows    = (f_hold && !f_dwm) ? 16'd0 : dw_nrows;
  assign slot_last     = f_dwm ? (dw_last_chunk && dw_last_cs) : last_pass;
  assign slot_prow     = pb_rd_data;
  assign slot_err      = (st == C_ERR);
  assign slot_err_info = err_info_q;

  assign idle = (st == C_IDLE) && !d1_valid && !s1_valid && !s2_valid && !s3_valid;
  assign busy_desc = (st != C_IDLE);

  // release the buffer sets once the last item's reads are done
  always_ff @(posedge clk) begin
    rel_valid  <= 1'b0;
    if (rst_n && !flush && ((issue && (f_dwm ? dw_done && dw_last_chunk && dw_last_cs :
                                               last_blk && last_pix && last_pass)) ||
                            (st == C_ERR && !slot_busy[bank]))) begin
      rel_valid  <= 1'b1;
      rel_in_set <= in_set;
      rel_w_set  <= w_set;
      rel_p_set  <= p_set;
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n || flush) begin
      st   <= C_IDLE;
      bank <= 1'b0;
    end else begin
      case (st)
        C_IDLE: if (rdy_valid && !d1_valid) begin
          d          <= rdy_desc;
          idx_q      <= rdy_idx;
          in_set     <= rdy_in_set;
          w_set      <= rdy_w_set;
          p_set      <= rdy_p_set;
          err_info_q <= rdy_err_info;
          st         <= rdy_err ? C_ERR : C_SETUP;
        end
        C_SETUP: begin
          pw     <= (ch_in + ROWS - 1) >> SA;
          n_cc   <= (f_cin + ROWS16 - 16'd1) >> SA;
          n_kc   <= n_kc_full[15:0];
          g      <= 16'd0;
          kc     <= 16'd0;
          boff_g <= 32'd0;
          rem_k  <= {1'b0, f_cout};
          blk    <= 32'd0;
          blk_base <= 32'd0;
          // depthwise: channel slices, chunks of rows that fit a bank
          cs      <= 16'd0;
          rem_g   <= {1'b0, f_groups};
          blk0    <= 32'd0;
          oyc     <= 16'd0;
          div_rem <= 16'd0;
          div_q   <= '0;
          div_i   <= AWI;
          rpc     <= f_out_h;
          st      <= (f_dwm || !fits_bank) ? C_DIV : C_PASS;
        end
        C_DIV: begin
          // the remainder stays below out_w, so 16 bits hold it
          if (div_sh >= {1'b0, f_out_w}) begin
            div_rem <= 16'(div_sh - {1'b0, f_out_w});
            div_q[div_i] <= 1'b1;
          end else begin
            div_rem <= div_sh[15:0];
          end
          if (div_i == '0) begin
            // floor(ACC_DEPTH / out_w): the last quotient bit is set at this edge
            rpc <= {{(15-AW){1'b0}}, div_q[AW:1],
                    div_sh >= {1'b0, f_out_w}} | {{(15-AW){1'b0}}, div_q};
            st  <= C_PASS;
          end else begin
            div_i <= div_i - 1'b1;
          end
        end
        C_PASS: begin
          rw <= rw_full[31:0] | {31'd0, f_dwm};
          if (!slot_busy[bank]) st <= C_PASS2;
          // start of a pass: first block, first pixel
          r     <= 8'd0;
          s     <= 8'd0;
          cc    <= 16'd0;
          rem_c <= {1'b0, f_cin};
          boff  <= boff_g;
          ty    <= yc;
          tx    <= -$signed({10'd0, f_pl});
          iy    <= yc;
          ix    <= -$signed({10'd0, f_pl});
          oy    <= oyc;
          ox    <= 16'd0;
          p     <= 16'd0;
          blk   <= blk_base;
        end
        C_PASS2: begin
          for (int k = 0; k < COLS; k++) wzp_q[k] <= pb_rd_data[k*128 + O_CP_WZP +: 9];
          st <= C_RUN;
        end
        C_RUN: if (!w_ok) begin
          // the next weight block is still on its way
        end else if (f_dwm) begin
          if (dw_done) begin
            // end of the pass: the next chunk of rows, else the next channel slice
            bank <= ~bank;
            if (!dw_last_chunk) begin
              oyc <= oyc + dw_nrows;
              st  <= C_PASS;
            end else if (!dw_last_cs) begin
              oyc   <= 16'd0;
              cs    <= cs + 16'd1;
              rem_g <= rem_g - DWC17;
              blk0  <= blk0 + {16'd0, {8'd0, dwg_nsx} * {8'd0, dwg_nsy}};
              st    <= C_PASS;
            end else begin
              st <= C_IDLE;
            end
          end
        end else begin
          if (!last_pix) begin
            p <= p + 16'd1;
            if (last_ox) begin
              ox <= 16'd0;
              oy <= oy + 16'd1;
              ix <= tx;
              iy <= iy + $signed({10'd0, f_sh});
            end else begin
              ox <= ox + 16'd1;
              ix <= ix + $signed({10'd0, f_sw});
            end
          end else begin
            // next weight block
            p   <= 16'd0;
            ox  <= 16'd0;
            oy  <= oyc;
            blk <= blk + 32'd1;
            if (!last_cc) begin
              cc    <= cc + 16'd1;
              rem_c <= rem_c - ROWS17;
              boff  <= boff + ROWS;
              iy    <= ty;
              ix    <= tx;
            end else begin
              cc    <= 16'd0;
              rem_c <= {1'b0, f_cin};
              boff  <= boff_g;
              if (!last_s) begin
                s  <= s + 8'd1;
                tx <= tx + $signed({10'd0, f_dw});
                iy <= ty;
                ix <= tx + $signed({10'd0, f_dw});
              end else begin
                s  <= 8'd0;
                tx <= -$signed({10'd0, f_pl});
                ix <= -$signed({10'd0, f_pl});
                if (!last_r) begin
                  r  <= r + 8'd1;
                  ty <= ty + $signed({10'd0, f_dh});
                  iy <= ty + $signed({10'd0, f_dh});
                end else begin
                  // end of the pass; a HOLD link keeps its bank for the next link
                  if (!f_hold) bank <= ~bank;
                  if (!dw_last_chunk) begin
                    // the next chunk of rows: the same blocks again
                    oyc <= oyc + dw_nrows;
                    st  <= C_PASS;
                  end else if (!last_kc) begin
                    oyc      <= 16'd0;
                    blk_base <= blk + 32'd1;
                    kc       <= kc + 16'd1;
                    rem_k    <= rem_k - COLS17;
                    st       <= C_PASS;
                  end else if (!last_g) begin
                    oyc      <= 16'd0;
                    blk_base <= blk + 32'd1;
                    kc       <= 16'd0;
                    rem_k    <= {1'b0, f_cout};
                    g        <= g + 16'd1;
                    boff_g   <= boff_g + {16'd0, f_cin};
                    st       <= C_PASS;
                  end else begin
                    st <= C_IDLE;
                  end
                end
              end
            end
          end
        end
        C_ERR: if (!slot_busy[bank]) begin
          bank <= ~bank;
          st   <= C_BLOCK;
        end
        default: ;  // C_BLOCK: an error is pending; only a flush leaves it
      endcase
    end
  end
endmodule
