//! Browser-only checks (wasm32 in headless Chromium via wasm-bindgen-test): the decoder and
//! engine on a 32-bit target, and the page↔worker wire format.
#![cfg(target_arch = "wasm32")]

use profdrop::analysis::top::top_table;
use profdrop::decode::decode;
use profdrop::engine::Engine;
use profdrop::protocol::{Request, Response, TopRowOut};
use profdrop::ui::wire::{flame_to_js, from_js, response_from_js, to_js, to_json};
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
fn responses_cross_the_worker_boundary_exactly() {
    let big = (1i64 << 60) + 7; // beyond f64's exact integers
    let resp = Response::Top {
        id: 3,
        sample_type: "alloc_space".into(),
        unit: "bytes".into(),
        total: big,
        rows: vec![TopRowOut { name: "main.<img src=x>\u{fffd}".into(), flat: -big, cum: big }],
        n_rows: 1,
    };
    let js = to_js(&resp).unwrap();
    let back: Response = from_js(js).unwrap();
    assert_eq!(back, resp);
    // Big answers go as JSON strings: just as exact.
    let json = to_json(&resp).unwrap();
    assert!(json.is_string());
    let back: Response = from_js(json).unwrap();
    assert_eq!(back, resp);
}

#[wasm_bindgen_test]
fn engine_answers_requests_in_the_browser() {
    let mut en = Engine::new();
    let s = en.load(1, "heap.pb.gz", HEAP.to_vec(), &mut profdrop::decode::NoProgress).unwrap();
    assert_eq!(s.sample_types[s.default_sample_type].name, "inuse_space");
    let req = Request::Top { id: 1, sample_type: String::new(), order: Default::default(), limit: 0 };
    let req2: Request = from_js(to_js(&req).unwrap()).unwrap();
    match en.handle(req2) {
        Response::Top { total, .. } => assert_eq!(total, golden_total()),
        other => panic!("unexpected {other:?}"),
    }
}

#[wasm_bindgen_test]
fn flame_answers_leave_out_an_all_zero_base_and_get_it_back() {
    use profdrop::analysis::tree::FlameData;
    let data = FlameData {
        parent: vec![0, 0],
        name: vec![0, 1],
        value: vec![(1 << 60) + 1, 5],
        base: vec![0, 0],
        depth: vec![0, 1],
        names: vec!["root".into(), "main.main".into()],
        ..Default::default()
    };
    let resp = Response::Flame { sample_type: "cpu".into(), unit: "nanoseconds".into(), total: 9, matched: None, data, diff: false };
    let json = to_json(&resp).unwrap();
    assert!(!json.as_string().unwrap().contains("\"base\""), "an all-zero base is not sent");
    let mut back: Response = from_js(json).unwrap();
    if let Response::Flame { data, .. } = &mut back {
        data.fill_base();
    }
    assert_eq!(back, resp);
    // What the worker really sends: columns as typed arrays, exact beyond 2^53.
    let sent = flame_to_js(&resp).unwrap();
    assert!(js_sys::Reflect::get(&sent, &"base".into()).unwrap().is_undefined());
    assert_eq!(response_from_js(sent).unwrap(), resp);
    // A diff keeps its base column.
    let Response::Flame { mut data, .. } = resp.clone() else { unreachable!() };
    data.base = vec![-(1 << 60) - 3, 2];
    let diff = Response::Flame { sample_type: "cpu".into(), unit: "nanoseconds".into(), total: 9, matched: Some(4), data, diff: true };
    assert_eq!(response_from_js(flame_to_js(&diff).unwrap()).unwrap(), diff);
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
