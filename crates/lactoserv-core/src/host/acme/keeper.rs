//! Keeping an ACME host's certificate: one task per host (per store and
//! names, across reloads) that orders a certificate when the one served
//! is due for renewal (or is a temporary one), keeps it in the store and
//! puts it in the live TLS configuration. A failure is logged and tried
//! again later, backing off; the server goes on with what it has.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use rustls::crypto::CryptoProvider;

use super::AcmeConfig;
use super::challenges::Http01Tokens;
use super::order;
use super::stored::{self, Stored};
use crate::host::Hostname;
use crate::host::tls::KeySlot;
use crate::log::{LogValue, Logger};

/// The first wait after a failure; each one after doubles it.
const FIRST_BACKOFF: Duration = Duration::from_secs(10);

/// The longest wait after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 60 * 60);

/// The least time between a certificate's arrival and its renewal.
const MIN_RENEWAL: Duration = Duration::from_secs(1);

/// The longest a keeper sleeps at once: it looks at the wall clock
/// again after, so that a clock set forward, or a machine resumed from
/// sleep, does not delay a renewal.
const MAX_SLEEP: Duration = Duration::from_secs(60 * 60);

/// The http-01 answers of the process, shared by every `http` endpoint.
pub fn tokens() -> &'static Arc<Http01Tokens> {
    static TOKENS: std::sync::LazyLock<Arc<Http01Tokens>> = std::sync::LazyLock::new(Arc::default);
    &TOKENS
}

/// What a keeper looks after: its host, and the slots (one per running
/// configuration) its certificates go in.
#[derive(Debug)]
struct Kept {
    config: AcmeConfig,
    names: Vec<Hostname>,
    slots: Vec<Weak<KeySlot>>,
    logger: Logger,
}

/// The keepers running, by store directory and names.
type Keepers = Mutex<HashMap<(PathBuf, Vec<String>), Arc<Mutex<Kept>>>>;

fn keepers() -> &'static Keepers {
    static KEEPERS: std::sync::LazyLock<Keepers> = std::sync::LazyLock::new(Keepers::default);
    &KEEPERS
}

/// Has the certificate of the host with `config` and `names`, served from
/// `slot`, kept: by the keeper already running for them (a reload's
/// configuration), or by one started now, first renewing at `due`.
pub fn keep(
    config: &AcmeConfig,
    names: &[Hostname],
    slot: &Arc<KeySlot>,
    due: SystemTime,
    provider: &Arc<CryptoProvider>,
    logger: &Logger,
) {
    let key = (
        PathBuf::from(&config.store_directory),
        names.iter().map(|n| n.as_str().to_owned()).collect(),
    );
    let mut running = keepers().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(kept) = running.get(&key) {
        let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.slots.retain(|slot| slot.strong_count() > 0);
        kept.slots.push(Arc::downgrade(slot));
        kept.config = config.clone();
        kept.logger = logger.clone();
        return;
    }
    let kept = Arc::new(Mutex::new(Kept {
        config: config.clone(),
        names: names.to_vec(),
        slots: vec![Arc::downgrade(slot)],
        logger: logger.clone(),
    }));
    running.insert(key.clone(), kept.clone());
    tokio::spawn(run(key, kept, due, provider.clone()));
}

/// The keeper's task.
async fn run(
    key: (PathBuf, Vec<String>),
    kept: Arc<Mutex<Kept>>,
    mut due: SystemTime,
    provider: Arc<CryptoProvider>,
) {
    let mut failures: u32 = 0;
    loop {
        loop {
            let left = due.duration_since(SystemTime::now()).unwrap_or_default();
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(left.min(MAX_SLEEP)).await;
        }
        let (config, names, logger) = {
            let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
            kept.slots.retain(|slot| slot.strong_count() > 0);
            if kept.slots.is_empty() {
                // No configuration serves the host any more.
                keepers()
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&key);
                return;
            }
            (kept.config.clone(), kept.names.clone(), kept.logger.clone())
        };
        match renew(&config, &names, &provider, &logger).await {
            Ok(stored) => {
                failures = 0;
                let kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
                let key = Arc::new(stored.key.clone());
                for slot in kept.slots.iter().filter_map(Weak::upgrade) {
                    slot.replace(key.clone());
                }
                // Never at once again, whatever the authority dated it.
                due = stored.renew_at().max(SystemTime::now() + MIN_RENEWAL);
                logger.event("renewalScheduled", vec![moment(due)]);
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                due = SystemTime::now() + backoff(failures);
                logger.event("orderFailed", vec![LogValue::from(err), moment(due)]);
            }
        }
    }
}

/// Orders, keeps and reads back a certificate for `names`.
async fn renew(
    config: &AcmeConfig,
    names: &[Hostname],
    provider: &CryptoProvider,
    logger: &Logger,
) -> Result<Stored, String> {
    let store = PathBuf::from(&config.store_directory);
    make_store(&store).map_err(|err| format!("cannot make the store directory: {err}"))?;
    logger.event("ordering", vec![LogValue::from(config.directory())]);
    let account = order::account(config, &store)
        .await
        .map_err(|err| err.to_string())?;
    let issued = order::order(&account, config, names, tokens(), logger)
        .await
        .map_err(|err| err.to_string())?;
    stored::save(&store, names, &issued).map_err(|err| format!("cannot keep it: {err}"))?;
    let stored = stored::read(&issued.chain_pem, &issued.key_pem, provider)?;
    logger.event("issued", vec![moment(stored.not_after)]);
    Ok(stored)
}

/// Makes the store directory, readable by the server's user alone, if
/// it is not there.
fn make_store(store: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if store.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(store)
}

/// The wait after `failures` failures in a row: doubling from
/// [`FIRST_BACKOFF`] up to [`MAX_BACKOFF`], less up to a fifth at random
/// so that many servers do not come back to the authority at once.
pub fn backoff(failures: u32) -> Duration {
    let doubled = FIRST_BACKOFF.saturating_mul(1 << failures.saturating_sub(1).min(20));
    let wait = doubled.min(MAX_BACKOFF);
    let jitter = wait.mul_f64(f64::from(random_byte()) / 255.0 / 5.0);
    wait - jitter
}

fn random_byte() -> u8 {
    let mut byte = [0];
    let _ = rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut byte);
    byte[0]
}

/// `at` as the log writes moments.
fn moment(at: SystemTime) -> LogValue {
    let seconds = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    LogValue::from(crate::quant::Moment::new(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours_less_a_fifth_at_most() {
        for (failures, full) in [
            (1, 10),
            (2, 20),
            (3, 40),
            (12, 20_480),
            (13, 6 * 60 * 60),
            (40, 6 * 60 * 60),
        ] {
            let wait = backoff(failures);
            let full = Duration::from_secs(full);
            assert!(wait <= full && wait >= full * 4 / 5, "{failures}: {wait:?}");
        }
    }
}
