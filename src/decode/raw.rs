//! A hand-written single pass over `profile.proto`'s wire format into flat arrays (no
//! allocation per sample), read from a stream of pieces ([`StreamParser`]): the only protobuf
//! decoder in production (a whole file is one stream). It reads exactly the messages of
//! `decode::pb`, the prost structs that stay the independent reference (feature
//! `reference`); tests check both agree on every corpus profile.

use super::error::DecodeError;

/// A location as read: its lines are `lines[line_off[i]..line_off[i+1]]`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RawLocation {
    /// Id.
    pub id: u64,
    /// Mapping id.
    pub mapping_id: u64,
    /// Address.
    pub address: u64,
}

/// Location ids, as narrow as every id so far allows: 16-bit (up to 65,535 locations, which
/// is most profiles: a quarter of the memory of 64-bit ids, and a big profile's largest column),
/// 32-bit, or 64-bit after the first id that needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocIds {
    /// All ids fit in 16 bits.
    Short(Vec<u16>),
    /// All ids fit in 32 bits.
    Narrow(Vec<u32>),
    /// Some id needs 64 bits.
    Wide(Vec<u64>),
}

impl Default for LocIds {
    fn default() -> Self {
        LocIds::Short(Vec::new())
    }
}

/// Ids decoded at a time on the fast path of [`LocIds::extend_packed`].
const ID_BLOCK: usize = 64;

/// Appends a packed run of ids to `v` for as long as each fits in `T` (whose largest value is
/// `max`), a block at a time: ids of up to three bytes (up to 2 million locations) are decoded
/// into a buffer on the stack, checked once per block and appended, with no capacity check
/// per id. Longer ids and the last bytes go one at a time. Returns whether the run is done;
/// if not, `r` is at the first id that does not fit (in its block).
#[inline(always)]
fn extend_fitting<T: Copy>(v: &mut Vec<T>, r: &mut Reader<'_>, max: u32, cast: impl Fn(u32) -> T) -> Result<bool, DecodeError> {
    let b = r.b;
    let mut buf = [0u32; ID_BLOCK];
    let mut p = r.pos;
    while p + 2 < b.len() {
        let (at, mut n, mut all) = (p, 0, 0u32);
        while n < ID_BLOCK && p + 2 < b.len() {
            let b0 = b[p] as u32;
            let x = if b0 < 0x80 {
                p += 1;
                b0
            } else if b[p + 1] < 0x80 {
                p += 2;
                b0 & 0x7f | (b[p - 1] as u32) << 7
            } else if b[p + 2] < 0x80 {
                p += 3;
                b0 & 0x7f | (b[p - 2] as u32 & 0x7f) << 7 | (b[p - 1] as u32) << 14
            } else {
                break;
            };
            buf[n] = x;
            all |= x;
            n += 1;
        }
        if all > max {
            r.pos = at;
            return Ok(false);
        }
        v.extend(buf[..n].iter().map(|&x| cast(x)));
        if n < ID_BLOCK && p + 2 < b.len() {
            // A longer id.
            break;
        }
    }
    r.pos = p;
    while !r.done() {
        let at = r.pos;
        let id = r.varint()?;
        if id > max as u64 {
            r.pos = at;
            return Ok(false);
        }
        v.push(cast(id as u32));
    }
    Ok(true)
}

impl LocIds {
    /// Appends an id.
    #[inline]
    pub fn push(&mut self, id: u64) {
        loop {
            match self {
                LocIds::Short(v) if id <= u16::MAX as u64 => return v.push(id as u16),
                LocIds::Narrow(v) if id <= u32::MAX as u64 => return v.push(id as u32),
                LocIds::Wide(v) => return v.push(id),
                _ => self.widen(),
            }
        }
    }
    /// The next wider form, with the same ids and room for as many.
    #[cold]
    #[inline(never)]
    fn widen(&mut self) {
        *self = match self {
            LocIds::Short(v) => {
                let mut w = Vec::with_capacity(v.capacity());
                w.extend(v.iter().map(|&x| x as u32));
                LocIds::Narrow(w)
            }
            LocIds::Narrow(v) => {
                let mut w = Vec::with_capacity(v.capacity());
                w.extend(v.iter().map(|&x| x as u64));
                LocIds::Wide(w)
            }
            LocIds::Wide(_) => return,
        }
    }
    /// Appends a packed run of ids: one match for the run, not one per id (these runs are
    /// most of a big profile's bytes). No reservation per run: an upper bound of one id per
    /// byte would push the vector over a doubling boundary it does not need.
    fn extend_packed(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        loop {
            let done = match self {
                LocIds::Short(v) => extend_fitting(v, r, u16::MAX as u32, |x| x as u16)?,
                LocIds::Narrow(v) => extend_fitting(v, r, u32::MAX, |x| x)?,
                LocIds::Wide(v) => {
                    while !r.done() {
                        v.push(r.varint()?);
                    }
                    true
                }
            };
            if done {
                return Ok(());
            }
            self.widen();
        }
    }
    /// Reserves room for exactly `n` more ids.
    pub fn reserve_exact(&mut self, n: usize) {
        match self {
            LocIds::Short(v) => v.reserve_exact(n),
            LocIds::Narrow(v) => v.reserve_exact(n),
            LocIds::Wide(v) => v.reserve_exact(n),
        }
    }
    /// Number of ids.
    pub fn len(&self) -> usize {
        match self {
            LocIds::Short(v) => v.len(),
            LocIds::Narrow(v) => v.len(),
            LocIds::Wide(v) => v.len(),
        }
    }
    /// Ids there is room for.
    pub fn capacity(&self) -> usize {
        match self {
            LocIds::Short(v) => v.capacity(),
            LocIds::Narrow(v) => v.capacity(),
            LocIds::Wide(v) => v.capacity(),
        }
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Id at `i`.
    #[inline]
    pub fn get(&self, i: usize) -> u64 {
        match self {
            LocIds::Short(v) => v[i] as u64,
            LocIds::Narrow(v) => v[i] as u64,
            LocIds::Wide(v) => v[i],
        }
    }
}

/// A sample label as read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RawLabel {
    /// Key string index.
    pub key: i64,
    /// String value index.
    pub str: i64,
    /// Numeric value.
    pub num: i64,
    /// Unit string index.
    pub num_unit: i64,
}

/// The whole profile in flat arrays.
#[derive(Debug, Default)]
pub struct RawProfile<'a> {
    /// (type, unit) string indices.
    pub sample_type: Vec<(i64, i64)>,
    /// Per sample: offsets into `locs` (len = samples + 1).
    pub loc_off: Vec<u32>,
    /// Location ids of all samples, leaf first.
    pub locs: LocIds,
    /// Per sample: offsets into `values`.
    pub val_off: Vec<u32>,
    /// Values of all samples.
    pub values: Vec<i64>,
    /// Per sample: its label set, an index into `set_off` (0: no labels). Most samples share
    /// a set with others (a Go heap profile labels each with its object size), so each set is
    /// kept once.
    pub sample_set: Vec<u32>,
    /// The label sets in the order they were first seen: set `i` is
    /// `set_labels[set_off[i]..set_off[i + 1]]`; set 0 is the empty one.
    pub set_off: Vec<u32>,
    /// Labels of all sets.
    pub set_labels: Vec<RawLabel>,
    /// Set index by labels, while reading.
    sets: rustc_hash::FxHashMap<Box<[RawLabel]>, u32>,
    /// Labels of the sample being read.
    scratch: Vec<RawLabel>,
    /// Mappings: (id, filename string index).
    pub mappings: Vec<(u64, i64)>,
    /// Per mapping: build id string index.
    pub mapping_build_ids: Vec<i64>,
    /// Locations.
    pub locations: Vec<RawLocation>,
    /// Per location: offsets into `lines`.
    pub line_off: Vec<u32>,
    /// (function id, line) of all locations.
    pub lines: Vec<(u64, i64)>,
    /// Functions: (id, name, filename).
    pub functions: Vec<(u64, i64, i64)>,
    /// Per function: (system name string index, start line).
    pub function_extra: Vec<(i64, i64)>,
    /// String table, borrowed.
    pub strings: Vec<&'a [u8]>,
    /// drop_frames.
    pub drop_frames: i64,
    /// keep_frames.
    pub keep_frames: i64,
    /// time_nanos.
    pub time_nanos: i64,
    /// duration_nanos.
    pub duration_nanos: i64,
    /// period_type.
    pub period_type: Option<(i64, i64)>,
    /// period.
    pub period: i64,
    /// comments.
    pub comments: Vec<i64>,
    /// default_sample_type.
    pub default_sample_type: i64,
    /// doc_url.
    pub doc_url: i64,
}

impl<'a> RawProfile<'a> {
    /// The arrays that describe stacks (sample locations, locations, lines, functions,
    /// mappings), without the string slices (so without the borrow of the string table) and
    /// without the sample values and labels.
    pub fn detach(self) -> RawProfile<'static> {
        RawProfile {
            loc_off: self.loc_off,
            locs: self.locs,
            mappings: self.mappings,
            mapping_build_ids: self.mapping_build_ids,
            locations: self.locations,
            line_off: self.line_off,
            lines: self.lines,
            functions: self.functions,
            function_extra: self.function_extra,
            ..RawProfile::default()
        }
    }

    /// Number of samples.
    pub fn num_samples(&self) -> usize {
        self.loc_off.len().saturating_sub(1)
    }

    /// Labels of label set `set`.
    pub fn set(&self, set: u32) -> &[RawLabel] {
        &self.set_labels[self.set_off[set as usize] as usize..self.set_off[set as usize + 1] as usize]
    }

    /// Ends the sample being read: its labels (in `scratch`) as a label set.
    #[inline]
    fn end_sample_labels(&mut self) -> Result<(), DecodeError> {
        let set = if self.scratch.is_empty() { 0 } else { self.intern_labels()? };
        self.sample_set.push(set);
        Ok(())
    }

    /// The label set of the labels in `scratch` (which it empties), added if new.
    #[inline(never)]
    fn intern_labels(&mut self) -> Result<u32, DecodeError> {
        let set = match self.sets.get(&self.scratch[..]) {
            Some(&set) => set,
            None => {
                let set = offset(self.set_off.len() - 1)?;
                self.set_labels.extend_from_slice(&self.scratch);
                self.set_off.push(offset(self.set_labels.len())?);
                self.sets.insert(self.scratch.as_slice().into(), set);
                set
            }
        };
        self.scratch.clear();
        Ok(set)
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    base: usize,
}

fn err(at: usize, what: &str) -> DecodeError {
    DecodeError::Protobuf { offset: Some(at), what: what.to_string() }
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8], base: usize) -> Self {
        Reader { b, pos: 0, base }
    }
    #[inline]
    fn done(&self) -> bool {
        self.pos >= self.b.len()
    }
    /// A varint; ids and counts of one or two bytes (most of them) take a short path.
    #[inline(always)]
    fn varint(&mut self) -> Result<u64, DecodeError> {
        if let Some(&b0) = self.b.get(self.pos) {
            if b0 < 0x80 {
                self.pos += 1;
                return Ok(b0 as u64);
            }
            if let Some(&b1) = self.b.get(self.pos + 1) {
                if b1 < 0x80 {
                    self.pos += 2;
                    return Ok((b0 & 0x7f) as u64 | (b1 as u64) << 7);
                }
            }
        }
        self.varint_slow()
    }
    #[inline(never)]
    fn varint_slow(&mut self) -> Result<u64, DecodeError> {
        let mut v: u64 = 0;
        let mut shift = 0u32;
        loop {
            let Some(&byte) = self.b.get(self.pos) else {
                return Err(err(self.base + self.pos, "truncated varint"));
            };
            self.pos += 1;
            if shift == 63 && byte > 1 {
                return Err(err(self.base + self.pos, "varint overflows 64 bits"));
            }
            v |= ((byte & 0x7f) as u64) << shift;
            if byte < 0x80 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err(err(self.base + self.pos, "varint too long"));
            }
        }
    }
    #[inline(always)]
    fn bytes(&mut self) -> Result<(&'a [u8], usize), DecodeError> {
        let n = self.varint()?;
        let start = self.pos;
        let end = start.checked_add(n as usize).filter(|&e| e <= self.b.len() && n <= usize::MAX as u64);
        match end {
            Some(e) => {
                self.pos = e;
                Ok((&self.b[start..e], self.base + start))
            }
            None => Err(err(self.base + start, "length-delimited field runs past the end")),
        }
    }
    fn skip(&mut self, wt: u64) -> Result<(), DecodeError> {
        match wt {
            0 => {
                self.varint()?;
            }
            1 => self.advance(8)?,
            2 => {
                self.bytes()?;
            }
            5 => self.advance(4)?,
            _ => return Err(err(self.base + self.pos, &format!("unsupported wire type {wt}"))),
        }
        Ok(())
    }
    fn advance(&mut self, n: usize) -> Result<(), DecodeError> {
        if self.pos + n > self.b.len() {
            return Err(err(self.base + self.pos, "truncated fixed-size field"));
        }
        self.pos += n;
        Ok(())
    }
    #[inline]
    fn key(&mut self) -> Result<(u64, u64), DecodeError> {
        let k = self.varint()?;
        let field = k >> 3;
        if field == 0 {
            return Err(err(self.base + self.pos, "field number 0"));
        }
        Ok((field, k & 7))
    }
    /// Reads a repeated integer field in packed (wt 2) or unpacked (wt 0) form.
    #[inline]
    fn repeated(&mut self, wt: u64, mut push: impl FnMut(u64)) -> Result<(), DecodeError> {
        match wt {
            0 => push(self.varint()?),
            2 => {
                let (b, at) = self.bytes()?;
                let mut r = Reader::new(b, at);
                while !r.done() {
                    push(r.varint()?);
                }
            }
            _ => return Err(err(self.base + self.pos, "bad wire type for a repeated integer")),
        }
        Ok(())
    }
    #[inline]
    fn int(&mut self, wt: u64) -> Result<i64, DecodeError> {
        if wt != 0 {
            return Err(err(self.base + self.pos, "expected a varint"));
        }
        Ok(self.varint()? as i64)
    }
}

fn pair(b: &[u8], at: usize) -> Result<(i64, i64), DecodeError> {
    let mut r = Reader::new(b, at);
    let (mut t, mut u) = (0, 0);
    while !r.done() {
        match r.key()? {
            (1, wt) => t = r.int(wt)?,
            (2, wt) => u = r.int(wt)?,
            (_, wt) => r.skip(wt)?,
        }
    }
    Ok((t, u))
}

fn offset(n: usize) -> Result<u32, DecodeError> {
    u32::try_from(n).map_err(|_| DecodeError::Limit { what: "entries in one table".into(), limit: u32::MAX as usize })
}

fn limit(what: &str, n: usize, max_entries: usize) -> Result<(), DecodeError> {
    if n > max_entries {
        Err(DecodeError::Limit { what: format!("{what} ({n} entries)"), limit: max_entries })
    } else {
        Ok(())
    }
}

fn empty_profile() -> RawProfile<'static> {
    RawProfile { loc_off: vec![0], val_off: vec![0], set_off: vec![0, 0], line_off: vec![0], ..Default::default() }
}

/// Reads one field of the top-level message into `p`, except a string table entry, which
/// it returns for the caller to keep (borrowed or copied).
/// One top-level field. The samples (most of a big profile's bytes) are read here; the
/// other fields in functions of their own, so that this one stays small (a browser compiles a
/// hot WebAssembly function again with its optimising tier while the file loads, and a small
/// function takes it far less time).
#[inline]
fn top_field<'b>(p: &mut RawProfile<'_>, r: &mut Reader<'b>, max_entries: usize) -> Result<Option<&'b [u8]>, DecodeError> {
    let limit = |what: &str, n: usize| limit(what, n, max_entries);
    let (field, wt) = r.key()?;
    match (field, wt) {
        (2, 2) => {
            let (m, at) = r.bytes()?;
            let mut s = Reader::new(m, at);
            while !s.done() {
                match s.key()? {
                    (1, 2) => {
                        let (ids, at) = s.bytes()?;
                        p.locs.extend_packed(&mut Reader::new(ids, at))?;
                    }
                    (1, wt) => s.repeated(wt, |v| p.locs.push(v))?,
                    (2, wt) => s.repeated(wt, |v| p.values.push(v as i64))?,
                    (3, 2) => {
                        let (lm, lat) = s.bytes()?;
                        let mut l = Reader::new(lm, lat);
                        let mut lab = RawLabel::default();
                        while !l.done() {
                            match l.key()? {
                                (1, wt) => lab.key = l.int(wt)?,
                                (2, wt) => lab.str = l.int(wt)?,
                                (3, wt) => lab.num = l.int(wt)?,
                                (4, wt) => lab.num_unit = l.int(wt)?,
                                (_, wt) => l.skip(wt)?,
                            }
                        }
                        p.scratch.push(lab);
                    }
                    (_, wt) => s.skip(wt)?,
                }
            }
            p.loc_off.push(offset(p.locs.len())?);
            p.val_off.push(offset(p.values.len())?);
            p.end_sample_labels()?;
            limit("sample count", p.loc_off.len())?;
        }
        (4, 2) => location(p, r, max_entries)?,
        (5, 2) => function(p, r, max_entries)?,
        (6, 2) => return Ok(Some(r.bytes()?.0)),
        _ => other_field(p, r, field, wt, max_entries)?,
    }
    Ok(None)
}

#[inline(never)]
fn location(p: &mut RawProfile<'_>, r: &mut Reader<'_>, max_entries: usize) -> Result<(), DecodeError> {
    let (m, at) = r.bytes()?;
    let mut s = Reader::new(m, at);
    let mut loc = RawLocation::default();
    while !s.done() {
        match s.key()? {
            (1, wt) => loc.id = s.int(wt)? as u64,
            (2, wt) => loc.mapping_id = s.int(wt)? as u64,
            (3, wt) => loc.address = s.int(wt)? as u64,
            (4, 2) => {
                let (lm, lat) = s.bytes()?;
                let mut l = Reader::new(lm, lat);
                let (mut f, mut line) = (0u64, 0i64);
                while !l.done() {
                    match l.key()? {
                        (1, wt) => f = l.int(wt)? as u64,
                        (2, wt) => line = l.int(wt)?,
                        (_, wt) => l.skip(wt)?,
                    }
                }
                p.lines.push((f, line));
            }
            (_, wt) => s.skip(wt)?,
        }
    }
    p.locations.push(loc);
    p.line_off.push(offset(p.lines.len())?);
    limit("location table", p.locations.len(), max_entries)?;
    Ok(())
}

#[inline(never)]
fn function(p: &mut RawProfile<'_>, r: &mut Reader<'_>, max_entries: usize) -> Result<(), DecodeError> {
    let (m, at) = r.bytes()?;
    let mut s = Reader::new(m, at);
    let (mut id, mut name, mut file, mut system, mut start) = (0u64, 0i64, 0i64, 0i64, 0i64);
    while !s.done() {
        match s.key()? {
            (1, wt) => id = s.int(wt)? as u64,
            (2, wt) => name = s.int(wt)?,
            (3, wt) => system = s.int(wt)?,
            (4, wt) => file = s.int(wt)?,
            (5, wt) => start = s.int(wt)?,
            (_, wt) => s.skip(wt)?,
        }
    }
    p.functions.push((id, name, file));
    p.function_extra.push((system, start));
    limit("function table", p.functions.len(), max_entries)?;
    Ok(())
}

/// The top-level fields other than samples, locations, functions and strings.
#[inline(never)]
fn other_field(p: &mut RawProfile<'_>, r: &mut Reader<'_>, field: u64, wt: u64, max_entries: usize) -> Result<(), DecodeError> {
    match (field, wt) {
        (1, 2) => {
            let (m, at) = r.bytes()?;
            p.sample_type.push(pair(m, at)?);
        }
        (3, 2) => {
            let (m, at) = r.bytes()?;
            let mut s = Reader::new(m, at);
            let (mut id, mut file, mut build_id) = (0u64, 0i64, 0i64);
            while !s.done() {
                match s.key()? {
                    (1, wt) => id = s.int(wt)? as u64,
                    (5, wt) => file = s.int(wt)?,
                    (6, wt) => build_id = s.int(wt)?,
                    (_, wt) => s.skip(wt)?,
                }
            }
            p.mappings.push((id, file));
            p.mapping_build_ids.push(build_id);
            limit("mapping table", p.mappings.len(), max_entries)?;
        }
        (7, wt) => p.drop_frames = r.int(wt)?,
        (8, wt) => p.keep_frames = r.int(wt)?,
        (9, wt) => p.time_nanos = r.int(wt)?,
        (10, wt) => p.duration_nanos = r.int(wt)?,
        (11, 2) => {
            let (m, at) = r.bytes()?;
            p.period_type = Some(pair(m, at)?);
        }
        (12, wt) => p.period = r.int(wt)?,
        (13, wt) => {
            let mut c = Vec::new();
            r.repeated(wt, |v| c.push(v as i64))?;
            p.comments.extend(c);
        }
        (14, wt) => p.default_sample_type = r.int(wt)?,
        (15, wt) => p.doc_url = r.int(wt)?,
        (1..=6 | 11, _) => return Err(err(r.base + r.pos, &format!("field {field} has wire type {wt}, expected a message"))),
        (_, wt) => r.skip(wt)?,
    }
    Ok(())
}

/// How far the top-level field at the start of some bytes has arrived.
#[derive(Debug, PartialEq, Eq)]
enum Field {
    /// All of it: its length (also for a field whose head is malformed: reading it reports
    /// the error).
    Whole(usize),
    /// Its head is in and says it is this long.
    Needs(usize),
    /// Not even its head is in.
    Unknown,
}

/// [`field_extent`] of the usual field: a one-byte key of a length-delimited field whose
/// length takes one or two bytes (every sample of a big profile), without the general loop.
#[inline(always)]
fn field_extent_fast(b: &[u8]) -> Option<Field> {
    let (&key, rest) = b.split_first()?;
    if key >= 0x80 || key & 7 != 2 {
        return None;
    }
    let (n, at) = match rest {
        [l, ..] if *l < 0x80 => (*l as usize, 2),
        [l0, l1, ..] if *l1 < 0x80 => ((*l0 & 0x7f) as usize | (*l1 as usize) << 7, 3),
        _ => return None,
    };
    let end = at + n;
    Some(if end <= b.len() { Field::Whole(end) } else { Field::Needs(end) })
}

#[inline(always)]
fn field_extent(b: &[u8]) -> Field {
    match field_extent_fast(b) {
        Some(f) => f,
        None => field_extent_slow(b),
    }
}

#[inline(never)]
fn field_extent_slow(b: &[u8]) -> Field {
    fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
        let mut v = 0u64;
        for i in 0..10 {
            let &byte = b.get(at + i)?;
            v |= ((byte & 0x7f) as u64).wrapping_shl(7 * i as u32);
            if byte < 0x80 {
                return Some((v, at + i + 1));
            }
        }
        Some((u64::MAX, at + 10))
    }
    let Some((key, at)) = varint(b, 0) else { return Field::Unknown };
    let end = match key & 7 {
        0 => match varint(b, at) {
            Some((_, end)) => end,
            None => return Field::Unknown,
        },
        1 => at + 8,
        2 => match varint(b, at) {
            Some((n, at)) => at.saturating_add(usize::try_from(n).unwrap_or(usize::MAX)),
            None => return Field::Unknown,
        },
        5 => at + 4,
        _ => return Field::Whole(at),
    };
    if end <= b.len() {
        Field::Whole(end)
    } else {
        Field::Needs(end)
    }
}

/// Length of the top-level field at the start of `b` if all its bytes are there.
fn whole_field(b: &[u8]) -> Option<usize> {
    match field_extent(b) {
        Field::Whole(n) => Some(n),
        _ => None,
    }
}

/// The same pass over a profile whose bytes arrive in pieces (from a streaming inflate):
/// each whole top-level field is read as soon as it is in, so only the unfinished tail of
/// the stream is held, and the string table is copied out.
pub struct StreamParser {
    p: RawProfile<'static>,
    /// Bytes not read yet: the start of a field whose end has not arrived.
    pending: Vec<u8>,
    /// Offset of `pending[0]` in the stream.
    base: usize,
    /// The string table: its bytes end to end, and where each string ends.
    text: Vec<u8>,
    text_ends: Vec<usize>,
    max_entries: usize,
    /// The stream's expected length (gzip's size field), if known and not yet used.
    size_hint: Option<usize>,
    /// Bytes of the samples read (whole `sample` fields).
    sample_bytes: usize,
}

/// Bytes read before the columns are sized from the size hint: enough to see how densely
/// samples fill the stream.
const SIZE_AFTER: usize = 4 << 20;

/// The key of a top-level `sample` field (field 2, length-delimited).
const SAMPLE_KEY: u8 = 2 << 3 | 2;

impl StreamParser {
    /// A parser for a new stream.
    pub fn new(max_entries: usize) -> StreamParser {
        StreamParser {
            p: empty_profile(),
            pending: Vec::new(),
            base: 0,
            text: Vec::new(),
            text_ends: Vec::new(),
            max_entries,
            size_hint: None,
            sample_bytes: 0,
        }
    }

    /// The stream is expected to be about `total` bytes long: once the first 4 MB are read,
    /// the flat columns are sized for the rest as if all of it were samples as dense as those
    /// so far (plus 4 %), instead of doubling as they fill (each doubling a copy, and a peak
    /// of old + new). Go writes most locations and functions early and the strings last, so
    /// the samples' share of the first bytes says little about the rest; their density does.
    /// A wrong hint costs only that: columns still grow if they must.
    pub fn size_hint(&mut self, total: usize) {
        self.size_hint = Some(total);
    }

    fn size_columns(&mut self) {
        let Some(total) = self.size_hint else { return };
        if self.base < SIZE_AFTER || self.p.num_samples() == 0 || self.sample_bytes == 0 {
            return;
        }
        self.size_hint = None;
        if total <= self.base {
            return;
        }
        let scale = (1.0 + (total - self.base) as f64 / self.sample_bytes as f64) * 1.04;
        let p = &mut self.p;
        // (No column has more entries than the stream has bytes.)
        let want = |len: usize| ((len as f64 * scale) as usize).min(total);
        let n = want(p.loc_off.len());
        p.locs.reserve_exact(want(p.locs.len()).saturating_sub(p.locs.len()));
        p.values.reserve_exact(want(p.values.len()).saturating_sub(p.values.len()));
        for off in [&mut p.loc_off, &mut p.val_off] {
            off.reserve_exact(n.saturating_sub(off.len()));
        }
        p.sample_set.reserve_exact(n.saturating_sub(p.sample_set.len() + 1));
    }

    /// Takes the next piece of the stream. Fields are read from the piece where it lies;
    /// only a field split between two pieces is put together (from just the bytes it needs),
    /// so the stream is not copied.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        let mut rest = bytes;
        if !self.pending.is_empty() {
            loop {
                let want = match field_extent(&self.pending) {
                    Field::Whole(_) => break,
                    Field::Needs(end) => end - self.pending.len(),
                    Field::Unknown => 1,
                };
                let take = want.min(rest.len());
                if take == 0 {
                    return Ok(());
                }
                self.pending.extend_from_slice(&rest[..take]);
                rest = &rest[take..];
            }
            let pending = std::mem::take(&mut self.pending);
            let used = self.read(&pending);
            self.pending = pending;
            let used = used?;
            // The field was put together to its exact end: all of it is read.
            debug_assert_eq!(used, self.pending.len());
            self.base += used;
            self.pending.clear();
        }
        let used = self.read(rest)?;
        self.base += used;
        self.pending.extend_from_slice(&rest[used..]);
        self.size_columns();
        Ok(())
    }

    /// Reads the whole fields at the start of `b` (which starts at `self.base`).
    fn read(&mut self, b: &[u8]) -> Result<usize, DecodeError> {
        let mut r = Reader::new(b, self.base);
        while let Some(len) = whole_field(&b[r.pos..]) {
            let end = r.pos + len;
            if b[r.pos] == SAMPLE_KEY {
                self.sample_bytes += len;
            }
            let mut f = Reader::new(&b[..end], self.base);
            f.pos = r.pos;
            if let Some(s) = top_field(&mut self.p, &mut f, self.max_entries)? {
                self.text.extend_from_slice(s);
                self.text_ends.push(self.text.len());
                limit("string table", self.text_ends.len(), self.max_entries)?;
            }
            r.pos = f.pos;
        }
        Ok(r.pos)
    }

    /// What has been read so far.
    pub fn raw(&self) -> &RawProfile<'static> {
        &self.p
    }

    /// The stream has ended: the profile read, and its string table (bytes, end offsets).
    /// A field cut off by the end of the stream is an error.
    pub fn finish(mut self) -> Result<(RawProfile<'static>, Vec<u8>, Vec<usize>), DecodeError> {
        if !self.pending.is_empty() {
            // Reading the cut-off field reports what is missing, at the right offset.
            let mut r = Reader::new(&self.pending, self.base);
            while !r.done() {
                top_field(&mut self.p, &mut r, self.max_entries)?;
            }
        }
        Ok((self.p, self.text, self.text_ends))
    }
}

/// The string table of a [`StreamParser`] as slices.
pub fn strings<'a>(text: &'a [u8], ends: &[usize]) -> Vec<&'a [u8]> {
    let mut start = 0;
    ends.iter()
        .map(|&e| {
            let s = &text[start..e];
            start = e;
            s
        })
        .collect()
}

/// The same flat form from prost's structs (the reference decoder), for cross-checks.
#[cfg(feature = "reference")]
pub fn from_prost(pb: &super::pb::Profile) -> RawProfile<'_> {
    let mut p = empty_profile();
    p.sample_type = pb.sample_type.iter().map(|t| (t.r#type, t.unit)).collect();
    for s in &pb.sample {
        for &l in &s.location_id {
            p.locs.push(l);
        }
        p.values.extend_from_slice(&s.value);
        p.scratch.extend(s.label.iter().map(|l| RawLabel { key: l.key, str: l.str, num: l.num, num_unit: l.num_unit }));
        p.loc_off.push(p.locs.len() as u32);
        p.val_off.push(p.values.len() as u32);
        p.end_sample_labels().expect("fewer than 4 billion label sets");
    }
    p.mappings = pb.mapping.iter().map(|m| (m.id, m.filename)).collect();
    p.mapping_build_ids = pb.mapping.iter().map(|m| m.build_id).collect();
    for l in &pb.location {
        p.locations.push(RawLocation { id: l.id, mapping_id: l.mapping_id, address: l.address });
        p.lines.extend(l.line.iter().map(|x| (x.function_id, x.line)));
        p.line_off.push(p.lines.len() as u32);
    }
    p.functions = pb.function.iter().map(|f| (f.id, f.name, f.filename)).collect();
    p.function_extra = pb.function.iter().map(|f| (f.system_name, f.start_line)).collect();
    p.strings = pb.string_table.iter().map(|s| s.as_slice()).collect();
    p.drop_frames = pb.drop_frames;
    p.keep_frames = pb.keep_frames;
    p.time_nanos = pb.time_nanos;
    p.duration_nanos = pb.duration_nanos;
    p.period_type = pb.period_type.as_ref().map(|t| (t.r#type, t.unit));
    p.period = pb.period;
    p.comments = pb.comment.clone();
    p.default_sample_type = pb.default_sample_type;
    p.doc_url = pb.doc_url;
    p
}

#[cfg(all(test, feature = "reference"))]
mod tests {
    use super::super::pb;
    use super::*;
    use prost::Message;

    /// A whole buffer through the stream parser, as one piece.
    fn parse(b: &[u8], max_entries: usize, _: impl Fn(f64) -> bool) -> Result<RawProfile<'static>, DecodeError> {
        let mut s = StreamParser::new(max_entries);
        s.push(b)?;
        Ok(s.finish()?.0)
    }

    /// One profile per stack: parsed, its location ids and their form.
    fn ids_of(stacks: &[Vec<u64>]) -> (Vec<u64>, &'static str) {
        let pb = pb::Profile {
            sample: stacks.iter().map(|s| pb::Sample { location_id: s.clone(), value: vec![1], ..Default::default() }).collect(),
            ..Default::default()
        };
        let bytes = pb.encode_to_vec();
        let p = parse(&bytes, usize::MAX, |_| true).unwrap();
        assert_eq!(p.locs, from_prost(&pb).locs, "the hand-written pass and prost agree");
        let form = match p.locs {
            LocIds::Short(_) => "short",
            LocIds::Narrow(_) => "narrow",
            LocIds::Wide(_) => "wide",
        };
        ((0..p.locs.len()).map(|i| p.locs.get(i)).collect(), form)
    }

    #[test]
    fn location_ids_widen_exactly_when_one_does_not_fit() {
        let run = |at: usize, id: u64| -> Vec<u64> { (0..200u64).map(|i| if i as usize == at { id } else { 1 + i * 300 }).collect() };
        for (stacks, form) in [
            (vec![run(usize::MAX, 0)], "short"),
            (vec![run(0, 65_535)], "short"),
            // In the middle of a block, at its start, in the last bytes of a run.
            (vec![run(100, 65_536)], "narrow"),
            (vec![run(64, 2_000_000)], "narrow"),
            (vec![run(199, 70_000)], "narrow"),
            // Four- and five-byte ids (past the block decoder's three).
            (vec![run(10, 300_000_000)], "narrow"),
            (vec![run(10, u32::MAX as u64)], "narrow"),
            (vec![run(10, u32::MAX as u64 + 1)], "wide"),
            (vec![run(150, u64::MAX)], "wide"),
            // A later sample widens what the earlier ones held.
            (vec![run(usize::MAX, 0), vec![5, 70_000, 6], run(usize::MAX, 0)], "narrow"),
            (vec![run(usize::MAX, 0), vec![5, 1 << 40], run(3, 80_000)], "wide"),
        ] {
            let want: Vec<u64> = stacks.concat();
            let (got, got_form) = ids_of(&stacks);
            assert_eq!(got, want);
            assert_eq!(got_form, form, "largest id {:?}", want.iter().max());
        }
    }

    #[test]
    fn unpacked_location_ids_widen_too() {
        // Field 2 (sample) holding field 1 (location_id) as single varints: 3, 70000, 4.
        let mut sample = Vec::new();
        for id in [3u64, 70_000, 4] {
            sample.push(0x08);
            prost::encoding::encode_varint(id, &mut sample);
        }
        let mut bytes = vec![0x12];
        prost::encoding::encode_varint(sample.len() as u64, &mut bytes);
        bytes.extend_from_slice(&sample);
        let p = parse(&bytes, usize::MAX, |_| true).unwrap();
        assert_eq!(p.locs, LocIds::Narrow(vec![3, 70_000, 4]));
        assert_eq!(p.loc_off, vec![0, 3]);
    }

    #[test]
    fn label_sets_are_kept_once_each_in_order_of_first_use() {
        let l = |key: i64, str: i64, num: i64| pb::Label { key, str, num, num_unit: 0 };
        let (a, b) = (l(1, 0, 64), l(2, 3, 0));
        let labels = [
            vec![a.clone()],
            vec![b.clone()],
            vec![a.clone()],
            vec![],
            vec![a.clone(), b.clone()],
            vec![b.clone()],
            vec![b.clone(), a.clone()],
        ];
        let pb = pb::Profile {
            sample: labels.iter().map(|ls| pb::Sample { location_id: vec![1], value: vec![1], label: ls.clone() }).collect(),
            ..Default::default()
        };
        let bytes = pb.encode_to_vec();
        let raw = |l: &pb::Label| RawLabel { key: l.key, str: l.str, num: l.num, num_unit: l.num_unit };
        for p in [parse(&bytes, usize::MAX, |_| true).unwrap(), from_prost(&pb)] {
            // (Order within a set matters: [a, b] and [b, a] are two sets, as in pprof.)
            assert_eq!(p.sample_set, vec![1, 2, 1, 0, 3, 2, 4]);
            assert_eq!(p.set_off.len(), 6, "the empty set and four others");
            for (si, ls) in labels.iter().enumerate() {
                let want: Vec<RawLabel> = ls.iter().map(raw).collect();
                assert_eq!(p.set(p.sample_set[si]), &want[..], "sample {si}");
            }
        }
    }
}
