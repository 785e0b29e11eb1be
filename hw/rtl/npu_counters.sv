// Performance counters (enum npu_counter): free-running 64-bit, cleared by
// reset. Each cycle every counter adds its increment.
module npu_counters #(
  localparam int unsigned NC = npu_regs_pkg::NUM_COUNTERS
) (
  input  logic             clk,
  input  logic             rst_n,
  input  logic [NC*16-1:0] inc,        // counter i adds inc[i*16 +: 16]
  output logic [NC*64-1:0] value
);
  always_ff @(posedge clk) begin
    for (int i = 0; i < NC; i++) begin
      if (!rst_n) value[i*64 +: 64] <= 64'd0;
      else        value[i*64 +: 64] <= value[i*64 +: 64] + {48'd0, inc[i*16 +: 16]};
    end
  end
endmodule
