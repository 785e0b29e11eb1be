// Depthwise mode geometry: channels per slice and how the kernel is cut
// into tap slices (npu_dw_geom() in hw/npu_hw_check.h is the C form).
// Combinational; the fields may be garbage (the checker computes sizes
// before it validates dimensions), so every division is guarded.
module npu_dw_geom #(
  parameter int unsigned ROWS = 16,
  parameter int unsigned COLS = 16
) (
  input  logic [7:0]  kh,
  input  logic [7:0]  kw,
  input  logic [15:0] groups,
  output logic [7:0]  tw,      // kernel columns of a full tap slice
  output logic [7:0]  th,      // kernel rows of a full tap slice
  output logic [7:0]  n_sx,    // tap slices across the kernel
  output logic [7:0]  n_sy,    // tap slices down the kernel
  output logic [15:0] n_cs     // channel slices
);
  localparam int unsigned DWC = (ROWS < COLS) ? ROWS : COLS;
  localparam int unsigned LD  = $clog2(DWC);
  localparam logic [7:0]  ROWS8 = ROWS[7:0];
  localparam logic [16:0] DWCM1 = DWC[16:0] - 17'd1;

  // floor(a / b) by restoring division; b = 0 gives all ones (never used)
  function automatic logic [8:0] div9(input logic [8:0] a, input logic [7:0] b);
    logic [9:0] rem;
    logic [8:0] q;
    rem = 10'd0;
    q = 9'd0;
    for (int i = 8; i >= 0; i--) begin
      rem = {rem[8:0], a[i]};
      if (rem >= {2'b00, b}) begin
        rem = rem - {2'b00, b};
        q[i] = 1'b1;
      end
    end
    div9 = q;
  endfunction

  /* verilator lint_off UNUSEDSIGNAL */
  logic [8:0] q_th, q_sx, q_sy;   // quotients fit 8 bits for valid fields
  logic [16:0] cs_full;           // groups < 2^16, so the count fits 16 bits
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    tw = (kw < ROWS8) ? kw : ROWS8;
    q_th = div9({1'b0, ROWS8}, tw);
    th = (q_th[7:0] > kh) ? kh : q_th[7:0];
    q_sx = div9({1'b0, kw} + {1'b0, tw} - 9'd1, tw);   // ceil(kw / tw)
    q_sy = div9({1'b0, kh} + {1'b0, th} - 9'd1, th);   // ceil(kh / th)
    n_sx = q_sx[7:0];
    n_sy = q_sy[7:0];
    cs_full = ({1'b0, groups} + DWCM1) >> LD;
    n_cs = cs_full[15:0];
  end
endmodule
