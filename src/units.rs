//! Human units: `12.1 MB`, `340 ms`, `1,234`; percentages.

/// Formats a value in a sample type's unit for people (pprof-style base-1024 byte units).
pub fn human(v: i64, unit: &str) -> String {
    let neg = v < 0;
    let a = v.unsigned_abs() as f64;
    let s = match unit {
        "bytes" | "byte" | "B" => scaled(a, 1024.0, &["B", "kB", "MB", "GB", "TB", "PB"]),
        "nanoseconds" | "ns" => time(a),
        "microseconds" | "us" => time(a * 1e3),
        "milliseconds" | "ms" => time(a * 1e6),
        "seconds" | "s" => time(a * 1e9),
        _ => count(v.unsigned_abs()),
    };
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

/// Like [`human`] but always signed (`+1.2 MB`, `-3 ms`, `0`), for deltas.
pub fn signed(v: i64, unit: &str) -> String {
    if v > 0 {
        format!("+{}", human(v, unit))
    } else {
        human(v, unit)
    }
}

fn digits(x: f64) -> String {
    let s = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn scaled(mut a: f64, base: f64, units: &[&str]) -> String {
    let mut i = 0;
    while a >= base && i + 1 < units.len() {
        a /= base;
        i += 1;
    }
    if i == 0 {
        return format!("{} {}", a as u64, units[0]);
    }
    // Avoid "1024 kB": rounding can reach the base.
    let d = digits(a);
    if d.parse::<f64>().unwrap_or(0.0) >= base && i + 1 < units.len() {
        return format!("{} {}", digits(a / base), units[i + 1]);
    }
    format!("{d} {}", units[i])
}

fn time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{} ns", ns as u64)
    } else if ns < 1e6 {
        format!("{} µs", digits(ns / 1e3))
    } else if ns < 1e9 {
        format!("{} ms", digits(ns / 1e6))
    } else if ns < 120e9 {
        format!("{} s", digits(ns / 1e9))
    } else if ns < 120.0 * 60e9 {
        format!("{} min", digits(ns / 60e9))
    } else {
        format!("{} h", digits(ns / 3600e9))
    }
}

fn count(n: u64) -> String {
    if n >= 10_000_000 {
        return scaled(n as f64, 1000.0, &["", "k", "M", "G", "T", "P"]).replace(' ', "");
    }
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` as a percentage of `total`, two decimals (`12.34%`); `-` when total is 0.
pub fn pct(part: i64, total: i64) -> String {
    if total == 0 {
        return "-".into();
    }
    format!("{:.2}%", part as f64 * 100.0 / total as f64)
}

/// Rate per minute for a value over a duration in nanoseconds.
pub fn per_minute(v: i64, unit: &str, nanos: i64) -> String {
    if nanos <= 0 {
        return "-".into();
    }
    let r = (v as f64 * 60e9 / nanos as f64).round() as i64;
    format!("{}/min", signed(r, unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn units() {
        assert_eq!(human(12_687_769, "bytes"), "12.1 MB");
        assert_eq!(human(340_000_000, "nanoseconds"), "340 ms");
        assert_eq!(human(512, "bytes"), "512 B");
        assert_eq!(human(1536, "bytes"), "1.5 kB");
        assert_eq!(human(1_048_575, "bytes"), "1 MB");
        assert_eq!(human(1234, "count"), "1,234");
        assert_eq!(human(1_900, "microseconds"), "1.9 ms");
        assert_eq!(human(2_104_393_918_350, "nanoseconds"), "35.1 min");
        assert_eq!(human(-4096, "bytes"), "-4 kB");
        assert_eq!(signed(4096, "bytes"), "+4 kB");
        assert_eq!(human(42, ""), "42");
        assert_eq!(pct(1, 3), "33.33%");
        assert_eq!(pct(1, 0), "-");
        assert_eq!(per_minute(4 << 20, "bytes", 60_000_000_000), "+4 MB/min");
    }
}
