//! The local outbox: the `Notifier` of local mode. Every email and SMS the portal would send is
//! kept in the table (newest first at `GET /api/dev/outbox`) and, when asked, echoed to the
//! terminal so a person running `make run` can read their codes. Structured logs never carry
//! the message body or code (L2).

use std::sync::Arc;

use async_trait::async_trait;
use portal_domain::clock::Clock;
use portal_domain::keys;
use portal_domain::notifier::{Message, Notifier, NotifyError};
use portal_domain::table::{Item, Query, StoreError, Table};
use serde::{Deserialize, Serialize};

/// Most messages the outbox lists.
pub const LISTED: u32 = 100;

/// A message as the outbox keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentMessage {
    /// The message.
    #[serde(flatten)]
    pub message: Message,
    /// When it was sent (seconds since the epoch).
    pub sent_at: u64,
}

/// The outbox.
pub struct Outbox {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    echo: bool,
}

impl Outbox {
    /// An outbox in `table`; `echo` prints each message to standard output.
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>, echo: bool) -> Self {
        Self { table, clock, echo }
    }

    /// The latest messages, newest first.
    pub async fn latest(&self) -> Result<Vec<SentMessage>, StoreError> {
        let page = self.table.query(Query::partition(keys::OUTBOX_PARTITION).descending().limit(LISTED)).await?;
        page.items.iter().map(Item::to_record).collect()
    }
}

#[async_trait]
impl Notifier for Outbox {
    async fn send(&self, message: Message) -> Result<(), NotifyError> {
        let sent_at = self.clock.now();
        // Version 7 ids are time-ordered within the process, so messages of one second keep
        // their order.
        let key = keys::outbox_message(sent_at, &uuid::Uuid::now_v7().to_string());
        if self.echo {
            println!("[outbox] {:?} to {}: {} | {}", message.channel, message.to, message.subject, message.body);
        }
        tracing::info!(channel = ?message.channel, "message placed in the local outbox");
        let record = SentMessage { message, sent_at };
        let item = Item::from_record(&key, &record).map_err(|e| NotifyError(Box::new(e)))?;
        self.table.put(item, None).await.map_err(|e| NotifyError(Box::new(e)))
    }
}
