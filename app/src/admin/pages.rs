//! Sign-in, the dashboard home, CSV import and the audit log.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{
    audit_log, load_dashboard, series_jobs, AdminSignIn as AdminSignInFn, ImportCodes,
};
use super::layout::*;
use super::models::*;
use crate::components::Time;
use crate::format;

fn query_value(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name).unwrap_or_default()))
}

#[component]
pub fn AdminSignIn() -> impl IntoView {
    let action = ServerAction::<AdminSignInFn>::new();
    let next = query_value("next");
    let error = move || {
        crate::components::form_error(action.value().get(), &["admin-signin-", "error-internal"])
    };
    view! {
        <section class="card narrow">
            <h1>{move_tr!("admin-signin-title")}</h1>
            <crate::components::FormErrorView error/>
            <ActionForm action=action attr:id="admin-signin-form" attr:class="stack">
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="admin-username">{move_tr!("field-username")}</label>
                <input id="admin-username" name="username" required autocomplete="username" maxlength="40"/>
                <label for="admin-password">{move_tr!("field-password")}</label>
                <input id="admin-password" name="password" type="password" required autocomplete="current-password"/>
                <button type="submit" class="button" id="admin-signin-submit">{move_tr!("signin-submit")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn AdminHome() -> impl IntoView {
    let stats = Resource::new_blocking(|| (), |_| load_dashboard());
    let jobs = Resource::new_blocking(|| (), |_| series_jobs(None));
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-home-title")}</h1>
            <Suspense fallback=|| ()>
            {move || stats.get().map(|r| r.map(|s| view! {
                {s.spike.map(|(until, failures)| view! {
                    <div class="result error" role="alert" id="spike-alert">
                        <p>{move_tr!("admin-alert-spike", {"failures" => failures, "until" => until.format("%Y-%m-%d %H:%M UTC").to_string()})}</p>
                        <p><A href="/admin/blocks">{move_tr!("admin-nav-blocks")}</A></p>
                    </div>
                })}
                <div class="stats" id="stats">
                    <div class="stat"><span class="stat-value" id="stat-active">{format::number(s.active_codes)}</span><span>{move_tr!("admin-stat-active")}</span></div>
                    <div class="stat"><span class="stat-value" id="stat-today">{format::number(s.activations_today)}</span><span>{move_tr!("admin-stat-today")}</span></div>
                    <div class="stat"><span class="stat-value" id="stat-week">{format::number(s.activations_week)}</span><span>{move_tr!("admin-stat-week")}</span></div>
                    <div class="stat"><span class="stat-value">{format::number(s.running_jobs)}</span><span>{move_tr!("admin-stat-jobs")}</span></div>
                    <div class="stat"><A href="/admin/blocks" attr:class="stat-value" attr:id="stat-blocks">{format::number(s.active_blocks)}</A><span>{move_tr!("admin-stat-blocks")}</span></div>
                </div>
                <h2>{move_tr!("admin-stat-rewards")}</h2>
                <table class="list" id="rewards-table">
                    <thead><tr>
                        <th scope="col">{move_tr!("admin-field-currency")}</th>
                        <th scope="col">{move_tr!("admin-stat-rewards-week")}</th>
                        <th scope="col">{move_tr!("admin-stat-rewards-total")}</th>
                    </tr></thead>
                    <tbody>
                    {s.rewards_total.iter().map(|(currency, total)| {
                        let week = s.rewards_week.iter().find(|(c, _)| c == currency).map_or(0, |(_, w)| *w);
                        view! { <tr data-currency=currency.clone()>
                            <td>{format::currency_name(currency)}</td>
                            <td class="num">{format::amount(week, currency)}</td>
                            <td class="num">{format::amount(*total, currency)}</td>
                        </tr> }
                    }).collect_view()}
                    </tbody>
                </table>
            }))}
            </Suspense>
            <h2>{move_tr!("admin-series-jobs")}</h2>
            <Suspense fallback=|| ()>
            {move || jobs.get().map(|r| r.map(|jobs| view! {
                <ul class="plain">
                {jobs.into_iter().take(5).map(|j| view! {
                    <li><A href=format!("/admin/series/{}", j.id)>{j.name.clone()}</A> " · " {j.done} " / " {j.requested}</li>
                }).collect_view()}
                </ul>
            }))}
            </Suspense>
            <p class="quick-links">
                <A href="/admin/codes/new" attr:class="button">{move_tr!("admin-codes-new")}</A>
                " " <A href="/admin/series" attr:class="button secondary">{move_tr!("admin-series-title")}</A>
                " " <A href="/admin/stats" attr:class="button secondary" attr:id="home-stats">{move_tr!("admin-nav-stats")}</A>
            </p>
        </section>
        </AdminPage>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let session = AdminSession::get();
    let action = ServerAction::<ImportCodes>::new();
    let query = use_query_map();
    let i18n = expect_context::<leptos_fluent::I18n>();
    let outcome = move || match action.value().get() {
        Some(Ok(o)) => Some(o),
        Some(Err(_)) => Some(ImportOutcome::Refused(vec![(
            0,
            "error-internal".into(),
            String::new(),
        )])),
        None => query.with(|q| {
            if let Some(n) = q.get("imported").and_then(|n| n.parse().ok()) {
                return Some(ImportOutcome::Imported(n));
            }
            draft(session)
                .and_then(|d| draft_value(&d, "lines"))
                .map(|list| {
                    ImportOutcome::Refused(
                        list.lines()
                            .filter_map(|l| {
                                let mut parts = l.splitn(3, '|');
                                Some((
                                    parts.next()?.parse().ok()?,
                                    parts.next()?.to_owned(),
                                    parts.next().unwrap_or("").to_owned(),
                                ))
                            })
                            .collect(),
                    )
                })
        }),
    };
    // A chosen file is read into the text box (with JavaScript; without it, paste).
    let text = RwSignal::new(String::new());
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input: Option<web_sys::HtmlInputElement> =
                ev.target().and_then(|t| t.dyn_into().ok());
            if let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) {
                let promise = file.text();
                leptos::task::spawn_local(async move {
                    if let Ok(value) = wasm_bindgen_futures::JsFuture::from(promise).await {
                        text.set(value.as_string().unwrap_or_default());
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, text);
    };
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-import-title")}</h1>
            <ReadOnlyNote/>
            <p>{move_tr!("admin-import-help")}</p>
            <pre class="sample">"name,reward,currency,activation_limit,starts_at,ends_at,group,description_en,description_ru\nSPRING-1,100,COINS,50,2026-03-01,2026-04-01,,Spring gift,Весенний подарок"</pre>
            {move || outcome().map(|o| match o {
                ImportOutcome::Imported(n) => view! {
                    <p class="result success" role="status" id="import-result">{move_tr!("admin-import-done", {"count" => n, "shown" => format::number(i64::try_from(n).unwrap_or(i64::MAX))})}</p>
                }.into_any(),
                ImportOutcome::Refused(lines) => {
                    let count = lines.len();
                    view! {
                    <div class="result error" role="alert" id="import-result">
                        <p>{move_tr!("admin-import-refused", {"count" => count})}</p>
                        <ul id="import-errors">
                        {lines.into_iter().map(|(line, id, value)| view! {
                            <li>{move_tr!("admin-import-line", {"line" => line})} ": " {i18n.tr(&id)} {(!value.is_empty()).then(|| format!(" ({value})"))}</li>
                        }).collect_view()}
                        </ul>
                    </div>
                }.into_any()
                }
            })}
            <Suspense fallback=|| ()>
            <ActionForm action=action attr:id="import-form" attr:class="admin-form">
                <Csrf/>
                <fieldset disabled=move || !session.can_write()>
                    <div class="field">
                        <label for="import-file">{move_tr!("admin-import-file")}</label>
                        <input id="import-file" type="file" accept=".csv,text/csv" on:change=on_file/>
                    </div>
                    <div class="field">
                        <label for="import-csv">{move_tr!("admin-import-text")}</label>
                        <textarea id="import-csv" name="csv" rows="10" required prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    </div>
                </fieldset>
                {move || session.can_write().then(|| view! {
                    <button type="submit" class="button" id="import-submit" disabled=move || action.pending().get()>{move_tr!("admin-import-submit")}</button>
                })}
            </ActionForm>
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let args = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("page")
                    .and_then(|p| p.parse::<i64>().ok())
                    .unwrap_or(1)
                    .max(1),
                q.get("entity").unwrap_or_default(),
            )
        })
    });
    let log = Resource::new_blocking(move || args.get(), |(page, entity)| audit_log(page, entity));
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-audit-title")}</h1>
            <nav class="chips">
                {["", "code", "series", "group", "campaign", "partner", "block", "webhook", "api_key", "action_reward"].into_iter().map(|e| {
                    let href = if e.is_empty() { "/admin/audit".to_owned() } else { format!("/admin/audit?entity={e}") };
                    let label = if e.is_empty() { "admin-audit-all".to_owned() } else { format!("admin-entity-{e}") };
                    view! { <A href=href attr:class="chip">{move || i18n.tr(&label)}</A> }
                }).collect_view()}
            </nav>
            <Suspense fallback=|| ()>
            {move || log.get().map(|r| r.map(|page| {
                let entity = args.get_untracked().1;
                let link = move |p: i64| format!("/admin/audit?page={p}&entity={entity}");
                view! {
                    <table class="list audit" id="audit-table">
                        <thead><tr>
                            <th scope="col">{move_tr!("col-when")}</th>
                            <th scope="col">{move_tr!("admin-audit-who")}</th>
                            <th scope="col">{move_tr!("admin-audit-action")}</th>
                            <th scope="col">{move_tr!("admin-audit-what")}</th>
                            <th scope="col">{move_tr!("admin-audit-changes")}</th>
                        </tr></thead>
                        <tbody>
                        {page.lines.into_iter().map(|l| {
                            let entity = l.entity.clone();
                            let target = match (l.entity.as_str(), l.entity_id) {
                                ("code", Some(id)) => Some(format!("/admin/codes/{id}")),
                                ("series", Some(id)) => Some(format!("/admin/series/{id}")),
                                ("block", Some(_)) => Some("/admin/blocks?recent=1".to_owned()),
                                _ => None,
                            };
                            view! {
                                <tr data-action=l.action.clone()>
                                    <td><Time at=l.at/></td>
                                    <td>{match (l.admin.clone(), l.api_key.clone()) {
                                        (Some(admin), _) => admin.into_any(),
                                        (None, Some(key)) => move_tr!("admin-audit-api-key", {"name" => key.clone()}).into_any(),
                                        (None, None) => "".into_any(),
                                    }}</td>
                                    <td>{l.action.clone()}</td>
                                    <td>
                                        {move || i18n.tr(&format!("admin-entity-{entity}"))} " "
                                        {match target {
                                            Some(href) => view! { <A href=href>{format!("#{}", l.entity_id.unwrap_or_default())}</A> }.into_any(),
                                            None => view! { <span>{l.entity_id.map(|i| format!("#{i}")).unwrap_or_default()}</span> }.into_any(),
                                        }}
                                    </td>
                                    <td>
                                        <dl class="changes">
                                        {l.changes.into_iter().take(40).map(|(field, before, after)| view! {
                                            <dt>{field}</dt>
                                            <dd><del>{before}</del> " → " <ins>{after}</ins></dd>
                                        }).collect_view()}
                                        </dl>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                        </tbody>
                    </table>
                    <nav class="pager" aria-label=move_tr!("pager-label")>
                        {(page.page > 1).then(|| view! { <A href=link(page.page - 1) attr:rel="prev">{move_tr!("pager-previous")}</A> })}
                        <span>{move_tr!("pager-page", {"page" => page.page})}</span>
                        {page.has_next.then(|| view! { <A href=link(page.page + 1) attr:rel="next">{move_tr!("pager-next")}</A> })}
                    </nav>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}
