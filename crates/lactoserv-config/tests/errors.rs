//! What a config author sees when a config fails to load.

use lactoserv_config::LoadError;

use crate::util::{fixtures, load, load_error};

#[test]
fn syntax_errors_show_file_line_column_and_source() {
    let source =
        "export default {\n  applications: [\n    { name: 'x' }\n    { name: 'y' }\n  ]\n};\n";
    let (err, dir) = load_error("syntax.mjs", source);
    let text = err.to_string();
    let path = dir.path().join("syntax.mjs");
    assert!(text.starts_with("SyntaxError: "), "{text}");
    assert!(
        text.contains(&format!("--> {}:4:5", path.display())),
        "{text}"
    );
    assert!(
        text.contains("   |     { name: 'y' }\n   |     ^"),
        "{text}"
    );
}

#[test]
fn thrown_errors_show_where_and_the_config_stack() {
    let source = "function checkPort(p) {\n  if (p < 1024) {\n    throw new Error(`port ${p} is privileged`);\n  }\n}\ncheckPort(80);\nexport default {};\n";
    let (err, dir) = load_error("throws.mjs", source);
    let text = err.to_string();
    assert!(text.starts_with("Error: port 80 is privileged\n"), "{text}");
    assert!(
        text.contains(&format!("{}:3:", dir.path().join("throws.mjs").display())),
        "{text}"
    );
    assert!(text.contains("at checkPort (file://"), "{text}");
    assert!(
        !text.contains("lactoserv:"),
        "sandbox frames must be hidden: {text}"
    );
}

#[test]
fn a_missing_config_file_reads_like_node() {
    let err = load(&fixtures().join("no-such-config.mjs")).unwrap_err();
    assert!(matches!(err, LoadError::Read { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "ENOENT: no such file or directory, open '{}'",
            fixtures().join("no-such-config.mjs").display()
        )
    );
}

#[test]
fn a_missing_read_file_names_the_file_and_the_line() {
    let source = "import { readFile } from 'node:fs/promises';\nconst cert = await readFile(new URL('nope.pem', import.meta.url));\nexport default { hosts: { certificate: cert } };\n";
    let (err, dir) = load_error("missing.mjs", source);
    let text = err.to_string();
    let expected = format!(
        "Error: ENOENT: no such file or directory, open '{}'",
        dir.path().join("nope.pem").display()
    );
    assert!(text.starts_with(&expected), "{text}");
    assert!(text.contains("missing.mjs:2:"), "{text}");
}

#[test]
fn imports_outside_the_sandbox_are_refused_with_a_hint() {
    let (err, _dir) = load_error("bare.mjs", "import fs from 'fs';\nexport default {};\n");
    assert!(
        err.to_string().contains("(did you mean \"node:fs\"?)"),
        "{err}"
    );
    let (err, _dir) = load_error(
        "child.mjs",
        "import cp from 'node:child_process';\nexport default {};\n",
    );
    assert!(
        err.to_string()
            .contains("not available in the configuration sandbox; supported: node:buffer"),
        "{err}"
    );
    let (err, _dir) = load_error(
        "main.mjs",
        "import x from '@lactoserv/main-lactoserv';\nexport default {};\n",
    );
    assert!(
        err.to_string()
            .contains("main-* modules cannot be imported"),
        "{err}"
    );
    let (err, _dir) = load_error(
        "http.mjs",
        "import x from 'http://example.com/x.mjs';\nexport default {};\n",
    );
    assert!(
        err.to_string()
            .contains("Cannot import \"http://example.com/x.mjs\""),
        "{err}"
    );
}

#[test]
fn an_unknown_builtin_class_is_a_link_error() {
    let source = "import { StaticFile } from '@lactoserv/webapp-builtins';\nexport default {};\n";
    let (err, _dir) = load_error("typo.mjs", source);
    assert!(err.to_string().contains("StaticFile"), "{err}");
}

#[test]
fn values_that_are_not_configuration_are_named_by_path() {
    let cases = [
        (
            "export default { hosts: [{ certificate: Promise.resolve(1) }] };",
            "config.hosts[0].certificate: value is a Promise (missing `await`?)",
        ),
        (
            "export default { applications: [{ class: function MyApp() {} }] };",
            "config.applications[0].class: function MyApp is not a configuration value",
        ),
        (
            "export default { logging: { '/a/*': new Map() } };",
            "config.logging[\"/a/*\"]: instance of Map is not a configuration value",
        ),
        (
            "const a = {}; a.self = a; export default { a };",
            "config.a.self: value refers to itself (a cycle)",
        ),
        (
            "export default { n: NaN };",
            "config.n: NaN is not a configuration value",
        ),
        (
            "export const x = 1;",
            "config: the default export is undefined (missing `export default`?)",
        ),
        (
            "export default 42;",
            "config: the default export must be a plain object, not 42",
        ),
    ];
    for (source, expected) in cases {
        let (err, _dir) = load_error("bad.mjs", source);
        assert!(matches!(err, LoadError::Conversion(_)), "{source}: {err:?}");
        assert!(err.to_string().starts_with(expected), "{source}: {err}");
    }
}

#[test]
fn shared_objects_are_not_cycles() {
    let source =
        "const shared = { maxAge: '5 min' };\nexport default { a: shared, b: [shared, shared] };\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.mjs");
    std::fs::write(&path, source).unwrap();
    let value = load(&path).unwrap();
    assert_eq!(value["b"][1]["maxAge"], "5 min");
}

#[test]
fn an_endless_loop_times_out() {
    let (err, _dir) = load_error("loop.mjs", "while (true) {}\nexport default {};\n");
    assert!(matches!(err, LoadError::TimedOut(_)), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[test]
fn an_await_that_never_settles_is_reported() {
    let (err, _dir) = load_error(
        "pending.mjs",
        "await new Promise(() => {});\nexport default {};\n",
    );
    assert_eq!(err, LoadError::NeverSettled);
}

#[test]
fn process_cannot_be_changed_from_a_config() {
    let (err, _dir) = load_error("exit.mjs", "process.exit(3);\nexport default {};\n");
    assert!(
        err.to_string().contains("process.exit() is not available"),
        "{err}"
    );
}

#[test]
fn absolute_file_url_imports_work_as_in_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let helper = dir.path().join("helper.mjs");
    std::fs::write(&helper, "export const port = 1234;\n").unwrap();
    let url = url::Url::from_file_path(&helper).unwrap();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!("import {{ port }} from '{url}';\nexport default {{ port }};\n"),
    )
    .unwrap();
    assert_eq!(load(&config).unwrap()["port"], 1234);
}

#[test]
fn invalid_json_configs_show_the_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(
        &path,
        "{\n  \"endpoints\": [\n    { \"name\": \"x\" }\n    { \"name\": \"y\" }\n  ]\n}\n",
    )
    .unwrap();
    let err = load(&path).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!("--> {}:4:5", path.display())),
        "{text}"
    );
    assert!(text.contains("SyntaxError: expected `,` or `]`"), "{text}");
}

#[test]
fn console_output_goes_to_the_given_sink() {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = lactoserv_config::LoadOptions {
        console: Arc::new(move |level, text: &str| {
            sink.lock().unwrap().push((level, text.to_owned()))
        }),
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.mjs");
    std::fs::write(
        &path,
        "console.log('hello', 1, { a: [1] });\nconsole.warn('careful');\nexport default {};\n",
    )
    .unwrap();
    crate::util::load_with(&path, &options).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        *seen,
        [
            (
                lactoserv_config::ConsoleLevel::Log,
                "hello 1 { a: [ 1 ] }".to_owned()
            ),
            (lactoserv_config::ConsoleLevel::Warn, "careful".to_owned()),
        ]
    );
}
