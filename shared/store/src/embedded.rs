//! The embedded table: the `Table` port on redb, a single-file, crash-safe (copy-on-write,
//! fsync on commit) key-value store. It keeps items in one redb table and the `gsi1` index in
//! another, updated in the same write transaction. redb serializes write transactions, which
//! gives conditional writes and transactions the same all-or-nothing meaning as DynamoDB's.
//!
//! Keys are stored as bytes: `pk 0x00 sk` for items and `gsi1pk 0x00 gsi1sk 0x00 pk 0x00 sk`
//! for index entries, so byte order is DynamoDB's UTF-8 binary order of string keys. The only
//! difference from DynamoDB is that key strings may not contain NUL (refused as invalid).
//!
//! Every committed change is also written, in the same transaction, to a change log (the local
//! stand-in for the table's stream) under an increasing sequence number. The log is durable: a
//! committed write always has its record, and a record stays until its reader acknowledges it,
//! so a reader killed mid-batch reads the same records, with the same ids, after a restart.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use portal_domain::table::{
    ChangeRecord, Condition, Cursor, Index, Item, Key, PK, Page, Query, SK, SortKey, StoreError, Table, Update,
    WriteOp, last_key, validate_transaction,
};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde_json::Value;
use tokio::sync::Notify;

const ITEMS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("items");
const GSI1: TableDefinition<&[u8], &[u8]> = TableDefinition::new("gsi1");
/// The change log: sequence number → the item as written (JSON; `null` for a removal).
const CHANGES: TableDefinition<u64, &[u8]> = TableDefinition::new("changes");
/// Counters kept beside the data; `NEXT_CHANGE` is the sequence number of the next change.
const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");
const NEXT_CHANGE: &str = "next-change";

/// Separates the parts of a stored key.
const SEPARATOR: u8 = 0x00;
/// Sorts after every byte of UTF-8 text: the exclusive upper bound of a prefix.
const AFTER_TEXT: u8 = 0xFF;

/// The `Table` port on an embedded redb database file.
#[derive(Clone)]
pub struct EmbeddedTable {
    db: Arc<Database>,
    /// Woken after each commit that logged a change.
    committed: Arc<Notify>,
    /// Whether the change feed has its reader.
    subscribed: Arc<AtomicBool>,
}

/// The reader of the change log: committed changes in commit order, each until acknowledged.
#[derive(Clone)]
pub struct ChangeFeed {
    db: Arc<Database>,
    committed: Arc<Notify>,
}

impl ChangeFeed {
    /// The oldest `limit` records not yet acknowledged, in commit order. Their ids (the
    /// sequence numbers, zero-padded so they also order as text) are the same after a restart.
    pub async fn pending(&self, limit: usize) -> Result<Vec<ChangeRecord>, StoreError> {
        let db = Arc::clone(&self.db);
        blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let changes = txn.open_table(CHANGES).map_err(unavailable)?;
            let mut records = Vec::new();
            for entry in changes.iter().map_err(unavailable)?.take(limit) {
                let (sequence, image) = entry.map_err(unavailable)?;
                records.push(ChangeRecord { id: record_id(sequence.value()), new_image: logged_image(image.value()) });
            }
            Ok(records)
        })
        .await
    }

    /// Removes handled records from the log; they are not read again.
    pub async fn acknowledge(&self, records: &[ChangeRecord]) -> Result<(), StoreError> {
        let sequences = records
            .iter()
            .map(|record| record.id.parse::<u64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| StoreError::InvalidRequest("not a change record id".into()))?;
        let db = Arc::clone(&self.db);
        blocking(move || {
            let txn = db.begin_write().map_err(unavailable)?;
            {
                let mut changes = txn.open_table(CHANGES).map_err(unavailable)?;
                for sequence in sequences {
                    changes.remove(sequence).map_err(unavailable)?;
                }
            }
            txn.commit().map_err(unavailable)
        })
        .await
    }

    /// Waits until a write commits a change (returns at once if one committed since the last
    /// wait): the reader's cue to read [`Self::pending`] again.
    pub async fn committed(&self) {
        self.committed.notified().await;
    }
}

fn record_id(sequence: u64) -> String {
    format!("{sequence:020}")
}

/// A logged image as the stream would carry it; an unreadable one is reported, not dropped.
fn logged_image(bytes: &[u8]) -> Result<Option<Item>, String> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Null) => Ok(None),
        Ok(Value::Object(attributes)) => Item::from_attributes(attributes).map(Some).map_err(|e| e.to_string()),
        Ok(_) => Err("logged image is not an object".into()),
        Err(error) => Err(error.to_string()),
    }
}

/// Logs each change of a transaction about to commit, as (old, new) states of its keys, in the
/// same transaction; deleting what did not exist changed nothing and is not logged, as with
/// DynamoDB's stream. Returns whether anything was logged.
fn log_changes<'a>(
    txn: &WriteTransaction,
    written: impl IntoIterator<Item = (Option<&'a Item>, Option<&'a Item>)>,
) -> Result<bool, StoreError> {
    let mut counters = txn.open_table(COUNTERS).map_err(unavailable)?;
    let mut changes = txn.open_table(CHANGES).map_err(unavailable)?;
    let first = counters.get(NEXT_CHANGE).map_err(unavailable)?.map_or(1, |next| next.value());
    let mut next = first;
    for (old, new) in written {
        if old.is_none() && new.is_none() {
            continue;
        }
        let image = serde_json::to_vec(&new.map(Item::attributes)).map_err(unavailable)?;
        changes.insert(next, image.as_slice()).map_err(unavailable)?;
        next += 1;
    }
    if next != first {
        counters.insert(NEXT_CHANGE, next).map_err(unavailable)?;
    }
    Ok(next != first)
}

/// Runs blocking database work off the async executor.
async fn blocking<T, F>(work: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(unavailable)?
}

impl EmbeddedTable {
    /// Opens (or creates) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(unavailable)?;
        let txn = db.begin_write().map_err(unavailable)?;
        txn.open_table(ITEMS).map_err(unavailable)?;
        txn.open_table(GSI1).map_err(unavailable)?;
        txn.open_table(CHANGES).map_err(unavailable)?;
        txn.open_table(COUNTERS).map_err(unavailable)?;
        txn.commit().map_err(unavailable)?;
        Ok(Self { db: Arc::new(db), committed: Arc::new(Notify::new()), subscribed: Arc::new(AtomicBool::new(false)) })
    }

    /// The change feed: every change not yet acknowledged, from earlier runs too, then each new
    /// one once its transaction commits, in commit order (the local stand-in for the table's
    /// stream). One reader; `None` after the first call.
    pub fn changes(&self) -> Option<ChangeFeed> {
        let first = !self.subscribed.swap(true, Ordering::SeqCst);
        first.then(|| ChangeFeed { db: Arc::clone(&self.db), committed: Arc::clone(&self.committed) })
    }

    /// Runs blocking database work off the async executor, waking the feed's reader when the
    /// work committed a change.
    async fn blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<(T, bool), StoreError> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        let (result, logged) = blocking(move || work(&db)).await?;
        if logged {
            self.committed.notify_one();
        }
        Ok(result)
    }
}

fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unavailable(Box::new(error))
}

fn checked_part(part: &str) -> Result<&[u8], StoreError> {
    if part.is_empty() {
        return Err(StoreError::InvalidRequest("key strings may not be empty".into()));
    }
    if part.as_bytes().contains(&SEPARATOR) {
        return Err(StoreError::InvalidRequest("key strings may not contain NUL".into()));
    }
    Ok(part.as_bytes())
}

/// Joins key parts into one stored key.
fn joined(parts: &[&str]) -> Result<Vec<u8>, StoreError> {
    let mut bytes = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            bytes.push(SEPARATOR);
        }
        bytes.extend_from_slice(checked_part(part)?);
    }
    Ok(bytes)
}

fn item_key(key: &Key) -> Result<Vec<u8>, StoreError> {
    joined(&[&key.pk, &key.sk])
}

fn index_entry(index: Index, item: &Item) -> Result<Option<Vec<u8>>, StoreError> {
    let Some((ipk, isk)) = item.index_key(index) else { return Ok(None) };
    let key = item.key();
    Ok(Some(joined(&[ipk, isk, &key.pk, &key.sk])?))
}

fn decode(bytes: &[u8]) -> Result<Item, StoreError> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(attributes)) => Item::from_attributes(attributes),
        _ => Err(StoreError::InvalidRequest("stored item is not a JSON object".into())),
    }
}

fn read_item(txn: &WriteTransaction, key: &Key) -> Result<Option<Item>, StoreError> {
    let items = txn.open_table(ITEMS).map_err(unavailable)?;
    let stored = items.get(item_key(key)?.as_slice()).map_err(unavailable)?;
    stored.map(|bytes| decode(bytes.value())).transpose()
}

/// Replaces the stored state of one key (`None` deletes), keeping the index in step.
fn store(txn: &WriteTransaction, key: &Key, old: Option<&Item>, new: Option<&Item>) -> Result<(), StoreError> {
    let mut items = txn.open_table(ITEMS).map_err(unavailable)?;
    let mut gsi1 = txn.open_table(GSI1).map_err(unavailable)?;
    if let Some(entry) = old.map(|item| index_entry(Index::Gsi1, item)).transpose()?.flatten() {
        gsi1.remove(entry.as_slice()).map_err(unavailable)?;
    }
    let stored_key = item_key(key)?;
    match new {
        Some(item) => {
            if let Some(entry) = index_entry(Index::Gsi1, item)? {
                gsi1.insert(entry.as_slice(), [].as_slice()).map_err(unavailable)?;
            }
            let bytes = serde_json::to_vec(item.attributes()).map_err(unavailable)?;
            items.insert(stored_key.as_slice(), bytes.as_slice()).map_err(unavailable)?;
        }
        None => {
            items.remove(stored_key.as_slice()).map_err(unavailable)?;
        }
    }
    Ok(())
}

/// The state an operation leaves its key in, given the current state; `Err(ConditionFailed)`
/// when its condition does not hold.
fn outcome(op: &WriteOp, current: Option<&Item>) -> Result<Option<Item>, StoreError> {
    let condition = match op {
        WriteOp::Put { condition, .. } | WriteOp::Update { condition, .. } | WriteOp::Delete { condition, .. } => {
            condition.as_ref()
        }
        WriteOp::Check { condition, .. } => Some(condition),
    };
    if !condition.is_none_or(|c| c.holds(current)) {
        return Err(StoreError::ConditionFailed);
    }
    match op {
        WriteOp::Put { item, .. } => Ok(Some(item.clone())),
        WriteOp::Update { key, update, .. } => update.apply(key, current.cloned()).map(Some),
        WriteOp::Delete { .. } => Ok(None),
        WriteOp::Check { .. } => Ok(current.cloned()),
    }
}

/// Runs one conditional write in its own transaction and returns the key's new state.
/// It also says whether it logged a change.
fn write_one(db: &Database, op: WriteOp) -> Result<(Option<Item>, bool), StoreError> {
    let txn = db.begin_write().map_err(unavailable)?;
    let key = op.key();
    let current = read_item(&txn, &key)?;
    let new = outcome(&op, current.as_ref())?;
    store(&txn, &key, current.as_ref(), new.as_ref())?;
    let logged = log_changes(&txn, [(current.as_ref(), new.as_ref())])?;
    txn.commit().map_err(unavailable)?;
    Ok((new, logged))
}

/// Byte range of a query, as (inclusive start, exclusive end).
fn query_range(query: &Query) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
    let mut partition = checked_part(&query.partition)?.to_vec();
    partition.push(SEPARATOR);
    // Index entries continue after the index sort key with the item key; table entries end.
    let sort_end: &[u8] = if query.index.is_some() { &[SEPARATOR, AFTER_TEXT] } else { &[] };
    let with = |parts: &[&[u8]]| {
        let mut bytes = partition.clone();
        parts.iter().for_each(|part| bytes.extend_from_slice(part));
        bytes
    };
    Ok(match &query.sort {
        SortKey::Any => (with(&[]), with(&[&[AFTER_TEXT]])),
        SortKey::Prefix(prefix) => {
            let prefix = checked_part(prefix)?;
            (with(&[prefix]), with(&[prefix, &[AFTER_TEXT]]))
        }
        SortKey::Between(low, high) => {
            let (low, high) = (checked_part(low)?, checked_part(high)?);
            let mut end = with(&[high, sort_end]);
            if query.index.is_none() {
                // Inclusive upper bound on an exact key: the next possible key is key + 0x00.
                end.push(SEPARATOR);
            }
            (with(&[low]), end)
        }
    })
}

/// Position in the stored order just after the last item of the previous page.
fn resume_position(query: &Query) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(cursor) = &query.after else { return Ok(None) };
    let key = cursor.for_query(query)?;
    let text = |name: &str| key.get(name).and_then(Value::as_str).ok_or(StoreError::InvalidCursor);
    let item = [text(PK)?, text(SK)?];
    Ok(Some(match query.index {
        None => joined(&item)?,
        Some(index) => {
            let (ipk, isk) = index.key_attributes();
            joined(&[text(ipk)?, text(isk)?, item[0], item[1]])?
        }
    }))
}

/// The table key stored at the end of an index entry.
fn key_of_index_entry(entry: &[u8]) -> Result<Key, StoreError> {
    let parts: Vec<&[u8]> = entry.split(|b| *b == SEPARATOR).collect();
    let [_, _, pk, sk] = parts.as_slice() else {
        return Err(StoreError::InvalidRequest("malformed index entry".into()));
    };
    let text = |bytes: &[u8]| {
        String::from_utf8(bytes.to_vec()).map_err(|_| StoreError::InvalidRequest("index entry is not UTF-8".into()))
    };
    Ok(Key::new(text(pk)?, text(sk)?))
}

fn run_query(db: &Database, query: &Query) -> Result<Page, StoreError> {
    query.validate()?;
    let (mut start, mut end) = query_range(query)?;
    if let Some(position) = resume_position(query)? {
        if query.descending {
            end = position;
        } else {
            start = position;
            start.push(SEPARATOR); // strictly after the last item returned
        }
    }
    if start >= end {
        // A cursor at or past the end of the range: nothing is left.
        return Ok(Page { items: Vec::new(), next: None });
    }
    let txn = db.begin_read().map_err(unavailable)?;
    let items = txn.open_table(ITEMS).map_err(unavailable)?;
    let scanned = match query.index {
        None => items.range(start.as_slice()..end.as_slice()),
        Some(Index::Gsi1) => txn.open_table(GSI1).map_err(unavailable)?.range(start.as_slice()..end.as_slice()),
    }
    .map_err(unavailable)?;
    let entries: Box<dyn Iterator<Item = _>> =
        if query.descending { Box::new(scanned.rev()) } else { Box::new(scanned) };

    let limit = query.limit as usize;
    let mut page = Vec::new();
    for entry in entries.take(limit) {
        let (key, value) = entry.map_err(unavailable)?;
        let item = match query.index {
            None => decode(value.value())?,
            Some(_) => {
                let table_key = key_of_index_entry(key.value())?;
                let stored = items.get(item_key(&table_key)?.as_slice()).map_err(unavailable)?;
                let stored = stored.ok_or_else(|| StoreError::InvalidRequest("index entry without item".into()))?;
                decode(stored.value())?
            }
        };
        page.push(item);
    }
    // Like DynamoDB, a full page always carries a cursor, even when nothing follows it.
    let next = (page.len() == limit)
        .then(|| page.last().map(|item| Cursor::from_last_key(&last_key(item, query.index))))
        .flatten();
    Ok(Page { items: page, next })
}

#[async_trait]
impl Table for EmbeddedTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let stored_key = item_key(key)?;
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(unavailable)?;
            let items = txn.open_table(ITEMS).map_err(unavailable)?;
            let stored = items.get(stored_key.as_slice()).map_err(unavailable)?;
            Ok((stored.map(|bytes| decode(bytes.value())).transpose()?, false))
        })
        .await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        item_key(&item.key())?;
        self.blocking(move |db| {
            let (_, logged) = write_one(db, WriteOp::Put { item, condition })?;
            Ok(((), logged))
        })
        .await
    }

    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError> {
        update.validate()?;
        let key = key.clone();
        self.blocking(move |db| {
            let (written, logged) = write_one(db, WriteOp::Update { key, update, condition })?;
            Ok((written.ok_or_else(|| StoreError::InvalidRequest("update left no item".into()))?, logged))
        })
        .await
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        let key = key.clone();
        self.blocking(move |db| {
            let (_, logged) = write_one(db, WriteOp::Delete { key, condition })?;
            Ok(((), logged))
        })
        .await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.blocking(move |db| Ok((run_query(db, &query)?, false))).await
    }

    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        validate_transaction(&ops)?;
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(unavailable)?;
            let mut writes = Vec::with_capacity(ops.len());
            let mut failed_conditions = Vec::new();
            for (position, op) in ops.iter().enumerate() {
                let key = op.key();
                let current = read_item(&txn, &key)?;
                match outcome(op, current.as_ref()) {
                    Ok(new) => writes.push((key, current, new)),
                    Err(StoreError::ConditionFailed) => failed_conditions.push(position),
                    Err(other) => return Err(other),
                }
            }
            if !failed_conditions.is_empty() {
                // Dropping the transaction without commit discards it.
                return Err(StoreError::TransactionCanceled { failed_conditions });
            }
            for (key, old, new) in &writes {
                store(&txn, key, old.as_ref(), new.as_ref())?;
            }
            // Condition checks write nothing, and the stream reports nothing for them.
            let changed = ops.iter().zip(&writes).filter(|(op, _)| !matches!(op, WriteOp::Check { .. }));
            let logged = log_changes(&txn, changed.map(|(_, (_, old, new))| (old.as_ref(), new.as_ref())))?;
            txn.commit().map_err(unavailable)?;
            Ok(((), logged))
        })
        .await
    }
}
