// ROWS x COLS dot-product MAC array (NVDLA-CMAC style): each cycle one
// activation vector of ROWS input channels meets a stationary ROWS x COLS
// weight block and produces COLS partial sums. Zero points are subtracted
// on the way in, so operands are 9-bit signed ([-255, 255] for every valid
// type/zero-point pair) and uint8/int8 with any zero point is exact.
//
// Two register stages: operands (S2) and partial sums (S3). The weight
// block is captured when load_w is high and held across a pass of pixels.
//
// Depthwise mode (act_dw): every column k gets its own activation per row
// (act2, zero point already subtracted: tap t of channel k), so column k
// sums its channel's taps. The operand register is per (column, row) in
// both modes; in the normal mode it holds the broadcast activation.
module npu_mac_array #(
  parameter int unsigned ROWS = 16,
  parameter int unsigned COLS = 16
) (
  input  logic                   clk,
  // S1: operands straight from the buffers
  input  logic                   in_valid,
  input  logic [ROWS*8-1:0]      act_raw,    // one byte per input channel
  input  logic [ROWS-1:0]        act_keep,   // 0: padding or channel beyond cin
  input  logic                   act_signed,
  input  logic [8:0]             act_zp,     // signed
  input  logic                   act_dw,     // depthwise: act2 instead of act_raw
  input  logic [ROWS*COLS*9-1:0] act2,       // [k*ROWS + c], signed, zero point subtracted
  input  logic                   load_w,
  input  logic [ROWS*COLS*8-1:0] w_raw,      // byte [k*ROWS + c]
  input  logic                   w_signed,
  input  logic [COLS*9-1:0]      w_zp,       // per output channel, signed
  // S3: partial sums
  output logic                   out_valid,
  output logic [COLS*32-1:0]     psum
);
  logic signed [8:0]  act_d [ROWS];
  logic signed [8:0]  w_d   [COLS][ROWS];
  logic signed [8:0]  act_q [COLS][ROWS];
  logic signed [8:0]  w_q   [COLS][ROWS];
  logic signed [31:0] sum_d [COLS];
  logic signed [17:0] prod;
  logic               valid_q;

  // Valid zero points keep v - zp inside 9 bits, so the wrap never bites.
  function automatic logic signed [8:0] sub_zp(input logic [7:0] v, input logic sgn,
                                               input logic [8:0] zp);
    logic signed [8:0] x;
    x = sgn ? {v[7], v} : {1'b0, v};
    sub_zp = x - $signed(zp);
  endfunction

  always_comb begin
    for (int c = 0; c < ROWS; c++)
      act_d[c] = act_keep[c] ? sub_zp(act_raw[c*8 +: 8], act_signed, act_zp) : 9'sd0;
    for (int k = 0; k < COLS; k++)
      for (int c = 0; c < ROWS; c++)
        w_d[k][c] = sub_zp(w_raw[(k*ROWS+c)*8 +: 8], w_signed, w_zp[k*9 +: 9]);
  end

  always_ff @(posedge clk) begin
    valid_q <= in_valid;
    if (act_dw) begin
      for (int k = 0; k < COLS; k++)
        for (int c = 0; c < ROWS; c++)
          act_q[k][c] <= act_keep[c] ? $signed(act2[(k*ROWS + c)*9 +: 9]) : 9'sd0;
    end else begin
      for (int k = 0; k < COLS; k++)
        for (int c = 0; c < ROWS; c++) act_q[k][c] <= act_d[c];
    end
    if (load_w)
      for (int k = 0; k < COLS; k++)
        for (int c = 0; c < ROWS; c++) w_q[k][c] <= w_d[k][c];
  end

  always_comb begin
    for (int k = 0; k < COLS; k++) begin
      sum_d[k] = 32'sd0;
      for (int c = 0; c < ROWS; c++) begin
        prod = act_q[k][c] * w_q[k][c];
        sum_d[k] = sum_d[k] + {{14{prod[17]}}, prod};
      end
    end
  end

  always_ff @(posedge clk) begin
    out_valid <= valid_q;
    for (int k = 0; k < COLS; k++) psum[k*32 +: 32] <= sum_d[k];
  end
endmodule
