//! The routers against the spec's vectors, with recording applications.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use http::{HeaderMap, HeaderValue, Method, StatusCode, Version};
use lactoserv_core::bind::from_value;
use lactoserv_core::component::ApplicationConfig;
use lactoserv_core::net::HostInfo;
use serde_json::{Value, json};

use super::*;
use crate::apps::host_router::HostRouterConfig;
use crate::apps::path_router::PathRouterConfig;
use crate::apps::serial_router::SerialRouterConfig;
use crate::apps::suffix_router::SuffixRouterConfig;

/// Calls made: which application, with what base and extra.
type Calls = Arc<Mutex<Vec<(String, String, String)>>>;

struct Recorder {
    name: String,
    handles: bool,
    /// Answers at once too (recording only the calls of `handle_request`).
    now: bool,
    calls: Calls,
}

impl Recorder {
    fn answer(&self) -> Answer {
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
    async fn handle_request(&self, _: &Request, dispatch: &Dispatch<'_>) -> Answer {
        self.calls.lock().unwrap().push((
            self.name.clone(),
            dispatch.base().to_owned(),
            dispatch.extra().to_owned(),
        ));
        self.answer()
    }

    fn answer_now(&self, _: &Request, _: &Dispatch<'_>) -> Option<Answer> {
        self.now.then(|| self.answer())
    }
}

/// Recording applications `1`…`9`, of which those in `handling` answer.
struct Apps {
    apps: HashMap<String, AppRef>,
    calls: Calls,
}

impl Apps {
    fn new(handling: &[&str]) -> Self {
        Self::made(handling, false)
    }

    /// As [`Apps::new`], the applications answering at once too.
    fn answering_now(handling: &[&str]) -> Self {
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

    fn taken(&self) -> Vec<(String, String, String)> {
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

fn router<C: ApplicationConfig + serde::de::DeserializeOwned>(
    config: Value,
    apps: &Apps,
) -> AppRef {
    let mut config: C = from_value(&config).unwrap();
    config.validate().unwrap();
    config.build_with(apps).unwrap()
}

fn request(target: &str, host: &str) -> Request {
    Request::new(
        Method::GET,
        Version::HTTP_11,
        target.parse().unwrap(),
        HostInfo::from_authority(Some(host), 80),
        HeaderMap::new(),
    )
    .unwrap()
}

async fn route(app: &AppRef, target: &str) -> Option<String> {
    let request = request(target, "x");
    let response = app
        .handle_request(&request, &Dispatch::root(&request))
        .await
        .unwrap()?;
    body_text(response)
}

fn body_text(response: Response) -> Option<String> {
    match response.body {
        lactoserv_core::net::Body::Full(bytes) => Some(String::from_utf8(bytes.to_vec()).unwrap()),
        _ => None,
    }
}

/// Every router, over the applications of `apps`.
fn every_router(apps: &Apps) -> Vec<AppRef> {
    vec![
        router::<PathRouterConfig>(
            json!({ "paths": { "/*": "a1", "/x/*": "a2", "/y": null, "/z/*": "a3" } }),
            apps,
        ),
        router::<HostRouterConfig>(json!({ "hosts": { "*": "a2", "other": "a1" } }), apps),
        router::<SerialRouterConfig>(json!({ "applications": ["a1", "a3", "a2"] }), apps),
        router::<SuffixRouterConfig>(json!({ "suffixes": { "*.txt": "a2", "*": "a1" } }), apps),
    ]
}

#[tokio::test]
async fn routers_answer_at_once_as_they_would_answer_later() {
    let apps = Apps::answering_now(&["2", "3"]);
    for app in every_router(&apps) {
        for target in ["/", "/x/1", "/y", "/z/q", "/a.txt", "/x/"] {
            let request = request(target, "x");
            let now = app
                .answer_now(&request, &Dispatch::root(&request))
                .expect("every application asked answers at once")
                .unwrap()
                .and_then(body_text);
            assert!(apps.taken().is_empty(), "answering at once has no effect");
            let later = route(&app, target).await;
            apps.taken();
            assert_eq!(now, later, "{target}");
        }
    }
}

#[tokio::test]
async fn routers_wait_when_an_application_they_ask_cannot_answer_at_once() {
    let apps = Apps::new(&["2"]);
    for app in every_router(&apps) {
        let request = request("/x/1", "x");
        assert!(
            app.answer_now(&request, &Dispatch::root(&request))
                .is_none()
        );
    }
    assert!(apps.taken().is_empty());
}

fn calls(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

#[tokio::test]
async fn path_router_falls_back_from_most_to_least_specific() {
    let apps = Apps::new(&[]);
    let table_a = json!({ "paths": {
        "/*": "a1", "/": "a2", "/x/*": "a3", "/x": "a4", "/x/": "a5",
        "/x/y": "a6", "/x/y/z": "a7", "/a": "a8", "/z": "a9" } });
    let app = router::<PathRouterConfig>(table_a, &apps);
    assert_eq!(route(&app, "/").await, None);
    assert_eq!(apps.taken(), calls(&[("2", "/", ""), ("1", "", "/")]));
    route(&app, "/x/").await;
    assert_eq!(
        apps.taken(),
        calls(&[("5", "/x/", ""), ("3", "/x", "/"), ("1", "", "/x/")])
    );
    route(&app, "/x").await;
    assert_eq!(
        apps.taken(),
        calls(&[("4", "/x", ""), ("3", "/x", ""), ("1", "", "/x")])
    );
    route(&app, "/x/y/z").await;
    assert_eq!(
        apps.taken(),
        calls(&[
            ("7", "/x/y/z", ""),
            ("3", "/x", "/y/z"),
            ("1", "", "/x/y/z")
        ])
    );
}

#[tokio::test]
async fn path_router_stops_at_an_answer_or_a_null_route() {
    let apps = Apps::new(&["2"]);
    let app = router::<PathRouterConfig>(
        json!({ "paths": { "/*": "a1", "/x/*": "a2", "/x/y/*": "a3", "/x/y/z": "a4" } }),
        &apps,
    );
    assert_eq!(route(&app, "/x/y/z").await.as_deref(), Some("2"));
    let called: Vec<String> = apps.taken().into_iter().map(|c| c.0).collect();
    assert_eq!(called, ["4", "3", "2"]);

    let apps = Apps::new(&["1"]);
    let app = router::<PathRouterConfig>(
        json!({ "paths": { "/*": "a1", "/x/*": null, "/x/y/*": "a2" } }),
        &apps,
    );
    assert_eq!(route(&app, "/x/y/z").await, None);
    let called: Vec<String> = apps.taken().into_iter().map(|c| c.0).collect();
    assert_eq!(called, ["2"]);
}

#[tokio::test]
async fn nested_path_routers_route_on_the_rest_of_the_path() {
    let apps = Apps::new(&["1"]);
    let inner = router::<PathRouterConfig>(json!({ "paths": { "/zonk/*": "a1" } }), &apps);
    let request = request("/beep/zonk/zorch/florp", "x");
    let at = Dispatch::root(&request).advance(1).unwrap();
    inner.handle_request(&request, &at).await.unwrap();
    assert_eq!(apps.taken(), calls(&[("1", "/beep/zonk", "/zorch/florp")]));
}

#[tokio::test]
async fn host_router_picks_the_most_specific_pattern_without_fallback() {
    let apps = Apps::new(&["1", "2", "3"]);
    let app = router::<HostRouterConfig>(
        json!({ "hosts": { "*.zonk": "a1", "beep.zonk": "a2", "*.x.y.z.zonk": "a3", "zorch": "a4" } }),
        &apps,
    );
    let host = |name: &'static str| {
        let app = app.clone();
        async move {
            let request = request("/", name);
            let response = app
                .handle_request(&request, &Dispatch::root(&request))
                .await
                .unwrap();
            response.map(|_| ())
        }
    };
    for name in ["zonk", "bonk.zonk", "a.b.c.zonk", "blorp.beep.zonk"] {
        host(name).await;
        assert_eq!(apps.taken()[0].0, "1", "{name}");
    }
    host("beep.zonk").await;
    assert_eq!(apps.taken()[0].0, "2");
    host("abc.x.y.z.zonk").await;
    assert_eq!(apps.taken()[0].0, "3");
    assert_eq!(host("florp").await, None);
    assert!(apps.taken().is_empty());

    let apps = Apps::new(&[]);
    let app = router::<HostRouterConfig>(
        json!({ "hosts": { "*": "a1", "*.zonk": "a2", "beep.zonk": "a3", "12.3.4.5": "a4" } }),
        &apps,
    );
    for (name, called) in [
        ("beep.zonk", "3"),
        ("flump.zonk", "2"),
        ("12.3.4.5", "4"),
        ("ZORCH.splat", "1"),
    ] {
        let request = request("/", name);
        let answer = app
            .handle_request(&request, &Dispatch::root(&request))
            .await
            .unwrap();
        assert!(answer.is_none());
        let taken: Vec<String> = apps.taken().into_iter().map(|c| c.0).collect();
        assert_eq!(taken, [called], "{name}");
    }
}

#[tokio::test]
async fn serial_router_tries_in_order() {
    let apps = Apps::new(&["2"]);
    let app = router::<SerialRouterConfig>(json!({ "applications": ["a1", "a2", "a3"] }), &apps);
    assert_eq!(route(&app, "/q").await.as_deref(), Some("2"));
    let called: Vec<String> = apps.taken().into_iter().map(|c| c.0).collect();
    assert_eq!(called, ["1", "2"]);
    let empty = router::<SerialRouterConfig>(json!({ "applications": [] }), &apps);
    assert_eq!(route(&empty, "/q").await, None);
}

#[tokio::test]
async fn suffix_router_follows_the_spec_vectors() {
    let apps = Apps::new(&["1", "2", "3", "5"]);
    let files = router::<SuffixRouterConfig>(json!({ "suffixes": { "*.beep": "a1" } }), &apps);
    assert_eq!(
        route(&files, "/zonk/florp.beep").await.as_deref(),
        Some("1")
    );
    assert_eq!(route(&files, "/boop.beep/").await, None);
    let dirs = router::<SuffixRouterConfig>(
        json!({ "suffixes": { "*.beep": "a1" }, "handleFiles": false, "handleDirectories": true }),
        &apps,
    );
    assert_eq!(route(&dirs, "/boop.beep/").await.as_deref(), Some("1"));
    assert_eq!(route(&dirs, "/boop.beep").await, None);
    let star = router::<SuffixRouterConfig>(
        json!({ "suffixes": { "*": "a1", "*.x": "a2", "*.blorp": "a2" } }),
        &apps,
    );
    for path in ["/boop.bop", "/zonk", "/a/b/c/zonk", "/.bleep", "/bleepy"] {
        assert_eq!(route(&star, path).await.as_deref(), Some("1"), "{path}");
    }
    let longest = router::<SuffixRouterConfig>(
        json!({ "suffixes": { "*": "a2", "*.beep": "a2", "*.beep-bop": "a3", "*-bop": "a2", "*.bop": "a2" } }),
        &apps,
    );
    assert_eq!(
        route(&longest, "/zippity.beep-bop").await.as_deref(),
        Some("3")
    );
    let zorch = router::<SuffixRouterConfig>(json!({ "suffixes": { "*.zorch": "a1" } }), &apps);
    assert_eq!(route(&zorch, "/x/.zorch").await, None);
    assert_eq!(route(&zorch, "/").await, None);
    let no_fallback = router::<SuffixRouterConfig>(
        json!({ "suffixes": { "*": "a1", "*.z": "a2", "*.y.z": "a3", "*.x.y.z": "a4" } }),
        &apps,
    );
    apps.taken();
    assert_eq!(route(&no_fallback, "/a/b/c/dee.x.y.z").await, None);
    assert_eq!(apps.taken().len(), 1);
}
