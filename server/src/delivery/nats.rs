//! Events to NATS JetStream: subject `promocodes.<topic>` (the prefix is a setting), `Nats-Msg-Id` the
//! event's id so the stream drops a repeat within its duplicate window, and
//! a delivery counts only once the stream acknowledged it. The connection
//! is made (and remade) in the background; until it is up NATS deliveries
//! just wait, so an outage only delays them.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use app::core::delivery::{Attempt, Lease};
use async_nats::jetstream;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatsConfig {
    pub url: String,
    /// The stream over `<subject_prefix>.>`, made if missing.
    pub stream: String,
    /// Subjects are `<subject_prefix>.<topic>` (`promocodes`).
    pub subject_prefix: String,
}

/// How long the stream remembers message ids: longer than any lease, so a
/// delivery repeated after a killed worker is still recognised.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(600);
const ACK_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Publisher {
    config: NatsConfig,
    /// Set once connected and the stream is there.
    context: Arc<Mutex<Option<(async_nats::Client, jetstream::Context)>>>,
}

impl Publisher {
    /// Starts connecting in the background (a clear warning while the
    /// server cannot be reached).
    pub fn start(config: NatsConfig) -> Self {
        let publisher = Self {
            config,
            context: Arc::new(Mutex::new(None)),
        };
        tokio::spawn(publisher.clone().connect());
        publisher
    }

    fn context(&self) -> Option<(async_nats::Client, jetstream::Context)> {
        self.context
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn connect(self) {
        let mut warned = false;
        loop {
            match self.try_connect().await {
                Ok(pair) => {
                    tracing::info!(url = %self.config.url, stream = %self.config.stream, "publishing events to NATS JetStream");
                    *self.context.lock().unwrap_or_else(PoisonError::into_inner) = Some(pair);
                    return;
                }
                Err(e) => {
                    if !warned {
                        tracing::error!(
                            url = %self.config.url,
                            error = %e,
                            "NATS is configured (PROMOCODES_NATS_URL) but cannot be reached; \
                             events for it wait and are sent once it can"
                        );
                        warned = true;
                    }
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    }

    async fn try_connect(&self) -> anyhow::Result<(async_nats::Client, jetstream::Context)> {
        // After the first connection the client reconnects on its own.
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(3))
            .connect(&self.config.url)
            .await?;
        let context = jetstream::new(client.clone());
        context
            .get_or_create_stream(jetstream::stream::Config {
                name: self.config.stream.clone(),
                subjects: vec![format!("{}.>", self.config.subject_prefix)],
                duplicate_window: DUPLICATE_WINDOW,
                ..Default::default()
            })
            .await?;
        Ok((client, context))
    }

    /// Connected now (a delivery leased while not would only fail).
    pub fn is_live(&self) -> bool {
        self.context().is_some_and(|(client, _)| {
            client.connection_state() == async_nats::connection::State::Connected
        })
    }

    pub fn ack_timeout(&self) -> Duration {
        ACK_TIMEOUT
    }

    /// Publishes every lease and waits for the acknowledgements together;
    /// an outcome per lease, in order.
    pub async fn publish_all(&self, leases: &[Lease]) -> Vec<Attempt> {
        let Some((_, context)) = self.context() else {
            return leases.iter().map(|_| failed("not connected")).collect();
        };
        let mut pending = Vec::with_capacity(leases.len());
        for lease in leases {
            let id = super::webhook::message_id(lease.event_id);
            let body = serde_json::to_vec(&serde_json::json!({
                "id": id,
                "type": lease.topic,
                "timestamp": lease.created_at,
                "data": lease.payload,
            }))
            .unwrap_or_default();
            let publish = jetstream::message::PublishMessage::build()
                .message_id(id)
                .payload(body.into());
            let subject = format!("{}.{}", self.config.subject_prefix, lease.topic);
            pending.push(context.send_publish(subject, publish).await);
        }
        let acks = pending.into_iter().map(|sent| async move {
            match sent {
                Ok(ack) => match tokio::time::timeout(ACK_TIMEOUT, ack).await {
                    Ok(Ok(_)) => Attempt::Delivered { status: None },
                    Ok(Err(e)) => failed(&e.to_string()),
                    Err(_) => failed("no acknowledgement in time"),
                },
                Err(e) => failed(&e.to_string()),
            }
        });
        futures::future::join_all(acks).await
    }
}

fn failed(error: &str) -> Attempt {
    Attempt::Failed {
        status: None,
        error: format!("NATS: {error}"),
    }
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("url", &self.config.url)
            .finish()
    }
}
