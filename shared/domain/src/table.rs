//! The `Table` port: a DynamoDB-shaped key-value table with one partition key, one sort key and
//! two secondary indexes. The DynamoDB adapter and the embedded store both implement it, and the
//! store contract suite holds them to the same behaviour.
//!
//! Items are JSON objects. Every item carries the string attributes `pk` and `sk`; an item that
//! also carries both `gsi1pk` and `gsi1sk` appears in the `gsi1` index; one that carries `lsi1sk`
//! appears in the `lsi1` index, in its own partition under that sort key.

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Partition key attribute of the table.
pub const PK: &str = "pk";
/// Sort key attribute of the table.
pub const SK: &str = "sk";

/// Most operations DynamoDB accepts in one transaction.
pub const MAX_TRANSACTION_ITEMS: usize = 100;

/// A secondary index of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Index {
    /// The general-purpose inverted index (officer queues, lookups by number, ...).
    Gsi1,
    /// A second order of a partition's items (a local index: the same partition key, another
    /// sort key): the dashboard, action required first, then newest change first.
    Lsi1,
}

impl Index {
    /// Index name, as declared in `template.yaml`.
    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1",
            Index::Lsi1 => "lsi1",
        }
    }

    /// Partition and sort key attributes of the index.
    pub fn key_attributes(self) -> (&'static str, &'static str) {
        match self {
            Index::Gsi1 => ("gsi1pk", "gsi1sk"),
            Index::Lsi1 => (PK, "lsi1sk"),
        }
    }

    /// Every index, in the order stores keep them.
    pub const ALL: [Index; 2] = [Index::Gsi1, Index::Lsi1];
}

/// The primary key of an item.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Partition key.
    pub pk: String,
    /// Sort key.
    pub sk: String,
}

impl Key {
    /// A key from its two parts.
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self { pk: pk.into(), sk: sk.into() }
    }
}

/// One item of the table: a JSON object holding at least `pk` and `sk`.
#[derive(Clone, Debug, PartialEq)]
pub struct Item(Map<String, Value>);

impl Item {
    /// An item with the given key and no other attributes.
    pub fn new(key: &Key) -> Self {
        let mut attributes = Map::new();
        attributes.insert(PK.into(), Value::String(key.pk.clone()));
        attributes.insert(SK.into(), Value::String(key.sk.clone()));
        Self(attributes)
    }

    /// An item holding the key and the fields of `value` (which must serialize to an object).
    pub fn from_record<T: Serialize>(key: &Key, value: &T) -> Result<Self, StoreError> {
        let Value::Object(fields) = serde_json::to_value(value)
            .map_err(|e| StoreError::InvalidRequest(format!("record does not serialize: {e}")))?
        else {
            return Err(StoreError::InvalidRequest("record is not an object".into()));
        };
        let mut item = Self::new(key);
        for (name, value) in fields {
            item.set(name, value);
        }
        Ok(item)
    }

    /// Checks an object read back from a store: it must carry string `pk` and `sk`.
    pub fn from_attributes(attributes: Map<String, Value>) -> Result<Self, StoreError> {
        let item = Self(attributes);
        item.checked_key()?;
        Ok(item)
    }

    /// Places the item in an index under the given keys.
    pub fn with_index_keys(mut self, index: Index, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        let (pk_attr, sk_attr) = index.key_attributes();
        self.set(pk_attr.into(), Value::String(pk.into()));
        self.set(sk_attr.into(), Value::String(sk.into()));
        self
    }

    /// The item's primary key (stores refuse an item whose key parts are empty).
    pub fn key(&self) -> Key {
        let part = |name: &str| self.0.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
        Key { pk: part(PK), sk: part(SK) }
    }

    fn checked_key(&self) -> Result<Key, StoreError> {
        let part = |name: &str| match self.0.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(StoreError::InvalidRequest(format!("item has no string `{name}`"))),
        };
        Ok(Key { pk: part(PK)?, sk: part(SK)? })
    }

    /// The item's keys in an index, when it has both.
    pub fn index_key(&self, index: Index) -> Option<(&str, &str)> {
        let (pk_attr, sk_attr) = index.key_attributes();
        match (self.0.get(pk_attr), self.0.get(sk_attr)) {
            (Some(Value::String(pk)), Some(Value::String(sk))) => Some((pk, sk)),
            _ => None,
        }
    }

    /// One attribute.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// Sets one attribute. Key attributes cannot be changed through this.
    pub fn set(&mut self, name: String, value: Value) {
        if name != PK && name != SK {
            self.0.insert(name, value);
        }
    }

    /// Removes one attribute (never the key).
    pub fn remove(&mut self, name: &str) {
        if name != PK && name != SK {
            self.0.remove(name);
        }
    }

    /// All attributes, key included.
    pub fn attributes(&self) -> &Map<String, Value> {
        &self.0
    }

    /// Reads the item as a record type; key and index attributes are ignored unless `T` asks.
    pub fn to_record<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        // Read from the attributes in place (no copy of the map).
        T::deserialize(&self.0).map_err(|e| StoreError::InvalidRequest(format!("item does not match its record: {e}")))
    }
}

/// `value` as the table's numbers are counted (`Update::add`, `Condition::Below` take `i64`):
/// amounts and times past `i64::MAX` are refused, never wrapped.
pub fn numeric(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::InvalidRequest(format!("{value} is past the table's numbers")))
}

/// A condition an item must meet for a write to happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// No item has this key yet.
    Absent,
    /// An item with this key exists.
    Present,
    /// The item exists and this attribute equals the value (optimistic versions, states).
    Equals(String, Value),
    /// The numeric attribute is missing or below the bound (a counter with room left). The
    /// item itself may be missing.
    Below(String, i64),
    /// Every one of these holds.
    All(Vec<Condition>),
}

impl Condition {
    /// Whether the stored item (or its absence) meets the condition.
    pub fn holds(&self, current: Option<&Item>) -> bool {
        match self {
            Condition::Absent => current.is_none(),
            Condition::Present => current.is_some(),
            Condition::Equals(name, value) => current.and_then(|item| item.get(name)) == Some(value),
            Condition::Below(name, bound) => match current.and_then(|item| item.get(name)) {
                None => true,
                Some(value) => value.as_i64().is_some_and(|value| value < *bound),
            },
            Condition::All(conditions) => conditions.iter().all(|c| c.holds(current)),
        }
    }
}

/// Changes to one item's attributes, applied atomically. An update of a missing item creates it
/// (as DynamoDB does) unless a condition says otherwise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Update {
    /// Attributes to set.
    pub set: Vec<(String, Value)>,
    /// Attributes to remove.
    pub remove: Vec<String>,
    /// Numeric attributes to add to (a missing one counts as 0).
    pub add: Vec<(String, i64)>,
}

impl Update {
    /// Sets an attribute.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.set.push((name.into(), value.into()));
        self
    }

    /// Removes an attribute.
    pub fn remove(mut self, name: impl Into<String>) -> Self {
        self.remove.push(name.into());
        self
    }

    /// Adds to a numeric attribute.
    pub fn add(mut self, name: impl Into<String>, amount: i64) -> Self {
        self.add.push((name.into(), amount));
        self
    }

    /// Checks the update touches no key attribute and names no attribute twice (both refused by
    /// DynamoDB, so the embedded store refuses them too).
    pub fn validate(&self) -> Result<(), StoreError> {
        let names: Vec<&str> = self
            .set
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(self.remove.iter().map(String::as_str))
            .chain(self.add.iter().map(|(n, _)| n.as_str()))
            .collect();
        if names.is_empty() {
            return Err(StoreError::InvalidRequest("update changes nothing".into()));
        }
        for (i, name) in names.iter().enumerate() {
            if *name == PK || *name == SK {
                return Err(StoreError::InvalidRequest(format!("update touches key attribute `{name}`")));
            }
            if names[..i].contains(name) {
                return Err(StoreError::InvalidRequest(format!("update names `{name}` twice")));
            }
        }
        Ok(())
    }

    /// Applies the update to an item (or creates one with `key`).
    pub fn apply(&self, key: &Key, current: Option<Item>) -> Result<Item, StoreError> {
        let mut item = current.unwrap_or_else(|| Item::new(key));
        for (name, value) in &self.set {
            item.set(name.clone(), value.clone());
        }
        for name in &self.remove {
            item.remove(name);
        }
        for (name, amount) in &self.add {
            let base = match item.get(name) {
                None => 0,
                Some(Value::Number(n)) => {
                    n.as_i64().ok_or_else(|| StoreError::InvalidRequest(format!("`{name}` is not an integer")))?
                }
                Some(_) => return Err(StoreError::InvalidRequest(format!("`{name}` is not a number"))),
            };
            let sum =
                base.checked_add(*amount).ok_or_else(|| StoreError::InvalidRequest(format!("`{name}` overflows")))?;
            item.set(name.clone(), Value::from(sum));
        }
        Ok(item)
    }
}

/// Which sort keys a query returns.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Every item of the partition.
    #[default]
    Any,
    /// Sort keys starting with this prefix.
    Prefix(String),
    /// Sort keys between the two bounds, both included.
    Between(String, String),
}

/// Where a page of results ends: opaque to callers, handed back to get the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    /// Encodes the key attributes of the last item returned.
    pub fn from_last_key(key: &Map<String, Value>) -> Self {
        Cursor(URL_SAFE_NO_PAD.encode(Value::Object(key.clone()).to_string()))
    }

    /// Decodes a cursor received from a caller; anything malformed is `InvalidCursor`, as is a
    /// key with NUL in it (no store hands one out: the embedded one refuses NUL in keys).
    pub fn to_last_key(&self) -> Result<Map<String, Value>, StoreError> {
        let bytes = URL_SAFE_NO_PAD.decode(&self.0).map_err(|_| StoreError::InvalidCursor)?;
        let is_key_text = |value: &Value| value.as_str().is_some_and(|text| !text.contains('\0'));
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(key)) if key.values().all(is_key_text) => Ok(key),
            _ => Err(StoreError::InvalidCursor),
        }
    }

    /// Decodes a cursor for `query`: it must name a position in the queried partition, with the
    /// key attributes the table (and index) need.
    pub fn for_query(&self, query: &Query) -> Result<Map<String, Value>, StoreError> {
        let key = self.to_last_key()?;
        let partition_attribute = query.index.map_or(PK, |index| index.key_attributes().0);
        let mut required = vec![PK, SK];
        if let Some(index) = query.index {
            let (pk, sk) = index.key_attributes();
            // A local index shares the table's partition key: the position names it once.
            required.extend([pk, sk].into_iter().filter(|name| *name != PK));
        }
        let complete = required.iter().all(|name| key.contains_key(*name)) && key.len() == required.len();
        if !complete || key.get(partition_attribute).and_then(Value::as_str) != Some(query.partition.as_str()) {
            return Err(StoreError::InvalidCursor);
        }
        // A position outside the query's sort keys belongs to another list of the same partition
        // (DynamoDB refuses it as "outside query boundaries"; both stores refuse it here).
        let sort_attribute = query.index.map_or(SK, |index| index.key_attributes().1);
        let sort = key.get(sort_attribute).and_then(Value::as_str).unwrap_or_default();
        let inside = match &query.sort {
            SortKey::Any => true,
            SortKey::Prefix(prefix) => sort.starts_with(prefix.as_str()),
            SortKey::Between(low, high) => (low.as_str()..=high.as_str()).contains(&sort),
        };
        if !inside {
            return Err(StoreError::InvalidCursor);
        }
        Ok(key)
    }
}

impl Cursor {
    /// The cursor as it travels in URLs and response bodies.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Cursor {
    fn from(value: String) -> Self {
        Cursor(value)
    }
}

/// A query of one partition of the table or of an index.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The index to query, or the table itself.
    pub index: Option<Index>,
    /// Partition key value.
    pub partition: String,
    /// Sort key selection.
    pub sort: SortKey,
    /// Newest first (descending sort key) when true.
    pub descending: bool,
    /// Most items in one page (at least 1).
    pub limit: u32,
    /// Continue after the page that ended here.
    pub after: Option<Cursor>,
}

impl Query {
    /// All items of a table partition, ascending, in pages of up to 100.
    pub fn partition(pk: impl Into<String>) -> Self {
        Self { index: None, partition: pk.into(), sort: SortKey::Any, descending: false, limit: 100, after: None }
    }

    /// All items of an index partition.
    pub fn index(index: Index, pk: impl Into<String>) -> Self {
        Self { index: Some(index), ..Self::partition(pk) }
    }

    /// Restricts the sort keys.
    pub fn sort(mut self, sort: SortKey) -> Self {
        self.sort = sort;
        self
    }

    /// Sets the page size.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Descending order.
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    /// Continues after a cursor.
    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.after = cursor;
        self
    }
}

impl Query {
    /// Checks what DynamoDB refuses before running a query: a zero limit, reversed bounds.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.limit == 0 {
            return Err(StoreError::InvalidRequest("query limit must be at least 1".into()));
        }
        if let SortKey::Between(low, high) = &self.sort
            && low > high
        {
            return Err(StoreError::InvalidRequest("BETWEEN bounds are reversed".into()));
        }
        Ok(())
    }
}

/// One page of query results.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// Items in sort-key order.
    pub items: Vec<Item>,
    /// Present when the page was full: there may be more after it.
    pub next: Option<Cursor>,
}

/// The key attributes of `item` that resume a query after it (table key, plus index key when
/// querying an index), as DynamoDB's `LastEvaluatedKey` holds them.
pub fn last_key(item: &Item, index: Option<Index>) -> Map<String, Value> {
    let mut key = Map::new();
    let mut names = vec![PK, SK];
    if let Some(index) = index {
        let (pk, sk) = index.key_attributes();
        names.extend([pk, sk]);
    }
    for name in names {
        if let Some(value) = item.get(name) {
            key.insert(name.to_owned(), value.clone());
        }
    }
    key
}

/// One write in a transaction.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteOp {
    /// Puts a whole item.
    Put { item: Item, condition: Option<Condition> },
    /// Updates attributes of an item.
    Update { key: Key, update: Update, condition: Option<Condition> },
    /// Deletes an item.
    Delete { key: Key, condition: Option<Condition> },
    /// Writes nothing, but the transaction fails unless the condition holds.
    Check { key: Key, condition: Condition },
}

impl WriteOp {
    /// The key the operation touches.
    pub fn key(&self) -> Key {
        match self {
            WriteOp::Put { item, .. } => item.key(),
            WriteOp::Update { key, .. } | WriteOp::Delete { key, .. } | WriteOp::Check { key, .. } => key.clone(),
        }
    }
}

/// Checks what DynamoDB checks before running a transaction: 1 to 100 operations, no key twice,
/// valid updates.
pub fn validate_transaction(ops: &[WriteOp]) -> Result<(), StoreError> {
    if ops.is_empty() || ops.len() > MAX_TRANSACTION_ITEMS {
        return Err(StoreError::InvalidRequest(format!(
            "a transaction holds 1 to {MAX_TRANSACTION_ITEMS} operations, not {}",
            ops.len()
        )));
    }
    let mut keys: Vec<Key> = ops.iter().map(WriteOp::key).collect();
    keys.sort();
    if keys.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(StoreError::InvalidRequest("a transaction touches one item twice".into()));
    }
    for op in ops {
        if let WriteOp::Update { update, .. } = op {
            update.validate()?;
        }
    }
    Ok(())
}

/// What can go wrong in a store, in terms the domain can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write's condition did not hold; nothing was written.
    #[error("the condition of the write did not hold")]
    ConditionFailed,
    /// The transaction was cancelled; nothing was written. `failed_conditions` lists the
    /// positions of the operations whose condition did not hold (empty when it was cancelled
    /// for another reason, such as a conflicting concurrent transaction).
    #[error("the transaction was cancelled (failed conditions at {failed_conditions:?})")]
    TransactionCanceled {
        /// Positions of the operations whose condition failed.
        failed_conditions: Vec<usize>,
    },
    /// The store is throttling us and retries ran out; try again later.
    #[error("the store is throttling requests")]
    Throttled,
    /// A cursor that this store did not hand out.
    #[error("the cursor is not valid")]
    InvalidCursor,
    /// A request the store refuses whatever its contents (a programming error).
    #[error("invalid store request: {0}")]
    InvalidRequest(String),
    /// The store could not be reached or failed internally.
    #[error("the store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A DynamoDB-shaped table. See the module documentation for the item model.
#[async_trait]
pub trait Table: Send + Sync {
    /// Reads one item (strongly consistent).
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Writes a whole item, replacing any item with the same key, if the condition holds.
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError>;

    /// Updates an item's attributes if the condition holds, and returns the item as written.
    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError>;

    /// Deletes an item if the condition holds; deleting a missing item is not an error.
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError>;

    /// One page of a partition of the table or an index, in sort-key order.
    async fn query(&self, query: Query) -> Result<Page, StoreError>;

    /// Applies every operation or none.
    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError>;
}

/// A change the store reports (a DynamoDB stream record, or the embedded store's change feed):
/// its position, and the item as written (`Ok(None)` for a removal, `Err` with the reason for a
/// record that could not be read).
#[derive(Clone, Debug)]
pub struct ChangeRecord {
    /// The record's id in its batch (the stream's sequence number).
    pub id: String,
    /// The item as written.
    pub new_image: Result<Option<Item>, String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored(fields: Value) -> Item {
        let mut item = Item::new(&Key::new("P", "S"));
        if let Value::Object(fields) = fields {
            fields.into_iter().for_each(|(name, value)| item.set(name, value));
        }
        item
    }

    #[test]
    fn conditions_hold_as_dynamodb_evaluates_them() {
        let item = stored(json!({"version": 3, "status": "draft"}));
        assert!(Condition::Absent.holds(None));
        assert!(!Condition::Absent.holds(Some(&item)));
        assert!(Condition::Present.holds(Some(&item)));
        assert!(Condition::Equals("version".into(), json!(3)).holds(Some(&item)));
        assert!(!Condition::Equals("version".into(), json!(3)).holds(None));
        let both = Condition::All(vec![Condition::Present, Condition::Equals("status".into(), json!("sent"))]);
        assert!(!both.holds(Some(&item)));
        assert!(Condition::Below("version".into(), 4).holds(Some(&item)));
        assert!(!Condition::Below("version".into(), 3).holds(Some(&item)));
        assert!(Condition::Below("count".into(), 1).holds(Some(&item)), "a missing counter is below any bound");
        assert!(Condition::Below("count".into(), 1).holds(None));
        assert!(!Condition::Below("status".into(), 9).holds(Some(&item)), "a non-number is not below");
    }

    #[test]
    fn updates_refuse_what_dynamodb_refuses() {
        assert!(Update::default().validate().is_err(), "empty");
        assert!(Update::default().set("pk", "x").validate().is_err(), "key attribute");
        assert!(Update::default().set("a", 1).remove("a").validate().is_err(), "same attribute twice");
        assert!(Update::default().set("a", 1).add("b", 1).validate().is_ok());
    }

    #[test]
    fn adding_to_a_non_number_is_refused() {
        let result =
            Update::default().add("status", 1).apply(&Key::new("P", "S"), Some(stored(json!({"status": "x"}))));
        assert!(matches!(result, Err(StoreError::InvalidRequest(_))));
    }

    #[test]
    fn item_keys_cannot_be_overwritten_by_record_fields() {
        let item =
            Item::from_record(&Key::new("P", "S"), &json!({"pk": "other", "sk": "other", "a": 1})).expect("item");
        assert_eq!(item.key(), Key::new("P", "S"));
        assert_eq!(item.get("a"), Some(&json!(1)));
    }

    #[test]
    fn a_cursor_must_belong_to_the_query() {
        let item = stored(json!({})).with_index_keys(Index::Gsi1, "QUEUE#a", "2026");
        let table_cursor = Cursor::from_last_key(&last_key(&item, None));
        let index_cursor = Cursor::from_last_key(&last_key(&item, Some(Index::Gsi1)));

        assert!(table_cursor.for_query(&Query::partition("P")).is_ok());
        assert!(matches!(table_cursor.for_query(&Query::partition("Q")), Err(StoreError::InvalidCursor)));
        assert!(matches!(
            table_cursor.for_query(&Query::index(Index::Gsi1, "QUEUE#a")),
            Err(StoreError::InvalidCursor)
        ));
        assert!(index_cursor.for_query(&Query::index(Index::Gsi1, "QUEUE#a")).is_ok());
        let message = Cursor::from_last_key(&last_key(&Item::new(&Key::new("P", "MSG#1")), None));
        let messages = Query::partition("P").sort(SortKey::Prefix("MSG#".into()));
        assert!(message.for_query(&messages).is_ok());
        assert!(
            matches!(
                message.for_query(&Query::partition("P").sort(SortKey::Prefix("HIST#".into()))),
                Err(StoreError::InvalidCursor)
            ),
            "a cursor of one list of a partition does not open another"
        );
        assert!(matches!(Cursor::from("%%%".to_owned()).to_last_key(), Err(StoreError::InvalidCursor)));
    }

    #[test]
    fn transactions_are_bounded_and_touch_each_item_once() {
        let put = |sk: &str| WriteOp::Put { item: Item::new(&Key::new("P", sk)), condition: None };
        assert!(validate_transaction(&[]).is_err());
        assert!(validate_transaction(&[put("a"), put("a")]).is_err());
        assert!(
            validate_transaction(&(0..=MAX_TRANSACTION_ITEMS).map(|i| put(&i.to_string())).collect::<Vec<_>>())
                .is_err()
        );
        assert!(validate_transaction(&[put("a"), put("b")]).is_ok());
    }
}
