//! CSV downloads (the code list, a code's players, a partner's payouts),
//! streamed: read one row at a time and handed out in chunks, every cell a
//! spreadsheet could read as a formula neutralised.

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use sqlx::PgPool;

use crate::code_list::{select_all, CodeQuery, ListedCode};
use crate::error::Result;

/// The export's columns.
pub const EXPORT_HEADER: [&str; 19] = [
    "id",
    "name",
    "status",
    "type",
    "currency",
    "initial_reward",
    "min_reward",
    "decrease_step",
    "current_reward",
    "activation_count",
    "activation_limit",
    "priority",
    "starts_at",
    "ends_at",
    "egg_slug",
    "group",
    "campaign",
    "partner",
    "created_at",
];

/// Characters a spreadsheet reads as the start of a formula (or that hide one).
pub(crate) const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet shows as text: one that could start a formula gets a
/// leading `'` (OWASP's advice against CSV injection). The importer takes it off.
pub fn neutralise(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// One code, in `EXPORT_HEADER` order.
fn record(code: ListedCode) -> Vec<String> {
    let time =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let kinds: Vec<&str> = code.kinds().iter().map(|k| k.as_str()).collect();
    [
        code.id.to_string(),
        code.name.clone(),
        code.status().as_str().to_owned(),
        kinds.join("+"),
        code.currency.clone(),
        code.initial_reward.to_string(),
        code.min_reward.to_string(),
        code.decrease_step.to_string(),
        code.current_reward.to_string(),
        code.activation_count.to_string(),
        code.activation_limit
            .map(|l| l.to_string())
            .unwrap_or_default(),
        code.priority.to_string(),
        time(code.starts_at),
        time(code.ends_at),
        code.egg_slug.unwrap_or_default(),
        code.group_name.unwrap_or_default(),
        code.campaign_name.unwrap_or_default(),
        code.partner_name.unwrap_or_default(),
        code.created_at.to_rfc3339(),
    ]
    .into()
}

/// Rows per chunk handed to the client.
const CHUNK_ROWS: usize = 2000;

/// How an export ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// Every row, this many.
    Complete(usize),
    /// The sink stopped taking chunks after this many rows.
    Stopped(usize),
}

/// Writes every code the query matches as CSV into `sink` (see `stream`).
pub async fn export<S>(
    pool: &PgPool,
    query: &CodeQuery,
    sink: S,
    stall: std::time::Duration,
) -> Result<Export>
where
    S: Sink<Vec<u8>> + Unpin,
{
    let mut sql = select_all(query);
    let rows = sql
        .build_query_as::<ListedCode>()
        .fetch(pool)
        .map(|row| Ok(record(row?)));
    stream(&EXPORT_HEADER, rows, sink, stall).await
}

/// Writes `header`, then every row, as CSV into `sink` in chunks, each cell
/// neutralised. A sink that fails, or takes no chunk for `stall` (a client
/// that stopped reading), ends the export, so the database connection the
/// rows hold is given back.
pub async fn stream<R, S>(
    header: &[&str],
    rows: R,
    mut sink: S,
    stall: std::time::Duration,
) -> Result<Export>
where
    R: Stream<Item = Result<Vec<String>>>,
    S: Sink<Vec<u8>> + Unpin,
{
    let mut deliver = async |chunk: Vec<u8>| {
        matches!(
            tokio::time::timeout(stall, sink.send(chunk)).await,
            Ok(Ok(()))
        )
    };
    let csv_error = |e: csv::Error| sqlx::Error::Encode(Box::new(e));
    let mut rows = std::pin::pin!(rows);
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
    writer.write_record(header).map_err(csv_error)?;
    let mut count = 0usize;
    while let Some(row) = rows.next().await {
        writer
            .write_record(row?.into_iter().map(neutralise))
            .map_err(csv_error)?;
        count += 1;
        if count.is_multiple_of(CHUNK_ROWS) {
            let full = std::mem::replace(&mut writer, csv::Writer::from_writer(Vec::new()));
            if !deliver(full.into_inner().unwrap_or_default()).await {
                return Ok(Export::Stopped(count));
            }
        }
    }
    let rest = writer.into_inner().unwrap_or_default();
    Ok(if deliver(rest).await {
        Export::Complete(count)
    } else {
        Export::Stopped(count)
    })
}
