//! Groups, campaigns and partners: a list and a form each. `?edit=ID` puts a
//! row in the form; saving comes back to the list.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{load_catalog, SaveCampaign, SaveGroup, SavePartner};
use super::layout::*;
use super::models::*;

/// The catalog, loaded again after each save (which comes back with `?saved=ID`).
fn catalog_resource() -> Resource<Result<Catalog, leptos::server_fn::ServerFnError>> {
    let query = use_query_map();
    Resource::new_blocking(move || query.with(|q| q.get("saved")), |_| load_catalog())
}

fn edit_id() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get("edit").unwrap_or_default()))
}

fn saved_note() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| q.get("saved")).map(|_| {
            view! { <p class="result success" role="status" id="saved-note">{move_tr!("admin-saved")}</p> }
        })
    }
}

fn submit_button(pending: Memo<bool>) -> impl IntoView {
    let session = AdminSession::get();
    move || {
        session.can_write().then(|| {
            view! { <button type="submit" class="button" id="save" disabled=move || pending.get()>{move_tr!("admin-save")}</button> }
        })
    }
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let catalog = catalog_resource();
    let edit = edit_id();
    let session = AdminSession::get();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-groups-title")}</h1>
            {saved_note()}
            <ReadOnlyNote/>
            <Suspense fallback=|| ()>
            {move || catalog.get().map(|r| r.map(|c| {
                let action = ServerAction::<SaveGroup>::new();
                let errors = form_errors(action.value());
                let pending = Memo::new(move |_| action.pending().get());
                let current = from_draft::<GroupForm>().unwrap_or_else(|| {
                    c.groups.iter().find(|(g, _, _)| g.id == edit.get()).map(|(g, _, _)| g.clone()).unwrap_or_default()
                });
                view! {
                    <table class="list" id="groups-table">
                        <thead><tr>
                            <th scope="col">{move_tr!("admin-field-name")}</th>
                            <th scope="col">{move_tr!("admin-field-kind")}</th>
                            <th scope="col">{move_tr!("admin-field-description")}</th>
                            <th scope="col">{move_tr!("admin-nav-codes")}</th>
                            <th scope="col"></th>
                        </tr></thead>
                        <tbody>
                        {c.groups.clone().into_iter().map(|(g, kind, codes)| {
                            let kind = kind.clone();
                            view! {
                                <tr>
                                    <td><A href=format!("/admin/groups/{}/stats", g.id)>{g.name.clone()}</A></td>
                                    <td>{move || if kind == "series" { move_tr!("admin-kind-series").get() } else { move_tr!("admin-kind-group").get() }}</td>
                                    <td>{g.description.clone()}</td>
                                    <td class="num"><A href=format!("/admin/codes?group={}", g.id)>{codes}</A></td>
                                    <td><A href=format!("/admin/groups?edit={}", g.id)>{move_tr!("admin-edit")}</A></td>
                                </tr>
                            }
                        }).collect_view()}
                        </tbody>
                    </table>
                    <h2>{if current.id.is_empty() { move_tr!("admin-new") } else { move_tr!("admin-edit") }}</h2>
                    <ActionForm action=action attr:class="admin-form" attr:id="group-form">
                        <Csrf/>
                        <input type="hidden" name="id" value=current.id.clone()/>
                        <FormMessage errors/>
                        <fieldset disabled=move || !session.can_write()>
                            <Field errors name="name" label="admin-field-name" value=current.name.clone() required=true/>
                            <TextArea errors name="description" label="admin-field-description" value=current.description.clone()/>
                        </fieldset>
                        {submit_button(pending)}
                    </ActionForm>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let catalog = catalog_resource();
    let edit = edit_id();
    let session = AdminSession::get();
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-campaigns-title")}</h1>
            {saved_note()}
            <ReadOnlyNote/>
            <Suspense fallback=|| ()>
            {move || catalog.get().map(|r| r.map(|c| {
                let action = ServerAction::<SaveCampaign>::new();
                let errors = form_errors(action.value());
                let pending = Memo::new(move |_| action.pending().get());
                let current = from_draft::<CampaignForm>().unwrap_or_else(|| {
                    c.campaigns.iter().find(|(m, _)| m.id == edit.get()).map(|(m, _)| m.clone())
                        .unwrap_or_else(|| CampaignForm { channel: "email".into(), ..CampaignForm::default() })
                });
                let partner_name = |id: &str| c.partners.iter().find(|(p, _)| p.id == id).map(|(p, _)| p.name.clone()).unwrap_or_default();
                let partners: Vec<(String, String)> = c.partners.iter().map(|(p, _)| (p.id.clone(), p.name.clone())).collect();
                view! {
                    <table class="list" id="campaigns-table">
                        <thead><tr>
                            <th scope="col">{move_tr!("admin-field-name")}</th>
                            <th scope="col">{move_tr!("admin-field-channel")}</th>
                            <th scope="col">{move_tr!("admin-field-partner")}</th>
                            <th scope="col">{move_tr!("admin-field-starts")}</th>
                            <th scope="col">{move_tr!("admin-field-ends")}</th>
                            <th scope="col">{move_tr!("admin-field-notes")}</th>
                            <th scope="col">{move_tr!("admin-nav-codes")}</th>
                            <th scope="col"></th>
                        </tr></thead>
                        <tbody>
                        {c.campaigns.clone().into_iter().map(|(m, codes)| {
                            let channel = m.channel.clone();
                            view! {
                                <tr>
                                    <td><A href=format!("/admin/campaigns/{}/stats", m.id)>{m.name.clone()}</A></td>
                                    <td>{move || i18n.tr(&format!("admin-channel-{channel}"))}</td>
                                    <td>{partner_name(&m.partner_id)}</td>
                                    <td>{m.starts_at.replace('T', " ")}</td>
                                    <td>{m.ends_at.replace('T', " ")}</td>
                                    <td>{m.notes.clone()}</td>
                                    <td class="num"><A href=format!("/admin/codes?campaign={}", m.id)>{codes}</A></td>
                                    <td><A href=format!("/admin/campaigns?edit={}", m.id)>{move_tr!("admin-edit")}</A></td>
                                </tr>
                            }
                        }).collect_view()}
                        </tbody>
                    </table>
                    <h2>{if current.id.is_empty() { move_tr!("admin-new") } else { move_tr!("admin-edit") }}</h2>
                    <ActionForm action=action attr:class="admin-form" attr:id="campaign-form">
                        <Csrf/>
                        <input type="hidden" name="id" value=current.id.clone()/>
                        <FormMessage errors/>
                        <fieldset disabled=move || !session.can_write()>
                            <Field errors name="name" label="admin-field-name" value=current.name.clone() required=true/>
                            <Select errors name="channel" label="admin-field-channel" value=current.channel.clone()
                                options=CHANNELS.iter().map(|ch| (ch.to_string(), i18n.tr(&format!("admin-channel-{ch}")))).collect()/>
                            <Select errors name="partner_id" label="admin-field-partner" value=current.partner_id.clone() options=partners allow_none=true/>
                            <Field errors name="starts_at" label="admin-field-starts" value=current.starts_at.clone() kind="datetime-local" hint="admin-hint-utc"/>
                            <Field errors name="ends_at" label="admin-field-ends" value=current.ends_at.clone() kind="datetime-local" hint="admin-hint-utc"/>
                            <TextArea errors name="notes" label="admin-field-notes" value=current.notes.clone()/>
                        </fieldset>
                        {submit_button(pending)}
                    </ActionForm>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
pub fn PartnersPage() -> impl IntoView {
    let catalog = catalog_resource();
    let choices = Resource::new_blocking(|| (), |_| super::api::code_choices());
    let edit = edit_id();
    let session = AdminSession::get();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-partners-title")}</h1>
            {saved_note()}
            <ReadOnlyNote/>
            <Suspense fallback=|| ()>
            {move || match (catalog.get(), choices.get()) {
                (Some(Ok(c)), Some(Ok(choices))) => {
                    let action = ServerAction::<SavePartner>::new();
                    let errors = form_errors(action.value());
                    let pending = Memo::new(move |_| action.pending().get());
                    let current = from_draft::<PartnerForm>().unwrap_or_else(|| {
                        c.partners.iter().find(|(p, _)| p.id == edit.get()).map(|(p, _)| p.clone())
                            .unwrap_or_else(|| PartnerForm { currency: "COINS".into(), payout: "0".into(), ..PartnerForm::default() })
                    });
                    let currencies: Vec<(String, String)> = choices.currencies.iter().map(|c| (c.clone(), c.clone())).collect();
                    Some(view! {
                        <table class="list" id="partners-table">
                            <thead><tr>
                                <th scope="col">{move_tr!("admin-field-name")}</th>
                                <th scope="col">{move_tr!("admin-field-contact")}</th>
                                <th scope="col">{move_tr!("admin-field-payout")}</th>
                                <th scope="col">{move_tr!("admin-field-notes")}</th>
                                <th scope="col">{move_tr!("admin-nav-codes")}</th>
                                <th scope="col"></th>
                            </tr></thead>
                            <tbody>
                            {c.partners.clone().into_iter().map(|(p, codes)| view! {
                                <tr>
                                    <td><A href=format!("/admin/partners/{}/stats", p.id)>{p.name.clone()}</A></td>
                                    <td>{p.contact.clone()}</td>
                                    <td class="num">{p.payout.clone()} " " {p.currency.clone()}</td>
                                    <td>{p.notes.clone()}</td>
                                    <td class="num"><A href=format!("/admin/codes?partner={}", p.id)>{codes}</A></td>
                                    <td><A href=format!("/admin/partners?edit={}", p.id)>{move_tr!("admin-edit")}</A></td>
                                </tr>
                            }).collect_view()}
                            </tbody>
                        </table>
                        <h2>{if current.id.is_empty() { move_tr!("admin-new") } else { move_tr!("admin-edit") }}</h2>
                        <ActionForm action=action attr:class="admin-form" attr:id="partner-form">
                            <Csrf/>
                            <input type="hidden" name="id" value=current.id.clone()/>
                            <FormMessage errors/>
                            <fieldset disabled=move || !session.can_write()>
                                <Field errors name="name" label="admin-field-name" value=current.name.clone() required=true/>
                                <Field errors name="contact" label="admin-field-contact" value=current.contact.clone()/>
                                <Field errors name="payout" label="admin-field-payout" value=current.payout.clone() kind="number" hint="admin-hint-payout"/>
                                <Select errors name="currency" label="admin-field-currency" value=current.currency.clone() options=currencies/>
                                <TextArea errors name="notes" label="admin-field-notes" value=current.notes.clone()/>
                            </fieldset>
                            {submit_button(pending)}
                        </ActionForm>
                    })
                }
                _ => None,
            }}
            </Suspense>
        </section>
        </AdminPage>
    }
}
