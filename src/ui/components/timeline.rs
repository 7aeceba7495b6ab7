//! The leak view's chart of the series: the total per snapshot and, stacked under it, the top
//! suspects' values (each in its own colour) and the rest as one band, with human units and
//! times on the axes. A click on a snapshot opens its flame graph; a shift-click on two
//! snapshots opens their diff.

use crate::analysis::leaks::LeakReport;
use crate::units::human;
use yew::prelude::*;

/// Suspects drawn in colours of their own (the rest is one band).
pub const STACKED: usize = 5;

/// Props of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The leak report.
    pub report: LeakReport,
    /// Profile ids of the snapshots, in the report's order.
    pub ids: Vec<u32>,
    /// Display names of the snapshots, in the report's order.
    pub labels: Vec<String>,
    /// A snapshot was clicked: open its flame graph.
    pub on_open: Callback<u32>,
    /// Two snapshots were picked (base, target): open their diff.
    pub on_diff: Callback<(u32, u32)>,
}

/// Time since the first snapshot, short: `+0.3s`, `+45s`, `+12m`, `+3h`.
fn since(ns: i64) -> String {
    let s = ns / 1_000_000_000;
    if s < 10 {
        format!("+{:.1}s", ns as f64 / 1e9)
    } else if s < 120 {
        format!("+{s}s")
    } else if s < 7200 {
        format!("+{}m", s / 60)
    } else {
        format!("+{}h", s / 3600)
    }
}

/// The chart.
#[function_component(Timeline)]
pub fn timeline(p: &TimelineProps) -> Html {
    let picked = use_state(|| None::<usize>);
    let r = &p.report;
    let n = r.totals.len();
    if n < 2 || p.ids.len() != n {
        return html! {};
    }
    let (w, h, left, bottom, top) = (720.0_f64, 170.0_f64, 70.0_f64, 22.0_f64, 8.0_f64);
    let max = r.totals.iter().copied().map(i64::abs).max().unwrap_or(0).max(1) as f64;
    let x = |i: usize| left + (w - left - 12.0) * i as f64 / (n - 1) as f64;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v.max(0.0) / max);
    // Stacked bands: the first suspects (rank order), then the rest up to the total.
    let shown: Vec<&Vec<i64>> = r.suspects.iter().take(STACKED).map(|s| &s.series).collect();
    let mut below = vec![0i64; n];
    let mut bands = Vec::new();
    for (k, s) in shown.iter().enumerate() {
        let upper: Vec<i64> = (0..n).map(|i| below[i] + s[i].max(0)).collect();
        bands.push((format!("tl-band tl-s{k}"), below.clone(), upper.clone(), r.suspects[k].function.clone()));
        below = upper;
    }
    let total: Vec<i64> = r.totals.clone();
    bands.push((
        "tl-band tl-rest".to_string(),
        below.clone(),
        total.iter().zip(&below).map(|(&t, &b)| t.max(b)).collect(),
        "everything else".into(),
    ));
    let area = |lo: &[i64], hi: &[i64]| {
        let mut pts: Vec<String> = (0..n).map(|i| format!("{:.1},{:.1}", x(i), y(hi[i] as f64))).collect();
        pts.extend((0..n).rev().map(|i| format!("{:.1},{:.1}", x(i), y(lo[i] as f64))));
        pts.join(" ")
    };
    let line: Vec<String> = (0..n).map(|i| format!("{:.1},{:.1}", x(i), y(total[i] as f64))).collect();
    let ticks = [0.0, 0.5, 1.0];
    let times_known = r.times.iter().all(|&t| t != 0);
    let x_label = |i: usize| if times_known { since(r.times[i] - r.times[0]) } else { format!("#{}", i + 1) };
    let click = |i: usize| {
        let (picked, ids, on_open, on_diff) = (picked.clone(), p.ids.clone(), p.on_open.clone(), p.on_diff.clone());
        Callback::from(move |e: MouseEvent| {
            if e.shift_key() {
                match *picked {
                    Some(a) if a != i => {
                        picked.set(None);
                        let (b, t) = if a < i { (a, i) } else { (i, a) };
                        on_diff.emit((ids[b], ids[t]));
                    }
                    _ => picked.set(Some(i)),
                }
            } else {
                on_open.emit(ids[i]);
            }
        })
    };
    let key = |i: usize| {
        let (ids, on_open) = (p.ids.clone(), p.on_open.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_open.emit(ids[i]);
            }
        })
    };
    html! {
        <figure class="timeline" data-testid="timeline">
            <svg viewBox={format!("0 0 {w} {h}")} width="100%" role="img"
                 aria-label={format!("{} over {n} snapshots", r.sample_type)}>
                { for ticks.iter().map(|&f| html! {
                    <g class="tl-grid">
                        <line x1={left.to_string()} x2={(w - 12.0).to_string()} y1={format!("{:.1}", y(max * f))} y2={format!("{:.1}", y(max * f))} />
                        <text x={(left - 6.0).to_string()} y={format!("{:.1}", y(max * f) + 4.0)} text-anchor="end">{ format!("{}{}", human((max * f) as i64, &r.unit), r.rate.as_deref().unwrap_or("")) }</text>
                    </g>
                }) }
                { for bands.iter().map(|(class, lo, hi, name)| html! {
                    <polygon class={class.clone()} points={area(lo, hi)}><title>{ name.clone() }</title></polygon>
                }) }
                <polyline class="tl-total" points={line.join(" ")} />
                { for (0..n).map(|i| {
                    let mut tip = format!("{}\ntotal {}", p.labels[i], human(total[i], &r.unit));
                    for (k, s) in r.suspects.iter().take(STACKED).enumerate() {
                        tip.push_str(&format!("\n{}. {} {}", k + 1, s.function, human(s.series[i], &r.unit)));
                    }
                    tip.push_str("\nclick: flame graph · shift-click two: diff");
                    let on = *picked == Some(i);
                    html! {
                        <g class={classes!("tl-point", on.then_some("picked"))} data-point="" data-file={p.labels[i].clone()} data-total={total[i].to_string()}
                           tabindex="0" role="button" aria-label={format!("{}: total {}", p.labels[i], human(total[i], &r.unit))}
                           onclick={click(i)} onkeydown={key(i)}>
                            <rect class="tl-hit" x={format!("{:.1}", x(i) - 8.0)} y={top.to_string()} width="16" height={(h - top - bottom).to_string()} />
                            <circle cx={format!("{:.1}", x(i))} cy={format!("{:.1}", y(total[i] as f64))} r="4" />
                            <text class="tl-x" x={format!("{:.1}", x(i))} y={(h - 6.0).to_string()} text-anchor="middle">{ x_label(i) }</text>
                            <title>{ tip }</title>
                        </g>
                    }
                }) }
            </svg>
            <figcaption class="tl-legend">
                { for r.suspects.iter().take(STACKED).enumerate().map(|(k, s)| html! {
                    <span><i class={format!("tl-key tl-s{k}")}></i>{ s.function.clone() }</span>
                }) }
                <span><i class="tl-key tl-rest"></i>{"everything else"}</span>
                <span class="muted">{ if picked.is_some() { "shift-click a second snapshot to diff the two" } else { "click a snapshot for its flame graph, shift-click two to diff them" } }</span>
            </figcaption>
        </figure>
    }
}
