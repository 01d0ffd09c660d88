//! Codes: the filtered, sorted, paginated list (with CSV export), the
//! create form with presets, and the edit page (enable/disable, clone, delete,
//! texts in both languages).

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    code_choices, list_codes, load_code, AnnounceCode, CloneCode, DeleteCode, SaveCode,
    SetCodeEnabled,
};
use super::layout::*;
use super::models::*;
use crate::components::Time;
use crate::format;

fn filter_from_query() -> Memo<CodeFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            serde_urlencoded::from_str::<CodeFilter>(q.to_query_string().trim_start_matches('?'))
                .unwrap_or_default()
        })
    })
}

fn choice_options(list: &[Choice]) -> Vec<(String, String)> {
    list.iter()
        .map(|c| (c.id.to_string(), c.name.clone()))
        .collect()
}

#[component]
pub fn CodesPage() -> impl IntoView {
    let filter = filter_from_query();
    let list = Resource::new_blocking(move || filter.get(), list_codes);
    let choices = Resource::new_blocking(|| (), |_| code_choices());
    let i18n = expect_context::<leptos_fluent::I18n>();
    let query = use_query_map();
    let deleted = move || query.with(|q| q.get("deleted").is_some());
    view! {
        <AdminPage>
        <section class="card wide">
            <div class="title-row">
                <h1>{move_tr!("admin-codes-title")}</h1>
                <A href="/admin/codes/new" attr:class="button" attr:id="new-code">{move_tr!("admin-codes-new")}</A>
            </div>
            {move || deleted().then(|| view! { <p class="result success" role="status">{move_tr!("admin-code-deleted")}</p> })}
            <Suspense fallback=|| ()>
            {move || choices.get().map(|c| {
                let c = c.unwrap_or_default();
                let f = filter.get_untracked();
                let errors = Signal::derive(Vec::new);
                view! {
                    <Form method="GET" action="" attr:class="filters" attr:id="code-filters" attr:role="search">
                        <Field errors name="q" label="admin-filter-search" value=f.q.clone() kind="search"/>
                        <Select errors name="group" label="admin-field-group" value=f.group.clone() options=choice_options(&c.groups) allow_none=true/>
                        <Select errors name="campaign" label="admin-field-campaign" value=f.campaign.clone() options=choice_options(&c.campaigns) allow_none=true/>
                        <Select errors name="partner" label="admin-field-partner" value=f.partner.clone() options=choice_options(&c.partners) allow_none=true/>
                        <Select errors name="type" label="admin-filter-type" value=f.kind.clone() allow_none=true
                            options=PRESETS.iter().map(|p| (p.to_string(), i18n.tr(&format!("admin-preset-{p}")))).collect()/>
                        <Select errors name="status" label="admin-filter-status" value=f.status.clone() allow_none=true
                            options=CodeStatus::ALL.iter().map(|s| (s.as_str().to_string(), i18n.tr(&format!("admin-status-{}", s.as_str())))).collect()/>
                        <Select errors name="sort" label="admin-filter-sort" value=f.sort.clone()
                            options=vec![
                                ("created".into(), i18n.tr("admin-sort-created")),
                                ("-created".into(), i18n.tr("admin-sort-created-asc")),
                                ("priority".into(), i18n.tr("admin-sort-priority")),
                                ("activations".into(), i18n.tr("admin-sort-activations")),
                                ("name".into(), i18n.tr("admin-sort-name")),
                            ]/>
                        <div class="field actions">
                            <button type="submit" class="button" id="apply-filters">{move_tr!("admin-filter-apply")}</button>
                            <A href="/admin/codes">{move_tr!("admin-filter-reset")}</A>
                        </div>
                    </Form>
                }
            })}
            </Suspense>
            <Suspense fallback=|| view! { <p class="muted">{move_tr!("loading")}</p> }>
            {move || list.get().map(|result| result.map(|list| {
                let f = filter.get_untracked();
                let export = format!("/admin/export/codes.csv?{}", CodeFilter { page: String::new(), ..f.clone() }.to_query());
                let page_link = move |page: i64| format!("/admin/codes?{}", CodeFilter { page: page.to_string(), ..f.clone() }.to_query());
                view! {
                    <p class="list-summary">
                        <span id="codes-total">{move_tr!("admin-codes-total", {"count" => list.total, "shown" => format::number(list.total)})}</span>
                        " · " <a href=export rel="external" download id="export-csv">{move_tr!("admin-export-csv")}</a>
                    </p>
                    <table class="list" id="codes-table">
                        <thead><tr>
                            <th scope="col">{move_tr!("admin-field-name")}</th>
                            <th scope="col">{move_tr!("admin-filter-status")}</th>
                            <th scope="col">{move_tr!("admin-filter-type")}</th>
                            <th scope="col">{move_tr!("admin-col-reward")}</th>
                            <th scope="col">{move_tr!("admin-col-activations")}</th>
                            <th scope="col">{move_tr!("admin-field-priority")}</th>
                            <th scope="col">{move_tr!("admin-col-assigned")}</th>
                            <th scope="col">{move_tr!("admin-col-created")}</th>
                        </tr></thead>
                        <tbody>
                        {list.rows.into_iter().map(|row| view! { <CodeRowView row/> }).collect_view()}
                        </tbody>
                    </table>
                    <nav class="pager" aria-label=move_tr!("pager-label")>
                        {(list.page > 1).then(|| view! { <A href=page_link(list.page - 1) attr:rel="prev">{move_tr!("pager-previous")}</A> })}
                        <span>{move_tr!("pager-page", {"page" => list.page})}</span>
                        {list.has_next.then(|| view! { <A href=page_link(list.page + 1) attr:rel="next" attr:id="next-page">{move_tr!("pager-next")}</A> })}
                    </nav>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
fn CodeRowView(row: CodeRow) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    let status = row.status.as_str();
    let kinds = row.kinds.clone();
    let assigned: Vec<String> = [row.group, row.campaign, row.partner]
        .into_iter()
        .flatten()
        .collect();
    let limit = row
        .activation_limit
        .map(|l| format!(" / {l}"))
        .unwrap_or_default();
    let name = row.name.clone();
    view! {
        <tr data-code=name>
            <td><A href=format!("/admin/codes/{}", row.id) attr:class="code-name">{row.name}</A></td>
            <td><span class=format!("status status-{status}")>{move || i18n.tr(&format!("admin-status-{status}"))}</span></td>
            <td>{move || kinds.iter().map(|k| i18n.tr(&format!("admin-preset-{k}"))).collect::<Vec<_>>().join(", ")}</td>
            <td class="num">{row.current_reward} " " {row.currency.clone()}</td>
            <td class="num"><A href=format!("/admin/codes/{}/stats", row.id)>{row.activation_count}{limit}</A></td>
            <td class="num">{row.priority}</td>
            <td>{assigned.join(" · ")}</td>
            <td><Time at=row.created_at/></td>
        </tr>
    }
}

/// The presets in the address: `?preset=decreasing,limited`.
fn presets_from_query() -> Memo<Vec<String>> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            q.get("preset")
                .unwrap_or_default()
                .split(',')
                .filter(|p| PRESETS.contains(p))
                .map(str::to_owned)
                .collect()
        })
    })
}

#[component]
pub fn CodeNewPage() -> impl IntoView {
    let presets = presets_from_query();
    let choices = Resource::new_blocking(|| (), |_| code_choices());
    let i18n = expect_context::<leptos_fluent::I18n>();
    let toggle = move |preset: &'static str| {
        let mut list = presets.get();
        if preset == "standard" {
            list.clear();
        } else if let Some(i) = list.iter().position(|p| p == preset) {
            list.remove(i);
        } else {
            list.push(preset.to_owned());
        }
        if list.is_empty() {
            "/admin/codes/new".to_owned()
        } else {
            format!("/admin/codes/new?preset={}", list.join(","))
        }
    };
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-code-new-title")}</h1>
            <ReadOnlyNote/>
            <nav class="presets" aria-label=move_tr!("admin-presets")>
                <span>{move_tr!("admin-presets")}</span>
                {PRESETS.iter().map(|p| {
                    let p: &'static str = p;
                    let pressed = move || {
                        let list = presets.get();
                        (if p == "standard" { list.is_empty() } else { list.iter().any(|x| x == p) }).to_string()
                    };
                    view! {
                        <A href=move || toggle(p) attr:class="chip" attr:id=format!("preset-{p}") attr:aria-pressed=pressed>
                            {move || i18n.tr(&format!("admin-preset-{p}"))}
                        </A>
                    }
                }).collect_view()}
            </nav>
            <p class="muted">{move_tr!("admin-presets-hint")}</p>
            <Suspense fallback=|| ()>
            {move || choices.get().map(|c| {
                let list = presets.get();
                let refs: Vec<&str> = list.iter().map(String::as_str).collect();
                let initial = from_draft::<CodeForm>()
                    .unwrap_or_else(|| CodeForm::with_presets(&refs, chrono::Utc::now()));
                view! { <CodeFormView initial choices=c.unwrap_or_default()/> }
            })}
            </Suspense>
        </section>
        </AdminPage>
    }
}

/// Every parameter of a code, for creating and for editing.
#[component]
fn CodeFormView(initial: CodeForm, choices: Choices) -> impl IntoView {
    let session = AdminSession::get();
    let action = ServerAction::<SaveCode>::new();
    let errors = form_errors(action.value());
    let i18n = expect_context::<leptos_fluent::I18n>();
    let f = initial;
    let currencies: Vec<(String, String)> = choices
        .currencies
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    view! {
        <ActionForm action=action attr:id="code-form" attr:class="admin-form">
            <Csrf/>
            <input type="hidden" name="id" value=f.id.clone()/>
            <FormMessage errors/>
            <fieldset disabled=move || !session.can_write()>
                <legend>{move_tr!("admin-section-basics")}</legend>
                <Field errors name="name" label="admin-field-name" value=f.name.clone() required=true hint="admin-hint-name"/>
                <div class="field checkbox">
                    <input id="field-enabled" type="checkbox" name="enabled" checked=f.enabled.is_some()/>
                    <label for="field-enabled">{move_tr!("admin-field-enabled")}</label>
                </div>
                <Field errors name="priority" label="admin-field-priority" value=f.priority.clone() kind="number" hint="admin-hint-priority"/>
            </fieldset>
            <fieldset disabled=move || !session.can_write()>
                <legend>{move_tr!("admin-section-reward")}</legend>
                <Select errors name="currency" label="admin-field-currency" value=f.currency.clone() options=currencies/>
                <Field errors name="initial_reward" label="admin-field-initial-reward" value=f.initial_reward.clone() kind="number" required=true/>
                <Field errors name="decrease_step" label="admin-field-decrease-step" value=f.decrease_step.clone() kind="number" hint="admin-hint-decrease"/>
                <Field errors name="min_reward" label="admin-field-min-reward" value=f.min_reward.clone() kind="number" hint="admin-hint-min"/>
            </fieldset>
            <fieldset disabled=move || !session.can_write()>
                <legend>{move_tr!("admin-section-limits")}</legend>
                <Field errors name="activation_limit" label="admin-field-limit" value=f.activation_limit.clone() kind="number" hint="admin-hint-limit"/>
                <Field errors name="starts_at" label="admin-field-starts" value=f.starts_at.clone() kind="datetime-local" hint="admin-hint-utc"/>
                <Field errors name="ends_at" label="admin-field-ends" value=f.ends_at.clone() kind="datetime-local" hint="admin-hint-utc"/>
                <Field errors name="egg_slug" label="admin-field-egg-slug" value=f.egg_slug.clone() hint="admin-hint-egg"/>
            </fieldset>
            <fieldset disabled=move || !session.can_write()>
                <legend>{move_tr!("admin-section-assignment")}</legend>
                <Select errors name="group_id" label="admin-field-group" value=f.group_id.clone() options=choice_options(&choices.groups) allow_none=true/>
                <Select errors name="campaign_id" label="admin-field-campaign" value=f.campaign_id.clone() options=choice_options(&choices.campaigns) allow_none=true/>
                <Select errors name="partner_id" label="admin-field-partner" value=f.partner_id.clone() options=choice_options(&choices.partners) allow_none=true/>
            </fieldset>
            <fieldset disabled=move || !session.can_write()>
                <legend>{move_tr!("admin-section-eligibility")}</legend>
                <Field errors name="eligible_tiers" label="admin-field-tiers" value=f.eligible_tiers.clone() hint="admin-hint-list"/>
                <Field errors name="eligible_tags" label="admin-field-tags" value=f.eligible_tags.clone() hint="admin-hint-list"/>
                <Field errors name="new_player_days" label="admin-field-new-player-days" value=f.new_player_days.clone() kind="number" hint="admin-hint-new-player"/>
            </fieldset>
            <fieldset disabled=move || !session.can_write() class="texts">
                <legend>{move_tr!("admin-section-texts")}</legend>
                <div class="lang-block" lang="en">
                    <h3>"English"</h3>
                    <TextArea errors name="description_en" label="admin-field-description" value=f.description_en.clone()/>
                    <TextArea errors name="secret_en" label="admin-field-secret" value=f.secret_en.clone()/>
                </div>
                <div class="lang-block" lang="ru">
                    <h3>"Русский"</h3>
                    <TextArea errors name="description_ru" label="admin-field-description" value=f.description_ru.clone()/>
                    <TextArea errors name="secret_ru" label="admin-field-secret" value=f.secret_ru.clone()/>
                </div>
            </fieldset>
            {move || session.can_write().then(|| view! {
                <button type="submit" class="button" id="save-code" disabled=move || action.pending().get()>
                    {move || i18n.tr("admin-save")}
                </button>
            })}
        </ActionForm>
    }
}

#[component]
pub fn CodeEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
    });
    let toggle = ServerAction::<SetCodeEnabled>::new();
    let code = Resource::new_blocking(
        move || (id.get(), toggle.version().get()),
        |(id, _)| load_code(id),
    );
    let choices = Resource::new_blocking(|| (), |_| code_choices());
    let query = use_query_map();
    let note = move || {
        query.with(|q| {
            if q.get("saved").is_some() {
                Some("admin-code-saved")
            } else if q.get("cloned").is_some() {
                Some("admin-code-cloned")
            } else if q.get("announced").is_some() {
                Some("admin-code-announced")
            } else {
                None
            }
        })
    };
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <Suspense fallback=|| view! { <p class="muted">{move_tr!("loading")}</p> }>
        {move || match (code.get(), choices.get()) {
            (Some(Ok(Some(detail))), Some(c)) => {
                let initial = from_draft::<CodeForm>().unwrap_or_else(|| detail.form.clone());
                let id = id.get_untracked();
                let status = detail.status.as_str();
                let enabled = detail.form.enabled.is_some();
                view! {
                    <section class="card wide">
                        <div class="title-row">
                            <h1 id="code-title">{detail.form.name.clone()}</h1>
                            <span class=format!("status status-{status}") id="code-status">{move || i18n.tr(&format!("admin-status-{status}"))}</span>
                        </div>
                        {move || note().map(|n| view! { <p class="result success" role="status" id="saved-note">{move || i18n.tr(n)}</p> })}
                        <p class="muted">
                            {move_tr!("admin-code-counts", {
                                "count" => format::number(detail.activation_count.into()),
                                "reward" => format::number(detail.current_reward),
                            })}
                            " · " {move_tr!("admin-col-created")} " " <Time at=detail.created_at/>
                            " · " <A href=format!("/admin/codes/{id}/stats") attr:id="code-stats-link">{move_tr!("admin-nav-stats")}</A>
                            " · " <A href=format!("/admin/audit?entity=code&id={id}")>{move_tr!("admin-nav-audit")}</A>
                        </p>
                        <ReadOnlyNote/>
                        <CodeActions id enabled toggle/>
                        <CodeFormView initial choices=c.unwrap_or_default()/>
                    </section>
                }.into_any()
            }
            (Some(Ok(None)), _) => view! { <crate::pages::NotFound/> }.into_any(),
            (Some(Err(_)), _) => view! { <p class="result error" role="alert">{move_tr!("error-internal")}</p> }.into_any(),
            _ => ().into_any(),
        }}
        </Suspense>
        </AdminPage>
    }
}

/// Enable/disable, clone under a new name, delete.
#[component]
fn CodeActions(id: i64, enabled: bool, toggle: ServerAction<SetCodeEnabled>) -> impl IntoView {
    let session = AdminSession::get();
    let clone = ServerAction::<CloneCode>::new();
    let delete = ServerAction::<DeleteCode>::new();
    let announce = ServerAction::<AnnounceCode>::new();
    let query = use_query_map();
    let i18n = expect_context::<leptos_fluent::I18n>();
    let clone_error = move || match clone.value().get() {
        Some(Ok(Saved::Invalid(errors))) => errors.first().map(|e| e.message.clone()),
        Some(Err(_)) => Some("error-internal".to_owned()),
        _ => query
            .with(|q| q.get("clone_error"))
            .filter(|e| e.starts_with("admin-error-")),
    };
    let delete_error = move || match delete.value().get() {
        Some(Ok(Some(e))) => Some(e),
        Some(Err(_)) => Some("error-internal".to_owned()),
        _ => query
            .with(|q| q.get("error"))
            .filter(|e| e.starts_with("admin-error-")),
    };
    let announced = move || match announce.value().get() {
        Some(Ok(None)) => Some(("result success", "admin-code-announced".to_owned())),
        Some(Ok(Some(e))) => Some(("field-error", e)),
        Some(Err(_)) => Some(("field-error", "error-internal".to_owned())),
        None => query
            .with(|q| q.get("announce_error"))
            .filter(|e| e.starts_with("admin-error-"))
            .map(|e| ("field-error", e)),
    };
    let clone_name = query
        .with_untracked(|q| q.get("clone_name"))
        .unwrap_or_default();
    view! {
        <div class="code-actions" class:hidden=move || !session.can_write()>
            <ActionForm action=toggle attr:class="inline">
                <Csrf/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                <button type="submit" class="button secondary" id="toggle-enabled">
                    {move || if enabled { i18n.tr("admin-disable") } else { i18n.tr("admin-enable") }}
                </button>
            </ActionForm>
            <ActionForm action=clone attr:class="inline clone-form">
                <Csrf/>
                <input type="hidden" name="id" value=id/>
                <label for="clone-name">{move_tr!("admin-clone-name")}</label>
                <input id="clone-name" name="name" required value=clone_name/>
                <button type="submit" class="button secondary" id="clone-code">{move_tr!("admin-clone")}</button>
                {move || clone_error().map(|e| view! { <span class="field-error" role="alert" id="clone-error">{i18n.tr(&e)}</span> })}
            </ActionForm>
            <ActionForm action=delete attr:class="inline">
                <Csrf/>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button danger" id="delete-code">{move_tr!("admin-delete")}</button>
                {move || delete_error().map(|e| view! { <span class="field-error" role="alert" id="delete-error">{i18n.tr(&e)}</span> })}
            </ActionForm>
            <ActionForm action=announce attr:class="inline">
                <Csrf/>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button secondary" id="announce-code">{move_tr!("admin-announce")}</button>
                {move || announced().map(|(class, e)| view! { <span class=class role="status" id="announce-result">{i18n.tr(&e)}</span> })}
            </ActionForm>
        </div>
    }
}
