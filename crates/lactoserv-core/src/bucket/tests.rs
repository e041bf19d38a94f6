//! The bucket on tokio's paused clock, against the spec's timings.

use super::*;

fn bucket(burst: f64, rate: f64, queue: Option<f64>) -> Arc<TokenBucket> {
    TokenBucket::new(BucketSettings {
        flow_rate: rate,
        max_burst: burst,
        initial_burst: burst,
        max_queue: queue,
        max_queue_grant: queue.unwrap_or(burst).min(burst),
    })
}

#[tokio::test(start_paused = true)]
async fn grants_at_once_then_queues_then_denies() {
    // burst 2, 1/s, queue 2: of 6 requests at once, 2 now, 2 queued (at
    // +1 s and +2 s), 2 denied.
    let bucket = bucket(2.0, 1.0, Some(2.0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let bucket = bucket.clone();
        tasks.push(tokio::spawn(async move {
            let grant = bucket.request(1.0, 1.0).await;
            (grant.done, grant.reason, Instant::now() - start)
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results.sort_by_key(|(_, _, at)| *at);
    let granted: Vec<Duration> = results.iter().filter(|r| r.0).map(|r| r.2).collect();
    assert_eq!(
        granted,
        [
            Duration::ZERO,
            Duration::ZERO,
            Duration::from_secs(1),
            Duration::from_secs(2)
        ]
    );
    let denied = results.iter().filter(|r| r.1 == Reason::Full).count();
    assert_eq!(denied, 2);
}

#[tokio::test(start_paused = true)]
async fn tokens_refill_at_the_flow_rate_up_to_the_burst() {
    let bucket = bucket(10.0, 3.0, None);
    for _ in 0..10 {
        assert!(bucket.request(1.0, 1.0).await.done);
    }
    let start = Instant::now();
    let grant = bucket.request(1.0, 1.0).await;
    assert!(grant.done);
    let waited = Instant::now() - start;
    assert!(
        waited >= Duration::from_millis(333) && waited <= Duration::from_millis(334),
        "{waited:?}"
    );
    tokio::time::advance(Duration::from_secs(100)).await;
    let most = bucket.request(1.0, 100.0).await;
    assert_eq!(most.grant, 10.0, "never more than the burst");
}

#[tokio::test(start_paused = true)]
async fn the_queue_is_first_in_first_out() {
    let bucket = bucket(1.0, 1.0, None);
    assert!(bucket.request(1.0, 1.0).await.done);
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for n in 0..4 {
        let (bucket, order) = (bucket.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            bucket.request(1.0, 1.0).await;
            order.lock().unwrap().push(n);
        }));
        tokio::task::yield_now().await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3]);
}

#[tokio::test(start_paused = true)]
async fn denying_all_ends_the_queue() {
    let bucket = TokenBucket::new(BucketSettings {
        flow_rate: 1.0,
        max_burst: 1.0,
        initial_burst: 0.0,
        max_queue: None,
        max_queue_grant: 1.0,
    });
    let waiting = {
        let bucket = bucket.clone();
        tokio::spawn(async move { bucket.request(1.0, 1.0).await })
    };
    tokio::task::yield_now().await;
    bucket.deny_all();
    let grant = waiting.await.unwrap();
    assert_eq!((grant.done, grant.reason), (false, Reason::Stopping));
    assert_eq!(bucket.request(1.0, 1.0).await.reason, Reason::Stopping);
}

fn settings(initial: f64, queue: Option<f64>, queue_grant: f64) -> BucketSettings {
    BucketSettings {
        flow_rate: 1.0,
        max_burst: 10_000.0,
        initial_burst: initial,
        max_queue: queue,
        max_queue_grant: queue_grant,
    }
}

/// Starts `request(min, max)` on its own task and lets it queue.
async fn queued(bucket: &Arc<TokenBucket>, min: f64, max: f64) -> tokio::task::JoinHandle<Grant> {
    let bucket = bucket.clone();
    let task = tokio::spawn(async move { bucket.request(min, max).await });
    tokio::task::yield_now().await;
    task
}

#[tokio::test(start_paused = true)]
async fn immediate_grants_follow_the_spec_vectors() {
    let b = TokenBucket::new(settings(123.0, None, 10_000.0));
    let grant = b.request(123.0, 123.0).await;
    assert_eq!(
        (grant.done, grant.grant, grant.reason),
        (true, 123.0, Reason::Grant)
    );
    // The queue grant limit does not cap an immediate grant.
    let b = TokenBucket::new(settings(321.0, None, 10.0));
    assert_eq!(b.request(300.0, 300.0).await.grant, 300.0);
    let b = TokenBucket::new(settings(0.0, None, 100.0));
    let grant = b.request(0.0, 25.0).await;
    assert_eq!((grant.done, grant.grant), (true, 0.0));
    let b = TokenBucket::new(settings(96.0, None, 100.0));
    assert_eq!(b.request(0.0, 100.0).await.grant, 96.0);
    // Whole tokens only: 12 of 12.34.
    let b = TokenBucket::new(settings(12.34, None, 100.0));
    assert_eq!(b.request(10.0, 20.0).await.grant, 12.0);
}

#[tokio::test(start_paused = true)]
async fn queued_requests_follow_the_spec_vectors() {
    let b = TokenBucket::new(settings(0.0, Some(100.0), 100.0));
    let first = queued(&b, 100.0, 100.0).await;
    let grant = b.request(1.0, 1.0).await;
    assert_eq!((grant.done, grant.reason), (false, Reason::Full));
    // With waiters, a request that can take nothing is done at once.
    assert_eq!(b.request(0.0, 123.0).await, granted(0.0, Duration::ZERO));
    tokio::time::advance(Duration::from_secs(100)).await;
    assert_eq!(first.await.unwrap().grant, 100.0);

    let b = TokenBucket::new(settings(0.0, None, 100.0));
    let grant = queued(&b, 25.0, 50.0).await;
    let grant = grant.await.unwrap();
    assert_eq!((grant.grant, grant.waited), (50.0, Duration::from_secs(50)));

    let b = TokenBucket::new(settings(0.0, None, 100.0));
    let tasks = [
        queued(&b, 10.0, 10.0).await,
        queued(&b, 20.0, 20.0).await,
        queued(&b, 30.0, 30.0).await,
    ];
    let mut waits = Vec::new();
    for task in tasks {
        waits.push(task.await.unwrap().waited.as_secs());
    }
    assert_eq!(waits, [10, 30, 60]);
}

#[tokio::test(start_paused = true)]
async fn denial_at_stop_reports_the_wait() {
    let b = TokenBucket::new(settings(0.0, None, 100.0));
    let tasks = [
        queued(&b, 1.0, 1.0).await,
        queued(&b, 2.0, 2.0).await,
        queued(&b, 3.0, 3.0).await,
    ];
    tokio::time::advance(Duration::from_millis(987)).await;
    b.deny_all();
    for task in tasks {
        let grant = task.await.unwrap();
        assert_eq!((grant.done, grant.reason), (false, Reason::Stopping));
        assert_eq!(grant.waited, Duration::from_millis(987));
    }
}

#[tokio::test(start_paused = true)]
async fn a_counted_bucket_counts_what_it_grants_queues_and_denies() {
    use crate::metrics::{LimiterMetrics, Named};

    let counts = Arc::new(LimiterMetrics::new("limit"));
    let bucket = TokenBucket::counted(
        BucketSettings {
            flow_rate: 1.0,
            max_burst: 2.0,
            initial_burst: 2.0,
            max_queue: Some(1.0),
            max_queue_grant: 1.0,
        },
        Some(counts.clone()),
    );
    // One granted without waiting, one at once through `request`, one
    // queued then granted a second later, one denied with the queue full.
    assert_eq!(bucket.grant_now(1.0, 1.0), Some(1.0));
    assert!(bucket.request(1.0, 1.0).await.done);
    let queued = tokio::spawn({
        let bucket = bucket.clone();
        async move { bucket.request(1.0, 1.0).await }
    });
    tokio::task::yield_now().await;
    assert!(!bucket.request(1.0, 1.0).await.done, "the queue is full");
    assert_eq!(counts.outcomes(), [2, 1, 1], "granted, queued, denied");
    assert!(queued.await.unwrap().done);
    assert_eq!(counts.outcomes(), [3, 1, 1]);
    // Asks of a stopping bucket are denials.
    bucket.deny_all();
    assert!(!bucket.request(1.0, 1.0).await.done);
    assert_eq!(counts.outcomes(), [3, 1, 2]);
}
