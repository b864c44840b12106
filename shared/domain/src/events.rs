//! Events: what happened on an application that its applicant should hear about. Each is an item
//! (`EVENT#{applicationId}` / `{eventId}`) written in the same transaction as the change itself,
//! so a change is never without its event nor an event without its change. The table's stream
//! (and, locally, the embedded store's change feed) hands new events to the notifier, which
//! tells the recipient in their language through the channels they chose.
//!
//! Events carry ids and codes only — never form contents or file names.

use serde::{Deserialize, Serialize};

use crate::keys;
use crate::status::Status;
use crate::table::{Condition, Item, StoreError, WriteOp};

/// How long an event is kept once written (the stream has long delivered it by then).
const KEEP_SECONDS: u64 = 90 * 86_400;

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EventKind {
    /// The application moved to a new status.
    StatusChanged {
        /// The new status.
        to: Status,
    },
    /// An officer wrote to the applicant.
    OfficerMessage,
    /// An officer accepted or rejected a document.
    DocumentReviewed {
        /// Whether it was accepted.
        accepted: bool,
    },
    /// An officer added a fee to the case: payment is required.
    FeeAdded,
    /// A payment was received.
    PaymentReceived,
    /// A refund was issued.
    RefundIssued,
    /// A booking was made, moved, cancelled, attended or missed, or is tomorrow.
    Appointment {
        /// What it is for.
        service: crate::appointments::Service,
        /// What happened.
        change: crate::appointments::AppointmentChange,
    },
    /// A representative's grant changed: accepted or declined (told to the owner), ended (told
    /// to the representative), a firm's handover waiting for the owner.
    Representative {
        /// What happened.
        change: crate::representatives::RepresentativeChange,
    },
}

/// One event, for one recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Its id: a version 7 UUID, so ids order by time.
    pub id: String,
    /// The application it is about.
    pub application_id: String,
    /// Who is told (`sub`).
    pub recipient: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
    /// When (seconds since the epoch).
    pub at: u64,
    /// When the table may drop it (DynamoDB TTL).
    pub expires_at: u64,
}

impl Event {
    /// A new event for the applicant `recipient` of an application.
    pub fn new(application_id: &str, recipient: &str, kind: EventKind, at: u64) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: application_id.to_owned(),
            recipient: recipient.to_owned(),
            kind,
            at,
            expires_at: at + KEEP_SECONDS,
        }
    }

    /// The write that records it, for the transaction of the change it reports.
    pub fn write(&self) -> Result<WriteOp, StoreError> {
        let item = Item::from_record(&keys::event(&self.application_id, &self.id), self)?;
        Ok(WriteOp::Put { item, condition: Some(Condition::Absent) })
    }

    /// The event an item holds, if it is one (the change feed carries every item).
    pub fn from_item(item: &Item) -> Option<Result<Self, StoreError>> {
        item.key().pk.starts_with(keys::EVENT_PARTITION_PREFIX).then(|| item.to_record())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_recognized_among_items_and_read_back() {
        let event = Event::new("a1", "u1", EventKind::StatusChanged { to: Status::Received }, 100);
        let WriteOp::Put { item, .. } = event.write().expect("write") else { panic!("a put") };

        assert_eq!(Event::from_item(&item).expect("an event").expect("readable"), event);
        let other = Item::from_record(&keys::application("a1"), &serde_json::json!({"id": "a1"})).expect("item");
        assert!(Event::from_item(&other).is_none());
        assert_eq!(item.get("kind"), Some(&serde_json::json!("status-changed")));
    }

    #[test]
    fn event_ids_order_by_time() {
        let first = Event::new("a1", "u1", EventKind::OfficerMessage, 1);
        let second = Event::new("a1", "u1", EventKind::OfficerMessage, 1);
        assert!(first.id < second.id);
    }
}
