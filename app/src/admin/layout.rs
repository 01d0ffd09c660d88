//! What every dashboard page shares: the admin session, the navigation,
//! the CSRF field, field errors and labelled inputs.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::A;

use super::api::{admin_whoami, AdminSignOut};
use super::models::{draft_value, errors_from_query, AdminMe, FieldError, Saved};

/// The signed-in admin, loaded once per page and refreshed after sign-out.
#[derive(Clone, Copy)]
pub struct AdminSession {
    pub me: Resource<Option<AdminMe>>,
    pub sign_out: ServerAction<AdminSignOut>,
}

impl AdminSession {
    pub fn provide() -> Self {
        let sign_out = ServerAction::<AdminSignOut>::new();
        let me = Resource::new_blocking(
            move || sign_out.version().get(),
            |_| async { admin_whoami().await.ok().flatten() },
        );
        let session = Self { me, sign_out };
        provide_context(session);
        session
    }

    pub fn get() -> Self {
        use_context::<Self>().unwrap_or_else(Self::provide)
    }

    /// The CSRF token, or empty while unknown.
    pub fn csrf(&self) -> String {
        self.me.get().flatten().map(|m| m.csrf).unwrap_or_default()
    }

    pub fn can_write(&self) -> bool {
        self.me.get().flatten().is_some_and(|m| m.role.can_write())
    }
}

/// The dashboard's navigation, in place of the player's.
#[component]
pub fn AdminNav() -> impl IntoView {
    let session = AdminSession::get();
    view! {
        <Transition fallback=|| ()>
            {move || session.me.get().map(|me| match me {
                Some(me) => {
                    let csrf = me.csrf.clone();
                    let role = me.role;
                    view! {
                        <A href="/admin" attr:class="brand">{move_tr!("admin-title")}</A>
                        <A href="/admin/codes" attr:id="nav-codes">{move_tr!("admin-nav-codes")}</A>
                        <A href="/admin/stats" attr:id="nav-stats">{move_tr!("admin-nav-stats")}</A>
                        <A href="/admin/series" attr:id="nav-series">{move_tr!("admin-nav-series")}</A>
                        <A href="/admin/groups">{move_tr!("admin-nav-groups")}</A>
                        <A href="/admin/campaigns">{move_tr!("admin-nav-campaigns")}</A>
                        <A href="/admin/partners">{move_tr!("admin-nav-partners")}</A>
                        <A href="/admin/import">{move_tr!("admin-nav-import")}</A>
                        <A href="/admin/blocks" attr:id="nav-blocks">{move_tr!("admin-nav-blocks")}</A>
                        <A href="/admin/webhooks" attr:id="nav-webhooks">{move_tr!("admin-nav-webhooks")}</A>
                        <A href="/admin/api-keys" attr:id="nav-api-keys">{move_tr!("admin-nav-api-keys")}</A>
                        <A href="/admin/actions" attr:id="nav-actions">{move_tr!("admin-nav-actions")}</A>
                        <A href="/admin/referrals" attr:id="nav-referrals">{move_tr!("admin-nav-referrals")}</A>
                        <A href="/admin/quests" attr:id="nav-quests">{move_tr!("admin-nav-quests")}</A>
                        <A href="/admin/loyalty" attr:id="nav-loyalty">{move_tr!("admin-nav-loyalty")}</A>
                        <A href="/admin/audit">{move_tr!("admin-nav-audit")}</A>
                        <span class="who" id="admin-who">
                            {me.username.clone()} " · "
                            <span class="role" data-role=role.as_str()>
                                {move || if role.can_write() { move_tr!("admin-role-admin").get() } else { move_tr!("admin-role-viewer").get() }}
                            </span>
                        </span>
                        <ActionForm action=session.sign_out attr:class="inline">
                            <input type="hidden" name="csrf" value=csrf/>
                            <button type="submit" class="link-button" id="admin-sign-out">{move_tr!("nav-sign-out")}</button>
                        </ActionForm>
                    }.into_any()
                }
                None => view! {
                    <A href="/admin" attr:class="brand">{move_tr!("admin-title")}</A>
                    <A href="/">{move_tr!("admin-nav-site")}</A>
                }.into_any(),
            })}
        </Transition>
    }
}

/// A dashboard page. The server (the router's `require_admin`) has already
/// sent anyone who is not a signed-in admin to the sign-in page, and every
/// server function checks again, so this only frames the content.
#[component]
pub fn AdminPage(children: Children) -> impl IntoView {
    view! { <div class="admin-page">{children()}</div> }
}

/// The hidden CSRF field every state-changing form carries.
#[component]
pub fn Csrf() -> impl IntoView {
    let session = AdminSession::get();
    // Under Suspense: the token comes from a resource, which the server must
    // wait for, so that the page hydrates with the same value.
    view! {
        <Suspense fallback=|| ()>
            <input type="hidden" name="csrf" value=move || session.csrf()/>
        </Suspense>
    }
}

/// A note shown to viewers above forms they cannot submit.
#[component]
pub fn ReadOnlyNote() -> impl IntoView {
    let session = AdminSession::get();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                session.me.get().flatten().filter(|me| !me.role.can_write()).map(|_| {
                    view! { <p class="notice" id="read-only">{move_tr!("admin-read-only")}</p> }
                })
            }}
        </Suspense>
    }
}

/// The errors of a form: the action's, else those a plain post put in the address.
pub fn form_errors<S>(value: S) -> Signal<Vec<FieldError>>
where
    S: Get<Value = Option<Result<Saved, leptos::server_fn::ServerFnError>>> + Send + Sync + 'static,
{
    let session = AdminSession::get();
    Signal::derive(move || match value.get() {
        Some(Ok(Saved::Invalid(errors))) => errors,
        Some(Err(_)) => vec![FieldError::new("", "error-internal")],
        Some(Ok(Saved::Ok(_))) => Vec::new(),
        None => draft(session)
            .and_then(|d| draft_value(&d, "errors"))
            .map(|errors| errors_from_query(&errors))
            .unwrap_or_default(),
    })
}

/// Whether the form was just saved: the action's answer, else `?saved` in
/// the address a plain post was sent back to.
pub fn just_saved<S>(value: S) -> Signal<bool>
where
    S: Get<Value = Option<Result<Saved, leptos::server_fn::ServerFnError>>> + Send + Sync + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || match value.get() {
        Some(Ok(Saved::Ok(_))) => true,
        Some(_) => false,
        None => query.with(|q| q.get("saved").is_some()),
    })
}

/// The refused plain post the server kept for this page (`back_with`), as a
/// query string. Reading it makes the enclosing Suspense wait for the session.
pub fn draft(session: AdminSession) -> Option<String> {
    session.me.get().flatten().and_then(|me| me.draft)
}

/// The form a refused plain post left, to show it again as it was typed.
pub fn from_draft<T: serde::de::DeserializeOwned + Default>() -> Option<T> {
    let query = draft(AdminSession::get())?;
    serde_urlencoded::from_str(&query).ok()
}

/// The message for one field, if the server refused it.
#[component]
pub fn FieldMessage(errors: Signal<Vec<FieldError>>, field: &'static str) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    move || {
        errors.with(|list| {
            list.iter().find(|e| e.field == field).map(|e| {
                let text = i18n.tr(&e.message);
                view! { <span class="field-error" id=format!("error-{field}") role="alert">{text}</span> }
            })
        })
    }
}

/// Errors that belong to no field (or to a field the form does not show).
#[component]
pub fn FormMessage(errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    move || {
        errors.with(|list| {
            (!list.is_empty()).then(|| {
                // Those of no field say what it is; field errors sit by their fields.
                let general: Vec<String> = list
                    .iter()
                    .filter(|e| e.field.is_empty() && e.message != "error-internal")
                    .map(|e| i18n.tr(&e.message))
                    .collect();
                view! {
                    <div class="result error" role="alert" id="form-errors">
                        <p>{i18n.tr("admin-form-refused")}</p>
                        {general.into_iter().map(|text| view! { <p class="general-error">{text}</p> }).collect_view()}
                    </div>
                }
            })
        })
    }
}

/// A labelled input with its error. `kind` is the input type.
#[component]
pub fn Field(
    errors: Signal<Vec<FieldError>>,
    name: &'static str,
    label: &'static str,
    value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    let id = format!("field-{name}");
    let invalid = move || {
        errors
            .with(|l| l.iter().any(|e| e.field == name))
            .to_string()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{move || i18n.tr(label)}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                aria-invalid=invalid
                aria-describedby=format!("error-{name}")
            />
            {hint.map(|h| view! { <small class="muted">{move || i18n.tr(h)}</small> })}
            <FieldMessage errors field=name/>
        </div>
    }
}

/// A labelled multi-line input with its error.
#[component]
pub fn TextArea(
    errors: Signal<Vec<FieldError>>,
    name: &'static str,
    label: &'static str,
    value: String,
) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    let id = format!("field-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{move || i18n.tr(label)}</label>
            <textarea id=id name=name rows="3" maxlength="2000">{value}</textarea>
            <FieldMessage errors field=name/>
        </div>
    }
}

/// A select over (value, label) pairs with an empty "none" choice.
#[component]
pub fn Select(
    errors: Signal<Vec<FieldError>>,
    name: &'static str,
    label: &'static str,
    value: String,
    options: Vec<(String, String)>,
    #[prop(optional)] allow_none: bool,
) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    let id = format!("field-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{move || i18n.tr(label)}</label>
            <select id=id name=name>
                {allow_none.then(|| view! { <option value="">{move || i18n.tr("admin-none")}</option> })}
                {options.into_iter().map(|(v, l)| {
                    let selected = v == value;
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
            <FieldMessage errors field=name/>
        </div>
    }
}
