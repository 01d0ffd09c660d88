//! The whole service (activations by kind of code, new and returning
//! redeemers, the most active players, wrong codes and blocks) and the
//! campaigns side by side.

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};
use leptos_router::components::A;

use super::{key_labels, money_text, AsOf, RangePicker, RangeQuery, StatsNav, Tile};
use crate::admin::api::{load_campaign_stats, load_service_stats};
use crate::admin::layout::AdminPage;
use crate::admin::models::{CampaignComparison, ServiceStats, ACTIVATION_CHANNELS, KINDS};
use crate::charts::{time_bars, BarChart};
use crate::format;

#[component]
pub fn ServiceStatsPage() -> impl IntoView {
    let query = RangeQuery::read();
    let report = Resource::new_blocking(
        move || query.args(),
        |(from, to)| load_service_stats(from, to),
    );
    view! {
        <AdminPage>
        <section class="card wide stats-page" id="service-stats">
            <h1>{move_tr!("stats-service-title")}</h1>
            <StatsNav query/>
            <RangePicker query/>
            <Suspense fallback=|| ()>
            {move || report.get().map(|r| r.map(|stats| view! { <ServiceReport stats/> }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

/// Each section on its own (type-erased), so that rendering the page does
/// not nest one huge view type: in a debug build that ran out of stack.
#[component]
fn ServiceReport(stats: ServiceStats) -> impl IntoView {
    let kind_totals = stats.kinds.totals();
    let all: i64 = kind_totals.iter().sum();
    let redeemer_totals = stats.redeemers.totals();
    let abuse_totals = stats.abuse.totals();
    let range = stats.range;
    let tiles = view! {
        <AsOf at=stats.as_of/>
        <div class="stats" id="service-tiles">
            <Tile value=format::number(all) label=move_tr!("stats-activations") id="tile-activations"/>
            <Tile value=format::number(redeemer_totals[0]) label=move_tr!("stats-new-redeemers") id="tile-new"/>
            <Tile value=format::number(abuse_totals[0]) label=move_tr!("stats-key-wrong_codes") id="tile-wrong"/>
            <Tile value=format::number(abuse_totals[1]) label=move_tr!("stats-key-blocks") id="tile-blocks"/>
        </div>
    }
    .into_any();
    view! {
        {tiles}
        {kinds_section(&stats, &kind_totals, all)}
        {redeemers_section(&stats)}
        {abuse_section(&stats)}
        <p><A href=format!("/admin/stats/campaigns?{}", range.query())>{move_tr!("stats-campaigns-title")}</A></p>
    }
}

fn kinds_section(stats: &ServiceStats, kind_totals: &[i64], all: i64) -> AnyView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <h2>{move_tr!("stats-kinds-title")}</h2>
        <BarChart id="chart-kinds" title=tr!("stats-chart-kinds")
            keys=key_labels(&stats.kinds.keys) bars=time_bars(&stats.kinds)/>
        <table class="list" id="kinds-table">
            <thead><tr>
                <th scope="col">{move_tr!("stats-kind")}</th>
                <th scope="col" class="num">{move_tr!("stats-activations")}</th>
                <th scope="col" class="num">{move_tr!("stats-share")}</th>
                <th scope="col" class="num">{move_tr!("stats-rewards")}</th>
            </tr></thead>
            <tbody>
            {KINDS.iter().zip(kind_totals).zip(&stats.kind_rewards).map(|((kind, n), (_, money))| {
                let label = i18n.tr(&format!("stats-key-{kind}"));
                view! {
                    <tr data-kind=*kind>
                        <th scope="row">{label}</th>
                        <td class="num">{format::number(*n)}</td>
                        <td class="num">{format::share(*n, all)}</td>
                        <td class="num">{money_text(money)}</td>
                    </tr>
                }
            }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn redeemers_section(stats: &ServiceStats) -> AnyView {
    view! {
        <h2>{move_tr!("stats-redeemers-title")}</h2>
        <BarChart id="chart-redeemers" title=tr!("stats-chart-redeemers")
            keys=key_labels(&stats.redeemers.keys) bars=time_bars(&stats.redeemers)/>
        <h2>{move_tr!("stats-top-players")}</h2>
        <table class="list" id="top-players">
            <thead><tr>
                <th scope="col" class="num">"#"</th>
                <th scope="col">{move_tr!("stats-player")}</th>
                <th scope="col" class="num">{move_tr!("stats-activations")}</th>
                <th scope="col" class="num">{move_tr!("stats-rewards")}</th>
            </tr></thead>
            <tbody>
            {stats.top_players.iter().enumerate().map(|(i, p)| view! {
                <tr data-player=p.player_id>
                    <td class="num">{i + 1}</td>
                    <td>{p.username.clone()}</td>
                    <td class="num">{format::number(p.activations)}</td>
                    <td class="num">{money_text(&p.rewards)}</td>
                </tr>
            }).collect_view()}
            </tbody>
        </table>
        {stats.top_players.is_empty().then(|| view! { <p class="muted">{move_tr!("stats-nothing")}</p> })}
    }
    .into_any()
}

fn abuse_section(stats: &ServiceStats) -> AnyView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <h2>{move_tr!("stats-abuse-title")}</h2>
        <BarChart id="chart-abuse" title=tr!("stats-chart-abuse")
            keys=key_labels(&stats.abuse.keys) bars=time_bars(&stats.abuse)/>
        <ul class="plain" id="block-reasons">
            {stats.block_reasons.iter().map(|(reason, n)| {
                let label = i18n.tr(&format!("stats-block-{reason}"));
                view! { <li data-reason=reason.clone()>{label} ": " {format::number(*n)}</li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn CampaignStatsPage() -> impl IntoView {
    let query = RangeQuery::read();
    let report = Resource::new_blocking(
        move || query.args(),
        |(from, to)| load_campaign_stats(from, to),
    );
    view! {
        <AdminPage>
        <section class="card wide stats-page" id="campaign-stats">
            <h1>{move_tr!("stats-campaigns-title")}</h1>
            <StatsNav query/>
            <RangePicker query/>
            <Suspense fallback=|| ()>
            {move || report.get().map(|r| r.map(|stats| view! { <Comparison stats/> }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
fn Comparison(stats: CampaignComparison) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    let range = stats.range;
    view! {
        <AsOf at=stats.as_of/>
        <h2>{move_tr!("stats-marketing-channels")}</h2>
        <table class="list" id="marketing-channels">
            <thead><tr>
                <th scope="col">{move_tr!("admin-field-channel")}</th>
                <th scope="col" class="num">{move_tr!("stats-campaigns")}</th>
                <th scope="col" class="num">{move_tr!("stats-activations")}</th>
            </tr></thead>
            <tbody>
            {stats.channels.iter().map(|(channel, campaigns, n)| {
                let label = i18n.tr(&format!("admin-channel-{channel}"));
                view! {
                    <tr data-channel=channel.clone()>
                        <th scope="row">{label}</th>
                        <td class="num">{format::number(*campaigns)}</td>
                        <td class="num">{format::number(*n)}</td>
                    </tr>
                }
            }).collect_view()}
            </tbody>
        </table>
        <h2>{move_tr!("stats-campaigns")}</h2>
        <div class="table-scroll">
        <table class="list" id="campaigns-table">
            <thead><tr>
                <th scope="col">{move_tr!("admin-field-name")}</th>
                <th scope="col">{move_tr!("admin-field-channel")}</th>
                <th scope="col" class="num">{move_tr!("stats-activations")}</th>
                <th scope="col" class="num">{move_tr!("stats-unique-players")}</th>
                <th scope="col" class="num">{move_tr!("stats-rewards")}</th>
                {ACTIVATION_CHANNELS.iter().map(|c| {
                    let label = i18n.tr(&format!("stats-key-{c}"));
                    view! { <th scope="col" class="num">{label}</th> }
                }).collect_view()}
            </tr></thead>
            <tbody>
            {stats.campaigns.into_iter().map(|c| {
                let channel = i18n.tr(&format!("admin-channel-{}", c.channel));
                view! {
                    <tr data-campaign=c.id>
                        <td><A href=format!("/admin/campaigns/{}/stats?{}", c.id, range.query())>{c.name}</A>
                            {c.partner.map(|p| view! { <span class="muted">" · " {p}</span> })}</td>
                        <td>{channel}</td>
                        <td class="num">{format::number(c.activations)}</td>
                        <td class="num">{format::number(c.players)}</td>
                        <td class="num">{money_text(&c.rewards)}</td>
                        {c.by_channel.into_iter().map(|n| view! { <td class="num">{format::number(n)}</td> }).collect_view()}
                    </tr>
                }
            }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}
