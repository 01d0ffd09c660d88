//! Series: the generation form (entropy shown as one types) and the job
//! pages with a live progress bar, cancel, and the series' CSV export.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::api::{code_choices, series_jobs, CancelSeries, StartSeries};
use super::layout::*;
use super::models::*;
use crate::components::Time;

#[component]
pub fn SeriesPage() -> impl IntoView {
    let jobs = Resource::new_blocking(|| (), |_| series_jobs(None));
    let choices = Resource::new_blocking(|| (), |_| code_choices());
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-series-title")}</h1>
            <ReadOnlyNote/>
            <Suspense fallback=|| ()>
                {move || choices.get().map(|c| {
                    let initial = from_draft::<SeriesForm>().unwrap_or_else(SeriesForm::defaults);
                    view! { <SeriesFormView initial choices=c.unwrap_or_default()/> }
                })}
            </Suspense>
            <h2>{move_tr!("admin-series-jobs")}</h2>
            <Suspense fallback=|| ()>
                {move || jobs.get().map(|r| r.map(|jobs| view! { <JobTable jobs/> }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
fn SeriesFormView(initial: SeriesForm, choices: Choices) -> impl IntoView {
    let session = AdminSession::get();
    let action = ServerAction::<StartSeries>::new();
    let errors = form_errors(action.value());
    let f = initial;
    let pattern = RwSignal::new(f.pattern.clone());
    let length = RwSignal::new(f.length.clone());
    let alphabet = RwSignal::new(f.alphabet.clone());
    let count = RwSignal::new(f.count.clone());
    let bits = move || series_entropy(&pattern.get(), &length.get(), &alphabet.get());
    let fits = move || pattern_fits(bits(), count.get().trim().parse().unwrap_or(1));
    let options = |list: &[Choice]| {
        list.iter()
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect::<Vec<_>>()
    };
    let currencies: Vec<(String, String)> = choices
        .currencies
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    view! {
        <ActionForm action=action attr:id="series-form" attr:class="admin-form">
            <Csrf/>
            <FormMessage errors/>
            <fieldset disabled=move || !session.can_write()>
                <legend>{move_tr!("admin-series-pattern")}</legend>
                <Field errors name="name" label="admin-series-name" value=f.name.clone() required=true/>
                <div class="field">
                    <label for="field-count">{move_tr!("admin-series-count")}</label>
                    <input id="field-count" name="count" type="number" min="1" max="5000000" value=f.count.clone()
                        on:input=move |ev| count.set(event_target_value(&ev))/>
                    <FieldMessage errors field="count"/>
                </div>
                <Field errors name="prefix" label="admin-series-prefix" value=f.prefix.clone()/>
                <div class="field">
                    <label for="field-length">{move_tr!("admin-series-length")}</label>
                    <input id="field-length" name="length" type="number" min="1" max="64" value=f.length.clone()
                        on:input=move |ev| length.set(event_target_value(&ev))/>
                    <FieldMessage errors field="length"/>
                </div>
                <Field errors name="suffix" label="admin-series-suffix" value=f.suffix.clone()/>
                <div class="field">
                    <label for="field-pattern">{move_tr!("admin-series-hash-pattern")}</label>
                    <input id="field-pattern" name="pattern" value=f.pattern.clone() placeholder="GIFT-####-####"
                        on:input=move |ev| pattern.set(event_target_value(&ev))/>
                    <small class="muted">{move_tr!("admin-series-hash-hint")}</small>
                    <FieldMessage errors field="pattern"/>
                </div>
                <div class="field">
                    <label for="field-alphabet">{move_tr!("admin-series-alphabet")}</label>
                    <input id="field-alphabet" name="alphabet" value=f.alphabet.clone() placeholder=SAFE_ALPHABET
                        on:input=move |ev| alphabet.set(event_target_value(&ev))/>
                    <small class="muted">{move_tr!("admin-series-alphabet-hint", {"alphabet" => SAFE_ALPHABET})}</small>
                    <FieldMessage errors field="alphabet"/>
                </div>
                <p class="entropy" id="entropy" class:bad=move || !fits() aria-live="polite">
                    {move || move_tr!("admin-series-entropy", {"bits" => format!("{:.1}", bits())}).get()}
                    " "
                    {move || if fits() { move_tr!("admin-series-entropy-ok").get() } else { move_tr!("admin-series-entropy-low").get() }}
                </p>
            </fieldset>
            <fieldset disabled=move || !session.can_write()>
                <legend>{move_tr!("admin-series-shared")}</legend>
                <Select errors name="currency" label="admin-field-currency" value=f.currency.clone() options=currencies/>
                <Field errors name="reward" label="admin-field-initial-reward" value=f.reward.clone() kind="number" required=true/>
                <Field errors name="activation_limit" label="admin-series-uses" value=f.activation_limit.clone() kind="number" hint="admin-hint-limit"/>
                <Field errors name="starts_at" label="admin-field-starts" value=f.starts_at.clone() kind="datetime-local" hint="admin-hint-utc"/>
                <Field errors name="ends_at" label="admin-field-ends" value=f.ends_at.clone() kind="datetime-local" hint="admin-hint-utc"/>
                <Select errors name="campaign_id" label="admin-field-campaign" value=f.campaign_id.clone() options=options(&choices.campaigns) allow_none=true/>
                <Select errors name="partner_id" label="admin-field-partner" value=f.partner_id.clone() options=options(&choices.partners) allow_none=true/>
            </fieldset>
            {move || session.can_write().then(|| view! {
                <button type="submit" class="button" id="start-series" disabled=move || action.pending().get()>
                    {move_tr!("admin-series-start")}
                </button>
            })}
        </ActionForm>
    }
}

#[component]
fn JobTable(jobs: Vec<SeriesJob>) -> impl IntoView {
    view! {
        <table class="list" id="jobs-table">
            <thead><tr>
                <th scope="col">{move_tr!("admin-series-name")}</th>
                <th scope="col">{move_tr!("admin-filter-status")}</th>
                <th scope="col">{move_tr!("admin-series-progress")}</th>
                <th scope="col">{move_tr!("admin-col-created")}</th>
            </tr></thead>
            <tbody>
            {jobs.into_iter().map(|job| view! {
                <tr>
                    <td><A href=format!("/admin/series/{}", job.id)>{job.name.clone()}</A></td>
                    <td><JobStatusLabel status=job.status/></td>
                    <td class="num">{job.done} " / " {job.requested}</td>
                    <td><Time at=job.created_at/></td>
                </tr>
            }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn JobStatusLabel(status: JobStatus) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    let s = status.as_str();
    view! { <span class=format!("status job-{s}") data-status=s>{move || i18n.tr(&format!("admin-job-{s}"))}</span> }
}

#[component]
pub fn SeriesJobPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
    });
    let tick = RwSignal::new(0u32);
    let cancel = ServerAction::<CancelSeries>::new();
    let job = Resource::new_blocking(
        move || (id.get(), tick.get(), cancel.version().get()),
        |(id, _, _)| async move { series_jobs(Some(id)).await.map(|j| j.into_iter().next()) },
    );
    // In the browser, poll while the job runs.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let running = job
                    .get_untracked()
                    .and_then(|r| r.ok())
                    .flatten()
                    .is_some_and(|j| j.status == JobStatus::Running);
                if running {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_millis(400),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <AdminPage>
        <section class="card wide">
            <Transition fallback=|| ()>
            {move || job.get().map(|r| match r {
                Ok(Some(job)) => {
                    let percent = if job.requested > 0 { f64::from(job.done) * 100.0 / f64::from(job.requested) } else { 0.0 };
                    let running = job.status == JobStatus::Running;
                    let export = job.group_id.map(|g| format!("/admin/export/codes.csv?group={g}"));
                    let codes = job.group_id.map(|g| format!("/admin/codes?group={g}"));
                    view! {
                        <h1 id="job-title">{job.name.clone()}</h1>
                        // Without JavaScript the page reloads itself while the job runs.
                        {running.then(|| view! { <noscript><meta http-equiv="refresh" content="1"/></noscript> })}
                        <p><JobStatusLabel status=job.status/></p>
                        <progress id="job-progress" max=job.requested value=job.done aria-label=move_tr!("admin-series-progress")></progress>
                        <p id="job-numbers">{job.done} " / " {job.requested} " (" {format!("{percent:.0}")} "%)"
                            " · " {move_tr!("admin-series-entropy", {"bits" => format!("{:.1}", job.entropy_bits)})}</p>
                        {(running && !job.cancel_requested).then(|| view! {
                            <ActionForm action=cancel attr:class="inline">
                                <Csrf/>
                                <input type="hidden" name="id" value=job.id/>
                                <button type="submit" class="button danger" id="cancel-series">{move_tr!("admin-series-cancel")}</button>
                            </ActionForm>
                        })}
                        {job.cancel_requested.then(|| view! { <p class="muted">{move_tr!("admin-series-cancelling")}</p> })}
                        {export.map(|href| view! {
                            <p>
                                <a href=href rel="external" download class="button" id="export-series">{move_tr!("admin-export-csv")}</a>
                                " " <A href=codes.unwrap_or_default()>{move_tr!("admin-series-view-codes")}</A>
                                " " <A href=format!("/admin/series/{}/print", job.id) attr:id="print-series">{move_tr!("admin-sheet-open")}</A>
                            </p>
                        })}
                        <p><A href="/admin/series">{move_tr!("admin-series-back")}</A></p>
                    }.into_any()
                }
                Ok(None) => view! { <crate::pages::NotFound/> }.into_any(),
                Err(_) => view! { <p class="result error" role="alert">{move_tr!("error-internal")}</p> }.into_any(),
            })}
            </Transition>
        </section>
        </AdminPage>
    }
}
