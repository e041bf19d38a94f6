//! The system log: Lactoserv's own structured, in-process event log
//! (Lactoserv `@this/loggy` and `@this/loggy-intf`, with the text layout of
//! `@this/texty`; spec part 01 §5). Not the OS syslog.
//!
//! Code logs through a [`Logger`] (a tag path plus a sink); events flow into
//! a [`LogStream`] that keeps recent history and fans them out to sinks such
//! as the [`StdoutSink`] of `--log-to-stdout`. Events render in the human
//! format ([`HumanFormatter`]) or as JSON lines ([`event_to_json`]).
//!
//! Layout:
//! - `value`: [`LogValue`], the logged form of every argument.
//! - `event`: [`LogEvent`], [`Logger`], [`LogSink`].
//! - `id`: connection/request IDs (`bn_8b1f9_00`).
//! - `stream`: [`LogStream`], ordering, history and fan-out.
//! - `text`: wrappable text (atoms and layout markers).
//! - `human`: the `human` / `humanStyled` formats.
//! - `json`: the `json` format.
//! - `stdout`: [`StdoutSink`].

mod event;
mod human;
mod id;
mod json;
mod stdout;
mod stream;
mod text;
mod value;

pub use event::{LogEvent, LogSink, Logger};
pub use human::{
    DEFAULT_WIDTH, FILE_MARKER, HumanFormatter, event_to_human, full_timestamp, value_to_human,
};
pub use id::{IdGenerator, new_id};
pub use json::{event_to_json, value_to_json};
pub use stdout::StdoutSink;
pub use stream::{HISTORY_SIZE, LogStream};
pub use value::{Functor, LogValue};
