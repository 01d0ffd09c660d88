//! Webhooks: the endpoints events are sent to (address, topics, signing
//! secret, on or off) and the latest deliveries with their attempts, last
//! error and a button to send one again. `?endpoint=ID&state=dead` filters.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{load_webhooks, DeleteWebhook, EnableWebhook, Redeliver, SaveWebhook};
use super::layout::*;
use super::models::*;
use crate::components::Time;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let session = AdminSession::get();
    let query = use_query_map();
    let save = ServerAction::<SaveWebhook>::new();
    let enable = ServerAction::<EnableWebhook>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let redeliver = ServerAction::<Redeliver>::new();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("endpoint").unwrap_or_default(),
                q.get("state").unwrap_or_default(),
            )
        })
    });
    let page = Resource::new_blocking(
        move || {
            (
                filter.get(),
                query.with(|q| q.get("saved")),
                save.version().get(),
                enable.version().get(),
                delete.version().get(),
                redeliver.version().get(),
            )
        },
        |((endpoint, state), ..)| load_webhooks(endpoint, state),
    );
    let errors = form_errors(save.value());
    let pending = Memo::new(move |_| save.pending().get());
    let redelivered = move || match redeliver.value().get() {
        Some(Ok(done)) => Some(done),
        Some(Err(_)) => Some(false),
        None => query.with(|q| q.get("redelivered").map(|v| v == "1")),
    };
    let saved = move || {
        matches!(save.value().get(), Some(Ok(Saved::Ok(_))))
            || query.with(|q| q.get("saved").is_some())
    };
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-webhooks-title")}</h1>
            <p class="muted">{move_tr!("admin-webhooks-help")}</p>
            <ReadOnlyNote/>
            {move || saved().then(|| view! {
                <p class="result success" role="status" id="saved-note">{move_tr!("admin-webhook-saved")}</p>
            })}
            {move || redelivered().map(|done| view! {
                <p class=if done { "result success" } else { "result error" } role="status" id="redeliver-result">
                    {if done { move_tr!("admin-webhook-redelivered") } else { move_tr!("admin-webhook-not-redelivered") }}
                </p>
            })}
            <Suspense fallback=|| ()>
            {move || page.get().map(|r| r.map(|p| {
                let topics = p.topics.join(", ");
                let current = from_draft::<WebhookForm>().unwrap_or_default();
                view! {
                    <EndpointTable endpoints=p.endpoints enable delete session/>
                    <h2>{move_tr!("admin-webhook-new")}</h2>
                    <ActionForm action=save attr:class="admin-form" attr:id="webhook-form">
                        <Csrf/>
                        <FormMessage errors/>
                        <fieldset disabled=move || !session.can_write()>
                            <Field errors name="url" label="admin-webhook-url" value=current.url kind="url" required=true/>
                            <Field errors name="description" label="admin-field-description" value=current.description/>
                            <Field errors name="topics" label="admin-webhook-topics" value=current.topics hint="admin-webhook-topics-hint"/>
                            <p class="muted" id="webhook-topic-list"><code>{topics}</code></p>
                        </fieldset>
                        {move || session.can_write().then(|| view! {
                            <button type="submit" class="button" id="save" disabled=move || pending.get()>{move_tr!("admin-webhook-add")}</button>
                        })}
                    </ActionForm>
                    <h2>{move_tr!("admin-deliveries-title")}</h2>
                    <nav class="chips">
                        <A href="/admin/webhooks" attr:class="chip">{move_tr!("admin-deliveries-all")}</A>
                        <A href="/admin/webhooks?state=pending" attr:class="chip">{move_tr!("admin-delivery-pending")}</A>
                        <A href="/admin/webhooks?state=dead" attr:class="chip" attr:id="deliveries-dead">{move_tr!("admin-delivery-dead")}</A>
                    </nav>
                    <DeliveryTable deliveries=p.deliveries redeliver session/>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
fn EndpointTable(
    endpoints: Vec<EndpointLine>,
    enable: ServerAction<EnableWebhook>,
    delete: ServerAction<DeleteWebhook>,
    session: AdminSession,
) -> impl IntoView {
    if endpoints.is_empty() {
        return view! { <p id="webhooks-empty">{move_tr!("admin-webhooks-none")}</p> }.into_any();
    }
    view! {
        <table class="list" id="webhooks-table">
            <thead><tr>
                <th scope="col">{move_tr!("admin-webhook-url")}</th>
                <th scope="col">{move_tr!("admin-webhook-topics")}</th>
                <th scope="col" class="num">{move_tr!("admin-delivery-pending")}</th>
                <th scope="col" class="num">{move_tr!("admin-delivery-delivered")}</th>
                <th scope="col" class="num">{move_tr!("admin-delivery-dead")}</th>
                <th scope="col">{move_tr!("admin-block-status")}</th>
            </tr></thead>
            <tbody>
            {endpoints.into_iter().map(|e| {
                let id = e.id;
                let topics = if e.topics.is_empty() { None } else { Some(e.topics.join(", ")) };
                let link = |state: &str| format!("/admin/webhooks?endpoint={id}&state={state}");
                view! {
                    <tr id=format!("webhook-{id}") data-enabled=e.enabled.to_string()>
                        <td>
                            <code class="url">{e.url.clone()}</code>
                            {(!e.description.is_empty()).then(|| view! { <br/><small class="muted">{e.description.clone()}</small> })}
                            {e.secret.clone().map(|secret| view! {
                                <details class="secret">
                                    <summary>{move_tr!("admin-webhook-secret")}</summary>
                                    <code class="secret-value">{secret}</code>
                                </details>
                            })}
                        </td>
                        <td>{match topics {
                            Some(t) => view! { <code>{t}</code> }.into_any(),
                            None => view! { <span>{move_tr!("admin-webhook-all-topics")}</span> }.into_any(),
                        }}</td>
                        <td class="num"><A href=link("pending")>{e.pending}</A></td>
                        <td class="num"><A href=link("delivered")>{e.delivered}</A></td>
                        <td class="num"><A href=link("dead")>{e.dead}</A></td>
                        <td>
                            <span class="status" data-status=if e.enabled { "active" } else { "ended" }>
                                {if e.enabled { move_tr!("admin-webhook-enabled") } else { move_tr!("admin-webhook-disabled") }}
                            </span>
                            <Suspense fallback=|| ()>
                            {move || session.can_write().then(|| view! {
                                <ActionForm action=enable attr:class="inline">
                                    <input type="hidden" name="csrf" value=session.csrf()/>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="enabled" value=(!e.enabled).to_string()/>
                                    <button type="submit" class="button secondary small" id=format!("toggle-webhook-{id}")>
                                        {if e.enabled { move_tr!("admin-webhook-disable") } else { move_tr!("admin-webhook-enable") }}
                                    </button>
                                </ActionForm>
                                <ActionForm action=delete attr:class="inline">
                                    <input type="hidden" name="csrf" value=session.csrf()/>
                                    <input type="hidden" name="id" value=id/>
                                    <button type="submit" class="button secondary small" id=format!("delete-webhook-{id}")>
                                        {move_tr!("admin-delete")}
                                    </button>
                                </ActionForm>
                            })}
                            </Suspense>
                        </td>
                    </tr>
                }
            }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DeliveryTable(
    deliveries: Vec<DeliveryLine>,
    redeliver: ServerAction<Redeliver>,
    session: AdminSession,
) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p id="deliveries-empty">{move_tr!("admin-deliveries-none")}</p> }
            .into_any();
    }
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <table class="list" id="deliveries-table">
            <thead><tr>
                <th scope="col">{move_tr!("admin-delivery-event")}</th>
                <th scope="col">{move_tr!("admin-delivery-to")}</th>
                <th scope="col">{move_tr!("admin-block-status")}</th>
                <th scope="col" class="num">{move_tr!("admin-delivery-attempts")}</th>
                <th scope="col">{move_tr!("admin-delivery-last-error")}</th>
                <th scope="col">{move_tr!("admin-delivery-when")}</th>
                <th scope="col"></th>
            </tr></thead>
            <tbody>
            {deliveries.into_iter().map(|d| {
                let id = d.id;
                let state_id = format!("admin-delivery-{}", d.state);
                let to = d.url.clone().unwrap_or_else(|| "NATS JetStream".to_owned());
                let when = d.delivered_at.unwrap_or(d.next_attempt_at);
                let error = match (d.last_status, d.last_error.clone()) {
                    (_, Some(error)) => error,
                    (Some(status), None) => status.to_string(),
                    (None, None) => String::new(),
                };
                view! {
                    <tr id=format!("delivery-{id}") data-state=d.state.clone() data-event=d.event_id>
                        <td><code>{d.topic.clone()}</code> " #" {d.event_id}</td>
                        <td><code class="url">{to}</code></td>
                        <td><span class="status" data-status=d.state.clone()>{move || i18n.tr(&state_id)}</span></td>
                        <td class="num">{d.attempts}</td>
                        <td><small>{error}</small></td>
                        <td><Time at=when/></td>
                        <td>
                            <Suspense fallback=|| ()>
                            {move || session.can_write().then(|| view! {
                                <ActionForm action=redeliver attr:class="inline">
                                    <input type="hidden" name="csrf" value=session.csrf()/>
                                    <input type="hidden" name="id" value=id/>
                                    <button type="submit" class="button secondary small" id=format!("redeliver-{id}")>
                                        {move_tr!("admin-webhook-redeliver")}
                                    </button>
                                </ActionForm>
                            })}
                            </Suspense>
                        </td>
                    </tr>
                }
            }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
