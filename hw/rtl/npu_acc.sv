// Accumulator memory: two banks of DEPTH entries of COLS int32 sums. The
// compute engine accumulates one pass into one bank while the writeback
// drains the other; a bank is never used by both at once (the engines hand
// banks over through the writeback's slots), so each bank has one read port
// muxed between them and one write port owned by compute.
module npu_acc #(
  parameter int unsigned COLS  = 16,
  parameter int unsigned DEPTH = 512,
  localparam int unsigned AW = $clog2(DEPTH)
) (
  input  logic               clk,
  input  logic               c_rd_en,
  input  logic               c_rd_bank,
  input  logic [AW-1:0]      c_rd_addr,
  output logic [COLS*32-1:0] c_rd_data,
  input  logic               c_wr_en,
  input  logic               c_wr_bank,
  input  logic [AW-1:0]      c_wr_addr,
  input  logic [COLS*32-1:0] c_wr_data,
  input  logic               w_rd_en,
  input  logic               w_rd_bank,
  input  logic [AW-1:0]      w_rd_addr,
  output logic [COLS*32-1:0] w_rd_data
);
  // flat, not an unpacked array: Yosys 0.23 cannot connect ports to array elements
  logic [2*COLS*32-1:0] rd;
  logic c_bank_q, w_bank_q;

  for (genvar b = 0; b < 2; b++) begin : g_bank
    logic c_sel;
    assign c_sel = c_rd_en && (c_rd_bank == b[0]);
    npu_sram #(.WIDTH(COLS*32), .DEPTH(DEPTH)) u_sram (
      .clk,
      .wr_en(c_wr_en && (c_wr_bank == b[0])), .wr_addr(c_wr_addr), .wr_data(c_wr_data),
      .rd_en(c_sel || (w_rd_en && (w_rd_bank == b[0]))),
      .rd_addr(c_sel ? c_rd_addr : w_rd_addr), .rd_data(rd[b*COLS*32 +: COLS*32]));
  end

  always_ff @(posedge clk) begin
    if (c_rd_en) c_bank_q <= c_rd_bank;
    if (w_rd_en) w_bank_q <= w_rd_bank;
  end
  assign c_rd_data = c_bank_q ? rd[COLS*32 +: COLS*32] : rd[0 +: COLS*32];
  assign w_rd_data = w_bank_q ? rd[COLS*32 +: COLS*32] : rd[0 +: COLS*32];
endmodule
