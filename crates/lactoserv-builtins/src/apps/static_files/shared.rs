//! The open descriptors of large files, shared by every response that
//! streams the same version of a file: however many clients ask for one
//! large file at once (or leave its streams hanging), the server holds it
//! open once.

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::SystemTime;

/// A version of a file: the same inode, size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Version {
    device: u64,
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

impl Version {
    /// The version `meta` describes.
    pub(crate) fn of(meta: &Metadata) -> Self {
        Self {
            device: meta.dev(),
            inode: meta.ino(),
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// Entries kept before the ones whose file nobody holds are dropped.
const PRUNE_AT: usize = 256;

/// Open large files by path, for as long as some response holds them.
#[derive(Debug, Default)]
pub(crate) struct SharedFiles(Mutex<HashMap<PathBuf, (Version, Weak<File>)>>);

impl SharedFiles {
    /// The open file at `path` if some response holds it open at
    /// `version`.
    pub(crate) fn get(&self, path: &Path, version: Version) -> Option<Arc<File>> {
        let files = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (held, file) = files.get(path)?;
        (*held == version).then(|| file.upgrade()).flatten()
    }

    /// Shares `file`, open at `version`, from now on.
    pub(crate) fn put(&self, path: &Path, version: Version, file: &Arc<File>) {
        let mut files = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if files.len() >= PRUNE_AT {
            files.retain(|_, (_, file)| file.strong_count() > 0);
        }
        files.insert(path.to_owned(), (version, Arc::downgrade(file)));
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_file_is_shared_while_held_and_only_at_its_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        std::fs::write(&path, b"one").unwrap();
        let shared = SharedFiles::default();
        let file = Arc::new(File::open(&path).unwrap());
        let version = Version::of(&file.metadata().unwrap());
        shared.put(&path, version, &file);
        let again = shared.get(&path, version).expect("held, so shared");
        assert!(Arc::ptr_eq(&file, &again));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b" two")
            .unwrap();
        let changed = Version::of(&std::fs::metadata(&path).unwrap());
        assert!(shared.get(&path, changed).is_none(), "another version");
        drop((file, again));
        assert!(shared.get(&path, version).is_none(), "nobody holds it");
    }
}
