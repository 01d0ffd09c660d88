//! The domain core (server only): promo-code text, reward math and the
//! activation that every reward path goes through. Functions here take a
//! database connection, never a Leptos or HTTP context.

pub mod abuse;
pub mod activation;
pub mod admin_views;
pub mod admins;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod code_text;
pub mod codes;
pub mod csv_io;
pub mod demo;
pub mod error;
pub mod health;
pub mod manage;
pub mod paging;
pub mod player_views;
pub mod reward;
pub mod series;
pub mod sign_in_limit;

pub use activation::{activate, Activation, ActivationRequest, Channel, CodeRef};
pub use code_text::{CodeTextError, PromoCodeText};
pub use codes::{CodeError, NewCode};
pub use error::ActivationError;
pub use reward::RewardSchedule;
