//! gzip container + inflate with a 16 MB output cap: never panics, never exceeds the cap.
//! (16 MB, not more: inflating 16 MB of a distance-2 pattern takes ~0.4 s in this
//! instrumented build, so -timeout=1 still means "hang", not "big".)
#![no_main]
use libfuzzer_sys::fuzz_target;
use profdrop::decode::{gzip::gunzip, NoProgress};

const CAP: usize = 16 << 20;

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = gunzip(data, CAP, &mut NoProgress) {
        assert!(out.len() <= CAP, "gunzip returned {} bytes, cap {CAP}", out.len());
    }
});
