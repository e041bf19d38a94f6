//! The router driver, with a router that tries its targets in order (the
//! second one past the first path component) and recording targets.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};

use super::*;
use crate::log::{LogEvent, LogSink, Logger};
use crate::net::{Body, Response};

/// Which targets were asked, by name, through `handle_request`.
type Asked = Arc<Mutex<Vec<String>>>;

struct Recorder {
    name: &'static str,
    answers: bool,
    /// Also answers at once.
    now: bool,
    asked: Asked,
}

impl Recorder {
    fn handled(&self) -> Handled {
        Ok(self.answers.then(|| {
            let text = Bytes::from_static(self.name.as_bytes());
            Response::full(StatusCode::OK, HeaderValue::from_static("text/plain"), text)
        }))
    }
}

#[async_trait]
impl Application for Recorder {
    async fn handle_request(&self, _: &Request, _: &Dispatch<'_>) -> Handled {
        self.asked.lock().unwrap().push(self.name.to_owned());
        self.handled()
    }

    fn handle_now(&self, _: &Request, _: &Dispatch<'_>) -> Option<Handled> {
        self.now.then(|| self.handled())
    }
}

/// Tries its targets in order; the second sees the path past its first
/// component.
struct InOrder(Vec<Target>);

impl Router for InOrder {
    fn choose<'r, 'a>(
        &'r self,
        _: &Request,
        dispatch: &Dispatch<'a>,
        attempt: usize,
    ) -> Choice<'r, 'a> {
        let below = match attempt {
            1 => dispatch.advance(1),
            _ => Some(*dispatch),
        };
        match (self.0.get(attempt), below) {
            (Some(target), Some(below)) => Choice::To(target, below),
            _ => Choice::NotHandled(None),
        }
    }

    fn event(&self, _: &Request, choice: &Choice<'_, '_>) -> Option<(&'static str, LogValue)> {
        match choice {
            Choice::To(target, below) => Some((
                "trying",
                format!("{} {}", target.name(), below.base()).into(),
            )),
            Choice::NotHandled(_) => None,
        }
    }
}

/// A router over targets `a`, `b`, `c`, of which those in `answering`
/// answer, at once too when `now`.
fn router(answering: &str, now: bool) -> (AppRef, Asked) {
    let asked = Asked::default();
    let targets = ["a", "b", "c"]
        .into_iter()
        .map(|name| Target {
            name: name.into(),
            app: Arc::new(Recorder {
                name,
                answers: answering.contains(name),
                now,
                asked: asked.clone(),
            }),
        })
        .collect();
    (Routing::app(InOrder(targets)), asked)
}

fn body(handled: Handled) -> Option<String> {
    match handled.unwrap()?.body {
        Body::Full(bytes) => Some(String::from_utf8(bytes.to_vec()).unwrap()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_declined_choice_leads_to_the_next_until_one_answers() {
    let request = Request::for_target(Method::GET, "/x/y").unwrap();
    let (app, asked) = router("bc", false);
    let answer = app
        .handle_request(&request, &Dispatch::root(&request))
        .await;
    assert_eq!(body(answer).as_deref(), Some("b"));
    assert_eq!(*asked.lock().unwrap(), ["a", "b"]);

    let (app, asked) = router("", false);
    let answer = app
        .handle_request(&request, &Dispatch::root(&request))
        .await;
    assert_eq!(body(answer), None);
    assert_eq!(*asked.lock().unwrap(), ["a", "b", "c"]);
}

#[tokio::test]
async fn the_walk_at_once_answers_as_the_walk_that_waits() {
    let request = Request::for_target(Method::GET, "/x/y").unwrap();
    for answering in ["", "a", "b", "c", "bc"] {
        let (app, asked) = router(answering, true);
        let dispatch = Dispatch::root(&request);
        let now = app
            .handle_now(&request, &dispatch)
            .expect("every target answers at once");
        assert!(
            asked.lock().unwrap().is_empty(),
            "answering at once has no effect"
        );
        let later = app.handle_request(&request, &dispatch).await;
        assert_eq!(body(now), body(later), "{answering}");
    }
}

#[test]
fn a_target_that_cannot_answer_at_once_makes_the_router_wait() {
    let request = Request::for_target(Method::GET, "/x/y").unwrap();
    let (app, _) = router("c", false);
    assert!(
        app.handle_now(&request, &Dispatch::root(&request))
            .is_none()
    );
}

#[tokio::test]
async fn each_choice_is_logged_when_dispatch_logging_is_on() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink_seen = seen.clone();
    let sink: LogSink =
        Arc::new(move |event: &LogEvent| sink_seen.lock().unwrap().push(event.clone()));
    let logger = Logger::new("dispatch", sink);
    let request = Request::for_target(Method::GET, "/x/y").unwrap();
    let (app, _) = router("b", true);
    let dispatch = Dispatch::root(&request).with_logger(Some(&logger));
    assert!(
        app.handle_now(&request, &dispatch).is_none(),
        "logged choices take the long way"
    );
    let answer = app.handle_request(&request, &dispatch).await;
    assert_eq!(body(answer).as_deref(), Some("b"));
    let events: Vec<(String, LogValue)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|event| (event.kind.clone(), event.args[0].clone()))
        .collect();
    assert_eq!(
        events,
        [
            ("trying".to_owned(), LogValue::from("a ")),
            ("trying".to_owned(), LogValue::from("b /x")),
        ]
    );
}
