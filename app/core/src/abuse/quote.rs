//! Validation without consuming: what an activation would answer now,
//! through the same gate (a blocked player hears the block), writing
//! nothing, so a validation never counts as a guess.

use std::net::IpAddr;

use chrono::Utc;
use sqlx::PgPool;

use super::Guard;
use crate::activation::{quote, ActivationRequest, Channel, Quote};
use crate::error::ActivationError;

impl Guard {
    pub async fn quote(
        &self,
        pool: &PgPool,
        request: &ActivationRequest,
        ip: Option<IpAddr>,
    ) -> Result<Quote, ActivationError> {
        let mut tx = pool.begin().await?;
        if request.channel != Channel::Job {
            if let Some(until) = self.known_block(request.player_id, Utc::now()) {
                return Err(ActivationError::LockedOut { until });
            }
            let ip = ip.filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
            self.check_gate(&mut tx, request.player_id, ip).await?;
        }
        let answer = quote(&mut tx, request).await;
        tx.rollback().await?;
        answer
    }
}
