//! Charts drawn on the server as SVG, so they show without JavaScript: bars
//! (stacked by key) with a title and a description for screen readers, a
//! native tooltip per bar, and a table of the same figures. Hydrated, a bar
//! that is pointed at or focused shows its figures in a tooltip of our own.
//! Colours come from the stylesheet (light and dark).

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};

use crate::admin::models::TimeSeries;
use crate::format;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
/// X labels drawn at most (the table has them all).
const X_LABELS: usize = 6;

/// One bar: its label and one value per key (stacked in key order).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub values: Vec<i64>,
}

/// The bars of a time series, labelled by bucket in the reader's language.
pub fn time_bars(series: &TimeSeries) -> Vec<Bar> {
    series
        .points
        .iter()
        .map(|(at, values)| Bar {
            label: format::bucket_label(series.bucket, *at),
            values: values.clone(),
        })
        .collect()
}

/// A round upper bound for the y axis (1, 2 or 5 times a power of ten).
fn nice_max(max: i64) -> i64 {
    if max <= 0 {
        return 1;
    }
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if let Some(candidate) = step.checked_mul(m) {
                if candidate >= max {
                    return candidate;
                }
            } else {
                return max;
            }
        }
        step = match step.checked_mul(10) {
            Some(s) => s,
            None => return max,
        };
    }
}

/// "label: 12 form, 3 egg" for a bar's tooltip and its table row.
fn bar_text(bar: &Bar, keys: &[String]) -> String {
    let total: i64 = bar.values.iter().sum();
    let parts: Vec<String> = keys
        .iter()
        .zip(&bar.values)
        .filter(|(_, v)| **v != 0)
        .map(|(k, v)| format!("{} {k}", format::number(*v)))
        .collect();
    if keys.len() > 1 && !parts.is_empty() {
        format!(
            "{}: {} ({})",
            bar.label,
            format::number(total),
            parts.join(", ")
        )
    } else {
        format!("{}: {}", bar.label, format::number(total))
    }
}

/// A bar chart. `keys` are the stacked parts' labels (already translated),
/// `title` names the chart, and the description is made from the figures.
#[component]
pub fn BarChart(
    /// The figure's id; its parts' ids start with it.
    id: &'static str,
    title: String,
    keys: Vec<String>,
    bars: Vec<Bar>,
) -> AnyView {
    let totals: Vec<i64> = bars.iter().map(|b| b.values.iter().sum()).collect();
    let sum: i64 = totals.iter().sum();
    let peak = totals
        .iter()
        .enumerate()
        .max_by_key(|(i, t)| (**t, std::cmp::Reverse(*i)))
        .filter(|(_, t)| **t > 0);
    let description = match peak {
        Some((i, top)) => tr!("chart-desc", {
            "count" => bars.len(),
            "total" => format::number(sum),
            "peak" => bars[i].label.clone(),
            "top" => format::number(*top),
        }),
        None => tr!("chart-desc-empty", {"count" => bars.len()}),
    };
    let max = nice_max(totals.iter().copied().max().unwrap_or(0));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / bars.len().max(1) as f64;
    let bar_w = (slot * 0.8).max(1.0);
    let y = move |v: i64| TOP + plot_h - plot_h * (v as f64 / max as f64);
    // A middle line only where it falls on a whole number.
    let ticks: Vec<i64> = if max % 2 == 0 {
        vec![0, max / 2, max]
    } else {
        vec![0, max]
    };
    // A few bars are each labelled; many, every so often.
    let every = if bars.len() <= 8 {
        1
    } else {
        bars.len().div_ceil(X_LABELS)
    };
    let tip = RwSignal::new(None::<usize>);
    let tips: Vec<String> = bars.iter().map(|b| bar_text(b, &keys)).collect();
    let tips_for_view = tips.clone();
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    view! {
        <figure class="chart" id=id>
            <figcaption>{title.clone()}</figcaption>
            {(keys.len() > 1).then(|| view! {
                <ul class="legend">
                    {keys.iter().enumerate().map(|(k, key)| view! {
                        <li><span class=format!("swatch s{k}")></span>{key.clone()}</li>
                    }).collect_view()}
                </ul>
            })}
            <div class="chart-frame">
                <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=labelled
                    preserveAspectRatio="none" class="chart-svg">
                    <title id=title_id>{title.clone()}</title>
                    <desc id=desc_id>{description.clone()}</desc>
                    {ticks.into_iter().map(|t| view! {
                        <g class="tick">
                            <line x1=LEFT x2=WIDTH - RIGHT y1=y(t) y2=y(t)/>
                            <text x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end">{format::number(t)}</text>
                        </g>
                    }).collect_view()}
                    {bars.iter().enumerate().map(|(i, bar)| {
                        let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
                        let mut base = 0i64;
                        let parts = bar.values.iter().enumerate().filter(|(_, v)| **v > 0).map(|(k, v)| {
                            let (y0, y1) = (y(base + v), y(base));
                            base += v;
                            view! { <rect class=format!("s{k}") x=x y=y0 width=bar_w height=(y1 - y0).max(0.5)/> }
                        }).collect_view();
                        let label = (i % every == 0).then(|| view! {
                            <text class="x-label" x=x + bar_w / 2.0 y=HEIGHT - 8.0 text-anchor="middle">{bar.label.clone()}</text>
                        });
                        view! {
                            <g class="bar" tabindex="0" data-index=i
                                on:mouseenter=move |_| tip.set(Some(i))
                                on:focus=move |_| tip.set(Some(i))
                                on:mouseleave=move |_| tip.set(None)
                                on:blur=move |_| tip.set(None)>
                                <title>{tips[i].clone()}</title>
                                // The whole slot catches the pointer, not just the bar.
                                <rect class="hit" x=LEFT + slot * i as f64 y=TOP width=slot height=plot_h/>
                                {parts}
                                {label}
                            </g>
                        }
                    }).collect_view()}
                </svg>
                {move || tip.get().map(|i| {
                    let left = 100.0 * (LEFT + slot * (i as f64 + 0.5)) / WIDTH;
                    view! {
                        <div class="chart-tip" role="status" style=format!("left: {left:.1}%")>{tips_for_view[i].clone()}</div>
                    }
                })}
            </div>
            <details class="chart-table">
                <summary>{move_tr!("chart-table")}</summary>
                <table class="list figures">
                    <thead><tr>
                        <th scope="col">{move_tr!("chart-period")}</th>
                        {keys.iter().map(|k| view! { <th scope="col" class="num">{k.clone()}</th> }).collect_view()}
                        {(keys.len() > 1).then(|| view! { <th scope="col" class="num">{move_tr!("chart-total")}</th> })}
                    </tr></thead>
                    <tbody>
                    {bars.iter().zip(&totals).map(|(bar, total)| view! {
                        <tr>
                            <th scope="row">{bar.label.clone()}</th>
                            {bar.values.iter().map(|v| view! { <td class="num">{format::number(*v)}</td> }).collect_view()}
                            {(keys.len() > 1).then(|| view! { <td class="num">{format::number(*total)}</td> })}
                        </tr>
                    }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(101), 200);
        assert_eq!(nice_max(i64::MAX), i64::MAX);
    }
}
