//! What the routers' tests share: recording applications and requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Version};
use lactoserv_core::app::{AppRef, Application, Handled};
use lactoserv_core::bind::{BindError, from_value};
use lactoserv_core::component::{ApplicationConfig, Applications};
use lactoserv_core::net::{Dispatch, HostInfo, Request, Response};
use serde_json::Value;

/// Calls made: which application, with what base and extra.
pub(crate) type Calls = Arc<Mutex<Vec<(String, String, String)>>>;

pub(crate) struct Recorder {
    name: String,
    handles: bool,
    /// Answers at once too (recording only the calls of `handle_request`).
    now: bool,
    calls: Calls,
}

impl Recorder {
    fn handled(&self) -> Handled {
        Ok(self.handles.then(|| {
            Response::full(
                StatusCode::OK,
                HeaderValue::from_static("text/plain"),
                bytes::Bytes::from(self.name.clone()),
            )
        }))
    }
}

#[async_trait]
impl Application for Recorder {
    async fn handle_request(&self, _: &Request, dispatch: &Dispatch<'_>) -> Handled {
        self.calls.lock().unwrap().push((
            self.name.clone(),
            dispatch.base().to_owned(),
            dispatch.extra().to_owned(),
        ));
        self.handled()
    }

    fn handle_now(&self, _: &Request, _: &Dispatch<'_>) -> Option<Handled> {
        self.now.then(|| self.handled())
    }
}

/// Recording applications `1`…`9`, of which those in `handling` answer.
pub(crate) struct Apps {
    apps: HashMap<String, AppRef>,
    calls: Calls,
}

impl Apps {
    pub(crate) fn new(handling: &[&str]) -> Self {
        Self::made(handling, false)
    }

    /// As [`Apps::new`], the applications answering at once too.
    pub(crate) fn handling_now(handling: &[&str]) -> Self {
        Self::made(handling, true)
    }

    fn made(handling: &[&str], now: bool) -> Self {
        let calls = Calls::default();
        let apps = (1..=9)
            .map(|n| {
                let name = n.to_string();
                let app: AppRef = Arc::new(Recorder {
                    handles: handling.contains(&name.as_str()),
                    now,
                    name: name.clone(),
                    calls: calls.clone(),
                });
                (format!("a{name}"), app)
            })
            .collect();
        Self { apps, calls }
    }

    pub(crate) fn taken(&self) -> Vec<(String, String, String)> {
        std::mem::take(&mut self.calls.lock().unwrap())
    }
}

impl Applications for Apps {
    fn get(&self, name: &str) -> Result<AppRef, BindError> {
        self.apps
            .get(name)
            .cloned()
            .ok_or_else(|| BindError::new("name", name.to_owned()))
    }
}

pub(crate) fn router<C: ApplicationConfig + serde::de::DeserializeOwned>(
    config: Value,
    apps: &Apps,
) -> AppRef {
    let mut config: C = from_value(&config).unwrap();
    config.validate().unwrap();
    config.build_with(apps).unwrap()
}

pub(crate) fn request(target: &str, host: &str) -> Request {
    Request::new(
        Method::GET,
        Version::HTTP_11,
        target.parse().unwrap(),
        HostInfo::from_authority(Some(host), 80),
        HeaderMap::new(),
    )
    .unwrap()
}

pub(crate) async fn route(app: &AppRef, target: &str) -> Option<String> {
    let request = request(target, "x");
    let response = app
        .handle_request(&request, &Dispatch::root(&request))
        .await
        .unwrap()?;
    body_text(response)
}

pub(crate) fn body_text(response: Response) -> Option<String> {
    match response.body {
        lactoserv_core::net::Body::Full(bytes) => Some(String::from_utf8(bytes.to_vec()).unwrap()),
        _ => None,
    }
}

pub(crate) fn calls(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}
