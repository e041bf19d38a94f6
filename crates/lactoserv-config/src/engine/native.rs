//! The host functions behind the sandbox (`__lactoNative`): UTF-8 coding,
//! WHATWG URL parsing (the `url` crate's getters are the standard's), file
//! reads, the environment and `console` output. Each is small and
//! synchronous; all Node semantics are in the JS parts.

use std::path::PathBuf;

use rquickjs::function::Opt;
use rquickjs::{ArrayBuffer, Ctx, Function, Object};
use url::{Url, quirks};

use crate::error::io_error_parts;
use crate::location::normalize;
use crate::{ConsoleLevel, ConsoleSink};

/// Builds the host object the prelude captures.
pub(crate) fn host_object<'js>(
    ctx: &Ctx<'js>,
    console: ConsoleSink,
) -> rquickjs::Result<Object<'js>> {
    let native = Object::new(ctx.clone())?;
    let add = |name: &str, f: Function<'js>| native.set(name, f.with_name(name)?);

    add(
        "utf8Encode",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, text: String| {
            ArrayBuffer::new(ctx, text.into_bytes())
        })?,
    )?;
    add(
        "utf8Decode",
        // Takes a plain array of byte values: copying them keeps this free of
        // `unsafe` borrowing of engine memory, and config files are small.
        Function::new(ctx.clone(), |bytes: Vec<u8>| {
            String::from_utf8_lossy(&bytes).into_owned()
        })?,
    )?;
    add(
        "urlParse",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, input: String, base: Opt<String>| {
                let parsed = match base.0 {
                    Some(base) => Url::parse(&base).and_then(|base| base.join(&input)),
                    None => Url::parse(&input),
                };
                parsed.ok().map(|url| url_record(&ctx, &url)).transpose()
            },
        )?,
    )?;
    add(
        "urlSet",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, href: String, component: String, value: String| {
                let Ok(mut url) = Url::parse(&href) else {
                    return Ok(None);
                };
                let ok = match component.as_str() {
                    "href" => quirks::set_href(&mut url, &value).is_ok(),
                    "protocol" => quirks::set_protocol(&mut url, &value).is_ok(),
                    "username" => quirks::set_username(&mut url, &value).is_ok(),
                    "password" => quirks::set_password(&mut url, &value).is_ok(),
                    "host" => quirks::set_host(&mut url, &value).is_ok(),
                    "hostname" => quirks::set_hostname(&mut url, &value).is_ok(),
                    "port" => quirks::set_port(&mut url, &value).is_ok(),
                    "pathname" => {
                        quirks::set_pathname(&mut url, &value);
                        true
                    }
                    "search" => {
                        quirks::set_search(&mut url, &value);
                        true
                    }
                    "hash" => {
                        quirks::set_hash(&mut url, &value);
                        true
                    }
                    _ => false,
                };
                if !ok && component == "href" {
                    return Ok(None);
                }
                url_record(&ctx, &url).map(Some)
            },
        )?,
    )?;
    add(
        "pathToFileUrl",
        Function::new(ctx.clone(), |path: String| {
            let absolute = normalize(&current_dir().join(&path));
            let url = if path.ends_with('/') {
                Url::from_directory_path(&absolute)
            } else {
                Url::from_file_path(&absolute)
            };
            url.map(String::from).unwrap_or_else(|()| "file:///".into())
        })?,
    )?;
    add(
        "cwd",
        Function::new(ctx.clone(), || current_dir().to_string_lossy().into_owned())?,
    )?;
    add(
        "env",
        Function::new(ctx.clone(), |ctx: Ctx<'js>| {
            let env = Object::new(ctx)?;
            for (key, value) in std::env::vars_os() {
                env.set(
                    key.to_string_lossy().as_ref(),
                    value.to_string_lossy().as_ref(),
                )?;
            }
            Ok::<_, rquickjs::Error>(env)
        })?,
    )?;
    add(
        "processInfo",
        Function::new(ctx.clone(), |ctx: Ctx<'js>| {
            let info = Object::new(ctx)?;
            let exe = std::env::current_exe().unwrap_or_default();
            info.set("execPath", exe.to_string_lossy().as_ref())?;
            info.set("pid", std::process::id())?;
            info.set("ppid", std::os::unix::process::parent_id())?;
            info.set("arch", node_arch())?;
            info.set("version", env!("CARGO_PKG_VERSION"))?;
            Ok::<_, rquickjs::Error>(info)
        })?,
    )?;
    add(
        "osInfo",
        Function::new(ctx.clone(), |ctx: Ctx<'js>| {
            let info = Object::new(ctx)?;
            let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|name| name.trim().to_owned())
                .unwrap_or_else(|_| "localhost".into());
            info.set("hostname", hostname)?;
            info.set(
                "homedir",
                std::env::var("HOME").unwrap_or_else(|_| "/".into()),
            )?;
            info.set(
                "tmpdir",
                std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into()),
            )?;
            info.set("arch", node_arch())?;
            let cpus = std::thread::available_parallelism().map_or(1, usize::from);
            info.set("cpus", cpus)?;
            Ok::<_, rquickjs::Error>(info)
        })?,
    )?;
    add(
        "log",
        Function::new(ctx.clone(), move |level: String, text: String| {
            let level = match level.as_str() {
                "info" => ConsoleLevel::Info,
                "warn" => ConsoleLevel::Warn,
                "error" | "trace" => ConsoleLevel::Error,
                "debug" => ConsoleLevel::Debug,
                _ => ConsoleLevel::Log,
            };
            console(level, &text);
        })?,
    )?;
    add(
        "fs",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, op: String, path: String, mode: Opt<f64>| {
                super::native_fs::call(&ctx, &op, &path, mode.0.unwrap_or(0.0))
            },
        )?,
    )?;
    Ok(native)
}

/// The WHATWG components of `url`, for the sandbox's `URL` getters.
fn url_record<'js>(ctx: &Ctx<'js>, url: &Url) -> rquickjs::Result<Object<'js>> {
    let record = Object::new(ctx.clone())?;
    record.set("href", quirks::href(url))?;
    record.set("origin", quirks::origin(url))?;
    record.set("protocol", quirks::protocol(url))?;
    record.set("username", quirks::username(url))?;
    record.set("password", quirks::password(url))?;
    record.set("host", quirks::host(url))?;
    record.set("hostname", quirks::hostname(url))?;
    record.set("port", quirks::port(url))?;
    record.set("pathname", quirks::pathname(url))?;
    record.set("search", quirks::search(url))?;
    record.set("hash", quirks::hash(url))?;
    Ok(record)
}

/// The current directory, or `/` if it is gone (it can be deleted under a
/// running process; paths then resolve as from the root, as Node's do).
fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}

/// Node's name for this machine's architecture.
fn node_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        "x86" => "ia32",
        other => other,
    }
}

/// The Node-style error fields of an I/O failure.
pub(crate) fn io_error_object<'js>(
    ctx: &Ctx<'js>,
    err: &std::io::Error,
    syscall: &str,
) -> rquickjs::Result<Object<'js>> {
    let (code, errno, description) = io_error_parts(err);
    let error = Object::new(ctx.clone())?;
    error.set("code", code)?;
    error.set("errno", errno)?;
    error.set("description", description)?;
    error.set("syscall", syscall)?;
    Ok(error)
}
