//! Evaluating a JavaScript config: a fresh QuickJS runtime per load, the
//! sandbox prelude (`src/js/`), the module loader, and the conversion of the
//! default export to a value tree.
//!
//! The runtime is not `Send`, and QuickJS needs a deep native stack for deep
//! recursion checks to fire before the thread's own limit, so each load runs
//! on a thread of its own and hands back only plain data.

mod failure;
mod loader;
mod native;
mod native_fs;

use std::time::Instant;

use rquickjs::context::EvalOptions;
use rquickjs::{CatchResultExt, Context, Ctx, Function, Module, Object, Runtime, Value};

use crate::LoadOptions;
use crate::error::{LoadError, io_error_parts};
use crate::location::ConfigLocation;

/// Memory a config may use; a runaway allocation fails cleanly instead of
/// taking the server down.
const MEMORY_LIMIT: usize = 256 << 20;

/// QuickJS's own stack limit, well inside the evaluation thread's stack.
const ENGINE_STACK: usize = 4 << 20;

/// The evaluation thread's stack.
const THREAD_STACK: usize = 16 << 20;

/// The sandbox, in load order; each part is a function expression the
/// prelude calls. Names show up in stack frames, which are filtered out.
const PARTS: [(&str, &str); 9] = [
    ("buffer", include_str!("js/buffer.js")),
    ("url", include_str!("js/url.js")),
    ("path", include_str!("js/path.js")),
    ("process", include_str!("js/process.js")),
    ("console", include_str!("js/console.js")),
    ("fs", include_str!("js/fs.js")),
    ("os", include_str!("js/os.js")),
    ("convert", include_str!("js/convert.js")),
    ("resolve", include_str!("js/resolve.js")),
];

const PRELUDE: &str = include_str!("js/prelude.js");

/// Scheme used for the sandbox's own script names.
pub(crate) const SANDBOX_SCHEME: &str = "lactoserv:";

/// Evaluates the config at `location` on a thread of its own.
pub(crate) fn load(
    location: &ConfigLocation,
    options: &LoadOptions,
) -> Result<serde_json::Value, LoadError> {
    let location = location.clone();
    let options = options.clone();
    std::thread::Builder::new()
        .name("config-eval".into())
        .stack_size(THREAD_STACK)
        .spawn(move || evaluate(&location, &options))
        .map_err(|err| LoadError::Engine(format!("cannot start evaluation thread: {err}")))?
        .join()
        .map_err(|_| LoadError::Engine("the evaluation thread panicked".into()))?
}

fn evaluate(
    location: &ConfigLocation,
    options: &LoadOptions,
) -> Result<serde_json::Value, LoadError> {
    let source = std::fs::read(location.path()).map_err(|err| {
        let (code, _, description) = io_error_parts(&err);
        LoadError::Read {
            path: location.path().to_owned(),
            code: code.to_owned(),
            description,
        }
    })?;

    let engine_err = |err: rquickjs::Error| LoadError::Engine(err.to_string());
    let runtime = Runtime::new().map_err(engine_err)?;
    runtime.set_memory_limit(MEMORY_LIMIT);
    runtime.set_max_stack_size(ENGINE_STACK);
    let deadline = Instant::now() + options.deadline;
    runtime.set_interrupt_handler(Some(Box::new(move || Instant::now() >= deadline)));
    runtime.set_loader(loader::ConfigResolver, loader::ConfigLoader);
    let context = Context::full(&runtime).map_err(engine_err)?;

    context.with(|ctx| {
        let fail = |caught| failure::describe(caught, deadline, options);
        install_sandbox(&ctx, options).catch(&ctx).map_err(fail)?;

        let url = location.url().as_str();
        let module = Module::declare(ctx.clone(), url, source)
            .catch(&ctx)
            .map_err(fail)?;
        module
            .meta()
            .and_then(|meta| meta.set("url", url))
            .catch(&ctx)
            .map_err(fail)?;
        let (module, promise) = module.eval().catch(&ctx).map_err(fail)?;
        match promise.finish::<Value<'_>>() {
            Err(rquickjs::Error::WouldBlock) => return Err(LoadError::NeverSettled),
            other => {
                other.catch(&ctx).map_err(fail)?;
            }
        }

        let export: Value<'_> = module
            .namespace()
            .and_then(|ns| ns.get("default"))
            .catch(&ctx)
            .map_err(fail)?;
        let to_json: Function<'_> = internal(&ctx)
            .and_then(|internal| internal.get("toConfigJson"))
            .catch(&ctx)
            .map_err(fail)?;
        let json: String = to_json.call((export,)).catch(&ctx).map_err(fail)?;
        serde_json::from_str(&json)
            .map_err(|err| LoadError::Engine(format!("converted config is not JSON: {err}")))
    })
}

/// Installs the host functions, evaluates the sandbox parts and the prelude.
fn install_sandbox<'js>(ctx: &Ctx<'js>, options: &LoadOptions) -> rquickjs::Result<()> {
    let native = native::host_object(ctx, options.console.clone())?;
    let parts = Object::new(ctx.clone())?;
    for (name, source) in PARTS {
        let part: Function<'js> = ctx.eval_with_options(source, script_options(name))?;
        parts.set(name, part)?;
    }
    native.set("parts", parts)?;
    ctx.globals().set("__lactoNative", native)?;
    ctx.eval_with_options::<(), _>(PRELUDE, script_options("prelude"))
}

fn script_options(name: &str) -> EvalOptions {
    let mut options = EvalOptions::default();
    options.filename = Some(format!("{SANDBOX_SCHEME}{name}.js"));
    options
}

/// The sandbox's internal registry (module table, conversion, resolution).
pub(crate) fn internal<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Object<'js>> {
    ctx.eval("globalThis[Symbol.for('lactoserv.internal')]")
}
