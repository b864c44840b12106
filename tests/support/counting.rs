//! A `Table` that records the calls made through it: how tests count store round trips per
//! request (DESIGN §7). It can also hold calls until a number of them are in flight at once:
//! a request whose calls all depend on nothing but the request itself passes that gate, one
//! that waits for an answer before its next call never does.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Barrier;

use async_trait::async_trait;
use portal_domain::table::{Condition, Item, Key, Page, Query, StoreError, Table, Update, WriteOp};
use portal_store::embedded::EmbeddedTable;

/// Holds a table's calls, while shut, until a number of them are in flight together.
#[derive(Default)]
pub struct Gate(Mutex<Option<Arc<Barrier>>>);

/// Longer than any request of the tests takes: a request still waiting then never gets its
/// calls in flight together.
const HELD_AT_MOST: Duration = Duration::from_secs(20);

impl Gate {
    /// Runs `request` with no call answered until `calls` of them are in flight together:
    /// `None` when they never were (one call waited for another's answer), else its output.
    pub async fn all_at_once<F: Future>(&self, calls: usize, request: F) -> Option<F::Output> {
        *self.0.lock().expect("gate") = Some(Arc::new(Barrier::new(calls)));
        let done = tokio::time::timeout(HELD_AT_MOST, request).await.ok();
        *self.0.lock().expect("gate") = None;
        done
    }

    /// Waits, while the gate is shut, until the call's company is in flight.
    pub async fn pass(&self) {
        let barrier = self.0.lock().expect("gate").clone();
        if let Some(barrier) = barrier {
            barrier.wait().await;
        }
    }
}

/// Records every call made to the table it wraps.
pub struct CountingTable {
    inner: EmbeddedTable,
    calls: Mutex<Vec<String>>,
    /// Holds the calls of a request until they are all in flight (see [`Gate::all_at_once`]).
    pub gate: Gate,
}

impl CountingTable {
    /// Counts the calls made to `inner`.
    pub fn new(inner: EmbeddedTable) -> Self {
        Self { inner, calls: Mutex::new(Vec::new()), gate: Gate::default() }
    }

    /// Logs the call, then waits at the gate if it is shut.
    async fn log(&self, call: String) {
        self.calls.lock().expect("calls").push(call);
        self.gate.pass().await;
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
        self.log(format!("get {} {}", key.pk.split('#').next().unwrap_or_default(), key.sk)).await;
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.log(format!("put {}", item.key().pk.split('#').next().unwrap_or_default())).await;
        self.inner.put(item, condition).await
    }
    async fn update(&self, key: &Key, update: Update, condition: Option<Condition>) -> Result<Item, StoreError> {
        self.log("update".into()).await;
        self.inner.update(key, update, condition).await
    }
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.log("delete".into()).await;
        self.inner.delete(key, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.log(format!("query {}", query.partition.split('#').next().unwrap_or_default())).await;
        self.inner.query(query).await
    }
    async fn transact_write(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.log("transact".into()).await;
        self.inner.transact_write(ops).await
    }
}
