//! Leak finder over a series of snapshots (heap or goroutine profiles, oldest first).
//!
//! Each sample's value is attributed to the nearest frame in the user's own code (Go's
//! standard library and runtime are skipped), giving one series per function. A function is
//! a suspect when it grew by more than the noise floor, grew in most intervals and rarely
//! shrank; suspects are ranked by growth weighted by how steady it was.

use super::stack_values;
use crate::model::Profile;
use crate::units as format;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Is this a function of the user's code? (The one place this rule is written: the leak
/// finder's attribution and its reasons use it.) Unsymbolized frames are nobody's code. Go's
/// standard library and runtime have no dot in
/// the first element of their package path (`runtime`, `time`, `net/http`, `internal/poll`);
/// `main` is the user's own package.
pub fn is_user_code(name: &str) -> bool {
    // A node of a finer granularity than functions is named `[ADDRESS ]FUNCTION FILE:LINE`:
    // the function decides.
    let mut words = name.split(' ');
    let first = words.next().unwrap_or(name);
    let name = if first.len() == 16 && first.bytes().all(|b| b.is_ascii_hexdigit()) { words.next().unwrap_or(first) } else { first };
    if crate::model::names::is_unsymbolized(name) {
        return false;
    }
    let first = match name.find('/') {
        Some(i) => &name[..i],
        None => name.split('.').next().unwrap_or(name),
    };
    if name.find('/').is_none() {
        return first == "main" || name.starts_with("main.");
    }
    first.contains('.')
}

/// What a parked goroutine is waiting on, from the frames leaf-side of its user frame.
pub fn blocking_call(frames_leaf_first: &[&str]) -> Option<&'static str> {
    for f in frames_leaf_first {
        let b = match *f {
            "runtime.chanrecv" | "runtime.chanrecv1" | "runtime.chanrecv2" => "chan receive",
            "runtime.chansend" | "runtime.chansend1" => "chan send",
            "runtime.selectgo" => "select",
            "runtime.block" => "select {} (no cases)",
            "sync.(*Mutex).Lock" | "sync.(*Mutex).lockSlow" => "sync.Mutex.Lock",
            "sync.(*RWMutex).Lock" => "sync.RWMutex.Lock",
            "sync.(*RWMutex).RLock" => "sync.RWMutex.RLock",
            "sync.(*WaitGroup).Wait" => "sync.WaitGroup.Wait",
            "sync.(*Cond).Wait" => "sync.Cond.Wait",
            "time.Sleep" => "time.Sleep",
            "internal/poll.runtime_pollWait" => "IO wait",
            "syscall.Syscall" | "syscall.Syscall6" | "syscall.RawSyscall" => "syscall",
            _ => continue,
        };
        return Some(b);
    }
    None
}

/// One full stack behind a suspect, as evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Frames, root first.
    pub frames: Vec<String>,
    /// Value in the first snapshot.
    pub first: i64,
    /// Value in the last snapshot.
    pub last: i64,
}

/// A suspected leak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suspect {
    /// The user function the growth is attributed to.
    pub function: String,
    /// 1 = strongest.
    pub rank: u32,
    /// Value per snapshot, time order.
    pub series: Vec<i64>,
    /// last − first.
    pub growth: i64,
    /// Growth per minute, when the snapshots carry times.
    pub per_minute: Option<i64>,
    /// Intervals in which it grew.
    pub grew: u32,
    /// Number of intervals.
    pub intervals: u32,
    /// For goroutines: what they block on.
    pub blocking: Option<String>,
    /// One line for people.
    pub reason: String,
    /// Ranking score (higher = stronger).
    pub score: f64,
    /// The stacks that grew most.
    pub evidence: Vec<Evidence>,
    /// The kind of leak the evidence points to ([`Pattern`]).
    pub pattern: Pattern,
    /// What points to it, and how such leaks are usually fixed, in words.
    pub pattern_why: String,
    /// For a suspect inside a library (outside package `main`): the nearest caller outside
    /// that library's package, in the user's code — where the library is used from.
    #[serde(default)]
    pub called_from: Option<String>,
}

/// The kinds of leak the finder can name (`data-pattern` on the page).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pattern {
    /// An unbounded map or cache: more and more objects of a steady size kept.
    Cache,
    /// A small sub-slice keeping a big buffer alive: few objects, each large.
    Reslice,
    /// Goroutines blocked forever (and what they keep).
    Goroutine,
    /// Resources opened in a loop with `defer` (released only when the function returns).
    DeferLoop,
    /// Tickers or timers never stopped.
    Ticker,
    /// The evidence fits none of these.
    #[default]
    Unknown,
}

impl Pattern {
    /// The name the page uses (`data-pattern`).
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Cache => "cache",
            Pattern::Reslice => "reslice",
            Pattern::Goroutine => "goroutine",
            Pattern::DeferLoop => "defer-loop",
            Pattern::Ticker => "ticker",
            Pattern::Unknown => "unknown",
        }
    }
    /// A short title for people.
    pub fn title(self) -> &'static str {
        match self {
            Pattern::Cache => "unbounded map or cache",
            Pattern::Reslice => "sub-slice keeps a big buffer",
            Pattern::Goroutine => "goroutines blocked forever",
            Pattern::DeferLoop => "defer in a loop",
            Pattern::Ticker => "ticker or timer never stopped",
            Pattern::Unknown => "pattern unknown",
        }
    }
}

/// Frames below a suspect (towards the allocation) that name a pattern.
const TIMER_FRAMES: &[&str] = &["time.NewTicker", "time.NewTimer", "time.AfterFunc", "time.Tick", "time.After"];
const OPEN_FRAMES: &[&str] = &[
    "os.Open",
    "os.OpenFile",
    "os.Create",
    "os.newFile",
    "net.Dial",
    "net.DialTimeout",
    "net.(*Dialer).Dial",
    "net.(*Dialer).DialContext",
    "database/sql.(*DB).Query",
    "database/sql.(*DB).QueryContext",
    "runtime.deferproc",
    "runtime.newdefer",
];
/// A kept object at least this big (on average) is a big buffer, not a cache entry.
const BIG_OBJECT: i64 = 16 << 10;

/// Goroutines grouped by where they park and on what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoroutineGroup {
    /// Nearest user function.
    pub function: String,
    /// Blocking call (`chan receive`, …) or state.
    pub blocking: String,
    /// `created by` (debug=2 dumps only).
    pub created_by: Option<String>,
    /// Count per snapshot.
    pub series: Vec<i64>,
    /// Longest time blocked in the last snapshot, minutes (debug=2 only).
    pub max_minutes: Option<u32>,
}

/// The leak finder's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeakReport {
    /// Sample type analysed.
    pub sample_type: String,
    /// Its unit.
    pub unit: String,
    /// File names, time order.
    pub files: Vec<String>,
    /// Snapshot times (ns since epoch, 0 unknown).
    pub times: Vec<i64>,
    /// Totals per snapshot.
    pub totals: Vec<i64>,
    /// Suspects, best first.
    pub suspects: Vec<Suspect>,
    /// Goroutine groups (goroutine profiles only), largest last-snapshot count first.
    pub groups: Vec<GoroutineGroup>,
    /// A note for people (too few snapshots, cumulative counter, healthy series…).
    pub message: Option<String>,
    /// For a cumulative counter (allocations, CPU, contention) the values are rates: `/s` (per
    /// second) or `/interval` (the snapshots carry no times), and each value is about the
    /// interval ending at the snapshot of `files`/`times` (one fewer than the snapshots when
    /// the counter runs since the program started). None: values are the snapshots' own.
    #[serde(default)]
    pub rate: Option<String>,
}

/// Noise floor for a sample type: growth below it is never a leak.
/// A goroutine group: where it waits, on what, and who created it.
type GroupKey = (String, String, Option<String>);

fn noise_floor(sample_type: &str, unit: &str, max_total: i64) -> i64 {
    let rel = max_total / 100;
    let abs = match (sample_type, unit) {
        ("goroutine", _) => 3,
        (_, "bytes") => 64 << 10,
        _ => 64,
    };
    abs.max(rel)
}

/// Analyses a series `(file name, profile)` in time order for a sample type.
#[inline(never)]
pub fn find(series: &[(String, &Profile)], sample_type: &str) -> LeakReport {
    let mut rep = LeakReport { sample_type: sample_type.to_string(), ..Default::default() };
    let n = series.len();
    rep.files = series.iter().map(|s| s.0.clone()).collect();
    rep.times = series.iter().map(|s| s.1.time_nanos).collect();
    if n < 2 {
        rep.message = Some("Load at least 3 snapshots of the same program to look for leaks.".into());
        return rep;
    }
    let mut idx = Vec::with_capacity(n);
    for (name, p) in series {
        match p.sample_type_index(sample_type) {
            Some(i) => idx.push(i),
            None => {
                rep.message = Some(format!("{name} has no sample type \"{sample_type}\": a series must be profiles of one kind."));
                return rep;
            }
        }
    }
    rep.unit = series[0].1.sample_types[idx[0]].unit.clone();
    rep.totals = series.iter().zip(&idx).map(|((_, p), &i)| p.total(i)).collect();

    // Attribute every stack to its nearest user frame: per function (an id shared by every
    // snapshot) its value per snapshot. The stacks behind the suspects are gathered in a
    // second pass, for the suspects only: keys of whole stacks for every function of a long
    // series would cost far more than the ranking.
    let mut ns = super::NameSpace::default();
    let mut user_of: Vec<bool> = Vec::new();
    let mut maps: Vec<Vec<u32>> = Vec::with_capacity(n);
    let mut by_fn: FxHashMap<u32, Vec<i64>> = FxHashMap::default();
    // For naming the pattern: the objects per snapshot (heap profiles) of each function, and
    // the goroutines created (`runtime.malg`).
    let mut objects: FxHashMap<u32, Vec<i64>> = FxHashMap::default();
    let mut goroutines_made = vec![0i64; n];
    let objects_type = sample_type.strip_suffix("_space").map(|k| format!("{k}_objects"));
    let mut blocking: FxHashMap<u32, FxHashMap<&'static str, i64>> = FxHashMap::default();
    let mut groups: FxHashMap<GroupKey, (Vec<i64>, Option<u32>)> = FxHashMap::default();
    let goroutine = sample_type == "goroutine";
    // Who each stack is blamed on, per snapshot: made once for snapshots that share their
    // stacks and functions (a long series of one program mostly does).
    let mut blames: Vec<std::rc::Rc<Blame>> = Vec::with_capacity(n);
    for (k, ((_, p), &st)) in series.iter().zip(&idx).enumerate() {
        let map = ns.add(p);
        user_of.extend(ns.names[user_of.len()..].iter().map(|f| is_user_code(f)));
        let user: Vec<bool> = map.iter().map(|&c| user_of[c as usize]).collect();
        let blame = match k.checked_sub(1) {
            Some(j) if series[j].1.stacks.shares(&p.stacks) && maps[j] == map => blames[j].clone(),
            _ => std::rc::Rc::new(Blame::new(p, &user, &map)),
        };
        let sv = stack_values(p, st);
        let ov = objects_type.as_deref().and_then(|t| p.sample_type_index(t)).map(|t| stack_values(p, t));
        if let Some(ov) = &ov {
            for (s, &o) in ov.iter().enumerate() {
                if p.stacks.get(s as u32).first().is_some_and(|&f| p.functions.names[f as usize] == "runtime.malg") {
                    goroutines_made[k] += o;
                }
            }
        }
        for (s, &v) in sv.iter().enumerate() {
            if v == 0 {
                continue;
            }
            let Some((pos, f)) = blame.get(s) else { continue };
            by_fn.entry(f).or_insert_with(|| vec![0; n])[k] += v;
            if let Some(ov) = &ov {
                objects.entry(f).or_insert_with(|| vec![0; n])[k] += ov[s];
            }
            if goroutine {
                let frames = p.stacks.get(s as u32);
                let names: Vec<&str> = frames[..pos].iter().map(|&x| p.functions.names[x as usize].as_str()).collect();
                if let Some(b) = blocking_call(&names) {
                    *blocking.entry(f).or_default().entry(b).or_default() += v;
                }
            }
        }
        if goroutine {
            for (i, &s) in p.sample_stack.iter().enumerate() {
                let v = p.values[st][i];
                if v == 0 {
                    continue;
                }
                let frames = p.stacks.get(s);
                let Some((pos, _)) = blame.get(s as usize) else { continue };
                let names: Vec<&str> = frames[..pos].iter().map(|&x| p.functions.names[x as usize].as_str()).collect();
                let gi = p.goroutines.get(i);
                let state =
                    blocking_call(&names).map(str::to_string).or_else(|| gi.map(|g| g.state.clone())).unwrap_or_else(|| "running".into());
                let key = (p.functions.names[frames[pos] as usize].clone(), state, gi.and_then(|g| g.created_by.clone()));
                let e = groups.entry(key).or_insert_with(|| (vec![0; n], None));
                e.0[k] += v;
                if k == n - 1 {
                    if let Some(m) = gi.and_then(|g| g.minutes) {
                        e.1 = Some(e.1.map_or(m, |x: u32| x.max(m)));
                    }
                }
            }
        }
        maps.push(map);
        blames.push(blame);
    }

    // A cumulative counter always grows: its series is the rate per interval instead (deltas
    // between snapshots for counters that run since the program started, each profile's own
    // values for CPU profiles, which cover their own window), per second when times are known.
    let n_snapshots = n;
    let mut n = n;
    let window = series.iter().all(|(_, p)| p.duration_nanos > 0 && p.period_type.as_ref().is_some_and(|t| t.name == "cpu"));
    let times = rep.times.clone();
    let durations: Vec<i64> = series.iter().map(|(_, p)| p.duration_nanos).collect();
    let timed = times.windows(2).all(|w| w[1] > w[0]);
    let cumulative = !crate::model::is_point_in_time(sample_type);
    let conv = |v: &Vec<i64>| -> Vec<i64> {
        if !cumulative {
            v.clone()
        } else if window {
            v.iter().zip(&durations).map(|(&x, &d)| (x as f64 * 1e9 / d as f64).round() as i64).collect()
        } else {
            (1..v.len())
                .map(|k| {
                    let d = v[k] - v[k - 1];
                    if timed {
                        (d as f64 * 1e9 / (times[k] - times[k - 1]) as f64).round() as i64
                    } else {
                        d
                    }
                })
                .collect()
        }
    };
    if cumulative {
        for v in by_fn.values_mut().chain(objects.values_mut()) {
            *v = conv(v);
        }
        rep.totals = conv(&rep.totals);
        goroutines_made = vec![0; rep.totals.len()];
        if !window {
            rep.files.remove(0);
            rep.times.remove(0);
        }
        n = rep.totals.len();
        rep.rate = Some(if window || timed { "/s" } else { "/interval" }.to_string());
    }
    if n < 2 {
        rep.message = Some("Load at least 3 snapshots of the same program to look for leaks.".into());
        return rep;
    }
    let max_total = rep.totals.iter().copied().max().unwrap_or(0);
    let floor = noise_floor(sample_type, &rep.unit, max_total);
    let span = rep.times[n - 1] - rep.times[0];
    let intervals = (n - 1) as u32;
    let mut suspects = Vec::new();
    let mut suspect_ids: Vec<u32> = Vec::new();
    for (&fid, s) in &by_fn {
        let f = &ns.names[fid as usize];
        let growth = s[n - 1] - s[0];
        let eps = floor / (4 * intervals as i64).max(1);
        let grew = s.windows(2).filter(|w| w[1] - w[0] > eps).count() as u32;
        let steadiness = if n >= LONG_SERIES {
            // A long series is noisy: the trend decides, not each interval. Kendall's tau (the
            // share of later-than-earlier pairs that went up, minus those that went down) must
            // say "mostly rising", and the rise between the first and the last few snapshots
            // (medians, so one odd snapshot does not count) must clear the noise floor.
            let tau = kendall_tau(s);
            let k = (n / 10).max(3);
            if tau < STEADY_TAU || median(&s[n - k..]) - median(&s[..k]) < floor {
                continue;
            }
            tau * r_squared(s).sqrt()
        } else {
            if growth < floor {
                continue;
            }
            let shrank = s.windows(2).filter(|w| w[0] - w[1] > eps).count() as u32;
            // Steady: grew in at least half the intervals, shrank in at most a quarter.
            if grew * 2 < intervals || shrank * 4 > intervals {
                continue;
            }
            grew as f64 / intervals as f64 * r_squared(s)
        };
        let score = growth as f64 / max_total.max(1) as f64 * steadiness;
        let per_minute = (span > 0 && rep.rate.is_none()).then(|| (growth as f64 * 60e9 / span as f64).round() as i64);
        let blocking = blocking.get(&fid).and_then(|m| m.iter().max_by_key(|(_, v)| **v).map(|(b, _)| b.to_string()));
        let mut reason = format!("grew in {grew} of {intervals} intervals, {}", format::signed(growth, &rep.unit));
        if let Some(pm) = per_minute {
            reason.push_str(&format!(", {}/min", format::signed(pm, &rep.unit)));
        }
        if let Some(b) = &blocking {
            reason.push_str(&format!(", blocked in {b}"));
        }
        suspect_ids.push(fid);
        suspects.push(Suspect {
            function: f.clone(),
            rank: 0,
            series: s.clone(),
            growth,
            per_minute,
            grew,
            intervals,
            blocking,
            reason,
            score,
            evidence: Vec::new(),
            pattern: Pattern::Unknown,
            pattern_why: String::new(),
            called_from: None,
        });
    }

    // The stacks behind the suspects (root first, as shared ids), and the frames below each
    // (towards the allocation).
    let mut by_stack: FxHashMap<(u32, Vec<u32>), Vec<i64>> = FxHashMap::default();
    let mut below: FxHashMap<u32, rustc_hash::FxHashSet<u32>> = FxHashMap::default();
    if !suspect_ids.is_empty() {
        let wanted: rustc_hash::FxHashSet<u32> = suspect_ids.iter().copied().collect();
        for (k, (((_, p), &st), map)) in series.iter().zip(&idx).zip(&maps).enumerate() {
            for (s, &v) in stack_values(p, st).iter().enumerate() {
                if v == 0 {
                    continue;
                }
                let Some((pos, f)) = blames[k].get(s) else { continue };
                let frames = p.stacks.get(s as u32);
                if !wanted.contains(&f) {
                    continue;
                }
                below.entry(f).or_default().extend(frames[..pos].iter().map(|&x| map[x as usize]));
                let full: Vec<u32> = frames.iter().rev().map(|&x| map[x as usize]).collect();
                by_stack.entry((f, full)).or_insert_with(|| vec![0; n_snapshots])[k] += v;
            }
        }
        if cumulative {
            for v in by_stack.values_mut() {
                *v = conv(v);
            }
        }
    }
    suspects.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| b.growth.cmp(&a.growth)).then_with(|| a.function.cmp(&b.function)));
    let id_of: FxHashMap<&str, u32> = suspect_ids.iter().map(|&id| (ns.names[id as usize].as_str(), id)).collect();
    for (i, s) in suspects.iter_mut().enumerate() {
        s.rank = i as u32 + 1;
        let fid = id_of[s.function.as_str()];
        let mut ev: Vec<Evidence> = by_stack
            .iter()
            .filter(|((f, _), _)| *f == fid)
            .map(|((_, frames), v)| Evidence {
                frames: frames.iter().map(|&x| ns.names[x as usize].clone()).collect(),
                first: v[0],
                last: v[n - 1],
            })
            .filter(|e| e.last != e.first)
            .collect();
        ev.sort_by(|a, b| (b.last - b.first).cmp(&(a.last - a.first)).then_with(|| a.frames.cmp(&b.frames)));
        ev.truncate(5);
        s.called_from = ev.first().and_then(|e| call_site(&e.frames, &s.function));
        s.evidence = ev;
        let below_names: Option<rustc_hash::FxHashSet<String>> =
            below.get(&fid).map(|b| b.iter().map(|&x| ns.names[x as usize].clone()).collect());
        let (pattern, why) = name_pattern(s, goroutine, below_names.as_ref(), objects.get(&fid), &goroutines_made, &rep.unit);
        s.pattern = pattern;
        s.pattern_why = why;
    }
    if n < 3 {
        rep.message = Some("Two snapshots show change, not a trend: load 3 or more to rank leaks with confidence.".into());
    } else if suspects.is_empty() {
        rep.message = Some(format!(
            "No leak suspects: nothing in the user's code grew steadily by more than {} across {n} snapshots.",
            format::human(floor, &rep.unit)
        ));
    }
    if let Some(rate) = &rep.rate {
        let per = if rate == "/s" { "per second" } else { "per interval" };
        rep.message = Some(format!(
            "\"{sample_type}\" is a cumulative counter, so the series shows its rate {per} between snapshots: the suspects are the functions whose rate grows. For leaks, choose an inuse_* sample type (or goroutine).{}",
            if suspects.is_empty() { " No function's rate grew steadily." } else { "" }
        ));
    }
    rep.suspects = suspects;
    let mut gs: Vec<GoroutineGroup> = groups
        .into_iter()
        .map(|((function, blocking, created_by), (series, max_minutes))| GoroutineGroup {
            function,
            blocking,
            created_by,
            series,
            max_minutes,
        })
        .collect();
    gs.sort_by(|a, b| b.series[n - 1].cmp(&a.series[n - 1]).then_with(|| a.function.cmp(&b.function)));
    rep.groups = gs;
    rep
}

/// The kind of leak a suspect's evidence points to, and why, with a fix hint: the frames
/// below it (towards the allocation), its objects per snapshot (heap profiles; `None`
/// otherwise) and the goroutines created per snapshot in the same profiles.
fn name_pattern(
    s: &Suspect,
    goroutine_profile: bool,
    below: Option<&rustc_hash::FxHashSet<String>>,
    objects: Option<&Vec<i64>>,
    goroutines_made: &[i64],
    unit: &str,
) -> (Pattern, String) {
    let n = s.series.len();
    let has = |list: &[&str]| below.and_then(|b| list.iter().find(|f| b.contains(**f)).map(|f| f.to_string()));
    if goroutine_profile {
        let on = s.blocking.as_deref().unwrap_or("something that never happens");
        return (
            Pattern::Goroutine,
            format!(
                "{} more goroutines parked here, blocked on {on}. Give them a way out: a context, a closed channel, a timeout.",
                s.growth
            ),
        );
    }
    if let Some(f) = has(TIMER_FRAMES) {
        return (
            Pattern::Ticker,
            format!("the memory is made by {f} under it. Call Stop on every ticker and timer (defer t.Stop()), or use time.Sleep."),
        );
    }
    if let Some(f) = has(OPEN_FRAMES) {
        return (
            Pattern::DeferLoop,
            format!(
                "what it opens ({f}) piles up while it runs: deferred closes run only when a function returns. Close inside the loop, or put the loop's body in a function of its own."
            ),
        );
    }
    // Goroutines created at a steady pace in the same profiles: memory they hold.
    let made = goroutines_made[n - 1] - goroutines_made[0];
    let made_steadily = made >= 3 * (n as i64 - 1) && goroutines_made.windows(2).filter(|w| w[1] > w[0]).count() * 2 >= n - 1;
    if made_steadily {
        return (
            Pattern::Goroutine,
            format!("{made} goroutines more were created over the series: memory it gives them stays with goroutines that never end. Check the goroutine profile for where they wait."),
        );
    }
    let Some(objects) = objects else {
        return (Pattern::Unknown, "only the sizes are known: load a profile with object counts to tell more.".into());
    };
    let new_objects = objects[n - 1] - objects[0];
    if new_objects <= 0 {
        return (Pattern::Unknown, "its size grows but not its number of objects (a growing buffer or slice?).".into());
    }
    let each = s.growth / new_objects;
    if each >= BIG_OBJECT {
        return (
            Pattern::Reslice,
            format!(
                "{new_objects} more objects of {} each on average: small parts of big buffers are kept. Copy what you keep (append([]byte(nil), b[:n]...)) instead of slicing.",
                crate::units::human(each, unit)
            ),
        );
    }
    let grew = objects.windows(2).filter(|w| w[1] > w[0]).count();
    if grew * 2 >= n - 1 {
        return (
            Pattern::Cache,
            format!(
                "{new_objects} more objects of {} each on average, added in {grew} of {} intervals and never freed: entries stored and never evicted. Bound it (an LRU, a TTL) or delete what is done.",
                crate::units::human(each, unit),
                n - 1
            ),
        );
    }
    (Pattern::Unknown, "the evidence fits none of the known patterns.".into())
}

/// The Go package a function belongs to: `example.com/acme/cache` for
/// `example.com/acme/cache.(*Cache).Put`, `main` for `main.f` (the text up to the first dot
/// after the last slash). Finer granularities' node names (`[ADDRESS ]FUNCTION FILE:LINE`) are
/// reduced to their function first.
fn package_of(name: &str) -> &str {
    let mut words = name.split(' ');
    let first = words.next().unwrap_or(name);
    let func = if first.len() == 16 && first.bytes().all(|b| b.is_ascii_hexdigit()) { words.next().unwrap_or(first) } else { first };
    let after_slash = func.rfind('/').map_or(0, |i| i + 1);
    match func[after_slash..].find('.') {
        Some(i) => &func[..after_slash + i],
        None => func,
    }
}

/// Where a library is used from: for a suspect outside package `main`, the nearest frame
/// towards the root (in its strongest stack, root first) that is user code in another package.
/// A suspect in `main` is the user's own code and needs no context.
fn call_site(frames_root_first: &[String], function: &str) -> Option<String> {
    let pkg = package_of(function);
    if pkg == "main" {
        return None;
    }
    let at = frames_root_first.iter().rposition(|f| f == function)?;
    frames_root_first[..at].iter().rev().find(|f| package_of(f) != pkg && is_user_code(f)).cloned()
}

/// Per stack of a profile: the frame it is blamed on ([`attribution`]), as its index (leaf
/// first) and its function's common id.
struct Blame {
    /// Index of the frame, or `u32::MAX` for a stack blamed on nothing (an empty one).
    pos: Vec<u32>,
    /// Common id of its function.
    func: Vec<u32>,
}

impl Blame {
    fn new(p: &Profile, user: &[bool], map: &[u32]) -> Blame {
        let n = p.stacks.len();
        let (mut pos, mut func) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for s in 0..n as u32 {
            let frames = p.stacks.get(s);
            match attribution(frames, user, &p.functions.names) {
                Some(i) => {
                    pos.push(i as u32);
                    func.push(map[frames[i] as usize]);
                }
                None => {
                    pos.push(u32::MAX);
                    func.push(u32::MAX);
                }
            }
        }
        Blame { pos, func }
    }
    /// Stack `s`'s frame index and function, if it is blamed on one.
    #[inline]
    fn get(&self, s: usize) -> Option<(usize, u32)> {
        (self.pos[s] != u32::MAX).then(|| (self.pos[s] as usize, self.func[s]))
    }
}

/// Index (leaf first) of the frame a stack is blamed on: the nearest user frame, else the
/// leaf-most frame outside the runtime, else the leaf.
fn attribution(frames: &[u32], user: &[bool], names: &[String]) -> Option<usize> {
    if frames.is_empty() {
        return None;
    }
    frames
        .iter()
        .position(|&f| user[f as usize])
        .or_else(|| frames.iter().position(|&f| !names[f as usize].starts_with("runtime.")))
        .or(Some(0))
}

/// From this many snapshots on, a suspect is judged by its trend over the whole series
/// ([`kendall_tau`]) rather than interval by interval.
const LONG_SERIES: usize = 8;

/// Kendall's tau a series must reach to count as steadily rising (1: every later value is
/// higher; a warm-up followed by a plateau stays well under it, a sawtooth near 0).
const STEADY_TAU: f64 = 0.6;

/// Kendall's tau of a series against time: (rising pairs − falling pairs) / all pairs.
fn kendall_tau(s: &[i64]) -> f64 {
    let n = s.len();
    if n < 2 {
        return 0.0;
    }
    let mut score = 0i64;
    for i in 0..n {
        for j in i + 1..n {
            score += (s[j] - s[i]).signum();
        }
    }
    score as f64 / (n * (n - 1) / 2) as f64
}

fn median(s: &[i64]) -> i64 {
    let mut v = s.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}

/// R² of a least-squares line through the series (1 for a perfect line, 0 for flat noise).
fn r_squared(s: &[i64]) -> f64 {
    let n = s.len() as f64;
    if s.len() < 3 {
        return 1.0;
    }
    let mx = (n - 1.0) / 2.0;
    let my = s.iter().map(|&v| v as f64).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (i, &v) in s.iter().enumerate() {
        let dx = i as f64 - mx;
        let dy = v as f64 - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if syy == 0.0 {
        return 0.0;
    }
    (sxy * sxy) / (sxx * syy)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn user_code() {
        assert!(is_user_code("main.pollUpstream"));
        assert!(is_user_code("main.(*Cache).Put"));
        assert!(is_user_code("github.com/acme/svc/cache.(*LRU).Add"));
        assert!(!is_user_code("runtime.mallocgc"));
        assert!(!is_user_code("time.NewTicker"));
        assert!(!is_user_code("net/http.(*conn).serve"));
        assert!(!is_user_code("internal/poll.runtime_pollWait"));
        assert!(!is_user_code("<unknown>"));
        // Nodes of the lines and addresses granularities.
        assert!(is_user_code("main.handle svc/main.go:31"));
        assert!(!is_user_code("runtime.mallocgc /usr/lib/go/src/runtime/malloc.go:1025"));
        assert!(is_user_code("0000000000437a71 main.f file.go:250"));
        assert!(!is_user_code("0000000000437a71 runtime.f proc.go:250"));
    }
    #[test]
    fn a_library_suspect_names_the_users_call_site() {
        assert_eq!(package_of("example.com/acme/cache.(*Cache).Put"), "example.com/acme/cache");
        assert_eq!(package_of("main.(*T).m"), "main");
        assert_eq!(package_of("0000000000437a71 example.com/x/y.F y.go:3"), "example.com/x/y");
        let stack: Vec<String> = ["main.main", "main.serve", "example.com/acme/cache.(*Cache).Put", "example.com/acme/cache.(*Cache).grow"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(call_site(&stack, "example.com/acme/cache.(*Cache).grow").as_deref(), Some("main.serve"));
        assert_eq!(call_site(&stack, "main.serve"), None);
        // Called only from the standard library: no user call site to show.
        let lib_only: Vec<String> =
            ["net/http.(*conn).serve", "example.com/acme/cache.(*Cache).Put"].iter().map(|s| s.to_string()).collect();
        assert_eq!(call_site(&lib_only, "example.com/acme/cache.(*Cache).Put"), None);
    }

    #[test]
    fn blocking() {
        assert_eq!(blocking_call(&["runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1"]), Some("chan receive"));
        assert_eq!(blocking_call(&["runtime.gopark", "runtime.selectgo"]), Some("select"));
        assert_eq!(blocking_call(&["runtime.gopark"]), None);
    }
    /// An allocs-like profile: per function (leaf = the function, under main.main), its
    /// cumulative alloc_space so far.
    fn allocs(time_s: i64, values: &[(&str, i64)]) -> Profile {
        let mut p = Profile {
            sample_types: vec![crate::model::ValueType { name: "alloc_space".into(), unit: "bytes".into() }],
            values: vec![Vec::new()],
            time_nanos: time_s * 1_000_000_000,
            ..Default::default()
        };
        let root = p.functions.intern(b"main.main", b"");
        for (f, v) in values {
            let id = p.functions.intern(f.as_bytes(), b"");
            let st = p.stacks.intern(&[id, root]);
            p.sample_stack.push(st);
            p.values[0].push(*v);
            p.sample_labels.push(0);
        }
        p
    }

    #[test]
    fn a_cumulative_counter_is_read_as_its_rate_and_a_growing_rate_is_a_suspect() {
        const MB: i64 = 1 << 20;
        // main.steady allocates 10 MB every 10 s; main.faster 1, 2, 3, 4, 5 MB per 10 s.
        let snaps: Vec<Profile> = (0..6i64)
            .map(|k| allocs(100 + 10 * k, &[("main.steady", 10 * MB * (k + 1)), ("main.faster", MB * (k * (k + 1) / 2 + 1))]))
            .collect();
        let series: Vec<(String, &Profile)> = snaps.iter().enumerate().map(|(i, p)| (format!("{i}.pb.gz"), p)).collect();
        let rep = find(&series, "alloc_space");
        assert_eq!(rep.rate.as_deref(), Some("/s"));
        assert_eq!(rep.files.len(), 5, "one value per interval, each at its end snapshot");
        assert_eq!(rep.files[0], "1.pb.gz");
        let names: Vec<&str> = rep.suspects.iter().map(|s| s.function.as_str()).collect();
        assert_eq!(names, vec!["main.faster"], "the steady allocator is not a suspect");
        // Its rate per second in each interval: k MB per 10 s, rounded to the nearest byte.
        let want: Vec<i64> = (1..6).map(|k| ((k * MB) as f64 / 10.0).round() as i64).collect();
        assert_eq!(rep.suspects[0].series, want);
        assert!(rep.message.as_deref().is_some_and(|m| m.contains("rate per second")), "{:?}", rep.message);
    }

    /// A heap-like snapshot: per function (leaf = the function, under main.main), its
    /// inuse_space.
    fn inuse(time_s: i64, values: &[(&str, i64)]) -> Profile {
        let mut p = allocs(time_s, values);
        p.sample_types[0].name = "inuse_space".into();
        p
    }

    /// 20 snapshots: a warm-up, a sawtooth, heavy churn, a slow and a fast leak.
    fn noisy_series() -> Vec<Profile> {
        const MB: i64 = 1 << 20;
        let mut seed = 7u64;
        let mut noise = |amp: i64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as i64 % (2 * amp + 1)) - amp
        };
        (0..20i64)
            .map(|k| {
                let vals = [
                    // A cache that warms up over 4 snapshots, then stays (roughly) flat.
                    ("main.warmCache", k.min(4) * 10 * MB + noise(MB)),
                    // A buffer pool that fills and drains.
                    ("main.sawtooth", (k % 5) * 10 * MB),
                    // Heavy churn around a steady level, far bigger than the leaks.
                    ("main.churn", 200 * MB + noise(40 * MB)),
                    // Two leaks, a slow one under the noise of its own allocations.
                    ("main.slowLeak", 2 * MB + k * MB + noise(MB / 2)),
                    ("main.fastLeak", k * 3 * MB),
                ];
                inuse(1000 + 30 * k, &vals)
            })
            .collect()
    }

    fn named(snaps: &[Profile]) -> Vec<(String, &Profile)> {
        snaps.iter().enumerate().map(|(i, p)| (format!("{i:02}.pb.gz"), p)).collect()
    }

    #[test]
    fn a_long_noisy_series_finds_the_steady_leaks_and_not_the_warm_up_the_sawtooth_or_the_churn() {
        let snaps = noisy_series();
        let rep = find(&named(&snaps), "inuse_space");
        let names: Vec<&str> = rep.suspects.iter().map(|s| s.function.as_str()).collect();
        assert_eq!(names, vec!["main.fastLeak", "main.slowLeak"], "{:?}", rep.message);
    }

    #[test]
    fn snapshots_that_share_their_stacks_are_ranked_as_copies_are() {
        // Each snapshot with its own copy of the stacks.
        let copy = |p: &Profile| {
            let mut q = p.clone();
            q.stacks = Default::default();
            q.stacks.offsets = (*p.stacks.offsets).clone().into();
            q.stacks.frames = (*p.stacks.frames).clone().into();
            q
        };
        let mut own: Vec<Profile> = noisy_series().iter().map(copy).collect();
        // The same snapshots holding one copy of the stacks (every one has the same).
        let mut shared: Vec<Profile> = own.iter().map(copy).collect();
        for k in 1..shared.len() {
            let prev = shared[k - 1].stacks.clone();
            assert!(shared[k].stacks.share_with(&prev));
            assert!(shared[k].stacks.frames.same(&shared[0].stacks.frames));
        }
        // One snapshot names its functions in the other order over the same stacks: its
        // stacks are blamed anew (they mean other functions).
        for p in [&mut own[10], &mut shared[10]] {
            let mut f = crate::model::Functions::default();
            for r in p.functions.raw.iter().rev() {
                f.intern(r, b"");
            }
            p.functions = f;
        }
        assert!(shared[10].stacks.frames.same(&shared[9].stacks.frames));
        let rep = find(&named(&shared), "inuse_space");
        assert_eq!(rep, find(&named(&own), "inuse_space"));
        assert!(!rep.suspects.is_empty());
    }

    #[test]
    fn r2() {
        assert!((r_squared(&[1, 2, 3, 4]) - 1.0).abs() < 1e-9);
        assert!(r_squared(&[5, 5, 5]) == 0.0);
    }
}
