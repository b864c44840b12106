//! The embedded store's change feed, the local stand-in for the table's stream: every committed
//! write is reported once, in commit order, with the item as written; a refused write or a
//! cancelled transaction reports nothing, and condition checks write nothing to report. The log
//! is durable: what was not acknowledged is read again after a reopen, with the same ids, and
//! what was acknowledged is not.

use portal_domain::table::{ChangeRecord, Condition, Item, Key, StoreError, Table, Update, WriteOp};
use portal_store::embedded::EmbeddedTable;

fn item(sk: &str) -> Item {
    Item::new(&Key::new("P", sk))
}

#[tokio::test]
async fn committed_writes_are_reported_in_order_and_refused_ones_not_at_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = EmbeddedTable::open(&dir.path().join("t.redb")).expect("open");
    let changes = table.changes().expect("the first subscriber");
    assert!(table.changes().is_none(), "one subscriber");

    table.put(item("a"), None).await.expect("put");
    table.put(item("z"), None).await.expect("put");
    assert!(matches!(table.put(item("a"), Some(Condition::Absent)).await, Err(StoreError::ConditionFailed)));
    table.update(&Key::new("P", "a"), Update::default().add("n", 1), None).await.expect("update");
    let refused = vec![
        WriteOp::Put { item: item("b"), condition: None },
        WriteOp::Check { key: Key::new("P", "missing"), condition: Condition::Present },
    ];
    assert!(table.transact_write(refused).await.is_err());
    let accepted = vec![
        WriteOp::Put { item: item("c"), condition: None },
        WriteOp::Check { key: Key::new("P", "z"), condition: Condition::Present },
        WriteOp::Delete { key: Key::new("P", "a"), condition: None },
    ];
    table.transact_write(accepted).await.expect("transaction");

    let mut reported = Vec::new();
    for record in changes.pending(100).await.expect("pending") {
        let image = record.new_image.expect("readable");
        reported.push((record.id, image.map(|i| (i.key().sk, i.get("n").cloned()))));
    }
    let ids: Vec<&str> = reported.iter().map(|(id, _)| id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "ids follow commit order");
    let images: Vec<_> = reported.into_iter().map(|(_, image)| image).collect();
    assert_eq!(
        images,
        [
            Some(("a".to_owned(), None)),
            Some(("z".to_owned(), None)),
            Some(("a".to_owned(), Some(serde_json::json!(1)))),
            Some(("c".to_owned(), None)),
            None, // the deletion of "a"
        ]
    );
}

fn ids(records: &[ChangeRecord]) -> Vec<String> {
    records.iter().map(|record| record.id.clone()).collect()
}

#[tokio::test]
async fn d4_n1_unacknowledged_changes_survive_a_reopen_with_their_ids_and_acknowledged_ones_do_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("t.redb");
    let (first_two, last_three) = {
        let table = EmbeddedTable::open(&path).expect("open");
        let changes = table.changes().expect("subscriber");
        for sk in ["a", "b", "c", "d", "e"] {
            table.put(item(sk), None).await.expect("put");
        }
        let first_two = changes.pending(2).await.expect("a batch");
        assert_eq!(first_two.len(), 2, "read in batches");
        changes.acknowledge(&first_two).await.expect("acknowledged");
        let last_three = changes.pending(100).await.expect("the rest");
        (ids(&first_two), ids(&last_three))
    }; // closed without acknowledging the rest, as a crash would leave it

    let table = EmbeddedTable::open(&path).expect("reopen");
    let changes = table.changes().expect("subscriber");
    let pending = changes.pending(100).await.expect("pending");
    assert_eq!(ids(&pending), last_three, "the same records, with the same ids, and no acknowledged one");
    let keys: Vec<String> =
        pending.iter().map(|r| r.new_image.clone().expect("readable").expect("item").key().sk).collect();
    assert_eq!(keys, ["c", "d", "e"]);
    assert!(first_two.iter().all(|id| !last_three.contains(id)));

    changes.acknowledge(&pending).await.expect("acknowledged");
    table.put(item("f"), None).await.expect("put");
    let next = changes.pending(100).await.expect("pending");
    assert_eq!(next.len(), 1);
    assert!(next[0].id > last_three[2], "ids keep increasing after the log emptied: an id is never reused");
}

#[tokio::test]
async fn a_reader_waiting_for_changes_wakes_when_one_commits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = EmbeddedTable::open(&dir.path().join("t.redb")).expect("open");
    let changes = table.changes().expect("subscriber");
    let writer = table.clone();
    let waiting = tokio::spawn(async move {
        changes.committed().await;
        changes.pending(100).await.expect("pending")
    });
    writer.put(item("a"), None).await.expect("put");
    assert_eq!(waiting.await.expect("woken").len(), 1);
}

#[tokio::test]
async fn a_filtered_log_keeps_only_the_changes_its_filter_passes() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Inserts under "E" only, as an event source mapping's filter on new events would pass.
    let inserted_events =
        |old: Option<&Item>, new: Option<&Item>| old.is_none() && new.is_some_and(|i| i.key().pk == "E");
    let table = EmbeddedTable::open_with_stream_filter(&dir.path().join("t.redb"), inserted_events).expect("open");
    let changes = table.changes().expect("subscriber");

    table.put(item("a"), None).await.expect("put elsewhere");
    table.put(Item::new(&Key::new("E", "1")), None).await.expect("put an event");
    table.update(&Key::new("E", "1"), Update::default().add("n", 1), None).await.expect("update the event");
    let together = vec![
        WriteOp::Put { item: Item::new(&Key::new("E", "2")), condition: None },
        WriteOp::Put { item: item("b"), condition: None },
    ];
    table.transact_write(together).await.expect("transaction");

    let logged: Vec<String> = changes
        .pending(100)
        .await
        .expect("pending")
        .into_iter()
        .map(|record| record.new_image.expect("readable").expect("an image").key().sk)
        .collect();
    assert_eq!(logged, ["1", "2"], "the two inserted events, nothing else");
    assert!(table.get(&Key::new("P", "b")).await.expect("get").is_some(), "what is not logged is still written");
}
