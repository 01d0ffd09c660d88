//! The admin dashboard: codes, series, groups, campaigns, partners, CSV,
//! statistics, audit log. Pages live under `/admin`; the server refuses every read to
//! anyone but a signed-in admin and every change to anyone but an `admin`.

mod actions;
pub mod api;
mod api_keys;
mod blocks;
mod catalog;
mod codes;
#[cfg(feature = "ssr")]
pub mod forms;
mod growth;
mod layout;
pub mod models;
mod pages;
mod series;
mod series_sheet;
#[cfg(feature = "ssr")]
pub mod session;
mod stats;
mod webhooks;

pub use actions::ActionRewardsPage;
pub use api_keys::ApiKeysPage;
pub use blocks::BlocksPage;
pub use catalog::{CampaignsPage, GroupsPage, PartnersPage};
pub use codes::{CodeEditPage, CodeNewPage, CodesPage};
pub use growth::{LoyaltyPage, QuestsAdminPage, ReferralsPage};
pub use layout::{AdminNav, AdminSession};
pub use pages::{AdminHome, AdminSignIn, AuditPage, ImportPage};
pub use series::{SeriesJobPage, SeriesPage};
pub use series_sheet::SeriesSheetPage;
pub use stats::{
    CampaignStatsPage, CodeStatsPage, RetentionPage, ScopeStatsPage, ServiceStatsPage,
};
pub use webhooks::WebhooksPage;
