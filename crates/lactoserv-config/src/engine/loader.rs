//! Module resolution and loading for config files. The rules live in the
//! sandbox (`js/resolve.js`); this glue asks it for a module's canonical name
//! and for the source of synthetic modules, and reads file modules itself,
//! setting each one's `import.meta.url`.

use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::Declared;
use rquickjs::{Ctx, Exception, Function, Module};
use url::Url;

use super::internal;
use crate::error::io_error_parts;

/// Resolves import specifiers through the sandbox's `resolve`.
pub(crate) struct ConfigResolver;

impl Resolver for ConfigResolver {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        let resolve: Function<'js> = internal(ctx)?.get("resolve")?;
        resolve.call((base, name))
    }
}

/// Loads synthetic modules from the sandbox and file modules from disk.
pub(crate) struct ConfigLoader;

impl Loader for ConfigLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        let module_source: Function<'js> = internal(ctx)?.get("moduleSource")?;
        if let Some(source) = module_source.call::<_, Option<String>>((name,))? {
            return Module::declare(ctx.clone(), name, source);
        }
        // The resolver only lets `file:` URLs through besides synthetic names.
        let path = Url::parse(name)
            .ok()
            .and_then(|url| url.to_file_path().ok())
            .ok_or_else(|| Exception::throw_message(ctx, &format!("Cannot load module {name}")))?;
        let source = std::fs::read(&path).map_err(|err| {
            let (code, _, description) = io_error_parts(&err);
            let message = format!("{code}: {description}, open '{}'", path.display());
            Exception::throw_message(ctx, &message)
        })?;
        let module = Module::declare(ctx.clone(), name, source)?;
        module.meta()?.set("url", name)?;
        Ok(module)
    }
}
