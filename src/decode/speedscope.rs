//! speedscope's file format (`https://www.speedscope.app/file-format-schema.json`), as
//! py-spy (`record -f speedscope`), rbspy, Austin, samply and others write it: frames shared
//! by several profiles, each profile `sampled` (stacks of frame indices with weights) or
//! `evented` (open and close events at times).
//!
//! Several profiles in one file (py-spy and rbspy write one per thread) become one profile:
//! every sample is labelled `profile` = its profile's name (the label browser and
//! `-tagfocus=profile=…` pick a thread), and profiles of the same unit share one sample type.
//! Units: `none` → `samples` (count); the time units → `time` in nanoseconds (weights given in
//! µs, ms or s are scaled and rounded to whole nanoseconds); `bytes` → `space` (bytes). An
//! evented profile's weight of a stack is the time between the events that open and close
//! it, so its total is the time from its first event to its last.

use super::error::{DecodeError, Limits};
use super::json::{self, Doc, Value};
use super::stacks::Builder;
use crate::model::{Label, Profile, ValueType};

fn bad(what: impl Into<String>) -> DecodeError {
    DecodeError::Malformed(what.into())
}

/// A unit's sample type and its scale to the type's unit.
fn unit(u: &str) -> Result<(ValueType, f64), DecodeError> {
    let t = |name: &str, unit: &str| ValueType { name: name.into(), unit: unit.into() };
    Ok(match u {
        "none" | "" => (t("samples", "count"), 1.0),
        "nanoseconds" => (t("time", "nanoseconds"), 1.0),
        "microseconds" => (t("time", "nanoseconds"), 1e3),
        "milliseconds" => (t("time", "nanoseconds"), 1e6),
        "seconds" => (t("time", "nanoseconds"), 1e9),
        "bytes" => (t("space", "bytes"), 1.0),
        other => {
            return Err(bad(format!(
                "unknown unit \"{}\" (speedscope's are none, nanoseconds, microseconds, milliseconds, seconds, bytes)",
                other.chars().take(40).collect::<String>()
            )))
        }
    })
}

/// A weight in the sample type's unit, a whole number.
fn scaled(w: f64, scale: f64, what: &str) -> Result<i64, DecodeError> {
    let v = (w * scale).round();
    if !v.is_finite() || !(0.0..=9.0e15).contains(&v) {
        return Err(bad(format!("{what} is {w}, which is not a weight ≥ 0")));
    }
    Ok(v as i64)
}

/// Parses a speedscope file.
pub fn parse(b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    let d = json::parse(b, 64, limits.max_entries.saturating_mul(4))?;
    let root = d.root();
    let frames = d
        .arr(d.field(d.field(root, "shared").ok_or_else(|| bad("no \"shared\" frames"))?, "frames"))
        .ok_or_else(|| bad("no \"shared.frames\" array"))?;
    let profiles = d.arr(d.field(root, "profiles")).ok_or_else(|| bad("no \"profiles\" array"))?;
    // The sample types, in the order their units first appear.
    let mut types: Vec<ValueType> = Vec::new();
    let mut of_profile = Vec::new();
    for &pr in profiles {
        let (t, scale) = unit(d.str(d.field(pr, "unit")).unwrap_or("none"))?;
        let ty = match types.iter().position(|x| *x == t) {
            Some(i) => i,
            None => {
                types.push(t);
                types.len() - 1
            }
        };
        of_profile.push((ty, scale));
    }
    if types.is_empty() {
        types.push(unit("none")?.0);
    }
    let mut out = Builder::new(types, 0, "speedscope", limits);
    let mut funcs: Vec<Option<u32>> = vec![None; frames.len()];
    let mut func = |out: &mut Builder, d: &Doc, i: i64| -> Result<u32, DecodeError> {
        let k = usize::try_from(i)
            .ok()
            .filter(|&k| k < frames.len())
            .ok_or_else(|| bad(format!("frame index {i} is out of range ({} frames)", frames.len())))?;
        if let Some(id) = funcs[k] {
            return Ok(id);
        }
        let f = frames[k];
        let name = d.str(d.field(f, "name")).ok_or_else(|| bad(format!("frame {k} has no name")))?;
        let file = d.str(d.field(f, "file")).unwrap_or("");
        let id = out.func(name.as_bytes(), file.as_bytes())?;
        funcs[k] = Some(id);
        Ok(id)
    };
    let index = |d: &Doc, v: u32, what: &str| -> Result<i64, DecodeError> {
        let n = d.num(Some(v)).ok_or_else(|| bad(format!("{what} is not a number")))?;
        if n.fract() != 0.0 {
            return Err(bad(format!("{what} is not a whole number")));
        }
        Ok(n as i64)
    };
    let mut stack: Vec<u32> = Vec::new();
    for (pi, &pr) in profiles.iter().enumerate() {
        let (ty, scale) = of_profile[pi];
        let name = d.str(d.field(pr, "name")).unwrap_or("").to_string();
        let labels = out.labels(vec![Label {
            key: "profile".into(),
            str: Some(if name.is_empty() { format!("#{}", pi + 1) } else { name }),
            num: 0,
            unit: String::new(),
        }]);
        match d.str(d.field(pr, "type")) {
            Some("sampled") => {
                let samples = d.arr(d.field(pr, "samples")).ok_or_else(|| bad(format!("profile {pi} has no samples")))?;
                let weights = d.arr(d.field(pr, "weights"));
                if let Some(w) = weights {
                    if w.len() != samples.len() {
                        return Err(bad(format!("profile {pi}: {} samples but {} weights", samples.len(), w.len())));
                    }
                }
                for (k, &s) in samples.iter().enumerate() {
                    stack.clear();
                    for &f in d.arr(Some(s)).ok_or_else(|| bad(format!("profile {pi} sample {k} is not an array")))? {
                        stack.push(func(&mut out, &d, index(&d, f, "a frame index")?)?);
                    }
                    let w = match weights {
                        Some(w) => scaled(d.num(Some(w[k])).unwrap_or(f64::NAN), scale, &format!("profile {pi} weight {k}"))?,
                        None => 1,
                    };
                    out.add(&stack, labels, ty, w)?;
                }
            }
            Some("evented") => {
                let events = d.arr(d.field(pr, "events")).ok_or_else(|| bad(format!("profile {pi} has no events")))?;
                let mut open: Vec<(i64, u32)> = Vec::new(); // frame index, function
                let mut last: Option<f64> = None;
                stack.clear();
                for (k, &e) in events.iter().enumerate() {
                    let at = d.num(d.field(e, "at")).ok_or_else(|| bad(format!("profile {pi} event {k} has no time")))?;
                    if let Some(prev) = last {
                        if at < prev {
                            return Err(bad(format!("profile {pi} event {k} goes back in time ({at} < {prev})")));
                        }
                        if !open.is_empty() {
                            stack.clear();
                            stack.extend(open.iter().map(|o| o.1));
                            out.add(&stack, labels, ty, scaled(at - prev, scale, &format!("profile {pi} interval before event {k}"))?)?;
                        }
                    }
                    last = Some(at);
                    let fi = d
                        .field(e, "frame")
                        .map(|f| index(&d, f, "an event's frame"))
                        .transpose()?
                        .ok_or_else(|| bad(format!("profile {pi} event {k} has no frame")))?;
                    match d.str(d.field(e, "type")) {
                        Some("O") => {
                            if open.len() >= limits.max_stack_depth {
                                return Err(DecodeError::Limit { what: "stack depth".into(), limit: limits.max_stack_depth });
                            }
                            let id = func(&mut out, &d, fi)?;
                            open.push((fi, id));
                        }
                        Some("C") => match open.pop() {
                            Some((f, _)) if f == fi => {}
                            _ => {
                                return Err(bad(format!("profile {pi} event {k} closes frame {fi}, which is not the innermost open frame")))
                            }
                        },
                        _ => return Err(bad(format!("profile {pi} event {k}: type is not \"O\" or \"C\""))),
                    }
                }
            }
            _ => return Err(bad(format!("profile {pi}: type is not \"sampled\" or \"evented\""))),
        }
    }
    let mut p = out.finish();
    if let Some(n) = d.str(d.field(root, "exporter")) {
        p.comments.push(format!("exported by {n}"));
    }
    if let Some(Value::Str(n)) = d.field(root, "name").map(|n| d.get(n)) {
        p.comments.push(n.clone());
    }
    Ok(p)
}

/// Is this JSON head speedscope's?
pub(super) fn sniff(head: &str) -> bool {
    head.contains("speedscope.app/file-format-schema")
        || (head.contains("\"shared\"") && head.contains("\"profiles\"") && head.contains("\"frames\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::top::top_table;

    fn flat_cum(p: &Profile, ty: usize, name: &str) -> (i64, i64) {
        let (rows, _) = top_table(p, ty);
        let id = p.functions.get(name.as_bytes()).unwrap_or_else(|| panic!("no {name}: {:?}", p.functions.names));
        rows.iter().find(|r| r.func == id).map(|r| (r.flat, r.cum)).unwrap_or((0, 0))
    }

    #[test]
    fn sampled_and_evented_profiles_merge_by_unit() {
        let f = br#"{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"main","file":"m.py"},{"name":"work"},{"name":"idle"}]},
          "profiles":[
            {"type":"sampled","name":"thread 1","unit":"seconds","startValue":0,"endValue":0.5,"samples":[[0,1],[0,1],[0]],"weights":[0.1,0.25,0.15]},
            {"type":"evented","name":"thread 2","unit":"milliseconds","startValue":0,"endValue":10,"events":[
              {"type":"O","frame":0,"at":0},{"type":"O","frame":1,"at":2},{"type":"C","frame":1,"at":7},{"type":"C","frame":0,"at":10}]},
            {"type":"sampled","name":"counts","unit":"none","startValue":0,"endValue":3,"samples":[[2],[2],[0,1]],"weights":[1,1,1]}]}"#;
        let p = parse(f, &Limits::default()).unwrap();
        assert_eq!(p.sample_types.len(), 2);
        assert_eq!(p.sample_types[0], ValueType { name: "time".into(), unit: "nanoseconds".into() });
        // thread 1: 0.5 s; thread 2: 10 ms.
        assert_eq!(top_table(&p, 0).1, 510_000_000);
        assert_eq!(flat_cum(&p, 0, "work"), (350_000_000 + 5_000_000, 355_000_000));
        assert_eq!(flat_cum(&p, 0, "main"), (150_000_000 + 5_000_000, 510_000_000));
        assert_eq!(top_table(&p, 1).1, 3);
        assert_eq!(flat_cum(&p, 1, "idle"), (2, 2));
        assert!(p.label_sets.sets.iter().any(|s| s.iter().any(|l| l.str.as_deref() == Some("thread 2"))));
    }

    #[test]
    fn refusals() {
        let l = Limits::default();
        let head = r#"{"shared":{"frames":[{"name":"a"}]},"profiles":["#;
        for (body, says) in [
            (r#"{"type":"sampled","unit":"none","samples":[[3]],"weights":[1]}"#, "out of range"),
            (r#"{"type":"sampled","unit":"parsecs","samples":[],"weights":[]}"#, "unknown unit"),
            (r#"{"type":"evented","unit":"none","events":[{"type":"C","frame":0,"at":1}]}"#, "innermost"),
            (r#"{"type":"evented","unit":"none","events":[{"type":"O","frame":0,"at":5},{"type":"C","frame":0,"at":1}]}"#, "back in time"),
            (r#"{"type":"sampled","unit":"none","samples":[[0]],"weights":[-1]}"#, "weight"),
        ] {
            let e = parse(format!("{head}{body}]}}").as_bytes(), &l).unwrap_err();
            assert!(e.to_string().contains(says), "{e} should say {says}");
        }
    }
}
