//! Archives of files: `.zip`, `.tar` and gzipped tar (`.tar.gz`, `.tgz`), told from their
//! bytes (never their names) and read with well-kept crates (`zip`, with deflate through
//! flate2's pure-Rust backend, and `tar`). Used by profile loading (an archive of snapshots
//! expands into its members, each loaded as a file of its own) and by the source view (a
//! `.zip` of a module).
//!
//! Members come in archive order, regular files only (directories, links and the metadata
//! files archivers add, `__MACOSX/…` and `._name`, are skipped). A member that cannot be read
//! (a corrupt entry, an unsupported compression method, too big) is returned with its error,
//! so the caller can name it and go on with the others; an archive whose index cannot be read
//! at all is an error as a whole.

use super::error::NoProgress;
use super::gzip::{gunzip, is_gzip};
use std::io::Read;

/// An archive format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    /// A zip archive.
    Zip,
    /// A POSIX (ustar) or GNU tar archive.
    Tar,
    /// A gzip stream holding a tar archive.
    TarGz,
}

impl ArchiveKind {
    /// How people call it.
    pub fn name(self) -> &'static str {
        match self {
            ArchiveKind::Zip => "zip archive",
            ArchiveKind::Tar => "tar archive",
            ArchiveKind::TarGz => "gzipped tar archive",
        }
    }
}

/// Bytes of a file [`sniff`] needs at most (a tar header; a gzip stream's first 512 inflated
/// bytes come from fewer compressed ones, but a slow deflate may need more: give it the file).
pub const SNIFF_BYTES: usize = 64 << 10;

/// Is `b` a tar header block (a `ustar` magic at offset 257, or a valid header checksum)?
fn is_tar(b: &[u8]) -> bool {
    if b.len() < 512 {
        return false;
    }
    if &b[257..262] == b"ustar" {
        return true;
    }
    // Old (v7) tar: no magic; the checksum field (octal, at 148) is the sum of the header's
    // bytes with the field itself taken as spaces.
    let field = &b[148..156];
    let digits: Vec<u8> = field.iter().copied().skip_while(|&c| c == b' ').take_while(|c| (b'0'..=b'7').contains(c)).collect();
    if digits.is_empty() || b[0] == 0 {
        return false;
    }
    let want = digits.iter().fold(0u32, |a, &d| a * 8 + (d - b'0') as u32);
    let sum: u32 = b[..512].iter().enumerate().map(|(i, &c)| if (148..156).contains(&i) { b' ' as u32 } else { c as u32 }).sum();
    sum == want
}

/// The archive format of a file from its first bytes (up to [`SNIFF_BYTES`]), or `None`.
/// A gzip stream is an archive when the first 512 bytes it inflates to are a tar header (a
/// gzipped profile is not).
pub fn sniff(head: &[u8]) -> Option<ArchiveKind> {
    if head.len() >= 4 && &head[..2] == b"PK" && matches!((head[2], head[3]), (3, 4) | (5, 6) | (7, 8)) {
        return Some(ArchiveKind::Zip);
    }
    if is_tar(head) {
        return Some(ArchiveKind::Tar);
    }
    if is_gzip(head) {
        let mut block = Vec::with_capacity(512);
        let _ = flate2::read::GzDecoder::new(head).take(512).read_to_end(&mut block);
        if is_tar(&block) {
            return Some(ArchiveKind::TarGz);
        }
    }
    None
}

/// One file of an archive.
#[derive(Debug)]
pub struct Member {
    /// Its path inside the archive (`/`-separated).
    pub name: String,
    /// Its bytes, or why they could not be read.
    pub data: Result<Vec<u8>, String>,
}

/// Is this member a file people put there (not an archiver's metadata)?
fn wanted(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    !(name.starts_with("__MACOSX/") || base.starts_with("._") || base == ".DS_Store" || base.is_empty())
}

/// Reads the regular files of an archive of kind `kind` for which `keep(name)` holds, each at
/// most `cap` bytes (a bigger one is returned with an error). Errors: the archive's own
/// structure could not be read.
pub fn read(bytes: &[u8], kind: ArchiveKind, cap: usize, keep: &dyn Fn(&str) -> bool) -> Result<Vec<Member>, String> {
    match kind {
        ArchiveKind::Zip => read_zip(bytes, cap, keep),
        ArchiveKind::Tar => read_tar(bytes, cap, keep),
        ArchiveKind::TarGz => {
            let tar =
                gunzip(bytes, cap.saturating_mul(4).max(cap), &mut NoProgress).map_err(|e| format!("the gzip stream is broken: {e}"))?;
            read_tar(&tar, cap, keep)
        }
    }
}

fn read_zip(bytes: &[u8], cap: usize, keep: &dyn Fn(&str) -> bool) -> Result<Vec<Member>, String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("the zip index cannot be read: {e}"))?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let index_name = z.name_for_index(i).and_then(Result::ok).map(|n| n.into_owned());
        let mut f = match z.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                let name = index_name.unwrap_or_else(|| format!("entry {}", i + 1));
                if wanted(&name) && keep(&name) {
                    out.push(Member { name, data: Err(e.to_string()) });
                }
                continue;
            }
        };
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        if !f.is_file() || !wanted(&name) || !keep(&name) {
            continue;
        }
        let data = if f.size() as usize > cap {
            Err(format!("it is {} bytes, more than the {} a file may have", f.size(), cap))
        } else {
            let mut v = Vec::with_capacity(f.size() as usize);
            match f.by_ref().take(cap as u64 + 1).read_to_end(&mut v) {
                Ok(_) if v.len() > cap => Err(format!("it inflates to more than the {cap} bytes a file may have")),
                Ok(_) => Ok(v),
                Err(e) => Err(format!("it cannot be read: {e}")),
            }
        };
        out.push(Member { name, data });
    }
    Ok(out)
}

fn read_tar(bytes: &[u8], cap: usize, keep: &dyn Fn(&str) -> bool) -> Result<Vec<Member>, String> {
    let mut a = tar::Archive::new(bytes);
    let entries = a.entries().map_err(|e| format!("the tar archive cannot be read: {e}"))?;
    let mut out = Vec::new();
    for (i, e) in entries.enumerate() {
        let mut e = match e {
            Ok(e) => e,
            Err(err) => {
                // The stream of headers is broken: what came before stays, the rest is lost.
                if out.is_empty() && i == 0 {
                    return Err(format!("the tar archive cannot be read: {err}"));
                }
                out.push(Member { name: format!("entry {}", i + 1), data: Err(format!("the archive breaks off here: {err}")) });
                break;
            }
        };
        if !e.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&e.path_bytes()).trim_start_matches("./").to_string();
        if !wanted(&name) || !keep(&name) {
            continue;
        }
        let size = e.size() as usize;
        let data = if size > cap {
            Err(format!("it is {size} bytes, more than the {cap} a file may have"))
        } else {
            let mut v = Vec::with_capacity(size);
            match e.read_to_end(&mut v) {
                Ok(_) => Ok(v),
                Err(err) => Err(format!("it cannot be read: {err}")),
            }
        };
        out.push(Member { name, data });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        w.add_directory("snaps/", opts).unwrap();
        for (name, data) in files {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    const FILES: &[(&str, &[u8])] =
        &[("snaps/01.heap.pb.gz", b"first"), ("snaps/02.heap.pb.gz", b"second second"), ("__MACOSX/snaps/._01.heap.pb.gz", b"junk")];

    fn names_and_data(m: &[Member]) -> Vec<(String, Vec<u8>)> {
        m.iter().map(|m| (m.name.clone(), m.data.clone().unwrap())).collect()
    }

    fn expected() -> Vec<(String, Vec<u8>)> {
        FILES[..2].iter().map(|(n, d)| (n.to_string(), d.to_vec())).collect()
    }

    #[test]
    fn zip_tar_and_tar_gz_are_sniffed_from_bytes_and_read_whole() {
        for (bytes, kind) in [
            (zip_of(FILES, zip::CompressionMethod::Deflated), ArchiveKind::Zip),
            (zip_of(FILES, zip::CompressionMethod::Stored), ArchiveKind::Zip),
            (tar_of(FILES), ArchiveKind::Tar),
            (gz(&tar_of(FILES)), ArchiveKind::TarGz),
        ] {
            assert_eq!(sniff(&bytes), Some(kind));
            let got = read(&bytes, kind, 1 << 20, &|_| true).unwrap();
            assert_eq!(names_and_data(&got), expected(), "{kind:?}");
        }
    }

    #[test]
    fn profiles_and_other_files_are_not_archives() {
        let heap = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/example/heap.pb.gz")).unwrap();
        assert_eq!(sniff(&heap), None, "a gzipped profile");
        assert_eq!(sniff(&gz(b"goroutine profile: total 1\n")), None);
        assert_eq!(sniff(b"PK"), None);
        assert_eq!(sniff(&[0u8; 1024]), None, "zeros are no tar header");
    }

    #[test]
    fn a_corrupt_member_is_named_and_the_others_are_read() {
        let mut z = zip_of(FILES, zip::CompressionMethod::Deflated);
        // Corrupt the first member's compressed data (after its local header and name).
        let at = z.windows(19).position(|w| w == b"snaps/01.heap.pb.gz").unwrap() + 19;
        for b in &mut z[at..at + 4] {
            *b ^= 0x5a;
        }
        let got = read(&z, ArchiveKind::Zip, 1 << 20, &|_| true).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "snaps/01.heap.pb.gz");
        assert!(got[0].data.is_err(), "{:?}", got[0].data);
        assert_eq!(got[1].data.as_deref().unwrap(), b"second second");
    }

    #[test]
    fn members_over_the_cap_and_filtered_names() {
        let t = tar_of(FILES);
        let got = read(&t, ArchiveKind::Tar, 8, &|_| true).unwrap();
        assert!(got[0].data.is_ok() && got[1].data.is_err());
        let got = read(&t, ArchiveKind::Tar, 1 << 20, &|n| n.ends_with("02.heap.pb.gz")).unwrap();
        assert_eq!(got.len(), 1);
        assert!(read(b"PK\x03\x04garbage", ArchiveKind::Zip, 1 << 20, &|_| true).is_err());
    }
}
