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
module npu_compute #(
  parameter int unsigned ROWS       = 16,
  parameter int unsigned COLS       = 16,
  parameter int unsigned IBUF_BYTES = 131072,
  parameter int unsigned WBUF_BYTES = 131072,
  parameter int unsigned ACC_DEPTH  = 512,
  parameter int unsigned PBUF_DEPTH = 1024,
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
  localparam int unsigned KS        = $clog2(COLS);
  localparam logic [16:0] ROWS17    = ROWS[16:0];
  localparam logic [16:0] COLS17    = COLS[16:0];
  localparam logic [15:0] ROWS16    = ROWS[15:0];
  localparam logic [5:0]  ROWS6     = ROWS[5:0];
  localparam logic [5:0]  COLS6     = COLS[5:0];

  typedef enum logic [2:0] {C_IDLE, C_SETUP, C_PASS, C_PASS2, C_RUN, C_ERR, C_BLOCK} cstate_e;
  cstate_e st;

  // ---- descriptor fields ----
  logic [1023:0] d;
  logic [15:0]   idx_q;
  logic          in_set, w_set, p_set;
  logic [31:0]   err_info_q;

  logic [15:0] f_in_h, f_in_w, f_groups, f_cin, f_cout, f_out_h, f_out_w;
  logic [7:0]  f_kh, f_kw, f_sh, f_sw, f_dh, f_dw, f_pt, f_pl;
  logic        f_in_signed, f_w_signed;
  logic [8:0]  f_in_zp;    // valid zero points fit 9 bits signed
  always_comb begin
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
  always_comb begin
    rows_valid = (rem_c > ROWS17) ? ROWS6 : rem_c[5:0];
    cols_valid = (rem_k > COLS17) ? COLS6 : rem_k[5:0];
  end

  logic last_ox, last_oy, last_cc, last_s, last_r, last_kc, last_g;
  logic last_pix, last_blk, last_pass;
  always_comb begin
    last_ox = ox == f_out_w - 16'd1;
    last_oy = oy == f_out_h - 16'd1;
    last_cc = cc == n_cc - 16'd1;
    last_s  = s == f_kw - 8'd1;
    last_r  = r == f_kh - 8'd1;
    last_kc = kc == n_kc - 16'd1;
    last_g  = g == f_groups - 16'd1;
    last_pix  = last_ox && last_oy;
    last_blk  = last_cc && last_s && last_r;
    last_pass = last_kc && last_g;
  end

  // ---- S0: issue ----
  logic        issue;
  logic        pix_ok;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] word_full;   // capacity checks bound it to WA bits
  /* verilator lint_on UNUSEDSIGNAL */
  logic [ROWS-1:0] keep;
  always_comb begin
    issue = (st == C_RUN);
    pix_ok = (iy >= 0) && (iy < $signed({2'b00, f_in_h})) &&
             (ix >= 0) && (ix < $signed({2'b00, f_in_w}));
    word_full = {14'd0, iy[17:0]} * rw + {14'd0, ix[17:0]} * pw + (boff >> SA);
    for (int c = 0; c < ROWS; c++) keep[c] = pix_ok && (c < {26'd0, rows_valid});
  end

  assign ib_rd_en    = issue;
  assign ib_rd_set   = in_set;
  assign ib_rd_word  = pix_ok ? word_full[WA-1:0] : '0;
  assign ib_rd_shift = boff[SA-1:0];
  assign wb_rd_en    = issue && (p == 16'd0);
  assign wb_rd_set   = w_set;
  assign wb_rd_block = blk[KA-1:0];

  assign mac_issue = issue;
  assign macs_inc  = {10'd0, rows_valid} * {10'd0, cols_valid};

  // ---- pipeline registers ----
  logic            s1_valid, s1_newblk, s1_first, s1_last, s1_bank;
  logic [ROWS-1:0] s1_keep;
  logic [AW-1:0]   s1_p;
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
    .in_valid(s1_valid), .act_raw(ib_rd_data), .act_keep(s1_keep),
    .act_signed(f_in_signed), .act_zp(f_in_zp),
    .load_w(s1_valid && s1_newblk), .w_raw(wb_rd_data), .w_signed(f_w_signed),
    .w_zp(wzp_flat),
    .out_valid(mac_valid), .psum(psum));

  always_ff @(posedge clk) begin
    if (!rst_n || flush) begin
      s1_valid <= 1'b0;
      s2_valid <= 1'b0;
      s3_valid <= 1'b0;
    end else begin
      s1_valid <= issue;
      s2_valid <= s1_valid;
      s3_valid <= s2_valid;
    end
    s1_newblk <= p == 16'd0;
    s1_first  <= (r == 8'd0) && (s == 8'd0) && (cc == 16'd0);
    s1_last   <= last_blk && last_pix;
    s1_bank   <= bank;
    s1_keep   <= keep;
    s1_p      <= p[AW-1:0];
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
  assign rdy_take  = (st == C_IDLE) && rdy_valid;
  assign wait_bank = (st == C_PASS) && slot_busy[bank];
  assign pb_rd_en  = (st == C_PASS) && !slot_busy[bank];
  assign pb_rd_set = p_set;
  logic [31:0] rec_base;
  assign rec_base  = {16'd0, g} * {16'd0, f_cout} + ({16'd0, kc} << KS);
  assign pb_rd_rec = rec_base[NA-1:0];

  assign slot_setup    = (st == C_PASS2) || ((st == C_ERR) && !slot_busy[bank]);
  assign slot_setup_id = bank;
  assign slot_desc     = d;
  assign slot_idx      = idx_q;
  assign slot_chbase   = rec_base;
  assign slot_nvalid   = cols_valid;
  assign slot_last     = last_pass;
  assign slot_prow     = pb_rd_data;
  assign slot_err      = (st == C_ERR);
  assign slot_err_info = err_info_q;

  assign idle = (st == C_IDLE) && !s1_valid && !s2_valid && !s3_valid;
  assign busy_desc = (st != C_IDLE);

  // release the buffer sets once the last item's reads are done
  always_ff @(posedge clk) begin
    rel_valid  <= 1'b0;
    if (rst_n && !flush && ((issue && last_blk && last_pix && last_pass) || (st == C_ERR && !slot_busy[bank]))) begin
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
        C_IDLE: if (rdy_valid) begin
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
          st     <= C_PASS;
        end
        C_PASS: begin
          rw <= rw_full[31:0];
          if (!slot_busy[bank]) st <= C_PASS2;
          // start of a pass: first block, first pixel
          r     <= 8'd0;
          s     <= 8'd0;
          cc    <= 16'd0;
          rem_c <= {1'b0, f_cin};
          boff  <= boff_g;
          ty    <= -$signed({10'd0, f_pt});
          tx    <= -$signed({10'd0, f_pl});
          iy    <= -$signed({10'd0, f_pt});
          ix    <= -$signed({10'd0, f_pl});
          oy    <= 16'd0;
          ox    <= 16'd0;
          p     <= 16'd0;
        end
        C_PASS2: begin
          for (int k = 0; k < COLS; k++) wzp_q[k] <= pb_rd_data[k*128 + O_CP_WZP +: 9];
          st <= C_RUN;
        end
        C_RUN: begin
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
            oy  <= 16'd0;
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
                  // end of the pass
                  bank <= ~bank;
                  if (!last_kc) begin
                    kc    <= kc + 16'd1;
                    rem_k <= rem_k - COLS17;
                    st    <= C_PASS;
                  end else if (!last_g) begin
                    kc     <= 16'd0;
                    rem_k  <= {1'b0, f_cout};
                    g      <= g + 16'd1;
                    boff_g <= boff_g + {16'd0, f_cin};
                    st     <= C_PASS;
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
