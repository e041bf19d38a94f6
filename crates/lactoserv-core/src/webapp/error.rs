//! Configuration errors: each names where the problem is (section, index,
//! class and name of the component) and which binding.

use std::fmt;

use crate::bind::BindError;
use crate::component::Kind;

/// Where a component was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Its section.
    pub kind: Kind,
    /// Its index in the section (0 for a section given as a single object).
    pub index: usize,
    /// Its class, once known.
    pub class: Option<String>,
    /// Its name, once known.
    pub name: Option<String>,
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.kind.section(), self.index)?;
        match (&self.class, &self.name) {
            (Some(class), Some(name)) => write!(f, " ({class} `{name}`)"),
            (Some(class), None) => write!(f, " ({class})"),
            (None, Some(name)) => write!(f, " (`{name}`)"),
            (None, None) => Ok(()),
        }
    }
}

/// One thing wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The top-level object itself is wrong (extra keys, bad `logging`).
    #[error("config: {0}")]
    TopLevel(String),
    /// A component's binding is missing, unknown or invalid.
    #[error("{site}: {error}")]
    Binding {
        /// The component.
        site: Site,
        /// What is wrong.
        error: BindError,
    },
    /// Two components of one section share a name.
    #[error("{site}: Key already bound: [{}, {name}] (also used by {first})", site.kind)]
    Duplicate {
        /// The later component.
        site: Site,
        /// The name.
        name: String,
        /// The earlier component with that name.
        first: Site,
    },
    /// A reference names no component of the expected section.
    #[error("{site}: `{field}`: No such component: /{kind}/{name}")]
    NoSuchComponent {
        /// The referring component.
        site: Site,
        /// The binding holding the reference.
        field: String,
        /// The section looked in.
        kind: Kind,
        /// The name.
        name: String,
    },
    /// A referenced service cannot fill the role it is used for.
    #[error(
        "{site}: `{field}`: Component `/service/{name}` not of expected class: {interface} ({class} `{name}` cannot serve as `{role}`)"
    )]
    WrongRole {
        /// The referring component.
        site: Site,
        /// The binding holding the reference.
        field: String,
        /// The service's name.
        name: String,
        /// The service's class.
        class: String,
        /// The role's key (`accessLog`).
        role: &'static str,
        /// The role's interface name in the reference (`IntfAccessLog`).
        interface: &'static str,
    },
    /// Components refer to each other in a loop.
    #[error("{kind}s refer to each other in a cycle: {}", path.join(" -> "))]
    Cycle {
        /// The section.
        kind: Kind,
        /// The names around the loop, first name repeated at the end.
        path: Vec<String>,
    },
}

/// Everything wrong with a configuration, in the order found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// The individual errors.
    pub fn errors(&self) -> &[ConfigError] {
        &self.0
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        Self(vec![error])
    }
}
