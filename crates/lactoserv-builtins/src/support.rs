//! Config value types shared by several built-ins.

pub(crate) mod answer;
pub(crate) mod background;
pub(crate) mod bindings;
pub(crate) mod cache_control;
pub(crate) mod compress;
pub(crate) mod content_type;
pub(crate) mod cookies;
pub(crate) mod etag;
pub(crate) mod log_file;
pub(crate) mod mime_table;
pub(crate) mod path_tree;
pub(crate) mod rate_limit;
pub(crate) mod rotate;
pub(crate) mod saver;
