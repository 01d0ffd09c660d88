//! Platform API keys: made with scopes (the key is shown once), listed with
//! their prefix, scopes and last use, revoked at once.

use leptos::prelude::*;
use leptos_fluent::move_tr;

use super::api::{load_api_keys, CreateApiKey, RevokeApiKey};
use super::layout::*;
use super::models::*;
use crate::components::Time;

/// The scopes, with their form fields and Fluent labels.
const SCOPES: [(&str, &str, &str); 5] = [
    ("redeem", "scope_redeem", "admin-scope-redeem"),
    ("players", "scope_players", "admin-scope-players"),
    ("codes:read", "scope_codes_read", "admin-scope-codes-read"),
    (
        "codes:write",
        "scope_codes_write",
        "admin-scope-codes-write",
    ),
    ("stats", "scope_stats", "admin-scope-stats"),
];

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let session = AdminSession::get();
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let page = Resource::new_blocking(
        move || (create.version().get(), revoke.version().get()),
        |_| load_api_keys(),
    );
    let errors = Signal::derive(move || match create.value().get() {
        Some(Ok(CreatedKey::Invalid(errors))) => errors,
        Some(Err(_)) => vec![FieldError::new("", "error-internal")],
        Some(Ok(CreatedKey::Key(_))) => Vec::new(),
        None => draft(session)
            .and_then(|d| draft_value(&d, "errors"))
            .map(|errors| errors_from_query(&errors))
            .unwrap_or_default(),
    });
    let pending = Memo::new(move |_| create.pending().get());
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-api-keys-title")}</h1>
            <p class="muted">{move_tr!("admin-api-keys-help")}</p>
            <ReadOnlyNote/>
            <Suspense fallback=|| ()>
            {move || page.get().map(|r| r.map(|p| {
                let fresh = match create.value().get() {
                    Some(Ok(CreatedKey::Key(key))) => Some(key),
                    _ => p.new_key.clone(),
                };
                let current = from_draft::<ApiKeyForm>().unwrap_or_default();
                view! {
                    {fresh.map(|key| view! {
                        <div class="result success" role="status" id="new-api-key">
                            <p>{move_tr!("admin-api-key-created")}</p>
                            <p><code class="secret-value" id="new-api-key-value">{key}</code></p>
                        </div>
                    })}
                    {if p.keys.is_empty() {
                        view! { <p id="api-keys-empty">{move_tr!("admin-api-keys-none")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="list" id="api-keys-table">
                                <thead><tr>
                                    <th scope="col">{move_tr!("admin-field-name")}</th>
                                    <th scope="col">{move_tr!("admin-api-key-prefix")}</th>
                                    <th scope="col">{move_tr!("admin-api-key-scopes")}</th>
                                    <th scope="col">{move_tr!("admin-api-key-created-at")}</th>
                                    <th scope="col">{move_tr!("admin-api-key-last-used")}</th>
                                    <th scope="col">{move_tr!("admin-block-status")}</th>
                                </tr></thead>
                                <tbody>
                                {p.keys.into_iter().map(|k| {
                                    let id = k.id;
                                    let active = k.revoked_at.is_none();
                                    view! {
                                        <tr id=format!("api-key-{id}") data-active=active.to_string()>
                                            <td>{k.name.clone()}</td>
                                            <td><code>{format!("{}…", k.prefix)}</code></td>
                                            <td><code>{k.scopes.join(", ")}</code></td>
                                            <td><Time at=k.created_at/></td>
                                            <td>{match k.last_used_at {
                                                Some(at) => view! { <Time at/> }.into_any(),
                                                None => view! { <span>{move_tr!("admin-api-key-never")}</span> }.into_any(),
                                            }}</td>
                                            <td>{match k.revoked_at {
                                                Some(at) => view! {
                                                    <span class="status" data-status="ended">{move_tr!("admin-api-key-revoked")}</span> " " <Time at/>
                                                }.into_any(),
                                                None => view! {
                                                    <span class="status" data-status="active">{move_tr!("admin-webhook-enabled")}</span>
                                                    <Suspense fallback=|| ()>
                                                    {move || session.can_write().then(|| view! {
                                                        <ActionForm action=revoke attr:class="inline">
                                                            <input type="hidden" name="csrf" value=session.csrf()/>
                                                            <input type="hidden" name="id" value=id/>
                                                            <button type="submit" class="button secondary small" id=format!("revoke-{id}")>
                                                                {move_tr!("admin-api-key-revoke")}
                                                            </button>
                                                        </ActionForm>
                                                    })}
                                                    </Suspense>
                                                }.into_any(),
                                            }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                    <h2>{move_tr!("admin-api-key-new")}</h2>
                    <ActionForm action=create attr:class="admin-form" attr:id="api-key-form">
                        <Csrf/>
                        <FormMessage errors/>
                        <fieldset disabled=move || !session.can_write()>
                            <Field errors name="name" label="admin-field-name" value=current.name.clone() required=true/>
                            <fieldset class="field" id="field-scopes">
                                <legend>{move_tr!("admin-api-key-scopes")}</legend>
                                {SCOPES.into_iter().map(|(scope, field, label)| view! {
                                    <label class="check">
                                        <input type="checkbox" name=field id=format!("scope-{field}")/>
                                        " " <code>{scope}</code> " — " {move || i18n.tr(label)}
                                    </label>
                                }).collect_view()}
                                <FieldMessage errors field="scopes"/>
                            </fieldset>
                        </fieldset>
                        {move || session.can_write().then(|| view! {
                            <button type="submit" class="button" id="save" disabled=move || pending.get()>{move_tr!("admin-api-key-create")}</button>
                        })}
                    </ActionForm>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}
