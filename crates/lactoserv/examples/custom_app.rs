//! A complete server with an application type of your own.
//!
//! `Greeter` is described by its config struct (its bindings and their
//! checks), registered in the catalog beside the built-in types, named in a
//! config by string (`class: 'Greeter'`), and served by [`lactoserv::run`]
//! with everything the `lactoserv` command does: the command line
//! (`--dry-run` included), signals, reloads, systemd, the fatal-error
//! report.
//!
//! ```sh
//! PORT=8080 cargo run -p lactoserv --example custom_app -- \
//!     --config=crates/lactoserv/examples/greeter-config.mjs
//! curl http://127.0.0.1:8080/yo      # yo
//! curl http://127.0.0.1:8080/there   # hi
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::{AppRef, Application, Handled};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::ApplicationConfig;
use lactoserv_core::net::{Dispatch, Prepared, Request, Response};
use serde::Deserialize;

/// The bindings of a `Greeter` application.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GreeterConfig {
    /// What to say; `hi` unless configured.
    #[serde(default = "default_greeting")]
    greeting: String,
}

fn default_greeting() -> String {
    "hi".into()
}

impl ApplicationConfig for GreeterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if self.greeting.trim().is_empty() {
            return Err(BindError::new("greeting", "must say something"));
        }
        Ok(())
    }

    /// The running application, made once at start: the greeting is
    /// prepared as a response then, and sent as it is to every request.
    fn build(&self) -> Result<AppRef, BindError> {
        let text = Bytes::from(format!("{}\n", self.greeting));
        let content_type = HeaderValue::from_static("text/plain; charset=utf-8");
        let response = Response::full(StatusCode::OK, content_type, text);
        Ok(Arc::new(Greeter(Prepared::new(response))))
    }
}

/// Greets every `GET` and `HEAD`; declines other methods (the endpoint
/// then answers 404, or a router tries the next application).
struct Greeter(Prepared);

impl Greeter {
    fn greet(&self, request: &Request) -> Handled {
        Ok(request.is_get_or_head().then(|| self.0.response()))
    }
}

#[async_trait]
impl Application for Greeter {
    async fn handle_request(&self, request: &Request, _: &Dispatch<'_>) -> Handled {
        self.greet(request)
    }

    /// Greeting waits on nothing, so the server may ask here first and
    /// skip the asynchronous call.
    fn handle_now(&self, request: &Request, _: &Dispatch<'_>) -> Option<Handled> {
        Some(self.greet(request))
    }
}

fn main() -> ExitCode {
    let mut catalog = lactoserv_builtins::catalog();
    catalog.add_application::<GreeterConfig>("Greeter");
    lactoserv::run(catalog)
}
