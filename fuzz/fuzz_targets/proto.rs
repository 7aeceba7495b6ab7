//! pprof protobuf path: `decode_with` on bytes that are not gzip (and, in practice, not a
//! text profile either: those need a specific first line).
#![no_main]
use libfuzzer_sys::fuzz_target;
use profdrop::decode::{decode_with, gzip::is_gzip, Limits, NoProgress};

fuzz_target!(|data: &[u8]| {
    if is_gzip(data) {
        return;
    }
    if let Err(e) = decode_with(data, &Limits::default(), &mut NoProgress) {
        assert!(!e.to_string().is_empty());
    }
});
