//! The dashboard's shapes, from the `promocodes-model` crate.

pub use model::admin::*;
