//! Loading and checking a configuration: the one path shared by `--dry-run`
//! and start-up, so both find exactly the same errors.

use std::path::Path;

use anyhow::Context as _;
use lactoserv_config::{ConfigLocation, LoadOptions};
use lactoserv_core::catalog::Catalog;
use lactoserv_core::webapp::WebappConfig;

use crate::cli::ConfigArg;

/// Loads the configuration named on the command line, and builds and links
/// it with the types of `catalog`.
pub(crate) fn load(arg: &ConfigArg, catalog: &Catalog) -> anyhow::Result<WebappConfig> {
    load_at(&locate(arg)?, catalog)
}

/// Where the configuration named on the command line is, resolved against
/// the working directory once (a reload reads the same file).
pub(crate) fn locate(arg: &ConfigArg) -> anyhow::Result<ConfigLocation> {
    Ok(match arg {
        ConfigArg::Path(path) => {
            let cwd = std::env::current_dir().context("cannot read the working directory")?;
            ConfigLocation::from_path(Path::new(path), &cwd)?
        }
        ConfigArg::Url(url) => ConfigLocation::from_url(url)?,
    })
}

/// Loads the configuration at `location`, and builds and links it with the
/// types of `catalog`.
pub(crate) fn load_at(
    location: &ConfigLocation,
    catalog: &Catalog,
) -> anyhow::Result<WebappConfig> {
    let value = lactoserv_config::load(location, &LoadOptions::default())?;
    Ok(WebappConfig::from_value(&value, catalog)?)
}
