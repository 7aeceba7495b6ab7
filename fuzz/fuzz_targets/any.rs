//! Anything, through the front door: sniffing, gzip, protobuf, text; then, when it loads,
//! the views a user opens first (top table of every sample type, the flame graph).
#![no_main]
use libfuzzer_sys::fuzz_target;
use profdrop::analysis::top::top_table;
use profdrop::decode::{decode_with, Limits, NoProgress};
use profdrop::engine::Engine;
use profdrop::protocol::{FlameSource, Granularity, Refine, Request};

fuzz_target!(|data: &[u8]| {
    // 16 MB cap (default 768 MB): a bigger inflate is slow, not interesting, and would
    // trip -timeout=1 in this instrumented build. The gzip target covers the cap itself.
    let limits = Limits { max_bytes: 16 << 20, ..Limits::default() };
    let Ok(p) = decode_with(data, &limits, &mut NoProgress) else { return };
    for st in 0..p.sample_types.len() {
        let _ = top_table(&p, st);
    }
    let mut engine = Engine::new();
    engine.insert(1, "fuzz", p);
    let _ = engine.handle(Request::Flame {
        source: FlameSource::Single { id: 1 },
        sample_type: String::new(),
        focus: None,
        zoom: vec![],
        search: String::new(),
        min_fraction: 0.0,
        refine: Refine::default(),
        inverted: false,
        pivot: None,
    });
    // A refinement reads the profile's locations: the lines granularity and a filter.
    let refine = Refine { granularity: Granularity::Lines, focus: "a".into(), hide: "^runtime".into(), ..Refine::default() };
    let _ = engine.handle(Request::Top { id: 1, sample_type: String::new(), order: Default::default(), limit: 0, refine });
});
