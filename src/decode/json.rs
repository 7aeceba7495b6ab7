//! A small JSON reader without recursion: values go to an arena, nesting is tracked on a heap
//! stack. For the formats whose JSON nests as deep as their call stacks (a Chrome
//! `.heapprofile` is one object per frame, children inside parents), which a recursive
//! parser would read on the machine stack (a browser worker has about 1 MiB of it).

use super::error::DecodeError;

/// A parsed value; containers hold indices into [`Doc::values`].
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<u32>),
    Obj(Vec<(String, u32)>),
}

/// A parsed document: the root is the last value.
#[derive(Debug)]
pub(super) struct Doc {
    pub values: Vec<Value>,
}

impl Doc {
    pub fn root(&self) -> u32 {
        self.values.len() as u32 - 1
    }
    pub fn get(&self, v: u32) -> &Value {
        &self.values[v as usize]
    }
    /// The member `key` of object `v`.
    pub fn field(&self, v: u32, key: &str) -> Option<u32> {
        match self.get(v) {
            Value::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| *v),
            _ => None,
        }
    }
    pub fn str(&self, v: Option<u32>) -> Option<&str> {
        match self.get(v?) {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn num(&self, v: Option<u32>) -> Option<f64> {
        match self.get(v?) {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }
    pub fn arr(&self, v: Option<u32>) -> Option<&[u32]> {
        match self.get(v?) {
            Value::Arr(a) => Some(a),
            _ => None,
        }
    }
}

fn err(at: usize, what: &str) -> DecodeError {
    DecodeError::Malformed(format!("invalid JSON at byte {at}: {what}"))
}

/// An open container while parsing.
enum Open {
    Arr(Vec<u32>),
    Obj(Vec<(String, u32)>, Option<String>),
}

/// Parses `b` as one JSON value (no recursion). `max_depth` bounds nesting, `max_values`
/// the number of values.
pub(super) fn parse(b: &[u8], max_depth: usize, max_values: usize) -> Result<Doc, DecodeError> {
    let mut values: Vec<Value> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut i = 0;
    skip_ws(b, &mut i);
    if b.get(i..i + 3) == Some("\u{feff}".as_bytes()) {
        i += 3;
    }
    loop {
        skip_ws(b, &mut i);
        // Expecting a value (or the end of an empty container).
        let Some(&c) = b.get(i) else { return Err(err(i, "the file ends inside a value")) };
        let value = match c {
            b'{' | b'[' => {
                i += 1;
                if open.len() >= max_depth {
                    return Err(DecodeError::Limit { what: "JSON nesting depth".into(), limit: max_depth });
                }
                open.push(if c == b'{' { Open::Obj(Vec::new(), None) } else { Open::Arr(Vec::new()) });
                skip_ws(b, &mut i);
                if c == b'{' {
                    if b.get(i) == Some(&b'}') {
                        i += 1;
                        open.pop();
                        Value::Obj(Vec::new())
                    } else {
                        let key = key(b, &mut i)?;
                        if let Some(Open::Obj(_, k)) = open.last_mut() {
                            *k = Some(key);
                        }
                        continue;
                    }
                } else if b.get(i) == Some(&b']') {
                    i += 1;
                    open.pop();
                    Value::Arr(Vec::new())
                } else {
                    continue;
                }
            }
            b'"' => Value::Str(string(b, &mut i)?),
            b't' if b[i..].starts_with(b"true") => {
                i += 4;
                Value::Bool(true)
            }
            b'f' if b[i..].starts_with(b"false") => {
                i += 5;
                Value::Bool(false)
            }
            b'n' if b[i..].starts_with(b"null") => {
                i += 4;
                Value::Null
            }
            b'-' | b'0'..=b'9' => Value::Num(number(b, &mut i)?),
            _ => return Err(err(i, "expected a value")),
        };
        // Store the value, then close every container that ends here.
        let mut value = value;
        loop {
            if values.len() >= max_values {
                return Err(DecodeError::Limit { what: "JSON values".into(), limit: max_values });
            }
            values.push(value);
            let id = values.len() as u32 - 1;
            let Some(top) = open.last_mut() else {
                skip_ws(b, &mut i);
                if i != b.len() {
                    return Err(err(i, "text after the JSON value"));
                }
                return Ok(Doc { values });
            };
            match top {
                Open::Arr(items) => items.push(id),
                Open::Obj(members, k) => members.push((k.take().unwrap_or_default(), id)),
            }
            skip_ws(b, &mut i);
            let is_obj = matches!(top, Open::Obj(..));
            match (b.get(i), is_obj) {
                (Some(b','), _) => {
                    i += 1;
                    if is_obj {
                        skip_ws(b, &mut i);
                        let k = key(b, &mut i)?;
                        if let Some(Open::Obj(_, slot)) = open.last_mut() {
                            *slot = Some(k);
                        }
                    }
                    break;
                }
                (Some(b']'), false) | (Some(b'}'), true) => {
                    i += 1;
                    value = match open.pop() {
                        Some(Open::Arr(items)) => Value::Arr(items),
                        Some(Open::Obj(members, _)) => Value::Obj(members),
                        None => unreachable!("a container is open"),
                    };
                }
                (None, _) => return Err(err(i, "the file ends inside an array or object")),
                _ => return Err(err(i, "expected ',' or the end of the array or object")),
            }
        }
    }
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while matches!(b.get(*i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        *i += 1;
    }
}

/// `"key" :`
fn key(b: &[u8], i: &mut usize) -> Result<String, DecodeError> {
    if b.get(*i) != Some(&b'"') {
        return Err(err(*i, "expected a key"));
    }
    let k = string(b, i)?;
    skip_ws(b, i);
    if b.get(*i) != Some(&b':') {
        return Err(err(*i, "expected ':'"));
    }
    *i += 1;
    Ok(k)
}

fn string(b: &[u8], i: &mut usize) -> Result<String, DecodeError> {
    let start = *i;
    *i += 1;
    let mut out = Vec::new();
    loop {
        let Some(&c) = b.get(*i) else { return Err(err(start, "unterminated string")) };
        *i += 1;
        match c {
            b'"' => return Ok(String::from_utf8_lossy(&out).into_owned()),
            b'\\' => {
                let Some(&e) = b.get(*i) else { return Err(err(start, "unterminated string")) };
                *i += 1;
                match e {
                    b'"' | b'\\' | b'/' => out.push(e),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'u' => {
                        let mut cp = hex4(b, i)?;
                        if (0xd800..0xdc00).contains(&cp) && b.get(*i..*i + 2) == Some(b"\\u") {
                            *i += 2;
                            let lo = hex4(b, i)?;
                            if (0xdc00..0xe000).contains(&lo) {
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                            }
                        }
                        let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                        out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                    _ => return Err(err(*i - 1, "bad escape in a string")),
                }
            }
            _ => out.push(c),
        }
    }
}

fn hex4(b: &[u8], i: &mut usize) -> Result<u32, DecodeError> {
    let h = b.get(*i..*i + 4).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u32::from_str_radix(h, 16).ok());
    *i += 4;
    h.ok_or_else(|| err(*i - 4, "bad \\u escape"))
}

fn number(b: &[u8], i: &mut usize) -> Result<f64, DecodeError> {
    let start = *i;
    while matches!(b.get(*i), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
        *i += 1;
    }
    std::str::from_utf8(&b[start..*i]).ok().and_then(|s| s.parse::<f64>().ok()).ok_or_else(|| err(start, "bad number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_and_deep_nesting() {
        let d = parse(br#" {"a": [1, -2.5e1, "x\u00e9\n", true, null, {}], "b": {"c": []}} "#, 64, 100).unwrap();
        let r = d.root();
        let a = d.arr(d.field(r, "a")).unwrap();
        assert_eq!(d.num(Some(a[1])), Some(-25.0));
        assert_eq!(d.str(Some(a[2])), Some("xé\n"));
        assert_eq!(d.get(a[3]), &Value::Bool(true));
        assert_eq!(d.arr(d.field(d.field(r, "b").unwrap(), "c")), Some(&[][..]));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(deep.as_bytes(), 200_000, 1 << 20).is_ok());
        assert_eq!(parse(deep.as_bytes(), 1000, 1 << 20).unwrap_err().kind(), "Limit");
        for bad in [&b"{"[..], b"[1,]", b"{\"a\" 1}", b"[1] x", b"\"abc", b"[01x]"] {
            assert!(parse(bad, 10, 100).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
