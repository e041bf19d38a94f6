//! Config files for servers under test, written into fresh folders.

use std::path::{Path, PathBuf};

/// A folder holding one config file; the folder lives as long as this.
pub struct ConfigDir {
    _dir: tempfile::TempDir,
    /// The config file.
    pub path: PathBuf,
}

/// Writes `source` as `name` in a fresh folder.
pub fn config_file(name: &str, source: &str) -> ConfigDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, source).unwrap();
    ConfigDir { _dir: dir, path }
}

/// Writes at `path` a config answering `body` (plain text) over `protocol`
/// (`https` or `http2`) on loopback `port`, with a self-signed certificate
/// for `localhost`.
pub fn write_tls_config(path: &Path, protocol: &str, port: u16, body: &str) {
    std::fs::write(
        path,
        format!(
            "import {{ SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['localhost'], selfSigned: true }}],
  applications: [{{ name: 'answer', class: SimpleResponse, contentType: 'text/plain', body: '{body}' }}],
  endpoints: [{{ name: 'tls', protocol: '{protocol}', interface: '127.0.0.1:{port}', application: 'answer' }}]
}};
"
        ),
    )
    .unwrap();
}
