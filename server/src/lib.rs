//! The Promocodes server process: configuration, the database (given or a
//! private cluster), the axum router around the Leptos app, and the demo seed.

pub mod admin;
pub mod api;
pub mod config;
pub mod db;
pub mod delivery;
pub mod jobs;
pub mod metrics;
pub mod plain_pages;
pub mod router;
pub mod shed;
pub mod stats;
pub mod throttle;
pub mod wake;
