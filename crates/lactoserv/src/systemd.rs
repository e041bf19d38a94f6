//! systemd integration beyond the reference: the server itself reads the
//! sockets systemd passes (`LISTEN_FDS`, `LISTEN_FDNAMES`) and reports its
//! state over `NOTIFY_SOCKET`, so a unit can be `Type=notify` and can start
//! the server without the `run-under-systemd` wrapper. Without systemd
//! every function here does nothing.

use sd_notify::NotifyState;

/// When systemd passed named sockets to this process and nothing has named
/// them yet, sets `LACTOSERV_FDS` the way `run-under-systemd start` does
/// (`{ "<name>": "/dev/fd/<n>", … }`) for the configuration to read.
///
/// Must run before any other thread starts: it changes the environment.
pub(crate) fn export_socket_names() {
    if std::env::var_os("LACTOSERV_FDS").is_some() {
        return;
    }
    let Ok(sockets) = sd_notify::listen_fds_with_names() else {
        return;
    };
    let entries: Vec<String> = sockets
        .filter(|(_, name)| !name.is_empty())
        .map(|(fd, name)| format!("{}: \"/dev/fd/{fd}\"", json_string(&name)))
        .collect();
    if entries.is_empty() {
        return;
    }
    let map = format!("{{ {} }}", entries.join(", "));
    // SAFETY: called first thing in `main`'s run, before the runtime, the
    // log thread or anything else that could read the environment at the
    // same time exists.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("LACTOSERV_FDS", map);
    }
}

/// `name` as a JSON string.
fn json_string(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Tells systemd the server is up (or up again after a reload).
pub(crate) fn ready() {
    let _ = sd_notify::notify(&[NotifyState::Ready, NotifyState::Status("serving")]);
}

/// Tells systemd a reload has begun.
pub(crate) fn reloading() {
    let mut states = vec![NotifyState::Reloading, NotifyState::Status("reloading")];
    if let Ok(now) = NotifyState::monotonic_usec_now() {
        states.push(now);
    }
    let _ = sd_notify::notify(&states);
}

/// Tells systemd the server is stopping.
pub(crate) fn stopping() {
    let _ = sd_notify::notify(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

#[cfg(test)]
mod tests {
    #[test]
    fn socket_names_are_json_strings() {
        assert_eq!(super::json_string("http"), "\"http\"");
        assert_eq!(super::json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
