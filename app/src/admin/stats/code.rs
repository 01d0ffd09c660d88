//! A code's report: live counters, today / 7 / 30 days, the range by channel
//! over time, time from release to activation, and who activated it (paged,
//! and as CSV).

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{key_labels, AsOf, RangePicker, RangeQuery, Tile};
use crate::admin::api::{load_code_players, load_code_stats};
use crate::admin::layout::AdminPage;
use crate::admin::models::{CodeStats, ACTIVATION_CHANNELS, DELAY_BUCKETS};
use crate::charts::{time_bars, Bar, BarChart};
use crate::format;

#[component]
pub fn CodeStatsPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
    });
    let query = RangeQuery::read();
    let report = Resource::new_blocking(
        move || (id.get(), query.args()),
        |(id, (from, to))| load_code_stats(id, from, to),
    );
    view! {
        <AdminPage>
        <section class="card wide stats-page" id="code-stats">
            <Suspense fallback=|| ()>
            {move || report.get().map(|r| match r {
                Ok(stats) => view! { <CodeReport stats query/> }.into_any(),
                Err(_) => view! { <p class="result error" role="alert">{move_tr!("stats-not-found")}</p> }.into_any(),
            })}
            </Suspense>
            <PlayersList id/>
        </section>
        </AdminPage>
    }
}

#[component]
fn CodeReport(stats: CodeStats, query: RangeQuery) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    let kind = stats.kind.clone();
    let channels: Vec<String> = ACTIVATION_CHANNELS.iter().map(|c| c.to_string()).collect();
    let channel_totals = stats.over_time.totals();
    let delays: Vec<Bar> = DELAY_BUCKETS
        .iter()
        .zip(&stats.delays)
        .map(|(b, v)| Bar {
            label: i18n.tr(&format!("stats-delay-{b}")),
            values: vec![*v],
        })
        .collect();
    let remaining = stats
        .remaining
        .map(format::number)
        .unwrap_or_else(|| "∞".to_owned());
    let currency = stats.currency.clone();
    // Sections type-erased one by one: one nested view type of the whole
    // report ran out of stack in a debug build.
    let tiles = view! {
        <header class="stats-head">
            <h1>{move_tr!("stats-code-title", {"name" => stats.name.clone()})}</h1>
            <p class="muted">
                {move || i18n.tr(&format!("stats-key-{kind}"))} " · "
                {move_tr!("stats-released", {"at" => format::moment(stats.released_at)})}
                " · " <A href=format!("/admin/codes/{}", stats.id)>{move_tr!("stats-edit-code")}</A>
            </p>
            <AsOf at=stats.as_of/>
        </header>
        <div class="stats" id="code-tiles">
            <Tile value=format::number(stats.activations) label=move_tr!("stats-activations-total") id="tile-total"/>
            <Tile value=format::number(stats.today) label=move_tr!("stats-today") id="tile-today"/>
            <Tile value=format::number(stats.last_7_days) label=move_tr!("stats-last-7") id="tile-7"/>
            <Tile value=format::number(stats.last_30_days) label=move_tr!("stats-last-30") id="tile-30"/>
            <Tile value=format::number(stats.activations) label=move_tr!("stats-unique-players") id="tile-players"/>
            <Tile value=format::amount(stats.rewards_total, &stats.currency) label=move_tr!("stats-rewards-total") id="tile-rewards"/>
            <Tile value=remaining label=move_tr!("stats-remaining") id="tile-remaining"/>
            <Tile value=format::amount(stats.current_reward, &currency) label=move_tr!("stats-current-reward") id="tile-current"/>
        </div>
    }
    .into_any();
    let split = view! {
        <BarChart id="chart-delays" title=tr!("stats-chart-delays")
            keys=vec![tr!("stats-activations")] bars=delays/>
        <div class="two-col">
            <table class="list" id="channel-table">
                <caption>{move_tr!("stats-channels")}</caption>
                <thead><tr>
                    <th scope="col">{move_tr!("stats-channel")}</th>
                    <th scope="col" class="num">{move_tr!("stats-activations")}</th>
                    <th scope="col" class="num">{move_tr!("stats-share")}</th>
                </tr></thead>
                <tbody>
                {channels.iter().zip(channel_totals).map(|(c, n)| {
                    let label = i18n.tr(&format!("stats-key-{c}"));
                    view! {
                        <tr data-channel=c.clone()>
                            <th scope="row">{label}</th>
                            <td class="num">{format::number(n)}</td>
                            <td class="num">{format::share(n, stats.in_range)}</td>
                        </tr>
                    }
                }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any();
    view! {
        {tiles}
        <RangePicker query/>
        <p id="range-figures">
            {move_tr!("stats-in-range", {
                "count" => stats.in_range,
                "shown" => format::number(stats.in_range),
                "rewards" => format::amount(stats.rewards_in_range, &stats.currency),
            })}
        </p>
        <BarChart id="chart-activations" title=tr!("stats-chart-activations")
            keys=key_labels(&stats.over_time.keys) bars=time_bars(&stats.over_time)/>
        {split}
    }
}

/// Who activated the code, newest first, 50 a page, and the CSV of all.
#[component]
fn PlayersList(id: Memo<i64>) -> impl IntoView {
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse().ok())
                .map_or(1, crate::models::page_number)
        })
    });
    let players = Resource::new_blocking(
        move || (id.get(), page.get()),
        |(id, page)| load_code_players(id, page),
    );
    view! {
        <h2 id="players-heading">{move_tr!("stats-players-title")}</h2>
        <p><a href=move || format!("/admin/codes/{}/players.csv", id.get()) class="button secondary" id="players-csv" download>
            {move_tr!("stats-players-csv")}
        </a></p>
        <Suspense fallback=|| ()>
        {move || players.get().map(|r| r.map(|list| {
            let link = move |p: i64| {
                let q = query.get_untracked();
                let keep = ["from", "to"].iter().filter_map(|k| q.get(k).map(|v| format!("&{k}={v}"))).collect::<String>();
                format!("/admin/codes/{}/stats?page={p}{keep}#players-heading", id.get_untracked())
            };
            view! {
                {list.lines.is_empty().then(|| view! { <p class="muted" id="players-empty">{move_tr!("stats-players-empty")}</p> })}
                <table class="list" id="players-table">
                    <thead><tr>
                        <th scope="col" class="num">"#"</th>
                        <th scope="col">{move_tr!("stats-player")}</th>
                        <th scope="col">{move_tr!("stats-external-id")}</th>
                        <th scope="col" class="num">{move_tr!("stats-reward")}</th>
                        <th scope="col">{move_tr!("stats-channel")}</th>
                        <th scope="col">{move_tr!("col-when")}</th>
                    </tr></thead>
                    <tbody>
                    {list.lines.into_iter().map(|l| {
                        let channel = format!("stats-key-{}", l.channel);
                        let i18n = expect_context::<leptos_fluent::I18n>();
                        view! {
                            <tr>
                                <td class="num">{format::number(l.number)}</td>
                                <td>{l.username}</td>
                                <td>{l.external_id.unwrap_or_default()}</td>
                                <td class="num">{format::number(l.reward)}</td>
                                <td>{move || i18n.tr(&channel)}</td>
                                <td>{format::moment(l.at)}</td>
                            </tr>
                        }
                    }).collect_view()}
                    </tbody>
                </table>
                <nav class="pager" aria-label=move_tr!("pager-label")>
                    {(list.page > 1).then(|| view! { <A href=link(list.page - 1) attr:rel="prev">{move_tr!("pager-previous")}</A> })}
                    <span>{move_tr!("pager-page", {"page" => list.page})}</span>
                    {list.has_next.then(|| view! { <A href=link(list.page + 1) attr:rel="next">{move_tr!("pager-next")}</A> })}
                </nav>
            }
        }))}
        </Suspense>
    }
}
