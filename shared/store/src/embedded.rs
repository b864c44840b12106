//! The embedded table: the `Table` port on redb, a single-file, crash-safe (copy-on-write,
//! fsync on commit) key-value store. It keeps items in one redb table and the `gsi1` index in
//! another, updated in the same write transaction. redb serializes write transactions, which
//! gives conditional writes and transactions the same all-or-nothing meaning as DynamoDB's.
//!
//! Keys are stored as bytes: `pk 0x00 sk` for items and `gsi1pk 0x00 gsi1sk 0x00 pk 0x00 sk`
//! for index entries, so byte order is DynamoDB's UTF-8 binary order of string keys. The only
//! difference from DynamoDB is that key strings may not contain NUL (refused as invalid).
//!
//! Writes are committed together (group commit): one thread takes every write, and those that
//! arrive while a commit is under way go into the next transaction, each evaluated as if alone
//! (a write whose condition fails changes nothing, and the others go on). One fsync then makes
//! the whole group durable, and each writer is answered only after it. Reads run in their own
//! read transactions on redb's snapshots and never wait for a write; they run on the caller's
//! task, not the blocking pool: a key read or a page of a query is served from redb's page cache
//! in microseconds (a query of 1,000 items, the largest asked for, in about a millisecond), less
//! than the hop to the pool and back costs on a busy portal (the request-path bench, its server
//! on one core).
//!
//! Every committed change is also written, in the same transaction, to a change log (the local
//! stand-in for the table's stream) under an increasing sequence number. The log is durable: a
//! committed write always has its record, and a record stays until its reader acknowledges it,
//! so a reader killed mid-batch reads the same records, with the same ids, after a restart.
//! A table opened with a [`StreamFilter`] logs only the changes it passes, as an event source
//! mapping's filter drops records before its function sees them: the others cost no log entry,
//! and their reader no read and no acknowledging commit.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use async_trait::async_trait;
use portal_domain::table::{
    ChangeRecord, Condition, Cursor, Index, Item, Key, PK, Page, Query, SK, SortKey, StoreError, Table, Update,
    WriteOp, last_key, validate_transaction,
};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde_json::Value;
use tokio::sync::{Notify, oneshot};

const ITEMS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("items");
const GSI1: TableDefinition<&[u8], &[u8]> = TableDefinition::new("gsi1");
const LSI1: TableDefinition<&[u8], &[u8]> = TableDefinition::new("lsi1");

/// Where an index's entries are kept: keys `{index pk}\0{index sk}\0{pk}\0{sk}`, no values.
fn index_table(index: Index) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
    match index {
        Index::Gsi1 => GSI1,
        Index::Lsi1 => LSI1,
    }
}

/// The change log: sequence number → the item as written (JSON; `null` for a removal).
const CHANGES: TableDefinition<u64, &[u8]> = TableDefinition::new("changes");
/// Counters kept beside the data; `NEXT_CHANGE` is the sequence number of the next change.
const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");
const NEXT_CHANGE: &str = "next-change";

/// Separates the parts of a stored key.
const SEPARATOR: u8 = 0x00;
/// Sorts after every byte of UTF-8 text: the exclusive upper bound of a prefix.
const AFTER_TEXT: u8 = 0xFF;

/// The most writes one commit takes: a bound on a group's memory and on its writers' wait.
const MOST_WRITES_PER_COMMIT: usize = 256;

/// The `Table` port on an embedded redb database file.
#[derive(Clone)]
pub struct EmbeddedTable {
    db: Arc<Database>,
    /// Where writes go to be committed.
    committer: Arc<Committer>,
    /// Woken after each commit that logged a change.
    committed: Arc<Notify>,
    /// Whether the change feed has its reader.
    subscribed: Arc<AtomicBool>,
}

/// A write: one conditional operation, or a transaction of them (all or none).
enum Write {
    One(WriteOp),
    All(Vec<WriteOp>),
}

/// What a write leaves: the key's new state for one operation (nothing for a transaction).
type Written = Result<Option<Item>, StoreError>;

/// A write waiting for its commit, and where its answer goes once that commit is durable.
struct Queued {
    write: Write,
    answer: oneshot::Sender<Written>,
}

/// Which changes, as (old, new) states of a key, go into the change log.
pub type StreamFilter = fn(old: Option<&Item>, new: Option<&Item>) -> bool;

/// The thread that commits every write, in groups.
struct Committer {
    queue: Option<mpsc::Sender<Queued>>,
    thread: Option<JoinHandle<()>>,
}

impl Committer {
    fn start(db: Arc<Database>, committed: Arc<Notify>, logged: StreamFilter) -> Result<Self, StoreError> {
        let (queue, writes) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("embedded-table-commits".into())
            .spawn(move || commit_in_groups(&db, &writes, &committed, logged))
            .map_err(unavailable)?;
        Ok(Self { queue: Some(queue), thread: Some(thread) })
    }

    /// Commits `write` with whatever else is waiting, and answers once that commit is durable.
    async fn commit(&self, write: Write) -> Written {
        let (answer, answered) = oneshot::channel();
        let stopped = || StoreError::Unavailable("the embedded table is closed".into());
        self.queue.as_ref().ok_or_else(stopped)?.send(Queued { write, answer }).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

impl Drop for Committer {
    /// Lets the thread finish the writes it holds, then waits for it (so that the database file
    /// is closed once the last handle on the table is gone, and can be opened again).
    fn drop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The committer's loop: waits for a write, takes every other one already waiting (up to
/// `MOST_WRITES_PER_COMMIT`), commits them together, answers each. Ends when the table is gone.
fn commit_in_groups(db: &Database, writes: &mpsc::Receiver<Queued>, committed: &Notify, logged: StreamFilter) {
    while let Ok(first) = writes.recv() {
        let mut group = vec![first];
        while group.len() < MOST_WRITES_PER_COMMIT {
            match writes.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let committing = || commit_group(db, group.iter().map(|queued| &queued.write), logged);
        // A panic ends the group (its transaction is dropped, uncommitted), not the thread.
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(committing))
            .unwrap_or_else(|_| Err(StoreError::Unavailable("committing the writes panicked".into())));
        let (answers, logged) = match done {
            Ok(done) => done,
            // Nothing of the group was committed: each writer hears why.
            Err(error) => {
                let message = error.to_string();
                let failed = || Err(StoreError::Unavailable(message.clone().into()));
                (group.iter().map(|_| failed()).collect(), false)
            }
        };
        if logged {
            committed.notify_one();
        }
        for (queued, answer) in group.into_iter().zip(answers) {
            // A writer that stopped waiting has nothing to hear.
            let _ = queued.answer.send(answer);
        }
    }
}

/// Applies `writes` in one transaction, each as if it ran alone, and commits them all at once.
/// Gives each write's answer and whether any logged a change; `Err` when the transaction itself
/// failed (then nothing of it was committed).
fn commit_group<'a>(
    db: &Database,
    writes: impl Iterator<Item = &'a Write>,
    filter: StreamFilter,
) -> Result<(Vec<Written>, bool), StoreError> {
    let txn = db.begin_write().map_err(unavailable)?;
    let mut answers = Vec::new();
    let mut logged = false;
    for write in writes {
        let (answer, logged_one) = match write {
            Write::One(op) => apply_one(&txn, op, filter)?,
            Write::All(ops) => apply_all(&txn, ops, filter)?,
        };
        answers.push(answer);
        logged |= logged_one;
    }
    txn.commit().map_err(unavailable)?;
    Ok((answers, logged))
}

/// One conditional write in the group's transaction: the key's new state, or why nothing was
/// written (its condition, an update that does not apply); and whether it logged a change. The
/// outer `Err` is the transaction's failure.
fn apply_one(txn: &WriteTransaction, op: &WriteOp, filter: StreamFilter) -> Result<(Written, bool), StoreError> {
    let key = op.key();
    let current = read_item(txn, &key)?;
    let new = match outcome(op, current.as_ref()).and_then(|new| storable(new.as_ref()).map(|()| new)) {
        Ok(new) => new,
        Err(refused) => return Ok((Err(refused), false)),
    };
    store(txn, &key, current.as_ref(), new.as_ref())?;
    let logged = log_changes(txn, filter, [(current.as_ref(), new.as_ref())])?;
    Ok((Ok(new), logged))
}

/// A transaction in the group's transaction: every operation or, when a condition fails, none.
fn apply_all(txn: &WriteTransaction, ops: &[WriteOp], filter: StreamFilter) -> Result<(Written, bool), StoreError> {
    let mut writes = Vec::with_capacity(ops.len());
    let mut failed_conditions = Vec::new();
    for (position, op) in ops.iter().enumerate() {
        let key = op.key();
        let current = read_item(txn, &key)?;
        match outcome(op, current.as_ref()).and_then(|new| storable(new.as_ref()).map(|()| new)) {
            Ok(new) => writes.push((key, current, new)),
            Err(StoreError::ConditionFailed) => failed_conditions.push(position),
            Err(refused) => return Ok((Err(refused), false)),
        }
    }
    if !failed_conditions.is_empty() {
        return Ok((Err(StoreError::TransactionCanceled { failed_conditions }), false));
    }
    for (key, old, new) in &writes {
        store(txn, key, old.as_ref(), new.as_ref())?;
    }
    // Condition checks write nothing, and the stream reports nothing for them.
    let changed = ops.iter().zip(&writes).filter(|(op, _)| !matches!(op, WriteOp::Check { .. }));
    let logged = log_changes(txn, filter, changed.map(|(_, (_, old, new))| (old.as_ref(), new.as_ref())))?;
    Ok((Ok(None), logged))
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
/// DynamoDB's stream, and neither is what `filter` does not pass. Returns whether anything was
/// logged.
fn log_changes<'a>(
    txn: &WriteTransaction,
    filter: StreamFilter,
    written: impl IntoIterator<Item = (Option<&'a Item>, Option<&'a Item>)>,
) -> Result<bool, StoreError> {
    let mut counters = txn.open_table(COUNTERS).map_err(unavailable)?;
    let mut changes = txn.open_table(CHANGES).map_err(unavailable)?;
    let first = counters.get(NEXT_CHANGE).map_err(unavailable)?.map_or(1, |next| next.value());
    let mut next = first;
    for (old, new) in written {
        if (old.is_none() && new.is_none()) || !filter(old, new) {
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
    /// Opens (or creates) the database file at `path`, logging every change.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_stream_filter(path, |_, _| true)
    }

    /// Opens (or creates) the database file at `path`, logging only the changes `logged` passes.
    pub fn open_with_stream_filter(path: &Path, logged: StreamFilter) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(unavailable)?;
        let txn = db.begin_write().map_err(unavailable)?;
        txn.open_table(ITEMS).map_err(unavailable)?;
        for index in Index::ALL {
            txn.open_table(index_table(index)).map_err(unavailable)?;
        }
        txn.open_table(CHANGES).map_err(unavailable)?;
        txn.open_table(COUNTERS).map_err(unavailable)?;
        txn.commit().map_err(unavailable)?;
        let (db, committed) = (Arc::new(db), Arc::new(Notify::new()));
        let committer = Arc::new(Committer::start(Arc::clone(&db), Arc::clone(&committed), logged)?);
        Ok(Self { db, committer, committed, subscribed: Arc::new(AtomicBool::new(false)) })
    }

    /// The change feed: every logged change (those the stream filter passes) not yet
    /// acknowledged, from earlier runs too, then each new one once its transaction commits, in
    /// commit order (the local stand-in for the table's stream). One reader; `None` after the
    /// first call.
    pub fn changes(&self) -> Option<ChangeFeed> {
        let first = !self.subscribed.swap(true, Ordering::SeqCst);
        first.then(|| ChangeFeed { db: Arc::clone(&self.db), committed: Arc::clone(&self.committed) })
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

/// Whether `new` can be stored (its index keys are valid key strings): checked before a write
/// changes anything, so that what cannot be stored is that write's refusal alone.
fn storable(new: Option<&Item>) -> Result<(), StoreError> {
    let Some(item) = new else { return Ok(()) };
    Index::ALL.into_iter().try_for_each(|index| index_entry(index, item).map(drop))
}

/// Replaces the stored state of one key (`None` deletes), keeping the index in step. Every
/// stored key is worked out before anything changes: an error after that is the transaction's.
fn store(txn: &WriteTransaction, key: &Key, old: Option<&Item>, new: Option<&Item>) -> Result<(), StoreError> {
    let entry = |index, item: Option<&Item>| item.map(|item| index_entry(index, item)).transpose().map(Option::flatten);
    let entries = Index::ALL
        .into_iter()
        .map(|index| Ok((index, entry(index, old)?, entry(index, new)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let stored_key = item_key(key)?;
    let bytes = new.map(|item| serde_json::to_vec(item.attributes())).transpose().map_err(unavailable)?;
    let mut items = txn.open_table(ITEMS).map_err(unavailable)?;
    for (index, old_entry, new_entry) in entries.into_iter().filter(|(_, old, new)| old != new) {
        let mut entries = txn.open_table(index_table(index)).map_err(unavailable)?;
        if let Some(entry) = old_entry {
            entries.remove(entry.as_slice()).map_err(unavailable)?;
        }
        if let Some(entry) = new_entry {
            entries.insert(entry.as_slice(), [].as_slice()).map_err(unavailable)?;
        }
    }
    match bytes {
        Some(bytes) => items.insert(stored_key.as_slice(), bytes.as_slice()).map_err(unavailable)?,
        None => items.remove(stored_key.as_slice()).map_err(unavailable)?,
    };
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
        Some(index) => txn.open_table(index_table(index)).map_err(unavailable)?.range(start.as_slice()..end.as_slice()),
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
        let txn = self.db.begin_read().map_err(unavailable)?;
        let items = txn.open_table(ITEMS).map_err(unavailable)?;
        let stored = items.get(item_key(key)?.as_slice()).map_err(unavailable)?;
        stored.map(|bytes| decode(bytes.value())).transpose()
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        item_key(&item.key())?;
        self.committer.commit(Write::One(WriteOp::Put { item, condition })).await.map(drop)
    }

    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError> {
        update.validate()?;
        item_key(key)?;
        let written =
            self.committer.commit(Write::One(WriteOp::Update { key: key.clone(), update, condition })).await?;
        written.ok_or_else(|| StoreError::InvalidRequest("update left no item".into()))
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        item_key(key)?;
        self.committer.commit(Write::One(WriteOp::Delete { key: key.clone(), condition })).await.map(drop)
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        run_query(&self.db, &query)
    }

    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        validate_transaction(&ops)?;
        for op in &ops {
            item_key(&op.key())?;
        }
        self.committer.commit(Write::All(ops)).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use portal_domain::table::{Item, Key, Table, Update};
    use serde_json::json;

    use super::*;

    fn opened() -> (tempfile::TempDir, EmbeddedTable) {
        let dir = tempfile::tempdir().expect("temp dir");
        let table = EmbeddedTable::open(&dir.path().join("t.redb")).expect("open");
        (dir, table)
    }

    #[tokio::test]
    async fn writes_committed_together_are_each_evaluated_as_if_alone() {
        let (_dir, table) = opened();
        let (a, b) = (Key::new("P", "a"), Key::new("P", "b"));
        let group = [
            Write::One(WriteOp::Put { item: Item::new(&a), condition: Some(Condition::Absent) }),
            // Sees the write before it in the same group.
            Write::One(WriteOp::Put { item: Item::new(&a), condition: Some(Condition::Absent) }),
            Write::All(vec![
                WriteOp::Put { item: Item::new(&b), condition: None },
                WriteOp::Check { key: a.clone(), condition: Condition::Absent },
            ]),
            Write::One(WriteOp::Update {
                key: a.clone(),
                update: Update::default().add("n", 2),
                condition: Some(Condition::Present),
            }),
        ];

        let (answers, logged) = commit_group(&table.db, group.iter(), |_, _| true).expect("committed");

        assert!(logged);
        assert!(matches!(answers[0], Ok(Some(_))));
        assert!(matches!(answers[1], Err(StoreError::ConditionFailed)));
        assert!(
            matches!(&answers[2], Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions == &[1])
        );
        assert_eq!(answers[3].as_ref().expect("updated").as_ref().and_then(|item| item.get("n")), Some(&json!(2)));
        assert!(table.get(&b).await.expect("read").is_none(), "the cancelled transaction wrote nothing");
        assert_eq!(table.get(&a).await.expect("read").and_then(|item| item.get("n").cloned()), Some(json!(2)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifty_conditional_writes_at_once_grant_one_and_each_answer_is_durable() {
        let (dir, table) = opened();
        let key = Key::new("P", "once");
        let tasks: Vec<_> = (0..50)
            .map(|n| {
                let (table, key) = (table.clone(), key.clone());
                tokio::spawn(async move {
                    let mut item = Item::new(&key);
                    item.set("by".into(), json!(n));
                    let first = table.put(item, Some(Condition::Absent)).await;
                    let own = Item::new(&Key::new("P", format!("own-{n}")));
                    (first, table.put(own, None).await)
                })
            })
            .collect();
        let mut granted = 0;
        for task in tasks {
            let (first, own) = task.await.expect("task");
            own.expect("an unconditional write goes in");
            match first {
                Ok(()) => granted += 1,
                Err(StoreError::ConditionFailed) => {}
                Err(other) => panic!("{other}"),
            }
        }
        assert_eq!(granted, 1);
        // Every answered write is in the file once the table is closed and opened again.
        drop(table);
        let reopened = EmbeddedTable::open(&dir.path().join("t.redb")).expect("reopened");
        for n in 0..50 {
            assert!(reopened.get(&Key::new("P", format!("own-{n}"))).await.expect("read").is_some(), "own-{n}");
        }
    }
}
