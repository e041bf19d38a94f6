//! Helpers shared by the config-loading tests.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lactoserv_config::{ConfigLocation, LoadError, LoadOptions};

/// The fixtures folder.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Loads `path` with the default options.
pub(crate) fn load(path: &Path) -> Result<serde_json::Value, LoadError> {
    load_with(path, &LoadOptions::default())
}

/// Loads `path` with `options`.
pub(crate) fn load_with(
    path: &Path,
    options: &LoadOptions,
) -> Result<serde_json::Value, LoadError> {
    let location = ConfigLocation::from_path(path, Path::new("/"))?;
    lactoserv_config::load(&location, options)
}

/// Loads a fixture, with its folder's absolute path replaced by
/// `[fixtures]` so snapshots do not depend on where the checkout lives.
pub(crate) fn load_fixture(name: &str) -> serde_json::Value {
    let value = load(&fixtures().join(name)).unwrap_or_else(|err| panic!("{name}: {err}"));
    let text = value
        .to_string()
        .replace(fixtures().to_str().unwrap(), "[fixtures]");
    serde_json::from_str(&text).unwrap()
}

/// Writes `source` to `name` in a fresh temporary folder and loads it,
/// giving the error; the deadline is short so timeout tests stay quick.
pub(crate) fn load_error(name: &str, source: &str) -> (LoadError, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, source).unwrap();
    let options = LoadOptions {
        deadline: Duration::from_millis(300),
        ..LoadOptions::default()
    };
    let err = load_with(&path, &options).expect_err("config should fail to load");
    (err, dir)
}
