//! The framed UART protocol of `rtl/locus_uart_bridge.v` (docs/protocol.md), host side: CRC-8, frames, a streaming decoder, feature and result packing.
//!
//! Request `A5 TYPE LEN PAYLOAD[LEN] CRC`, response `5A TYPE LEN PAYLOAD[LEN] CRC`;
//! CRC-8/SMBUS (poly 0x07, init 0, no reflection, no final xor) over TYPE, LEN and
//! PAYLOAD. Multi-byte fields are little-endian.

use hdl_gen::compile::OutputField;
use hdl_gen::fixed::wrap;

/// First byte of a request (host to board).
pub const SYNC_REQUEST: u8 = 0xA5;
/// First byte of a response (board to host).
pub const SYNC_RESPONSE: u8 = 0x5A;
/// Infer: the payload is `in_features`; the answer's payload is the core's outputs.
pub const TYPE_INFER: u8 = 0x01;
/// Status: empty request; the answer's payload is `frames_ok`, `frames_dropped`.
pub const TYPE_STATUS: u8 = 0x02;
/// Bytes a frame adds around its payload: sync, type, length, CRC.
pub const OVERHEAD: usize = 4;

/// Folds one byte into a CRC-8/SMBUS value.
pub fn crc8_update(crc: u8, byte: u8) -> u8 {
    let mut c = crc ^ byte;
    for _ in 0..8 {
        c = if c & 0x80 != 0 {
            (c << 1) ^ 0x07
        } else {
            c << 1
        };
    }
    c
}

/// CRC-8/SMBUS of `bytes` (check value: `crc8(b"123456789") == 0xF4`).
pub fn crc8(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |c, &b| crc8_update(c, b))
}

/// A frame without its sync byte and CRC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub ty: u8,
    pub payload: Vec<u8>,
}

/// Encodes a frame with the given sync byte; `None` if the payload exceeds 255 bytes.
pub fn encode(sync: u8, ty: u8, payload: &[u8]) -> Option<Vec<u8>> {
    let len = u8::try_from(payload.len()).ok()?;
    let mut f = Vec::with_capacity(payload.len() + OVERHEAD);
    f.extend([sync, ty, len]);
    f.extend_from_slice(payload);
    f.push(crc8(&f[1..]));
    Some(f)
}

/// An infer request for packed feature bytes; `None` if there are more than 255.
pub fn infer_request(features: &[u8]) -> Option<Vec<u8>> {
    encode(SYNC_REQUEST, TYPE_INFER, features)
}

/// A status request.
pub fn status_request() -> Vec<u8> {
    vec![SYNC_REQUEST, TYPE_STATUS, 0, crc8(&[TYPE_STATUS, 0])]
}

/// The bridge's counters, as a status response reports them (wrapping at 2^16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// Requests accepted (infer and status), counting the status request itself.
    pub frames_ok: u16,
    /// Frames dropped: garbage runs, bad type/length/CRC, framing errors,
    /// truncated frames, no room in the result FIFO.
    pub frames_dropped: u16,
}

impl Status {
    /// Parses a status response's frame; `None` if it is not one.
    pub fn parse(f: &Frame) -> Option<Status> {
        match (f.ty, f.payload.as_slice()) {
            (TYPE_STATUS, &[a, b, c, d]) => Some(Status {
                frames_ok: u16::from_le_bytes([a, b]),
                frames_dropped: u16::from_le_bytes([c, d]),
            }),
            _ => None,
        }
    }
}

/// What the decoder saw besides good frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A complete frame whose CRC byte differs from the CRC of its contents.
    BadCrc { ty: u8, len: u8, got: u8, want: u8 },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::BadCrc { ty, len, got, want } => write!(
                f,
                "frame type 0x{ty:02x}, length {len}: CRC 0x{got:02x}, expected 0x{want:02x}"
            ),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Hunt,
    Type,
    Len,
    Payload,
    Crc,
}

/// A streaming frame decoder: hunts for the sync byte, then reads type, length,
/// payload and CRC. Bytes outside frames are counted in [`Decoder::skipped`].
#[derive(Clone, Debug)]
pub struct Decoder {
    sync: u8,
    state: State,
    ty: u8,
    len: u8,
    payload: Vec<u8>,
    /// Bytes skipped while hunting for the sync byte.
    pub skipped: u64,
}

impl Decoder {
    /// A decoder for frames that start with `sync`.
    pub fn new(sync: u8) -> Self {
        Decoder {
            sync,
            state: State::Hunt,
            ty: 0,
            len: 0,
            payload: Vec::new(),
            skipped: 0,
        }
    }

    /// Forgets a partial frame and hunts for the sync byte again.
    pub fn reset(&mut self) {
        self.state = State::Hunt;
        self.payload.clear();
    }

    /// True between a sync byte and the end of its frame.
    pub fn in_frame(&self) -> bool {
        self.state != State::Hunt
    }

    /// Feeds one byte; returns a frame (or a CRC error) when one completes.
    pub fn push(&mut self, b: u8) -> Option<Result<Frame, DecodeError>> {
        match self.state {
            State::Hunt => {
                if b == self.sync {
                    self.state = State::Type;
                    self.payload.clear();
                } else {
                    self.skipped += 1;
                }
                None
            }
            State::Type => {
                self.ty = b;
                self.state = State::Len;
                None
            }
            State::Len => {
                self.len = b;
                self.state = if b == 0 { State::Crc } else { State::Payload };
                None
            }
            State::Payload => {
                self.payload.push(b);
                if self.payload.len() == usize::from(self.len) {
                    self.state = State::Crc;
                }
                None
            }
            State::Crc => {
                self.state = State::Hunt;
                let want = self
                    .payload
                    .iter()
                    .fold(crc8_update(crc8_update(0, self.ty), self.len), |c, &x| {
                        crc8_update(c, x)
                    });
                let payload = std::mem::take(&mut self.payload);
                Some(if b == want {
                    Ok(Frame {
                        ty: self.ty,
                        payload,
                    })
                } else {
                    Err(DecodeError::BadCrc {
                        ty: self.ty,
                        len: self.len,
                        got: b,
                        want,
                    })
                })
            }
        }
    }
}

/// Bytes needed for `bits` bits.
pub fn bytes_for(bits: u32) -> usize {
    bits.div_ceil(8) as usize
}

/// `in_features` (as little-endian 32-bit words, see `hdl_gen::compile::pack_words`)
/// as the infer payload: `ceil(width / 8)` bytes, bit 0 in byte 0.
pub fn pack_features(words: &[u32], width: u32) -> Vec<u8> {
    let n = bytes_for(width);
    let mut out: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    out.resize(n, 0);
    out
}

/// Splits an infer response's payload into the core's outputs, first output at
/// bit 0, each sign- or zero-extended as its field says. `None` if the payload
/// has the wrong length or a field is wider than 64 bits.
pub fn unpack_result(payload: &[u8], outputs: &[OutputField]) -> Option<Vec<i64>> {
    let total: u32 = outputs.iter().map(|o| o.width).sum();
    if payload.len() != bytes_for(total) || outputs.iter().any(|o| o.width > 64) {
        return None;
    }
    let bit = |i: u32| (payload[(i / 8) as usize] >> (i % 8)) & 1;
    let mut lsb = 0;
    let mut values = Vec::with_capacity(outputs.len());
    for o in outputs {
        let mut v: u64 = 0;
        for b in 0..o.width {
            v |= u64::from(bit(lsb + b)) << b;
        }
        values.push(wrap(v as i64, o.width, o.signed));
        lsb += o.width;
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_value() {
        assert_eq!(crc8(b"123456789"), 0xF4);
        assert_eq!(crc8(&[]), 0x00);
    }

    /// The worked example of docs/protocol.md: a 16-bit `in_features` = 0x1234.
    #[test]
    fn docs_worked_example() {
        let payload = pack_features(&[0x1234], 16);
        assert_eq!(payload, [0x34, 0x12]);
        assert_eq!(crc8(&[0x01, 0x02, 0x34, 0x12]), 0x13);
        assert_eq!(
            infer_request(&payload).unwrap(),
            [0xA5, 0x01, 0x02, 0x34, 0x12, 0x13]
        );
        assert_eq!(status_request(), [0xA5, 0x02, 0x00, 0x2A]);
        // The answer: out_class = 2 (2 bits), out_score = -3 (6 bits, signed):
        // 0b111101_10 = 0xF6.
        let answer = encode(SYNC_RESPONSE, TYPE_INFER, &[0xF6]).unwrap();
        assert_eq!(answer, [0x5A, 0x01, 0x01, 0xF6, 0xB2]);
        let outputs = [
            OutputField {
                name: "out_class".into(),
                width: 2,
                signed: false,
            },
            OutputField {
                name: "out_score".into(),
                width: 6,
                signed: true,
            },
        ];
        assert_eq!(unpack_result(&[0xF6], &outputs), Some(vec![2, -3]));
        // The status answer for 7 accepted and 1 dropped frame.
        let st = encode(SYNC_RESPONSE, TYPE_STATUS, &[7, 0, 1, 0]).unwrap();
        assert_eq!(st, [0x5A, 0x02, 0x04, 0x07, 0x00, 0x01, 0x00, 0xAA]);
    }

    #[test]
    fn decoder_skips_garbage_and_reports_bad_crc() {
        let mut d = Decoder::new(SYNC_RESPONSE);
        let good = encode(SYNC_RESPONSE, TYPE_INFER, &[1, 2, 3]).unwrap();
        let mut bad = good.clone();
        *bad.last_mut().unwrap() ^= 1;
        let mut stream = vec![0x00, 0x13, 0xFF];
        stream.extend(&bad);
        stream.extend(&good);
        stream.extend(encode(SYNC_RESPONSE, TYPE_STATUS, &[3, 0, 4, 0]).unwrap());
        let out: Vec<_> = stream.iter().filter_map(|&b| d.push(b)).collect();
        assert_eq!(out.len(), 3);
        assert!(matches!(
            out[0],
            Err(DecodeError::BadCrc { ty: 1, len: 3, .. })
        ));
        assert_eq!(
            out[1],
            Ok(Frame {
                ty: TYPE_INFER,
                payload: vec![1, 2, 3]
            })
        );
        let st = Status::parse(out[2].as_ref().unwrap()).unwrap();
        assert_eq!((st.frames_ok, st.frames_dropped), (3, 4));
        assert_eq!(d.skipped, 3);
        assert!(!d.in_frame());
    }

    #[test]
    fn features_pack_little_endian_and_pad() {
        assert_eq!(
            pack_features(&[0x0A0B0C0D, 0x3], 34),
            [0x0D, 0x0C, 0x0B, 0x0A, 0x03]
        );
        assert_eq!(pack_features(&[0x1F], 5), [0x1F]);
        assert_eq!(encode(SYNC_REQUEST, TYPE_INFER, &[0; 256]), None);
    }

    #[test]
    fn results_unpack_across_byte_boundaries() {
        let f = |name: &str, width, signed| OutputField {
            name: name.into(),
            width,
            signed,
        };
        let outputs = [f("a", 3, false), f("b", 9, true), f("c", 27, true)];
        // Pack by hand, then unpack.
        let (a, b, c) = (5i64, -200i64, -33_000_000i64);
        let mut bits: u64 = 0;
        bits |= a as u64 & 0x7;
        bits |= (b as u64 & 0x1FF) << 3;
        bits |= (c as u64 & 0x7FF_FFFF) << 12;
        let payload = bits.to_le_bytes()[..5].to_vec();
        assert_eq!(unpack_result(&payload, &outputs), Some(vec![a, b, c]));
        assert_eq!(unpack_result(&payload[..4], &outputs), None);
    }
}
