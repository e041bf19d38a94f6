//! The sink behind `--log-to-stdout`: the human format on standard output,
//! written by a thread of its own so logging never waits on the terminal
//! (Lactoserv's `TextFileSink` on `/dev/stdout` as set up by the main
//! program; spec LOG-27 to LOG-31).

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::event::{LogEvent, LogSink};
use super::human::{DEFAULT_WIDTH, HumanFormatter};

/// How long written text may wait to be batched with more (LOG-13, LOG-28).
const BUFFER_PERIOD: Duration = Duration::from_millis(100);

/// A running stdout sink. Attach [`StdoutSink::sink`] to the log stream;
/// call [`StdoutSink::finish`] just before the process exits so the last
/// events are written (LOG-31). Dropping it finishes it too.
#[derive(Debug)]
pub struct StdoutSink {
    sender: Option<Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

enum Message {
    Event(Box<LogEvent>),
    Flush(Sender<()>),
    Stop,
}

impl StdoutSink {
    /// Starts a sink on standard output: styled (`humanStyled`) when it is a
    /// terminal, plain `human` otherwise. The width is the terminal's
    /// `COLUMNS` minus one when known, else 119 (LOG-18).
    pub fn start() -> std::io::Result<Self> {
        let terminal = std::io::stdout().is_terminal();
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0);
        let width = match (terminal, columns) {
            (true, Some(columns)) => columns - 1,
            _ => DEFAULT_WIDTH,
        };
        Self::with_writer(
            Box::new(std::io::stdout()),
            HumanFormatter::new(terminal, width),
        )
    }

    /// Starts a sink writing what `formatter` makes to `writer`.
    pub fn with_writer(
        writer: Box<dyn Write + Send>,
        formatter: HumanFormatter,
    ) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("log-stdout".to_owned())
            .spawn(move || run(&receiver, writer, formatter))?;
        Ok(Self {
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    /// The function to attach to a log stream or give to a logger.
    pub fn sink(&self) -> LogSink {
        let sender = self.sender.clone();
        std::sync::Arc::new(move |event: &LogEvent| {
            if let Some(sender) = &sender {
                // A stopped writer thread means the process is exiting;
                // the event has nowhere to go.
                let _ = sender.send(Message::Event(Box::new(event.clone())));
            }
        })
    }

    /// Waits until everything sent so far has been written.
    pub fn flush(&self) {
        if let Some(sender) = &self.sender {
            let (ack, done) = mpsc::channel();
            if sender.send(Message::Flush(ack)).is_ok() {
                let _ = done.recv();
            }
        }
    }

    /// Writes everything sent so far and stops the writer thread. Events
    /// sent later through [`StdoutSink::sink`] handles are dropped.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(sender) = self.sender.take() {
            // Queued after everything sent so far, so all of that is
            // written before the thread ends.
            let _ = sender.send(Message::Stop);
        }
        if let Some(thread) = self.thread.take() {
            // The thread only writes; a panic there has nothing to report.
            let _ = thread.join();
        }
    }
}

impl Drop for StdoutSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The writer thread: formats events as they come, writes them when the
/// buffer period after the first unwritten one has passed (or on a flush).
fn run(
    receiver: &Receiver<Message>,
    mut writer: Box<dyn Write + Send>,
    mut formatter: HumanFormatter,
) {
    let mut pending = String::new();
    let mut deadline: Option<Instant> = None;
    let mut write_out = |pending: &mut String| {
        // Nothing can be done about a closed or failing stdout; the log is
        // best-effort there.
        let _ = writer.write_all(pending.as_bytes());
        let _ = writer.flush();
        pending.clear();
    };
    loop {
        let message = match deadline {
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(at) => receiver.recv_timeout(at.saturating_duration_since(Instant::now())),
        };
        match message {
            Ok(Message::Event(event)) => {
                pending.push_str(&formatter.format(&event));
                deadline.get_or_insert_with(|| Instant::now() + BUFFER_PERIOD);
            }
            Ok(Message::Flush(ack)) => {
                write_out(&mut pending);
                deadline = None;
                let _ = ack.send(());
            }
            Err(RecvTimeoutError::Timeout) => {
                write_out(&mut pending);
                deadline = None;
            }
            Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => {
                write_out(&mut pending);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::log::{LogStream, LogValue};
    use crate::quant::Moment;

    /// A writer whose output the test can read.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_separator_and_events_by_the_time_it_is_flushed() {
        let out = Shared::default();
        let sink = StdoutSink::with_writer(Box::new(out.clone()), HumanFormatter::new(false, 119))
            .unwrap();
        let stream = LogStream::new();
        let logger = stream.logger("main");
        logger.event_at(
            Moment::new(1_795_798_576.774_45),
            "imported",
            vec!["x".into()],
        );
        stream.attach(sink.sink());
        logger.child("system").event_at(
            Moment::new(1_795_798_577.5),
            "started",
            Vec::<LogValue>::new(),
        );
        sink.flush();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "\n------------------------- 2026-11-27 16:56:16.7744 -------------------------\n\
             :16.7744 main imported('x')\n\
             :17.5000 main.system started()\n"
        );
        sink.finish();
    }
}
