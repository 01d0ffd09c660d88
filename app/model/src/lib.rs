//! The shapes shared by the server and the browser (compiled to wasm too):
//! what players and admins see, why something was refused, and the forms'
//! field errors. No database and no web types; the core fills them.

pub mod admin;
pub mod growth;
pub mod player;

pub use player::*;
