//! Long passes in blocks, for the browser's compiler.

/// Indices per block of [`in_blocks`].
const BLOCK: usize = 1 << 14;

/// Calls `f(i)` for each `i` in `0..n`, in order, a block of indices per call of a function of
/// its own. A browser compiles a WebAssembly function with its optimising tier only after it
/// has run a while, and a running call keeps the code it started with: a pass over a big
/// profile in one call runs in baseline code to its end (two to three times slower), while
/// the blocks after the first few run optimised code.
#[inline]
pub fn in_blocks(n: usize, mut f: impl FnMut(usize)) {
    #[inline(never)]
    fn block<F: FnMut(usize)>(r: std::ops::Range<usize>, f: &mut F) {
        for i in r {
            f(i)
        }
    }
    let mut i = 0;
    while i < n {
        let end = (i + BLOCK).min(n);
        block(i..end, &mut f);
        i = end;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_index_once_in_order() {
        for n in [0, 1, super::BLOCK - 1, super::BLOCK, 2 * super::BLOCK + 3] {
            let mut seen = Vec::new();
            super::in_blocks(n, |i| seen.push(i));
            assert_eq!(seen, (0..n).collect::<Vec<_>>());
        }
    }
}
