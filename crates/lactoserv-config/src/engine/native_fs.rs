//! The file operations behind the sandbox's `node:fs` (read-only: a config
//! can look at files, never change them). Each answers `{ value }` or
//! `{ error }`; the JS side throws the Node-shaped error.

use std::fs::Metadata;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::time::SystemTime;

use rquickjs::{ArrayBuffer, Ctx, Exception, IntoJs, Object, Value};

use super::native::io_error_object;

/// `F_OK`, `R_OK`, `W_OK`, `X_OK` as in Node's `fs.constants`.
const R_OK: u32 = 4;
const W_OK: u32 = 2;
const X_OK: u32 = 1;

/// Runs file operation `op` on `path`.
pub(crate) fn call<'js>(
    ctx: &Ctx<'js>,
    op: &str,
    path: &str,
    mode: f64,
) -> rquickjs::Result<Object<'js>> {
    let (result, syscall): (std::io::Result<Value<'js>>, &str) = match op {
        "readFile" => (read_file(ctx, path), "open"),
        "readdir" => (read_dir(ctx, path), "scandir"),
        "stat" => (
            std::fs::metadata(path).and_then(|m| stats(ctx, &m).map_err(to_io)),
            "stat",
        ),
        "lstat" => (
            std::fs::symlink_metadata(path).and_then(|m| stats(ctx, &m).map_err(to_io)),
            "lstat",
        ),
        "realpath" => (
            std::fs::canonicalize(path)
                .and_then(|p| p.to_string_lossy().into_owned().into_js(ctx).map_err(to_io)),
            "realpath",
        ),
        "access" => (
            access(path, mode as u32).map(|()| Value::new_undefined(ctx.clone())),
            "access",
        ),
        _ => {
            return Err(Exception::throw_message(
                ctx,
                &format!("unknown file operation {op}"),
            ));
        }
    };
    let answer = Object::new(ctx.clone())?;
    match result {
        Ok(value) => answer.set("value", value)?,
        Err(err) => answer.set("error", io_error_object(ctx, &err, syscall)?)?,
    }
    Ok(answer)
}

fn to_io(err: rquickjs::Error) -> std::io::Error {
    std::io::Error::other(err.to_string())
}

fn read_file<'js>(ctx: &Ctx<'js>, path: &str) -> std::io::Result<Value<'js>> {
    let bytes = std::fs::read(path)?;
    ArrayBuffer::new(ctx.clone(), bytes)
        .map(|buffer| buffer.into_value())
        .map_err(to_io)
}

fn read_dir<'js>(ctx: &Ctx<'js>, path: &str) -> std::io::Result<Value<'js>> {
    let mut names = std::fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<Vec<_>>>()?;
    // Sorted, so a config that lists a directory behaves the same everywhere.
    names.sort();
    names.into_js(ctx).map_err(to_io)
}

fn stats<'js>(ctx: &Ctx<'js>, meta: &Metadata) -> rquickjs::Result<Value<'js>> {
    let file_type = meta.file_type();
    let kind = if file_type.is_file() {
        "file"
    } else if file_type.is_dir() {
        "directory"
    } else if file_type.is_symlink() {
        "symlink"
    } else if file_type.is_fifo() {
        "fifo"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_block_device() {
        "block"
    } else {
        "char"
    };
    let msec = |time: std::io::Result<SystemTime>| {
        time.ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let fields = Object::new(ctx.clone())?;
    fields.set("dev", meta.dev() as f64)?;
    fields.set("ino", meta.ino() as f64)?;
    fields.set("mode", meta.mode())?;
    fields.set("nlink", meta.nlink() as f64)?;
    fields.set("uid", meta.uid())?;
    fields.set("gid", meta.gid())?;
    fields.set("size", meta.size() as f64)?;
    fields.set("atimeMs", msec(meta.accessed()))?;
    fields.set("mtimeMs", msec(meta.modified()))?;
    fields.set(
        "ctimeMs",
        (meta.ctime() as f64) * 1000.0 + (meta.ctime_nsec() as f64) / 1e6,
    )?;
    fields.set("birthtimeMs", msec(meta.created()))?;
    let raw = Object::new(ctx.clone())?;
    raw.set("kind", kind)?;
    raw.set("fields", fields)?;
    Ok(raw.into_value())
}

/// Node's `access`: existence, then the requested permission bits. Read
/// access is checked by really opening, since the mode bits alone do not
/// say what this process may do.
fn access(path: &str, mode: u32) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    let denied = || std::io::Error::from_raw_os_error(13);
    if mode & R_OK != 0 {
        if meta.is_dir() {
            std::fs::read_dir(path)?;
        } else {
            std::fs::File::open(path)?;
        }
    }
    if mode & W_OK != 0 && meta.permissions().readonly() {
        return Err(denied());
    }
    if mode & X_OK != 0 && meta.permissions().mode() & 0o111 == 0 {
        return Err(denied());
    }
    Ok(())
}
