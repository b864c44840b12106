//! SDK error mapping, driven by `aws-smithy-mocks` (no network): what DynamoDB answers and what
//! the domain sees. The behaviour of real requests is covered by the contract suite on moto.

use std::time::Duration;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::operation::get_item::{GetItemError, GetItemOutput};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::CancellationReason;
use aws_sdk_dynamodb::types::error::{
    ConditionalCheckFailedException, ProvisionedThroughputExceededException, TransactionCanceledException,
    TransactionConflictException,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;

use super::*;

const ATTEMPTS: u32 = 3;

/// Error metadata as the SDK's deserializer fills it from DynamoDB's `__type` field.
fn meta(code: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).build()
}

fn table(rules: &[&Rule]) -> DynamoTable {
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, rules, |config| {
        config.retry_config(
            RetryConfig::standard().with_max_attempts(ATTEMPTS).with_initial_backoff(Duration::from_millis(1)),
        )
    });
    DynamoTable::new(client, "portal")
}

fn throttled() -> GetItemError {
    GetItemError::ProvisionedThroughputExceededException(
        ProvisionedThroughputExceededException::builder()
            .message("slow down")
            .meta(meta("ProvisionedThroughputExceededException"))
            .build(),
    )
}

fn stored_profile() -> GetItemOutput {
    let item = key_attributes(&Key::new("USER#1", "PROFILE"));
    GetItemOutput::builder().set_item(Some(item)).build()
}

#[tokio::test]
async fn d3_throttling_is_retried_and_then_succeeds() {
    // GIVEN DynamoDB throttles twice, then answers
    let rule = mock!(Client::get_item).sequence().error(throttled).times(2).output(stored_profile).build();
    let table = table(&[&rule]);

    // WHEN we read
    let item = table.get(&Key::new("USER#1", "PROFILE")).await.expect("read succeeds after retries");

    // THEN the SDK retried and the item arrived
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(item.map(|i| i.key()), Some(Key::new("USER#1", "PROFILE")));
}

#[tokio::test]
async fn d3_throttling_surfaces_when_retries_run_out() {
    let rule = mock!(Client::get_item).sequence().error(throttled).times(ATTEMPTS as usize).build();
    let table = table(&[&rule]);

    let error = table.get(&Key::new("USER#1", "PROFILE")).await.expect_err("throttled");

    assert!(matches!(error, StoreError::Throttled), "{error:?}");
    assert_eq!(rule.num_calls(), ATTEMPTS as usize);
}

#[tokio::test]
async fn conditional_check_failure_is_typed() {
    let rule = mock!(Client::put_item).then_error(|| {
        PutItemError::ConditionalCheckFailedException(
            ConditionalCheckFailedException::builder().meta(meta("ConditionalCheckFailedException")).build(),
        )
    });
    let table = table(&[&rule]);

    let error = table
        .put(Item::new(&Key::new("USER#1", "PROFILE")), Some(Condition::Absent))
        .await
        .expect_err("condition fails");

    assert!(matches!(error, StoreError::ConditionFailed), "{error:?}");
    assert_eq!(rule.num_calls(), 1, "a failed condition is not retried");
}

#[tokio::test]
async fn cancelled_transaction_names_the_failed_conditions() {
    let rule = mock!(Client::transact_write_items).then_error(|| {
        let reason = |code: &str| CancellationReason::builder().code(code).build();
        TransactWriteItemsError::TransactionCanceledException(
            TransactionCanceledException::builder()
                .cancellation_reasons(reason("None"))
                .cancellation_reasons(reason("ConditionalCheckFailed"))
                .meta(meta("TransactionCanceledException"))
                .build(),
        )
    });
    let table = table(&[&rule]);
    let ops = vec![
        WriteOp::Put { item: Item::new(&Key::new("A", "1")), condition: None },
        WriteOp::Check { key: Key::new("B", "1"), condition: Condition::Present },
    ];

    let error = table.transact_write(ops).await.expect_err("cancelled");

    match error {
        StoreError::TransactionCanceled { failed_conditions } => assert_eq!(failed_conditions, vec![1]),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn expressions_use_placeholders_for_every_name_and_value() {
    let mut expression = Expression::default();
    let update = Update::default().set("status", "submitted").remove("draft").add("version", 1);
    let update_text = expression.update(&update).expect("valid update");
    let condition_text = expression
        .condition(&Condition::All(vec![Condition::Present, Condition::Equals("version".into(), Value::from(3))]))
        .expect("valid condition");

    assert_eq!(update_text, "SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1");
    assert_eq!(condition_text, "(attribute_exists(#n3)) AND (#n4 = :v2)");
    assert_eq!(expression.names.get("#n4").map(String::as_str), Some("version"));
    assert_eq!(expression.values.get(":v2"), Some(&AttributeValue::N("3".into())));
}

#[tokio::test]
async fn an_update_that_meets_a_transaction_on_its_item_is_asked_to_come_back() {
    // A limit's counter given back while another attempt's transaction holds it (limits.rs).
    let rule = mock!(Client::update_item).then_error(|| {
        UpdateItemError::TransactionConflictException(
            TransactionConflictException::builder()
                .message("transaction in progress")
                .meta(meta("TransactionConflictException"))
                .build(),
        )
    });
    let table = table(&[&rule]);

    let error =
        table.update(&Key::new("A", "1"), Update::default().add("count", -1), None).await.expect_err("conflict");

    assert!(matches!(error, StoreError::Throttled), "{error:?}");
}
