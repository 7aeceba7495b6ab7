//! Names of frames: string table lookups, and pprof's names for frames that have no function
//! name (`[libc.so.6]` after the mapping's file, `<unknown>` without one; written once, in
//! `model::names`). The model build (`proto`), the early table (`preview`) and the text dumps
//! (`text`) all name frames here.

use super::error::DecodeError;

pub use crate::model::names::{unsymbolized, UNKNOWN};

/// String `i` of the table (0 is "" even when the table is empty); `what` names the
/// reference for the error.
pub fn string<'a>(strings: &[&'a [u8]], i: i64, what: &dyn Fn() -> String) -> Result<&'a [u8], DecodeError> {
    if i == 0 && strings.is_empty() {
        return Ok(b"");
    }
    usize::try_from(i).ok().and_then(|i| strings.get(i)).copied().ok_or_else(|| {
        DecodeError::Malformed(format!("{} refers to string {i}, but the string table has {} entries", what(), strings.len()))
    })
}
