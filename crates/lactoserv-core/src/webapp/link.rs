//! Link phase: every name resolved and checked before anything starts. The
//! reference finds these problems only while starting (so its `--dry-run`
//! misses them); here start-up and `--dry-run` share this one pass.

use std::collections::HashMap;

use super::{ConfigError, ConfigErrors, Entry, WebappConfig};
use crate::bind::BindError;
use crate::component::{Kind, Reference, Role, Roles};
use crate::host::host_map;

pub(super) fn link(config: &WebappConfig) -> Result<(), ConfigErrors> {
    let mut errors = Vec::new();
    check_duplicates(&config.hosts, &mut errors);
    check_duplicates(&config.services, &mut errors);
    check_duplicates(&config.applications, &mut errors);
    check_duplicates(&config.endpoints, &mut errors);
    check_hostnames(config, &mut errors);

    let apps = index(&config.applications);
    let services = index(&config.services);

    let app_refs: Vec<Vec<Reference>> = config
        .applications
        .iter()
        .map(|app| app.config.references())
        .collect();
    for (app, refs) in config.applications.iter().zip(&app_refs) {
        check_references(app, refs, &apps, &services, &mut errors);
    }
    let service_refs: Vec<Vec<Reference>> = config
        .services
        .iter()
        .map(|service| service.config.references())
        .collect();
    for (service, refs) in config.services.iter().zip(&service_refs) {
        check_references(service, refs, &apps, &services, &mut errors);
    }
    check_cycles(
        Kind::Application,
        &config.applications,
        &app_refs,
        &apps,
        &mut errors,
    );
    check_cycles(
        Kind::Service,
        &config.services,
        &service_refs,
        &services,
        &mut errors,
    );

    let roles = effective_roles(config, &service_refs, &services);
    for endpoint in &config.endpoints {
        let app = endpoint.config.application.as_str();
        if !apps.contains_key(app) {
            errors.push(no_such(endpoint, "application", Kind::Application, app));
        }
        for (role, name) in &endpoint.config.services {
            let field = format!("services.{}", role.key());
            match services.get(name.as_str()) {
                None => errors.push(no_such(endpoint, &field, Kind::Service, name.as_str())),
                Some(&at) if !roles[at].contains(*role) => {
                    errors.push(wrong_role(endpoint, field, config, at, *role));
                }
                Some(_) => {}
            }
        }
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigErrors(errors))
    }
}

fn index<C>(entries: &[Entry<C>]) -> HashMap<&str, usize> {
    let mut map = HashMap::with_capacity(entries.len());
    for (at, entry) in entries.iter().enumerate() {
        map.entry(entry.name.as_str()).or_insert(at);
    }
    map
}

fn binding<C>(entry: &Entry<C>, error: BindError) -> ConfigError {
    ConfigError::Binding {
        site: entry.site.clone(),
        error,
    }
}

fn no_such<C>(entry: &Entry<C>, field: &str, kind: Kind, name: &str) -> ConfigError {
    ConfigError::NoSuchComponent {
        site: entry.site.clone(),
        field: field.to_owned(),
        kind,
        name: name.to_owned(),
    }
}

fn wrong_role<C>(
    entry: &Entry<C>,
    field: String,
    config: &WebappConfig,
    at: usize,
    role: Role,
) -> ConfigError {
    let service = &config.services[at];
    ConfigError::WrongRole {
        site: entry.site.clone(),
        field,
        name: service.name.clone(),
        class: service.class.clone(),
        role: role.key(),
        interface: role.interface_name(),
    }
}

fn check_duplicates<C>(entries: &[Entry<C>], errors: &mut Vec<ConfigError>) {
    let mut seen: HashMap<&str, &Entry<C>> = HashMap::with_capacity(entries.len());
    for entry in entries {
        if let Some(first) = seen.get(entry.name.as_str()) {
            errors.push(ConfigError::Duplicate {
                site: entry.site.clone(),
                name: entry.name.clone(),
                first: first.site.clone(),
            });
        } else {
            seen.insert(&entry.name, entry);
        }
    }
}

fn check_references<C>(
    entry: &Entry<C>,
    refs: &[Reference],
    apps: &HashMap<&str, usize>,
    services: &HashMap<&str, usize>,
    errors: &mut Vec<ConfigError>,
) {
    for reference in refs {
        let known = match reference.kind {
            Kind::Application => apps.contains_key(reference.name.as_str()),
            Kind::Service => services.contains_key(reference.name.as_str()),
            // Components refer only to applications and services.
            Kind::Host | Kind::Endpoint => true,
        };
        if !known {
            errors.push(no_such(
                entry,
                &reference.field,
                reference.kind,
                &reference.name,
            ));
        }
    }
}

/// Reports each loop in the reference graph of one section once. A loop of
/// routers would recurse forever on the first request; a loop of event fans
/// would forward an event forever.
fn check_cycles<C>(
    kind: Kind,
    entries: &[Entry<C>],
    refs: &[Vec<Reference>],
    by_name: &HashMap<&str, usize>,
    errors: &mut Vec<ConfigError>,
) {
    let mut walk = CycleWalk {
        kind,
        entries,
        refs,
        by_name,
        marks: vec![Mark::New; entries.len()],
        path: Vec::new(),
        errors,
    };
    for at in 0..entries.len() {
        if walk.marks[at] == Mark::New {
            walk.visit(at);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    New,
    OnPath,
    Done,
}

/// A depth-first walk of one section's references.
struct CycleWalk<'a, C> {
    kind: Kind,
    entries: &'a [Entry<C>],
    refs: &'a [Vec<Reference>],
    by_name: &'a HashMap<&'a str, usize>,
    marks: Vec<Mark>,
    path: Vec<usize>,
    errors: &'a mut Vec<ConfigError>,
}

impl<C> CycleWalk<'_, C> {
    fn visit(&mut self, at: usize) {
        self.marks[at] = Mark::OnPath;
        self.path.push(at);
        let (refs, kind) = (self.refs, self.kind);
        for reference in refs[at].iter().filter(|r| r.kind == kind) {
            let Some(&next) = self.by_name.get(reference.name.as_str()) else {
                continue;
            };
            match self.marks[next] {
                Mark::New => self.visit(next),
                Mark::OnPath => {
                    let start = self.path.iter().position(|&p| p == next).unwrap_or(0);
                    let mut names: Vec<String> = self.path[start..]
                        .iter()
                        .map(|&p| self.entries[p].name.clone())
                        .collect();
                    names.push(self.entries[next].name.clone());
                    self.errors.push(ConfigError::Cycle {
                        kind: self.kind,
                        path: names,
                    });
                }
                Mark::Done => {}
            }
        }
        self.path.pop();
        self.marks[at] = Mark::Done;
    }
}

/// Each service's roles, counting the event roles an event fan takes on from
/// the services it forwards to (cycles were reported already; they add
/// nothing).
fn effective_roles(
    config: &WebappConfig,
    refs: &[Vec<Reference>],
    by_name: &HashMap<&str, usize>,
) -> Vec<Roles> {
    fn roles_of(
        at: usize,
        config: &WebappConfig,
        refs: &[Vec<Reference>],
        by_name: &HashMap<&str, usize>,
        memo: &mut [Option<Roles>],
        visiting: &mut Vec<usize>,
    ) -> Roles {
        if let Some(roles) = memo[at] {
            return roles;
        }
        let service = &config.services[at].config;
        let mut roles = service.roles();
        if service.forwards_roles() && !visiting.contains(&at) {
            visiting.push(at);
            for reference in refs[at].iter().filter(|r| r.kind == Kind::Service) {
                if let Some(&next) = by_name.get(reference.name.as_str()) {
                    let target = roles_of(next, config, refs, by_name, memo, visiting);
                    roles = roles.with(target.events());
                }
            }
            visiting.pop();
        }
        memo[at] = Some(roles);
        roles
    }

    let mut memo = vec![None; config.services.len()];
    (0..config.services.len())
        .map(|at| roles_of(at, config, refs, by_name, &mut memo, &mut Vec::new()))
        .collect()
}

/// Hostnames: each bound by one host only; and every hostname of an
/// endpoint that needs certificates selects some host (the reference fails
/// the endpoint's start with "No bindings found for hostname").
fn check_hostnames(config: &WebappConfig, errors: &mut Vec<ConfigError>) {
    let map = match host_map(config.hosts.iter().map(|host| &host.config)) {
        Ok(map) => map,
        Err(duplicate) => {
            let first = &config.hosts[duplicate.first];
            let error = duplicate.to_bind_error();
            let error = BindError::new(
                error.field,
                format!("{} (already bound by host `{}`)", error.message, first.name),
            );
            errors.push(binding(&config.hosts[duplicate.host], error));
            return;
        }
    };
    for endpoint in config
        .endpoints
        .iter()
        .filter(|e| e.config.needs_certificates())
    {
        if let Err(error) = map.subset(&endpoint.config.hostnames) {
            errors.push(binding(endpoint, error));
        }
    }
}
