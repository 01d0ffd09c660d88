//! The OpenAPI document and a reference page drawn from it on the server:
//! plain HTML, no script and nothing fetched from elsewhere, so it reads
//! the same offline. Each problem type has its anchor here.

use axum::response::{Html, IntoResponse};
use axum::Json;
use utoipa::openapi::path::Operation;
use utoipa::openapi::RefOr;
use utoipa::OpenApi;

use super::ApiDoc;

pub async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// Every problem type: its anchor, status and meaning.
const PROBLEMS: [(&str, u16, &str); 20] = [
    (
        "unauthorized",
        401,
        "No API key, or not a valid one (revoked keys stop at once).",
    ),
    (
        "forbidden",
        403,
        "The key lacks the scope the operation lists.",
    ),
    (
        "throttled",
        429,
        "Over the key's rate; retry after `Retry-After` seconds.",
    ),
    (
        "bad-request",
        400,
        "The body is not the JSON the operation takes, or a parameter is out of range.",
    ),
    ("not-found", 404, "No such resource or route."),
    (
        "invalid",
        422,
        "The request breaks rules; `errors` names each field and rule.",
    ),
    (
        "idempotency-mismatch",
        422,
        "The Idempotency-Key was used before with another request.",
    ),
    (
        "malformed-code",
        422,
        "The text cannot be a promo code (empty, too long, other characters).",
    ),
    (
        "unknown-code",
        404,
        "No such code, or a code that is switched off: the two look the same on purpose.",
    ),
    (
        "unknown-player",
        404,
        "No player with that platform id: create it with PUT first.",
    ),
    (
        "not-started",
        409,
        "The code is not active yet; `until` says when it starts.",
    ),
    ("expired", 410, "The code has ended; `until` says when."),
    ("exhausted", 410, "The code has no activations left."),
    (
        "already-activated",
        409,
        "This player already activated the code (each player once).",
    ),
    (
        "not-eligible",
        403,
        "The code is not for this player (tier, tags or account age).",
    ),
    (
        "locked-out",
        429,
        "Too many wrong codes: input is blocked for the player until `until`.",
    ),
    (
        "cooldown",
        429,
        "A wave of wrong codes service-wide: wait until `until`.",
    ),
    (
        "balance-full",
        409,
        "The player's balance cannot hold the reward.",
    ),
    (
        "in-use",
        409,
        "The code has been activated, so it stays: disable it instead.",
    ),
    (
        "internal",
        500,
        "Something failed on our side; retrying with the same Idempotency-Key is safe.",
    ),
];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn operation(method: &str, path: &str, op: &Operation, out: &mut String) {
    let id = format!("{method}-{path}").replace(['/', '{', '}'], "-");
    out.push_str(&format!(
        "<section class=\"op\" id=\"{}\"><h3><span class=\"method\">{}</span> <code>{}</code></h3>",
        escape(&id),
        method.to_uppercase(),
        escape(path)
    ));
    if let Some(text) = op.description.as_ref().or(op.summary.as_ref()) {
        out.push_str(&format!("<p>{}</p>", escape(text)));
    }
    if let Some(security) = &op.security {
        let scopes = serde_json::to_value(security)
            .unwrap_or_default()
            .to_string();
        out.push_str(&format!(
            "<p class=\"muted\">Security: <code>{}</code></p>",
            escape(&scopes)
        ));
    }
    if let Some(parameters) = &op.parameters {
        out.push_str(
            "<table><tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>",
        );
        for p in parameters {
            let value = serde_json::to_value(p).unwrap_or_default();
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(value["name"].as_str().unwrap_or_default()),
                escape(value["in"].as_str().unwrap_or_default()),
                value["required"].as_bool().unwrap_or(false),
                escape(value["description"].as_str().unwrap_or_default()),
            ));
        }
        out.push_str("</table>");
    }
    if let Some(body) = &op.request_body {
        let value = serde_json::to_value(body).unwrap_or_default();
        out.push_str(&format!(
            "<p>Body: <code>{}</code></p>",
            escape(&value["content"].to_string())
        ));
    }
    out.push_str("<table><tr><th>status</th><th>answer</th></tr>");
    for (status, response) in &op.responses.responses {
        let text = match response {
            RefOr::T(r) => {
                let value = serde_json::to_value(r).unwrap_or_default();
                format!(
                    "{} <code>{}</code>",
                    escape(&r.description),
                    escape(&value["content"].to_string())
                )
            }
            RefOr::Ref(r) => escape(&r.ref_location),
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(status),
            text
        ));
    }
    out.push_str("</table></section>");
}

/// The reference page.
pub async fn reference() -> Html<String> {
    let doc = ApiDoc::openapi();
    let mut out = String::new();
    out.push_str(&format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1f;background:#fff}}\
         @media (prefers-color-scheme: dark){{body{{color:#e6e6ea;background:#16161a}}th,td{{border-color:#444}}}}\
         code,pre{{font-family:ui-monospace,monospace;font-size:.9em}}pre{{overflow:auto;padding:.5rem;border:1px solid #8884}}\
         table{{border-collapse:collapse;margin:.5rem 0}}th,td{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}}\
         .method{{font-weight:700}}.muted{{opacity:.75}}.op{{margin:1.5rem 0}}\
         </style></head><body><h1>{title}</h1><p>{description}</p>\
         <p>The machine-readable document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI {version}).</p>",
        title = escape(&doc.info.title),
        description = escape(doc.info.description.as_deref().unwrap_or_default()),
        version = escape(serde_json::to_value(&doc.openapi).unwrap_or_default().as_str().unwrap_or("3.1.0")),
    ));
    out.push_str("<h2>Operations</h2>");
    for (path, item) in &doc.paths.paths {
        let methods = [
            ("get", &item.get),
            ("put", &item.put),
            ("post", &item.post),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ];
        for (method, op) in methods {
            if let Some(op) = op {
                operation(method, path, op, &mut out);
            }
        }
    }
    out.push_str("<h2 id=\"problems\">Problem types</h2><p>Every error is <code>application/problem+json</code> (RFC 9457): <code>type</code> is one of these, stable; <code>title</code> and <code>detail</code> are for people.</p><table><tr><th>type</th><th>status</th><th>meaning</th></tr>");
    for (kind, status, meaning) in PROBLEMS {
        out.push_str(&format!(
            "<tr id=\"problem-{kind}\"><td><code>{base}{kind}</code></td><td>{status}</td><td>{}</td></tr>",
            escape(meaning),
            base = escape(super::problem::TYPE_BASE),
        ));
    }
    out.push_str("</table><h2>Schemas</h2>");
    if let Some(components) = &doc.components {
        for (name, schema) in &components.schemas {
            let json = serde_json::to_string_pretty(schema).unwrap_or_default();
            out.push_str(&format!(
                "<h3 id=\"schema-{n}\"><code>{n}</code></h3><pre>{}</pre>",
                escape(&json),
                n = escape(name)
            ));
        }
    }
    out.push_str("</body></html>");
    Html(out)
}
