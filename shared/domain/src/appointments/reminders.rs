//! Reminders: about a day before a booking, its applicant is told once, in their language
//! (through the events the notifier dispatches). A scheduled run (every 15 minutes in AWS, every
//! minute in the local portal) reads the bookings starting within the next day from the
//! reminders' index, and for each writes, in one transaction, the booking's `remindedFor` (only
//! while it is still booked at that very start, and its application still waits for it), a claim
//! for that booking and start (only if absent) and the event: a run repeated, or two at once,
//! remind once; a cancelled booking is not reminded, a moved one only for its new time, and none
//! once its application was withdrawn or moved on. A booking made less than a day ahead is not
//! reminded: its confirmation is that recent.

use serde_json::json;

use super::{Appointment, AppointmentChange, AppointmentState, Appointments};
use crate::events::{Event, EventKind};
use crate::keys;
use crate::paging::{self, PageRequest};
use crate::table::{Condition, Index, Item, Query, SortKey, StoreError, Update, WriteOp};

/// How long before its start a booking is reminded.
pub const LEAD_SECONDS: u64 = 24 * 3600;

impl Appointments {
    /// Sends the reminders due at `now`; answers how many were sent by this run.
    pub async fn send_reminders(&self, now: u64) -> Result<usize, StoreError> {
        let until = now + LEAD_SECONDS;
        let mut sent = 0;
        // A day's window spans two UTC days of the index: today's and tomorrow's.
        for day in [now, until] {
            let mut page = PageRequest::first();
            loop {
                let query = Query::index(Index::Gsi1, keys::reminders_of_day(day)).sort(SortKey::Between(
                    keys::slot_order_bound(now + 1),
                    format!("{}~", keys::slot_order_bound(until)),
                ));
                let read = paging::read::<Appointment>(self.table.as_ref(), query, &page).await?;
                for appointment in &read.items {
                    if self.remind(appointment, now).await? {
                        sent += 1;
                    }
                }
                match read.next {
                    Some(next) => page.after = Some(next),
                    None => break,
                }
            }
        }
        Ok(sent)
    }

    /// Reminds of one booking, unless it was reminded for this start, changed, or made less than
    /// a day ahead; `true` when this call sent it.
    async fn remind(&self, appointment: &Appointment, now: u64) -> Result<bool, StoreError> {
        let due = appointment.state == AppointmentState::Booked
            && appointment.reminded_for != Some(appointment.start)
            && appointment.booked_at + LEAD_SECONDS <= appointment.start
            && appointment.start > now
            && !appointment.owner.is_empty();
        if !due {
            return Ok(false);
        }
        // Still booked at this very start (not moved or cancelled since it was read)...
        let still_booked = WriteOp::Update {
            key: keys::appointment(&appointment.application_id, &appointment.id),
            update: Update::default().set("remindedFor", json!(appointment.start)),
            condition: Some(Condition::All(vec![
                Condition::Equals("state".into(), json!(AppointmentState::Booked)),
                Condition::Equals("start".into(), json!(appointment.start)),
            ])),
        };
        // ...of an application still waiting for it (not withdrawn or moved on meanwhile)...
        let still_asked = WriteOp::Check {
            key: keys::application(&appointment.application_id),
            condition: Condition::Equals("status".into(), json!(appointment.service.asked_in())),
        };
        // ...and not reminded for it by another run: the claim is written once.
        let claim = Item::from_record(
            &keys::reminder_claim(&appointment.application_id, &appointment.id, appointment.start),
            &json!({"expiresAt": appointment.start + LEAD_SECONDS}),
        )?;
        let kind = EventKind::Appointment { service: appointment.service, change: AppointmentChange::Reminder };
        let event = Event::new(&appointment.application_id, &appointment.owner, kind, now).write()?;
        let claim = WriteOp::Put { item: claim, condition: Some(Condition::Absent) };
        let ops = vec![still_booked, still_asked, claim, event];
        match self.table.transact_write(ops).await {
            Ok(()) => Ok(true),
            // Reminded by a run at the same moment, or moved or cancelled since it was read.
            Err(StoreError::TransactionCanceled { .. }) => Ok(false),
            Err(other) => Err(other),
        }
    }
}
