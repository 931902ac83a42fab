// locus_uart_tx: 8N1 UART transmitter with a ready/valid byte input.
//
// Ports
//   clk        in   the design clock (CLK_HZ).
//   rst        in   synchronous reset, active high (tx returns high at once).
//   data[7:0]  in   byte to send, bit 0 first; sampled when valid && ready.
//   valid      in   a byte is offered.
//   ready      out  the transmitter takes `data` at this clock edge if valid.
//                   Combinational from registers only (never from valid/data).
//   tx         out  serial line, idle high, straight from a register.
//
// Timing
//   CLKS_PER_BIT = round(CLK_HZ / BAUD), at least 2. A byte accepted at edge t
//   drives the start bit from t, then 8 data bits and one stop bit, each for
//   CLKS_PER_BIT clocks. ready rises in the last clock of the stop bit, so a
//   byte offered continuously follows with no idle time: back-to-back bytes
//   take exactly 10 * CLKS_PER_BIT clocks each.
//
// Parameters
//   CLK_HZ  clock frequency in Hz.
//   BAUD    bit rate in bits per second.
`default_nettype none

module locus_uart_tx #(
    parameter CLK_HZ = 12000000,
    parameter BAUD = 115200
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] data,
    input  wire       valid,
    output wire       ready,
    output wire       tx
);
    localparam integer CLKS_PER_BIT = (CLK_HZ + BAUD / 2) / BAUD;
    localparam integer CW = $clog2(CLKS_PER_BIT);
    localparam integer LAST_I = CLKS_PER_BIT - 1;
    localparam [CW-1:0] LAST = LAST_I[CW-1:0];

    generate
        if (CLKS_PER_BIT < 2) begin : g_check
            // Elaboration fails here: CLK_HZ / BAUD must be at least 2.
            locus_uart_tx_error_clk_hz_over_baud_must_be_at_least_2 u_error ();
        end
    endgenerate

    reg          busy;
    reg          tx_q;
    reg [8:0]    shift;  // data bits then the stop bit, next bit at [0]
    reg [3:0]    left;   // bits still to drive after the current one
    reg [CW-1:0] cnt;

    wire bit_done = (cnt == {CW{1'b0}});
    assign ready = !busy || (bit_done && left == 4'd0);
    assign tx = tx_q;

    always @(posedge clk) begin
        if (rst) begin
            busy <= 1'b0;
            tx_q <= 1'b1;
            left <= 4'd0;
            cnt <= {CW{1'b0}};
        end else if (valid && ready) begin
            busy <= 1'b1;
            tx_q <= 1'b0;  // start bit
            shift <= {1'b1, data};
            left <= 4'd9;
            cnt <= LAST;
        end else if (busy) begin
            if (!bit_done) begin
                cnt <= cnt - 1'b1;
            end else if (left != 4'd0) begin
                tx_q <= shift[0];
                shift <= {1'b1, shift[8:1]};
                left <= left - 1'b1;
                cnt <= LAST;
            end else begin
                busy <= 1'b0;  // stop bit done, nothing offered
            end
        end
    end
endmodule

`default_nettype wire
