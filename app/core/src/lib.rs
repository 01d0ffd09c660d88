//! The Promocodes domain core (server only): codes and their text, rewards,
//! the activation every reward path goes through, abuse protection, series,
//! the catalog, CSV, the audit log, accounts and the read models the pages
//! show. Functions take a pool or a connection and typed commands, never a
//! web or session context; they answer typed results or `Error`.
//! The module map is in the README ("Layout").

pub mod abuse;
pub mod actions;
pub mod activation;
pub mod activation_feed;
pub mod admin_views;
pub mod admins;
pub mod announced;
pub mod api_keys;
pub mod attention;
pub mod audit;
pub mod auth;
pub mod browser_sessions;
pub mod catalog;
pub mod code_admin;
pub mod code_cache;
pub mod code_draft;
pub mod code_list;
pub mod code_text;
pub mod codes;
pub mod credentials;
pub mod csv_export;
pub mod csv_import;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod input;
pub mod jobs;
pub mod links;
pub mod locale;
pub mod loyalty;
pub mod notices;
pub mod paging;
pub mod personal;
pub mod platform;
pub mod player_views;
pub mod preferences;
pub mod quests;
pub mod queue;
pub mod referrals;
pub mod retry;
pub mod reward;
pub mod series;
pub mod session_loader;
pub mod sign_in_limit;
pub mod stats;

pub use activation::{activate, Activation, ActivationRequest, Channel, CodeRef};
pub use code_text::{CodeTextError, PromoCodeText};
pub use codes::{CodeTexts, Locale, LocalizedText, NewCode};
pub use error::{ActivationError, Error, Problem, Result};
pub use reward::RewardSchedule;
