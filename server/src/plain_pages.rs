//! Answers the router gives by itself, outside the Leptos app: a small
//! localized HTML page for a browser (429 over a limit, 400 for a request no
//! handler could read), and the mapping of unreadable server-function calls
//! from 500 to 400.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The reader's language, from the cookie or `Accept-Language`.
pub fn locale_of(headers: &HeaderMap) -> &'static str {
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    app::api::locale_from(text(header::COOKIE), text(header::ACCEPT_LANGUAGE))
}

/// Whether a browser asked for a page (a plain form post or a link), not the
/// hydrated app for data.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// A page with a title, a message and a link back; `refresh` reloads the
/// link after so many seconds. `back` must be a path we chose, not the client.
pub fn page(
    status: StatusCode,
    id: &str,
    locale: &str,
    title: &str,
    message: &str,
    link: (&str, &str),
    refresh: Option<u64>,
) -> Response {
    let (back, again) = link;
    let refresh = refresh
        .map(|seconds| {
            format!(
                "<meta http-equiv=\"refresh\" content=\"{seconds};url={}\">",
                escape(back)
            )
        })
        .unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html><html lang=\"{locale}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{refresh}\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/promocodes.css\"></head>\
         <body><main class=\"container\"><section class=\"card\" id=\"{id}\" role=\"alert\">\
         <h1>{title}</h1><p>{message}</p><p><a class=\"button\" href=\"{back}\">{again}</a></p>\
         </section></main></body></html>",
        title = escape(title),
        message = escape(message),
        back = escape(back),
        again = escape(again),
    );
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// How server_fn encodes the errors of a call it could not read (missing,
/// repeated or mistyped arguments, an unreadable body): it answers them
/// with 500, as if the server had failed.
const UNREADABLE_CALL: [&str; 4] = ["Args|", "MissingArg|", "Deserialization|", "Request|"];

/// A server-function call nobody could read is the client's fault: 400, with
/// a localized page for a browser's plain post, and the same error text for
/// the hydrated app. Only 500s are looked at (and read, at most 64 KiB).
pub async fn unreadable_calls_are_400(request: Request, next: Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/");
    let html = wants_html(request.headers());
    let locale = locale_of(request.headers());
    let response = next.run(request).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if !UNREADABLE_CALL
        .iter()
        .any(|prefix| bytes.starts_with(prefix.as_bytes()))
    {
        return Response::from_parts(parts, Body::from(bytes));
    }
    tracing::debug!(error = %String::from_utf8_lossy(&bytes), "unreadable server-function call");
    if html {
        let tr = |id| app::i18n::translate(locale, id, &[]);
        return page(
            StatusCode::BAD_REQUEST,
            "bad-request",
            locale,
            &tr("bad-request-title"),
            &tr("bad-request-message"),
            ("/", &tr("bad-request-back")),
            None,
        );
    }
    let mut parts = parts;
    parts.status = StatusCode::BAD_REQUEST;
    Response::from_parts(parts, Body::from(bytes))
}
