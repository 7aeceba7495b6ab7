//! What decoding can report: typed errors, the limits that bound hostile input, and progress.
//! Every file of `decode/` uses these; this one uses none of them.

use thiserror::Error;

/// What profdrop reads, for the message a file in none of its formats gets.
pub const READS: &str = "profdrop reads pprof protobuf (gzipped or not), Go goroutine dumps, pprof's legacy text and binary profiles, folded stacks, perf script output, speedscope JSON and Chrome/Node .cpuprofile and .heapprofile files";

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
    #[error("not gzip or pprof protobuf ({0}); {READS}")]
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
    #[error("invalid pprof protobuf: {what}{}", at_byte(.offset))]
    Protobuf {
        /// Byte offset in the (decompressed) protobuf where reading failed; `None` from the
        /// reference decoder, which does not say.
        offset: Option<usize>,
        /// What is wrong.
        what: String,
    },
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

fn at_byte(offset: &Option<usize>) -> String {
    offset.map(|o| format!(" at byte {o}")).unwrap_or_default()
}

impl DecodeError {
    /// The variant's name, as `testdata/hostile/expected.tsv` writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::Empty => "Empty",
            DecodeError::NotAProfile(_) => "NotAProfile",
            DecodeError::TruncatedGzip(_) => "TruncatedGzip",
            DecodeError::BadGzip { .. } => "BadGzip",
            DecodeError::TooLarge { .. } => "TooLarge",
            DecodeError::Protobuf { .. } => "Protobuf",
            DecodeError::Malformed(_) => "Malformed",
            DecodeError::Limit { .. } => "Limit",
            DecodeError::Text { .. } => "Text",
            DecodeError::Cancelled => "Cancelled",
        }
    }

    /// Where in the pipeline the file was refused: `sniff` (what the bytes are), `gzip`
    /// (the container), `size` (the output cap), `wire` (protobuf encoding), `model` (the
    /// profile's references and tables), `limit` (a documented bound), `text` (a goroutine
    /// dump), `cancelled`.
    pub fn stage(&self) -> &'static str {
        match self {
            DecodeError::Empty | DecodeError::NotAProfile(_) => "sniff",
            DecodeError::TruncatedGzip(_) | DecodeError::BadGzip { .. } => "gzip",
            DecodeError::TooLarge { .. } => "size",
            DecodeError::Protobuf { .. } => "wire",
            DecodeError::Malformed(_) => "model",
            DecodeError::Limit { .. } => "limit",
            DecodeError::Text { .. } => "text",
            DecodeError::Cancelled => "cancelled",
        }
    }

    /// The position the error names: the compressed byte for gzip errors, the protobuf byte
    /// for wire errors, the line for text errors.
    pub fn position(&self) -> Option<usize> {
        match self {
            DecodeError::TruncatedGzip(n) => Some(*n),
            DecodeError::BadGzip { offset, .. } => Some(*offset),
            DecodeError::Protobuf { offset, .. } => *offset,
            DecodeError::Text { line, .. } => Some(*line),
            _ => None,
        }
    }
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
    /// Downloading a profile a link names (`#url=`), before it is read; the fraction is how
    /// much of it has arrived (0 while the server does not say its size).
    Downloading,
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
