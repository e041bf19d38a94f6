//! The running SyslogToFile (spec 04 §A.11): every system-log event, from
//! the ones still retained at start onwards, written to a file as human
//! text (a page break first, a timestamp line each minute) or one JSON
//! object per line.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lactoserv_core::log::{
    FILE_MARKER, HumanFormatter, LogEvent, LogStream, Logger, event_to_json,
};
use lactoserv_core::service::Fate;
use lactoserv_core::service::{Service, ServiceError};

use super::LogFormat;
use crate::support::log_file::LogFile;

/// The width human-format lines are wrapped to in a file.
const FILE_WIDTH: usize = 119;

#[derive(Debug)]
pub(crate) struct SyslogToFile {
    file: Arc<LogFile>,
    format: LogFormat,
    stream: Arc<LogStream>,
    logger: Logger,
}

impl SyslogToFile {
    pub(crate) fn new(
        file: LogFile,
        format: LogFormat,
        stream: Arc<LogStream>,
        logger: Logger,
    ) -> Self {
        Self {
            file: Arc::new(file),
            format,
            stream,
            logger,
        }
    }
}

#[async_trait]
impl Service for SyslogToFile {
    async fn start(&self) -> Result<(), ServiceError> {
        self.file.start().await;
        let push = self.file.pusher();
        let sink: Arc<dyn Fn(&LogEvent) + Send + Sync> = match self.format {
            LogFormat::Json => Arc::new(move |event: &LogEvent| push(&event_to_json(event))),
            human => {
                let styled = human == LogFormat::HumanStyled;
                let state = Mutex::new((HumanFormatter::new(styled, FILE_WIDTH), true));
                Arc::new(move |event: &LogEvent| {
                    let mut state = state
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let (formatter, first) = &mut *state;
                    let mut text = formatter.format(event);
                    if std::mem::take(first) {
                        text.insert_str(0, FILE_MARKER);
                    }
                    push(&text);
                })
            }
        };
        self.stream.attach(sink);
        Ok(())
    }

    async fn stop(&self, _fate: Fate) {
        // The marker a successor (after a reload) starts after.
        self.logger.event("finalLoggedEvent", Vec::new());
        self.file.stop().await;
    }
}
