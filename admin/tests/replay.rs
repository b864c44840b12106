//! `portal-admin replay-dead-letters` against the emulator: a message of the notify dead-letter
//! queue, shaped as Lambda writes it, points to a range of the table's stream; the replay reads
//! that range (and nothing before or after it) from the stream, sends its events' notifications
//! once, deletes the message, and keeps what it cannot replay on the queue with the reason.

use std::sync::Arc;

use async_trait::async_trait;

use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use portal_domain::application_types::Catalog;
use portal_domain::clock::ManualClock;
use portal_domain::events::{Event, EventKind};
use portal_domain::notifications::Dispatcher;
use portal_domain::notifier::{Message, Notifier, NotifyError};
use portal_domain::profile::{Language, NotificationPreferences, Profile, Profiles};
use portal_domain::site::Site;
use portal_domain::status::Status;
use portal_domain::table::Table;
use portal_store::dead_letters::DeadLetterQueue;
use portal_store::dynamodb::DynamoTable;
use portal_store::outbox::Outbox;
use serde_json::json;

/// The stream's ARN, its shard, and the sequence numbers of its records so far, in order.
async fn stream_so_far(config: &aws_config::SdkConfig, table: &str) -> (String, String, Vec<String>) {
    let dynamodb = aws_sdk_dynamodb::Client::new(config);
    let described = dynamodb.describe_table().table_name(table).send().await.expect("table");
    let arn = described.table.and_then(|t| t.latest_stream_arn).expect("the table has a stream");
    let streams = aws_sdk_dynamodbstreams::Client::new(config);
    let stream = streams.describe_stream().stream_arn(&arn).send().await.expect("stream");
    let shard = stream.stream_description.and_then(|d| d.shards).and_then(|s| s.into_iter().next()).expect("shard");
    let shard_id = shard.shard_id.expect("shard id");
    let iterator = (streams.get_shard_iterator())
        .stream_arn(&arn)
        .shard_id(&shard_id)
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .expect("iterator")
        .shard_iterator;
    let records = streams.get_records().set_shard_iterator(iterator).send().await.expect("records");
    let sequences = (records.records.unwrap_or_default().into_iter())
        .filter_map(|r| r.dynamodb.and_then(|d| d.sequence_number))
        .collect();
    (arn, shard_id, sequences)
}

/// The record Lambda puts on the OnFailure queue once a batch's retries are spent.
fn on_failure_record(stream_arn: &str, shard_id: &str, start: &str, end: &str) -> String {
    json!({
        "requestContext": {"requestId": "316aa6d0-8154-4c4e-a1b7-0e4c8f3b1a55", "condition": "RetryAttemptsExhausted",
                           "functionArn": "arn:aws:lambda:ca-central-1:123456789012:function:portal-NotifyFunction",
                           "approximateInvokeCount": 4},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": "2026-12-04T00:38:06.021Z",
        "DDBStreamBatchInfo": {
            "shardId": shard_id, "startSequenceNumber": start, "endSequenceNumber": end,
            "approximateArrivalOfFirstRecord": "2026-12-04T00:38:04Z", "approximateArrivalOfLastRecord": "2026-12-04T00:38:04Z",
            "batchSize": 1, "streamArn": stream_arn
        }
    })
    .to_string()
}

/// A notifier whose provider is down.
struct Down;

#[async_trait]
impl Notifier for Down {
    async fn send(&self, _: Message) -> Result<(), NotifyError> {
        Err(NotifyError("the email provider is down".into()))
    }
}

#[tokio::test]
async fn a_dead_letter_is_sent_again_once_and_deleted_and_what_cannot_be_stays_with_its_reason() {
    let config = portal_emulator::sdk_config().await.expect("moto");
    let name = portal_emulator::unique_name("replay");
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    portal_emulator::create_table_from_template(&dynamodb, &name).await.expect("table");
    let table: Arc<dyn Table> = Arc::new(DynamoTable::new(dynamodb, name.clone()));
    let clock = Arc::new(ManualClock::at(1_800_000_000));
    // The stream: an event before the failed batch, the batch (a profile written, which is no
    // event, and an event), and an event after it.
    let event = async |application: &str| {
        let event = Event::new(application, "marie", EventKind::StatusChanged { to: Status::Received }, 1_800_000_000);
        table.transact_write(vec![event.write().expect("write")]).await.expect("event");
    };
    event("app-before").await;
    let profile = Profile {
        email: "marie@example.ca".into(),
        given_name: "Marie".into(),
        family_name: "Tremblay".into(),
        preferred_language: Language::Fr,
        notifications: NotificationPreferences { email: true, sms: false, phone: None },
    };
    Profiles::new(Arc::clone(&table)).put("marie", &profile).await.expect("profile");
    event("app-failed").await;
    event("app-after").await;
    let (stream_arn, shard_id, sequences) = stream_so_far(&config, &name).await;
    let [_, first, last, after] = sequences.as_slice() else { panic!("four records: {sequences:?}") };

    let sqs = aws_sdk_sqs::Client::new(&config);
    let queue = sqs.create_queue().queue_name(portal_emulator::unique_name("dead")).send().await.expect("queue");
    let queue_url = queue.queue_url.expect("url");
    let send =
        async |body: String| sqs.send_message().queue_url(&queue_url).message_body(body).send().await.expect("sent");
    send(on_failure_record(&stream_arn, &shard_id, first, last)).await;
    let stray = send(r#"{"note": "put here by hand"}"#.to_owned()).await.message_id.expect("id");

    // The outbox (local mode's notifier) records what would go out, in the emulated table.
    let outbox = Arc::new(Outbox::new(Arc::clone(&table), clock.clone(), false));
    let dispatcher = |notifier: Arc<dyn Notifier>| {
        let catalog = Arc::new(Catalog::load().expect("catalog"));
        Dispatcher::new(
            Arc::clone(&table),
            notifier,
            clock.clone(),
            catalog,
            Site::demo("https://portal.example.ca".into()),
        )
    };
    let streams = aws_sdk_dynamodbstreams::Client::new(&config);
    let dead_letters = DeadLetterQueue::new(sqs.clone(), streams, &queue_url);
    let replay = async |notifier: Arc<dyn Notifier>| {
        portal_admin::dead_letters::replay(&dead_letters, &dispatcher(notifier)).await.expect("replay")
    };
    let sent = async || outbox.latest().await.expect("outbox");

    let first_run = replay(outbox.clone()).await;
    assert_eq!((first_run.replayed, first_run.records), (1, 1), "the batch's one event: {first_run}");
    assert_eq!(first_run.kept.len(), 1, "{first_run}");
    assert_eq!(first_run.kept[0].0, stray);
    assert!(first_run.kept[0].1.contains("DDBStreamBatchInfo"), "{first_run}");
    let told = sent().await;
    assert_eq!(told.len(), 1, "only the failed batch's event, not those before or after it: {told:?}");
    assert_eq!(told[0].message.to, "marie@example.ca");
    assert!(told[0].message.subject.contains("reçue"), "in her language: {}", told[0].message.subject);

    // The same failure reported again (Lambda delivers at least once): nobody is told twice.
    send(on_failure_record(&stream_arn, &shard_id, first, last)).await;
    let again = replay(outbox.clone()).await;
    assert_eq!((again.replayed, again.kept.len()), (1, 1), "{again}");
    assert_eq!(sent().await.len(), 1, "sent once");

    // A batch whose event fails again stays, with why, and goes once the cause is fixed.
    send(on_failure_record(&stream_arn, &shard_id, after, after)).await;
    let down = replay(Arc::new(Down)).await;
    assert_eq!(down.replayed, 0, "{down}");
    let failed_again = down.kept.iter().find(|(id, _)| *id != stray).expect("the batch kept");
    assert!(failed_again.1.contains("failed again"), "{down}");
    let fixed = replay(outbox.clone()).await;
    assert_eq!((fixed.replayed, fixed.kept.len()), (1, 1), "{fixed}");
    assert_eq!(sent().await.len(), 2, "the event after the first batch, now");

    let left = sqs.receive_message().queue_url(&queue_url).max_number_of_messages(10).send().await.expect("receive");
    let left: Vec<String> = left.messages.unwrap_or_default().into_iter().filter_map(|m| m.message_id).collect();
    assert_eq!(left, [stray], "only the message that names no batch is left, visible again");
}
