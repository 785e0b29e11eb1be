// Channel-parameter buffer: two sets of DEPTH 16-byte records (struct
// npu_chan_param), COLS banks interleaved by record index so a DMA beat
// writes BEAT/16 consecutive records and the array side reads the COLS
// records of one output-channel slice, starting anywhere, in one cycle.
module npu_pbuf #(
  parameter int unsigned COLS  = 16,
  parameter int unsigned DEPTH = 1024,     // records per set
  parameter int unsigned BEAT  = 64,
  localparam int unsigned RPB = BEAT / 16,   // records per beat
  localparam int unsigned NA  = $clog2(DEPTH),
  localparam int unsigned LB  = $clog2(COLS),
  localparam int unsigned CA  = $clog2(RPB)
) (
  input  logic              clk,
  input  logic              wr_en,
  input  logic              wr_set,
  input  logic [NA-1:0]     wr_rec,
  input  logic [CA:0]       wr_nrec,     // 1..RPB
  input  logic [BEAT*8-1:0] wr_data,
  input  logic              rd_en,
  input  logic              rd_set,
  input  logic [NA-1:0]     rd_rec,
  output logic [COLS*128-1:0] rd_data    // record rd_rec + j in lane j
);
  // flat, not an unpacked array: Yosys 0.23 cannot connect ports to array elements
  logic [2*COLS*128-1:0] bank_rd;

  for (genvar s = 0; s < 2; s++) begin : g_set
    for (genvar b = 0; b < COLS; b++) begin : g_bank
      localparam logic [LB-1:0] BIDX = b;
      logic [LB-1:0] off;
      logic          we;
      /* verilator lint_off UNUSEDSIGNAL */
      logic [NA:0]   wrec;    // only the row bits address the bank
      logic [NA:0]   rrec;
      /* verilator lint_on UNUSEDSIGNAL */
      always_comb begin
        off  = BIDX - wr_rec[LB-1:0];
        wrec = {1'b0, wr_rec} + {{(NA+1-LB){1'b0}}, off};
        we   = wr_en && (wr_set == s[0]) && ({1'b0, off} < {{(LB-CA){1'b0}}, wr_nrec});
        rrec = {1'b0, rd_rec} + {{(NA+1-LB){1'b0}}, BIDX - rd_rec[LB-1:0]};
      end
      npu_sram #(.WIDTH(128), .DEPTH(DEPTH / COLS)) u_sram (
        .clk, .wr_en(we), .wr_addr(wrec[NA-1:LB]), .wr_data(wr_data[off[CA-1:0]*128 +: 128]),
        .rd_en(rd_en && (rd_set == s[0])), .rd_addr(rrec[NA-1:LB]),
        .rd_data(bank_rd[(s*COLS+b)*128 +: 128]));
    end
  end

  logic [LB-1:0] ph_q;
  logic          set_q;
  always_ff @(posedge clk) if (rd_en) begin
    ph_q  <= rd_rec[LB-1:0];
    set_q <= rd_set;
  end
  logic [LB-1:0] lane_bank [COLS];
  always_comb
    for (int j = 0; j < COLS; j++) begin
      lane_bank[j] = ph_q + j[LB-1:0];
      rd_data[j*128 +: 128] = bank_rd[({31'd0, set_q} * COLS + {{(32-LB){1'b0}}, lane_bank[j]})*128 +: 128];
    end
endmodule
