// tb_locus_reset_sync: self-checking testbench for locus_reset_sync (power-on length, button press and release in both polarities).
`default_nettype none

module tb_locus_reset_sync;
    reg clk = 1'b0;
    reg btn_low = 1'b1;   // active-low button, released
    reg btn_high = 1'b0;  // active-high button, released
    wire rst_low, rst_high;
    integer errors = 0;
    integer cycles = 0;
    integer first_low = -1;

    locus_reset_sync #(.ACTIVE_LOW(1), .POR_BITS(4)) dut_low (
        .clk(clk), .rst_in(btn_low), .rst(rst_low)
    );
    locus_reset_sync #(.ACTIVE_LOW(0), .POR_BITS(4)) dut_high (
        .clk(clk), .rst_in(btn_high), .rst(rst_high)
    );

    always #5 clk = ~clk;

    always @(posedge clk) begin
        cycles <= cycles + 1;
        if (first_low < 0 && rst_low === 1'b0) first_low <= cycles;
    end

    task check;
        input want_low;
        input want_high;
        input [8*32-1:0] what;
        begin
            if (rst_low !== want_low || rst_high !== want_high) begin
                $display("FAIL %0s at cycle %0d: rst %b/%b, expected %b/%b",
                         what, cycles, rst_low, rst_high, want_low, want_high);
                errors = errors + 1;
            end
        end
    endtask

    integer k;

    initial begin
        // Power-on: high from the start, for 2**POR_BITS clocks and a little more.
        #1 check(1'b1, 1'b1, "at time 0");
        for (k = 0; k < 16; k = k + 1) begin
            @(negedge clk);
            check(1'b1, 1'b1, "during power-on");
        end
        repeat (4) @(negedge clk);
        check(1'b0, 1'b0, "after power-on");
        if (first_low != 17) begin
            $display("FAIL power-on reset ended after %0d clocks, expected 17", first_low);
            errors = errors + 1;
        end

        // Press both buttons between clock edges: rst rises at the third edge.
        #2 btn_low = 1'b0; btn_high = 1'b1;
        @(negedge clk); check(1'b0, 1'b0, "press +1");
        @(negedge clk); check(1'b0, 1'b0, "press +2");
        @(negedge clk); check(1'b1, 1'b1, "press +3");
        repeat (5) @(negedge clk);
        check(1'b1, 1'b1, "held");
        #2 btn_low = 1'b1; btn_high = 1'b0;
        @(negedge clk); check(1'b1, 1'b1, "release +1");
        @(negedge clk); check(1'b1, 1'b1, "release +2");
        @(negedge clk); check(1'b0, 1'b0, "release +3");
        repeat (20) @(negedge clk);
        check(1'b0, 1'b0, "idle");

        // The power-on counter does not run again after a button press.
        #2 btn_low = 1'b0;
        repeat (4) @(negedge clk);
        #2 btn_low = 1'b1;
        repeat (4) @(negedge clk);
        check(1'b0, 1'b0, "second press released");

        if (errors == 0) $display("PASS");
        else $display("FAIL: %0d errors", errors);
        $finish;
    end
endmodule

`default_nettype wire
