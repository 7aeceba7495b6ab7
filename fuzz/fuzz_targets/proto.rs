//! pprof protobuf path: `decode_with` on bytes that are not gzip (and, in practice, not a
//! text profile either: those need a specific first line). Whenever both the streaming
//! decoder and the prost reference (`decode_prost`) read the input, they must give the same
//! model.
#![no_main]
use libfuzzer_sys::fuzz_target;
use profdrop::decode::{decode_prost, decode_with, sniff, Format, Limits, NoProgress};

fuzz_target!(|data: &[u8]| {
    if sniff(data) == Ok(Format::Gzip) {
        return;
    }
    match decode_with(data, &Limits::default(), &mut NoProgress) {
        Err(e) => assert!(!e.to_string().is_empty()),
        Ok(fast) if sniff(data) == Ok(Format::Protobuf) => {
            if let Ok(reference) = decode_prost(data) {
                assert_eq!(fast.functions.names, reference.functions.names);
                assert_eq!(fast.sample_stack, reference.sample_stack);
                assert_eq!(fast.stacks.frames, reference.stacks.frames);
                assert_eq!(fast.values, reference.values);
                assert_eq!(fast.label_sets.sets, reference.label_sets.sets);
                assert_eq!(fast.sample_labels, reference.sample_labels);
            }
        }
        Ok(_) => {}
    }
});
