//! End-to-end tests: the real `lactoserv` binary, run on real config files.

mod access_logs;
mod acme;
mod attacks;
mod cli;
mod clients;
mod compression;
mod container;
mod deployment;
mod dry_run;
mod empty_bodies;
mod files;
mod floods;
mod framework;
mod heads;
mod health;
mod http1;
mod http2;
mod http3;
mod limits;
mod metrics;
mod operations;
mod routing;
mod serve;
mod server;
mod services;
mod util;
