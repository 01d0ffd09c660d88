//! Growth mechanics: rewards for platform actions and
//! personal codes (`actions`), referrals (`referrals`), quests, loyalty
//! rules and what wants a player's attention (`quests`).

mod actions;
mod quests;
mod referrals;
