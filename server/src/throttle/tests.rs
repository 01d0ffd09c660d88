//! The throttle's parsing, classification, proxy walk, bursts and pruning.

use super::*;

#[test]
fn limits_parse_from_settings() {
    assert_eq!("600:100".parse::<Limit>(), Ok(Limit::new(600, 100)));
    assert_eq!(" 30 ".parse::<Limit>(), Ok(Limit::new(30, 30)));
    for bad in ["", "0:5", "5:0", "-1:3", "ten:1", "1:2:3"] {
        assert!(bad.parse::<Limit>().is_err(), "{bad}");
    }
}

#[test]
fn requests_are_classified_by_method_and_path() {
    use leptos::server_fn::ServerFn;
    assert_eq!(app::api::Redeem::PATH, "/api/redeem");
    assert_eq!(classify(&Method::POST, "/api/redeem"), Some(Class::Redeem));
    assert_eq!(classify(&Method::POST, "/api/redeemer"), None);
    assert_eq!(classify(&Method::GET, "/api/redeem"), None);
    assert_eq!(classify(&Method::GET, "/egg/golden"), Some(Class::Egg));
    assert_eq!(classify(&Method::POST, "/api/claim_egg"), Some(Class::Egg));
    for path in [
        "/api/sign_in",
        "/api/sign_up",
        "/api/admin/admin_sign_in",
        "/api/change_password",
    ] {
        assert_eq!(classify(&Method::POST, path), Some(Class::SignIn), "{path}");
    }
    assert_eq!(classify(&Method::POST, "/api/sign_out"), None);
    assert_eq!(classify(&Method::GET, "/redeem"), None);
}

#[test]
fn the_address_comes_from_trusted_proxies_only() {
    let throttle = Throttle::new(ThrottleConfig {
        trusted_proxies: crate::config::proxies("127.0.0.1, 10.0.0.0/8").unwrap().0,
        ..ThrottleConfig::default()
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.1.2.3"),
    );
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    // A trusted peer: the right-most untrusted forwarded address (the left one is client-made).
    assert_eq!(
        throttle.client_ip(Some(ip("127.0.0.1")), &headers),
        Some(ip("203.0.113.7"))
    );
    // An untrusted peer cannot pick its address.
    assert_eq!(
        throttle.client_ip(Some(ip("198.51.100.1")), &headers),
        Some(ip("198.51.100.1"))
    );
    // An unreadable entry ends the walk: the peer, not a value the client wrote before it.
    let mut spoofed = HeaderMap::new();
    spoofed.insert(
        "x-forwarded-for",
        HeaderValue::from_static("6.6.6.6, 203.0.113.7:5555"),
    );
    assert_eq!(
        throttle.client_ip(Some(ip("127.0.0.1")), &spoofed),
        Some(ip("127.0.0.1"))
    );
    // IPv4-mapped IPv6 is IPv4; IPv6 counts per /64.
    assert_eq!(
        throttle.client_ip(Some(ip("::ffff:198.51.100.1")), &HeaderMap::new()),
        Some(ip("198.51.100.1"))
    );
    assert_eq!(
        throttle.client_ip(Some(ip("2001:db8:1:2:aaaa::1")), &HeaderMap::new()),
        Some(ip("2001:db8:1:2::"))
    );
    // Nothing usable forwarded: the peer.
    assert_eq!(
        throttle.client_ip(Some(ip("127.0.0.1")), &HeaderMap::new()),
        Some(ip("127.0.0.1"))
    );
    assert_eq!(throttle.client_ip(None, &headers), None);
}

#[test]
fn a_burst_is_allowed_then_refused_with_a_wait_and_keys_are_pruned() {
    let throttle = Throttle::new(ThrottleConfig {
        redeem_ip: Limit::new(60, 3),
        ..ThrottleConfig::default()
    });
    let ip: IpAddr = "192.0.2.1".parse().unwrap();
    for _ in 0..3 {
        assert_eq!(throttle.check_ip(Class::Redeem, ip), None);
    }
    let wait = throttle
        .check_ip(Class::Redeem, ip)
        .expect("the fourth is refused");
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
    // Another address and another class have their own allowance.
    assert_eq!(
        throttle.check_ip(Class::Redeem, "192.0.2.2".parse().unwrap()),
        None
    );
    assert_eq!(throttle.check_ip(Class::Egg, ip), None);
    assert!(throttle.prune() >= 2);
}
