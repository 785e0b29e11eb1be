// Weight buffer: two sets, each NBW = ROWS*COLS/BEAT banks of BEAT-byte
// words. Weights arrive as a contiguous stream of ROWS x COLS blocks (word
// v of the stream goes to bank v % NBW), and the array reads one whole
// block per cycle (the same row of every bank).
module npu_wbuf #(
  parameter int unsigned ROWS  = 16,
  parameter int unsigned COLS  = 16,
  parameter int unsigned BYTES = 131072,   // per set
  parameter int unsigned BEAT  = 64,
  localparam int unsigned BLK    = ROWS * COLS,
  localparam int unsigned NBW    = BLK / BEAT,
  localparam int unsigned BLOCKS = BYTES / BLK,
  localparam int unsigned VA     = $clog2(BYTES / BEAT),
  localparam int unsigned KA     = $clog2(BLOCKS)
) (
  input  logic              clk,
  input  logic              wr_en,
  input  logic              wr_set,
  input  logic [VA-1:0]     wr_word,
  input  logic [BEAT*8-1:0] wr_data,
  input  logic              rd_en,
  input  logic              rd_set,
  input  logic [KA-1:0]     rd_block,
  output logic [BLK*8-1:0]  rd_data
);
  // flat, not an unpacked array: Yosys 0.23 cannot connect ports to array elements
  logic [2*BLK*8-1:0] set_rd;

  for (genvar s = 0; s < 2; s++) begin : g_set
    for (genvar b = 0; b < NBW; b++) begin : g_bank
      logic we;
      if (NBW == 1) begin : g_one
        assign we = wr_en && (wr_set == s[0]);
      end else begin : g_many
        localparam int unsigned LB = $clog2(NBW);
        localparam logic [LB-1:0] BIDX = b;
        assign we = wr_en && (wr_set == s[0]) && (wr_word[LB-1:0] == BIDX);
      end
      npu_sram #(.WIDTH(BEAT*8), .DEPTH(BLOCKS)) u_sram (
        .clk, .wr_en(we), .wr_addr(wr_word[VA-1 -: KA]), .wr_data(wr_data),
        .rd_en(rd_en && (rd_set == s[0])), .rd_addr(rd_block),
        .rd_data(set_rd[s*BLK*8 + b*BEAT*8 +: BEAT*8]));
    end
  end

  logic set_q;
  always_ff @(posedge clk) if (rd_en) set_q <= rd_set;
  assign rd_data = set_q ? set_rd[BLK*8 +: BLK*8] : set_rd[0 +: BLK*8];
endmodule
