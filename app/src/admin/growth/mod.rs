//! The dashboard's growth pages: the referral program, quests, loyalty rules.

mod loyalty;
mod quests;
mod referrals;

pub use loyalty::LoyaltyPage;
pub use quests::QuestsAdminPage;
pub use referrals::ReferralsPage;
