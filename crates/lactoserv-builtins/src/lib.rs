//! The built-in applications and services of Lactoserv.
