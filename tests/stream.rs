//! Streaming decode (what the browser does with a gzip file: one worker inflates piece by
//! piece, the other reads protobuf as the pieces arrive) must give exactly what decoding the
//! whole file gives: the same profile, or the same error. Checked on every file in
//! `testdata/` (hostile ones included) and in the shared public corpus, cut into pieces of
//! several sizes, down to a byte at a time for small files.

mod common;
use profdrop::decode::gzip::{self, GzInflater};
use profdrop::decode::{decode_with, DecodeError, Limits, NoProgress, Preview, StreamDecoder};
use profdrop::model::Profile;
use std::path::{Path, PathBuf};

/// Decodes like the browser's two workers: compressed pieces of `piece` bytes go through a
/// streaming inflater that hands on at most `chunk` bytes at a time; a gzip error wins over
/// a decoding error (the inflater finishes its stream either way).
fn streamed(bytes: &[u8], piece: usize, chunk: usize, limits: &Limits) -> Result<Profile, DecodeError> {
    streamed_with(bytes, piece, chunk, limits, &mut |_| {})
}

/// The same, handing the preview (the top table summed while the samples came) to
/// `on_preview` when there is one.
fn streamed_with(
    bytes: &[u8],
    piece: usize,
    chunk: usize,
    limits: &Limits,
    on_preview: &mut dyn FnMut(&Preview),
) -> Result<Profile, DecodeError> {
    if bytes.is_empty() {
        return StreamDecoder::new(*limits, false).finish(&mut NoProgress);
    }
    let gz = gzip::is_gzip(bytes);
    let mut dec = StreamDecoder::new(*limits, gz);
    // gzip's size field, as the browser's engine worker uses it (it sizes columns only).
    let trailer = bytes.len().checked_sub(4).map(|n| <[u8; 4]>::try_from(&bytes[n..]).unwrap());
    if let Some(h) = trailer.filter(|_| gz).and_then(|t| gzip::size_hint(bytes.len(), t, limits.max_bytes)) {
        dec.size_hint(h);
    }
    let mut handed = 0usize;
    if gz {
        let mut inf = GzInflater::streaming(limits.max_bytes, chunk);
        let mut at = 0;
        while at < bytes.len() {
            let end = (at + piece).min(bytes.len());
            inf.feed(&bytes[at..end], end == bytes.len(), &mut |out| {
                assert!(!out.is_empty() && out.len() <= chunk.max(32 << 10) + (32 << 10), "a piece of {} bytes (chunk {chunk})", out.len());
                handed += out.len();
                let _ = dec.push(out);
            })?;
            at = end;
        }
        assert_eq!(inf.produced(), handed, "every inflated byte is handed on");
    } else {
        for p in bytes.chunks(piece) {
            let _ = dec.push(p);
        }
    }
    dec.finish_with(&mut NoProgress, on_preview)
}

fn outcome(r: Result<Profile, DecodeError>) -> String {
    match r {
        Ok(p) => format!("{p:?}"),
        Err(e) => format!("error: {e}"),
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "oracle" && n != "gen") {
                files(&p, out);
            }
        } else if !p.extension().is_some_and(|x| x == "md" || x == "py" || x == "tsv" || x == "go" || x == "sh") {
            out.push(p);
        }
    }
}

fn check(paths: &[PathBuf]) -> (usize, Vec<String>) {
    let limits = Limits::default();
    let mut bad = Vec::new();
    let mut n = 0;
    for path in paths {
        let bytes = std::fs::read(path).unwrap();
        let want = outcome(decode_with(&bytes, &limits, &mut NoProgress));
        let mut cuts = vec![(1 << 20, 4 << 20), (65536, 65536)];
        if bytes.len() <= 1 << 20 {
            cuts.push((4093, 40 << 10));
        }
        if bytes.len() <= 32 << 10 {
            cuts.push((1, 32 << 10));
        }
        for (piece, chunk) in cuts {
            let got = outcome(streamed(&bytes, piece, chunk, &limits));
            if got != want {
                let cut = |s: &str| s.chars().take(300).collect::<String>();
                bad.push(format!(
                    "{} (pieces of {piece}, chunks of {chunk}):\n  whole:    {}\n  streamed: {}",
                    path.display(),
                    cut(&want),
                    cut(&got)
                ));
            }
        }
        n += 1;
    }
    (n, bad)
}

#[test]
fn streaming_equals_whole_file_decoding_on_testdata() {
    let mut paths = Vec::new();
    files(&common::root().join("testdata"), &mut paths);
    let (n, bad) = check(&paths);
    assert!(n >= 100, "only {n} files found under testdata/");
    assert!(bad.is_empty(), "{} of {n} files decode differently when streamed:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn streaming_equals_whole_file_decoding_on_the_public_corpus() {
    let mut paths = Vec::new();
    for dir in common::corpora() {
        files(&dir, &mut paths);
    }
    let (n, bad) = check(&paths);
    assert!(n >= 20, "only {n} files found in the corpus");
    assert!(bad.is_empty(), "{} of {n} files decode differently when streamed:\n{}", bad.len(), bad.join("\n"));
}

/// The inflater itself: any split of the input gives the same bytes as `gunzip`, multi-member
/// streams and trailing garbage included, and a cut anywhere is "truncated".
#[test]
fn streaming_inflate_matches_gunzip_for_any_split() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 & 0x3f).collect();
    let member = |d: &[u8]| {
        let mut gz = vec![0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 0xff];
        gz.extend_from_slice(b"name.pb\0");
        gz.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(d, 6));
        gz.extend_from_slice(&gzip::crc32(d).to_le_bytes());
        gz.extend_from_slice(&(d.len() as u32).to_le_bytes());
        gz
    };
    let mut two = member(&data[..100_000]);
    two.extend(member(&data[100_000..]));
    let mut garbage = two.clone();
    garbage.extend_from_slice(b"\0\0\0junk");
    for file in [&two, &garbage] {
        let whole = gzip::gunzip(file, usize::MAX, &mut NoProgress).unwrap();
        assert_eq!(whole, data);
        for piece in [1, 2, 3, 9, 10, 11, 17, 4096, 100_003] {
            let mut inf = GzInflater::streaming(usize::MAX, 40_000);
            let mut out = Vec::new();
            for (i, p) in file.chunks(piece).enumerate() {
                let last = (i + 1) * piece >= file.len();
                inf.feed(p, last, &mut |o| out.extend_from_slice(o)).unwrap_or_else(|e| panic!("piece {piece}: {e}"));
            }
            assert!(out == data, "piece {piece}: {} bytes out, want {}", out.len(), data.len());
        }
    }
    // Cut anywhere inside the members: always "truncated", never a panic or a wrong success.
    for cut in (1..two.len()).step_by(997).chain([9, 10, 17, 18, two.len() - 1]) {
        let mut inf = GzInflater::streaming(usize::MAX, 40_000);
        let r = inf.feed(&two[..cut], true, &mut |_| {});
        assert!(matches!(r, Err(DecodeError::TruncatedGzip(_))), "cut at {cut}: {r:?}");
    }
    // A flipped bit in a trailer is a checksum error at the trailer's offset.
    let mut bad = member(&data);
    let at = bad.len() - 8;
    bad[at] ^= 1;
    let mut inf = GzInflater::streaming(usize::MAX, 40_000);
    let r = inf.feed(&bad, true, &mut |_| {});
    assert_eq!(r, Err(DecodeError::BadGzip { offset: at, what: "checksum mismatch (the file is damaged)".into() }));
    // The output cap holds in streaming mode too.
    let mut inf = GzInflater::streaming(100_000, 40_000);
    let r = inf.feed(&member(&data), true, &mut |_| {});
    assert_eq!(r, Err(DecodeError::TooLarge { limit_mb: 0 }));
}

/// The top table sums the decoder makes while it expands samples (`Profile::top_cache`)
/// equal a separate pass over the finished model, on every file that decodes.
#[test]
fn top_sums_made_while_decoding_equal_a_separate_pass() {
    use profdrop::analysis::{stack_values, top::flat_cum};
    let mut paths = Vec::new();
    files(&common::root().join("testdata"), &mut paths);
    for dir in common::corpora() {
        files(&dir, &mut paths);
    }
    let mut checked = 0;
    for path in &paths {
        let Ok(p) = decode_with(&std::fs::read(path).unwrap(), &Limits::default(), &mut NoProgress) else { continue };
        let Some(c) = &p.top_cache else { continue };
        assert_eq!(c.sample_type, p.default_sample_type, "{}", path.display());
        let (flat, cum) = flat_cum(&p, &stack_values(&p, c.sample_type), None, p.functions.len());
        assert!(c.flat == flat && c.cum == cum, "{}: sums made while decoding differ from a separate pass", path.display());
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} profiles carried decode-time sums");
}

/// A preview (the top table shown before the model is built) must be what the built profile
/// answers: the same summary and the same rows, flat, cum and total, in the same order; and
/// the model's own first table, which it then takes from the preview's sums, must equal a
/// separate pass. Checked on every file, streamed in two piece sizes. Go writes locations
/// before the samples that use them, so Go's profiles (and `profgen`'s, which write fields in
/// Go's order) must get a preview: the test fails if they do not.
#[test]
fn previews_equal_the_built_top_table() {
    use profdrop::analysis::{stack_values, top::flat_cum};
    use profdrop::engine::{preview, Engine};
    use profdrop::protocol::{Request, TopOrder};
    let dir = std::env::temp_dir().join(format!("profdrop-preview-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for (name, kind) in [("gen-heap.pb.gz", "heap"), ("gen-cpu.pb.gz", "cpu")] {
        let out = dir.join(name);
        let st = std::process::Command::new(env!("CARGO_BIN_EXE_profgen"))
            .args([out.to_str().unwrap(), "--samples", "20000", "--kind", kind, "--seed", "3"])
            .output()
            .unwrap();
        assert!(st.status.success(), "profgen: {}", String::from_utf8_lossy(&st.stderr));
        paths.push(out);
    }
    files(&common::root().join("testdata"), &mut paths);
    for dir in common::corpora() {
        files(&dir, &mut paths);
    }
    let limits = Limits::default();
    let (mut previewed, mut built) = (Vec::new(), 0);
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        for (piece, chunk) in [(1 << 20, 4 << 20), (65536, 65536)] {
            let mut shown = None;
            let r = streamed_with(&bytes, piece, chunk, &limits, &mut |pv| shown = Some(preview(1, "f", bytes.len(), pv, 0)));
            let Ok(p) = r else { continue };
            built += 1;
            // (Text profiles carry no first table.)
            if let Some(c) = &p.top_cache {
                let (flat, cum) = flat_cum(&p, &stack_values(&p, c.sample_type), None, p.functions.len());
                assert!(c.flat == flat && c.cum == cum, "{}: the first top table differs from a separate pass", path.display());
            }
            let Some((summary, top)) = shown else { continue };
            let st = p.sample_types[p.default_sample_type].name.clone();
            let mut en = Engine::new();
            let want_summary = en.add(1, "f", p, bytes.len());
            assert_eq!(summary, want_summary, "{}: preview summary", path.display());
            let want_top = en.handle(Request::Top { id: 1, sample_type: st, order: TopOrder::Flat, limit: 0, refine: Default::default() });
            assert_eq!(top, want_top, "{}: preview top table", path.display());
            previewed.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    for must in ["gen-heap.pb.gz", "gen-cpu.pb.gz", "heap.pb.gz", "cpu.pb.gz"] {
        assert_eq!(
            previewed.iter().filter(|n| *n == must).count(),
            2,
            "{must} got no preview in each piece size (previews: {previewed:?})"
        );
    }
    assert!(previewed.len() >= 40, "only {} of {built} streamed profiles got a preview", previewed.len());
}

/// With gzip's size field as a hint, the parser sizes its columns once, from how densely the
/// first samples fill the stream, so they never regrow by doubling (a copy of the biggest
/// column, and a peak of old + new memory that WebAssembly keeps). Go writes most locations
/// and functions first and the strings last, so the hint must follow the samples' density,
/// not their share of the first bytes: on a Go-shaped heap profile of 1.1M samples (the
/// benchmark's L, whose first 4 MB hold most of its 60,000 locations) every column ends
/// within 15 % of its length. (Scaling by the share of bytes read left the location ids
/// 35 % short, and they doubled.)
#[test]
fn columns_sized_from_the_size_hint_do_not_regrow() {
    use profdrop::decode::raw::StreamParser;
    let dir = std::env::temp_dir().join(format!("profdrop-columns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("gen-heap-1m.pb.gz");
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_profgen"))
        .args([out.to_str().unwrap(), "--samples", "1100000", "--kind", "heap", "--seed", "5"])
        .output()
        .unwrap();
    assert!(st.status.success(), "profgen: {}", String::from_utf8_lossy(&st.stderr));
    let gz = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let limits = Limits::default();
    let mut inflated = Vec::new();
    let mut inf = GzInflater::streaming(limits.max_bytes, 1 << 20);
    inf.feed(&gz, true, &mut |o| inflated.extend_from_slice(o)).unwrap();
    assert!(inflated.len() > 8 << 20, "the profile should be well past the 4 MB the hint waits for");
    let mut parser = StreamParser::new(limits.max_entries);
    parser.size_hint(inflated.len());
    for piece in inflated.chunks(1 << 20) {
        parser.push(piece).unwrap();
    }
    let (raw, _, _) = parser.finish().unwrap();
    let columns = [
        ("location ids", raw.locs.len(), raw.locs.capacity()),
        ("values", raw.values.len(), raw.values.capacity()),
        ("label sets per sample", raw.sample_set.len(), raw.sample_set.capacity()),
        ("sample offsets", raw.loc_off.len(), raw.loc_off.capacity()),
    ];
    for (what, len, cap) in columns {
        assert!(len > 100_000, "{what}: {len}");
        assert!(cap as f64 <= len as f64 * 1.15, "{what}: capacity {cap} for {len} entries (regrown, or sized far too big)");
    }
}
