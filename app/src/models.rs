//! The shapes shared with the browser live in the `promocodes-model` crate;
//! the app reads them here.

pub use model::*;
