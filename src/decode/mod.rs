//! Bytes → [`Profile`]: sniffing, gzip (with an output cap), pprof protobuf, Go's
//! goroutine text dumps and pprof's legacy formats. Every failure is a typed [`DecodeError`]; input never panics.
//!
//! One path: the format is decided once from the first bytes ([`sniff`]; gzip is inflated
//! and what it held sniffed again), then exactly one decoder runs. Protobuf is always read by
//! the streaming decoder ([`StreamDecoder`]); a whole file is the stream in one go. The prost
//! structs of `pb` (feature `reference`) are an independent reference for tests only.

pub mod archive;
mod chrome;
pub mod error;
pub mod folded;
pub mod gzip;
mod json;
mod legacy;
mod legacy_cpu;
mod legacy_text;
mod names;
#[cfg(feature = "reference")]
pub mod pb;
mod perf;
mod preview;
mod proto;
pub mod raw;
pub mod series;
pub mod sniff;
mod speedscope;
mod stacks;
mod text;

use crate::model::Profile;
pub use error::{DecodeError, Limits, NoProgress, Progress, Stage};
pub use preview::Preview;
pub use sniff::{sniff, Format, LegacyKind, StacksKind, TextKind, SNIFF_BYTES};

/// Decodes a profile from bytes with default limits.
pub fn decode(bytes: &[u8]) -> Result<Profile, DecodeError> {
    decode_with(bytes, &Limits::default(), &mut NoProgress)
}

/// Decodes a profile: the format is sniffed from the bytes, never from a file name.
pub fn decode_with(bytes: &[u8], limits: &Limits, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
    match sniff_whole(bytes, limits)? {
        Format::Gzip => decode_plain(&gzip::gunzip(bytes, limits.max_bytes, progress)?, true, limits, progress),
        _ => decode_plain(bytes, false, limits, progress),
    }
}

/// Like [`decode_with`], but takes the bytes by value so the compressed input is freed as soon
/// as it is inflated (peak memory of a big load is then inflated + model, not compressed too).
pub fn decode_owned(bytes: Vec<u8>, limits: &Limits, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
    match sniff_whole(&bytes, limits)? {
        Format::Gzip => {
            let inflated = gzip::gunzip(&bytes, limits.max_bytes, progress)?;
            drop(bytes);
            decode_plain(&inflated, true, limits, progress)
        }
        _ => decode_plain(&bytes, false, limits, progress),
    }
}

/// The format of a whole file; one that is not gzip must also fit the size cap (checked
/// first, as a stream would hit it before its end).
fn sniff_whole(bytes: &[u8], limits: &Limits) -> Result<Format, DecodeError> {
    let format = sniff(bytes);
    if format != Ok(Format::Gzip) && bytes.len() > limits.max_bytes {
        return Err(DecodeError::TooLarge { limit_mb: limits.max_bytes >> 20 });
    }
    format
}

/// Bytes handed to the stream decoder at a time when a whole file is decoded: progress is
/// reported (and a cancel noticed) between them.
const WHOLE_PIECE: usize = 4 << 20;

/// Decodes bytes that are not gzip (`gzip`: they are what a gzip stream held) as one stream.
fn decode_plain(bytes: &[u8], gzip: bool, limits: &Limits, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
    if !progress.report(Stage::Decoding, 0.0) {
        return Err(DecodeError::Cancelled);
    }
    // No early table: nobody sees one here, and the model sums its own while it is built.
    let mut d = StreamDecoder { preview: false, ..StreamDecoder::new(*limits, gzip) };
    d.size_hint(bytes.len());
    let mut done = 0;
    for piece in bytes.chunks(WHOLE_PIECE) {
        d.push(piece)?;
        done += piece.len();
        if !progress.report(Stage::Decoding, done as f64 / bytes.len() as f64) {
            return Err(DecodeError::Cancelled);
        }
    }
    d.finish(progress)
}

/// Decodes a profile whose bytes arrive in pieces, as a streaming inflate hands them on
/// ([`gzip::GzInflater::streaming`]): protobuf is read field by field as the pieces come, so
/// only the model and an unfinished field are held, never the whole decompressed file. Text
/// profiles are gathered and read at the end. This is the only protobuf decoder: a whole
/// file ([`decode_with`]) is one stream.
pub struct StreamDecoder {
    limits: Limits,
    /// The bytes came out of gzip (named in the profile's format).
    gzip: bool,
    seen: usize,
    mode: Mode,
    /// The first error: the outcome, whatever comes after.
    failed: Option<DecodeError>,
    hint: Option<usize>,
    /// Sum the top table as the samples come, for [`StreamDecoder::finish_with`]'s preview.
    preview: bool,
    /// The top table summed as the samples come (protobuf only).
    sums: Option<preview::TopSums>,
    /// The previous file's template, and whether to make one ([`StreamDecoder::with_template`]).
    link: series::SeriesLink,
}

enum Mode {
    /// The first bytes, until there are enough to tell the format.
    Sniffing(Vec<u8>),
    Proto(Box<raw::StreamParser>),
    /// A text profile, read whole at the end.
    Text(TextKind, Vec<u8>),
    /// A legacy profile, read whole at the end.
    Legacy(LegacyKind, Vec<u8>),
    /// Another profiler's format, read whole at the end.
    Stacks(StacksKind, Vec<u8>),
    /// Failed: later pieces are ignored.
    Failed,
}

/// Bytes of a piece parsed before the top sums take in what was read.
const SUM_EVERY: usize = 128 << 10;

impl StreamDecoder {
    /// A decoder for one file; `gzip` says the pieces are what a gzip stream held.
    pub fn new(limits: Limits, gzip: bool) -> StreamDecoder {
        StreamDecoder {
            limits,
            gzip,
            seen: 0,
            mode: Mode::Sniffing(Vec::new()),
            failed: None,
            hint: None,
            preview: true,
            sums: None,
            link: Default::default(),
        }
    }

    /// Sum the top table as the samples come, for [`StreamDecoder::finish_with`]'s preview
    /// (on by default)? Without it the model is the same and is built a little sooner.
    pub fn with_preview(mut self, on: bool) -> StreamDecoder {
        self.preview = on;
        self
    }

    /// Builds against the template of the file decoded before (see [`series`]), when there is
    /// one, and makes this file's for the next: [`StreamDecoder::finish_series`] gives it.
    pub fn with_template(mut self, from: Option<series::Template>) -> StreamDecoder {
        self.set_template(from);
        self
    }

    /// [`StreamDecoder::with_template`] on a decoder already fed (the template is only read
    /// when the model is built, at the end).
    pub fn set_template(&mut self, from: Option<series::Template>) {
        self.link = series::SeriesLink { from, want: true, made: None };
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
            self.mode = Mode::Failed;
        }
        r
    }

    fn take(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        self.seen += bytes.len();
        if self.seen > self.limits.max_bytes {
            return Err(DecodeError::TooLarge { limit_mb: self.limits.max_bytes >> 20 });
        }
        match &mut self.mode {
            Mode::Sniffing(head) if head.is_empty() && bytes.len() >= SNIFF_BYTES => {
                // Enough to decide from this piece itself (a whole file, say): no copy.
                self.decide(bytes)
            }
            Mode::Sniffing(head) => {
                head.extend_from_slice(bytes);
                if head.len() >= SNIFF_BYTES {
                    let head = std::mem::take(head);
                    self.decide(&head)?;
                }
                Ok(())
            }
            Mode::Proto(p) => match &mut self.sums {
                // The top sums follow the parser closely: their tables stay in cache instead
                // of being pushed out by a whole piece's columns.
                Some(sums) => {
                    for part in bytes.chunks(SUM_EVERY) {
                        p.push(part)?;
                        sums.advance(p.raw());
                    }
                    Ok(())
                }
                None => p.push(bytes),
            },
            Mode::Text(_, all) | Mode::Legacy(_, all) | Mode::Stacks(_, all) => {
                all.extend_from_slice(bytes);
                Ok(())
            }
            Mode::Failed => Ok(()),
        }
    }

    /// Chooses the one decoder from the first bytes ([`sniff`]) and hands it `head`.
    fn decide(&mut self, head: &[u8]) -> Result<(), DecodeError> {
        let format = match sniff(head) {
            Err(DecodeError::Empty) if self.gzip => Err(DecodeError::NotAProfile("gzip stream holds no data".into())),
            Ok(Format::Gzip) => Err(DecodeError::NotAProfile(if self.gzip {
                "a gzip file inside a gzip file: decompress it once, then drop what it holds".into()
            } else {
                "gzip data given as already inflated".into()
            })),
            other => other,
        }?;
        match format {
            Format::Text(kind) => self.mode = Mode::Text(kind, head.to_vec()),
            Format::Legacy(kind) => self.mode = Mode::Legacy(kind, head.to_vec()),
            Format::Stacks(kind) => {
                let mut all = head.to_vec();
                all.reserve(self.hint.unwrap_or(0).saturating_sub(head.len()).min(self.limits.max_bytes));
                self.mode = Mode::Stacks(kind, all)
            }
            _ => {
                self.mode = Mode::Proto(Box::new(raw::StreamParser::new(self.limits.max_entries)));
                if let Some(h) = self.hint {
                    self.size_hint(h);
                }
                self.sums = self.preview.then(preview::TopSums::new);
                self.seen -= head.len();
                self.take(head)?;
            }
        }
        Ok(())
    }

    /// The stream has ended: the profile.
    pub fn finish(self, progress: &mut dyn Progress) -> Result<Profile, DecodeError> {
        self.finish_with(progress, &mut |_| {})
    }

    /// The stream has ended: the profile. When the top table could be summed while the
    /// samples came (see [`Preview`]), `on_preview` has it first, before the model is built;
    /// the outcome is the same either way.
    pub fn finish_with(self, progress: &mut dyn Progress, on_preview: &mut dyn FnMut(&Preview)) -> Result<Profile, DecodeError> {
        self.finish_series(progress, on_preview).map(|(p, _)| p)
    }

    /// [`StreamDecoder::finish_with`], and the template for the next file (protobuf files
    /// only, when [`StreamDecoder::with_template`] asked for it).
    pub fn finish_series(
        mut self,
        progress: &mut dyn Progress,
        on_preview: &mut dyn FnMut(&Preview),
    ) -> Result<(Profile, Option<series::Template>), DecodeError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if let Mode::Sniffing(head) = &mut self.mode {
            let head = std::mem::take(head);
            self.decide(&head)?;
        }
        let mut p = match self.mode {
            Mode::Proto(parser) => {
                proto::decode_streamed(*parser, self.sums.take(), self.gzip, &self.limits, progress, on_preview, &mut self.link)?
            }
            Mode::Text(kind, all) => text::parse(kind, &all, &self.limits)?,
            Mode::Legacy(kind, all) => parse_legacy(kind, &all, &self.limits)?,
            Mode::Stacks(kind, all) => parse_stacks(kind, &all, &self.limits)?,
            Mode::Sniffing(_) | Mode::Failed => return Err(DecodeError::Empty),
        };
        if self.gzip {
            p.format = format!("{} (gzip)", p.format);
        }
        Ok((p, self.link.made.take()))
    }
}

/// Parses a sniffed legacy profile with the parser of its kind.
fn parse_legacy(kind: LegacyKind, b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    match kind {
        LegacyKind::Cpu | LegacyKind::JavaCpu => legacy_cpu::parse(b, limits),
        LegacyKind::Heap => legacy_text::parse_heap(b, limits),
        LegacyKind::Contention => legacy_text::parse_contention(b, limits),
        LegacyKind::JavaHeap | LegacyKind::JavaContention => legacy_text::parse_java(b, limits),
    }
}

/// Decodes (uncompressed) bytes as another profiler's format of this kind, whatever they
/// sniff as (the fuzz target and the folded unit's reload use it).
pub fn decode_stacks(kind: StacksKind, bytes: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    if bytes.len() > limits.max_bytes {
        return Err(DecodeError::TooLarge { limit_mb: limits.max_bytes >> 20 });
    }
    parse_stacks(kind, bytes, limits)
}

/// Parses another profiler's format with the parser of its kind.
fn parse_stacks(kind: StacksKind, b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    match kind {
        StacksKind::Folded => folded::parse(b, limits),
        StacksKind::PerfScript => perf::parse(b, limits),
        StacksKind::Speedscope => speedscope::parse(b, limits),
        StacksKind::CpuProfile => chrome::parse_cpu(b, limits),
        StacksKind::HeapProfile => chrome::parse_heap(b, limits),
    }
}

/// The locations ([`crate::model::locations::Locations`]) of a protobuf profile's file, read
/// again: for a profile whose decoder kept nothing (the browser keeps the file instead of the
/// arrays, which would hold several megabytes per profile). Text profiles have none: their
/// locations come from their function stacks. A legacy profile is parsed again (its decoder
/// gives its locations with the profile, so the browser does not ask for them).
pub fn locations_from(bytes: &[u8], limits: &Limits) -> Result<crate::model::locations::Locations, DecodeError> {
    let inflated;
    let plain: &[u8] = match sniff_whole(bytes, limits)? {
        Format::Gzip => {
            inflated = gzip::gunzip(bytes, limits.max_bytes, &mut NoProgress)?;
            &inflated
        }
        _ => bytes,
    };
    match sniff(plain)? {
        Format::Text(_) => Err(DecodeError::NotAProfile("a text profile has no locations to read".into())),
        Format::Legacy(kind) => Ok(parse_legacy(kind, plain, limits)?.locations().as_ref().clone()),
        Format::Stacks(kind) => Ok(parse_stacks(kind, plain, limits)?.locations().as_ref().clone()),
        _ => {
            let mut p = raw::StreamParser::new(limits.max_entries);
            p.size_hint(plain.len());
            p.push(plain)?;
            proto::locations_of(p)
        }
    }
}

/// Decodes a (decompressed) protobuf through prost's generated decoder instead of the
/// streaming decoder: the independent reference tests check it against.
#[cfg(feature = "reference")]
pub fn decode_prost(bytes: &[u8]) -> Result<Profile, DecodeError> {
    proto::decode_prost(bytes, &Limits::default())
}

#[cfg(test)]
mod tests;
