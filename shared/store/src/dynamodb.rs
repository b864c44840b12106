//! The `Table` port on Amazon DynamoDB (`aws-sdk-dynamodb`), items converted with `serde_dynamo`.
//!
//! Throttling is retried by the SDK's standard retry strategy (exponential backoff with jitter);
//! when its attempts run out the error surfaces as `StoreError::Throttled`.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem, Update as DynamoUpdate,
};
use portal_domain::table::{
    Condition, Cursor, Item, Key, PK, Page, Query, SK, SortKey, StoreError, Table, Update, WriteOp,
    validate_transaction,
};
use serde_json::{Map, Value};

type Attributes = HashMap<String, AttributeValue>;

/// The `Table` port on one DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoTable {
    client: Client,
    table_name: String,
}

impl DynamoTable {
    /// A table reached through an already-built client (clients are built once, at init).
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self { client, table_name: table_name.into() }
    }
}

fn invalid(error: impl std::fmt::Display) -> StoreError {
    StoreError::InvalidRequest(error.to_string())
}

fn to_attributes(attributes: &Map<String, Value>) -> Result<Attributes, StoreError> {
    serde_dynamo::to_item(attributes).map_err(invalid)
}

/// The item of DynamoDB attributes, in any of their typed forms: the SDK's, a Lambda stream
/// event's new image, the Streams API's.
pub fn item_from(attributes: impl Into<serde_dynamo::Item>) -> Result<Item, StoreError> {
    let attributes: Map<String, Value> = serde_dynamo::from_item(attributes).map_err(invalid)?;
    Item::from_attributes(attributes)
}

fn key_attributes(key: &Key) -> Attributes {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(key.pk.clone())),
        (SK.to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

/// Throttling error codes of DynamoDB and of the AWS front door.
const THROTTLING_CODES: &[&str] =
    &["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"];

/// Maps an SDK error to the domain's terms by its error code.
fn store_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match error.code() {
        Some("ConditionalCheckFailedException") => StoreError::ConditionFailed,
        Some(code) if THROTTLING_CODES.contains(&code) => StoreError::Throttled,
        // A single-item write that met a transaction in progress on its item: it passes if tried
        // again shortly, like a throttled one (the SDK does not retry it).
        Some("TransactionConflictException") => StoreError::Throttled,
        Some("ValidationException") => {
            StoreError::InvalidRequest(error.message().unwrap_or("validation failed").to_owned())
        }
        _ => StoreError::Unavailable(Box::new(error)),
    }
}

/// Builds the `#name` and `:value` placeholders of one request's expressions.
#[derive(Default)]
struct Expression {
    names: HashMap<String, String>,
    values: Attributes,
}

impl Expression {
    fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn json_value(&mut self, value: &Value) -> Result<String, StoreError> {
        let value = serde_dynamo::to_attribute_value(value).map_err(invalid)?;
        Ok(self.value(value))
    }

    fn condition(&mut self, condition: &Condition) -> Result<String, StoreError> {
        Ok(match condition {
            Condition::Absent => format!("attribute_not_exists({})", self.name(PK)),
            Condition::Present => format!("attribute_exists({})", self.name(PK)),
            Condition::Equals(attribute, value) => {
                format!("{} = {}", self.name(attribute), self.json_value(value)?)
            }
            Condition::Below(attribute, bound) => {
                let name = self.name(attribute);
                // Unparenthesized: `All` parenthesizes each of its parts, and DynamoDB refuses
                // redundant parentheses.
                format!("attribute_not_exists({name}) OR {name} < {}", self.json_value(&Value::from(*bound))?)
            }
            Condition::All(conditions) => {
                let parts = conditions.iter().map(|c| self.condition(c)).collect::<Result<Vec<_>, _>>()?;
                if parts.is_empty() {
                    return Err(StoreError::InvalidRequest("an empty All condition".into()));
                }
                format!("({})", parts.join(") AND ("))
            }
        })
    }

    fn update(&mut self, update: &Update) -> Result<String, StoreError> {
        update.validate()?;
        let mut clauses = Vec::new();
        if !update.set.is_empty() {
            let sets = update
                .set
                .iter()
                .map(|(attribute, value)| Ok(format!("{} = {}", self.name(attribute), self.json_value(value)?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            clauses.push(format!("SET {}", sets.join(", ")));
        }
        if !update.remove.is_empty() {
            let removes: Vec<String> = update.remove.iter().map(|attribute| self.name(attribute)).collect();
            clauses.push(format!("REMOVE {}", removes.join(", ")));
        }
        if !update.add.is_empty() {
            let adds: Vec<String> = update
                .add
                .iter()
                .map(|(attribute, amount)| {
                    let name = self.name(attribute);
                    format!("{name} {}", self.value(AttributeValue::N(amount.to_string())))
                })
                .collect();
            clauses.push(format!("ADD {}", adds.join(", ")));
        }
        Ok(clauses.join(" "))
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<Attributes> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// The condition expression of an optional condition.
fn condition_expression(
    expression: &mut Expression,
    condition: Option<&Condition>,
) -> Result<Option<String>, StoreError> {
    condition.map(|c| expression.condition(c)).transpose()
}

impl DynamoTable {
    fn transact_item(&self, op: &WriteOp) -> Result<TransactWriteItem, StoreError> {
        let mut expression = Expression::default();
        let item = match op {
            WriteOp::Put { item, condition } => {
                let condition = condition_expression(&mut expression, condition.as_ref())?;
                let put = Put::builder()
                    .table_name(&self.table_name)
                    .set_item(Some(to_attributes(item.attributes())?))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expression.names())
                    .set_expression_attribute_values(expression.values())
                    .build()
                    .map_err(invalid)?;
                TransactWriteItem::builder().put(put)
            }
            WriteOp::Update { key, update, condition } => {
                let update_expression = expression.update(update)?;
                let condition = condition_expression(&mut expression, condition.as_ref())?;
                let update = DynamoUpdate::builder()
                    .table_name(&self.table_name)
                    .set_key(Some(key_attributes(key)))
                    .update_expression(update_expression)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expression.names())
                    .set_expression_attribute_values(expression.values())
                    .build()
                    .map_err(invalid)?;
                TransactWriteItem::builder().update(update)
            }
            WriteOp::Delete { key, condition } => {
                let condition = condition_expression(&mut expression, condition.as_ref())?;
                let delete = Delete::builder()
                    .table_name(&self.table_name)
                    .set_key(Some(key_attributes(key)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expression.names())
                    .set_expression_attribute_values(expression.values())
                    .build()
                    .map_err(invalid)?;
                TransactWriteItem::builder().delete(delete)
            }
            WriteOp::Check { key, condition } => {
                let condition = expression.condition(condition)?;
                let check = ConditionCheck::builder()
                    .table_name(&self.table_name)
                    .set_key(Some(key_attributes(key)))
                    .condition_expression(condition)
                    .set_expression_attribute_names(expression.names())
                    .set_expression_attribute_values(expression.values())
                    .build()
                    .map_err(invalid)?;
                TransactWriteItem::builder().condition_check(check)
            }
        };
        Ok(item.build())
    }
}

/// Maps a cancelled transaction to the positions whose condition failed.
fn transaction_error(
    error: SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> StoreError {
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = error.as_service_error() {
        let reasons = cancelled.cancellation_reasons();
        let failed_conditions: Vec<usize> = reasons
            .iter()
            .enumerate()
            .filter(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
            .map(|(position, _)| position)
            .collect();
        // Throttled, or in conflict with another transaction on the same item: both pass if
        // tried again shortly.
        let retryable = |code: &str| THROTTLING_CODES.contains(&code) || code == "TransactionConflict";
        if failed_conditions.is_empty() && reasons.iter().any(|r| r.code().is_some_and(retryable)) {
            return StoreError::Throttled;
        }
        return StoreError::TransactionCanceled { failed_conditions };
    }
    store_error(error)
}

#[async_trait]
impl Table for DynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .set_key(Some(key_attributes(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        output.item.map(item_from).transpose()
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        let mut expression = Expression::default();
        let condition = condition_expression(&mut expression, condition.as_ref())?;
        self.client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(to_attributes(item.attributes())?))
            .set_condition_expression(condition)
            .set_expression_attribute_names(expression.names())
            .set_expression_attribute_values(expression.values())
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError> {
        let mut expression = Expression::default();
        let update_expression = expression.update(&update)?;
        let condition = condition_expression(&mut expression, condition.as_ref())?;
        let output = self
            .client
            .update_item()
            .table_name(&self.table_name)
            .set_key(Some(key_attributes(key)))
            .update_expression(update_expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(expression.names())
            .set_expression_attribute_values(expression.values())
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(store_error)?;
        let attributes = output.attributes.ok_or_else(|| invalid("update returned no item"))?;
        item_from(attributes)
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        let mut expression = Expression::default();
        let condition = condition_expression(&mut expression, condition.as_ref())?;
        self.client
            .delete_item()
            .table_name(&self.table_name)
            .set_key(Some(key_attributes(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(expression.names())
            .set_expression_attribute_values(expression.values())
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        query.validate()?;
        let start = match &query.after {
            Some(cursor) => Some(to_attributes(&cursor.for_query(&query)?)?),
            None => None,
        };
        let (pk_attribute, sk_attribute) = query.index.map_or((PK, SK), |index| index.key_attributes());
        let mut expression = Expression::default();
        let mut key_condition = format!(
            "{} = {}",
            expression.name(pk_attribute),
            expression.value(AttributeValue::S(query.partition.clone()))
        );
        match &query.sort {
            SortKey::Any => {}
            SortKey::Prefix(prefix) => {
                let name = expression.name(sk_attribute);
                let value = expression.value(AttributeValue::S(prefix.clone()));
                key_condition.push_str(&format!(" AND begins_with({name}, {value})"));
            }
            SortKey::Between(low, high) => {
                let name = expression.name(sk_attribute);
                let low = expression.value(AttributeValue::S(low.clone()));
                let high = expression.value(AttributeValue::S(high.clone()));
                key_condition.push_str(&format!(" AND {name} BETWEEN {low} AND {high}"));
            }
        }
        let output = self
            .client
            .query()
            .table_name(&self.table_name)
            .set_index_name(query.index.map(|index| index.name().to_owned()))
            .key_condition_expression(key_condition)
            .set_expression_attribute_names(expression.names())
            .set_expression_attribute_values(expression.values())
            .scan_index_forward(!query.descending)
            .limit(i32::try_from(query.limit).map_err(invalid)?)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(store_error)?;
        let items = output.items.unwrap_or_default().into_iter().map(item_from).collect::<Result<Vec<_>, _>>()?;
        let next = match output.last_evaluated_key {
            Some(last) => {
                let last: Map<String, Value> = serde_dynamo::from_item(last).map_err(invalid)?;
                Some(Cursor::from_last_key(&last))
            }
            None => None,
        };
        Ok(Page { items, next })
    }

    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        validate_transaction(&ops)?;
        let items = ops.iter().map(|op| self.transact_item(op)).collect::<Result<Vec<_>, _>>()?;
        self.client.transact_write_items().set_transact_items(Some(items)).send().await.map_err(transaction_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
