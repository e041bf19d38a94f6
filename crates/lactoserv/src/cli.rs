//! The command line of `lactoserv` / `bin/run` (Lactoserv
//! `main-lactoserv/private/MainArgs.js` and the `bin/run` wrapper).
//!
//! Hand-written rather than built on clap: existing scripts and tests
//! depend on yargs' exact behaviour, which clap does not reproduce — help
//! and version winning over every other error, `--no-<flag>` for every
//! boolean, `--flag=true|false`, "Unknown arguments: a, b", stopping at the
//! first non-option, and the reference's help layout byte for byte.

use std::ffi::OsString;

/// Where the configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigArg {
    /// `--config=<path>`.
    Path(String),
    /// `--config-url=<url>`.
    Url(String),
}

/// The options of a run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Args {
    pub(crate) config: ConfigArg,
    pub(crate) dry_run: bool,
    pub(crate) log_to_stdout: bool,
    pub(crate) max_run_time_sec: Option<f64>,
    pub(crate) early_errors: bool,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// `--help`/`-h`: print this usage text.
    Help(String),
    /// `--version`/`-V`.
    Version,
    /// A usage error: print the usage text, a blank line and the message.
    Usage { usage: String, message: String },
    /// Run (or dry-run) with these options.
    Run(Args),
}

/// Everything the wrapper layer of the reference handles before the main
/// program sees the arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Wrapper {
    /// `--print-node-command` was given: show the command being run.
    pub(crate) print_command: bool,
    /// Words given after `--node-opts` (they configure Node; ignored here).
    pub(crate) node_opts: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bool,
    Text,
    Number,
}

const OPTIONS: [(&str, Kind); 8] = [
    ("help", Kind::Bool),
    ("version", Kind::Bool),
    ("config", Kind::Text),
    ("config-url", Kind::Text),
    ("early-errors", Kind::Bool),
    ("dry-run", Kind::Bool),
    ("log-to-stdout", Kind::Bool),
    ("max-run-time-sec", Kind::Number),
];

/// The usage text, as the reference prints it (yargs' layout).
pub(crate) fn usage(command_name: &str) -> String {
    format!(
        "{command_name} <opt> ...

Options:
  --help              Show help                                        [boolean]
  --version           Show version number                              [boolean]
  --config            Configuration file (filesystem path)              [string]
  --config-url        Configuration URL                                 [string]
  --early-errors      Debugging: Should some uncaught-ish errors be thrown soon
                      after starting?                                  [boolean]
  --dry-run           \"Dry run.\" Just check the config file for correctness.
                                                                       [boolean]
  --log-to-stdout     Debugging: Should log messages be printed to stdout?
                                                                       [boolean]
  --max-run-time-sec  Debugging: Maximum run time in seconds            [number]
"
    )
}

/// Parses the arguments that follow the program name.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>, program: &str) -> (Command, Wrapper) {
    let mut wrapper = Wrapper::default();
    let mut words: Vec<String> = args
        .into_iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    words = strip_wrapper_options(words, &mut wrapper);

    let mut command_name = program.to_owned();
    let mut values: Vec<(&'static str, String)> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let (mut help, mut version) = (false, false);

    let mut iter = words.into_iter().peekable();
    while let Some(word) = iter.next() {
        if word == "--" || !word.starts_with('-') {
            // Options end here; the rest is ignored, as in the reference.
            break;
        }
        if word == "-h" {
            help = true;
            continue;
        }
        if word == "-V" {
            version = true;
            continue;
        }
        let Some(body) = word.strip_prefix("--") else {
            unknown.extend(word[1..].chars().map(String::from));
            continue;
        };
        let (name, inline) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (body, None),
        };
        if name == "outer-command-name" {
            match inline.or_else(|| iter.next()) {
                Some(value) => command_name = value,
                None => problems.push("Not enough arguments following: outer-command-name".into()),
            }
            continue;
        }
        let (name, negated) = match name.strip_prefix("no-") {
            Some(rest) if lookup(rest) == Some(Kind::Bool) => (rest, true),
            _ => (name, false),
        };
        let Some((key, kind)) = OPTIONS.iter().copied().find(|(key, _)| *key == name) else {
            unknown.push(name.to_owned());
            continue;
        };
        let value = match kind {
            Kind::Bool => {
                let value = match inline {
                    Some(value) => value,
                    None if matches!(iter.peek().map(String::as_str), Some("true" | "false")) => {
                        iter.next().unwrap_or_default()
                    }
                    None => "true".to_owned(),
                };
                match (value.as_str(), negated) {
                    ("true", false) | ("false", true) => "true".to_owned(),
                    ("false", false) | ("true", true) => "false".to_owned(),
                    _ => {
                        problems.push(format!(
                            "Invalid value for --{key}: {value} (expected true or false)"
                        ));
                        continue;
                    }
                }
            }
            Kind::Text | Kind::Number => {
                let value = inline.or_else(|| iter.next_if(|next| !next.starts_with("--")));
                match value {
                    Some(value) if !value.is_empty() => value,
                    _ => {
                        problems.push(format!("Not enough arguments following: {key}"));
                        continue;
                    }
                }
            }
        };
        match key {
            "help" => help = value == "true",
            "version" => version = value == "true",
            // A repeated flag is harmless: the last one wins.
            _ if kind == Kind::Bool => {
                values.retain(|(k, _)| *k != key);
                values.push((key, value));
            }
            _ if values.iter().any(|(k, _)| *k == key) => {
                problems.push(format!("Option --{key} given more than once."));
            }
            _ => values.push((key, value)),
        }
    }

    let usage_text = usage(&command_name);
    if help {
        return (Command::Help(usage_text), wrapper);
    }
    if version {
        return (Command::Version, wrapper);
    }
    let fail = |message: String| Command::Usage {
        usage: usage_text.clone(),
        message,
    };
    if let Some(problem) = problems.into_iter().next() {
        return (fail(problem), wrapper);
    }
    match unknown.as_slice() {
        [] => {}
        [one] => return (fail(format!("Unknown argument: {one}")), wrapper),
        many => {
            return (
                fail(format!("Unknown arguments: {}", many.join(", "))),
                wrapper,
            );
        }
    }
    let get = |key: &str| {
        values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    };
    let flag = |key: &str| get(key).is_some_and(|v| v == "true");
    let config = match (get("config"), get("config-url")) {
        (Some(path), None) => ConfigArg::Path(path),
        (None, Some(url)) => ConfigArg::Url(url),
        (Some(_), Some(_)) => {
            return (
                fail("Arguments config and config-url are mutually exclusive".into()),
                wrapper,
            );
        }
        (None, None) => {
            return (
                fail("Must pass at least one of --config or --config-url.".into()),
                wrapper,
            );
        }
    };
    let max_run_time_sec = match get("max-run-time-sec") {
        None => None,
        Some(text) => match text.parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs >= 0.0 => (secs != 0.0).then_some(secs),
            _ => {
                return (
                    fail(format!(
                        "Invalid value for --max-run-time-sec: {text} (expected a non-negative number of seconds)"
                    )),
                    wrapper,
                );
            }
        },
    };
    let args = Args {
        config,
        dry_run: flag("dry-run"),
        log_to_stdout: flag("log-to-stdout"),
        max_run_time_sec,
        early_errors: flag("early-errors"),
    };
    (Command::Run(args), wrapper)
}

fn lookup(name: &str) -> Option<Kind> {
    OPTIONS
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, kind)| *kind)
}

/// Takes the reference wrapper's own options off the leading arguments:
/// `--print-node-command`, and `--node-opts <words…> --`. Scanning stops at
/// the first non-option, as the wrapper's does.
fn strip_wrapper_options(words: Vec<String>, wrapper: &mut Wrapper) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut iter = words.into_iter();
    while let Some(word) = iter.next() {
        match word.as_str() {
            "--print-node-command" => wrapper.print_command = true,
            "--node-opts" => {
                for opt in iter.by_ref() {
                    if opt == "--" {
                        break;
                    }
                    wrapper.node_opts.push(opt);
                }
            }
            _ if word.starts_with('-') => out.push(word),
            _ => {
                out.push(word);
                out.extend(iter);
                break;
            }
        }
    }
    out
}

/// Quotes `word` for a shell the way bash's `printf %q` does, for
/// `--print-node-command`.
pub(crate) fn shell_quote(word: &str) -> String {
    if word.is_empty() {
        return "''".into();
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !(c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c)) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
