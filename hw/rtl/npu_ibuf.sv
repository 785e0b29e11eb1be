// Input buffer: two sets (one computes while the other loads), each split
// into NB = BEAT/ROWS banks of ROWS-byte words so that one DMA beat writes
// NB consecutive words in a cycle and the array can read the ROWS bytes at
// any byte offset (two neighbouring words, funnel-shifted) every cycle.
// Pixels start on word boundaries; channel c of a pixel is byte c.
// Needs NB >= 2 (ROWS <= BEAT/2). A gather read (depthwise mode) gives
// every bank its own row address instead and returns the NB words as they
// are, in bank order.
module npu_ibuf #(
  parameter int unsigned ROWS  = 16,
  parameter int unsigned BYTES = 131072,   // per set
  parameter int unsigned BEAT  = 64,
  localparam int unsigned NB    = BEAT / ROWS,
  localparam int unsigned WORDS = BYTES / ROWS,
  localparam int unsigned WA    = $clog2(WORDS),
  localparam int unsigned BA    = (NB > 1) ? $clog2(NB) : 1,
  localparam int unsigned RA    = $clog2(WORDS / NB),
  localparam int unsigned SA    = (ROWS > 1) ? $clog2(ROWS) : 1
) (
  input  logic              clk,
  // write: up to NB consecutive words starting at wr_word
  input  logic              wr_en,
  input  logic              wr_set,
  input  logic [WA-1:0]     wr_word,
  input  logic [BA:0]       wr_nwords,     // 1..NB
  input  logic [BEAT*8-1:0] wr_data,
  // read: ROWS bytes starting at byte rd_shift of word rd_word; data next cycle
  input  logic              rd_en,
  input  logic              rd_set,
  input  logic [WA-1:0]     rd_word,
  input  logic [SA-1:0]     rd_shift,
  output logic [ROWS*8-1:0] rd_data,
  // gather read: bank b reads row rd_bank_addr[b]; data next cycle in rd_banks
  input  logic              rd_gather,
  input  logic [NB*RA-1:0]  rd_bank_addr,
  output logic [NB*ROWS*8-1:0] rd_banks
);
  // flat, not an unpacked array: Yosys 0.23 cannot connect ports to array elements
  logic [2*NB*ROWS*8-1:0] bank_rd;
  logic [BA-1:0]     ph_q;
  logic [SA-1:0]     sh_q;
  logic              set_q;

  for (genvar s = 0; s < 2; s++) begin : g_set
    for (genvar b = 0; b < NB; b++) begin : g_bank
      localparam logic [BA-1:0] BIDX = b;
      logic          we;
      logic [RA-1:0] wa;
      logic [ROWS*8-1:0] wd;
      logic [RA-1:0] ra;
      /* verilator lint_off UNUSEDSIGNAL */
      logic [WA:0]   wword;   // only the row bits address the bank
      logic [WA:0]   rword;
      /* verilator lint_on UNUSEDSIGNAL */
      logic [BA-1:0] widx;

      always_comb begin
        // The one word of this write (if any) that lands in bank b.
        widx = BIDX - wr_word[BA-1:0];
        wword = {1'b0, wr_word} + {{(WA+1-BA){1'b0}}, widx};
        we = wr_en && (wr_set == s[0]) && ({1'b0, widx} < wr_nwords);
        wa = wword[WA-1:BA];
        wd = wr_data[widx*ROWS*8 +: ROWS*8];
        // The smallest word >= rd_word held by bank b (covers w and w+1).
        rword = {1'b0, rd_word} + {{(WA+1-BA){1'b0}}, BIDX - rd_word[BA-1:0]};
        ra = rd_gather ? rd_bank_addr[b*RA +: RA] : rword[WA-1:BA];
      end

      npu_sram #(.WIDTH(ROWS*8), .DEPTH(WORDS/NB)) u_sram (
        .clk, .wr_en(we), .wr_addr(wa), .wr_data(wd),
        .rd_en(rd_en && (rd_set == s[0])), .rd_addr(ra),
        .rd_data(bank_rd[(s*NB+b)*ROWS*8 +: ROWS*8]));
    end
  end

  always_ff @(posedge clk) if (rd_en) begin
    ph_q  <= rd_word[BA-1:0];
    sh_q  <= rd_shift;
    set_q <= rd_set;
  end

  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*ROWS*8-1:0] pair;
  logic [31:0]         i_lo, i_hi;   // bank indices in the flat vector   // the upper half is shifted-out spare
  /* verilator lint_on UNUSEDSIGNAL */
  logic [BA-1:0]       ph1;
  always_comb begin
    ph1 = ph_q + 1'b1;
    i_lo = {31'd0, set_q} * NB + {{(32-BA){1'b0}}, ph_q};
    i_hi = {31'd0, set_q} * NB + {{(32-BA){1'b0}}, ph1};
    pair = {bank_rd[i_hi*ROWS*8 +: ROWS*8], bank_rd[i_lo*ROWS*8 +: ROWS*8]} >> (sh_q * 8);
    rd_data = pair[ROWS*8-1:0];
    rd_banks = set_q ? bank_rd[NB*ROWS*8 +: NB*ROWS*8] : bank_rd[0 +: NB*ROWS*8];
  end
endmodule
