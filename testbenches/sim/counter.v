`default_nettype none
// Test design for the sim crate: 8-bit counter with synchronous reset and enable.
// `wrap` is high while count is 255 and enable is high (combinational).
module counter (
    input  wire       clk,
    input  wire       rst,
    input  wire       en,
    output reg  [7:0] count,
    output wire       wrap
);
  always @(posedge clk) begin
    if (rst) count <= 8'd0;
    else if (en) count <= count + 8'd1;
  end

  assign wrap = en && (count == 8'hff);
endmodule

`default_nettype wire
