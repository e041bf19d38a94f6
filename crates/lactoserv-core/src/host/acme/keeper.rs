//! Keeping an ACME host's certificate: one task per host (per store and
//! names, across reloads) that orders a certificate when the one served
//! is due for renewal (or is a temporary one), keeps it in the store and
//! puts it in the live TLS configuration. A failure is logged and tried
//! again later, backing off, and no sooner than the authority's
//! `Retry-After`; the server goes on with what it has. When the authority
//! offers renewal information, it says when to renew.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use tokio::sync::Notify;

use super::AcmeConfig;
use super::challenges::Http01Tokens;
use super::renewal::{self, Suggestion};
use super::stored::{self, Stored};
use super::{client, order};
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
    /// Told as a slot goes, to see whether any is left.
    slot_gone: Arc<Notify>,
}

/// The keepers running, by store directory and names.
type Keepers = Mutex<HashMap<(PathBuf, Vec<String>), Arc<Mutex<Kept>>>>;

fn keepers() -> &'static Keepers {
    static KEEPERS: std::sync::LazyLock<Keepers> = std::sync::LazyLock::new(Keepers::default);
    &KEEPERS
}

/// Has the certificate of the host with `config` and `names`, served from
/// `slot`, kept: by the keeper already running for them (a reload's
/// configuration), or by one started now. `stored` says when the stored
/// certificate in the slot is due for renewal; `None`, a temporary one is
/// there, to be replaced at once.
pub fn keep(
    config: &AcmeConfig,
    names: &[Hostname],
    slot: &Arc<KeySlot>,
    stored: Option<SystemTime>,
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
        slot.notify_on_drop(kept.slot_gone.clone());
        kept.config = config.clone();
        kept.logger = logger.clone();
        return;
    }
    let slot_gone = Arc::new(Notify::new());
    slot.notify_on_drop(slot_gone.clone());
    let kept = Arc::new(Mutex::new(Kept {
        config: config.clone(),
        names: names.to_vec(),
        slots: vec![Arc::downgrade(slot)],
        logger: logger.clone(),
        slot_gone: slot_gone.clone(),
    }));
    running.insert(key.clone(), kept.clone());
    let now = SystemTime::now();
    let plan = Plan {
        due: stored.unwrap_or(now),
        // A stored certificate: the authority may want it renewed sooner.
        ask: stored.map(|_| now),
        leaf: stored.and_then(|_| slot.get().cert.first().cloned()),
    };
    tokio::spawn(run(key, kept, slot_gone, plan, provider.clone()));
}

/// What a keeper waits for.
struct Plan {
    /// When the certificate is to be renewed.
    due: SystemTime,
    /// When to ask the authority's renewal information next (never, when
    /// it offers none).
    ask: Option<SystemTime>,
    /// The certificate the authority issued that is served (none while a
    /// temporary one is).
    leaf: Option<CertificateDer<'static>>,
}

impl Plan {
    /// When the keeper has something to do next.
    fn next(&self) -> SystemTime {
        self.ask.map_or(self.due, |ask| ask.min(self.due))
    }

    /// Takes in what the authority suggests for the certificate, logging
    /// the renewal's moment if it moved.
    fn suggested(&mut self, answer: Result<Option<Suggestion>, String>, logger: &Logger) {
        match answer {
            Ok(Some(suggestion)) => {
                self.ask = Some(suggestion.ask_again);
                if suggestion.at != self.due {
                    self.due = suggestion.at;
                    let source = LogValue::from("renewalInfo");
                    logger.event("renewalScheduled", vec![moment(self.due), source]);
                }
            }
            Ok(None) => self.ask = None,
            Err(err) => {
                logger.event("renewalInfoFailed", vec![LogValue::from(err)]);
                self.ask = Some(SystemTime::now() + renewal::MIN_ASK);
            }
        }
    }
}

/// The keeper's task.
async fn run(
    key: (PathBuf, Vec<String>),
    kept: Arc<Mutex<Kept>>,
    slot_gone: Arc<Notify>,
    mut plan: Plan,
    provider: Arc<CryptoProvider>,
) {
    let mut failures: u32 = 0;
    loop {
        let mut current = still_kept(&key, &kept);
        loop {
            let left = plan
                .next()
                .duration_since(SystemTime::now())
                .unwrap_or_default();
            if left.is_zero() || current.is_none() {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(left.min(MAX_SLEEP)) => {}
                () = slot_gone.notified() => {}
            }
            current = still_kept(&key, &kept);
        }
        let Some((config, names, logger)) = current else {
            return;
        };
        if plan.due > SystemTime::now() {
            // Only the authority to ask about the certificate.
            if let Some(leaf) = plan.leaf.clone() {
                plan.suggested(ask(&config, &leaf).await, &logger);
            } else {
                plan.ask = None;
            }
            continue;
        }
        match renew(&config, &names, &provider, &logger).await {
            Ok((stored, suggestion)) => {
                failures = 0;
                let kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
                let key = Arc::new(stored.key.clone());
                for slot in kept.slots.iter().filter_map(Weak::upgrade) {
                    slot.replace(key.clone());
                }
                plan.leaf = stored.key.cert.first().cloned();
                // Never at once again, whatever the authority dated it.
                plan.due = stored.renew_at().max(SystemTime::now() + MIN_RENEWAL);
                logger.event(
                    "renewalScheduled",
                    vec![moment(plan.due), LogValue::from("lifetime")],
                );
                plan.suggested(suggestion, &logger);
                plan.due = plan.due.max(SystemTime::now() + MIN_RENEWAL);
            }
            Err((err, refused_until)) => {
                failures = failures.saturating_add(1);
                // The authority's `Retry-After` when it asks for longer.
                let wait = SystemTime::now() + backoff(failures);
                plan.due = refused_until.map_or(wait, |until| until.max(wait));
                logger.event("orderFailed", vec![LogValue::from(err), moment(plan.due)]);
            }
        }
    }
}

/// The host's bindings, names and logger, if some configuration still
/// serves it; if none does, the keeper is taken off the registry (and is
/// to stop).
fn still_kept(
    key: &(PathBuf, Vec<String>),
    kept: &Mutex<Kept>,
) -> Option<(AcmeConfig, Vec<Hostname>, Logger)> {
    // The registry first, as `keep` takes them: a reload's `keep` then
    // either finds this keeper before it looks, or a fresh registry after.
    let mut running = keepers().lock().unwrap_or_else(PoisonError::into_inner);
    let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
    kept.slots.retain(|slot| slot.strong_count() > 0);
    if kept.slots.is_empty() {
        running.remove(key);
        kept.logger.event("stopped", Vec::new());
        return None;
    }
    Some((kept.config.clone(), kept.names.clone(), kept.logger.clone()))
}

/// The authority's suggestion for `leaf`.
async fn ask(config: &AcmeConfig, leaf: &CertificateDer<'_>) -> Result<Option<Suggestion>, String> {
    let (http, _) = client::client(config.directory_root())?;
    let store = PathBuf::from(&config.store_directory);
    let Some(account) = order::account(config, &store, http, false)
        .await
        .map_err(|err| err.to_string())?
    else {
        // No account, so no certificate of the authority's to ask about.
        return Ok(None);
    };
    renewal::ask(&account, leaf, random_fraction()).await
}

/// Orders, keeps and reads back a certificate for `names`, and asks the
/// authority when to renew it. A failure comes with the moment the
/// authority asked not to be asked again before, if it did.
async fn renew(
    config: &AcmeConfig,
    names: &[Hostname],
    provider: &CryptoProvider,
    logger: &Logger,
) -> Result<(Stored, Result<Option<Suggestion>, String>), (String, Option<SystemTime>)> {
    let (http, refused) = client::client(config.directory_root()).map_err(|err| (err, None))?;
    let failed = |err: String| (err, refused.latest());
    let store = PathBuf::from(&config.store_directory);
    make_store(&store).map_err(|err| failed(format!("cannot make the store directory: {err}")))?;
    logger.event("ordering", vec![LogValue::from(config.directory())]);
    let account = order::account(config, &store, http, true)
        .await
        .map_err(|err| failed(err.to_string()))?
        .ok_or_else(|| failed("no account".to_owned()))?;
    let issued = order::order(&account, config, names, tokens(), logger)
        .await
        .map_err(|err| failed(err.to_string()))?;
    stored::save(&store, names, &issued).map_err(|err| failed(format!("cannot keep it: {err}")))?;
    let stored = stored::read(&issued.chain_pem, &issued.key_pem, provider).map_err(failed)?;
    logger.event("issued", vec![moment(stored.not_after)]);
    let suggestion = match stored.key.cert.first() {
        Some(leaf) => renewal::ask(&account, leaf, random_fraction()).await,
        None => Ok(None),
    };
    Ok((stored, suggestion))
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
    wait - wait.mul_f64(random_fraction() / 5.0)
}

/// A number picked at random in [0, 1).
fn random_fraction() -> f64 {
    let mut bytes = [0; 4];
    let _ = rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut bytes);
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
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
