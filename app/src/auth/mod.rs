//! Player sessions (server only): the axum-login backend over the core's
//! accounts (remembered for a moment by `cache`), and the one way a player
//! is signed in on a browser.

mod cache;
pub use cache::{SessionTable, SignedIn, PLAYER_DATA_KEY};

use promo_core::auth::{self, PlayerAccount};
use promo_core::sign_in_limit::SignInPolicy;
use sqlx::PgPool;

/// The signed-in player a session holds.
#[derive(Clone, Debug)]
pub struct PlayerUser(pub PlayerAccount);

impl std::ops::Deref for PlayerUser {
    type Target = PlayerAccount;

    fn deref(&self) -> &PlayerAccount {
        &self.0
    }
}

impl axum_login::AuthUser for PlayerUser {
    type Id = i64;

    fn id(&self) -> i64 {
        self.0.id
    }

    /// Changing the password (or setting one) ends the other sessions.
    fn session_auth_hash(&self) -> &[u8] {
        self.0.credential()
    }
}

#[derive(Clone, Debug)]
pub struct PlayerBackend {
    pool: PgPool,
    policy: SignInPolicy,
    signed_in: SignedIn,
}

impl PlayerBackend {
    pub fn new(pool: PgPool, policy: SignInPolicy, signed_in: SignedIn) -> Self {
        Self {
            pool,
            policy,
            signed_in,
        }
    }
}

pub struct Credentials {
    pub username: String,
    pub password: String,
}

pub type PlayerSession = axum_login::AuthSession<PlayerBackend>;

impl axum_login::AuthnBackend for PlayerBackend {
    type User = PlayerUser;
    type Credentials = Credentials;
    type Error = promo_core::Error;

    /// Counted against the account's failed sign-ins, like the form.
    async fn authenticate(&self, creds: Credentials) -> Result<Option<PlayerUser>, Self::Error> {
        use promo_core::Error;
        match auth::check_password(&self.pool, &self.policy, &creds.username, &creds.password).await
        {
            Ok(account) => Ok(Some(PlayerUser(account))),
            Err(Error::WrongCredentials | Error::SignInWait { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_user(&self, id: &i64) -> Result<Option<PlayerUser>, Self::Error> {
        Ok(self
            .signed_in
            .player(&self.pool, *id)
            .await?
            .map(PlayerUser))
    }
}

/// Signs `account` in on this browser session under a fresh session id,
/// whoever was signed in before. axum-login renews the id only when the
/// session had no user, so a cookie planted by someone signed in as
/// themselves would otherwise survive the victim's sign-in (session fixation).
pub async fn start_session(
    session: &mut PlayerSession,
    account: PlayerAccount,
) -> Result<(), axum_login::Error<PlayerBackend>> {
    session.login(&PlayerUser(account)).await?;
    session
        .session
        .cycle_id()
        .await
        .map_err(axum_login::Error::Session)
}
