// DMA read engine: arbitrates read bursts from the descriptor fetcher
// (client 0, priority: it is small and keeps the pipeline fed) and the
// loader (client 1) onto one ready/valid memory read port, remembers each
// burst in order, and labels every returning beat with its client, tag and
// position so the consumers can write it where it belongs. Responses come
// back in request order and are never back-pressured: clients only ask for
// what they have room for.
//
// Safety net: a burst that would leave [MEM_RESERVED, 2^mem_log2) is not
// issued; it is reported as a fault (NPU_ERR_DMA). Descriptor validation
// should make this unreachable.
module npu_dma_rd #(
  parameter int unsigned BEAT        = 64,
  parameter int unsigned OUTSTANDING = 32,
  parameter int unsigned TAGW        = 24,
  localparam int unsigned OA = $clog2(OUTSTANDING),
  localparam int unsigned BB = $clog2(BEAT)
) (
  input  logic              clk,
  input  logic              rst_n,
  input  logic              drop,          // flushing: discard returning beats
  input  logic              hold,          // flushing: issue nothing new
  input  logic [4:0]        mem_log2,
  // client requests
  input  logic [1:0]        c_valid,
  output logic [1:0]        c_ready,
  input  logic [2*32-1:0]   c_addr,        // client i at [i*32 +: 32]
  input  logic [2*13-1:0]   c_len,         // 1..4096 bytes
  input  logic [2*3-1:0]    c_kind,
  input  logic [2*16-1:0]   c_idx,
  input  logic [2*TAGW-1:0] c_tag,
  // memory port
  output logic              rd_req_valid,
  input  logic              rd_req_ready,
  output logic [31:0]       rd_req_addr,
  output logic [12:0]       rd_req_len,
  output logic [2:0]        rd_req_kind,
  output logic [15:0]       rd_req_idx,
  input  logic              rd_valid,
  input  logic [BEAT*8-1:0] rd_data,
  // beats to the consumers
  output logic              beat_valid,
  output logic              beat_client,
  output logic [TAGW-1:0]   beat_tag,
  output logic [12:0]       beat_len,      // length of the whole burst
  output logic [6:0]        beat_num,      // beat index within the burst
  output logic [BEAT*8-1:0] beat_data,
  // status
  output logic              empty,         // nothing issued, pending or queued
  output logic              fault,
  output logic [15:0]       fault_idx,
  output logic              req_fire,
  output logic [12:0]       req_bytes
);
  // the burst register that drives the port
  logic            r_client;
  logic [TAGW-1:0] r_tag;

  // in-order record of issued bursts
  logic            q_client [OUTSTANDING];
  logic [TAGW-1:0] q_tag [OUTSTANDING];
  logic [12:0]     q_len [OUTSTANDING];
  logic [OA-1:0]   q_head, q_tail;
  logic [OA:0]     q_count;
  logic [6:0]      beat_ctr;

  logic        room;
  logic        pick;        // which client wins
  logic [31:0] p_addr;
  logic [12:0] p_len;
  logic        take;
  logic [32:0] end_addr;
  logic [32:0] mem_top;
  logic        in_range;
  logic [6:0]  head_beats;
  logic        last_beat;

  always_comb begin
    room = ({1'b0, q_count} + {{OA{1'b0}}, rd_req_valid}) < OUTSTANDING[OA+1:0] - 1'b1 &&
           (!rd_req_valid || rd_req_ready);
    pick = !c_valid[0];
    take = !hold && room && (c_valid != 2'b00);
    c_ready = take ? (pick ? 2'b10 : 2'b01) : 2'b00;
    p_addr = c_addr[pick*32 +: 32];
    p_len = c_len[pick*13 +: 13];
    end_addr = {1'b0, p_addr} + {20'd0, p_len};
    mem_top = 33'd1 << mem_log2;
    in_range = p_addr >= npu_regs_pkg::MEM_RESERVED && end_addr <= mem_top && p_len != 13'd0;
    head_beats = q_len[q_head][12:BB] + {6'd0, |q_len[q_head][BB-1:0]};
    last_beat = beat_ctr == head_beats - 7'd1;
  end

  assign beat_valid  = rd_valid && !drop;
  assign beat_client = q_client[q_head];
  assign beat_tag    = q_tag[q_head];
  assign beat_len    = q_len[q_head];
  assign beat_num    = beat_ctr;
  assign beat_data   = rd_data;
  assign empty       = !rd_req_valid && (q_count == '0);
  assign req_fire    = rd_req_valid && rd_req_ready;
  assign req_bytes   = rd_req_len;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      rd_req_valid <= 1'b0;
      q_head   <= '0;
      q_tail   <= '0;
      q_count  <= '0;
      beat_ctr <= '0;
      fault    <= 1'b0;
    end else begin
      fault <= 1'b0;
      if (req_fire) begin
        q_client[q_tail] <= r_client;
        q_tag[q_tail]    <= r_tag;
        q_len[q_tail]    <= rd_req_len;
        q_tail <= q_tail + 1'b1;
      end
      if (req_fire) rd_req_valid <= 1'b0;
      if (take) begin
        if (in_range) begin
          rd_req_valid <= 1'b1;
          rd_req_addr  <= p_addr;
          rd_req_len   <= p_len;
          rd_req_kind  <= c_kind[pick*3 +: 3];
          rd_req_idx   <= c_idx[pick*16 +: 16];
          r_client     <= pick;
          r_tag        <= c_tag[pick*TAGW +: TAGW];
        end else begin
          fault     <= 1'b1;
          fault_idx <= c_idx[pick*16 +: 16];
        end
      end
      if (rd_valid) begin
        if (last_beat) begin
          beat_ctr <= '0;
          q_head   <= q_head + 1'b1;
        end else begin
          beat_ctr <= beat_ctr + 7'd1;
        end
      end
      q_count <= q_count + {{OA{1'b0}}, req_fire} - {{OA{1'b0}}, rd_valid && last_beat};
    end
  end
endmodule
