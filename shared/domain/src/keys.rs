//! Every key of the single table, built by pure functions so the access patterns can be read in
//! one place (and asserted without a store).
//!
//! | item              | pk             | sk          | gsi1pk | gsi1sk |
//! |-------------------|----------------|-------------|--------|--------|
//! | user profile      | `USER#{sub}`   | `PROFILE`   |        |        |
//! | token revocation  | `USER#{sub}`   | `REVOKED`   |        |        |
//! | session           | `USER#{sub}`   | `SESSION#{id}` |     |        |
//! | known browser     | `USER#{sub}`   | `BROWSER#{digest}` |  |        |
//! | recovery codes' generation | `USER#{sub}` | `RECOVERY` |  |     |
//! | recovery code     | `USER#{sub}`   | `RECOVERY#{generation}#{digest}` | | |
//! | dashboard entry   | `USER#{sub}`   | `APP#{id}` (`lsi1sk`: `DASH#{0 or 1}#{MAX - updatedAt}#{id}`) | | |
//! | application       | `APP#{id}`     | `APP`       | `QUEUE#{status}` | `{type}#{updatedAt}#{id}` |
//! | history entry     | `APP#{id}`     | `HIST#{at}#{version}` |  |        |
//! | number reservation| `APPNO#{number}` | `APPNO`   |        |        |
//! | audit record      | `AUDIT#{id}`   | `{at}#{recordId}` |  |        |
//! | account audit record | `AUDIT#ACCOUNT#{sub}` | `{at}#{recordId}` | | |
//! | document          | `APP#{id}`     | `DOC#{docId}` |      |        |
//! | document request  | `APP#{id}`     | `REQ#{requestId}` |  |        |
//! | message           | `APP#{id}`     | `MSG#{messageId}` |  |        |
//! | inbox entry       | `USER#{sub}`   | `INBOX#{applicationId}` | |   |
//! | event (stream)    | `EVENT#{applicationId}` | `{eventId}` |  |   |
//! | notification      | `USER#{sub}`   | `NOTIF#{eventId}` |    |        |
//! | notice sent       | `USER#{sub}`   | `SENT#{eventId}#{channel}` | | |
//! | decision (stats)  | `STATS#{type}` | `DECIDED#{at}#{id}` |    |        |
//! | paper holder      | `PAPER#{number}` | `HOLDER`  |        |        |
//! | limit counter     | `LIMIT#{limit}#{subject}` | `W#{window}` |   |      |
//! | limit cool-down   | `LIMIT#{limit}#{subject}` | `REFUSED#{window}` | |   |
//! | pending challenge | `CHALLENGE#{digest}` | `CHALLENGE` |    |        |
//! | known place       | `PLACES#{email}` | `PLACE#{address}` |  |        |
//! | document count    | `APP#{id}`     | `DOCCOUNT`  |        |        |
//! | applicant's messages of a day | `APP#{id}` | `MSGDAY#{day}` | |  |
//! | fee an officer added | `APP#{id}`  | `FEE#ADDED#{code}` |   |        |
//! | fee paid          | `APP#{id}`     | `FEE#PAID#{code}` |    |        |
//! | payment           | `APP#{id}`     | `PAY#{paymentId}` |    |        |
//! | open payment      | `APP#{id}`     | `PAYING`    |        |        |
//! | refund            | `APP#{id}`     | `REFUND#{paymentId}#{refundId}` |  |        |
//! | payment's application | `PAYMENT#{paymentId}` | `PAYMENT` | |     |
//! | payment history entry | `APP#{id}` | `HIST#{at}#{version}#{paymentId}` | | |
//! | idempotency key   | `IDEMPOTENCY#{sub}#{digest}` | `IDEMPOTENCY` | | |
//! | appointment slot  | `SLOT#{slotId}` | `SLOT`     | `SLOTS#{location}#{service}` | `{start:010}#{slotId}` |
//! | appointment       | `APP#{id}`     | `APPOINTMENT#{appointmentId}` | `REMIND#{days since 1970, UTC}` (while booked) | `{start:010}#{appointmentId}` |
//! | active appointment | `APP#{id}`    | `ACTIVE-APPOINTMENT#{service}` | |   |
//! | reminder sent     | `APP#{id}`     | `REMINDED#{appointmentId}#{start}` | |  |
//! | appointment history entry | `APP#{id}` | `HIST#{at}#{appointment version}#{appointmentId}` | | |
//! | representative's dashboard entry | `USER#{rep}` | `APP#{id}` (with `client`) | | |
//! | invitation to represent | `APP#{id}` | `INVITE#{inviteId}` | `INVITES#{email}` (while it waits) | `{inviteId}` |
//! | invitations of a day | `APP#{id}` | `INVITES#{day}` | |       |
//! | an owner's invitations of a day | `USER#{sub}` | `INVITES#{day}` | | |
//! | handovers of a day | `APP#{id}` | `HANDOVERS#{day}` | |       |
//! | firm              | `FIRM#{firmId}` | `FIRM`     |        |        |
//! | firm member       | `FIRM#{firmId}` | `MEMBER#{sub}` |    |        |
//! | invitation to a firm | `FIRM#{firmId}` | `JOIN#{email}` | `JOINS#{email}` | `{firmId}` |
//! | membership of a user | `USER#{sub}` | `FIRM`      |        |        |
//!
//! A grant to represent is part of the application item (`representatives`): the access check
//! reads it with the application, and the representative's partition holds their dashboard
//! line of the case, so both sides stay one query.
//!
//! Local mode only (the local identity provider and the outbox; Cognito and SES hold these in AWS):
//!
//! | item                 | pk                       | sk                |
//! |----------------------|--------------------------|-------------------|
//! | local account        | `ACCOUNT#{email}`        | `ACCOUNT`         |
//! | account email code   | `ACCOUNT#{email}`        | `CODE#{purpose}`  |
//! | account of a user id | `USER#{sub}`             | `ACCOUNT`         |
//! | sign-in in progress  | `SIGNIN#{digest}`        | `SIGNIN`          |
//! | refresh token        | `REFRESH#{digest}`       | `REFRESH`         |
//! | ended token family   | `REFRESHFAMILY#{id}`     | `FAMILY`          |
//! | outbox message       | `OUTBOX`                 | `{sentAt}#{id}`   |

use crate::status::Status;
use crate::table::Key;

/// Partition of everything that belongs to one user account.
pub fn user_partition(sub: &str) -> String {
    format!("USER#{sub}")
}

/// The user's profile item.
pub fn profile(sub: &str) -> Key {
    Key::new(user_partition(sub), "PROFILE")
}

/// The user's change of sign-in address waiting for the code sent to the new one.
pub fn email_change(sub: &str) -> Key {
    Key::new(user_partition(sub), "EMAIL-CHANGE")
}

/// The user's "tokens issued until T are refused" record.
pub fn revocation(sub: &str) -> Key {
    Key::new(user_partition(sub), "REVOKED")
}

/// Sort-key prefix of a user's sessions.
pub const SESSION_PREFIX: &str = "SESSION#";

/// One session of the user (a completed sign-in and the tokens refreshed from it).
pub fn session(sub: &str, id: &str) -> Key {
    Key::new(user_partition(sub), format!("{SESSION_PREFIX}{id}"))
}

/// A browser the user signed in from, by the digest of the id its cookie holds.
pub fn known_browser(sub: &str, browser_digest: &str) -> Key {
    Key::new(user_partition(sub), format!("BROWSER#{browser_digest}"))
}

/// The generation of a user's current set of recovery codes.
pub fn recovery_generation(sub: &str) -> Key {
    Key::new(user_partition(sub), "RECOVERY")
}

/// Sort-key prefix of the recovery codes of one generation.
pub fn recovery_code_prefix(generation: u64) -> String {
    format!("RECOVERY#{generation:020}#")
}

/// One recovery code of a generation, by the digest of the code.
pub fn recovery_code(sub: &str, generation: u64, code_digest: &str) -> Key {
    Key::new(user_partition(sub), format!("{}{code_digest}", recovery_code_prefix(generation)))
}

/// Sort key of an application's own item.
pub const APPLICATION_SK: &str = "APP";
/// Sort-key prefix of history entries.
pub const HISTORY_PREFIX: &str = "HIST#";
/// Sort-key prefix of documents.
pub const DOCUMENT_PREFIX: &str = "DOC#";
/// Sort-key prefix of officers' document requests.
pub const DOCUMENT_REQUEST_PREFIX: &str = "REQ#";
/// Sort-key prefix of messages.
pub const MESSAGE_PREFIX: &str = "MSG#";
/// Sort-key prefix of inbox entries in a user's partition.
pub const INBOX_PREFIX: &str = "INBOX#";
/// Sort-key prefix of in-app notifications in a user's partition.
pub const NOTIFICATION_PREFIX: &str = "NOTIF#";
/// Sort-key prefix of the records that a notice went out.
pub const NOTICE_SENT_PREFIX: &str = "SENT#";
/// Partition-key prefix of events (what the stream's filter lets through to the notifier).
pub const EVENT_PARTITION_PREFIX: &str = "EVENT#";
/// Sort-key prefix of dashboard entries in a user's partition.
pub const DASHBOARD_PREFIX: &str = "APP#";

/// Sort-key prefix of an application's fee items (added and paid).
pub const FEE_PREFIX: &str = "FEE#";
/// Sort-key prefix of the fees officers added.
pub const FEE_ADDED_PREFIX: &str = "FEE#ADDED#";
/// Sort-key prefix of the fees paid.
pub const FEE_PAID_PREFIX: &str = "FEE#PAID#";
/// Sort-key prefix of an application's payments.
pub const PAYMENT_PREFIX: &str = "PAY#";
/// Sort-key prefix of an application's refunds.
pub const REFUND_PREFIX: &str = "REFUND#";
/// Prefix of a dashboard entry's place in the dashboard's order (`lsi1sk`).
pub const DASHBOARD_ORDER_PREFIX: &str = "DASH#";

/// Partition of one application and everything attached to it.
pub fn application_partition(id: &str) -> String {
    format!("APP#{id}")
}

/// The application item.
pub fn application(id: &str) -> Key {
    Key::new(application_partition(id), APPLICATION_SK)
}

/// A history entry; sort keys order entries by time, then version.
pub fn history_entry(id: &str, at: u64, version: u64) -> Key {
    Key::new(application_partition(id), format!("{HISTORY_PREFIX}{at:020}#{version:010}"))
}

/// A document of an application.
pub fn document(application_id: &str, id: &str) -> Key {
    Key::new(application_partition(application_id), format!("{DOCUMENT_PREFIX}{id}"))
}

/// An officer's request for a document of an application.
pub fn document_request(application_id: &str, id: &str) -> Key {
    Key::new(application_partition(application_id), format!("{DOCUMENT_REQUEST_PREFIX}{id}"))
}

/// A message of an application's thread; ids are time-ordered.
pub fn message(application_id: &str, id: &str) -> Key {
    Key::new(application_partition(application_id), format!("{MESSAGE_PREFIX}{id}"))
}

/// A user's inbox entry for one application: unread count and latest message.
pub fn inbox_entry(sub: &str, application_id: &str) -> Key {
    Key::new(user_partition(sub), format!("{INBOX_PREFIX}{application_id}"))
}

/// An event of an application (kept apart from its partition so case reads skip them).
pub fn event(application_id: &str, id: &str) -> Key {
    Key::new(format!("{EVENT_PARTITION_PREFIX}{application_id}"), id)
}

/// A user's in-app notification of one event.
pub fn notification(sub: &str, event_id: &str) -> Key {
    Key::new(user_partition(sub), format!("{NOTIFICATION_PREFIX}{event_id}"))
}

/// The record that one event's notice went out on one channel (claimed before sending, so a
/// redelivered event sends nothing twice).
pub fn notice_sent(sub: &str, event_id: &str, channel: &str) -> Key {
    Key::new(user_partition(sub), format!("{NOTICE_SENT_PREFIX}{event_id}#{channel}"))
}

/// An audit record of an application.
pub fn audit_record(id: &str, at: u64, record_id: &str) -> Key {
    Key::new(audit_partition(id), format!("{at:020}#{record_id}"))
}

/// Partition of an application's audit trail: apart from the application's own partition, so
/// reading the case never reads the (ever-growing) trail of who read it.
pub fn audit_partition(id: &str) -> String {
    format!("AUDIT#{id}")
}

/// The id whose audit trail holds the acts on a user's account itself (`AUDIT#ACCOUNT#{sub}`).
pub fn account_trail(sub: &str) -> String {
    format!("ACCOUNT#{sub}")
}

/// Partition of a type's decisions, which processing-time estimates read.
pub fn decisions_partition(type_code: &str) -> String {
    format!("STATS#{type_code}")
}

/// One decision of a type.
pub fn decision(type_code: &str, at: u64, id: &str) -> Key {
    Key::new(decisions_partition(type_code), format!("DECIDED#{at:020}#{id}"))
}

/// What links a paper application: its holder's name and date of birth, by number.
pub fn paper_holder(number: &str) -> Key {
    Key::new(format!("PAPER#{number}"), "HOLDER")
}

/// Partition of one limit's counters for one subject (an account, a client address, a session).
fn limit_partition(limit: &str, subject: &str) -> String {
    format!("{LIMIT_PARTITION_PREFIX}{limit}#{subject}")
}

/// Partition-key prefix of the limits' counters.
pub const LIMIT_PARTITION_PREFIX: &str = "LIMIT#";

/// The counter of attempts under a limit in one window (window number since the epoch).
pub fn limit_counter(limit: &str, subject: &str, window: u64) -> Key {
    Key::new(limit_partition(limit, subject), format!("W#{window:020}"))
}

/// The marker that a limit's first refusal in a window was reported (its cool-down notice).
pub fn limit_refused(limit: &str, subject: &str, window: u64) -> Key {
    Key::new(limit_partition(limit, subject), format!("REFUSED#{window:020}"))
}

/// A sign-in waiting for its second factor, by the digest of its session handle: who it is
/// for and when it began (the portal's record, in both modes).
pub fn pending_challenge(session_digest: &str) -> Key {
    Key::new(format!("CHALLENGE#{session_digest}"), "CHALLENGE")
}

/// The record that a recovery code is completing one of an account's sign-ins: while it lasts,
/// a sign-in offered to enrol an authenticator is refused (the provider may set the account's
/// authenticator aside meanwhile).
pub fn recovering(sub: &str) -> Key {
    Key::new(format!("RECOVERING#{sub}"), "RECOVERING")
}

/// A client address an account completed a sign-in from.
pub fn known_place(email: &str, address: &str) -> Key {
    Key::new(format!("PLACES#{email}"), format!("PLACE#{address}"))
}

/// A fee an officer added to an application.
pub fn fee_added(application_id: &str, code: &str) -> Key {
    Key::new(application_partition(application_id), format!("{FEE_ADDED_PREFIX}{code}"))
}

/// The record that a fee of an application is paid.
pub fn fee_paid(application_id: &str, code: &str) -> Key {
    Key::new(application_partition(application_id), format!("{FEE_PAID_PREFIX}{code}"))
}

/// A payment of an application.
pub fn payment(application_id: &str, id: &str) -> Key {
    Key::new(application_partition(application_id), format!("{PAYMENT_PREFIX}{id}"))
}

/// Partition-key prefix of the records of which application a payment belongs to.
pub const PAYMENT_PARTITION_PREFIX: &str = "PAYMENT#";
/// Partition-key prefix of idempotency keys.
pub const IDEMPOTENCY_PARTITION_PREFIX: &str = "IDEMPOTENCY#";

/// A refund of one of an application's payments.
pub fn refund(application_id: &str, payment_id: &str, id: &str) -> Key {
    Key::new(application_partition(application_id), format!("{}{id}", refunds_of_payment(payment_id)))
}

/// Sort-key prefix of one payment's refunds (read with its payment, at most a few).
pub fn refunds_of_payment(payment_id: &str) -> String {
    format!("{REFUND_PREFIX}{payment_id}#")
}

/// Which application a payment belongs to.
pub fn payment_owner(id: &str) -> Key {
    Key::new(format!("{PAYMENT_PARTITION_PREFIX}{id}"), "PAYMENT")
}

/// The application's open payment, while its checkout is open.
pub fn payment_lock(application_id: &str) -> Key {
    Key::new(application_partition(application_id), "PAYING")
}

/// The history entry of a payment received: after the status entry of the same time and
/// version, never in its place.
pub fn payment_history_entry(application_id: &str, at: u64, version: u64, payment_id: &str) -> Key {
    let Key { pk, sk } = history_entry(application_id, at, version);
    Key::new(pk, format!("{sk}#{payment_id}"))
}

/// Sort-key prefix of an application's invitations to represent its applicant.
pub const INVITATION_PREFIX: &str = "INVITE#";

/// An invitation to represent the applicant of an application.
pub fn invitation(application_id: &str, id: &str) -> Key {
    Key::new(application_partition(application_id), format!("{INVITATION_PREFIX}{id}"))
}

/// The invitations waiting for an address (`gsi1pk`).
pub fn invitations_of(email: &str) -> String {
    format!("INVITES#{email}")
}

/// The count of an application's invitations of one day (days since 1970, UTC).
pub fn invitations_on_day(application_id: &str, day: u64) -> Key {
    Key::new(application_partition(application_id), format!("INVITES#{day:010}"))
}

/// The count of invitations an owner sent on one day (days since 1970, UTC).
pub fn invitations_by_owner_on_day(owner: &str, day: u64) -> Key {
    Key::new(user_partition(owner), format!("INVITES#{day:010}"))
}

/// The count of handovers firms proposed on an application on one day.
pub fn handovers_on_day(application_id: &str, day: u64) -> Key {
    Key::new(application_partition(application_id), format!("HANDOVERS#{day:010}"))
}

/// Partition of a firm: its record, its members and who it invited.
pub fn firm_partition(id: &str) -> String {
    format!("FIRM#{id}")
}

/// A firm's record.
pub fn firm(id: &str) -> Key {
    Key::new(firm_partition(id), "FIRM")
}

/// Sort-key prefix of a firm's members.
pub const FIRM_MEMBER_PREFIX: &str = "MEMBER#";

/// A member of a firm.
pub fn firm_member(firm_id: &str, sub: &str) -> Key {
    Key::new(firm_partition(firm_id), format!("{FIRM_MEMBER_PREFIX}{sub}"))
}

/// A firm's invitation to join it, by address.
pub fn firm_invitation(firm_id: &str, email: &str) -> Key {
    Key::new(firm_partition(firm_id), format!("JOIN#{email}"))
}

/// The firms' invitations waiting for an address (`gsi1pk`).
pub fn firm_invitations_of(email: &str) -> String {
    format!("JOINS#{email}")
}

/// Which firm a user belongs to (one at most).
pub fn membership(sub: &str) -> Key {
    Key::new(user_partition(sub), "FIRM")
}

/// Sort-key prefix of an application's appointments.
pub const APPOINTMENT_PREFIX: &str = "APPOINTMENT#";

/// Partition-key prefix of appointment slots.
pub const SLOT_PARTITION_PREFIX: &str = "SLOT#";

/// An appointment slot.
pub fn slot(id: &str) -> Key {
    Key::new(format!("{SLOT_PARTITION_PREFIX}{id}"), "SLOT")
}

/// A location's slots of a service (`gsi1pk`).
pub fn slots_of(location: &str, service: &str) -> String {
    format!("SLOTS#{location}#{service}")
}

/// A slot's or an appointment's place in time order (`gsi1sk`).
pub fn slot_order(start: u64, id: &str) -> String {
    format!("{}#{id}", slot_order_bound(start))
}

/// The `gsi1sk` bound of a time, for ranges of [`slot_order`].
pub fn slot_order_bound(start: u64) -> String {
    format!("{start:010}")
}

/// An application's appointment.
pub fn appointment(application_id: &str, id: &str) -> Key {
    Key::new(application_partition(application_id), format!("{APPOINTMENT_PREFIX}{id}"))
}

/// The application's active booking of a service (one at a time).
pub fn active_appointment(application_id: &str, service: &str) -> Key {
    Key::new(application_partition(application_id), format!("ACTIVE-APPOINTMENT#{service}"))
}

/// The bookings starting on the UTC day of `start` (`gsi1pk`), what reminders read.
pub fn reminders_of_day(start: u64) -> String {
    format!("REMIND#{}", start / 86_400)
}

/// The claim that a booking was reminded of its start `start` (kept until a day after it).
pub fn reminder_claim(application_id: &str, id: &str, start: u64) -> Key {
    Key::new(application_partition(application_id), format!("REMINDED#{id}#{start}"))
}

/// The history entry of an appointment's change.
pub fn appointment_history_entry(application_id: &str, at: u64, version: u64, appointment_id: &str) -> Key {
    let Key { pk, sk } = history_entry(application_id, at, version);
    Key::new(pk, format!("{sk}#{appointment_id}"))
}

/// A request's idempotency key, per caller (`digest` is the key's digest: any text fits).
pub fn idempotency(sub: &str, digest: &str) -> Key {
    Key::new(format!("{IDEMPOTENCY_PARTITION_PREFIX}{sub}#{digest}"), "IDEMPOTENCY")
}

/// The owner's dashboard entry of an application.
pub fn dashboard_entry(owner: &str, id: &str) -> Key {
    Key::new(user_partition(owner), format!("{DASHBOARD_PREFIX}{id}"))
}

/// A dashboard entry's place in the dashboard (`lsi1sk`): those with something to do first,
/// then the newest change first (the time counts down from the largest one), then by id.
pub fn dashboard_order(action_required: bool, updated_at: u64, id: &str) -> String {
    let rank = if action_required { 0 } else { 1 };
    format!("{DASHBOARD_ORDER_PREFIX}{rank}#{:020}#{id}", u64::MAX - updated_at)
}

/// The reservation of an application number.
pub fn application_number(number: &str) -> Key {
    Key::new(format!("APPNO#{number}"), "APPNO")
}

/// The officers' queue of a status (`gsi1pk`).
pub fn queue(status: Status) -> String {
    format!("QUEUE#{}", status.as_str())
}

/// An application's place in its status queue (`gsi1sk`): by type, then oldest change first.
pub fn queue_position(type_code: &str, updated_at: u64, id: &str) -> String {
    format!("{type_code}#{updated_at:020}#{id}")
}

/// A local account, by sign-in email.
pub fn local_account(email: &str) -> Key {
    Key::new(format!("ACCOUNT#{email}"), "ACCOUNT")
}

/// An email code of a local account (`confirm` or `reset`).
pub fn local_account_code(email: &str, purpose: &str) -> Key {
    Key::new(format!("ACCOUNT#{email}"), format!("CODE#{purpose}"))
}

/// Sort-key prefix of a user's passkeys in their partition (local mode).
pub const PASSKEY_PREFIX: &str = "PASSKEY#";

/// A passkey of a local account, by its credential id (base64url).
pub fn local_passkey(sub: &str, credential_id: &str) -> Key {
    Key::new(user_partition(sub), format!("{PASSKEY_PREFIX}{credential_id}"))
}

/// A passkey registration waiting for the browser's answer (local mode).
pub fn local_passkey_registration(sub: &str) -> Key {
    Key::new(user_partition(sub), "PASSKEY-REGISTRATION")
}

/// A passkey sign-in waiting for the browser's answer, by the digest of its session handle.
pub fn local_passkey_sign_in(session_digest: &str) -> Key {
    Key::new(format!("SIGNIN#{session_digest}"), "PASSKEY")
}

/// The portal's record of one of a user's passkeys, with the name they gave it (both modes:
/// Cognito keeps no names). A passkey signs in only while it has one.
pub fn passkey_name(sub: &str, credential_id: &str) -> Key {
    Key::new(user_partition(sub), format!("{PASSKEY_NAME_PREFIX}{credential_id}"))
}

/// Where a user's passkey records begin.
pub const PASSKEY_NAME_PREFIX: &str = "PASSKEY-NAME#";

/// Which local account a user id belongs to.
pub fn local_account_owner(sub: &str) -> Key {
    Key::new(user_partition(sub), "ACCOUNT")
}

/// A sign-in waiting for its second factor, by the digest of its session handle.
pub fn local_sign_in(session_digest: &str) -> Key {
    Key::new(format!("SIGNIN#{session_digest}"), "SIGNIN")
}

/// A refresh token, by its digest.
pub fn local_refresh_token(token_digest: &str) -> Key {
    Key::new(format!("REFRESH#{token_digest}"), "REFRESH")
}

/// The marker of an ended refresh-token family.
pub fn local_refresh_family(family: &str) -> Key {
    Key::new(format!("REFRESHFAMILY#{family}"), "FAMILY")
}

/// Partition of the local outbox.
pub const OUTBOX_PARTITION: &str = "OUTBOX";

/// One outbox message; sort keys order messages by time.
pub fn outbox_message(sent_at: u64, id: &str) -> Key {
    Key::new(OUTBOX_PARTITION, format!("{sent_at:020}#{id}"))
}

/// How many documents an application holds, reserved before each is recorded (the cap).
pub fn document_count(application_id: &str) -> Key {
    Key::new(application_partition(application_id), "DOCCOUNT")
}

/// How many messages the applicant sent on an application's thread on one day (days since the
/// epoch), reserved before each is recorded (the daily limit).
pub fn messages_on_day(application_id: &str, day: u64) -> Key {
    Key::new(application_partition(application_id), format!("MSGDAY#{day}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_keys_are_stable() {
        assert_eq!(application("a1"), Key::new("APP#a1", "APP"));
        assert_eq!(history_entry("a1", 1_800_000_000, 3), Key::new("APP#a1", "HIST#00000000001800000000#0000000003"));
        assert_eq!(dashboard_entry("u1", "a1"), Key::new("USER#u1", "APP#a1"));
        assert_eq!(application_number("V123456789"), Key::new("APPNO#V123456789", "APPNO"));
        assert_eq!(queue(Status::InReview), "QUEUE#in_review");
    }

    #[test]
    fn the_dashboard_order_is_action_required_first_then_newest_first() {
        let lines = [(false, 300, "a"), (true, 100, "b"), (false, 1_000, "c"), (true, 200, "d"), (false, 300, "e")];
        let mut orders: Vec<(String, &str)> =
            lines.iter().map(|(action, at, id)| (dashboard_order(*action, *at, id), *id)).collect();
        orders.sort();
        let ids: Vec<&str> = orders.into_iter().map(|(_, id)| id).collect();
        assert_eq!(ids, ["d", "b", "c", "a", "e"]);
        assert_eq!(dashboard_order(true, 0, "x"), format!("DASH#0#{}#x", u64::MAX));
    }

    #[test]
    fn limit_keys_are_stable_and_order_by_window() {
        assert_eq!(
            limit_counter("sign-in", "a@example.ca", 42),
            Key::new("LIMIT#sign-in#a@example.ca", "W#00000000000000000042")
        );
        assert_eq!(limit_refused("totp", "a@example.ca", 42).pk, limit_counter("totp", "a@example.ca", 1).pk);
        assert!(limit_counter("x", "s", 9).sk < limit_counter("x", "s", 10).sk);
        assert_eq!(pending_challenge("d1"), Key::new("CHALLENGE#d1", "CHALLENGE"));
        assert_eq!(known_place("a@example.ca", "192.0.2.1"), Key::new("PLACES#a@example.ca", "PLACE#192.0.2.1"));
    }

    #[test]
    fn counter_keys_are_stable_and_outside_every_listed_prefix() {
        assert_eq!(document_count("a1"), Key::new("APP#a1", "DOCCOUNT"));
        assert_eq!(messages_on_day("a1", 20_500), Key::new("APP#a1", "MSGDAY#20500"));
        for key in [document_count("a1"), messages_on_day("a1", 1)] {
            for prefix in [HISTORY_PREFIX, DOCUMENT_PREFIX, DOCUMENT_REQUEST_PREFIX, MESSAGE_PREFIX] {
                assert!(!key.sk.starts_with(prefix), "{key:?} would show in a list");
            }
        }
    }

    #[test]
    fn profile_key_is_stable() {
        assert_eq!(profile("abc-123"), Key::new("USER#abc-123", "PROFILE"));
    }
}
