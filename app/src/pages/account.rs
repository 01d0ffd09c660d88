//! Sign in and sign up. Both are plain forms that also work hydrated; errors
//! come back in the address after a plain post, in the action value otherwise.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::hooks::use_query_map;

use crate::api::{announcements, ChangePassword, SetAnnouncements, SignIn, SignUp};
use crate::components::{form_error, use_session, FormErrorView, RequireSignIn};

fn query_value(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name).unwrap_or_default()))
}

const PLAYER_ERRORS: &[&str] = &["signin-", "signup-", "account-", "error-internal"];

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    use_session().follow(action.version());
    let next = query_value("next");
    let link = query_value("link");
    let error = move || form_error(action.value().get(), PLAYER_ERRORS);
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <section class="card narrow">
            <h1>{move_tr!("signin-title")}</h1>
            {move || match link.get().as_str() {
                "expired" => Some(view! { <p class="result error" role="alert" id="link-error">{i18n.tr("signin-link-expired")}</p> }),
                "invalid" => Some(view! { <p class="result error" role="alert" id="link-error">{i18n.tr("signin-link-invalid")}</p> }),
                _ => None,
            }}
            <FormErrorView error/>
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
    // An invite code is at most 16 letters and digits: anything else in the
    // address is no invite (and is neither shown nor sent).
    let typed_invite = query_value("invite");
    let invite = Signal::derive(move || {
        crate::models::growth::normalize_invite(&typed_invite.get()).unwrap_or_default()
    });
    let error = move || form_error(action.value().get(), PLAYER_ERRORS);
    view! {
        <section class="card narrow">
            <h1>{move_tr!("signup-title")}</h1>
            <Show when=move || !invite.get().is_empty()>
                <p class="result" id="signup-invited">{move_tr!("signup-invited", {"code" => invite.get()})}</p>
            </Show>
            <FormErrorView error/>
            <ActionForm action=action attr:id="signup-form" attr:class="stack">
                <input type="hidden" name="next" value=move || next.get()/>
                <input type="hidden" name="invite" value=move || invite.get()/>
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

/// `/account`: the signed-in player's account: the password, and whether
/// they hear about new codes.
#[component]
pub fn AccountPage() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let changed_in_address = query_value("changed");
    let changed = move || match action.value().get() {
        Some(Ok(None)) => true,
        Some(_) => false,
        None => changed_in_address.get() == "1",
    };
    let error = move || form_error(action.value().get(), PLAYER_ERRORS);
    view! {
        <RequireSignIn>
            <section class="card narrow">
                <h1>{move_tr!("account-title")}</h1>
                <h2>{move_tr!("account-password-title")}</h2>
                <Show when=changed>
                    <p class="result success" role="status" id="password-changed">{move_tr!("account-password-changed")}</p>
                </Show>
                <FormErrorView error/>
                <ActionForm action=action attr:id="password-form" attr:class="stack">
                    <label for="password-current">{move_tr!("account-password-current")}</label>
                    <input id="password-current" name="current" type="password" required autocomplete="current-password"/>
                    <label for="password-new">{move_tr!("account-password-new")}</label>
                    <input id="password-new" name="password" type="password" required autocomplete="new-password" minlength="8"/>
                    <label for="password-confirm">{move_tr!("account-password-confirm")}</label>
                    <input id="password-confirm" name="confirm" type="password" required autocomplete="new-password" minlength="8"/>
                    <button type="submit" class="button" id="password-submit">{move_tr!("account-password-submit")}</button>
                </ActionForm>
                <AnnouncementsSetting/>
            </section>
        </RequireSignIn>
    }
}

/// Announcements of new codes: on or off, one button to switch.
#[component]
fn AnnouncementsSetting() -> impl IntoView {
    let action = ServerAction::<SetAnnouncements>::new();
    let on = Resource::new(move || action.version().get(), |_| announcements());
    view! {
        <h2>{move_tr!("account-announcements-title")}</h2>
        <Transition fallback=|| ()>
            {move || on.get().and_then(Result::ok).map(|on| view! {
                <p id="announcements-state" data-on=on.to_string()>
                    {if on { move_tr!("account-announcements-on") } else { move_tr!("account-announcements-off") }}
                </p>
                <ActionForm action=action attr:id="announcements-form">
                    <input type="hidden" name="on" value=(!on).to_string()/>
                    <button type="submit" class="button secondary" id="announcements-submit">
                        {if on { move_tr!("account-announcements-turn-off") } else { move_tr!("account-announcements-turn-on") }}
                    </button>
                </ActionForm>
            })}
        </Transition>
    }
}
