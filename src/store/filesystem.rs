//! Which file system the database lies on, to warn when it is a network share. SQLite keeps its
//! WAL index in memory shared between the processes of one computer, and its locks on a network
//! file system are only as good as that system's: a ledger on a shared drive opened from two
//! offices' computers at once can be corrupted (sqlite.org, "WAL mode": all processes must be on
//! the same host). Several offices share one ledger through `fundpool serve` instead.

use std::path::Path;

/// File system types that are shares over a network (as Linux names them in /proc/mounts).
const NETWORK: &[&str] =
    &["nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "fuse.sshfs", "ceph", "glusterfs"];

/// The network file system `path` lies on, if it lies on one (Linux; elsewhere nothing is said).
pub fn network_share(path: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    let real = path.canonicalize().ok()?;
    let kind = file_system_of(&mounts, &real)?;
    NETWORK.contains(&kind).then(|| kind.to_string())
}

/// The type of the mount (in /proc/mounts text) that holds `path`: the one with the longest
/// mount point that is `path` or one of its ancestors (the last such line, as a later mount hides
/// an earlier one at the same point).
fn file_system_of<'a>(mounts: &'a str, path: &Path) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for line in mounts.lines() {
        let mut fields = line.split(' ');
        let (Some(_device), Some(point), Some(kind)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        // /proc/mounts writes a space in a mount point as \040 (and a tab, newline, backslash
        // likewise in octal).
        let point = unescape(point);
        if path.starts_with(&point) && best.is_none_or(|(length, _)| point.len() >= length) {
            best = Some((point.len(), kind));
        }
    }
    best.map(|(_, kind)| kind)
}

fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let octal = rest.get(at + 1..at + 4).and_then(|digits| u8::from_str_radix(digits, 8).ok());
        match octal {
            Some(byte) => {
                out.push(byte as char);
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "/dev/sda1 / ext4 rw,relatime 0 0\n\
        proc /proc proc rw 0 0\n\
        //fs01/财务 /mnt/finance cifs rw,vers=3.0 0 0\n\
        nas:/export /srv/ledger nfs4 rw 0 0\n\
        /dev/sdb1 /srv/ledger/local ext4 rw 0 0\n\
        //fs01/共享 /mnt/office\\040share cifs rw 0 0\n";

    #[test]
    fn finds_the_mount_that_holds_a_path() {
        assert_eq!(file_system_of(MOUNTS, Path::new("/home/kj/jm.db")), Some("ext4"));
        assert_eq!(file_system_of(MOUNTS, Path::new("/mnt/finance/jm.db")), Some("cifs"));
        assert_eq!(file_system_of(MOUNTS, Path::new("/srv/ledger/2023/jm.db")), Some("nfs4"));
        // A local disk mounted inside the share is local.
        assert_eq!(file_system_of(MOUNTS, Path::new("/srv/ledger/local/jm.db")), Some("ext4"));
        assert_eq!(file_system_of(MOUNTS, Path::new("/mnt/office share/jm.db")), Some("cifs"));
        // A name that only begins like a mount point is not under it.
        assert_eq!(file_system_of(MOUNTS, Path::new("/mnt/financial/jm.db")), Some("ext4"));
    }
}
