//! Sign in and sign up. Both are plain forms that also work hydrated; errors
//! come back in the address after a plain post, in the action value otherwise.

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;
use leptos_fluent::move_tr;
use leptos_router::hooks::use_query_map;

use crate::api::{SignIn, SignUp};
use crate::components::use_session;
use crate::models::FormError;

fn query_value(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name).unwrap_or_default()))
}

/// The error to show: the action's, else the one a plain post put in the address.
fn error_id(
    result: Option<Result<Option<FormError>, ServerFnError>>,
    from_address: String,
) -> Option<String> {
    match result {
        Some(Ok(Some(FormError(id)))) => Some(id),
        Some(Err(_)) => Some("error-internal".to_owned()),
        Some(Ok(None)) => None,
        None => Some(from_address).filter(|id| !id.is_empty()),
    }
}

#[component]
fn ErrorMessage(
    error: impl Fn() -> Option<String> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    move || {
        error().map(|id| {
            // Only our own message ids are shown; anything else in the address is ignored.
            let known = id.starts_with("signin-") || id.starts_with("signup-") || id == "error-internal";
            known.then(|| view! { <p class="result error" role="alert" id="form-error">{i18n.tr(&id)}</p> })
        })
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    use_session().follow(action.version());
    let next = query_value("next");
    let link = query_value("link");
    let address_error = query_value("error");
    let error = move || error_id(action.value().get(), address_error.get());
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <section class="card narrow">
            <h1>{move_tr!("signin-title")}</h1>
            {move || match link.get().as_str() {
                "expired" => Some(view! { <p class="result error" role="alert" id="link-error">{i18n.tr("signin-link-expired")}</p> }),
                "invalid" => Some(view! { <p class="result error" role="alert" id="link-error">{i18n.tr("signin-link-invalid")}</p> }),
                _ => None,
            }}
            <ErrorMessage error/>
            <ActionForm action=action attr:id="signin-form" attr:class="stack">
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="signin-username">{move_tr!("field-username")}</label>
                <input id="signin-username" name="username" required autocomplete="username" maxlength="40"/>
                <label for="signin-password">{move_tr!("field-password")}</label>
                <input id="signin-password" name="password" type="password" required autocomplete="current-password"/>
                <button type="submit" class="button" id="signin-submit">{move_tr!("signin-submit")}</button>
            </ActionForm>
            <p class="muted">
                {move_tr!("signin-no-account")} " "
                <a href=move || format!("/signup?{}", serde_urlencoded::to_string([("next", next.get())]).unwrap_or_default())>
                    {move_tr!("nav-sign-up")}
                </a>
            </p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    use_session().follow(action.version());
    let next = query_value("next");
    let username = query_value("username");
    let address_error = query_value("error");
    let error = move || error_id(action.value().get(), address_error.get());
    view! {
        <section class="card narrow">
            <h1>{move_tr!("signup-title")}</h1>
            <ErrorMessage error/>
            <ActionForm action=action attr:id="signup-form" attr:class="stack">
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="signup-username">{move_tr!("field-username")}</label>
                <input id="signup-username" name="username" required autocomplete="username" minlength="3" maxlength="40" value=move || username.get()/>
                <label for="signup-password">{move_tr!("field-password")}</label>
                <input id="signup-password" name="password" type="password" required autocomplete="new-password" minlength="8"/>
                <label for="signup-confirm">{move_tr!("field-confirm")}</label>
                <input id="signup-confirm" name="confirm" type="password" required autocomplete="new-password" minlength="8"/>
                <button type="submit" class="button" id="signup-submit">{move_tr!("signup-submit")}</button>
            </ActionForm>
        </section>
    }
}
