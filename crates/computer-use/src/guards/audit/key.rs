//! The audit log's per-install HMAC key: typed text, clipboard text and file contents are logged as an
//! HMAC-SHA256 prefix under this key, not a plain SHA-256 that a dictionary reverses for short passwords.
//!
//! Where it lives, and why: `audit.keyFile`, by default `~/.config/computer-use/audit-key` (under
//! `$XDG_CONFIG_HOME` when set) — **not** next to the audit file. Logs travel (log shippers, backups, support
//! bundles); a key beside them would travel with them and make the hashes reversible again. On the host the
//! operator can still check a guess (HMAC the candidate text with the key). The key is 32 random bytes from the
//! OS (`getrandom`), written hex-encoded to a new file created mode 0600 in a directory created mode 0700, and
//! read back by every later process of that user.

use std::fs::OpenOptions;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// Bytes of key.
const KEY_BYTES: usize = 32;

/// The default key file: `$XDG_CONFIG_HOME/computer-use/audit-key`, else `$HOME/.config/computer-use/audit-key`.
pub fn default_key_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("computer-use").join("audit-key"))
}

/// A loaded key.
#[derive(Clone)]
pub(crate) struct AuditKey([u8; KEY_BYTES]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

impl AuditKey {
    /// Reads the key at `path`, creating it (and its directory) first if there is none.
    pub(crate) fn load_or_create(path: &Path) -> io::Result<AuditKey> {
        match read(path) {
            Ok(key) => return Ok(key),
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            Err(_) => {}
        }
        if let Some(dir) = path.parent() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt as _;
                builder.mode(0o700);
            }
            builder.create(dir)?;
        }
        let mut bytes = [0u8; KEY_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|e| io::Error::other(format!("no randomness from the OS: {e}")))?;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut file) => {
                file.write_all(hex(&bytes).as_bytes())?;
                Ok(AuditKey(bytes))
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read(path),
            Err(e) => Err(e),
        }
    }

    /// The first 8 bytes of HMAC-SHA256(key, text), hex.
    pub(crate) fn tag(&self, text: &str) -> String {
        match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(mut mac) => {
                mac.update(text.as_bytes());
                hex(&mac.finalize().into_bytes()[..8])
            }
            Err(_) => String::new(),
        }
    }
}

fn read(path: &Path) -> io::Result<AuditKey> {
    let mut text = String::new();
    std::fs::File::open(path)?.read_to_string(&mut text)?;
    let text = text.trim();
    let mut bytes = [0u8; KEY_BYTES];
    if text.len() != KEY_BYTES * 2 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is not an audit key ({} hex digits expected)",
                path.display(),
                KEY_BYTES * 2
            ),
        ));
    }
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not an audit key (not hex)", path.display()),
            )
        })?;
    }
    Ok(AuditKey(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("cu-audit-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("sub").join("audit-key");
        let a = AuditKey::load_or_create(&path).map_err(|e| e.to_string());
        let b = AuditKey::load_or_create(&path).map_err(|e| e.to_string());
        let (Ok(a), Ok(b)) = (a, b) else {
            panic!("key not created");
        };
        assert_eq!(a.tag("hunter2"), b.tag("hunter2"));
        assert_eq!(a.tag("hunter2").len(), 16);
        assert_ne!(a.tag("hunter2"), a.tag("hunter3"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
