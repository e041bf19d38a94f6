//! The command line itself: help, version, usage errors, exit statuses.

use predicates::prelude::*;

use crate::util::{example_config, lactoserv};

const HELP_START: &str = "lactoserv <opt> ...\n\nOptions:\n  --help              Show help                                        [boolean]\n";

#[test]
fn help_is_printed_to_stdout_whatever_else_is_given() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["--help", "--bogus"],
        &["--config=x", "--config-url=y", "--help"],
    ] {
        lactoserv()
            .args(args)
            .assert()
            .success()
            .stdout(predicate::str::starts_with(HELP_START))
            .stdout(predicate::str::contains(
                "  --max-run-time-sec  Debugging: Maximum run time in seconds            [number]\n",
            ))
            .stderr("");
    }
}

#[test]
fn usage_names_the_outer_command() {
    lactoserv()
        .args(["--outer-command-name=run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("run <opt> ...\n"));
}

#[test]
fn version_prints_name_and_version() {
    for flag in ["--version", "-V"] {
        lactoserv()
            .arg(flag)
            .assert()
            .success()
            .stdout(format!("lactoserv v{}\n", env!("CARGO_PKG_VERSION")));
    }
}

#[test]
fn usage_errors_go_to_stderr_with_status_1() {
    let cases: [(&[&str], &str); 6] = [
        (&[], "Must pass at least one of --config or --config-url.\n"),
        (
            &["--config=a", "--config-url=file:///b"],
            "Arguments config and config-url are mutually exclusive\n",
        ),
        (&["--config=a", "--bogus"], "Unknown argument: bogus\n"),
        (
            &["--foo", "--bar", "--config=a"],
            "Unknown arguments: foo, bar\n",
        ),
        (
            &["--config-url"],
            "Not enough arguments following: config-url\n",
        ),
        (
            &["--config=a", "--config=b"],
            "Option --config given more than once.\n",
        ),
    ];
    for (args, message) in cases {
        lactoserv()
            .args(args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::starts_with(HELP_START))
            .stderr(predicate::str::ends_with(format!("[number]\n\n{message}")));
    }
    lactoserv()
        .arg("-v")
        .assert()
        .code(1)
        .stderr(predicate::str::ends_with("Unknown argument: v\n"));
}

#[test]
fn print_node_command_shows_the_native_command() {
    let config = example_config();
    let config_arg = format!("--config={}", config.display());
    lactoserv()
        .args(["--print-node-command", &config_arg, "--dry-run"])
        .assert()
        .success()
        .stderr(predicate::str::starts_with(
            "Running system via command:\n  ",
        ))
        .stderr(predicate::str::contains("\n  --dry-run\n"));
}

#[test]
fn node_opts_are_accepted_and_ignored() {
    lactoserv()
        .args(["--node-opts", "--inspect", "--", "--version"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("lactoserv v"))
        .stderr(predicate::str::contains("Ignoring --node-opts (--inspect)"));
}
