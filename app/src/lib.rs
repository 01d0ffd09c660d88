//! Promocodes: the Leptos application (pages, components, server functions)
//! and, behind the `ssr` feature, the domain core every reward path calls.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod i18n;
pub mod models;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod core;

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    ParamSegment, StaticSegment,
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
            <Title text=move_tr!("app-name")/>
            <Router>
                <SessionProvider>
                    <a class="skip-link" href="#main">{move_tr!("skip-to-content")}</a>
                    <components::Header/>
                    <main id="main">
                        <Routes fallback=pages::NotFound>
                            <Route path=StaticSegment("") view=pages::HomePage/>
                            <Route path=StaticSegment("redeem") view=pages::RedeemPage/>
                            <Route path=StaticSegment("signin") view=pages::SignInPage/>
                            <Route path=StaticSegment("signup") view=pages::SignUpPage/>
                            <Route path=(StaticSegment("egg"), ParamSegment("slug")) view=pages::EggPage/>
                            <Route path=StaticSegment("wallet") view=pages::WalletPage/>
                            <Route path=StaticSegment("notifications") view=pages::NotificationsPage/>
                            <Route path=StaticSegment("activations") view=pages::ActivationsPage/>
                        </Routes>
                    </main>
                    <components::Footer/>
                </SessionProvider>
            </Router>
        </i18n::I18nProvider>
    }
}

/// Makes the session (signed-in player, unread count) available to every page.
#[component]
fn SessionProvider(children: Children) -> impl IntoView {
    components::Session::provide();
    children()
}
