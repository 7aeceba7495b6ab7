//! Browser-only checks (wasm32 in headless Chromium via wasm-bindgen-test): the decoder and
//! engine on a 32-bit target, and the messages between the page and the workers
//! (`protocol::wire`).
#![cfg(target_arch = "wasm32")]

use profdrop::analysis::labels::{LabelKey, LabelSummary, LabelValue};
use profdrop::analysis::leaks::{Evidence, GoroutineGroup, LeakReport, Suspect};
use profdrop::analysis::top::top_table;
use profdrop::analysis::tree::FlameData;
use profdrop::decode::{decode, Stage};
use profdrop::engine::Engine;
use profdrop::model::{ProfileKind, ValueType};
use profdrop::protocol::wire::{self, Boot, FromEngine, FromInflater, Message, ToEngine, ToInflater};
use profdrop::protocol::{DiffRowOut, FlameSource, PeekEdge, PeekEntry, Refine, Request, Response, Summary, TopOrder, TopRowOut};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const HEAP: &[u8] = include_bytes!("../testdata/example/heap.pb.gz");
const GOLDEN: &str = include_str!("../testdata/golden/top/example__heap.pb.gz.3.inuse_space.tsv");

fn golden_total() -> i64 {
    let head = GOLDEN.lines().next().unwrap();
    head.split_whitespace().find_map(|kv| kv.strip_prefix("total=")).unwrap().parse().unwrap()
}

#[wasm_bindgen_test]
fn decodes_and_matches_pprof_on_wasm32() {
    let p = decode(HEAP).expect("example heap decodes");
    let i = p.sample_type_index("inuse_space").unwrap();
    let (rows, total) = top_table(&p, i);
    assert_eq!(total, golden_total());
    let first = GOLDEN.lines().nth(2).unwrap();
    let mut f = first.rsplitn(3, '\t');
    let (cum, flat, name): (i64, i64, &str) = (f.next().unwrap().parse().unwrap(), f.next().unwrap().parse().unwrap(), f.next().unwrap());
    assert_eq!((p.functions.names[rows[0].func as usize].as_str(), rows[0].flat, rows[0].cum), (name, flat, cum));
}

#[wasm_bindgen_test]
fn engine_answers_requests_in_the_browser() {
    let mut en = Engine::new();
    let s = en.load(1, "heap.pb.gz", HEAP.to_vec(), &mut profdrop::decode::NoProgress).unwrap();
    assert_eq!(s.sample_types[s.default_sample_type].name, "inuse_space");
    let req = Request::Top { id: 1, sample_type: String::new(), order: Default::default(), limit: 0, refine: Default::default() };
    let Ok(ToEngine::Req { req, .. }) = wire::decode(wire::encode(&ToEngine::Req { seq: 1, req }).unwrap()) else {
        panic!("not a request")
    };
    match en.handle(req) {
        Response::Top { total, .. } => assert_eq!(total, golden_total()),
        other => panic!("unexpected {other:?}"),
    }
}

/// Beyond f64's exact integers: must cross exactly.
const BIG: i64 = (1 << 60) + 7;

fn get(v: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(v, &k.into()).unwrap()
}

fn summary(id: u32) -> Summary {
    Summary {
        id,
        name: "heap <b>.pb.gz (2)".into(),
        sample_types: vec![
            ValueType { name: "alloc_space".into(), unit: "bytes".into() },
            ValueType { name: "inuse_space".into(), unit: "bytes".into() },
        ],
        default_sample_type: 1,
        time_nanos: 1_700_000_000_123_456_789,
        duration_nanos: -BIG,
        period: 524_288,
        period_type: Some(ValueType { name: "space".into(), unit: "bytes".into() }),
        samples: 12,
        functions: 34,
        format: "pprof protobuf (gzip)".into(),
        kind: ProfileKind::Heap,
        comments: vec!["a\u{0}b\r\n\u{fffd}".into()],
        bytes: 4_000_000_000,
        fingerprint: profdrop::analysis::series::Fingerprint {
            program: "svc".into(),
            build_id: "9f2c".into(),
            minhash: vec![u64::MAX, 0, 1 << 63],
            functions: 34,
        },
    }
}

fn flame(base: Vec<i64>, diff: bool) -> Response {
    let data = FlameData {
        parent: vec![0, 0, 1],
        name: vec![0, 1, 2],
        value: vec![BIG, 5, -BIG],
        base,
        depth: vec![0, 1, 2],
        names: vec!["root".into(), "main.main".into(), "main.<f>\"\\".into()],
        ancestors: vec![("runtime.main".into(), BIG)],
        culled: 3,
        ..Default::default()
    };
    Response::Flame {
        sample_type: "cpu".into(),
        unit: "nanoseconds".into(),
        total: BIG,
        matched: diff.then_some(-4),
        data,
        diff,
        notes: vec!["focus \"x\" matched no frame".into()],
    }
}

/// One of every answer.
fn responses() -> Vec<Response> {
    let top = Response::Top {
        id: 3,
        sample_type: "alloc_space".into(),
        unit: "bytes".into(),
        total: BIG,
        rows: vec![TopRowOut { name: "main.<img src=x>\u{fffd}".into(), flat: -BIG, cum: BIG }],
        n_rows: 1,
        notes: vec![],
    };
    let diff = Response::Diff {
        sample_type: "inuse_space".into(),
        unit: "bytes".into(),
        base_total: BIG,
        target_total: -1,
        rows: vec![DiffRowOut { name: "f".into(), base: 1, target: BIG, base_cum: -BIG, target_cum: 0 }],
        error: Some("why".into()),
        warnings: vec!["periods differ".into()],
        point_in_time: true,
        base_duration: 0,
        target_duration: BIG,
    };
    let leaks = Response::Leaks(LeakReport {
        sample_type: "inuse_space".into(),
        unit: "bytes".into(),
        files: vec!["a".into(), "b".into()],
        times: vec![1_700_000_000_123_456_789, BIG],
        totals: vec![1, 2],
        suspects: vec![Suspect {
            function: "main.leak".into(),
            rank: 1,
            series: vec![1, BIG],
            growth: BIG - 1,
            per_minute: Some(-BIG),
            grew: 1,
            intervals: 1,
            blocking: None,
            reason: "grew".into(),
            // (Floats cross exactly too.)
            score: 0.1 + 0.2,
            evidence: vec![Evidence { frames: vec!["main.main".into(), "main.leak".into()], first: 1, last: BIG }],
            pattern: profdrop::analysis::leaks::Pattern::DeferLoop,
            pattern_why: "os.OpenFile <below>".into(),
            called_from: Some("main.<caller>".into()),
        }],
        groups: vec![GoroutineGroup {
            function: "main.wait".into(),
            blocking: "chan receive".into(),
            created_by: Some("main.main".into()),
            series: vec![3, 4],
            max_minutes: Some(7),
        }],
        message: Some("note".into()),
        rate: Some("/s".into()),
    });
    vec![
        top,
        flame(vec![0, 0, 0], false),
        flame(vec![-BIG - 3, 2, 0], true),
        diff,
        leaks,
        Response::Labels(LabelSummary {
            sample_type: "cpu".into(),
            unit: "nanoseconds".into(),
            total: BIG,
            keys: vec![
                LabelKey {
                    key: "worker<b>".into(),
                    numeric: false,
                    unit: String::new(),
                    values: vec![LabelValue { text: "w1,\u{fffd}".into(), lo: 0, hi: 0, value: BIG, samples: 3 }],
                    more: 2,
                    labelled: BIG,
                },
                LabelKey {
                    key: "bytes".into(),
                    numeric: true,
                    unit: "bytes".into(),
                    values: vec![LabelValue { text: String::new(), lo: -BIG, hi: BIG, value: -1, samples: u64::MAX }],
                    more: 0,
                    labelled: 0,
                },
            ],
        }),
        Response::Peek {
            id: 2,
            sample_type: "inuse_space".into(),
            unit: "bytes".into(),
            total: BIG,
            entries: vec![PeekEntry {
                name: "main.allocLarge".into(),
                flat: BIG,
                cum: -BIG,
                callers: vec![PeekEdge { name: "main.<b>".into(), weight: BIG, inline: true }],
                callees: vec![PeekEdge { name: "runtime.mallocgc".into(), weight: -1, inline: false }],
                more_callers: 3,
                more_callees: 0,
            }],
            n_entries: 7,
            notes: vec!["focus \"x\" matched no frame".into()],
        },
        Response::Merged(summary(9)),
        Response::Done,
        Response::Error { message: "bad request: \u{1}".into() },
    ]
}

/// One of every request.
fn requests() -> Vec<Request> {
    vec![
        Request::Remove { id: 1 },
        Request::Top { id: 2, sample_type: "cpu".into(), order: TopOrder::Cum, limit: 200, refine: Default::default() },
        Request::Flame {
            source: FlameSource::Single { id: 1 },
            sample_type: "cpu".into(),
            focus: Some("main\\.f".into()),
            zoom: vec!["root".into(), "main.main".into()],
            search: "x|y".into(),
            min_fraction: 1.0 / 4096.0,
            refine: Default::default(),
            inverted: false,
            pivot: None,
        },
        Request::Flame {
            source: FlameSource::Diff { base: 1, target: 2, normalize: true },
            sample_type: "cpu".into(),
            focus: None,
            zoom: vec![],
            search: String::new(),
            min_fraction: 0.1,
            refine: Default::default(),
            inverted: false,
            pivot: None,
        },
        Request::Flame {
            source: FlameSource::Single { id: 3 },
            sample_type: "inuse_space".into(),
            focus: None,
            zoom: vec!["runtime.mallocgc".into()],
            search: String::new(),
            min_fraction: 1.0 / 4096.0,
            refine: Default::default(),
            inverted: true,
            pivot: Some("^main\\.allocLarge$".into()),
        },
        Request::Peek {
            id: 3,
            sample_type: "alloc_space".into(),
            regex: "main\\.(alloc|f)".into(),
            limit: 200,
            refine: Default::default(),
        },
        Request::Diff { base: 1, target: 2, sample_type: "inuse_space".into(), normalize: false, refine: Default::default() },
        Request::Leaks { ids: vec![1, 2, 3], sample_type: "inuse_space".into(), refine: Default::default() },
        Request::Labels {
            id: 4,
            sample_type: "alloc_space".into(),
            refine: Refine { tagfocus: "bytes=1kb:".into(), focus: "^main\\.f$".into(), ..Default::default() },
        },
        Request::Merge { ids: vec![1, 2], new_id: 7, name: "merged (2 profiles)".into() },
    ]
}

fn file(bytes: &[u8], name: &str) -> web_sys::File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name).unwrap()
}

fn buffer(bytes: &[u8]) -> js_sys::ArrayBuffer {
    js_sys::Uint8Array::from(bytes).buffer()
}

/// encode → JS value → decode gives the message back.
fn round_trip<M: Message + PartialEq + std::fmt::Debug>(m: &M) {
    let js = wire::encode(m).unwrap_or_else(|e| panic!("{m:?}: {e}"));
    let back: M = wire::decode(js).unwrap_or_else(|e| panic!("{m:?}: {e}"));
    assert_eq!(&back, m);
}

#[wasm_bindgen_test]
fn every_message_kind_round_trips() {
    let module = js_sys::Object::new().into(); // (stands for a WebAssembly.Module)
    let channel = web_sys::MessageChannel::new().unwrap();
    round_trip(&Boot { module, port: Some(channel.port1()) });
    round_trip(&Boot { module: JsValue::UNDEFINED, port: None });

    let mut to_engine = vec![
        ToEngine::Load { id: 4, name: "heap.pb.gz (2)".into(), file: file(b"\x1f\x8b", "heap.pb.gz").into(), preview: true },
        ToEngine::Load { id: 5, name: "blob".into(), file: web_sys::Blob::new().unwrap(), preview: false },
        ToEngine::InflaterFailed { message: "out of memory".into() },
    ];
    to_engine.extend(requests().into_iter().enumerate().map(|(i, req)| ToEngine::Req { seq: i as u32 + 1, req }));
    let mut from_engine = vec![
        FromEngine::Progress { id: 1, stage: Stage::Reading, fraction: 0.0 },
        FromEngine::Progress { id: 1, stage: Stage::Streaming, fraction: 0.1 + 0.2 },
        FromEngine::Preview { summary: summary(1), top: responses().remove(0) },
        FromEngine::Loaded { summary: summary(1), memory: 381.5 * 1048576.0 },
        FromEngine::LoadError { id: 2, message: "x.pb.gz: truncated gzip stream".into() },
    ];
    from_engine.extend(responses().into_iter().enumerate().map(|(i, resp)| FromEngine::Resp { seq: i as u32 + 1, resp }));
    let to_inflater = vec![
        ToInflater::Inflate { job: 1, file: file(b"abc", "a").into(), cap: 512 << 20 },
        ToInflater::GiveBack { buffer: buffer(&[1, 2, 3]) },
    ];
    let from_inflater = vec![
        FromInflater::Hint { job: 1, total: 113 << 20 },
        FromInflater::Chunk { job: 1, data: buffer(&[9; 100]), len: 60, fraction: 0.5 },
        FromInflater::Plain { job: 2 },
        FromInflater::End { job: 1, memory: 1e8 },
        FromInflater::Error { job: 3, message: "corrupt gzip stream at byte 10".into() },
    ];

    // Every kind is here: a new one does not compile until it is added.
    let mut seen = [false; 3 + 5 + 2 + 5];
    for m in &to_engine {
        round_trip(m);
        seen[match m {
            ToEngine::Load { .. } => 0,
            ToEngine::Req { .. } => 1,
            ToEngine::InflaterFailed { .. } => 2,
        }] = true;
    }
    for m in &from_engine {
        round_trip(m);
        seen[match m {
            FromEngine::Progress { .. } => 3,
            FromEngine::Preview { .. } => 4,
            FromEngine::Loaded { .. } => 5,
            FromEngine::LoadError { .. } => 6,
            FromEngine::Resp { .. } => 7,
        }] = true;
    }
    for m in &to_inflater {
        round_trip(m);
        seen[match m {
            ToInflater::Inflate { .. } => 8,
            ToInflater::GiveBack { .. } => 9,
        }] = true;
    }
    for m in &from_inflater {
        round_trip(m);
        seen[match m {
            FromInflater::Hint { .. } => 10,
            FromInflater::Chunk { .. } => 11,
            FromInflater::Plain { .. } => 12,
            FromInflater::End { .. } => 13,
            FromInflater::Error { .. } => 14,
        }] = true;
    }
    assert!(seen.iter().all(|&s| s), "kinds without a case: {seen:?}");
    // And every request and answer.
    let mut req_seen = [false; 8];
    for req in requests() {
        req_seen[match req {
            Request::Remove { .. } => 0,
            Request::Top { .. } => 1,
            Request::Flame { .. } => 2,
            Request::Diff { .. } => 3,
            Request::Leaks { .. } => 4,
            Request::Merge { .. } => 5,
            Request::Labels { .. } => 6,
            Request::Peek { .. } => 7,
        }] = true;
    }
    let mut resp_seen = [false; 9];
    for resp in responses() {
        resp_seen[match resp {
            Response::Top { .. } => 0,
            Response::Flame { .. } => 1,
            Response::Diff { .. } => 2,
            Response::Leaks(_) => 3,
            Response::Merged(_) => 4,
            Response::Done => 5,
            Response::Error { .. } => 6,
            Response::Labels(_) => 7,
            Response::Peek { .. } => 8,
        }] = true;
    }
    assert!(req_seen.iter().chain(&resp_seen).all(|&s| s), "{req_seen:?} {resp_seen:?}");
}

#[wasm_bindgen_test]
fn a_message_of_another_direction_or_shape_is_refused() {
    let progress = wire::encode(&FromEngine::Progress { id: 1, stage: Stage::Building, fraction: 1.0 }).unwrap();
    assert!(wire::decode::<ToEngine>(progress).is_err());
    assert!(wire::decode::<ToEngine>(JsValue::from_str("load")).is_err());
    let no_file = wire::encode(&ToEngine::InflaterFailed { message: String::new() }).unwrap();
    let load = js_sys::Object::new();
    js_sys::Reflect::set(&load, &"Load".into(), &get(&no_file, "InflaterFailed")).unwrap();
    assert!(wire::decode::<ToEngine>(load.into()).is_err(), "a Load without its file");
}

#[wasm_bindgen_test]
fn big_answers_travel_as_json_text_and_flame_columns_as_typed_arrays() {
    let answer = |resp: Response| get(&get(&wire::encode(&FromEngine::Resp { seq: 1, resp }).unwrap(), "Resp"), "resp");
    let top = answer(responses().remove(0));
    assert!(get(&top, "json").is_string(), "a table is one JSON string");
    assert!(get(&top, "flame").is_undefined());

    let sent = answer(flame(vec![0, 0, 0], false));
    let json = get(&sent, "json").as_string().unwrap();
    assert!(json.contains("\"value\":[]") && json.contains("\"parent\":[]"), "the columns are not in the JSON too: {json}");
    let columns = get(&sent, "flame");
    assert!(get(&columns, "parent").is_instance_of::<js_sys::Uint32Array>());
    let value = get(&columns, "value").dyn_into::<js_sys::BigInt64Array>().unwrap();
    assert_eq!(value.to_vec(), vec![BIG, 5, -BIG]);
    assert_eq!(get(&columns, "base").dyn_into::<js_sys::BigInt64Array>().unwrap().length(), 0, "an all-zero base is not sent");
    let diff = answer(flame(vec![-BIG - 3, 2, 0], true));
    assert_eq!(get(&get(&diff, "flame"), "base").dyn_into::<js_sys::BigInt64Array>().unwrap().to_vec(), vec![-BIG - 3, 2, 0]);
}

/// Posts a message through a real channel (a structured clone, as between threads) and
/// decodes what arrives.
async fn through_a_channel<M: Message>(m: &M) -> M {
    let channel = web_sys::MessageChannel::new().unwrap();
    let rx = channel.port2();
    let arrived = js_sys::Promise::new(&mut |resolve, _| {
        let on = wasm_bindgen::closure::Closure::once_into_js(move |e: web_sys::MessageEvent| resolve.call1(&JsValue::NULL, &e.data()));
        rx.set_onmessage(Some(on.unchecked_ref()));
    });
    wire::send(&channel.port1(), m).unwrap();
    wire::decode(wasm_bindgen_futures::JsFuture::from(arrived).await.unwrap()).unwrap()
}

#[wasm_bindgen_test]
async fn buffers_are_transferred_and_files_cross_a_channel() {
    let data = buffer(&[7; 64]);
    let FromInflater::Chunk { job, data: got, len, fraction } =
        through_a_channel(&FromInflater::Chunk { job: 2, data: data.clone(), len: 40, fraction: 0.25 }).await
    else {
        panic!("not a chunk")
    };
    assert_eq!((job, len, fraction), (2, 40, 0.25));
    assert_eq!(js_sys::Uint8Array::new(&got).to_vec(), vec![7; 64]);
    assert_eq!(data.byte_length(), 0, "the sender's buffer moved (transferred, not copied)");

    let back = buffer(&[1; 8]);
    let ToInflater::GiveBack { buffer: got } = through_a_channel(&ToInflater::GiveBack { buffer: back.clone() }).await else {
        panic!("not a buffer")
    };
    assert_eq!((got.byte_length(), back.byte_length()), (8, 0));

    let sent = file(b"\x1f\x8b\x08 profile bytes", "heap.pb.gz");
    let ToEngine::Load { id, name, file: got, .. } =
        through_a_channel(&ToEngine::Load { id: 3, name: "heap.pb.gz (2)".into(), file: sent.clone().into(), preview: true }).await
    else {
        panic!("not a load")
    };
    assert_eq!((id, name.as_str()), (3, "heap.pb.gz (2)"));
    let got: web_sys::File = got.dyn_into().expect("a File stays a File");
    assert_eq!(got.name(), "heap.pb.gz");
    let bytes = wasm_bindgen_futures::JsFuture::from(got.array_buffer()).await.unwrap();
    assert_eq!(js_sys::Uint8Array::new(&bytes).to_vec(), b"\x1f\x8b\x08 profile bytes");

    let port = web_sys::MessageChannel::new().unwrap().port1();
    let Boot { port: got, .. } = through_a_channel(&Boot { module: JsValue::UNDEFINED, port: Some(port) }).await;
    assert!(got.is_some(), "the port crossed");

    let resp = flame(vec![-BIG - 3, 2, 0], true);
    let FromEngine::Resp { resp: got, .. } = through_a_channel(&FromEngine::Resp { seq: 1, resp: resp.clone() }).await else {
        panic!("not an answer")
    };
    assert_eq!(got, resp);
}

/// The flame graph paints frames as pixels from `Hsl::rgba`; its colours must be the ones the
/// browser gives the same colours as CSS text (`Hsl::css`, which the `fillRect` path uses).
#[wasm_bindgen_test]
fn pixel_colours_equal_the_browsers_css_colours() {
    use profdrop::view::flame::{diff_colour, frame_colour, Hsl};
    use wasm_bindgen::JsCast;
    let doc = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas").unwrap().unchecked_into();
    canvas.set_width(1);
    canvas.set_height(1);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let mut colours: Vec<Hsl> = Vec::new();
    for name in ["runtime.mallocgc", "main.main", "net/http.(*conn).serve", "github.com/acme/x.(*T).M", "[libc.so.6]"] {
        colours.push(frame_colour(name, false));
        colours.push(frame_colour(name, true));
    }
    for (base, value) in [(100, 0), (0, 100), (100, 150), (150, 100), (100, 100)] {
        colours.push(diff_colour(base, value, false));
        colours.push(diff_colour(base, value, true));
    }
    for h in (0..360).step_by(15) {
        colours.push(Hsl { h: h as f64, s: 70.0, l: 65.0 });
        colours.push(Hsl { h: h as f64, s: 17.5, l: 38.0 });
    }
    let mut bad = Vec::new();
    for c in &colours {
        ctx.clear_rect(0.0, 0.0, 1.0, 1.0);
        ctx.set_fill_style_str(&c.css());
        ctx.fill_rect(0.0, 0.0, 1.0, 1.0);
        let got = ctx.get_image_data(0.0, 0.0, 1.0, 1.0).unwrap().data().0;
        let want = c.rgba();
        if got.iter().zip(want.iter()).any(|(a, b)| (*a as i32 - *b as i32).abs() > 1) {
            bad.push(format!("{}: browser {:?}, rgba() {:?}", c.css(), &got[..], want));
        }
    }
    assert!(bad.is_empty(), "{} of {} colours differ:\n{}", bad.len(), colours.len(), bad.join("\n"));
}
