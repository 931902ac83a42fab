// locus_uart_bridge: the framed UART protocol between a host and an inference core (docs/protocol.md).
//
// Ports
//   clk, rst                 the design clock (CLK_HZ); synchronous reset, active high.
//   uart_rx                  serial from the host, idle high, asynchronous.
//   uart_tx                  serial to the host, idle high, registered.
//   core_in_valid            core_in_features holds a request; held until the
//                            core takes it (a clock with core_in_ready high).
//   core_in_features[FEAT_W] the request's feature codes; stable from
//                            core_in_valid until the next request's payload
//                            starts arriving, which cannot happen while
//                            core_in_valid is high (see "no room").
//   core_in_ready            the core takes core_in_features this clock if
//                            core_in_valid is high (tie high for a core that
//                            takes a vector every clock).
//   core_out_valid           the core's result is on core_result (in request
//                            order, at the core's fixed latency).
//   core_result[RES_W]       the core's outputs, packed.
//   led_activity, led_error  active high, stretched to about LED_STRETCH clocks:
//                            a response started / a frame was dropped.
//
// Protocol (all multi-byte fields little-endian)
//   request   A5 TYPE LEN PAYLOAD[LEN] CRC        CRC-8/SMBUS over TYPE, LEN, PAYLOAD
//   response  5A TYPE LEN PAYLOAD[LEN] CRC
//   TYPE 01 infer:  request LEN = ceil(FEAT_W/8), PAYLOAD = core_in_features
//                   (bit 0 = bit 0 of byte 0; padding bits are ignored).
//                   Response LEN = ceil(RES_W/8), PAYLOAD = core_result,
//                   zero-padded.
//   TYPE 02 status: request LEN = 0. Response LEN = 4, PAYLOAD = frames_ok[15:0],
//                   frames_dropped[15:0]: wrapping counters read when the
//                   response starts (so they include this status request).
//                   frames_ok counts accepted requests of both types.
//   Responses leave in request order.
//
// Errors: each of these counts one dropped frame, pulses led_error and sends the
// receiver back to hunting for A5; nothing is answered.
//   * garbage: a run of non-A5 bytes (or framing errors) while hunting counts
//     once; the run ends at an A5 or after TIMEOUT idle clocks. The rest of a
//     frame rejected early (bad TYPE, bad LEN, framing error) is part of that
//     frame's drop, not a new one.
//   * TYPE not 01/02; LEN not the one TYPE requires (checked at that byte).
//   * framing error (stop bit 0) inside a frame.
//   * truncated frame: TIMEOUT clocks with no byte arriving inside a frame.
//   * bad CRC.
//   * no room: a good request arriving while the result FIFO (FIFO_DEPTH
//     entries, each slot reserved when its request is accepted) is full, or
//     while an earlier status request still waits for core results (only
//     possible if the core's latency exceeds one request frame).
//   * busy core: an infer request whose LEN byte arrives while the previous
//     request still waits for the core (core_in_valid high, core_in_ready
//     low): its payload would overwrite the waiting features, so the frame is
//     dropped at that byte. Only a core whose initiation interval exceeds a
//     request frame can cause it; `locus run` then sends one request at a
//     time, so no request is ever lost or answered out of turn.
//   The receiver always returns to hunting: every state leaves on a byte, a
//   framing error or the timeout. After an error the host should stay silent for
//   TIMEOUT plus one byte time before sending again, so that bytes of its next
//   frame are not taken as the rest of a false frame started by an A5 inside the
//   garbage (a byte misaligned by garbage may end up to a byte time late).
//
// Timing
//   core_in_valid rises 1 clock after the CRC byte's stop bit is sampled. A
//   result is queued the clock core_out_valid is high; its response's sync byte
//   starts 2 clocks later if the transmitter is idle, and responses follow each
//   other with no idle time. UART timing: see locus_uart_rx / locus_uart_tx.
//
// Parameters
//   CLK_HZ, BAUD   clock and bit rate; CLK_HZ / BAUD rounded must be at least 4.
//   FEAT_W, RES_W  widths of core_in_features / core_result, 1 to 2040.
//   FIFO_DEPTH     result FIFO entries, a power of two >= 2 (default 4).
//   LED_STRETCH    longest LED pulse in clocks, >= 1 (default CLK_HZ/20: 50 ms).
//                  A pulse lasts 8 ticks of a 2**PW-clock prescaler, the largest
//                  with 2**PW <= LED_STRETCH/8 (at least 4 clocks): between 7/16
//                  and 1 times LED_STRETCH, for LED_STRETCH >= 32.
//   TIMEOUT        inter-byte timeout in clocks, counted from the end of the last
//                  byte (default: 5 ms or 20 bit times, whichever is longer).
`default_nettype none

module locus_uart_bridge #(
    parameter CLK_HZ = 12000000,
    parameter BAUD = 115200,
    parameter FEAT_W = 8,
    parameter RES_W = 8,
    parameter FIFO_DEPTH = 4,
    parameter LED_STRETCH = CLK_HZ / 20,
    parameter TIMEOUT = (CLK_HZ / 200 > 20 * ((CLK_HZ + BAUD / 2) / BAUD))
        ? CLK_HZ / 200 : 20 * ((CLK_HZ + BAUD / 2) / BAUD)
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              uart_rx,
    output wire              uart_tx,
    output reg               core_in_valid,
    output wire [FEAT_W-1:0] core_in_features,
    input  wire              core_in_ready,
    input  wire              core_out_valid,
    input  wire [RES_W-1:0]  core_result,
    output wire              led_activity,
    output wire              led_error
);
    // ---------------------------------------------------------------- constants
    localparam integer FEAT_BYTES = (FEAT_W + 7) / 8;
    localparam integer RES_BYTES = (RES_W + 7) / 8;
    localparam integer PAY_W = FEAT_BYTES * 8;
    localparam integer TB = RES_BYTES > 4 ? RES_BYTES * 8 : 32;  // response payload bits
    localparam integer AW = FIFO_DEPTH > 2 ? $clog2(FIFO_DEPTH) : 1;
    localparam integer TW = $clog2(TIMEOUT + 1);
    // LED prescaler: a free-running PW-bit counter, 2**PW <= LED_STRETCH / 8.
    localparam integer PW = LED_STRETCH >= 32 ? $clog2(LED_STRETCH / 8 + 1) - 1 : 2;

    localparam [7:0] SYNC_REQ = 8'hA5;
    localparam [7:0] SYNC_RESP = 8'h5A;
    localparam [7:0] T_INFER = 8'h01;
    localparam [7:0] T_STATUS = 8'h02;
    localparam [7:0] LEN_INFER = FEAT_BYTES[7:0];
    localparam [7:0] LEN_RESULT = RES_BYTES[7:0];
    localparam [TW-1:0] TIMEOUT_V = TIMEOUT[TW-1:0];
    localparam [AW:0] DEPTH_V = FIFO_DEPTH[AW:0];

    generate
        if (FEAT_BYTES > 255 || RES_BYTES > 255 || FEAT_W < 1 || RES_W < 1) begin : g_check_w
            // Elaboration fails here: FEAT_W and RES_W must be 1 to 2040 bits.
            locus_uart_bridge_error_widths_must_be_1_to_2040 u_error ();
        end
        if (FIFO_DEPTH < 2 || (1 << AW) != FIFO_DEPTH) begin : g_check_d
            // Elaboration fails here: FIFO_DEPTH must be a power of two >= 2.
            locus_uart_bridge_error_fifo_depth_must_be_a_power_of_two u_error ();
        end
        if (LED_STRETCH < 1 || TIMEOUT < 1) begin : g_check_t
            // Elaboration fails here: LED_STRETCH and TIMEOUT must be >= 1.
            locus_uart_bridge_error_led_stretch_and_timeout_must_be_positive u_error ();
        end
    endgenerate

    // ---------------------------------------------------------------- UART
    wire [7:0] rx_data;
    wire       rx_valid, rx_ferr, rx_busy;
    locus_uart_rx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_rx (
        .clk(clk), .rst(rst), .rx(uart_rx),
        .data(rx_data), .valid(rx_valid), .frame_err(rx_ferr), .busy(rx_busy)
    );

    reg  [7:0] tx_data;
    wire       tx_valid, tx_ready;
    locus_uart_tx #(.CLK_HZ(CLK_HZ), .BAUD(BAUD)) u_tx (
        .clk(clk), .rst(rst), .data(tx_data), .valid(tx_valid), .ready(tx_ready),
        .tx(uart_tx)
    );

    // ---------------------------------------------------------------- receiver
    localparam [2:0] R_HUNT = 3'd0, R_TYPE = 3'd1, R_LEN = 3'd2, R_PAY = 3'd3, R_CRC = 3'd4;

    reg  [2:0]       r_state;
    reg              r_status;   // the frame being received is a status request
    reg  [7:0]       r_left;     // payload bytes still to come
    reg              r_junk;     // the current garbage run was already counted
    reg  [PAY_W-1:0] r_pay;
    reg  [TW-1:0]    r_idle;     // clocks since the last byte ended

    wire [7:0] rx_crc;
    wire [7:0] rx_crc_next;
    locus_crc8 u_rx_crc (
        .clk(clk), .rst(rst),
        .clear(r_state == R_HUNT), .en(rx_valid && r_state != R_CRC), .data(rx_data),
        .crc(rx_crc), .crc_next(rx_crc_next)
    );

    // The payload shifts in from the top: after LEN bytes, byte 0 is at [7:0].
    wire [PAY_W-1:0] pay_next;
    assign core_in_features = r_pay[FEAT_W-1:0];
    generate
        if (PAY_W > 8) begin : g_shift
            assign pay_next = {rx_data, r_pay[PAY_W-1:8]};
        end else begin : g_one
            assign pay_next = rx_data;
        end
        if (PAY_W > FEAT_W) begin : g_pad
            wire unused_padding = ^r_pay[PAY_W-1:FEAT_W];
        end
    endgenerate
    wire unused_rx_crc_next = ^rx_crc_next;

    // ---------------------------------------------------------------- bookkeeping
    reg [AW:0] resv;           // FIFO slots reserved: accepted requests not yet sent
    reg [AW:0] outstanding;    // infer requests inside the core
    reg        status_wait;    // an accepted status request not yet queued
    reg [15:0] frames_ok;
    reg [15:0] frames_dropped;

    wire room = (resv != DEPTH_V) && !status_wait;

    // One-clock events from the receiver.
    reg drop;
    reg good_infer, good_status;
    wire crc_ok = (rx_data == rx_crc);

    always @(*) begin
        drop = 1'b0;
        good_infer = 1'b0;
        good_status = 1'b0;
        if (rx_valid) begin
            case (r_state)
                R_HUNT: drop = (rx_data != SYNC_REQ) && !r_junk;
                R_TYPE: drop = (rx_data != T_INFER) && (rx_data != T_STATUS);
                R_LEN:  drop = (rx_data != (r_status ? 8'd0 : LEN_INFER))
                               || (!r_status && core_in_valid && !core_in_ready);
                R_CRC: begin
                    good_infer = crc_ok && !r_status && room;
                    good_status = crc_ok && r_status && room;
                    drop = !(crc_ok && room);
                end
                default: drop = 1'b0;
            endcase
        end else if (rx_ferr) begin
            drop = (r_state != R_HUNT) || !r_junk;
        end else if (r_state != R_HUNT && r_idle == TIMEOUT_V) begin
            drop = 1'b1;
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            r_state <= R_HUNT;
            r_status <= 1'b0;
            r_left <= 8'd0;
            r_junk <= 1'b0;
            r_idle <= {TW{1'b0}};
        end else begin
            if (rx_valid || rx_ferr || rx_busy) r_idle <= {TW{1'b0}};
            else if (r_idle != TIMEOUT_V) r_idle <= r_idle + 1'b1;

            if (rx_valid) begin
                case (r_state)
                    R_HUNT:
                        if (rx_data == SYNC_REQ) begin
                            r_state <= R_TYPE;
                            r_junk <= 1'b0;
                        end else begin
                            r_junk <= 1'b1;
                        end
                    R_TYPE:
                        if (drop) begin
                            r_state <= R_HUNT;
                            r_junk <= 1'b1;
                        end else begin
                            r_status <= (rx_data == T_STATUS);
                            r_state <= R_LEN;
                        end
                    R_LEN:
                        if (drop) begin
                            r_state <= R_HUNT;
                            r_junk <= 1'b1;
                        end else begin
                            r_left <= rx_data;
                            r_state <= (rx_data == 8'd0) ? R_CRC : R_PAY;
                        end
                    R_PAY: begin
                        r_pay <= pay_next;
                        r_left <= r_left - 1'b1;
                        if (r_left == 8'd1) r_state <= R_CRC;
                    end
                    default:  // R_CRC: a complete frame, good or bad
                        r_state <= R_HUNT;
                endcase
            end else if (rx_ferr) begin
                r_state <= R_HUNT;
                r_junk <= 1'b1;
            end else if (r_idle == TIMEOUT_V) begin
                // A quiet line ends a frame (truncated) or a garbage run.
                r_state <= R_HUNT;
                r_junk <= 1'b0;
            end
        end
    end

    // ---------------------------------------------------------------- result FIFO
    // Entries are {is_status, result}; a status entry carries no data: its
    // counters are read when its response starts.
    reg  [RES_W:0] mem [0:FIFO_DEPTH-1];
    reg  [AW-1:0]  wr_ptr, rd_ptr;
    wire           no_outstanding = (outstanding == {(AW + 1){1'b0}});
    wire           take_result = core_out_valid && !no_outstanding;
    wire           take_status = !take_result && status_wait && no_outstanding;
    wire           push = take_result || take_status;
    reg            t_busy;
    reg            full;
    wire           empty = (wr_ptr == rd_ptr) && !full;
    wire           pop = !t_busy && !empty;
    wire [RES_W:0] head = mem[rd_ptr];

    always @(posedge clk) begin
        if (push) mem[wr_ptr] <= {take_status, core_result};
    end

    always @(posedge clk) begin
        if (rst) begin
            core_in_valid <= 1'b0;
            wr_ptr <= {AW{1'b0}};
            rd_ptr <= {AW{1'b0}};
            full <= 1'b0;
            resv <= {(AW + 1){1'b0}};
            outstanding <= {(AW + 1){1'b0}};
            status_wait <= 1'b0;
            frames_ok <= 16'd0;
            frames_dropped <= 16'd0;
        end else begin
            if (good_infer) core_in_valid <= 1'b1;
            else if (core_in_ready) core_in_valid <= 1'b0;
            outstanding <= outstanding + {{AW{1'b0}}, good_infer} - {{AW{1'b0}}, take_result};
            resv <= resv + {{AW{1'b0}}, good_infer || good_status} - {{AW{1'b0}}, pop};
            if (good_status) status_wait <= 1'b1;
            else if (take_status) status_wait <= 1'b0;
            if (push) wr_ptr <= wr_ptr + 1'b1;
            if (pop) rd_ptr <= rd_ptr + 1'b1;
            if (push != pop) full <= push && (wr_ptr + 1'b1 == rd_ptr);
            if (good_infer || good_status) frames_ok <= frames_ok + 1'b1;
            if (drop) frames_dropped <= frames_dropped + 1'b1;
        end
    end

    // ---------------------------------------------------------------- transmitter
    localparam [2:0] P_SYNC = 3'd0, P_TYPE = 3'd1, P_LEN = 3'd2, P_PAY = 3'd3, P_CRC = 3'd4;

    reg           t_status;
    reg  [2:0]    t_phase;
    reg  [7:0]    t_left;   // payload bytes still to send, including the current one
    reg  [TB-1:0] t_buf;    // payload, next byte at [7:0]
    wire [7:0]    tx_crc;
    wire [7:0]    tx_crc_next;
    wire          tx_take = tx_valid && tx_ready;
    reg  [TB-1:0] load;
    wire [TB-1:0] buf_next = {8'd0, t_buf[TB-1:8]};  // shifts out from the bottom

    assign tx_valid = t_busy;

    always @(*) begin
        load = {TB{1'b0}};
        if (head[RES_W]) load[31:0] = {frames_dropped, frames_ok};
        else load[RES_W-1:0] = head[RES_W-1:0];
        case (t_phase)
            P_SYNC:  tx_data = SYNC_RESP;
            P_TYPE:  tx_data = t_status ? T_STATUS : T_INFER;
            P_LEN:   tx_data = t_left;
            P_PAY:   tx_data = t_buf[7:0];
            default: tx_data = tx_crc;
        endcase
    end

    locus_crc8 u_tx_crc (
        .clk(clk), .rst(rst),
        .clear(pop), .en(tx_take && t_phase != P_SYNC && t_phase != P_CRC), .data(tx_data),
        .crc(tx_crc), .crc_next(tx_crc_next)
    );
    wire unused_tx_crc_next = ^tx_crc_next;

    always @(posedge clk) begin
        if (rst) begin
            t_busy <= 1'b0;
            t_status <= 1'b0;
            t_phase <= P_SYNC;
            t_left <= 8'd0;
        end else if (pop) begin
            t_busy <= 1'b1;
            t_status <= head[RES_W];
            t_buf <= load;
            t_left <= head[RES_W] ? 8'd4 : LEN_RESULT;
            t_phase <= P_SYNC;
        end else if (tx_take) begin
            case (t_phase)
                P_SYNC: t_phase <= P_TYPE;
                P_TYPE: t_phase <= P_LEN;
                P_LEN:  t_phase <= P_PAY;
                P_PAY: begin
                    t_buf <= buf_next;
                    t_left <= t_left - 1'b1;
                    if (t_left == 8'd1) t_phase <= P_CRC;
                end
                default: t_busy <= 1'b0;
            endcase
        end
    end

    // ---------------------------------------------------------------- LEDs
    // A free-running prescaler (an up-counter: short carry chain) ticks every
    // 2**PW clocks; each LED stays on for 8 ticks after its event.
    reg [PW-1:0] pre;
    reg [3:0]    led_act_cnt, led_err_cnt;
    wire         tick = &pre;
    always @(posedge clk) begin
        if (rst) begin
            pre <= {PW{1'b0}};
            led_act_cnt <= 4'd0;
            led_err_cnt <= 4'd0;
        end else begin
            pre <= pre + 1'b1;
            if (pop) led_act_cnt <= 4'd8;
            else if (tick && led_act_cnt != 4'd0) led_act_cnt <= led_act_cnt - 1'b1;
            if (drop) led_err_cnt <= 4'd8;
            else if (tick && led_err_cnt != 4'd0) led_err_cnt <= led_err_cnt - 1'b1;
        end
    end
    assign led_activity = led_act_cnt != 4'd0;
    assign led_error = led_err_cnt != 4'd0;
endmodule

`default_nettype wire
