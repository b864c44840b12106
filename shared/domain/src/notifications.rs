//! Notifications: each new event becomes, in its recipient's language, an in-app notification
//! and — as the recipient chose — an email and a text message.
//!
//! Delivery is at most once per channel under redelivery (N1): the in-app notification is a
//! conditional write keyed by the event id, and each email or SMS is claimed with a conditional
//! write (`SENT#{eventId}#{channel}`) before it goes out; a failed send releases its claim so a
//! retry sends it. Records are handled in order; at the first failure, that record and every
//! later one are reported failed so the stream retries them in order (N2).
//!
//! Texts name the application (its type and number) and say what changed in words, never its
//! contents or document names; the in-app notice keeps both languages (the interface's is shown),
//! and an email ends with the official address and the help page. Text messages stay impersonal.

use crate::appointments::{AppointmentChange, Service};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::application_types::{Catalog, Text};
use crate::applications::Application;
use crate::clock::Clock;
use crate::events::{Event, EventKind};
use crate::keys;
use crate::notifier::{Channel, Message, Notifier};
use crate::paging::{self, PageRequest, Paged};
use crate::profile::{Language, Profiles};
use crate::representatives::RepresentativeChange;
use crate::site::Site;
use crate::status::Status;
use crate::table::{ChangeRecord, Condition, Item, PK, Query, SortKey, StoreError, Table, Update};

/// What one event says, in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// In-app title and email subject.
    pub title: String,
    /// In-app text and email body.
    pub body: String,
    /// The text message (short, nothing personal).
    pub sms: String,
}

impl Rendered {
    /// The same notice for a representative: their client named first in the title and body
    /// (never in the text message, which stays impersonal).
    pub fn for_client(self, client: &str, language: Language) -> Self {
        let prefix = match language {
            Language::En => format!("For your client {client}: "),
            Language::Fr => format!("Pour votre client ou cliente {client}\u{a0}: "),
        };
        Self { title: format!("{prefix}{}", self.title), body: format!("{prefix}{}", self.body), sms: self.sms }
    }
}

/// The notify function's event source mapping filter: an insert (no old image) into an event
/// partition (`{"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "EVENT#"}]}}}}`).
/// What the local portal's change log keeps, and what a replay of notify's dead letters sends.
pub fn notify_receives(old: Option<&Item>, new: Option<&Item>) -> bool {
    let pk = new.and_then(|item| item.attributes().get(PK)).and_then(serde_json::Value::as_str);
    old.is_none() && pk.is_some_and(|pk| pk.starts_with(keys::EVENT_PARTITION_PREFIX))
}

/// A status as applicants read it.
pub fn status_label(status: Status, language: Language) -> &'static str {
    use Language::*;
    use Status::*;
    match (status, language) {
        (Draft, En) => "draft",
        (Draft, Fr) => "brouillon",
        (Submitted, En) => "submitted",
        (Submitted, Fr) => "soumise",
        (Received, En) => "received",
        (Received, Fr) => "reçue",
        (BiometricsRequested, En) => "biometrics requested",
        (BiometricsRequested, Fr) => "données biométriques demandées",
        (BiometricsCompleted, En) => "biometrics completed",
        (BiometricsCompleted, Fr) => "données biométriques fournies",
        (InReview, En) => "in review",
        (InReview, Fr) => "en cours d'examen",
        (DocumentsRequested, En) => "documents requested",
        (DocumentsRequested, Fr) => "documents demandés",
        (InterviewScheduled, En) => "interview scheduled",
        (InterviewScheduled, Fr) => "entrevue prévue",
        (Approved, En) => "approved",
        (Approved, Fr) => "approuvée",
        (Refused, En) => "refused",
        (Refused, Fr) => "refusée",
        (Closed, En) => "closed",
        (Closed, Fr) => "fermée",
        (Withdrawn, En) => "withdrawn",
        (Withdrawn, Fr) => "retirée",
    }
}

/// What a notice is about, as its texts name it: the application's type and, once it has one,
/// its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The type's name.
    pub type_name: Text,
    /// The application number.
    pub number: Option<String>,
}

impl Subject {
    /// The application as a notice names it: `your application V123456789 (Visitor visa)`;
    /// a notice about an application no longer there says `your application`.
    fn named(subject: Option<&Subject>, language: Language) -> String {
        let Some(subject) = subject else {
            return match language {
                Language::En => "your application".into(),
                Language::Fr => "votre demande".into(),
            };
        };
        let name = subject.type_name.get(language);
        match (&subject.number, language) {
            (Some(number), Language::En) => format!("your application {number} ({name})"),
            (Some(number), Language::Fr) => format!("votre demande {number} ({name})"),
            (None, Language::En) => format!("your draft application ({name})"),
            (None, Language::Fr) => format!("votre demande en brouillon ({name})"),
        }
    }
}

/// The texts of an event in `language` about `subject` (N4: every kind in both languages,
/// checked by the compiler through this match and by the tests for content). Nothing asks the
/// reader to sign in: the in-app notice is read signed in, and an email adds how to reach the
/// portal (`email_footer`).
pub fn render(kind: &EventKind, language: Language, subject: Option<&Subject>) -> Rendered {
    use Language::*;
    let about = Subject::named(subject, language);
    let (title, body) = match (kind, language) {
        (EventKind::StatusChanged { to: Status::DocumentsRequested }, En) => (
            "Documents are requested".to_owned(),
            format!("An officer asked for documents for {about}: see what is asked and by when on its page."),
        ),
        (EventKind::StatusChanged { to: Status::DocumentsRequested }, Fr) => (
            "Des documents sont demandés".to_owned(),
            format!(
                "Un agent a demandé des documents pour {about}\u{a0}: voyez ce qui est demandé et pour quand sur sa page."
            ),
        ),
        (EventKind::StatusChanged { to }, En) => (
            format!("Your application is now {}", status_label(*to, En)),
            format!("The status of {about} is now: {}.", status_label(*to, En)),
        ),
        (EventKind::StatusChanged { to }, Fr) => (
            format!("L'état de votre demande\u{a0}: {}", status_label(*to, Fr)),
            format!("L'état de {about} est maintenant\u{a0}: {}.", status_label(*to, Fr)),
        ),
        (EventKind::OfficerMessage, En) => {
            ("You have a new message".to_owned(), format!("An officer sent you a message about {about}."))
        }
        (EventKind::OfficerMessage, Fr) => (
            "Vous avez un nouveau message".to_owned(),
            format!("Un agent vous a envoyé un message au sujet de {about}."),
        ),
        (EventKind::DocumentReviewed { accepted: true }, En) => {
            ("A document was accepted".to_owned(), format!("An officer accepted one of the documents of {about}."))
        }
        (EventKind::DocumentReviewed { accepted: true }, Fr) => {
            ("Un document a été accepté".to_owned(), format!("Un agent a accepté l'un des documents de {about}."))
        }
        (EventKind::DocumentReviewed { accepted: false }, En) => (
            "A document needs your attention".to_owned(),
            format!("An officer did not accept one of the documents of {about}: its page says why."),
        ),
        (EventKind::DocumentReviewed { accepted: false }, Fr) => (
            "Un document requiert votre attention".to_owned(),
            format!("Un agent n'a pas accepté l'un des documents de {about}\u{a0}: sa page en donne la raison."),
        ),
        (EventKind::FeeAdded, En) => {
            ("A payment is required".to_owned(), format!("An officer added a fee to {about}."))
        }
        (EventKind::FeeAdded, Fr) => {
            ("Un paiement est requis".to_owned(), format!("Un agent a ajouté des frais à {about}."))
        }
        (EventKind::PaymentReceived, En) => (
            "Your payment was received".to_owned(),
            format!("We received your payment for {about}; its receipt is on the application's page."),
        ),
        (EventKind::PaymentReceived, Fr) => (
            "Votre paiement a été reçu".to_owned(),
            format!("Nous avons reçu votre paiement pour {about}\u{a0}; le reçu est sur la page de la demande."),
        ),
        (EventKind::RefundIssued, En) => {
            ("A refund was issued".to_owned(), format!("A refund of fees you paid for {about} was issued."))
        }
        (EventKind::RefundIssued, Fr) => (
            "Un remboursement a été émis".to_owned(),
            format!("Un remboursement de frais payés pour {about} a été émis."),
        ),
        (EventKind::Representative { change }, language) => {
            let title = representative_title(*change, language).to_owned();
            let on = match language {
                En => format!("This is about {about}."),
                Fr => format!("Il s'agit de {about}."),
            };
            (title.clone(), format!("{title}. {on}"))
        }
        (EventKind::Appointment { service, change }, language) => {
            let title = appointment_title(*service, *change, language);
            let on = match language {
                En => format!("For {about}."),
                Fr => format!("Pour {about}."),
            };
            let body = match (change, language) {
                (AppointmentChange::Missed, En) => format!("{title}. You can book a new one. {on}"),
                (AppointmentChange::Missed, Fr) => format!("{title}. Vous pouvez en réserver un nouveau. {on}"),
                _ => format!("{title}. {on}"),
            };
            (title, body)
        }
    };
    let sms = match language {
        En => format!("Applicant portal: {title}. Sign in to see the details."),
        Fr => format!("Portail des demandeurs\u{a0}: {title}. Connectez-vous pour voir les détails."),
    };
    Rendered { title, body, sms }
}

/// What an email adds to a notice: where to sign in (only the official address) and where
/// help is, with the reminder that the agency never asks for secrets by email.
pub fn email_footer(site: &Site, language: Language) -> String {
    let (url, help) = (&site.official_url, site.help_url());
    match language {
        Language::En => format!(
            "Sign in at {url} to see the details. Help and support: {help}\n\
             {agency} never asks for your password or a sign-in code by email, text or telephone.",
            agency = site.agency.en
        ),
        Language::Fr => format!(
            "Connectez-vous à {url} pour voir les détails. Aide et soutien\u{a0}: {help}\n\
             {agency} ne vous demande jamais votre mot de passe ni un code de connexion par courriel, texto ou téléphone.",
            agency = site.agency.fr
        ),
    }
}

/// The title of a representative's notice.
fn representative_title(change: RepresentativeChange, language: Language) -> &'static str {
    match (change, language) {
        (RepresentativeChange::Accepted, Language::En) => "Your representative accepted your invitation",
        (RepresentativeChange::Accepted, Language::Fr) => "Votre représentant a accepté votre invitation",
        (RepresentativeChange::Declined, Language::En) => "The person you invited declined to represent you",
        (RepresentativeChange::Declined, Language::Fr) => "La personne invitée a refusé de vous représenter",
        (RepresentativeChange::Ended, Language::En) => "Your access to a client's application has ended",
        (RepresentativeChange::Ended, Language::Fr) => "Votre accès à la demande d'un client a pris fin",
        (RepresentativeChange::HandoverProposed, Language::En) => {
            "Your representative's firm proposes another representative: confirm or ignore it"
        }
        (RepresentativeChange::HandoverProposed, Language::Fr) => {
            "Le cabinet de votre représentant propose un autre représentant\u{a0}: confirmez ou ignorez la proposition"
        }
    }
}

/// The title of an appointment's notice.
fn appointment_title(service: Service, change: AppointmentChange, language: Language) -> String {
    let what = service.label(language);
    match (change, language) {
        (AppointmentChange::Booked, Language::En) => format!("{what} booked"),
        (AppointmentChange::Booked, Language::Fr) => format!("{what} réservé"),
        (AppointmentChange::Rescheduled, Language::En) => format!("{what} moved to a new time"),
        (AppointmentChange::Rescheduled, Language::Fr) => format!("{what} déplacé à une nouvelle heure"),
        (AppointmentChange::Cancelled, Language::En) => format!("{what} cancelled"),
        (AppointmentChange::Cancelled, Language::Fr) => format!("{what} annulé"),
        (AppointmentChange::Attended, Language::En) => format!("{what}: attendance recorded"),
        (AppointmentChange::Attended, Language::Fr) => format!("{what}\u{a0}: présence enregistrée"),
        (AppointmentChange::Missed, Language::En) => format!("{what} missed"),
        (AppointmentChange::Missed, Language::Fr) => format!("{what} manqué"),
        (AppointmentChange::Reminder, Language::En) => format!("Reminder: {what} tomorrow"),
        (AppointmentChange::Reminder, Language::Fr) => format!("Rappel\u{a0}: {what} demain"),
    }
}

/// An in-app notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Its id (the event's).
    #[schemars(with = "uuid::Uuid")]
    pub id: String,
    /// The application it is about.
    #[schemars(with = "uuid::Uuid")]
    pub application_id: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
    /// Title, in both languages (the interface shows its own).
    #[serde(deserialize_with = "both_languages")]
    pub title: Text,
    /// Text, in both languages.
    #[serde(deserialize_with = "both_languages")]
    pub body: Text,
    /// When it happened.
    pub at: u64,
    /// When the recipient read it; 0 while unread.
    pub read_at: u64,
}

/// A notice's text in both languages, or one kept before notices had both (its one language
/// stands for both).
fn both_languages<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Kept {
        Both(Text),
        One(String),
    }
    Ok(match Kept::deserialize(deserializer)? {
        Kept::Both(text) => text,
        Kept::One(text) => Text { en: text.clone(), fr: text },
    })
}

/// Why one record could not be handled (it is retried).
#[derive(Debug, thiserror::Error)]
pub enum NotifyFailure {
    /// The record is not a readable item or event.
    #[error("malformed record: {0}")]
    Malformed(String),
    /// The table failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A message could not be sent.
    #[error(transparent)]
    Send(#[from] crate::notifier::NotifyError),
}

/// Users' in-app notifications.
#[derive(Clone)]
pub struct Notifications {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
}

impl Notifications {
    /// Notifications kept in `table`.
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        Self { table, clock }
    }

    /// One page of the user's notifications, newest first: one query.
    pub async fn of(&self, sub: &str, page: &PageRequest) -> Result<Paged<Notification>, StoreError> {
        let query = Query::partition(keys::user_partition(sub))
            .sort(SortKey::Prefix(keys::NOTIFICATION_PREFIX.into()))
            .descending();
        paging::read(self.table.as_ref(), query, page).await
    }

    /// Marks one of the user's notifications read; `false` when it does not exist.
    pub async fn mark_read(&self, sub: &str, id: &str) -> Result<bool, StoreError> {
        let update = Update::default().set("readAt", self.clock.now());
        match self.table.update(&keys::notification(sub, id), update, Some(Condition::Present)).await {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(other) => Err(other),
        }
    }
}

/// Turns events into notifications: what the `notify` function and the local portal's change
/// feed run.
#[derive(Clone)]
pub struct Dispatcher {
    table: Arc<dyn Table>,
    profiles: Profiles,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    catalog: Arc<Catalog>,
    site: Arc<Site>,
}

impl Dispatcher {
    /// Notifications kept in `table`, emails and texts sent through `notifier`, naming each
    /// application by its type in `catalog` and `site` as the portal's address.
    pub fn new(
        table: Arc<dyn Table>,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
        catalog: Arc<Catalog>,
        site: Site,
    ) -> Self {
        Self { profiles: Profiles::new(Arc::clone(&table)), table, notifier, clock, catalog, site: Arc::new(site) }
    }

    /// Handles a batch in order and gives the ids of the records that failed: the first failure
    /// and everything after it (N2). Items that are not events are skipped.
    pub async fn handle_batch(&self, records: &[ChangeRecord]) -> Vec<String> {
        for (position, record) in records.iter().enumerate() {
            if let Err(error) = self.handle(record).await {
                tracing::error!(%error, record = record.id, "notification failed; it and later records are retried");
                return records[position..].iter().map(|r| r.id.clone()).collect();
            }
        }
        Vec::new()
    }

    async fn handle(&self, record: &ChangeRecord) -> Result<(), NotifyFailure> {
        let item = match &record.new_image {
            Ok(Some(item)) => item,
            Ok(None) => return Ok(()),
            Err(reason) => return Err(NotifyFailure::Malformed(reason.clone())),
        };
        let Some(event) = Event::from_item(item) else { return Ok(()) };
        let event = event.map_err(|error| NotifyFailure::Malformed(error.to_string()))?;
        self.notify(&event).await
    }

    /// Tells the recipient of one event, once per channel however often it is delivered; an
    /// event for an application's owner also goes to those who represent them on it (each with
    /// their client's name), as the grants stand when it is delivered.
    pub async fn notify(&self, event: &Event) -> Result<(), NotifyFailure> {
        let application: Option<Application> = self
            .table
            .get(&keys::application(&event.application_id))
            .await?
            .map(|item| item.to_record())
            .transpose()?;
        let subject = application.as_ref().map(|application| Subject {
            type_name: self.catalog.get(&application.type_code).map_or_else(
                || Text { en: application.type_code.clone(), fr: application.type_code.clone() },
                |application_type| application_type.name.clone(),
            ),
            number: application.number.clone(),
        });
        self.deliver(event, &event.recipient, None, subject.as_ref()).await?;
        let Some(application) = application else { return Ok(()) };
        // What is said about representatives (accepted, declined, a handover) is the owner's.
        if application.owner != event.recipient || matches!(event.kind, EventKind::Representative { .. }) {
            return Ok(());
        }
        let now = self.clock.now();
        for grant in application.representatives.iter().filter(|grant| grant.holds_at(now)) {
            self.deliver(event, &grant.user_id, Some(&grant.client_name), subject.as_ref()).await?;
        }
        Ok(())
    }

    /// Tells one recipient of an event (a representative with their client's name first).
    async fn deliver(
        &self,
        event: &Event,
        recipient: &str,
        client: Option<&str>,
        subject: Option<&Subject>,
    ) -> Result<(), NotifyFailure> {
        let profile = self.profiles.get(recipient).await?;
        let language = profile.as_ref().map_or(Language::En, |p| p.preferred_language);
        let in_language = |language: Language| {
            let rendered = render(&event.kind, language, subject);
            match client {
                Some(client) => rendered.for_client(client, language),
                None => rendered,
            }
        };
        let (en, fr) = (in_language(Language::En), in_language(Language::Fr));
        let notification = Notification {
            id: event.id.clone(),
            application_id: event.application_id.clone(),
            kind: event.kind.clone(),
            title: Text { en: en.title.clone(), fr: fr.title.clone() },
            body: Text { en: en.body.clone(), fr: fr.body.clone() },
            at: event.at,
            read_at: 0,
        };
        let rendered = if language == Language::En { en } else { fr };
        let item = Item::from_record(&keys::notification(recipient, &event.id), &notification)?;
        match self.table.put(item, Some(Condition::Absent)).await {
            Ok(()) | Err(StoreError::ConditionFailed) => {}
            Err(other) => return Err(other.into()),
        }
        let Some(profile) = profile else { return Ok(()) };
        let preferences = &profile.notifications;
        if preferences.email {
            let email = Message {
                to: profile.email.clone(),
                channel: Channel::Email,
                subject: rendered.title.clone(),
                body: format!("{}\n\n{}", rendered.body, email_footer(&self.site, language)),
                code: None,
            };
            self.send_once(event, recipient, email).await?;
        }
        if let (true, Some(phone)) = (preferences.sms, &preferences.phone) {
            let text = Message {
                to: phone.clone(),
                channel: Channel::Sms,
                subject: String::new(),
                body: rendered.sms,
                code: None,
            };
            self.send_once(event, recipient, text).await?;
        }
        Ok(())
    }

    /// Claims the channel for the event, then sends; a failed send gives the claim back.
    async fn send_once(&self, event: &Event, recipient: &str, message: Message) -> Result<(), NotifyFailure> {
        let channel = match message.channel {
            Channel::Email => "email",
            Channel::Sms => "sms",
        };
        let key = keys::notice_sent(recipient, &event.id, channel);
        let claim =
            Item::from_record(&key, &serde_json::json!({"at": self.clock.now(), "expiresAt": event.expires_at}))?;
        match self.table.put(claim, Some(Condition::Absent)).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => return Ok(()),
            Err(other) => return Err(other.into()),
        }
        if let Err(error) = self.notifier.send(message).await {
            self.table.delete(&key, None).await?;
            return Err(error.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_new_events_reach_the_notify_function() {
        let event = Item::from_record(&keys::event("app-1", "event-1"), &json!({"kind": "submitted"})).expect("item");
        let application = Item::from_record(&keys::application("app-1"), &json!({"status": "draft"})).expect("item");
        assert!(notify_receives(None, Some(&event)), "a new event");
        assert!(!notify_receives(Some(&event), Some(&event)), "an event changed (MODIFY)");
        assert!(!notify_receives(Some(&event), None), "an event removed (REMOVE, its time to live)");
        assert!(!notify_receives(None, Some(&application)), "any other item");
        assert!(!notify_receives(None, None));

        // The mapping's filter in the template is the one `notify_receives` implements.
        let prefix = keys::EVENT_PARTITION_PREFIX;
        let pattern = format!(
            r#"'{{"eventName": ["INSERT"], "dynamodb": {{"Keys": {{"pk": {{"S": [{{"prefix": "{prefix}"}}]}}}}}}}}'"#
        );
        assert!(include_str!("../../../template.yaml").contains(&format!("- Pattern: {pattern}")), "{pattern}");
    }

    fn every_kind() -> Vec<EventKind> {
        let mut kinds: Vec<EventKind> = Status::ALL.iter().map(|to| EventKind::StatusChanged { to: *to }).collect();
        kinds.push(EventKind::OfficerMessage);
        kinds.push(EventKind::DocumentReviewed { accepted: true });
        kinds.push(EventKind::DocumentReviewed { accepted: false });
        kinds.extend([EventKind::FeeAdded, EventKind::PaymentReceived, EventKind::RefundIssued]);
        for service in [Service::Biometrics, Service::Interview] {
            for change in [
                AppointmentChange::Booked,
                AppointmentChange::Rescheduled,
                AppointmentChange::Cancelled,
                AppointmentChange::Attended,
                AppointmentChange::Missed,
                AppointmentChange::Reminder,
            ] {
                kinds.push(EventKind::Appointment { service, change });
            }
        }
        kinds
    }

    #[test]
    fn n4_every_notification_exists_in_english_and_french() {
        for kind in every_kind() {
            let subject = Subject {
                type_name: Text { en: "Visitor visa".into(), fr: "Visa de visiteur".into() },
                number: Some("V123456789".into()),
            };
            let (en, fr) = (render(&kind, Language::En, Some(&subject)), render(&kind, Language::Fr, Some(&subject)));
            for text in [&en.title, &en.body, &en.sms, &fr.title, &fr.body, &fr.sms] {
                assert!(!text.trim().is_empty(), "{kind:?}");
            }
            assert_ne!(en.title, fr.title, "{kind:?} is translated");
            assert_ne!(en.body, fr.body, "{kind:?} is translated");
            assert!(en.sms.chars().count() <= 160 && fr.sms.chars().count() <= 160, "{kind:?} fits one SMS");
            assert!(en.body.contains("V123456789 (Visitor visa)"), "{kind:?} names the application: {}", en.body);
            assert!(fr.body.contains("V123456789 (Visa de visiteur)"), "{kind:?} names the application: {}", fr.body);
            for text in [&en.title, &en.body, &fr.title, &fr.body] {
                assert!(!text.contains('_'), "{kind:?}: a status in words, not its code: {text}");
                assert!(!text.contains("Sign in") && !text.contains("Connectez"), "{kind:?} read signed in: {text}");
            }
            assert!(!en.sms.contains("V123456789"), "{kind:?}: texts stay impersonal");
        }
        for status in Status::ALL {
            assert_ne!(status_label(status, Language::En), status_label(status, Language::Fr), "{status:?}");
        }
    }

    #[test]
    fn an_email_names_the_official_address_and_the_help_page_in_its_language() {
        let site = Site::demo("https://portal.example.ca".into());
        let en = email_footer(&site, Language::En);
        let fr = email_footer(&site, Language::Fr);
        assert!(en.contains("https://portal.example.ca/help") && en.contains("never asks for your password"), "{en}");
        assert!(fr.contains("https://portal.example.ca/help") && fr.contains("Aide et soutien\u{a0}:"), "{fr}");
    }

    #[test]
    fn a_notice_kept_in_one_language_reads_in_both() {
        let kept = serde_json::json!({
            "id": "n1", "applicationId": "a1", "kind": "officer-message",
            "title": "You have a new message", "body": "An officer sent you a message.", "at": 1, "readAt": 0
        });
        let notice: Notification = serde_json::from_value(kept).expect("a notice of before");
        assert_eq!(notice.title.fr, "You have a new message");
    }
}
