//! Every built-in class, as the example setup and reference-style configs
//! use them, goes through the catalog and the checks.

use lactoserv_core::webapp::WebappConfig;

const APPLICATIONS: [&str; 12] = [
    "Health",
    "HostRouter",
    "Metrics",
    "PathRouter",
    "Redirector",
    "RequestDelay",
    "RequestFilter",
    "RequestRateLimiter",
    "SerialRouter",
    "SimpleResponse",
    "StaticFiles",
    "SuffixRouter",
];

const SERVICES: [&str; 9] = [
    "AccessLogToFile",
    "AccessLogToSyslog",
    "ConnectionRateLimiter",
    "DataRateLimiter",
    "EventFan",
    "MemoryMonitor",
    "ProcessIdFile",
    "ProcessInfoFile",
    "SyslogToFile",
];

#[test]
fn the_catalog_knows_all_twenty_one_builtin_classes() {
    let catalog = lactoserv_builtins::catalog();
    assert_eq!(
        catalog.application_classes().collect::<Vec<_>>(),
        APPLICATIONS
    );
    assert_eq!(catalog.service_classes().collect::<Vec<_>>(), SERVICES);
}

#[test]
fn the_example_setup_builds_and_links() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../etc/example-setup/config/config.mjs");
    let location =
        lactoserv_config::ConfigLocation::from_path(&path, std::path::Path::new("/")).unwrap();
    let value =
        lactoserv_config::load(&location, &lactoserv_config::LoadOptions::default()).unwrap();
    let config = WebappConfig::from_value(&value, &lactoserv_builtins::catalog()).unwrap();
    let mut classes: Vec<&str> = config
        .applications
        .iter()
        .map(|app| app.class.as_str())
        .chain(config.services.iter().map(|s| s.class.as_str()))
        .collect();
    classes.sort_unstable();
    classes.dedup();
    assert_eq!(
        classes.len(),
        19,
        "the example uses every built-in: {classes:?}"
    );
}
