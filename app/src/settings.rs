//! The settings server functions and handlers need (server only), built once
//! from the process's configuration and shared by the router as state and
//! as Leptos context. The link secret never prints.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretBox};

#[derive(Clone, Debug)]
pub struct Settings {
    /// The address players and admins reach; used in printed links and to
    /// recognise our own `Origin` behind a proxy.
    pub public_url: String,
    /// Served over TLS: cookies are marked Secure.
    pub secure_cookies: bool,
    /// A player idle this long signs in again.
    pub player_idle: Duration,
    /// An admin idle this long signs in again.
    pub admin_idle: Duration,
    /// The HMAC key of platform sign-in links.
    pub link_secret: Arc<SecretBox<Vec<u8>>>,
}

impl Settings {
    pub fn new(public_url: impl Into<String>, admin_idle: Duration, link_secret: Vec<u8>) -> Self {
        let public_url: String = public_url.into();
        Self {
            secure_cookies: public_url.starts_with("https://"),
            public_url: public_url.trim_end_matches('/').to_owned(),
            player_idle: Duration::from_secs(30 * 24 * 60 * 60),
            admin_idle,
            link_secret: Arc::new(SecretBox::new(Box::new(link_secret))),
        }
    }

    pub fn link_secret(&self) -> &[u8] {
        self.link_secret.expose_secret()
    }
}
