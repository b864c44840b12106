//! The notify function's dead letters, read back (`portal-admin replay-dead-letters`).
//!
//! When notify has failed a batch of the table's stream as many times as its event source
//! mapping allows, Lambda puts a message on the OnFailure queue (`NotifyDeadLetters`). The
//! message does not hold the records, only where they lie in the stream (its
//! `DDBStreamBatchInfo`: stream, shard, first and last sequence number), so replaying it means
//! reading that range of the shard again, which the stream keeps for 24 hours.

use std::cmp::Ordering;

use aws_sdk_dynamodbstreams::types::{OperationType, ShardIteratorType};
use aws_smithy_types::error::display::DisplayErrorContext;
use portal_domain::notifications::notify_receives;
use portal_domain::table::ChangeRecord;
use serde::Deserialize;

use crate::dynamodb::item_from;

/// Most messages one receive call returns (SQS's own limit).
const RECEIVE_BATCH: i32 = 10;
/// How long a received message stays hidden from other readers while it is replayed.
const VISIBILITY_SECONDS: i32 = 300;
/// Empty pages in a row after which a range is given up on for this run: a page of an open
/// shard may come back empty with records still further on.
const EMPTY_PAGES: u32 = 10;

/// Why a message could not be replayed, for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{operation}: {detail}")]
pub struct DeadLetterError {
    operation: &'static str,
    detail: String,
}

/// The error of an AWS call, with what the service said (an `SdkError` alone displays as
/// "service error").
fn failed<E: std::error::Error>(operation: &'static str) -> impl FnOnce(E) -> DeadLetterError {
    move |error| DeadLetterError { operation, detail: DisplayErrorContext(&error).to_string() }
}

/// Where a failed batch lies in the stream (the message's `DDBStreamBatchInfo`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StreamBatch {
    /// The table's stream.
    pub stream_arn: String,
    /// The shard the batch was read from.
    pub shard_id: String,
    /// Its first record's sequence number.
    pub start_sequence_number: String,
    /// Its last record's sequence number.
    pub end_sequence_number: String,
}

/// One message of the queue: the batch it points to, or why it names none.
#[derive(Debug)]
pub struct DeadLetter {
    /// SQS's id of the message (what the operator sees in the console).
    pub message_id: String,
    receipt_handle: String,
    /// The batch, or what is wrong with the message.
    pub batch: Result<StreamBatch, String>,
}

#[derive(Deserialize)]
struct OnFailureRecord {
    #[serde(rename = "DDBStreamBatchInfo")]
    batch: StreamBatch,
}

impl DeadLetter {
    fn read(message_id: String, receipt_handle: String, body: &str) -> Self {
        let batch = serde_json::from_str::<OnFailureRecord>(body)
            .map(|record| record.batch)
            .map_err(|e| format!("not a DynamoDB stream failure record: {e}"));
        Self { message_id, receipt_handle, batch }
    }
}

/// Stream sequence numbers are decimal strings of varying length (up to 40 digits).
fn sequence_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The dead-letter queue and the stream its messages point into.
pub struct DeadLetterQueue {
    sqs: aws_sdk_sqs::Client,
    streams: aws_sdk_dynamodbstreams::Client,
    queue_url: String,
}

impl DeadLetterQueue {
    /// The queue at `queue_url` (the stack's `NotifyDeadLettersUrl` output).
    pub fn new(
        sqs: aws_sdk_sqs::Client,
        streams: aws_sdk_dynamodbstreams::Client,
        queue_url: impl Into<String>,
    ) -> Self {
        Self { sqs, streams, queue_url: queue_url.into() }
    }

    /// Up to ten messages, each hidden from other readers for five minutes; none when the
    /// queue holds no visible message.
    pub async fn receive(&self) -> Result<Vec<DeadLetter>, DeadLetterError> {
        let received = (self.sqs.receive_message())
            .queue_url(&self.queue_url)
            .max_number_of_messages(RECEIVE_BATCH)
            .visibility_timeout(VISIBILITY_SECONDS)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(failed("sqs:ReceiveMessage"))?;
        Ok(received
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|message| {
                let (id, handle) = (message.message_id.unwrap_or_default(), message.receipt_handle.unwrap_or_default());
                DeadLetter::read(id, handle, message.body.as_deref().unwrap_or_default())
            })
            .collect())
    }

    /// The records of `batch` that the notify function's filter lets through (new events), in
    /// stream order, each id its sequence number as in a Lambda event.
    pub async fn records(&self, batch: &StreamBatch) -> Result<Vec<ChangeRecord>, DeadLetterError> {
        let start = &batch.start_sequence_number;
        let iterator = (self.streams.get_shard_iterator())
            .stream_arn(&batch.stream_arn)
            .shard_id(&batch.shard_id)
            .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
            .sequence_number(start)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(trimmed) if trimmed.is_trimmed_data_access_exception() => DeadLetterError {
                    operation: "dynamodb:GetShardIterator",
                    detail: format!("the stream no longer holds sequence number {start} (it keeps records 24 hours)"),
                },
                _ => failed("dynamodb:GetShardIterator")(error),
            })?;
        let mut iterator = iterator.shard_iterator;
        let (mut records, mut empty_pages) = (Vec::new(), 0);
        while let Some(current) = iterator.take() {
            let page = (self.streams.get_records().shard_iterator(current).send().await)
                .map_err(failed("dynamodb:GetRecords"))?;
            let page_records = page.records.unwrap_or_default();
            empty_pages = if page_records.is_empty() { empty_pages + 1 } else { 0 };
            for record in page_records {
                let Some(change) = record.dynamodb else { continue };
                let sequence = change.sequence_number.unwrap_or_default();
                let past_end = sequence_order(&sequence, &batch.end_sequence_number);
                if past_end == Ordering::Greater {
                    return Ok(records);
                }
                if record.event_name == Some(OperationType::Insert) {
                    let new_image = change.new_image.map(item_from).transpose().map_err(|e| e.to_string());
                    // What the mapping's filter passes; an image that cannot be read fails, as in notify.
                    if new_image.as_ref().map_or(true, |item| notify_receives(None, item.as_ref())) {
                        records.push(ChangeRecord { id: sequence, new_image });
                    }
                }
                if past_end == Ordering::Equal {
                    return Ok(records);
                }
            }
            if empty_pages == EMPTY_PAGES {
                let detail = format!(
                    "{EMPTY_PAGES} empty pages in a row before sequence number {}: run the replay again",
                    batch.end_sequence_number
                );
                return Err(DeadLetterError { operation: "dynamodb:GetRecords", detail });
            }
            iterator = page.next_shard_iterator;
        }
        let detail = format!("the shard closed before sequence number {}", batch.end_sequence_number);
        Err(DeadLetterError { operation: "dynamodb:GetRecords", detail })
    }

    /// Deletes a message whose batch was replayed.
    pub async fn delete(&self, letter: &DeadLetter) -> Result<(), DeadLetterError> {
        (self.sqs.delete_message().queue_url(&self.queue_url).receipt_handle(&letter.receipt_handle).send().await)
            .map_err(failed("sqs:DeleteMessage"))?;
        Ok(())
    }

    /// Makes a message kept on the queue visible again at once, for the next replay.
    pub async fn keep(&self, letter: &DeadLetter) -> Result<(), DeadLetterError> {
        (self.sqs.change_message_visibility())
            .queue_url(&self.queue_url)
            .receipt_handle(&letter.receipt_handle)
            .visibility_timeout(0)
            .send()
            .await
            .map_err(failed("sqs:ChangeMessageVisibility"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_record_names_its_batch_and_anything_else_says_why_not() {
        // The shape Lambda documents for a DynamoDB stream's OnFailure record.
        let body = r#"{
            "requestContext": {"requestId": "316aa6d0", "functionArn": "arn:aws:lambda:ca-central-1:123456789012:function:notify",
                               "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 4},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0", "timestamp": "2026-11-14T00:38:06.021Z",
            "DDBStreamBatchInfo": {"shardId": "shardId-00000001573689847184-864758bb",
                "startSequenceNumber": "800000000003126276362", "endSequenceNumber": "800000000003126276370",
                "approximateArrivalOfFirstRecord": "2026-11-14T00:38:04Z", "approximateArrivalOfLastRecord": "2026-11-14T00:38:05Z",
                "batchSize": 3, "streamArn": "arn:aws:dynamodb:ca-central-1:123456789012:table/portal/stream/2026-11-14T00:04:49.099"}
        }"#;
        let letter = DeadLetter::read("m-1".into(), "r-1".into(), body);
        assert_eq!(
            letter.batch,
            Ok(StreamBatch {
                stream_arn: "arn:aws:dynamodb:ca-central-1:123456789012:table/portal/stream/2026-11-14T00:04:49.099"
                    .into(),
                shard_id: "shardId-00000001573689847184-864758bb".into(),
                start_sequence_number: "800000000003126276362".into(),
                end_sequence_number: "800000000003126276370".into(),
            })
        );
        let other = DeadLetter::read("m-2".into(), "r-2".into(), r#"{"Records": []}"#);
        assert!(other.batch.expect_err("no batch").contains("DDBStreamBatchInfo"));
    }

    #[test]
    fn sequence_numbers_compare_as_numbers_not_as_text() {
        assert_eq!(sequence_order("999", "1000"), Ordering::Less);
        assert_eq!(sequence_order("0042", "42"), Ordering::Equal);
        assert_eq!(sequence_order("800000000003126276371", "800000000003126276370"), Ordering::Greater);
    }
}
