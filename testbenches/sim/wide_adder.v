`default_nettype none
// Test design for the sim crate: one port of each Verilator storage class.
// Registered: y <= a + b (100 bits, VlWide<4>), s <= c + d (7 bits, CData).
// Combinational: e_n = ~e (12 bits, SData), f_x = f ^ 32'hdeadbeef (32 bits,
// IData), g_p = g + 1 (41 bits, QData).
module wide_adder (
    input  wire        clk,
    input  wire [99:0] a,
    input  wire [99:0] b,
    input  wire [6:0]  c,
    input  wire [6:0]  d,
    input  wire [11:0] e,
    input  wire [31:0] f,
    input  wire [40:0] g,
    output reg  [99:0] y,
    output reg  [6:0]  s,
    output wire [11:0] e_n,
    output wire [31:0] f_x,
    output wire [40:0] g_p
);
  always @(posedge clk) begin
    y <= a + b;
    s <= c + d;
  end

  assign e_n = ~e;
  assign f_x = f ^ 32'hdeadbeef;
  assign g_p = g + 41'd1;
endmodule

`default_nettype wire
