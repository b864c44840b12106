//! The `notify` function's handler on DynamoDB stream batches, with the table on the AWS
//! emulator (its conditional writes make redelivery safe) and the email/SMS port recorded, then
//! the SES v2 and SNS adapter against the emulator (request shapes; moto delivers nothing).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use portal_domain::application_types::Catalog;
use portal_domain::clock::ManualClock;
use portal_domain::events::{Event, EventKind};
use portal_domain::notifications::{Dispatcher, Notifications};
use portal_domain::notifier::{Channel, Message, Notifier, NotifyError};
use portal_domain::profile::{Language, NotificationPreferences, Profile, Profiles};
use portal_domain::site::Site;
use portal_domain::status::Status;
use portal_domain::table::{Table, WriteOp};
use portal_store::dynamodb::DynamoTable;
use portal_store::ses_sns::AwsNotifier;
use serde_json::{Value, json};

/// Records what would have been sent.
#[derive(Default)]
struct Recorded(Mutex<Vec<Message>>);

#[async_trait]
impl Notifier for Recorded {
    async fn send(&self, message: Message) -> Result<(), NotifyError> {
        self.0.lock().expect("sent").push(message);
        Ok(())
    }
}

impl Recorded {
    fn sent(&self) -> Vec<Message> {
        self.0.lock().expect("sent").clone()
    }
}

struct Fixture {
    table: Arc<dyn Table>,
    dispatcher: Dispatcher,
    sent: Arc<Recorded>,
}

async fn fixture() -> Fixture {
    let config = portal_emulator::sdk_config().await.expect("moto");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = portal_emulator::unique_name("notify");
    portal_emulator::create_table_from_template(&client, &name).await.expect("table");
    let table: Arc<dyn Table> = Arc::new(DynamoTable::new(client, name));
    let sent = Arc::new(Recorded::default());
    let clock = Arc::new(ManualClock::at(1_800_000_000));
    let catalog = Arc::new(Catalog::load().expect("catalog"));
    let site = Site::demo("https://portal.example.ca".into());
    let dispatcher = Dispatcher::new(Arc::clone(&table), sent.clone(), clock, catalog, site);
    Fixture { table, dispatcher, sent }
}

/// A French-speaking applicant who wants email and text messages.
async fn french_applicant(table: &Arc<dyn Table>, sub: &str) {
    let profile = Profile {
        email: format!("{sub}@example.ca"),
        given_name: "Marie".into(),
        family_name: "Tremblay".into(),
        preferred_language: Language::Fr,
        notifications: NotificationPreferences { email: true, sms: true, phone: Some("+15145550123".into()) },
    };
    Profiles::new(Arc::clone(table)).put(sub, &profile).await.expect("profile");
}

/// A stream record of an inserted item, in the JSON Lambda receives.
fn record(sequence: u32, new_image: Value) -> Value {
    json!({
        "eventID": format!("event-{sequence}"), "eventName": "INSERT", "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": "ca-central-1",
        "eventSourceARN": "arn:aws:dynamodb:ca-central-1:123456789012:table/portal/stream/2026-11-28T00:00:00.000",
        "dynamodb": {
            "ApproximateCreationDateTime": 1_800_000_000.0,
            "Keys": {"pk": new_image["pk"].clone(), "sk": new_image["sk"].clone()},
            "NewImage": new_image,
            "SequenceNumber": format!("{sequence:021}"),
            "SizeBytes": 256,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        }
    })
}

/// The stream record of an event, as the table writes it.
fn event_record(sequence: u32, event: &Event) -> Value {
    let WriteOp::Put { item, .. } = event.write().expect("write") else { panic!("events are put") };
    let attributes: serde_dynamo::Item = serde_dynamo::to_item(item.attributes()).expect("DynamoDB JSON");
    record(sequence, serde_json::to_value(attributes).expect("json"))
}

#[tokio::test]
async fn n1_n4_the_same_batch_twice_tells_the_applicant_once_in_french() {
    let fixture = fixture().await;
    french_applicant(&fixture.table, "marie").await;
    let event = Event::new("app-1", "marie", EventKind::StatusChanged { to: Status::Received }, 1_800_000_000);
    let batch = json!({"Records": [event_record(1, &event)]});

    for _ in 0..2 {
        let (_, response) = portal_notify::handle(&fixture.dispatcher, &batch).await;
        assert!(response.batch_item_failures.is_empty());
    }

    let sent = fixture.sent.sent();
    let emails: Vec<&Message> = sent.iter().filter(|m| m.channel == Channel::Email).collect();
    let texts: Vec<&Message> = sent.iter().filter(|m| m.channel == Channel::Sms).collect();
    assert_eq!((emails.len(), texts.len()), (1, 1), "{sent:?}");
    assert_eq!(emails[0].to, "marie@example.ca");
    assert_eq!(emails[0].subject, "L'état de votre demande\u{a0}: reçue");
    assert!(emails[0].body.contains("reçue"), "{}", emails[0].body);
    assert!(emails[0].body.contains("https://portal.example.ca/help"), "the help page: {}", emails[0].body);
    assert_eq!(texts[0].to, "+15145550123");
    assert!(!texts[0].body.contains("app-1"), "no application details in a text message");
    let clock = Arc::new(ManualClock::at(1_800_000_000));
    let in_app = Notifications::new(Arc::clone(&fixture.table), clock)
        .of("marie", &portal_domain::paging::PageRequest::first())
        .await
        .expect("notifications")
        .items;
    assert_eq!(in_app.len(), 1);
    assert_eq!(in_app[0].title.fr, "L'état de votre demande\u{a0}: reçue");
    assert_eq!(in_app[0].title.en, "Your application is now received", "both languages are kept");
}

#[tokio::test]
async fn n2_n3_a_malformed_third_record_fails_with_those_after_it_and_the_first_two_go_out() {
    let fixture = fixture().await;
    french_applicant(&fixture.table, "paul").await;
    let event = |n: u64| Event::new(&format!("app-{n}"), "paul", EventKind::OfficerMessage, 1_800_000_000 + n);
    let malformed = json!({"pk": {"S": "EVENT#app-3"}, "sk": {"S": "x"}, "kind": {"S": "no-such-kind"}});
    let batch = json!({"Records": [
        event_record(1, &event(1)),
        event_record(2, &event(2)),
        record(3, malformed),
        event_record(4, &event(4)),
        event_record(5, &event(5)),
    ]});

    let (records, response) = portal_notify::handle(&fixture.dispatcher, &batch).await;

    assert_eq!(records, 5, "what the invocation's metric line counts");
    let failed: Vec<String> =
        response.batch_item_failures.iter().map(|f| f.item_identifier.clone().expect("id")).collect();
    assert_eq!(failed, [format!("{:021}", 3), format!("{:021}", 4), format!("{:021}", 5)]);
    let emails = fixture.sent.sent().into_iter().filter(|m| m.channel == Channel::Email).count();
    assert_eq!(emails, 2, "records 1 and 2 were handled");
}

#[tokio::test]
async fn records_that_are_not_events_are_skipped_and_garbage_fails_alone() {
    let fixture = fixture().await;
    let profile = json!({"pk": {"S": "USER#x"}, "sk": {"S": "PROFILE"}, "email": {"S": "x@example.ca"}});
    let batch = json!({"Records": [record(1, profile), {"eventName": "INSERT"}]});

    let (_, response) = portal_notify::handle(&fixture.dispatcher, &batch).await;

    let failed: Vec<Option<String>> = response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect();
    assert_eq!(failed, [Some("position-1".to_owned())]);
    assert!(fixture.sent.sent().is_empty());
}

#[tokio::test]
async fn the_ses_and_sns_adapter_sends_email_and_text_messages() {
    let config = portal_emulator::sdk_config().await.expect("moto");
    let ses = aws_sdk_sesv2::Client::new(&config);
    ses.create_email_identity().email_identity("notices@portal.example").send().await.expect("identity");
    let notifier = AwsNotifier::new(ses, aws_sdk_sns::Client::new(&config), "notices@portal.example");

    let email = Message {
        to: "marie@example.ca".into(),
        channel: Channel::Email,
        subject: "Votre demande a été mise à jour".into(),
        body: "L'état de votre demande est maintenant : reçue.".into(),
        code: None,
    };
    notifier.send(email).await.expect("email sent");
    let text = Message {
        to: "+15145550123".into(),
        channel: Channel::Sms,
        subject: String::new(),
        body: "Portail des demandeurs : mise à jour.".into(),
        code: None,
    };
    notifier.send(text).await.expect("text sent");
}
