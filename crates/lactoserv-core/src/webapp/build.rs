//! Build phase: the top-level object split into sections, each entry bound
//! to its type's config struct and named.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::{ConfigError, ConfigErrors, Entry, Site, WebappConfig};
use crate::bind::{self, BindError, Bindings};
use crate::catalog::Catalog;
use crate::component::Kind;
use crate::endpoint::EndpointConfig;
use crate::host::HostConfig;
use crate::logging::LoggingConfig;
use crate::names::check_name;

/// The top-level keys a configuration may have. `name` is accepted and
/// ignored, as the reference does.
const TOP_LEVEL_KEYS: [&str; 6] = [
    "hosts",
    "services",
    "applications",
    "endpoints",
    "logging",
    "name",
];

/// Builds one section entry from its object, naming it in `site`.
type MakeEntry<'a> = dyn FnMut(&mut Site, &Map<String, Value>) -> Result<(), BindError> + 'a;

/// The class names the framework's own component kinds go by.
const HOST_CLASS: &str = "NetworkHost";
const ENDPOINT_CLASS: &str = "NetworkEndpoint";

pub(super) fn build(root: &Value, catalog: &Catalog) -> Result<WebappConfig, ConfigErrors> {
    let Value::Object(root) = root else {
        return Err(ConfigError::TopLevel("the configuration must be an object".into()).into());
    };
    let mut errors = Vec::new();
    let extra: Vec<&str> = root
        .keys()
        .map(String::as_str)
        .filter(|key| !TOP_LEVEL_KEYS.contains(key))
        .collect();
    if !extra.is_empty() {
        errors.push(ConfigError::TopLevel(extra_properties(&extra)));
    }

    let mut build_section = |kind: Kind, make: &mut MakeEntry<'_>| {
        for (index, item) in section_items(root.get(kind.section()))
            .into_iter()
            .enumerate()
        {
            let mut site = Site {
                kind,
                index,
                class: None,
                name: None,
            };
            let result = match item {
                Value::Object(item) => make(&mut site, item),
                _ => Err(BindError::new("", "Item must be an object of some sort.")),
            };
            if let Err(error) = result {
                errors.push(ConfigError::Binding { site, error });
            }
        }
    };

    let mut hosts = Vec::new();
    build_section(Kind::Host, &mut |site, item| {
        let common = Common::take(site, item, None)?;
        let mut config: HostConfig = bind::from_bindings(&common.bindings)?;
        config.validate()?;
        let name = config.display_name();
        site.name = Some(name.clone());
        hosts.push(common.entry(site, Some(name), config));
        Ok(())
    });

    let mut services = Vec::new();
    build_section(Kind::Service, &mut |site, item| {
        let common = Common::take(site, item, Some((Kind::Service, catalog)))?;
        let ctor = catalog
            .service(&common.class)
            .ok_or_else(|| BindError::new("class", "Unknown class"))?;
        let config = ctor(&common.bindings)?;
        config.check_environment()?;
        services.push(common.entry(site, None, config));
        Ok(())
    });

    let mut applications = Vec::new();
    build_section(Kind::Application, &mut |site, item| {
        let common = Common::take(site, item, Some((Kind::Application, catalog)))?;
        let ctor = catalog
            .application(&common.class)
            .ok_or_else(|| BindError::new("class", "Unknown class"))?;
        let config = ctor(&common.bindings)?;
        config.check_environment()?;
        applications.push(common.entry(site, None, config));
        Ok(())
    });

    let mut endpoints = Vec::new();
    build_section(Kind::Endpoint, &mut |site, item| {
        let common = Common::take(site, item, None)?;
        let mut config: EndpointConfig = bind::from_bindings(&common.bindings)?;
        config.validate()?;
        endpoints.push(common.entry(site, None, config));
        Ok(())
    });

    let logging = LoggingConfig::from_value(root.get("logging").unwrap_or(&Value::Null))
        .unwrap_or_else(|message| {
            errors.push(ConfigError::TopLevel(format!("`logging`: {message}")));
            LoggingConfig::default()
        });

    if !errors.is_empty() {
        return Err(ConfigErrors(errors));
    }
    synthesize_names(&mut services);
    synthesize_names(&mut applications);
    synthesize_names(&mut endpoints);
    Ok(WebappConfig {
        hosts,
        services,
        applications,
        endpoints,
        logging,
    })
}

/// A section's items: absent and `null` mean none, a single object one.
fn section_items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
    }
}

fn extra_properties(keys: &[&str]) -> String {
    match keys {
        [one] => format!("Extra property: `{one}`"),
        _ => format!("Extra properties: `{}`", keys.join(", ")),
    }
}

/// The bindings every component shares, taken off before its type's own
/// bindings go to its config struct.
struct Common {
    class: String,
    name: Option<String>,
    dispatch_logging: bool,
    bindings: Bindings,
}

impl Common {
    /// Takes `class`, `name` and `dispatchLogging` off `item`. `typed` gives
    /// the section and catalog for sections whose entries name their class;
    /// hosts and endpoints take no `class`, and hosts no `dispatchLogging`.
    fn take(
        site: &mut Site,
        item: &Map<String, Value>,
        typed: Option<(Kind, &Catalog)>,
    ) -> Result<Self, BindError> {
        let mut bindings = item.clone();
        if let (Some(Value::String(class)), Some(_)) = (item.get("class"), typed) {
            // Named in messages about the other common bindings too.
            site.class = Some(class.clone());
        }
        let name = match bindings.remove("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => {
                check_name(&name).map_err(|message| BindError::new("name", message))?;
                site.name = Some(name.clone());
                Some(name)
            }
            Some(_) => return Err(BindError::new("name", "Must be of type `string`.")),
        };

        let class = match (bindings.remove("class"), typed) {
            (Some(Value::String(class)), Some((kind, catalog))) => {
                check_class(&class, kind, catalog)?;
                class
            }
            (None | Some(Value::Null), Some(_)) => {
                return Err(BindError::new(
                    "class",
                    "Missing required property: `class`",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(BindError::new(
                    "class",
                    "Must be a class of @lactoserv/webapp-builtins or a registered class name",
                ));
            }
            (None | Some(Value::Null), None) => match site.kind {
                Kind::Host => HOST_CLASS.to_owned(),
                _ => ENDPOINT_CLASS.to_owned(),
            },
            (Some(_), None) => {
                return Err(BindError::new(
                    "class",
                    format!("{} entries take no `class`", site.kind.section()),
                ));
            }
        };
        site.class = Some(class.clone());

        let dispatch_logging = if site.kind == Kind::Host {
            false
        } else {
            match bindings.remove("dispatchLogging") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(on)) => on,
                Some(_) => {
                    return Err(BindError::new(
                        "dispatchLogging",
                        "Must be of type `boolean`.",
                    ));
                }
            }
        };

        Ok(Self {
            class,
            name,
            dispatch_logging,
            bindings,
        })
    }

    fn entry<C>(self, site: &Site, name: Option<String>, config: C) -> Entry<C> {
        let given = name.or(self.name);
        Entry {
            site: site.clone(),
            synthesized: given.is_none(),
            name: given.unwrap_or_default(),
            class: self.class,
            dispatch_logging: self.dispatch_logging,
            config,
        }
    }
}

/// Checks that `class` is known, and belongs in section `kind`.
fn check_class(class: &str, kind: Kind, catalog: &Catalog) -> Result<(), BindError> {
    match catalog.kind_of(class) {
        Some(found) if found == kind => Ok(()),
        Some(found) => Err(BindError::new(
            "class",
            format!(
                "`{class}` is {} {found} class, not {} {kind} class; list it under `{}`",
                article(found),
                article(kind),
                found.section()
            ),
        )),
        None => {
            let known: Vec<&str> = match kind {
                Kind::Service => catalog.service_classes().collect(),
                _ => catalog.application_classes().collect(),
            };
            Err(BindError::new(
                "class",
                format!(
                    "Unknown {kind} class `{class}`; known: {}",
                    known.join(", ")
                ),
            ))
        }
    }
}

fn article(kind: Kind) -> &'static str {
    if kind == Kind::Application { "an" } else { "a" }
}

/// Gives each unnamed entry its class name with a lower-case first letter
/// plus the smallest positive number making it unique in its section
/// (`simpleResponse1`), as the reference does.
fn synthesize_names<C>(entries: &mut [Entry<C>]) {
    let mut used: HashSet<String> = entries
        .iter()
        .filter(|entry| !entry.synthesized)
        .map(|entry| entry.name.clone())
        .collect();
    for entry in entries.iter_mut().filter(|entry| entry.synthesized) {
        let mut chars = entry.class.chars();
        let prefix: String = chars
            .next()
            .map(|first| first.to_ascii_lowercase())
            .into_iter()
            .chain(chars)
            .collect();
        let name = (1..)
            .map(|n| format!("{prefix}{n}"))
            .find(|candidate| !used.contains(candidate))
            .unwrap_or_default();
        used.insert(name.clone());
        entry.site.name = Some(name.clone());
        entry.name = name;
    }
}
