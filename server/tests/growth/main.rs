//! Growth mechanics, one test binary: rewards for platform actions and
//! personal codes (`actions`), referrals (`referrals`), quests, loyalty
//! rules and what wants a player's attention (`quests`).

#[path = "../common/mod.rs"]
mod common;

mod actions;
mod quests;
mod referrals;
