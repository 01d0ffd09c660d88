//! Top-level pages, one module each.

mod account;
mod egg;
mod growth;
mod home;
mod lists;
mod my_codes;
mod not_found;
pub mod redeem;

pub use account::{AccountPage, SignInPage, SignUpPage};
pub use egg::EggPage;
pub use growth::{ForYouPanel, InviteLandingPage, InvitePage, QuestsPage};
pub use home::HomePage;
pub use lists::{ActivationsPage, NotificationsPage, WalletPage};
pub use my_codes::MyCodesPage;
pub use not_found::NotFound;
pub use redeem::RedeemPage;
