use lactoserv_core::bind::from_value;
use serde_json::{Value, json};

use super::*;

fn bind<K: TokenKind>(bindings: &Value) -> Result<RateLimitConfig<K>, BindError> {
    let config: RateLimitConfig<K> = from_value(bindings)?;
    config.validate()?;
    Ok(config)
}

fn bind_err<K: TokenKind>(bindings: &Value) -> BindError {
    match bind::<K>(bindings) {
        Ok(config) => panic!("accepted {bindings}: {config:?}"),
        Err(err) => err,
    }
}

#[test]
fn accepts_the_reference_examples() {
    let conn =
        json!({"maxBurst": "5 conn", "flowRate": "1 conn per second", "maxQueue": "15 conn"});
    bind::<ConnectionTokens>(&conn).unwrap();
    let data = json!({
        "maxBurst": "100 KiB", "flowRate": "10 KiB per sec", "initialBurst": "1 KiB",
        "maxQueue": "1 MiB", "maxQueueGrant": "50 KiB", "verboseLogging": true
    });
    assert!(bind::<ByteTokens>(&data).unwrap().verbose_logging);
    for data in [
        json!({"flowRate": "10 MiB/sec", "maxBurst": "100 KiB"}),
        json!({"flowRate": "10 MiB/sec", "maxBurst": "100 KiB", "maxQueue": "123 MiB"}),
        json!({"flowRate": "10 MiB/sec", "maxBurst": "100 KiB", "maxQueueGrant": "10000 byte"}),
    ] {
        bind::<ByteTokens>(&data).unwrap();
    }
}

#[test]
fn resolves_bucket_settings_with_defaults() {
    let data = bind::<ByteTokens>(&json!({
        "initialBurst": "100 KiB", "maxBurst": "1 MiB", "flowRate": "100 KiB / sec",
        "maxQueueGrant": "50 KiB", "maxQueue": "2 MiB"
    }))
    .unwrap();
    assert_eq!(data.flow_rate.value(), 102_400.0);
    assert_eq!(data.initial_tokens(), 102_400.0);
    assert_eq!(data.max_burst.value(), 1_048_576.0);
    assert_eq!(data.queue_grant_tokens(), 51_200.0);
    assert_eq!(data.max_queue.map(ByteCount::value), Some(2_097_152.0));
    assert!(!data.verbose_logging);

    let conn = bind::<ConnectionTokens>(
        &json!({"maxBurst": "10 conn", "flowRate": "3 conn per sec", "maxQueue": "25 conn"}),
    )
    .unwrap();
    assert_eq!(conn.flow_rate.value(), 3.0);
    assert_eq!(conn.initial_tokens(), 10.0);
    assert_eq!(conn.queue_grant_tokens(), 10.0);

    let small_queue =
        json!({"maxBurst": "10 conn", "flowRate": "1 conn/sec", "maxQueue": "4 conn"});
    let small_queue = bind::<ConnectionTokens>(&small_queue).unwrap();
    assert_eq!(small_queue.queue_grant_tokens(), 4.0);
}

#[test]
fn rejects_missing_or_non_positive_flow_rate() {
    let err = bind_err::<ConnectionTokens>(&json!({"maxBurst": "5 conn"}));
    assert_eq!(err.message, "Missing required property: `flowRate`");
    let err =
        bind_err::<ConnectionTokens>(&json!({"maxBurst": "5 conn", "flowRate": "0 conn/sec"}));
    assert_eq!(err.field, "flowRate");
    // A rate of another kind of token, or a plain frequency, is not a flow rate.
    for rate in ["1 Hz", "600 req per min", "1 /sec", "100_florp/splat"] {
        let err = bind_err::<ConnectionTokens>(&json!({"maxBurst": "5 conn", "flowRate": rate}));
        assert_eq!(err.field, "flowRate", "{rate}");
    }
}

#[test]
fn rejects_bad_max_burst() {
    let err = bind_err::<ConnectionTokens>(&json!({"flowRate": "1 conn/sec"}));
    assert_eq!(err.message, "Missing required property: `maxBurst`");
    let err = bind_err::<ConnectionTokens>(&json!({"flowRate": "1 conn/sec", "maxBurst": 5}));
    assert_eq!(
        (err.field.as_str(), err.message.as_str()),
        ("maxBurst", "Cannot parse value: 5")
    );
    for burst in [
        json!(null),
        json!("5"),
        json!("0 conn"),
        json!("0.5 conn"),
        json!("zonk!"),
    ] {
        let err =
            bind_err::<ConnectionTokens>(&json!({"flowRate": "1 conn/sec", "maxBurst": burst}));
        assert_eq!(err.field, "maxBurst", "{burst}");
    }
    let err = bind_err::<ByteTokens>(&json!({"flowRate": "1 B/sec", "maxBurst": "1e101 B"}));
    assert_eq!(err.field, "maxBurst");
    let err = bind_err::<ByteTokens>(&json!({"flowRate": "1 B/sec", "maxBurst": "100 conn"}));
    assert_eq!(err.field, "maxBurst");
}

#[test]
fn accepts_initial_burst_from_zero_to_max_burst() {
    for initial in ["0 conn", "0.5 conn", "2.5 conn", "5 conn"] {
        let config =
            json!({"flowRate": "1 conn/sec", "maxBurst": "5 conn", "initialBurst": initial});
        let config = bind::<ConnectionTokens>(&config).unwrap();
        assert_eq!(
            config.initial_tokens().to_string(),
            initial.trim_end_matches(" conn")
        );
    }
    let config = json!({"flowRate": "1 req/sec", "maxBurst": "5 req", "initialBurst": null});
    assert_eq!(
        bind::<RequestTokens>(&config).unwrap().initial_tokens(),
        5.0
    );
}

#[test]
fn rejects_initial_burst_outside_zero_to_max_burst() {
    for initial in ["6 conn", "-1 conn", "blorp!"] {
        let config =
            json!({"flowRate": "1 conn/sec", "maxBurst": "5 conn", "initialBurst": initial});
        let err = bind_err::<ConnectionTokens>(&config);
        assert_eq!(err.field, "initialBurst", "{initial}");
    }
}

#[test]
fn rejects_max_queue_below_one() {
    for queue in ["0 conn", "0.5 conn", "1e101 conn"] {
        let config = json!({"flowRate": "1 conn/sec", "maxBurst": "5 conn", "maxQueue": queue});
        assert_eq!(
            bind_err::<ConnectionTokens>(&config).field,
            "maxQueue",
            "{queue}"
        );
    }
}

#[test]
fn rejects_max_queue_grant_except_on_byte_limiters() {
    let null_grant = json!({"flowRate": "1 conn/sec", "maxBurst": "5 conn", "maxQueueGrant": null});
    bind::<ConnectionTokens>(&null_grant).unwrap();
    for grant in [json!("100 req"), json!(12), json!("florp")] {
        let config = json!({"flowRate": "1 req/sec", "maxBurst": "10 req", "maxQueueGrant": grant});
        let err = bind_err::<RequestTokens>(&config);
        assert_eq!(err.field, "maxQueueGrant");
        assert_eq!(
            err.message,
            "`maxQueueGrant` does not make sense for this kind of rate limiter."
        );
    }
}

#[test]
fn rejects_max_queue_grant_above_burst_or_queue() {
    let base = |grant: &str| json!({"flowRate": "1 KiB/sec", "maxBurst": "10 KiB", "maxQueue": "5 KiB", "maxQueueGrant": grant});
    bind::<ByteTokens>(&base("5 KiB")).unwrap();
    for grant in ["6 KiB", "0 B", "0.5 B"] {
        assert_eq!(
            bind_err::<ByteTokens>(&base(grant)).field,
            "maxQueueGrant",
            "{grant}"
        );
    }
    let no_queue =
        json!({"flowRate": "1 KiB/sec", "maxBurst": "10 KiB", "maxQueueGrant": "11 KiB"});
    assert_eq!(bind_err::<ByteTokens>(&no_queue).field, "maxQueueGrant");
}

#[test]
fn takes_verbose_logging_only_on_byte_limiters() {
    let config = json!({"flowRate": "1 conn/sec", "maxBurst": "5 conn", "verboseLogging": true});
    let err = bind_err::<ConnectionTokens>(&config);
    assert!(
        err.message.starts_with("Extra property: `verboseLogging`"),
        "{err}"
    );
    let config = json!({"flowRate": "1 B/sec", "maxBurst": "5 B", "verboseLogging": "true"});
    assert_eq!(bind_err::<ByteTokens>(&config).field, "verboseLogging");
}

#[test]
fn accepts_the_request_limiter_vectors() {
    for config in [
        json!({"flowRate": "1 req/sec", "maxBurst": "10 req"}),
        json!({"flowRate": "1000 request/min", "maxBurst": "5 request", "initialBurst": "2 request"}),
        json!({"flowRate": "1000 request/min", "maxBurst": "5 request", "maxQueue": "100 request"}),
        json!({"flowRate": "5 r per min", "maxBurst": "1 r"}),
    ] {
        bind::<RequestTokens>(&config).unwrap();
    }
}
