//! Flame-graph layout for a width (frames under a pixel merged), hit testing and colours.
//! Knows nothing of drawing.

use crate::analysis::tree::FlameData;

/// One rectangle to draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Node index in the [`FlameData`], or `u32::MAX` for a block of merged narrow frames.
    pub node: u32,
    /// Left edge in pixels.
    pub x: f64,
    /// Width in pixels.
    pub w: f64,
    /// Row (0 = view root, drawn on top).
    pub depth: u32,
}

/// Marker for merged narrow frames.
pub const MERGED: u32 = u32::MAX;

/// Lays out frames across `width` pixels; `on_base` sizes them by the base values (diffs).
/// Consecutive sibling frames narrower than a pixel are merged into one block; the children
/// of such frames are not drawn.
pub fn layout(d: &FlameData, width: f64, on_base: bool) -> Vec<Rect> {
    let n = d.parent.len();
    if n == 0 {
        return Vec::new();
    }
    let val = |i: usize| if on_base { d.base[i] } else { d.value[i] }.max(0) as f64;
    let root = val(0);
    if root <= 0.0 {
        return Vec::new();
    }
    let scale = width / root;
    let mut cursor = vec![0f64; n];
    let mut skip = vec![false; n];
    let mut last_merged: Vec<u32> = vec![u32::MAX; n]; // per parent: index of its open merged rect
    let mut out: Vec<Rect> = Vec::with_capacity(n.min(1 << 16));
    out.push(Rect { node: 0, x: 0.0, w: width, depth: 0 });
    for i in 1..n {
        let p = d.parent[i] as usize;
        if skip[p] {
            skip[i] = true;
            continue;
        }
        let w = val(i) * scale;
        let x = cursor[p];
        cursor[p] += w;
        cursor[i] = x;
        if w <= 0.0 {
            skip[i] = true;
            continue;
        }
        if w < 1.0 {
            skip[i] = true;
            let m = last_merged[p];
            if m != u32::MAX && (out[m as usize].x + out[m as usize].w - x).abs() < 1e-6 {
                out[m as usize].w += w;
            } else {
                last_merged[p] = out.len() as u32;
                out.push(Rect { node: MERGED, x, w, depth: d.depth[i] });
            }
        } else {
            last_merged[p] = u32::MAX;
            out.push(Rect { node: i as u32, x, w, depth: d.depth[i] });
        }
    }
    out.retain(|r| r.node != MERGED || r.w >= 1.0 - 1e-6);
    out
}

/// The rectangle under a point, if any (`row` = depth).
pub fn hit(rects: &[Rect], x: f64, row: u32) -> Option<&Rect> {
    rects.iter().find(|r| r.depth == row && x >= r.x && x < r.x + r.w)
}

/// The package part of a function name, for colouring: Go `path/pkg.(*T).M` → `path/pkg`;
/// `com.example.Foo.bar` → `com.example.Foo`; C++ `ns::f` → `ns`.
pub fn package_of(name: &str) -> &str {
    if let Some(i) = name.find("::") {
        return &name[..i];
    }
    let slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    let tail = &name[slash..];
    match tail.find('.') {
        Some(dot) => {
            let pkg = &name[..slash + dot];
            // Java-style dotted names: keep up to the class.
            if slash == 0 && tail.matches('.').count() >= 3 {
                return &name[..name.rfind('.').unwrap_or(name.len())];
            }
            pkg
        }
        None => name,
    }
}

/// 32-bit FNV-1a with a fixed seed: stable colours across runs.
pub fn hash(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5 ^ 0x5eed;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// An HSL colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hsl {
    /// Hue, degrees.
    pub h: f64,
    /// Saturation, percent.
    pub s: f64,
    /// Lightness, percent.
    pub l: f64,
}

impl Hsl {
    /// CSS text.
    pub fn css(&self) -> String {
        format!("hsl({:.0},{:.0}%,{:.0}%)", self.h, self.s, self.l)
    }

    /// The same colour as opaque RGBA bytes: the integers [`Hsl::css`] writes, converted as
    /// CSS Color 4 does (for painting pixels directly).
    pub fn rgba(&self) -> [u8; 4] {
        let h = self.h.round().rem_euclid(360.0);
        let s = (self.s.round() / 100.0).clamp(0.0, 1.0);
        let l = (self.l.round() / 100.0).clamp(0.0, 1.0);
        let f = |n: f64| {
            let k = (n + h / 30.0) % 12.0;
            let a = s * l.min(1.0 - l);
            let v = l - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0);
            (v * 255.0).round().clamp(0.0, 255.0) as u8
        };
        [f(0.0), f(8.0), f(4.0), 255]
    }
}

/// Warm flame colour, stable per package.
pub fn frame_colour(name: &str, dark: bool) -> Hsl {
    let h = hash(package_of(name));
    let hue = (h % 50) as f64; // red → orange → yellow
    let sat = 60.0 + ((h >> 8) % 25) as f64;
    let light = if dark { 38.0 } else { 58.0 } + ((h >> 16) % 10) as f64;
    Hsl { h: hue, s: sat, l: light }
}

/// Diff colour: red for growth, blue for shrinkage, grey when unchanged; saturation grows
/// with the relative change |Δ| / max(base, target).
pub fn diff_colour(base: i64, target: i64, dark: bool) -> Hsl {
    let delta = target - base;
    let denom = base.unsigned_abs().max(target.unsigned_abs()) as f64;
    let rel = if denom == 0.0 { 0.0 } else { (delta.unsigned_abs() as f64 / denom).min(1.0) };
    if delta == 0 || rel < 0.01 {
        return Hsl { h: 0.0, s: 0.0, l: if dark { 40.0 } else { 80.0 } };
    }
    let hue = if delta > 0 { 0.0 } else { 215.0 };
    let s = 25.0 + 65.0 * rel;
    let l = if dark { 45.0 - 10.0 * rel } else { 78.0 - 20.0 * rel };
    Hsl { h: hue, s, l }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsl_to_rgba_matches_css() {
        // Reference values: what browsers compute for these `hsl()` colours.
        let rgba = |h, s, l| Hsl { h, s, l }.rgba();
        assert_eq!(rgba(0.0, 100.0, 50.0), [255, 0, 0, 255]);
        assert_eq!(rgba(120.0, 100.0, 50.0), [0, 255, 0, 255]);
        assert_eq!(rgba(240.0, 100.0, 50.0), [0, 0, 255, 255]);
        assert_eq!(rgba(0.0, 0.0, 75.0), [191, 191, 191, 255]);
        assert_eq!(rgba(30.0, 100.0, 50.0), [255, 128, 0, 255]);
        assert_eq!(rgba(285.0, 70.0, 65.0), [197, 103, 228, 255]);
        // css() rounds to integers first; so does rgba().
        assert_eq!(rgba(29.6, 99.6, 50.4), rgba(30.0, 100.0, 50.0));
    }

    fn data(parent: &[u32], value: &[i64], depth: &[u32]) -> FlameData {
        FlameData {
            parent: parent.to_vec(),
            name: (0..parent.len() as u32).collect(),
            value: value.to_vec(),
            base: vec![0; parent.len()],
            depth: depth.to_vec(),
            names: (0..parent.len()).map(|i| format!("f{i}")).collect(),
            ancestors: vec![],
            node_id: (0..parent.len() as u32).collect(),
            culled: 0,
        }
    }

    #[test]
    fn children_tile_the_parent() {
        // root(100) → a(60) → c(30); root → b(40)
        let d = data(&[0, 0, 1, 0], &[100, 60, 30, 40], &[0, 1, 2, 1]);
        let r = layout(&d, 1000.0, false);
        assert_eq!(r.len(), 4);
        assert_eq!(r[1], Rect { node: 1, x: 0.0, w: 600.0, depth: 1 });
        assert_eq!(r[2], Rect { node: 2, x: 0.0, w: 300.0, depth: 2 });
        assert_eq!(r[3], Rect { node: 3, x: 600.0, w: 400.0, depth: 1 });
        assert_eq!(hit(&r, 650.0, 1).unwrap().node, 3);
        assert!(hit(&r, 650.0, 2).is_none());
    }

    #[test]
    fn sub_pixel_frames_merge() {
        // 1000 value over 100 px: ten children of 1 value each = 0.1 px each → one 1 px block.
        let mut parent = vec![0];
        let mut value = vec![1000];
        let mut depth = vec![0];
        parent.push(0);
        value.push(990);
        depth.push(1);
        for _ in 0..10 {
            parent.push(0);
            value.push(1);
            depth.push(1);
        }
        let d = data(&parent, &value, &depth);
        let r = layout(&d, 100.0, false);
        let merged: Vec<_> = r.iter().filter(|r| r.node == MERGED).collect();
        assert_eq!(merged.len(), 1);
        assert!((merged[0].w - 1.0).abs() < 1e-9);
        assert!((merged[0].x - 99.0).abs() < 1e-9);
    }

    #[test]
    fn packages() {
        assert_eq!(package_of("github.com/a/b.(*T).M"), "github.com/a/b");
        assert_eq!(package_of("main.main"), "main");
        assert_eq!(package_of("runtime.mallocgc"), "runtime");
        assert_eq!(package_of("com.example.Foo.bar"), "com.example.Foo");
        assert_eq!(package_of("std::vector<int>::push_back"), "std");
        assert_eq!(frame_colour("main.a", false), frame_colour("main.b", false));
    }

    #[test]
    fn diff_colours() {
        assert_eq!(diff_colour(10, 20, false).h, 0.0);
        assert_eq!(diff_colour(20, 10, false).h, 215.0);
        assert_eq!(diff_colour(10, 10, false).s, 0.0);
        assert!(diff_colour(10, 100, false).s > diff_colour(90, 100, false).s);
    }
}
