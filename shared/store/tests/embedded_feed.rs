//! The embedded store's change feed, the local stand-in for the table's stream: every committed
//! write is reported once, in commit order, with the item as written; a refused write or a
//! cancelled transaction reports nothing, and condition checks write nothing to report.

use portal_domain::table::{Condition, Item, Key, StoreError, Table, Update, WriteOp};
use portal_store::embedded::EmbeddedTable;

fn item(sk: &str) -> Item {
    Item::new(&Key::new("P", sk))
}

#[tokio::test]
async fn committed_writes_are_reported_in_order_and_refused_ones_not_at_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = EmbeddedTable::open(&dir.path().join("t.redb")).expect("open");
    let mut changes = table.changes().expect("the first subscriber");
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
    while let Ok(record) = changes.try_recv() {
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
