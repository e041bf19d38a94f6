use super::*;

fn run(args: &[&str]) -> Command {
    parse(args.iter().map(OsString::from), "run").0
}

fn usage_message(args: &[&str]) -> String {
    match run(args) {
        Command::Usage { message, .. } => message,
        other => panic!("expected a usage error, got {other:?}"),
    }
}

fn run_args(args: &[&str]) -> Args {
    match run(args) {
        Command::Run(args) => args,
        other => panic!("expected a run, got {other:?}"),
    }
}

#[test]
fn help_and_version_win_over_every_error() {
    assert!(matches!(run(&["--help", "--bogus"]), Command::Help(_)));
    assert!(matches!(run(&["-h"]), Command::Help(_)));
    assert_eq!(
        run(&["--version", "--config=a", "--config-url=b"]),
        Command::Version
    );
    assert_eq!(run(&["-V"]), Command::Version);
    assert_eq!(run(&["--no-dry-run", "--version"]), Command::Version);
}

#[test]
fn usage_names_the_outer_command() {
    let (command, _) = parse(
        ["--outer-command-name=run", "--help"].map(OsString::from),
        "/opt/lactoserv/lib/lactoserv",
    );
    let Command::Help(text) = command else {
        panic!("expected help");
    };
    assert!(text.starts_with("run <opt> ...\n\nOptions:\n  --help "));
    assert!(text.ends_with("in seconds            [number]\n"));
}

#[test]
fn config_is_required_and_exclusive() {
    assert_eq!(
        usage_message(&[]),
        "Must pass at least one of --config or --config-url."
    );
    assert_eq!(
        usage_message(&["--config=a", "--config-url=file:///b"]),
        "Arguments config and config-url are mutually exclusive"
    );
    assert_eq!(
        usage_message(&["--config-url"]),
        "Not enough arguments following: config-url"
    );
    assert_eq!(
        usage_message(&["--config="]),
        "Not enough arguments following: config"
    );
    assert_eq!(
        usage_message(&["--config=a", "--config", "b"]),
        "Option --config given more than once."
    );
}

#[test]
fn unknown_options_are_listed_without_dashes() {
    assert_eq!(
        usage_message(&["--config=x", "--bogus"]),
        "Unknown argument: bogus"
    );
    assert_eq!(
        usage_message(&["--foo", "--bar"]),
        "Unknown arguments: foo, bar"
    );
    assert_eq!(usage_message(&["-v", "--config=x"]), "Unknown argument: v");
}

#[test]
fn values_may_follow_with_a_space_or_an_equals_sign() {
    let args = run_args(&["--config", "c.mjs", "--dry-run"]);
    assert_eq!(args.config, ConfigArg::Path("c.mjs".into()));
    assert!(args.dry_run);
    let args = run_args(&["--config-url=file:///c.mjs", "--log-to-stdout=true"]);
    assert_eq!(args.config, ConfigArg::Url("file:///c.mjs".into()));
    assert!(args.log_to_stdout);
}

#[test]
fn booleans_take_true_false_and_no_prefix() {
    assert!(!run_args(&["--config=x", "--dry-run=false"]).dry_run);
    assert!(!run_args(&["--config=x", "--dry-run", "--no-dry-run"]).dry_run);
    assert!(run_args(&["--config=x", "--dry-run", "true"]).dry_run);
    assert_eq!(
        usage_message(&["--config=x", "--early-errors=maybe"]),
        "Invalid value for --early-errors: maybe (expected true or false)"
    );
}

#[test]
fn parsing_stops_at_the_first_non_option() {
    assert!(run_args(&["--config=x", "extra", "--bogus"]).config == ConfigArg::Path("x".into()));
    assert!(run_args(&["--config=x", "--dry-run", "--", "--bogus"]).dry_run);
}

#[test]
fn max_run_time_must_be_a_number() {
    assert_eq!(
        run_args(&["--config=x", "--max-run-time-sec=3"]).max_run_time_sec,
        Some(3.0)
    );
    assert_eq!(
        run_args(&["--config=x", "--max-run-time-sec=0"]).max_run_time_sec,
        None
    );
    assert!(usage_message(&["--config=x", "--max-run-time-sec=soon"]).starts_with("Invalid value"));
    assert!(usage_message(&["--config=x", "--max-run-time-sec=-1"]).starts_with("Invalid value"));
}

#[test]
fn wrapper_options_are_taken_off_first() {
    let (command, wrapper) = parse(
        [
            "--print-node-command",
            "--node-opts",
            "--inspect",
            "--",
            "--version",
        ]
        .map(OsString::from),
        "run",
    );
    assert_eq!(command, Command::Version);
    assert!(wrapper.print_command);
    assert_eq!(wrapper.node_opts, ["--inspect"]);
}

#[test]
fn shell_quoting_escapes_like_printf_q() {
    assert_eq!(shell_quote("/opt/x/run"), "/opt/x/run");
    assert_eq!(shell_quote("--config=a b"), "--config=a\\ b");
    assert_eq!(shell_quote(""), "''");
}
