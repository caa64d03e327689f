//! The served mode's wire format on arbitrary bytes: a stream of length-delimited frames (the
//! codec exactly as `protocol::frame` configures it, `MAX_FRAME`), each frame decoded as the
//! server decodes a client's message (`ClientMsg`) and as a client decodes the server's
//! (`ServerMsg`). Beyond "never panics": a frame is never longer than `MAX_FRAME`, the frames
//! taken never hold more bytes than were given, and whatever decodes encodes again into a frame
//! that decodes (what the server accepts, it could say back; what it says, a client can read).
//!
//! The first byte is how many bytes arrive at a time (0: all at once), as a socket hands over a
//! stream in pieces; the rest is the stream.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use permitdesk::remote::protocol::{self, ClientMsg, MAX_FRAME, ServerMsg};
use tokio_util::codec::{Decoder, LengthDelimitedCodec};

fn check_frame(frame: &[u8]) {
    assert!(frame.len() <= MAX_FRAME, "a frame of {} bytes", frame.len());
    if let Ok(msg) = protocol::decode::<ClientMsg>(frame) {
        let again = protocol::encode(&msg).expect("a decoded ClientMsg encodes");
        if let Err(e) = protocol::decode::<ClientMsg>(&again) {
            panic!("a ClientMsg does not decode from its own encoding: {e}: {msg:?}");
        }
    }
    if let Ok(msg) = protocol::decode::<ServerMsg>(frame) {
        let again = protocol::encode(&msg).expect("a decoded ServerMsg encodes");
        if let Err(e) = protocol::decode::<ServerMsg>(&again) {
            panic!("a ServerMsg does not decode from its own encoding: {e}: {msg:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (step, stream) = match data.split_first() {
        Some((0, rest)) => (rest.len().max(1), rest),
        Some((n, rest)) => (usize::from(*n), rest),
        None => (1, data),
    };
    let mut codec = LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec();
    let mut buf = BytesMut::new();
    let mut taken = 0usize;
    let mut pieces = stream.chunks(step);
    // As `Framed` does: decode what is buffered until the codec wants more, then read more; at
    // the end of the stream `decode_eof`. An error closes the connection.
    'stream: loop {
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(frame)) => {
                    taken += frame.len() + 4;
                    check_frame(&frame);
                }
                Ok(None) => break,
                Err(_) => break 'stream,
            }
        }
        match pieces.next() {
            Some(piece) => buf.extend_from_slice(piece),
            None => {
                while let Ok(Some(frame)) = codec.decode_eof(&mut buf) {
                    taken += frame.len() + 4;
                    check_frame(&frame);
                }
                break;
            }
        }
    }
    assert!(
        taken <= stream.len(),
        "took {taken} bytes of {}",
        stream.len()
    );
});
