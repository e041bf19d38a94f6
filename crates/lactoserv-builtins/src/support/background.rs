//! A service's background task (periodic writes and checks): started with
//! the service, told to end and awaited when it stops.

use std::future::Future;
use std::sync::{Mutex, PoisonError};

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// One background task and the signal that ends it.
#[derive(Debug)]
pub(crate) struct Background {
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Default for Background {
    fn default() -> Self {
        Self {
            stop: watch::channel(false).0,
            task: Mutex::new(None),
        }
    }
}

impl Background {
    /// Runs the task `make` builds; its argument changes when the task
    /// should end.
    pub(crate) fn start<F>(&self, make: impl FnOnce(watch::Receiver<bool>) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let task = tokio::spawn(make(self.stop.subscribe()));
        *self.task.lock().unwrap_or_else(PoisonError::into_inner) = Some(task);
    }

    /// Runs `work` (blocking file work) on a blocking thread now, then
    /// every `period` if there is one, until stopped.
    pub(crate) fn every(
        &self,
        period: Option<std::time::Duration>,
        work: impl Fn() + Send + Sync + 'static,
    ) {
        let work = std::sync::Arc::new(work);
        self.start(|mut stopped| async move {
            loop {
                let once = work.clone();
                let _ = tokio::task::spawn_blocking(move || once()).await;
                let Some(period) = period else { return };
                if !pause(period, &mut stopped).await {
                    return;
                }
            }
        });
    }

    /// Tells the task to end and waits until it has.
    pub(crate) async fn stop(&self) {
        let _ = self.stop.send(true);
        let task = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// Waits `period`; `false` if told to end first.
pub(crate) async fn pause(
    period: std::time::Duration,
    stopped: &mut watch::Receiver<bool>,
) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(period) => true,
        _ = stopped.changed() => false,
    }
}
