//! The catalog: class name → constructor for every component type a config
//! can name (Lactoserv resolves `class:` to the class object itself; a Rust
//! server needs this table instead).
//!
//! `lactoserv-builtins` fills one with the 19 built-in types; a framework
//! user adds their own with [`Catalog::add_application`] or
//! [`Catalog::add_service`], and a config then names them by string
//! (`class: 'MyApp'`).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::bind::{self, BindError, Bindings};
use crate::component::{ApplicationConfig, Kind, ServiceConfig};

/// Builds an application's config from its bindings.
pub type ApplicationCtor = fn(&Bindings) -> Result<Box<dyn ApplicationConfig>, BindError>;

/// Builds a service's config from its bindings.
pub type ServiceCtor = fn(&Bindings) -> Result<Box<dyn ServiceConfig>, BindError>;

/// The component types a configuration may name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    applications: BTreeMap<String, ApplicationCtor>,
    services: BTreeMap<String, ServiceCtor>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers application type `class`, whose config struct is `C`.
    ///
    /// A later registration under the same name replaces the earlier one, so
    /// a framework user can override a built-in.
    pub fn add_application<C>(&mut self, class: &str) -> &mut Self
    where
        C: ApplicationConfig + DeserializeOwned,
    {
        self.add_application_ctor(class, build_application::<C>)
    }

    /// Registers application type `class` with a hand-written constructor.
    pub fn add_application_ctor(&mut self, class: &str, ctor: ApplicationCtor) -> &mut Self {
        self.applications.insert(class.to_owned(), ctor);
        self
    }

    /// Registers service type `class`, whose config struct is `C`.
    pub fn add_service<C>(&mut self, class: &str) -> &mut Self
    where
        C: ServiceConfig + DeserializeOwned,
    {
        self.add_service_ctor(class, build_service::<C>)
    }

    /// Registers service type `class` with a hand-written constructor.
    pub fn add_service_ctor(&mut self, class: &str, ctor: ServiceCtor) -> &mut Self {
        self.services.insert(class.to_owned(), ctor);
        self
    }

    /// The constructor of application type `class`.
    pub fn application(&self, class: &str) -> Option<ApplicationCtor> {
        self.applications.get(class).copied()
    }

    /// The constructor of service type `class`.
    pub fn service(&self, class: &str) -> Option<ServiceCtor> {
        self.services.get(class).copied()
    }

    /// Which section type `class` belongs in, if it is known at all.
    pub fn kind_of(&self, class: &str) -> Option<Kind> {
        if self.applications.contains_key(class) {
            Some(Kind::Application)
        } else if self.services.contains_key(class) {
            Some(Kind::Service)
        } else {
            None
        }
    }

    /// The names of all registered application types, sorted.
    pub fn application_classes(&self) -> impl Iterator<Item = &str> {
        self.applications.keys().map(String::as_str)
    }

    /// The names of all registered service types, sorted.
    pub fn service_classes(&self) -> impl Iterator<Item = &str> {
        self.services.keys().map(String::as_str)
    }
}

fn build_application<C>(bindings: &Bindings) -> Result<Box<dyn ApplicationConfig>, BindError>
where
    C: ApplicationConfig + DeserializeOwned,
{
    let mut config: C = bind::from_bindings(bindings)?;
    config.validate()?;
    Ok(Box::new(config))
}

fn build_service<C>(bindings: &Bindings) -> Result<Box<dyn ServiceConfig>, BindError>
where
    C: ServiceConfig + DeserializeOwned,
{
    let mut config: C = bind::from_bindings(bindings)?;
    config.validate()?;
    Ok(Box::new(config))
}
