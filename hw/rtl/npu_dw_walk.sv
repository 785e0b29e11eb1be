// Depthwise mode: the walk through one pass (one channel slice, one chunk
// of output rows). For each tap slice, each output pixel of the chunk (row
// by row), it reads the input columns the pixel's window does not hold
// yet: all of them at the start of a row, only the stride's new ones after
// that (when the kernel is not dilated across). A column is read up to MRD
// rows per cycle: input rows sit on an odd number of buffer words, so rows
// dh apart fall in different banks as long as MRD * dh does not wrap the
// bank count; MRD = NB >> (trailing zeros of dh). Each read names, for
// every bank, the row address it serves, and the read that completes a
// pixel's window is flagged (fire). One read per cycle while `run` is high.
//
// Coordinates are signed: a window column or row outside the tile is
// padding (its entries are kept as zero); its read still takes its cycle.
module npu_dw_walk #(
  parameter int unsigned ROWS = 16,
  parameter int unsigned NB   = 4,
  parameter int unsigned WA   = 13,
  localparam int unsigned BA  = $clog2(NB),
  localparam int unsigned RA  = WA - BA,
  localparam int unsigned LW  = $clog2(ROWS + 1)
) (
  input  logic              clk,
  // descriptor fields (stable for the descriptor)
  input  logic [7:0]        kh, kw, sh, sw, dh, dw, pt, pl,
  input  logic [15:0]       in_h, in_w, out_w,
  input  logic [31:0]       pw,         // buffer words per input pixel
  input  logic [31:0]       rwp,        // buffer words per input row (odd)
  input  logic [7:0]        tw_full,    // a full tap slice: kernel columns
  input  logic [7:0]        th_full,    //                   kernel rows
  // a pass
  input  logic              start,      // load the pass; reads begin next cycle
  input  logic [31:0]       cw,         // word of the channel slice within a pixel
  input  logic [15:0]       oy0,        // the chunk's first output row
  input  logic [15:0]       nrows,      // output rows in the chunk
  input  logic              run,        // the current read is issued this cycle
  // the current read
  output logic [NB*RA-1:0]  bank_addr,  // row address for each bank
  output logic [NB*BA-1:0]  row_bank,   // bank that serves row i of the read
  output logic [NB-1:0]     row_keep,   // row i is appended and lies inside the tile
  output logic [BA:0]       m,          // rows appended (1..NB)
  output logic [LW-1:0]     taps,       // th * tw of the current tap slice
  output logic              fire,       // the read completes a pixel's window
  output logic [15:0]       p,          // that pixel's index in the chunk
  output logic [7:0]        ts,         // tap slice (weight block within the channel slice)
  output logic              ts_last,    // the last tap slice
  output logic              pix_last,   // the chunk's last pixel
  output logic              done        // the pass's last read
);
  localparam logic [BA:0] NB1 = NB[BA:0];

  // ---- per pass ----
  logic [BA:0]  mrd;                  // rows per read
  logic [15:0]  mdh;                  // mrd * dh
  logic [31:0]  off [NB];             // i * dh * rwp: word offset of row i
  logic [15:0]  dhi [NB];             // i * dh
  logic signed [31:0] yb;             // oy0 * sh - pt

  // ---- per tap slice ----
  logic [7:0]   r0, s0, th, tw;
  logic [15:0]  r0dh;                 // r0 * dh
  logic signed [17:0] x0;             // window column 0 at ox = 0: s0 * dw - pl
  logic [7:0]   s_re;                 // first column read when the window moves along a row

  // ---- position ----
  logic [15:0]  oyl, ox;
  logic [7:0]   s, j;
  logic signed [17:0] yo, xo, iyj, ixc;

  // combinational next-slice values
  logic         sx_more;
  logic [7:0]   n_r0, n_s0, n_th, n_tw;
  logic [15:0]  n_r0dh;
  logic [15:0]  s0dw;
  logic [4:0]   tz;                   // trailing zeros of dh
  always_comb begin
    sx_more = ({8'd0, s0} + {8'd0, tw}) < {8'd0, kw};
    n_s0    = sx_more ? s0 + tw_full : 8'd0;
    n_r0    = sx_more ? r0 : r0 + th_full;
    n_r0dh  = sx_more ? r0dh : r0dh + {8'd0, th_full} * {8'd0, dh};
    n_th    = (kh - n_r0 < th_full) ? kh - n_r0 : th_full;
    n_tw    = (kw - n_s0 < tw_full) ? kw - n_s0 : tw_full;
    s0dw    = {8'd0, n_s0} * {8'd0, dw};
    tz = 5'd0;
    for (int b = 7; b >= 0; b--) if (dh[b]) tz = b[4:0];
  end

  function automatic logic [7:0] reuse_from(input logic [7:0] tw_, input logic [7:0] sw_,
                                            input logic [7:0] dw_);
    reuse_from = (dw_ == 8'd1 && sw_ < tw_) ? tw_ - sw_ : 8'd0;
  endfunction

  // ---- the current read ----
  logic        last_j, last_s, last_ox, last_oy, col_ok;
  logic [7:0]  left;
  logic [31:0] base;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [50:0] ybase;                 // two's complement product, low 32 bits used
  logic [50:0] xbase;
  logic [31:0] word [NB];             // low WA bits address the buffer
  /* verilator lint_on UNUSEDSIGNAL */
  logic signed [17:0] iy_i;
  always_comb begin
    left     = th - j;
    m        = ({{(8-BA-1){1'b0}}, mrd} < left) ? mrd : left[BA:0];
    last_j   = {{(8-BA-1){1'b0}}, mrd} >= left;
    last_s   = s == tw - 8'd1;
    last_ox  = ox == out_w - 16'd1;
    last_oy  = oyl == nrows - 16'd1;
    ts_last  = ({8'd0, r0} + {8'd0, th} >= {8'd0, kh}) && !sx_more;
    fire     = last_j && last_s;
    pix_last = last_ox && last_oy;
    done     = fire && pix_last && ts_last;
    taps     = LW'({8'd0, th} * {8'd0, tw});
    col_ok   = (ixc >= 0) && (ixc < $signed({2'b00, in_w}));
    ybase    = $signed(iyj) * $signed({1'b0, rwp});
    xbase    = $signed(ixc) * $signed({1'b0, pw});
    base     = ybase[31:0] + xbase[31:0] + cw;
    bank_addr = '0;
    for (int i = 0; i < NB; i++) begin
      iy_i = iyj + $signed({2'b00, dhi[i]});
      word[i] = base + off[i];
      row_keep[i] = ({{(8-BA-1){1'b0}}, i[BA:0]} < {{(8-BA-1){1'b0}}, m}) && col_ok &&
                    (iy_i >= 0) && (iy_i < $signed({2'b00, in_h}));
      row_bank[i*BA +: BA] = word[i][BA-1:0];
    end
    // rows of one read sit in distinct banks: each bank serves at most one
    for (int b = 0; b < NB; b++)
      for (int i = 0; i < NB; i++)
        if (row_keep[i] && word[i][BA-1:0] == b[BA-1:0])
          bank_addr[b*RA +: RA] = word[i][WA-1:BA];
  end

  always_ff @(posedge clk) begin
    if (start) begin
      mrd  <= NB1 >> ((tz > BA[4:0]) ? BA[4:0] : tz);
      mdh  <= {8'd0, dh} * {11'd0, NB1 >> ((tz > BA[4:0]) ? BA[4:0] : tz)};
      for (int i = 0; i < NB; i++) begin
        off[i] <= i * ({24'd0, dh} * rwp);
        dhi[i] <= 16'(i) * {8'd0, dh};
      end
      yb   <= $signed({16'd0, oy0} * {24'd0, sh}) - $signed({24'd0, pt});
      r0   <= 8'd0;
      s0   <= 8'd0;
      r0dh <= 16'd0;
      th   <= th_full;
      tw   <= tw_full;
      s_re <= reuse_from(tw_full, sw, dw);
      x0   <= -$signed({10'd0, pl});
      ts   <= 8'd0;
      oyl  <= 16'd0;
      ox   <= 16'd0;
      p    <= 16'd0;
      s    <= 8'd0;
      j    <= 8'd0;
      xo   <= -$signed({10'd0, pl});
      ixc  <= -$signed({10'd0, pl});
      yo   <= 18'($signed({16'd0, oy0} * {24'd0, sh}) - $signed({24'd0, pt}));
      iyj  <= 18'($signed({16'd0, oy0} * {24'd0, sh}) - $signed({24'd0, pt}));
    end else if (run) begin
      if (!last_j) begin
        j   <= j + {{(8-BA-1){1'b0}}, mrd};
        iyj <= iyj + $signed({2'b00, mdh});
      end else if (!last_s) begin
        j   <= 8'd0;
        iyj <= yo;
        s   <= s + 8'd1;
        ixc <= ixc + $signed({10'd0, dw});
      end else if (!pix_last) begin
        // the next pixel of the chunk
        j <= 8'd0;
        p <= p + 16'd1;
        if (!last_ox) begin
          ox  <= ox + 16'd1;
          xo  <= xo + $signed({10'd0, sw});
          s   <= s_re;
          ixc <= xo + $signed({10'd0, sw}) + $signed({10'd0, s_re});
          iyj <= yo;
        end else begin
          ox  <= 16'd0;
          oyl <= oyl + 16'd1;
          xo  <= x0;
          s   <= 8'd0;
          ixc <= x0;
          yo  <= yo + $signed({10'd0, sh});
          iyj <= yo + $signed({10'd0, sh});
        end
      end else if (!ts_last) begin
        // the next tap slice: the chunk again from its first pixel
        j    <= 8'd0;
        p    <= 16'd0;
        ox   <= 16'd0;
        oyl  <= 16'd0;
        s    <= 8'd0;
        ts   <= ts + 8'd1;
        r0   <= n_r0;
        s0   <= n_s0;
        r0dh <= n_r0dh;
        th   <= n_th;
        tw   <= n_tw;
        s_re <= reuse_from(n_tw, sw, dw);
        x0   <= $signed({2'b00, s0dw}) - $signed({10'd0, pl});
        xo   <= $signed({2'b00, s0dw}) - $signed({10'd0, pl});
        ixc  <= $signed({2'b00, s0dw}) - $signed({10'd0, pl});
        yo   <= 18'(yb + $signed({16'd0, n_r0dh}));
        iyj  <= 18'(yb + $signed({16'd0, n_r0dh}));
      end
    end
  end
endmodule
