// tb_locus_crc8: self-checking testbench for locus_crc8 (check value, random messages against a bit-serial reference, clear priority).
`default_nettype none

module tb_locus_crc8;
    reg clk = 1'b0;
    reg rst = 1'b1;
    reg clear = 1'b0;
    reg en = 1'b0;
    reg [7:0] data = 8'd0;
    wire [7:0] crc;
    wire [7:0] crc_next;
    integer errors = 0;

    locus_crc8 dut (
        .clk(clk), .rst(rst), .clear(clear), .en(en), .data(data),
        .crc(crc), .crc_next(crc_next)
    );

    always #5 clk = ~clk;

    // Reference: one bit at a time, message bits most significant first.
    function [7:0] ref_byte;
        input [7:0] c;
        input [7:0] d;
        integer i;
        reg fb;
        begin
            for (i = 7; i >= 0; i = i - 1) begin
                fb = c[7] ^ d[i];
                c = {c[6:0], 1'b0};
                if (fb) c = c ^ 8'h07;
            end
            ref_byte = c;
        end
    endfunction

    task feed;
        input [7:0] b;
        begin
            @(negedge clk);
            data = b;
            en = 1'b1;
            @(negedge clk);
            en = 1'b0;
        end
    endtask

    task expect_crc;
        input [7:0] want;
        input [8*24-1:0] what;
        begin
            if (crc !== want) begin
                $display("FAIL %0s: crc %02x, expected %02x", what, crc, want);
                errors = errors + 1;
            end
        end
    endtask

    reg [7:0] model;
    reg [7:0] b;
    integer n, k, seed;

    initial begin
        repeat (2) @(negedge clk);
        rst = 1'b0;
        expect_crc(8'h00, "after reset");

        // The catalogue check value of CRC-8/SMBUS.
        feed("1"); feed("2"); feed("3"); feed("4"); feed("5");
        feed("6"); feed("7"); feed("8"); feed("9");
        expect_crc(8'hF4, "check 123456789");

        // The worked example of docs/protocol.md: an infer request's CRC.
        @(negedge clk); clear = 1'b1; @(negedge clk); clear = 1'b0;
        feed(8'h01); feed(8'h02); feed(8'h34); feed(8'h12);
        expect_crc(8'h13, "docs example");

        // Random messages against the bit-serial reference.
        seed = 7;
        for (n = 0; n < 200; n = n + 1) begin
            @(negedge clk); clear = 1'b1; @(negedge clk); clear = 1'b0;
            model = 8'h00;
            for (k = 0; k < (n % 9) + 1; k = k + 1) begin
                b = $random(seed);
                feed(b);
                model = ref_byte(model, b);
            end
            expect_crc(model, "random message");
        end

        // crc_next is combinational on the current crc and data.
        @(negedge clk); data = 8'h5A;
        #1 if (crc_next !== ref_byte(crc, 8'h5A)) begin
            $display("FAIL crc_next %02x, expected %02x", crc_next, ref_byte(crc, 8'h5A));
            errors = errors + 1;
        end

        // clear wins over en.
        @(negedge clk); clear = 1'b1; en = 1'b1; data = 8'hFF;
        @(negedge clk); clear = 1'b0; en = 1'b0;
        expect_crc(8'h00, "clear over en");

        // rst clears too.
        feed(8'h42);
        @(negedge clk); rst = 1'b1; @(negedge clk); rst = 1'b0;
        expect_crc(8'h00, "rst");

        if (errors == 0) $display("PASS");
        else $display("FAIL: %0d errors", errors);
        $finish;
    end
endmodule

`default_nettype wire
