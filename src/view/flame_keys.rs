//! Moving through a drawn flame graph with the keyboard: which frame an arrow key goes to
//! from the current one (up: its caller, down: its widest callee, left/right: the nearest
//! frame on the same row), so that every frame can be reached, and its context menu opened,
//! without a pointer.

use crate::view::flame::{Rect, MERGED};

/// An arrow key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Towards the root (the caller).
    Up,
    /// Away from the root (the widest callee).
    Down,
    /// The nearest frame to the left on the same row.
    Left,
    /// The nearest frame to the right on the same row.
    Right,
}

impl Step {
    /// The step an arrow key names (`ArrowUp`, …).
    pub fn of_key(key: &str) -> Option<Step> {
        Some(match key {
            "ArrowUp" => Step::Up,
            "ArrowDown" => Step::Down,
            "ArrowLeft" => Step::Left,
            "ArrowRight" => Step::Right,
            _ => return None,
        })
    }
}

/// The frame (node) a step goes to from `cur` among the drawn `rects` (`parent`: the flame
/// data's parent of each node). No current frame: the view root. `None`: nowhere to go.
pub fn step(rects: &[Rect], parent: &[u32], cur: Option<u32>, dir: Step) -> Option<u32> {
    let drawn = |n: u32| rects.iter().find(|r| r.node == n && n != MERGED);
    let Some(c) = cur.and_then(drawn) else {
        return rects.iter().find(|r| r.depth == 0 && r.node != MERGED).map(|r| r.node);
    };
    let row = |d: u32| rects.iter().filter(move |r| r.depth == d && r.node != MERGED);
    match dir {
        Step::Up => {
            let p = *parent.get(c.node as usize)?;
            (c.node != 0 && drawn(p).is_some()).then_some(p)
        }
        // (Any row: a graph may be drawn upwards.)
        Step::Down => rects
            .iter()
            .filter(|r| r.node != MERGED && r.node != c.node && parent.get(r.node as usize) == Some(&c.node))
            .fold(None::<&Rect>, |best, r| match best {
                Some(b) if b.w >= r.w => Some(b),
                _ => Some(r),
            })
            .map(|r| r.node),
        Step::Left => row(c.depth).filter(|r| r.x < c.x).max_by(|a, b| a.x.total_cmp(&b.x)).map(|r| r.node),
        Step::Right => row(c.depth).filter(|r| r.x > c.x).min_by(|a, b| a.x.total_cmp(&b.x)).map(|r| r.node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_reach_every_drawn_frame() {
        // root(0) ─ a(1) ─ c(3)
        //         └ b(2) ─ d(4), e(5) (e wider)
        let parent = [0, 0, 0, 1, 2, 2];
        let r = |node, x, w, depth| Rect { node, x, w, depth };
        let rects = [
            r(0, 0.0, 100.0, 0),
            r(1, 0.0, 40.0, 1),
            r(2, 40.0, 60.0, 1),
            r(3, 0.0, 20.0, 2),
            r(4, 40.0, 10.0, 2),
            r(5, 50.0, 50.0, 2),
            r(MERGED, 99.0, 1.0, 2),
        ];
        let go = |cur, d| step(&rects, &parent, cur, d);
        assert_eq!(go(None, Step::Down), Some(0), "the first key starts at the view root");
        assert_eq!(go(Some(0), Step::Down), Some(2), "the widest callee");
        assert_eq!(go(Some(2), Step::Left), Some(1));
        assert_eq!(go(Some(1), Step::Left), None);
        assert_eq!(go(Some(1), Step::Down), Some(3));
        assert_eq!(go(Some(3), Step::Right), Some(4), "across callers on one row");
        assert_eq!(go(Some(4), Step::Right), Some(5));
        assert_eq!(go(Some(5), Step::Right), None, "merged blocks are no frame");
        assert_eq!(go(Some(5), Step::Up), Some(2));
        assert_eq!(go(Some(0), Step::Up), None);
        assert_eq!(go(Some(77), Step::Up), Some(0), "a frame no longer drawn: back to the root");
        assert_eq!(Step::of_key("ArrowLeft"), Some(Step::Left));
        assert_eq!(Step::of_key("Enter"), None);
    }
}
