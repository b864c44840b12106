//! A `Table` that records the calls made through it: how tests count store round trips per
//! request (DESIGN §7).

use std::sync::Mutex;

use async_trait::async_trait;
use portal_domain::table::{Condition, Item, Key, Page, Query, StoreError, Table, Update, WriteOp};
use portal_store::embedded::EmbeddedTable;

/// Records every call made to the table it wraps.
pub struct CountingTable {
    inner: EmbeddedTable,
    calls: Mutex<Vec<String>>,
}

impl CountingTable {
    /// Counts the calls made to `inner`.
    pub fn new(inner: EmbeddedTable) -> Self {
        Self { inner, calls: Mutex::new(Vec::new()) }
    }

    fn log(&self, call: String) {
        self.calls.lock().expect("calls").push(call);
    }

    /// The calls made since the last `take`, as `get USER REVOKED` (partition kind and sort key), `query APP`, `put AUDIT`
    /// (partition kind)...
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.lock().expect("calls"))
    }
}

#[async_trait]
impl Table for CountingTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.log(format!("get {} {}", key.pk.split('#').next().unwrap_or_default(), key.sk));
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.log(format!("put {}", item.key().pk.split('#').next().unwrap_or_default()));
        self.inner.put(item, condition).await
    }
    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError> {
        self.log("update".into());
        self.inner.update(key, update, condition).await
    }
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.log("delete".into());
        self.inner.delete(key, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.log(format!("query {}", query.partition.split('#').next().unwrap_or_default()));
        self.inner.query(query).await
    }
    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.log("transact".into());
        self.inner.transact_write(ops).await
    }
}
