//! Statistics: the rollups the reports read (`rollup` keeps them, the
//! statistics migration defines them), the reports of a code, a scope and
//! the whole service, and engagement and retention.

pub mod code;
pub mod retention;
pub mod rollup;
pub mod scope;
pub mod service;
