//! Atomic file writes: a crash, a kill or a full disk during a write leaves the previous
//! file whole, never a truncated mix.
//!
//! [`write_atomic`] writes a whole buffer; [`AtomicFile`] is the same as a [`Write`]r for
//! output produced in pieces (exports that stream rows). Both write a temporary file in the
//! target's directory, `fsync` it, rename it over the target and, on unix, `fsync` the
//! directory so the rename itself survives a power loss. On an error the temporary file is
//! removed and the target is untouched. Every whole-file output of Cognate goes through
//! here: saved program state, evaluation exports.
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("cognate-fs-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("state.json");
//! cognate_runtime::fs::write_atomic(&path, b"{\"v\": 1}\n")?;
//!
//! use std::io::Write;
//! let mut file = cognate_runtime::fs::AtomicFile::create(&path)?;
//! file.write_all(b"{\"v\": 2}\n")?;
//! // Until `commit`, readers still see version 1.
//! assert_eq!(std::fs::read(&path)?, b"{\"v\": 1}\n");
//! file.commit()?;
//! assert_eq!(std::fs::read(&path)?, b"{\"v\": 2}\n");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! A process killed between creating and committing leaves its temporary file behind (named
//! `.<file name>.<pid>.<n>.tmp`, next to the target); nothing removes such leftovers.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Replaces the file at `path` with `bytes`, atomically: afterwards `path` holds either its
/// old content or all of `bytes`, whatever happens to the process or the machine meanwhile.
///
/// A new file gets the default permissions; an existing file's permissions are kept. When
/// `path` is a symbolic link, the file it points to is replaced (the link stays).
///
/// # Errors
/// Any IO error creating, writing, syncing or renaming the temporary file; the temporary file
/// is then removed and `path` is unchanged.
pub fn write_atomic(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes.as_ref())?;
    file.commit()
}

/// A file being written atomically: writes go to a temporary file next to the target, and
/// [`commit`](Self::commit) renames it over the target. Dropped without a commit (after an
/// error, or on purpose), it removes the temporary file and leaves the target as it was.
///
/// Writes are not buffered: wrap it in a [`BufWriter`](std::io::BufWriter) (and flush that
/// before committing) when writing many small pieces.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    /// `None` once committed.
    file: Option<File>,
}

/// Distinguishes temporary files of concurrent writers within one process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

impl AtomicFile {
    /// Starts replacing the file at `path`: creates the temporary file in its directory.
    ///
    /// # Errors
    /// When `path` has no file name or the temporary file cannot be created (for example,
    /// the directory does not exist or is not writable).
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        let target = resolve_link(path.as_ref());
        let Some(name) = target.file_name() else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"));
        };
        let dir = parent(&target);
        let permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
        let mut attempts = 0;
        let (temp, file) = loop {
            let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
            let mut temp_name = std::ffi::OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(".{}.{n}.tmp", std::process::id()));
            let temp = dir.join(temp_name);
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => break (temp, file),
                // A leftover of a killed process that had the same id: try the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 16 => attempts += 1,
                Err(e) => return Err(e),
            }
        };
        let atomic = AtomicFile { target, temp, file: Some(file) };
        if let (Some(permissions), Some(file)) = (permissions, &atomic.file) {
            // On error `atomic` is dropped, which removes the temporary file.
            file.set_permissions(permissions)?;
        }
        Ok(atomic)
    }

    /// The file that [`commit`](Self::commit) replaces.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Syncs the written bytes to disk and renames the temporary file over the target, then
    /// (on unix) syncs the directory.
    ///
    /// # Errors
    /// Any IO error syncing or renaming; the temporary file is then removed and the target is
    /// unchanged. An error syncing the directory after the rename is reported too, though the
    /// target then already holds the new content.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(mut file) = self.file.take() else { return Ok(()) };
        let written = file.flush().and_then(|()| file.sync_all());
        drop(file);
        if let Err(e) = written.and_then(|()| std::fs::rename(&self.temp, &self.target)) {
            let _ = std::fs::remove_file(&self.temp);
            return Err(e);
        }
        sync_dir(parent(&self.target))
    }

    fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("the file is only taken by `commit`, which consumes self")
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file().flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// The directory holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The file a symbolic link points to (so the link survives the rename), else `path` itself.
fn resolve_link(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Directories cannot be opened as files elsewhere; the rename is as durable as the OS makes it.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cognate-fs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_content_and_leaves_no_temporary_file() {
        let dir = temp_dir("replace");
        let path = dir.join("out.json");
        write_atomic(&path, "old").unwrap();
        write_atomic(&path, "new content").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new content");
        assert_eq!(entries(&dir), ["out.json"]);
    }

    #[test]
    fn an_uncommitted_file_changes_nothing_and_is_removed() {
        let dir = temp_dir("drop");
        let path = dir.join("out.json");
        write_atomic(&path, "old").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"half").unwrap();
        assert_eq!(entries(&dir).len(), 2, "the temporary file is next to the target");
        drop(file);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(entries(&dir), ["out.json"]);
    }

    #[test]
    fn a_failed_rename_removes_the_temporary_file() {
        let dir = temp_dir("rename");
        let target = dir.join("taken");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("inside"), "x").unwrap();
        let err = write_atomic(&target, "data").unwrap_err();
        assert_ne!(err.kind(), io::ErrorKind::NotFound, "{err}");
        assert_eq!(entries(&dir), ["taken"]);
        assert_eq!(entries(&target), ["inside"]);
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let dir = temp_dir("missing");
        let err = write_atomic(dir.join("no/such/dir/out.json"), "data").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(entries(&dir).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_and_writes_through_symbolic_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("link");
        let real = dir.join("real.json");
        write_atomic(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, "new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
