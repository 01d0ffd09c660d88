//! Where a request may send the browser next: the one check for `next`
//! parameters (players and admins alike) and the sign-in addresses that carry
//! them. Shared by pages (in the browser too) and by the server's handlers.

/// `next` when it is a path on this site, else `fallback`.
///
/// A browser drops tabs and newlines from a URL and reads `\` as `/`, so
/// `/\t/evil.example` would become `//evil.example`, another site. Any
/// control character or backslash refuses the whole value; so does anything
/// that does not start with exactly one `/`. What passes is also a valid
/// `Location` header, so a redirect to it never fails.
pub fn safe_next<'a>(next: &'a str, fallback: &'a str) -> &'a str {
    let on_site = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 2048
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if on_site {
        next
    } else {
        fallback
    }
}

/// `safe_next` for the dashboard: only its own pages.
pub fn safe_admin_next(next: &str) -> &str {
    let next = safe_next(next, ADMIN_HOME);
    let path = next.split(['?', '#']).next().unwrap_or("");
    if path == ADMIN_HOME || (path.starts_with("/admin/") && path != ADMIN_SIGN_IN) {
        next
    } else {
        ADMIN_HOME
    }
}

pub const PLAYER_HOME: &str = "/redeem";
pub const PLAYER_SIGN_IN: &str = "/signin";
pub const ADMIN_HOME: &str = "/admin";
pub const ADMIN_SIGN_IN: &str = "/admin/signin";

/// The player sign-in page, coming back to `back_to` afterwards.
pub fn sign_in_path(back_to: &str) -> String {
    with_next(PLAYER_SIGN_IN, back_to)
}

/// The dashboard's sign-in page, coming back to `back_to` afterwards.
pub fn admin_sign_in_path(back_to: &str) -> String {
    with_next(ADMIN_SIGN_IN, back_to)
}

fn with_next(page: &str, back_to: &str) -> String {
    let query = serde_urlencoded::to_string([("next", back_to)]).unwrap_or_default();
    format!("{page}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        let ok = [
            "/wallet?page=2",
            "/",
            "/egg/golden-lantern#x",
            "/redeem?code=%0A",
        ];
        for next in ok {
            assert_eq!(safe_next(next, "/redeem"), next);
        }
        let refused = [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/a\\b",
            "/\u{0}",
            "/\u{7f}",
            "/\u{85}/evil.example",
            "",
            "evil.example",
            "javascript:alert(1)",
        ];
        for next in refused {
            assert_eq!(safe_next(next, "/redeem"), "/redeem", "{next:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(5000)), "/"), "/");
    }

    #[test]
    fn what_passes_is_a_valid_location_header() {
        for next in ["/ok", "/путь?q=ё", "/a b"] {
            let next = safe_next(next, "/");
            assert!(http::HeaderValue::from_str(next).is_ok(), "{next:?}");
        }
    }

    #[test]
    fn the_dashboard_sends_only_to_its_pages() {
        assert_eq!(
            safe_admin_next("/admin/codes?page=2"),
            "/admin/codes?page=2"
        );
        assert_eq!(safe_admin_next("/admin"), "/admin");
        assert_eq!(safe_admin_next("/admin?x=1"), "/admin?x=1");
        for next in [
            "/redeem",
            "/adminx",
            "/admin/signin",
            "/\t/admin",
            "//admin",
        ] {
            assert_eq!(safe_admin_next(next), "/admin", "{next:?}");
        }
    }

    #[test]
    fn sign_in_paths_carry_next() {
        assert_eq!(
            sign_in_path("/wallet?page=2"),
            "/signin?next=%2Fwallet%3Fpage%3D2"
        );
        assert_eq!(admin_sign_in_path("/admin"), "/admin/signin?next=%2Fadmin");
    }
}
