//! Files in and out: the fingerprint of an imported file (so the same file twice is a no-op that
//! names the earlier batch), and outputs that never destroy — not the database, not its -wal or
//! -shm, not any existing file unless forced — written to a temporary name, made private (0600)
//! and renamed into place.

use super::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// An input file's identity: SHA-256 of its bytes, its name and size.
#[derive(Debug, Clone)]
pub struct FileFingerprint {
    pub sha256: String,
    pub name: String,
    pub size: u64,
}

/// Reads a file once to fingerprint it (streamed: memory stays bounded). Every imported file is
/// fingerprinted first, so this is where a device or a pipe given as a file is refused (/dev/zero
/// never ends).
pub fn fingerprint(path: &Path) -> Result<FileFingerprint> {
    let (mut file, _) = crate::import::tabular::open_input(path, "").map_err(Error::refused)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(|e| Error::refused(format!("无法读取 {}：{e}", path.display())))?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(FileFingerprint { sha256: hex::encode(hasher.finalize()), name, size })
}

/// The largest text file fundpool reads whole (voucher and event files, rules, anchors, a city's
/// settings): far beyond any of them, and short of what would exhaust a desk's memory.
pub const TEXT_FILE_LIMIT: u64 = 64 << 20;

/// Reads a text file given by the user: a regular file of at most `TEXT_FILE_LIMIT` bytes in
/// UTF-8, or a refusal that says which of these it is not. `what` names the file in messages
/// (e.g. 锚点文件). Without the checks a wrong path — a device such as /dev/zero, a pipe, a
/// multi-gigabyte file — read until memory ran out, and a file saved in GBK was refused in
/// English ("stream did not contain valid UTF-8").
pub fn read_text(path: &Path, what: &str) -> Result<String> {
    let shown = path.display();
    let (file, metadata) = crate::import::tabular::open_input(path, what).map_err(Error::refused)?;
    let cannot = |e: std::io::Error| Error::refused(format!("无法读取{what} {shown}：{e}"));
    if metadata.len() > TEXT_FILE_LIMIT {
        return Err(Error::refused(format!(
            "{what} {shown} 有 {} MB，超过 {} MB：是不是选错了文件？",
            metadata.len() >> 20,
            TEXT_FILE_LIMIT >> 20
        )));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // A file still growing stops at the limit too.
    file.take(TEXT_FILE_LIMIT + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > TEXT_FILE_LIMIT {
        return Err(Error::refused(format!("{what} {shown} 超过 {} MB：是不是选错了文件？", TEXT_FILE_LIMIT >> 20)));
    }
    String::from_utf8(bytes)
        .map_err(|_| Error::refused(format!("{what} {shown} 不是 UTF-8 文本：请用记事本等“另存为”UTF-8 编码")))
}

/// The identity of a file received as bytes (an upload).
pub fn fingerprint_bytes(name: &str, bytes: &[u8]) -> FileFingerprint {
    FileFingerprint { sha256: hex::encode(Sha256::digest(bytes)), name: name.to_string(), size: bytes.len() as u64 }
}

/// The same path after resolving what can be resolved (the file may not exist yet).
fn resolved(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            parent.canonicalize().map(|p| p.join(name)).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Refuses an output path that is the database or one of its companion files, or an existing
/// file without `force`.
pub fn check_output(db: &Path, target: &Path, force: bool) -> Result<()> {
    let target_real = resolved(target);
    let db_real = resolved(db);
    for suffix in ["", "-wal", "-shm", "-journal", ".writer"] {
        let mut name = db_real.as_os_str().to_owned();
        name.push(suffix);
        if target_real.as_os_str() == name {
            return Err(Error::refused(format!(
                "不能把输出写到 {}：那是账套数据库{}，覆盖它会毁掉账簿",
                target.display(),
                if suffix.is_empty() { "本身".to_string() } else { format!("的 {suffix} 文件") }
            )));
        }
    }
    if target.is_dir() {
        return Err(Error::refused(format!("{} 是一个目录，请给出文件名", target.display())));
    }
    if target.exists() && !force {
        return Err(Error::refused(format!("{} 已存在：不会覆盖；换一个文件名，或加 --force 覆盖", target.display())));
    }
    Ok(())
}

/// Writes `bytes` to `target` safely: checked as above, written to a temporary file beside it
/// (0600), flushed to disk and renamed into place, so a crash never leaves half a file.
pub fn write_output(db: &Path, target: &Path, bytes: &[u8], force: bool) -> Result<()> {
    use std::io::Write;
    write_output_with(db, target, force, |file| file.write_all(bytes))
}

/// As `write_output`, with `write` filling the file (a report written as it is read).
pub fn write_output_with(
    db: &Path,
    target: &Path,
    force: bool,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    check_output(db, target, force)?;
    let temporary = temporary_beside(target);
    let write = || -> std::io::Result<()> {
        let mut file = crate::store::create_private_new(&temporary)?;
        write(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&temporary, target)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Error::refused(format!("无法写入 {}：{e}", target.display()))
    })
}

/// A temporary name in the target's folder (a rename within one folder is atomic).
pub fn temporary_beside(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_never_replace_the_database_or_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("fp.db");
        std::fs::write(&db, b"db").unwrap();
        for target in ["fp.db", "fp.db-wal", "fp.db-shm"] {
            let error = write_output(&db, &dir.path().join(target), b"x", true).unwrap_err();
            assert!(error.message.contains("账套数据库"), "{target}: {}", error.message);
        }
        assert_eq!(std::fs::read(&db).unwrap(), b"db");
        let existing = dir.path().join("report.csv");
        std::fs::write(&existing, b"old").unwrap();
        assert!(write_output(&db, &existing, b"new", false).unwrap_err().message.contains("--force"));
        assert_eq!(std::fs::read(&existing).unwrap(), b"old");
        write_output(&db, &existing, b"new", true).unwrap();
        assert_eq!(std::fs::read(&existing).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let fresh = dir.path().join("fresh.csv");
            write_output(&db, &fresh, b"1", false).unwrap();
            assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn an_output_whose_writing_fails_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("fp.db");
        let existing = dir.path().join("序时账.xlsx");
        std::fs::write(&existing, b"old").unwrap();
        for target in [dir.path().join("new.xlsx"), existing.clone()] {
            let error = write_output_with(&db, &target, true, |file| {
                use std::io::Write;
                file.write_all(b"half a workbook")?;
                Err(std::io::Error::other("disk full"))
            })
            .unwrap_err();
            assert!(error.message.contains("disk full"), "{}", error.message);
        }
        assert!(!dir.path().join("new.xlsx").exists());
        assert_eq!(std::fs::read(&existing).unwrap(), b"old");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("序时账.xlsx")], "no temporary file is left");
    }
}
