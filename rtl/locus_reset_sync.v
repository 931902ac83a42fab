// locus_reset_sync: power-on reset OR'ed with a synchronised reset button, giving the design's synchronous active-high reset.
//
// Ports
//   clk     in   the design clock.
//   rst_in  in   reset button, asynchronous to clk. Pressed when low if
//                ACTIVE_LOW = 1, when high if ACTIVE_LOW = 0.
//   rst     out  synchronous reset, active high, straight from a register.
//
// Timing
//   * Power-on: rst is high from configuration for the first 2**POR_BITS + 1
//     clocks (4097 by default, 341 us at 12 MHz), so the design resets
//     itself without a button. This relies on register initial values, which
//     iCE40 and ECP5 bitstreams (and Verilator/iverilog) honour.
//   * Button: rst rises 3 clocks after rst_in is seen pressed (two-flop
//     synchroniser, then the output register) and falls 3 clocks after it is
//     seen released. A press shorter than one clock may be missed.
//   * rst only changes on rising clock edges.
//
// Parameters
//   ACTIVE_LOW  1 (default): the button pulls rst_in low when pressed.
//   POR_BITS    width of the power-on counter, at least 1 (default 12).
`default_nettype none

module locus_reset_sync #(
    parameter ACTIVE_LOW = 1,
    parameter POR_BITS = 12
) (
    input  wire clk,
    input  wire rst_in,
    output wire rst
);
    // The synchroniser starts "pressed" so rst is high from the first clock.
    reg [1:0] btn_sync = 2'b11;
    reg [POR_BITS-1:0] por_cnt = {POR_BITS{1'b0}};
    reg por_done = 1'b0;
    reg rst_q = 1'b1;

    wire pressed = (ACTIVE_LOW != 0) ? ~rst_in : rst_in;

    always @(posedge clk) begin
        btn_sync <= {btn_sync[0], pressed};
        if (!por_done) begin
            por_cnt <= por_cnt + 1'b1;
            if (&por_cnt) por_done <= 1'b1;
        end
        rst_q <= ~por_done | btn_sync[1];
    end

    assign rst = rst_q;
endmodule

`default_nettype wire
