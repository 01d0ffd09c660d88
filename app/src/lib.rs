//! Promocodes: the Leptos application (pages, components, server functions)
//! and, behind the `ssr` feature, the domain core every reward path calls.

#![recursion_limit = "256"]

pub mod admin;
pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod charts;
pub mod components;
pub mod format;
pub mod i18n;
pub mod models;
pub mod navigation;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod settings;

/// The domain core (server only): the `promocodes-core` crate.
#[cfg(feature = "ssr")]
pub use promo_core as core;

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Outlet, ParentRoute, Route, Router, Routes},
    ParamSegment, SsrMode, StaticSegment,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the page once the wasm has
    // hydrated it (browser tests wait for it before interacting).
    Effect::new(|| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/promocodes.css"/>
        <i18n::I18nProvider>
            <AppTitle/>
            <Router>
                <SessionProvider>
                    <a class="skip-link" href="#main">{move_tr!("skip-to-content")}</a>
                    <components::Header/>
                    <main id="main">
                        // Async: each page is rendered whole before it is sent, so it
                        // needs no JavaScript to appear and its status code (404) holds.
                        <Routes fallback=pages::NotFound>
                            <Route path=StaticSegment("") view=pages::HomePage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("redeem") view=pages::RedeemPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("signin") view=pages::SignInPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("signup") view=pages::SignUpPage ssr=SsrMode::Async/>
                            <Route path=(StaticSegment("egg"), ParamSegment("slug")) view=pages::EggPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("wallet") view=pages::WalletPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("account") view=pages::AccountPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("notifications") view=pages::NotificationsPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("activations") view=pages::ActivationsPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("my-codes") view=pages::MyCodesPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("quests") view=pages::QuestsPage ssr=SsrMode::Async/>
                            <Route path=StaticSegment("invite") view=pages::InvitePage ssr=SsrMode::Async/>
                            <Route path=(StaticSegment("r"), ParamSegment("code")) view=pages::InviteLandingPage ssr=SsrMode::Async/>
                            <Route path=(StaticSegment("admin"), StaticSegment("signin")) view=admin::AdminSignIn ssr=SsrMode::Async/>
                            <ParentRoute path=StaticSegment("admin") view=AdminLayout ssr=SsrMode::Async>
                                <Route path=StaticSegment("") view=admin::AdminHome ssr=SsrMode::Async/>
                                <Route path=StaticSegment("codes") view=admin::CodesPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("codes"), StaticSegment("new")) view=admin::CodeNewPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("codes"), ParamSegment("id")) view=admin::CodeEditPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("codes"), ParamSegment("id"), StaticSegment("stats")) view=admin::CodeStatsPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("groups"), ParamSegment("id"), StaticSegment("stats")) view=admin::ScopeStatsPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("campaigns"), ParamSegment("id"), StaticSegment("stats")) view=admin::ScopeStatsPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("partners"), ParamSegment("id"), StaticSegment("stats")) view=admin::ScopeStatsPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("stats") view=admin::ServiceStatsPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("stats"), StaticSegment("campaigns")) view=admin::CampaignStatsPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("stats"), StaticSegment("retention")) view=admin::RetentionPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("series") view=admin::SeriesPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("series"), ParamSegment("id")) view=admin::SeriesJobPage ssr=SsrMode::Async/>
                                <Route path=(StaticSegment("series"), ParamSegment("id"), StaticSegment("print")) view=admin::SeriesSheetPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("groups") view=admin::GroupsPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("campaigns") view=admin::CampaignsPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("partners") view=admin::PartnersPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("import") view=admin::ImportPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("audit") view=admin::AuditPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("blocks") view=admin::BlocksPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("webhooks") view=admin::WebhooksPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("api-keys") view=admin::ApiKeysPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("actions") view=admin::ActionRewardsPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("referrals") view=admin::ReferralsPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("quests") view=admin::QuestsAdminPage ssr=SsrMode::Async/>
                                <Route path=StaticSegment("loyalty") view=admin::LoyaltyPage ssr=SsrMode::Async/>
                            </ParentRoute>
                        </Routes>
                    </main>
                    <components::Footer/>
                </SessionProvider>
            </Router>
        </i18n::I18nProvider>
    }
}

/// The dashboard's frame: the admin session and navigation around its pages.
#[component]
fn AdminLayout() -> impl IntoView {
    admin::AdminSession::provide();
    view! {
        <header class="site-header admin-header">
            <nav class="nav" aria-label=move_tr!("nav-label")>
                <admin::AdminNav/>
                <components::LanguageLinks/>
            </nav>
        </header>
        <div class="admin-main">
            <Outlet/>
        </div>
    }
}

/// Makes the session (signed-in player, unread count) available to every page.
#[component]
fn SessionProvider(children: Children) -> impl IntoView {
    components::Session::provide();
    children()
}

/// The document title, translated once as the page renders. leptos_meta
/// reads it after rendering, outside the component tree and on whichever
/// worker thread the response continues: a closure reading the i18n signal
/// there panicked ("no Arena is active") and cut the response off mid-stream
/// under load. A change of language loads the page again, so a fixed text is
/// enough.
#[component]
fn AppTitle() -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    let text = i18n.tr("app-name");
    view! { <Title text=text/> }
}
