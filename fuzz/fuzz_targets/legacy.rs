//! pprof's legacy formats. The first byte picks a header so that (nearly) every input takes
//! a legacy path: heap text (Go, tcmalloc, heapprofile), contention (C++, Go mutex), Java
//! heapz/contentionz, binary CPU in each word layout (C++ and Java), or the bytes as they are.
//! Then the top table of every sample type.
#![no_main]
use libfuzzer_sys::fuzz_target;
use profdrop::analysis::top::top_table;
use profdrop::decode::{decode_with, Limits, NoProgress};

const HEADS: [&[u8]; 13] = [
    b"heap profile: 1: 2 [3: 4] @ heap/1048576\n",
    b"heap profile:    1:  2 [ 1:  2] @ heapz_v2/524288\n",
    b"heap profile: 1: 2 [3: 4] @ heapprofile\n",
    b"--- contentionz 1 ---\ncycles/second = 2000000000\nsampling period = 10\n",
    b"--- mutex:\ncycles/second=3\nsampling period=1\n",
    b"--- heapz 1 ---\nformat = java\nresolution = bytes\n",
    b"--- contentionz 1 ---\nformat = java\nresolution = microseconds\nsampling period = 100\n",
    b"\0\0\0\0\x03\0\0\0\0\0\0\0\x10\x27\0\0\0\0\0\0",
    b"\0\0\0\0\0\0\0\x03\0\0\0\0\0\0\x27\x10\0\0\0\0",
    b"\0\0\0\0\0\0\0\0\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x10\x27\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x27\x10\0\0\0\0\0\0\0\0",
    b"\0\0\0\0\x03\0\0\0\x01\0\0\0\x10\x27\0\0\0\0\0\0",
    b"",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let mut input = HEADS[sel as usize % HEADS.len()].to_vec();
    input.extend_from_slice(rest);
    let limits = Limits { max_bytes: 16 << 20, ..Limits::default() };
    if let Ok(p) = decode_with(&input, &limits, &mut NoProgress) {
        assert_eq!(p.values.len(), p.sample_types.len());
        for st in 0..p.sample_types.len() {
            assert_eq!(p.values[st].len(), p.num_samples());
            let _ = top_table(&p, st);
        }
    }
});
