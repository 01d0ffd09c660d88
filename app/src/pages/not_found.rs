//! The page for any unknown address (and for unknown easter-egg links, so a
//! missing egg looks like any other missing page).

use leptos::prelude::*;
use leptos_fluent::move_tr;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="not-found">
            <h1>{move_tr!("not-found-title")}</h1>
            <p><a href="/">{move_tr!("not-found-back")}</a></p>
        </section>
    }
}
