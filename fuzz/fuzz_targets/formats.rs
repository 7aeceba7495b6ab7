//! The other profilers' formats (issue 19): folded stacks, perf script, speedscope JSON,
//! Chrome's .cpuprofile and .heapprofile. An input that sniffs as one of them is decoded as
//! it would be from a drop; any other input goes to the decoder its first byte picks (so
//! random bytes reach every parser, not only the sniffer). Then the top table of every
//! sample type.
#![no_main]
use libfuzzer_sys::fuzz_target;
use profdrop::analysis::top::top_table;
use profdrop::decode::{decode_stacks, sniff, Format, Limits, StacksKind};

const KINDS: [StacksKind; 5] =
    [StacksKind::Folded, StacksKind::PerfScript, StacksKind::Speedscope, StacksKind::CpuProfile, StacksKind::HeapProfile];

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bytes: 16 << 20, ..Limits::default() };
    let (kind, input) = match sniff(data) {
        Ok(Format::Stacks(kind)) => (kind, data),
        _ => {
            let Some((&sel, rest)) = data.split_first() else { return };
            (KINDS[sel as usize % KINDS.len()], rest)
        }
    };
    if let Ok(p) = decode_stacks(kind, input, &limits) {
        assert_eq!(p.values.len(), p.sample_types.len());
        for st in 0..p.sample_types.len() {
            assert_eq!(p.values[st].len(), p.num_samples());
            let _ = top_table(&p, st);
        }
    }
});
