//! The integration tests, one binary (one link, `common` compiled once):
//! the real router, core and database, a module per subject. The tests that
//! start server processes or time themselves under load (`crash`,
//! `delivery_crash`, `load`) and the long hostile-input run (`fuzz`) are
//! binaries of their own, so nothing else runs beside them.

#[path = "../common/mod.rs"]
mod common;

mod abuse;
mod activation;
mod admin;
mod api;
mod api_codes;
mod api_stats;
mod codes;
mod concurrency;
mod delivery;
mod events;
mod growth;
mod hardening_accounts;
mod hardening_input;
mod http;
mod jobs;
mod pipeline;
mod references;
mod stats;
mod stats_pages;
