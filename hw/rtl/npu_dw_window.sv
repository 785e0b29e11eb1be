// Depthwise mode: the window of input taps the MAC array reads, as a FIFO
// of ROWS entries (one tap each: DWC channels, zero point already
// subtracted). A read appends its m rows at the end of the current tap
// slice's window (entry taps-1 is the newest) and drops the m oldest, so
// after a pixel's last read entry t holds tap (t % th, t / th) of the tap
// slice: the taps column by column, as the weight blocks are packed
// (hw/npu_hw.h). Taps outside the tile are zero; entries beyond the window
// hold stale taps, which the array masks.
module npu_dw_window #(
  parameter int unsigned ROWS = 16,
  parameter int unsigned COLS = 16,
  parameter int unsigned NB   = 4,
  localparam int unsigned DWC = (ROWS < COLS) ? ROWS : COLS,
  localparam int unsigned BA  = $clog2(NB),
  localparam int unsigned SA  = $clog2(ROWS),
  localparam int unsigned LW  = $clog2(ROWS + 1)
) (
  input  logic                  clk,
  input  logic                  append,
  input  logic [BA:0]           m,          // rows of this read (1..NB)
  input  logic [LW-1:0]         taps,       // the tap slice's window size
  input  logic [NB*BA-1:0]      row_bank,   // bank holding row i
  input  logic [NB-1:0]         row_keep,   // row i is inside the tile
  input  logic [SA-1:0]         byte_off,   // the channel slice within a buffer word
  input  logic [NB*ROWS*8-1:0]  bank_data,  // the read's words, one per bank
  input  logic                  act_signed,
  input  logic [8:0]            act_zp,
  output logic [ROWS*COLS*9-1:0] act        // entry [k*ROWS + t]: channel k of tap t
);
  localparam int unsigned XW = $clog2(ROWS + NB + 1);

  logic signed [8:0] win [ROWS][DWC];
  logic signed [8:0] nw  [NB][DWC];

  /* verilator lint_off UNUSEDSIGNAL */
  logic [ROWS*8-1:0] word;    // bytes outside the slice are other channels
  /* verilator lint_on UNUSEDSIGNAL */
  logic [7:0] v;
  always_comb begin
    for (int i = 0; i < NB; i++) begin
      word = bank_data[row_bank[i*BA +: BA]*ROWS*8 +: ROWS*8];
      for (int k = 0; k < DWC; k++) begin
        v = word[({{(32-SA){1'b0}}, byte_off} + k)*8 +: 8];
        nw[i][k] = row_keep[i] ? (act_signed ? $signed({v[7], v}) : $signed({1'b0, v})) -
                                 $signed(act_zp) : 9'sd0;
      end
    end
  end

  // entry t takes entry t + m while that is inside the window, else new row t + m - taps
  logic [XW-1:0] x [ROWS];
  logic [XW-1:0] xn [ROWS];
  always_comb
    for (int t = 0; t < ROWS; t++) begin
      x[t]  = XW'(t) + XW'(m);
      xn[t] = x[t] - XW'(taps);
    end

  always_ff @(posedge clk) begin
    if (append)
      for (int t = 0; t < ROWS; t++) begin
        if (x[t] < XW'(taps)) win[t] <= win[x[t][SA-1:0]];
        else if (XW'(t) < XW'(taps)) win[t] <= nw[xn[t][BA-1:0]];
      end
  end

  always_comb begin
    act = '0;
    for (int k = 0; k < DWC; k++)
      for (int t = 0; t < ROWS; t++)
        act[(k*ROWS + t)*9 +: 9] = win[t][k];
  end
endmodule
