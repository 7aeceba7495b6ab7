//! Go goroutine text dumps. The first byte picks a header so that (nearly) every input takes
//! the text path: debug=1 counts, debug=2 dumps, threadcreate, or the bytes as they are.
#![no_main]
use libfuzzer_sys::fuzz_target;
use profdrop::decode::{decode_with, Limits, NoProgress};

const HEADS: [&[u8]; 4] =
    [b"goroutine profile: total 1\n", b"goroutine 1 [running]:\n", b"threadcreate profile: total 3\n", b""];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let mut input = HEADS[sel as usize % HEADS.len()].to_vec();
    input.extend_from_slice(rest);
    if let Ok(p) = decode_with(&input, &Limits::default(), &mut NoProgress) {
        assert_eq!(p.values[0].len(), p.num_samples());
        for &s in &p.sample_stack {
            let _ = p.stacks.get(s);
        }
    }
});
