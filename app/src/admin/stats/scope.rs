//! A group's (or series'), campaign's or partner's report: activations,
//! unique players and rewards over the range, its codes' use, its top codes,
//! and for a partner the payout owed per month (also as CSV).

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_params_map};

use super::{key_labels, money_text, AsOf, RangePicker, RangeQuery, Tile};
use crate::admin::api::load_scope_stats;
use crate::admin::layout::AdminPage;
use crate::admin::models::{Scope, ScopeStats};
use crate::charts::{time_bars, BarChart};
use crate::format;

/// `/admin/{groups,campaigns,partners}/{id}/stats`.
#[component]
pub fn ScopeStatsPage() -> impl IntoView {
    let params = use_params_map();
    let location = use_location();
    let scope = Memo::new(move |_| {
        let path = location.pathname.get();
        if path.starts_with("/admin/campaigns/") {
            Scope::Campaign
        } else if path.starts_with("/admin/partners/") {
            Scope::Partner
        } else {
            Scope::Group
        }
    });
    let id = Memo::new(move |_| {
        params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
    });
    let query = RangeQuery::read();
    let report = Resource::new_blocking(
        move || (scope.get(), id.get(), query.args()),
        |(scope, id, (from, to))| load_scope_stats(scope, id, from, to),
    );
    view! {
        <AdminPage>
        <section class="card wide stats-page" id="scope-stats">
            <Suspense fallback=|| ()>
            {move || report.get().map(|r| match r {
                Ok(stats) => view! { <ScopeReport stats query/> }.into_any(),
                Err(_) => view! { <p class="result error" role="alert">{move_tr!("stats-not-found")}</p> }.into_any(),
            })}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
fn ScopeReport(stats: ScopeStats, query: RangeQuery) -> impl IntoView {
    let name = stats.name.clone();
    let heading = match (stats.scope, stats.series) {
        (Scope::Group, true) => tr!("stats-series-title", {"name" => name}),
        (Scope::Group, false) => tr!("stats-group-title", {"name" => name}),
        (Scope::Campaign, _) => tr!("stats-campaign-title", {"name" => name}),
        (Scope::Partner, _) => tr!("stats-partner-title", {"name" => name}),
    };
    let filter = format!("/admin/codes?{}={}", stats.scope.as_str(), stats.id);
    let payout_csv = format!(
        "/admin/partners/{}/payouts.csv?{}",
        stats.id,
        stats.range.query()
    );
    view! {
        <header class="stats-head">
            <h1>{heading}</h1>
            <p class="muted"><A href=filter>{move_tr!("stats-scope-codes", {"count" => stats.codes, "shown" => format::number(stats.codes)})}</A></p>
            <AsOf at=stats.as_of/>
        </header>
        <RangePicker query/>
        <div class="stats" id="scope-tiles">
            <Tile value=format::number(stats.activations) label=move_tr!("stats-activations") id="tile-activations"/>
            <Tile value=format::number(stats.players) label=move_tr!("stats-unique-players") id="tile-players"/>
            <Tile value=money_text(&stats.rewards) label=move_tr!("stats-rewards") id="tile-rewards"/>
            <Tile value=format!("{} / {}", format::number(stats.codes_used), format::number(stats.codes))
                label=move_tr!("stats-codes-used") id="tile-codes-used"/>
            <Tile value=format::share(stats.codes_used, stats.codes) label=move_tr!("stats-codes-used-share") id="tile-codes-share"/>
        </div>
        <BarChart id="chart-activations" title=tr!("stats-chart-activations")
            keys=key_labels(&stats.over_time.keys) bars=time_bars(&stats.over_time)/>
        {stats.payout.clone().map(|p| {
            let rate = format::amount(p.per_activation, &p.currency);
            view! {
            <h2>{move_tr!("stats-payout-title")}</h2>
            <p>{move_tr!("stats-payout-rate", {"amount" => rate.clone()})}</p>
            <table class="list" id="payout-table">
                <thead><tr>
                    <th scope="col">{move_tr!("stats-month")}</th>
                    <th scope="col" class="num">{move_tr!("stats-activations")}</th>
                    <th scope="col" class="num">{move_tr!("stats-owed")}</th>
                </tr></thead>
                <tbody>
                {p.months.iter().map(|(month, n, owed)| view! {
                    <tr data-month=month.to_string()>
                        <th scope="row">{format::date(*month)}</th>
                        <td class="num">{format::number(*n)}</td>
                        <td class="num">{format::amount(*owed, &p.currency)}</td>
                    </tr>
                }).collect_view()}
                </tbody>
                <tfoot><tr>
                    <th scope="row">{move_tr!("chart-total")}</th>
                    <td class="num" id="payout-activations">{format::number(p.activations)}</td>
                    <td class="num" id="payout-owed">{format::amount(p.owed, &p.currency)}</td>
                </tr></tfoot>
            </table>
            <p><a href=payout_csv.clone() class="button secondary" id="payout-csv" download>{move_tr!("stats-payout-csv")}</a></p>
        }})}
        <h2>{move_tr!("stats-top-codes")}</h2>
        <table class="list" id="top-codes">
            <thead><tr>
                <th scope="col">{move_tr!("admin-field-name")}</th>
                <th scope="col" class="num">{move_tr!("stats-activations-all-time")}</th>
            </tr></thead>
            <tbody>
            {stats.top_codes.into_iter().map(|(id, name, n)| view! {
                <tr>
                    <td><A href=format!("/admin/codes/{id}/stats?{}", stats.range.query())>{name}</A></td>
                    <td class="num">{format::number(n)}</td>
                </tr>
            }).collect_view()}
            </tbody>
        </table>
    }
}
