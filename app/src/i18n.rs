//! Languages: every user-visible string lives in `locales/{en,ru}/*.ftl`
//! (`main.ftl` for players, one more file per area, the same files in each).
//! Components translate through leptos-fluent; server code that renders for a
//! given locale (notifications, emails, API messages) looks up `TRANSLATIONS`.

use fluent_templates::static_loader;
use leptos::prelude::*;
use leptos_fluent::leptos_fluent;

static_loader! {
    pub static TRANSLATIONS = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: the text is Latin or
        // Cyrillic, and invisible characters would leak into copied text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages we ship, as their Fluent ids.
pub const LOCALES: &[&str] = &["en", "ru"];
/// The cookie that remembers the chosen language.
pub const LANGUAGE_COOKIE: &str = "promocodes-lang";

/// The `Set-Cookie` value that remembers `locale` for a year.
pub fn language_cookie(locale: &str) -> String {
    let locale = if LOCALES.contains(&locale) {
        locale
    } else {
        "en"
    };
    format!("{LANGUAGE_COOKIE}={locale}; Path=/; Max-Age=31536000; SameSite=Lax")
}

/// A message in `locale` (English when unknown), for server code that renders
/// outside the component tree (e.g. the router's 429 page).
#[cfg(feature = "ssr")]
pub fn translate(locale: &str, id: &str, args: &[(&'static str, String)]) -> String {
    use fluent_templates::fluent_bundle::FluentValue;
    use fluent_templates::{LanguageIdentifier, Loader};
    use std::borrow::Cow;
    let language: LanguageIdentifier = locale.parse().or_else(|_| "en".parse()).unwrap_or_default();
    let args: std::collections::HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
        .collect();
    TRANSLATIONS.lookup_with_args(&language, id, &args)
}

/// Provides the i18n context: language from the cookie, else the browser's
/// (Accept-Language on the server, `navigator.language` in the browser).
#[component]
pub fn I18nProvider(children: Children) -> impl IntoView {
    leptos_fluent! {
        children: children(),
        translations: [TRANSLATIONS],
        locales: "./locales",
        default_language: "en",
        sync_html_tag_lang: true,
        cookie_name: "promocodes-lang",
        cookie_attrs: "SameSite=Lax; Path=/; Max-Age=31536000",
        initial_language_from_cookie: true,
        set_language_to_cookie: true,
        initial_language_from_accept_language_header: true,
        initial_language_from_navigator: true,
        initial_language_from_navigator_to_cookie: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every message id of a language, prefixed by its file name, over all its files.
    fn message_ids(locale: &str) -> BTreeSet<String> {
        let dir = format!("{}/locales/{locale}", env!("CARGO_MANIFEST_DIR"));
        let mut ids = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "ftl") {
                continue;
            }
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let source = std::fs::read_to_string(&path).unwrap();
            let resource = fluent_syntax::parser::parse(source.as_str())
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
            ids.extend(resource.body.iter().filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(format!("{file}:{}", m.id.name)),
                fluent_syntax::ast::Entry::Term(t) => Some(format!("{file}:-{}", t.id.name)),
                _ => None,
            }));
        }
        ids
    }

    #[test]
    fn every_language_has_every_message() {
        let reference = message_ids("en");
        assert!(!reference.is_empty());
        for locale in LOCALES {
            let ids = message_ids(locale);
            let missing: Vec<_> = reference.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&reference).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{locale}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    #[test]
    fn every_refusal_has_a_message() {
        let ids = message_ids("en");
        for kind in crate::models::RefusalKind::ALL {
            assert!(
                ids.contains(&format!("main.ftl:{}", kind.message_id())),
                "{kind:?}"
            );
        }
    }
}
