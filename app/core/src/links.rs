//! Sign-in links for the host platform: `player=ID&expires=UNIX&sig=HEX`,
//! where `sig` is HMAC-SHA256 over `"{player}.{expires}"`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], player_id: i64, expires_unix: i64) -> HmacSha256 {
    // HMAC takes a key of any length, so this never fails.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(format!("{player_id}.{expires_unix}").as_bytes());
    mac
}

/// The query string of a sign-in link.
pub fn sign_link(secret: &[u8], player_id: i64, expires_unix: i64) -> String {
    let sig = hex::encode(mac(secret, player_id, expires_unix).finalize().into_bytes());
    format!("player={player_id}&expires={expires_unix}&sig={sig}")
}

/// Checks a link's signature (in constant time), then its expiry:
/// `LinkForged` or `LinkExpired`.
pub fn verify_link(
    secret: &[u8],
    player_id: i64,
    expires_unix: i64,
    sig_hex: &str,
    now_unix: i64,
) -> Result<()> {
    let sig = hex::decode(sig_hex).map_err(|_| Error::LinkForged)?;
    mac(secret, player_id, expires_unix)
        .verify_slice(&sig)
        .map_err(|_| Error::LinkForged)?;
    if expires_unix < now_unix {
        return Err(Error::LinkExpired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_and_refuse_forgery_and_expiry() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let query = sign_link(secret, 7, 1_000);
        let sig = query.rsplit_once("sig=").unwrap().1;
        assert!(verify_link(secret, 7, 1_000, sig, 999).is_ok());
        assert!(matches!(
            verify_link(secret, 7, 1_000, sig, 1_001),
            Err(Error::LinkExpired)
        ));
        for (player, expires, secret, sig) in [
            (8, 1_000, &secret[..], sig),
            (7, 2_000, &secret[..], sig),
            (7, 1_000, &b"another secret another secret!!!"[..], sig),
            (7, 1_000, &secret[..], "zz"),
        ] {
            assert!(matches!(
                verify_link(secret, player, expires, sig, 999),
                Err(Error::LinkForged)
            ));
        }
    }
}
