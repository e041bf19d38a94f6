//! `--dry-run` on good and broken configurations: what it reports and how
//! it exits.

use predicates::prelude::*;

use crate::util::{config_file, dry_run, example_config, lactoserv};

/// The reference's last lines on exit status 1.
fn assert_exit_report(stdout: &str) {
    let tail = format!(
        "\n\n{{ name: 'lactoserv', version: '{}', commit: '",
        env!("CARGO_PKG_VERSION")
    );
    assert!(stdout.contains(&tail), "{stdout}");
    assert!(
        stdout.ends_with("' }\n\nExiting with code: 1\n"),
        "{stdout}"
    );
}

/// Runs a broken config; checks the trouble report and gives its text.
fn trouble(source: &str) -> String {
    let (code, stdout) = dry_run(source);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with("Configuration file trouble:\n"),
        "{stdout}"
    );
    assert_exit_report(&stdout);
    stdout
}

#[test]
fn the_example_setup_is_valid() {
    lactoserv()
        .arg(format!("--config={}", example_config().display()))
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Configuration file is valid.\n  hosts (2):\n",
        ))
        .stdout(predicate::str::contains(
            "    staticSite        StaticFiles\n",
        ))
        .stdout(predicate::str::contains(
            "    secure      http2 + http3 on *:8443 -> site\n",
        ))
        .stderr("");
}

#[test]
fn environment_variables_reach_the_config() {
    lactoserv()
        .env("LACTOSERV_PORT_BASE", "9000")
        .arg(format!("--config={}", example_config().display()))
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "    insecure    http on *:9000 -> toSecure\n",
        ))
        .stdout(predicate::str::contains(
            "https on 127.0.0.1:9364 -> site\n",
        ));
}

#[test]
fn a_config_url_and_a_relative_path_both_work() {
    let setup = example_config()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    lactoserv()
        .current_dir(&setup)
        .args(["--config", "config/config.mjs", "--dry-run"])
        .assert()
        .success();
    let url = format!(
        "file://{}",
        example_config().canonicalize().unwrap().display()
    );
    lactoserv()
        .args([format!("--config-url={url}"), "--dry-run".into()])
        .assert()
        .success();
    lactoserv()
        .args(["--config-url=http://example.com/config.mjs", "--dry-run"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("only file: URLs can be loaded"));
}

#[test]
fn json_configs_are_checked_the_same_way() {
    let good = config_file(
        "config.json",
        r#"{ "applications": [{ "name": "hi", "class": "SimpleResponse", "body": "hi\n", "contentType": "text/plain" }],
            "endpoints": [{ "name": "main", "protocol": "http", "interface": "*:8080", "application": "hi" }] }"#,
    );
    lactoserv()
        .arg(format!("--config={}", good.path.display()))
        .arg("--dry-run")
        .assert()
        .success();
    let bad = config_file(
        "config.json",
        r#"{ "applications": [{ "name": "hi", "class": "SimpleRespons" }] }"#,
    );
    lactoserv()
        .arg(format!("--config={}", bad.path.display()))
        .arg("--dry-run")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "applications[0] (SimpleRespons `hi`): `class`: Unknown application class `SimpleRespons`",
        ));
}

#[test]
fn a_missing_file_is_reported_like_the_reference() {
    let (code, stdout) = {
        let output = lactoserv()
            .args(["--config=/nonexistent.mjs", "--dry-run"])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    assert_eq!(code, Some(1));
    assert!(stdout.starts_with(
        "Configuration file trouble:\nENOENT: no such file or directory, open '/nonexistent.mjs'\n"
    ));
    assert_exit_report(&stdout);
}

#[test]
fn javascript_errors_show_file_line_and_column() {
    let stdout = trouble(
        "export default {\n  applications: [\n    { name: 'a' }\n    { name: 'b' }\n  ]\n};\n",
    );
    assert!(stdout.contains("SyntaxError: "), "{stdout}");
    assert!(
        stdout.contains("config.mjs:4:5\n   |     { name: 'b' }\n   |     ^\n"),
        "{stdout}"
    );
}

#[test]
fn duplicates_and_dangling_names_are_caught_before_start() {
    let stdout = trouble(
        "import { SimpleResponse, PathRouter } from '@lactoserv/webapp-builtins';
export default {
  applications: [
    { name: 'resp', class: SimpleResponse, body: 'one', contentType: 'text/plain' },
    { name: 'resp', class: SimpleResponse, body: 'two', contentType: 'text/plain' },
    { name: 'paths', class: PathRouter, paths: { '/*': 'nowhere' } }
  ],
  endpoints: { name: 'main', protocol: 'http', interface: '*:8080', application: 'noSuchApp' }
};
",
    );
    assert!(
        stdout.contains(
            "applications[1] (SimpleResponse `resp`): Key already bound: [application, resp]"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("applications[2] (PathRouter `paths`): `paths['/*']`: No such component: /application/nowhere"), "{stdout}");
    assert!(stdout.contains("endpoints[0] (NetworkEndpoint `main`): `application`: No such component: /application/noSuchApp"), "{stdout}");
}

#[test]
fn bad_bindings_name_the_component_and_the_field() {
    let stdout = trouble(
        "import { MemoryMonitor, StaticFiles, SyslogToFile } from '@lactoserv/webapp-builtins';
export default {
  services: [
    { name: 'mem', class: MemoryMonitor, checkPeriod: '2 mins' },
    { name: 'log', class: SyslogToFile, path: '/tmp/x/log.txt', format: 'xml' }
  ],
  applications: [
    { name: 'site', class: StaticFiles, siteDirectory: '/no/such/dir' },
    { name: 'other', class: StaticFiles, siteDirectory: '/tmp', florp: true }
  ]
};
",
    );
    assert!(
        stdout.contains("services[0] (MemoryMonitor `mem`): `checkPeriod`: "),
        "{stdout}"
    );
    assert!(stdout.contains("2 mins"), "{stdout}");
    assert!(
        stdout.contains("services[1] (SyslogToFile `log`): `format`: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("applications[0] (StaticFiles `site`): `siteDirectory`: "),
        "{stdout}"
    );
    assert!(stdout.contains("/no/such/dir"), "{stdout}");
    assert!(
        stdout.contains("applications[1] (StaticFiles `other`): Extra property: `florp`"),
        "{stdout}"
    );
}

#[test]
fn services_used_in_the_wrong_role_are_refused() {
    let stdout = trouble(
        "import { AccessLogToSyslog, SimpleResponse } from '@lactoserv/webapp-builtins';
export default {
  services: [{ name: 'log', class: AccessLogToSyslog }],
  applications: [{ name: 'a', class: SimpleResponse }],
  endpoints: [{ name: 'e', protocol: 'http', interface: '*:8080', application: 'a',
    services: { dataRateLimiter: 'log', florp: 'log' } }]
};
",
    );
    assert!(stdout.contains("endpoints[0]"), "{stdout}");
    assert!(stdout.contains("Invalid role: florp"), "{stdout}");
}

#[test]
fn a_config_without_a_default_export_is_refused() {
    let stdout = trouble("export const config = {};\n");
    assert!(
        stdout.contains("config: the default export is undefined (missing `export default`?)"),
        "{stdout}"
    );
}

#[test]
fn components_without_a_class_are_refused() {
    let stdout = trouble("export default { services: [{ name: 'x' }], florp: 1 };\n");
    assert!(
        stdout.contains("config: Extra property: `florp`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("services[0] (`x`): `class`: Missing required property: `class`"),
        "{stdout}"
    );
}

#[test]
fn tls_endpoints_need_hosts() {
    let stdout = trouble(
        "import { SimpleResponse } from '@lactoserv/webapp-builtins';
export default {
  hosts: [{ hostnames: ['localhost'], selfSigned: true }],
  applications: [{ name: 'a', class: SimpleResponse }],
  endpoints: [{ name: 'e', protocol: 'https', interface: '*:8443', application: 'a', hostnames: ['example.com'] }]
};
",
    );
    assert!(stdout.contains("endpoints[0] (NetworkEndpoint `e`): `hostnames[0]`: No bindings found for hostname: example.com"), "{stdout}");
}

#[test]
fn http3_is_refused_where_it_cannot_be_served_naming_the_field() {
    let stdout = trouble(
        "import { SimpleResponse } from '@lactoserv/webapp-builtins';
export default {
  hosts: [{ hostnames: ['localhost'], selfSigned: true }],
  applications: [{ name: 'a', class: SimpleResponse }],
  endpoints: [{ name: 'e', protocol: 'https', http3: true, interface: '*:8443', application: 'a' }]
};
",
    );
    assert!(
        stdout.contains("endpoints[0] (NetworkEndpoint `e`): `http3`: Only an `http2` endpoint can also serve HTTP/3, not `https`."),
        "{stdout}"
    );
}

#[test]
fn a_run_without_dry_run_performs_the_same_checks() {
    let broken = config_file("config.mjs", "export default { florp: 1 };\n");
    lactoserv()
        .arg(format!("--config={}", broken.path.display()))
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "\n\nUncaught exception:\nError: config: Extra property: `florp`\n\n",
        ))
        .stdout(predicate::str::ends_with(
            "\nUncaught exception:\nError: config: Extra property: `florp`\n\n\
             { name: 'lactoserv', version: '0.9.4', commit: '0000000' }\n\n\
             Exiting with code: 1\n",
        ));
}

#[test]
fn console_output_from_a_config_goes_to_stderr() {
    let config = config_file(
        "config.mjs",
        "console.log('checking', 1 + 1);\nexport default {};\n",
    );
    lactoserv()
        .arg(format!("--config={}", config.path.display()))
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Configuration file is valid.\n",
        ))
        .stderr("checking 2\n");
}

#[test]
fn acme_bindings_are_checked_naming_the_field() {
    let stdout = trouble(
        "export default {
  hosts: [
    { hostnames: ['*.example.com'],
      acme: { acceptTerms: true, challenge: 'http-01', storeDirectory: '/var/lib/acme' } },
    { hostnames: ['example.org'],
      acme: { acceptTerms: false, challenge: 'http-01', storeDirectory: '/var/lib/acme' } },
    { hostnames: ['example.net'], selfSigned: true,
      acme: { acceptTerms: true, challenge: 'http-01', storeDirectory: '/var/lib/acme' } }
  ]
};
",
    );
    for expected in [
        "hosts[0] (NetworkHost): `hostnames`: `*.example.com`: a wildcard name needs a DNS-01 challenge",
        "hosts[1] (NetworkHost): `acme.acceptTerms`: Must be `true`",
        "hosts[2] (NetworkHost): `selfSigned`: Cannot use `selfSigned` with `acme`.",
    ] {
        assert!(stdout.contains(expected), "{expected}\n{stdout}");
    }
}
