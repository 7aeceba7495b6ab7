//! Bytes → [`Profile`]: sniffing, gzip (with an output cap), pprof protobuf and Go's
//! goroutine text dumps. Every failure is a typed [`DecodeError`]; input never panics.

pub mod gzip;
pub mod pb;
mod preview;
mod proto;
pub mod raw;
mod text;

use crate::model::Profile;
pub use preview::Preview;
use thiserror::Error;

/// Bounds that turn hostile input into clear errors instead of exhausted memory.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest decompressed (or raw) profile accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest stack accepted, in frames after inline expansion.
    pub max_stack_depth: usize,
    /// Most entries accepted in any one table (strings, functions, locations, samples).
    pub max_entries: usize,
    /// Most labels on one sample.
    pub max_labels_per_sample: usize,
    /// Most bytes of label text (keys, values, units) over all distinct label sets: a small
    /// file that references long strings many times must not expand without bound.
    pub max_text_bytes: usize,
    /// Most frames over all distinct stacks (inline expansion can multiply a small file).
    pub max_total_frames: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 512 << 20,
            max_stack_depth: 1 << 20,
            max_entries: 8_000_000,
            max_labels_per_sample: 4096,
            max_text_bytes: 64 << 20,
            max_total_frames: 64 << 20,
        }
    }
}

/// Why a file could not be read as a profile.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,
    /// Neither gzip nor a profile format we know.
    #[error("not gzip or pprof protobuf ({0})")]
    NotAProfile(String),
    /// The gzip stream ends early.
    #[error("truncated gzip stream (ends after {0} compressed bytes)")]
    TruncatedGzip(usize),
    /// The gzip stream is damaged.
    #[error("corrupt gzip stream at byte {offset}: {what}")]
    BadGzip {
        /// Byte offset in the compressed input.
        offset: usize,
        /// What is wrong.
        what: String,
    },
    /// Output cap reached.
    #[error("file expands beyond {limit_mb} MB when decompressed; profdrop refuses it rather than run out of memory")]
    TooLarge {
        /// The cap in MB.
        limit_mb: usize,
    },
    /// The protobuf wire format is broken.
    #[error("invalid pprof protobuf: {0}")]
    Protobuf(String),
    /// A reference points nowhere, an id is reused, a count is off…
    #[error("malformed profile: {0}")]
    Malformed(String),
    /// A table or stack exceeds a documented limit.
    #[error("{what} exceeds the limit of {limit}")]
    Limit {
        /// What was too large.
        what: String,
        /// The limit.
        limit: usize,
    },
    /// A text profile line could not be read.
    #[error("line {line}: {what}")]
    Text {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// The work was cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// Progress stages reported while loading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Stage {
    /// Reading the file.
    Reading,
    /// Decompressing gzip.
    Inflating,
    /// Decoding protobuf / text.
    Decoding,
    /// Inflating and decoding at once (a gzip file streamed through two workers); the
    /// fraction is how much of the file has been read.
    Streaming,
    /// Building tables and trees.
    Building,
}

/// Receives progress: stage and fraction done in `0.0..=1.0`. Returning `false` cancels.
pub trait Progress {
    /// Reports progress.
    fn report(&mut self, stage: Stage, done: f64) -> bool;
}

impl<F: FnMut(Stage, f64) -> bool> Progress for F {
    fn report(&mut self, stage: Stage, done: f64) -> bool {
        self(stage, done)
    }
}

/// No progress reporting.
pub struct NoProgress;
impl Progress for NoProgress {
    fn report(&mut self, _: Stage, _: f64) -> bool {
        true
    }
}

/// Decodes a profile from bytes with default limits.
pub fn decode(bytes: &[u8]) -> Result<Profile, DecodeError> {
    decode_with(bytes, &Limits::default(), &mut NoProgress)
}

/// Decodes a profile: the format is sniffed from the bytes, never from a file name.
pub fn decode_with(bytes: &[u8], limits: &Limits, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if gzip::is_gzip(bytes) {
        return decode_inflated(gzip::gunzip(bytes, limits.max_bytes, progress)?, limits, progress);
    }
    if bytes.len() > limits.max_bytes {
        return Err(DecodeError::TooLarge { limit_mb: limits.max_bytes >> 20 });
    }
    decode_plain(bytes, limits, progress)
}

/// Like [`decode_with`], but takes the bytes by value so the compressed input is freed as soon
/// as it is inflated (peak memory of a big load is then inflated + model, not compressed too).
pub fn decode_owned(bytes: Vec<u8>, limits: &Limits, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
    if !gzip::is_gzip(&bytes) {
        return decode_with(&bytes, limits, progress);
    }
    let inflated = gzip::gunzip(&bytes, limits.max_bytes, progress)?;
    drop(bytes);
    decode_inflated(inflated, limits, progress)
}

/// Decodes a profile whose bytes arrive in pieces, as a streaming inflate hands them on
/// ([`gzip::GzInflater::streaming`]): protobuf is read field by field as the pieces come, so
/// only the model and an unfinished field are held, never the whole decompressed file. Text
/// profiles are gathered and read at the end. The outcome is the same as [`decode_with`]'s
/// on the whole bytes, errors included.
pub struct StreamDecoder {
    limits: Limits,
    /// The bytes came out of gzip (named in the profile's format).
    gzip: bool,
    seen: usize,
    mode: Mode,
    /// The first error: the outcome, whatever comes after.
    failed: Option<DecodeError>,
    hint: Option<usize>,
    /// The top table summed as the samples come (protobuf only).
    sums: Option<preview::TopSums>,
}

enum Mode {
    /// The first bytes, until there are enough to tell the format.
    Sniffing(Vec<u8>),
    Proto(raw::StreamParser),
    /// A text profile, read whole at the end.
    Whole(Vec<u8>),
}

/// Bytes of a piece parsed before the top sums take in what was read.
const SUM_EVERY: usize = 128 << 10;

/// Bytes needed to tell the format (`text::sniff` reads the most: 4096).
const SNIFF: usize = 4096;

impl StreamDecoder {
    /// A decoder for one file; `gzip` says the pieces are what a gzip stream held.
    pub fn new(limits: Limits, gzip: bool) -> StreamDecoder {
        StreamDecoder { limits, gzip, seen: 0, mode: Mode::Sniffing(Vec::new()), failed: None, hint: None, sums: None }
    }

    /// The decompressed file is expected to be about `total` bytes (gzip's size field): the
    /// protobuf pass then sizes its columns once instead of doubling them.
    pub fn size_hint(&mut self, total: usize) {
        self.hint = Some(total);
        if let Mode::Proto(p) = &mut self.mode {
            p.size_hint(total);
        }
    }

    /// Takes the next piece. After an error, later pieces are ignored and [`finish`] returns
    /// that error; whoever feeds the decoder may go on (so that a gzip error further on,
    /// which [`decode_with`] would report first, still can be) or stop.
    ///
    /// [`finish`]: StreamDecoder::finish
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let r = self.take(bytes);
        if let Err(e) = &r {
            self.failed = Some(e.clone());
            self.mode = Mode::Whole(Vec::new());
        }
        r
    }

    fn take(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        self.seen += bytes.len();
        if self.seen > self.limits.max_bytes {
            return Err(DecodeError::TooLarge { limit_mb: self.limits.max_bytes >> 20 });
        }
        match &mut self.mode {
            Mode::Sniffing(head) => {
                head.extend_from_slice(bytes);
                if head.len() >= SNIFF {
                    self.decide()?;
                }
                Ok(())
            }
            Mode::Proto(p) => {
                // The top sums follow the parser closely: their tables stay in cache instead
                // of being pushed out by a whole piece's columns.
                for part in bytes.chunks(SUM_EVERY) {
                    p.push(part)?;
                    if let Some(sums) = &mut self.sums {
                        sums.advance(p.raw());
                    }
                }
                Ok(())
            }
            Mode::Whole(all) => {
                all.extend_from_slice(bytes);
                Ok(())
            }
        }
    }

    /// Chooses how to read the file from its first bytes (the same checks as `decode_plain`).
    fn decide(&mut self) -> Result<(), DecodeError> {
        let Mode::Sniffing(head) = &mut self.mode else { return Ok(()) };
        let head = std::mem::take(head);
        if head.is_empty() {
            return Err(if self.gzip { DecodeError::NotAProfile("gzip stream holds no data".into()) } else { DecodeError::Empty });
        }
        if text::sniff(&head).is_some() {
            self.mode = Mode::Whole(head);
            return Ok(());
        }
        if !proto::plausible(&head) || known_other_format(&head).is_some() {
            return Err(DecodeError::NotAProfile(describe(&head)));
        }
        let mut p = raw::StreamParser::new(self.limits.max_entries);
        if let Some(h) = self.hint {
            p.size_hint(h);
        }
        p.push(&head)?;
        let mut sums = preview::TopSums::new();
        sums.advance(p.raw());
        self.sums = Some(sums);
        self.mode = Mode::Proto(p);
        Ok(())
    }

    /// The stream has ended: the profile.
    pub fn finish(self, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
        self.finish_with(progress, &mut |_| {})
    }

    /// The stream has ended: the profile. When the top table could be summed while the
    /// samples came (see [`Preview`]), `on_preview` has it first, before the model is built;
    /// the outcome is the same either way.
    pub fn finish_with(mut self, progress: &mut dyn Progress, on_preview: &mut dyn FnMut(&Preview)) -> Result<Profile, DecodeError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        self.decide()?;
        let mut p = match self.mode {
            Mode::Proto(parser) => proto::decode_streamed(parser, self.sums.take(), self.gzip, &self.limits, progress, on_preview)?,
            Mode::Whole(all) => decode_plain(&all, &self.limits, progress)?,
            Mode::Sniffing(_) => return Err(DecodeError::Empty),
        };
        if self.gzip {
            p.format = format!("{} (gzip)", p.format);
        }
        Ok(p)
    }
}

/// Decodes what a gzip stream held.
fn decode_inflated(inflated: Vec<u8>, limits: &Limits, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
    if inflated.is_empty() {
        return Err(DecodeError::NotAProfile("gzip stream holds no data".into()));
    }
    let mut p = decode_plain(&inflated, limits, progress)?;
    p.format = format!("{} (gzip)", p.format);
    Ok(p)
}

fn decode_plain(bytes: &[u8], limits: &Limits, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
    if let Some(kind) = text::sniff(bytes) {
        return text::parse(kind, bytes, limits);
    }
    if !proto::plausible(bytes) || known_other_format(bytes).is_some() {
        return Err(DecodeError::NotAProfile(describe(bytes)));
    }
    proto::decode(bytes, limits, progress)
}

/// Decodes a (decompressed) protobuf through prost's generated decoder instead of the
/// hand-written pass: the reference the fast path is checked against.
pub fn decode_prost(bytes: &[u8]) -> Result<Profile, DecodeError> {
    proto::decode_prost(bytes, &Limits::default())
}

/// Recognises common files that are not profiles by their magic bytes.
fn known_other_format(b: &[u8]) -> Option<&'static str> {
    const MAGICS: [(&[u8], &str); 10] = [
        (b"PK\x03\x04", "a zip archive: unzip it and drop the profile inside"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x7fELF", "an executable (ELF); profiles come from /debug/pprof/…"),
        (b"BZh", "a bzip2 file: decompress it first"),
        (b"\xfd7zXZ", "an xz file: decompress it first"),
        (b"\x28\xb5\x2f\xfd", "a zstd file: decompress it first"),
        (b"<!DOCTYPE", "an HTML page (did the download save an error page?)"),
    ];
    MAGICS.iter().find(|(m, _)| b.starts_with(m)).map(|(_, what)| *what)
}

/// A short description of what unknown bytes look like, for error messages.
fn describe(bytes: &[u8]) -> String {
    if let Some(what) = known_other_format(bytes) {
        return what.to_string();
    }
    let head = &bytes[..bytes.len().min(64)];
    let printable = head.iter().filter(|b| b.is_ascii_graphic() || **b == b' ' || **b == b'\n' || **b == b'\t').count();
    if printable * 10 >= head.len() * 9 {
        let first_line: String = String::from_utf8_lossy(head).lines().next().unwrap_or("").chars().take(40).collect();
        if first_line.starts_with("heap profile:") || first_line.starts_with("--- ") || first_line.contains("profile: total") {
            return format!("legacy text profile \"{first_line}\" is not supported; save it with ?debug=0 to get protobuf");
        }
        let clean: String = first_line.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
        format!("text starting with \"{clean}\"")
    } else {
        let hex: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("starts with bytes {}", hex.join(" "))
    }
}

#[cfg(test)]
mod tests;
