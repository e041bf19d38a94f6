//! Tests of Health's bindings and answers.

use http::{Method, StatusCode};
use lactoserv_core::app::Application;
use lactoserv_core::bind::from_value;
use lactoserv_core::net::{Body, Dispatch, Request};
use lactoserv_core::readiness::Readiness;
use serde_json::{Value, json};

use super::running::Health;
use super::*;

fn checked(config: Value) -> Result<HealthConfig, BindError> {
    let mut config: HealthConfig = from_value(&config)?;
    config.validate()?;
    Ok(config)
}

#[test]
fn stop_delay_is_optional_and_bounded() {
    assert_eq!(checked(json!({})).unwrap().stop_delay, None);
    let config = checked(json!({ "stopDelay": "5 sec" })).unwrap();
    assert_eq!(config.stop_delay.unwrap().value(), 5.0);
    let err = checked(json!({ "stopDelay": "2 min" })).unwrap_err();
    assert!(err.to_string().contains("stopDelay"), "{err}");
    assert!(
        checked(json!({ "delay": "1 sec" })).is_err(),
        "unknown binding"
    );
}

fn status_and_text(health: &Health, method: Method) -> (StatusCode, String) {
    let request = Request::for_target(method, "/health").unwrap();
    let response = health
        .handle_now(&request, &Dispatch::root(&request))
        .unwrap()
        .unwrap()
        .unwrap()
        .finish(true);
    let text = match response.body {
        Body::Full(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
        other => panic!("{other:?}"),
    };
    (response.status, text)
}

#[test]
fn answers_follow_the_processs_readiness() {
    let readiness: &'static Readiness = Box::leak(Box::default());
    let health = Health::new(readiness);
    assert_eq!(
        status_and_text(&health, Method::GET),
        (StatusCode::SERVICE_UNAVAILABLE, "draining\n".into())
    );
    readiness.starting();
    readiness.started();
    assert_eq!(
        status_and_text(&health, Method::GET),
        (StatusCode::OK, "ready\n".into())
    );
    readiness.draining();
    assert_eq!(
        status_and_text(&health, Method::GET).0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        status_and_text(&health, Method::POST).0,
        StatusCode::FORBIDDEN
    );
}
