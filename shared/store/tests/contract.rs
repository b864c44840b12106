//! The store contract suite: one body of tests, run against the embedded store and against the
//! DynamoDB adapter on the moto emulator (table created from `template.yaml`), so local mode
//! stays faithful to production.

use std::sync::Arc;

use portal_domain::table::{Condition, Cursor, Index, Item, Key, Query, SortKey, StoreError, Table, Update, WriteOp};
use portal_store::dynamodb::DynamoTable;
use portal_store::embedded::EmbeddedTable;
use serde_json::{Value, json};

/// A fresh, empty table of one kind, kept alive (with its folder) for the test.
struct Fixture {
    table: Arc<dyn Table>,
    _dir: Option<tempfile::TempDir>,
}

async fn embedded() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = EmbeddedTable::open(&dir.path().join("portal.redb")).expect("open embedded table");
    Fixture { table: Arc::new(table), _dir: Some(dir) }
}

async fn dynamodb() -> Fixture {
    let config = portal_emulator::sdk_config().await.expect("moto emulator");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = portal_emulator::unique_name("contract");
    portal_emulator::create_table_from_template(&client, &name).await.expect("create table");
    Fixture { table: Arc::new(DynamoTable::new(client, name)), _dir: None }
}

fn item(pk: &str, sk: &str, fields: Value) -> Item {
    let mut item = Item::new(&Key::new(pk, sk));
    if let Value::Object(fields) = fields {
        for (name, value) in fields {
            item.set(name, value);
        }
    }
    item
}

fn sort_keys(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.key().sk).collect()
}

async fn put_then_get_round_trips_every_json_type(t: &dyn Table) {
    let written = item(
        "P#1",
        "A",
        json!({"text": "café ✓", "int": 42, "negative": -7, "float": 2.5, "yes": true,
               "nothing": null, "list": [1, "two", {"three": 3}], "map": {"nested": {"deep": "x"}}}),
    );
    t.put(written.clone(), None).await.expect("put");

    let read = t.get(&Key::new("P#1", "A")).await.expect("get").expect("present");

    assert_eq!(read, written);
}

async fn get_of_a_missing_item_is_none(t: &dyn Table) {
    assert_eq!(t.get(&Key::new("P#none", "A")).await.expect("get"), None);
}

async fn put_if_absent_refuses_to_overwrite(t: &dyn Table) {
    t.put(item("P#1", "A", json!({"v": 1})), Some(Condition::Absent)).await.expect("first put");

    let second = t.put(item("P#1", "A", json!({"v": 2})), Some(Condition::Absent)).await;

    assert!(matches!(second, Err(StoreError::ConditionFailed)), "{second:?}");
    let kept = t.get(&Key::new("P#1", "A")).await.expect("get").expect("present");
    assert_eq!(kept.get("v"), Some(&json!(1)));
}

async fn put_with_version_condition_is_optimistic(t: &dyn Table) {
    t.put(item("P#1", "A", json!({"version": 1})), None).await.expect("put");
    let version_is = |v: i64| Some(Condition::Equals("version".into(), json!(v)));

    t.put(item("P#1", "A", json!({"version": 2})), version_is(1)).await.expect("matching version");
    let stale = t.put(item("P#1", "A", json!({"version": 3})), version_is(1)).await;

    assert!(matches!(stale, Err(StoreError::ConditionFailed)), "{stale:?}");
}

async fn equals_condition_fails_on_a_missing_item(t: &dyn Table) {
    let result = t.put(item("P#1", "A", json!({})), Some(Condition::Equals("version".into(), json!(1)))).await;
    assert!(matches!(result, Err(StoreError::ConditionFailed)), "{result:?}");
}

async fn update_sets_removes_adds_and_returns_the_new_item(t: &dyn Table) {
    t.put(item("P#1", "A", json!({"status": "draft", "note": "x", "version": 1})), None).await.expect("put");

    let updated = t
        .update(
            &Key::new("P#1", "A"),
            Update::default().set("status", "submitted").remove("note").add("version", 1),
            Some(Condition::Equals("status".into(), json!("draft"))),
        )
        .await
        .expect("update");

    assert_eq!(updated, item("P#1", "A", json!({"status": "submitted", "version": 2})));
    assert_eq!(t.get(&Key::new("P#1", "A")).await.expect("get"), Some(updated));
}

async fn update_of_a_missing_item_creates_it_unless_a_condition_forbids(t: &dyn Table) {
    let refused = t.update(&Key::new("P#1", "A"), Update::default().add("n", 5), Some(Condition::Present)).await;
    assert!(matches!(refused, Err(StoreError::ConditionFailed)), "{refused:?}");

    let created = t.update(&Key::new("P#1", "A"), Update::default().add("n", 5), None).await.expect("upsert");

    assert_eq!(created, item("P#1", "A", json!({"n": 5})));
}

async fn update_of_a_key_attribute_is_refused(t: &dyn Table) {
    let result = t.update(&Key::new("P#1", "A"), Update::default().set("sk", "B"), None).await;
    assert!(matches!(result, Err(StoreError::InvalidRequest(_))), "{result:?}");
}

async fn conditional_delete(t: &dyn Table) {
    t.put(item("P#1", "A", json!({"state": "locked"})), None).await.expect("put");

    let refused = t.delete(&Key::new("P#1", "A"), Some(Condition::Equals("state".into(), json!("open")))).await;
    assert!(matches!(refused, Err(StoreError::ConditionFailed)), "{refused:?}");

    t.delete(&Key::new("P#1", "A"), None).await.expect("delete");
    t.delete(&Key::new("P#1", "A"), None).await.expect("deleting a missing item is fine");
    assert_eq!(t.get(&Key::new("P#1", "A")).await.expect("get"), None);
}

async fn seed_partition(t: &dyn Table) {
    for sk in ["DOC#2", "DOC#1", "MSG#1", "APP", "DOC#3", "MSG#2"] {
        t.put(item("APP#1", sk, json!({})), None).await.expect("seed");
    }
    t.put(item("APP#2", "DOC#1", json!({})), None).await.expect("other partition");
}

async fn query_returns_one_partition_in_sort_key_order(t: &dyn Table) {
    seed_partition(t).await;

    let page = t.query(Query::partition("APP#1")).await.expect("query");

    assert_eq!(sort_keys(&page.items), ["APP", "DOC#1", "DOC#2", "DOC#3", "MSG#1", "MSG#2"]);
    assert_eq!(page.next, None);
}

async fn query_by_sort_key_prefix_and_range(t: &dyn Table) {
    seed_partition(t).await;

    let docs = t.query(Query::partition("APP#1").sort(SortKey::Prefix("DOC#".into()))).await.expect("prefix");
    let range = t
        .query(Query::partition("APP#1").sort(SortKey::Between("DOC#2".into(), "MSG#1".into())))
        .await
        .expect("between");
    let newest_first =
        t.query(Query::partition("APP#1").sort(SortKey::Prefix("MSG#".into())).descending()).await.expect("desc");

    assert_eq!(sort_keys(&docs.items), ["DOC#1", "DOC#2", "DOC#3"]);
    assert_eq!(sort_keys(&range.items), ["DOC#2", "DOC#3", "MSG#1"]);
    assert_eq!(sort_keys(&newest_first.items), ["MSG#2", "MSG#1"]);
}

async fn reversed_between_bounds_are_refused(t: &dyn Table) {
    seed_partition(t).await;
    let result = t.query(Query::partition("APP#1").sort(SortKey::Between("MSG#".into(), "DOC#".into()))).await;
    assert!(matches!(result, Err(StoreError::InvalidRequest(_))), "{result:?}");
}

async fn query_pages_with_a_cursor_in_both_directions(t: &dyn Table) {
    seed_partition(t).await;
    for descending in [false, true] {
        let mut query = Query::partition("APP#1").limit(4);
        query.descending = descending;
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = t.query(query.clone()).await.expect("page");
            pages += 1;
            assert!(page.items.len() <= 4);
            seen.extend(sort_keys(&page.items));
            match page.next {
                Some(cursor) => query.after = Some(cursor),
                None => break,
            }
            assert!(pages < 10, "paging does not end");
        }
        let mut expected = vec!["APP", "DOC#1", "DOC#2", "DOC#3", "MSG#1", "MSG#2"];
        if descending {
            expected.reverse();
        }
        assert_eq!(seen, expected);
    }
}

async fn a_cursor_from_another_partition_or_garbage_is_refused(t: &dyn Table) {
    seed_partition(t).await;
    let page = t.query(Query::partition("APP#1").limit(2)).await.expect("page");
    let cursor = page.next.expect("full page has a cursor");

    let foreign = t.query(Query::partition("APP#2").after(Some(cursor))).await;
    let garbage = t.query(Query::partition("APP#1").after(Some(Cursor::from("not-a-cursor".to_owned())))).await;

    assert!(matches!(foreign, Err(StoreError::InvalidCursor)), "{foreign:?}");
    assert!(matches!(garbage, Err(StoreError::InvalidCursor)), "{garbage:?}");
}

async fn v3_a_cursor_naming_a_key_with_nul_is_refused(t: &dyn Table) {
    seed_partition(t).await;
    let key = json!({"pk": "APP#1", "sk": "HIST#\u{0}"});
    let forged = Cursor::from_last_key(key.as_object().expect("object"));

    let page = t.query(Query::partition("APP#1").after(Some(forged))).await;

    assert!(matches!(page, Err(StoreError::InvalidCursor)), "{page:?}");
}

async fn secondary_index_queries_and_pages(t: &dyn Table) {
    for (pk, status_date) in [("APP#1", "2026-01-03"), ("APP#2", "2026-01-01"), ("APP#3", "2026-01-02")] {
        let indexed = item(pk, "APP", json!({"n": pk})).with_index_keys(Index::Gsi1, "QUEUE#received", status_date);
        t.put(indexed, None).await.expect("put");
    }
    t.put(item("APP#4", "APP", json!({})).with_index_keys(Index::Gsi1, "QUEUE#draft", "2026-01-01"), None)
        .await
        .expect("other queue");
    t.put(item("APP#5", "APP", json!({})), None).await.expect("not indexed");

    let first = t.query(Query::index(Index::Gsi1, "QUEUE#received").limit(2)).await.expect("first page");
    let rest = t
        .query(Query::index(Index::Gsi1, "QUEUE#received").limit(2).after(first.next.clone()))
        .await
        .expect("second page");
    let recent = t
        .query(
            Query::index(Index::Gsi1, "QUEUE#received")
                .sort(SortKey::Between("2026-01-02".into(), "2026-01-09".into())),
        )
        .await
        .expect("range");

    let pks = |items: &[Item]| items.iter().map(|i| i.key().pk).collect::<Vec<_>>();
    assert_eq!(pks(&first.items), ["APP#2", "APP#3"]);
    assert_eq!(pks(&rest.items), ["APP#1"]);
    assert_eq!(first.items[0].get("n"), Some(&json!("APP#2")), "index queries return whole items");
    assert_eq!(pks(&recent.items), ["APP#3", "APP#1"]);
}

async fn index_follows_updates_and_deletes(t: &dyn Table) {
    let key = Key::new("APP#1", "APP");
    t.put(item("APP#1", "APP", json!({})).with_index_keys(Index::Gsi1, "QUEUE#submitted", "1"), None)
        .await
        .expect("put");

    t.update(&key, Update::default().set("gsi1pk", "QUEUE#received"), None).await.expect("move queue");
    let old_queue = t.query(Query::index(Index::Gsi1, "QUEUE#submitted")).await.expect("old");
    let new_queue = t.query(Query::index(Index::Gsi1, "QUEUE#received")).await.expect("new");
    assert!(old_queue.items.is_empty());
    assert_eq!(new_queue.items.len(), 1);

    t.delete(&key, None).await.expect("delete");
    assert!(t.query(Query::index(Index::Gsi1, "QUEUE#received")).await.expect("after delete").items.is_empty());
}

async fn transaction_writes_all_operations(t: &dyn Table) {
    t.put(item("APP#1", "APP", json!({"version": 1, "status": "draft"})), None).await.expect("seed");
    t.put(item("APP#1", "OLD", json!({})), None).await.expect("seed");
    t.put(item("USER#1", "PROFILE", json!({})), None).await.expect("seed");

    t.transact_write(vec![
        WriteOp::Update {
            key: Key::new("APP#1", "APP"),
            update: Update::default().set("status", "submitted").add("version", 1),
            condition: Some(Condition::Equals("version".into(), json!(1))),
        },
        WriteOp::Put { item: item("APP#1", "HIST#1", json!({"to": "submitted"})), condition: Some(Condition::Absent) },
        WriteOp::Delete { key: Key::new("APP#1", "OLD"), condition: None },
        WriteOp::Check { key: Key::new("USER#1", "PROFILE"), condition: Condition::Present },
    ])
    .await
    .expect("transaction");

    let page = t.query(Query::partition("APP#1")).await.expect("query");
    assert_eq!(sort_keys(&page.items), ["APP", "HIST#1"]);
    assert_eq!(page.items[0].get("status"), Some(&json!("submitted")));
    assert_eq!(page.items[0].get("version"), Some(&json!(2)));
}

async fn a_failed_condition_cancels_the_whole_transaction(t: &dyn Table) {
    t.put(item("APP#1", "APP", json!({"version": 2})), None).await.expect("seed");

    let result = t
        .transact_write(vec![
            WriteOp::Put { item: item("APP#1", "HIST#1", json!({})), condition: None },
            WriteOp::Update {
                key: Key::new("APP#1", "APP"),
                update: Update::default().add("version", 1),
                condition: Some(Condition::Equals("version".into(), json!(1))),
            },
            WriteOp::Check { key: Key::new("USER#missing", "PROFILE"), condition: Condition::Present },
        ])
        .await;

    match result {
        Err(StoreError::TransactionCanceled { failed_conditions }) => assert_eq!(failed_conditions, [1, 2]),
        other => panic!("expected a cancelled transaction, got {other:?}"),
    }
    assert_eq!(t.get(&Key::new("APP#1", "HIST#1")).await.expect("get"), None, "nothing half-written");
    let app = t.get(&Key::new("APP#1", "APP")).await.expect("get").expect("present");
    assert_eq!(app.get("version"), Some(&json!(2)));
}

async fn a_transaction_touching_one_item_twice_is_refused(t: &dyn Table) {
    let result = t
        .transact_write(vec![
            WriteOp::Put { item: item("APP#1", "APP", json!({})), condition: None },
            WriteOp::Delete { key: Key::new("APP#1", "APP"), condition: None },
        ])
        .await;
    assert!(matches!(result, Err(StoreError::InvalidRequest(_))), "{result:?}");
}

async fn racing_conditional_writes_have_exactly_one_winner(t: &dyn Table) {
    t.put(item("APP#1", "APP", json!({"version": 1})), None).await.expect("seed");
    let key = Key::new("APP#1", "APP");
    let attempts = (0..8).map(|n| {
        let update = Update::default().set("winner", n).add("version", 1);
        t.update(&key, update, Some(Condition::Equals("version".into(), json!(1))))
    });

    let results = futures::future::join_all(attempts).await;

    let winners = results.iter().filter(|r| r.is_ok()).count();
    let losers = results.iter().filter(|r| matches!(r, Err(StoreError::ConditionFailed))).count();
    assert_eq!((winners, losers), (1, 7));
}

async fn a_counter_below_its_bound_is_reserved_and_one_at_the_bound_is_refused(t: &dyn Table) {
    let key = Key::new("APP#1", "COUNTER");
    let reserve = || WriteOp::Update {
        key: key.clone(),
        update: Update::default().add("count", 1),
        condition: Some(Condition::Below("count".into(), 2)),
    };
    let attached = |sk: &str| WriteOp::Put { item: item("APP#1", sk, json!({})), condition: Some(Condition::Absent) };

    t.transact_write(vec![reserve(), attached("DOC#1")]).await.expect("a missing counter counts as zero");
    t.transact_write(vec![reserve(), attached("DOC#2")]).await.expect("1 < 2");
    let refused = t.transact_write(vec![reserve(), attached("DOC#3")]).await;

    assert!(
        matches!(&refused, Err(StoreError::TransactionCanceled { failed_conditions }) if failed_conditions == &[0]),
        "{refused:?}"
    );
    assert_eq!(t.get(&key).await.expect("get").and_then(|i| i.get("count").cloned()), Some(json!(2)));
    assert!(t.get(&Key::new("APP#1", "DOC#3")).await.expect("get").is_none(), "nothing half-written");
    let single = t.update(&key, Update::default().add("count", 1), Some(Condition::Below("count".into(), 2))).await;
    assert!(matches!(single, Err(StoreError::ConditionFailed)), "{single:?}");
}

async fn a_cursor_of_another_list_of_the_partition_is_refused(t: &dyn Table) {
    seed_partition(t).await;
    let documents = Query::partition("APP#1").sort(SortKey::Prefix("DOC#".into())).limit(1);
    let cursor = t.query(documents).await.expect("page").next.expect("more documents");

    let messages = t.query(Query::partition("APP#1").sort(SortKey::Prefix("MSG#".into())).after(Some(cursor))).await;

    assert!(matches!(messages, Err(StoreError::InvalidCursor)), "{messages:?}");
}

/// Instantiates every contract test for one store.
macro_rules! contract_suite {
    ($module:ident, $store:ident: $($test:ident),* $(,)?) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let fixture = super::$store().await;
                    super::$test(fixture.table.as_ref()).await;
                }
            )*
        }
    };
}

macro_rules! both_stores {
    ($($test:ident),* $(,)?) => {
        contract_suite!(embedded, embedded: $($test),*);
        contract_suite!(dynamodb, dynamodb: $($test),*);
    };
}

both_stores!(
    put_then_get_round_trips_every_json_type,
    get_of_a_missing_item_is_none,
    put_if_absent_refuses_to_overwrite,
    put_with_version_condition_is_optimistic,
    equals_condition_fails_on_a_missing_item,
    update_sets_removes_adds_and_returns_the_new_item,
    update_of_a_missing_item_creates_it_unless_a_condition_forbids,
    update_of_a_key_attribute_is_refused,
    conditional_delete,
    query_returns_one_partition_in_sort_key_order,
    query_by_sort_key_prefix_and_range,
    reversed_between_bounds_are_refused,
    query_pages_with_a_cursor_in_both_directions,
    a_cursor_from_another_partition_or_garbage_is_refused,
    secondary_index_queries_and_pages,
    index_follows_updates_and_deletes,
    transaction_writes_all_operations,
    a_failed_condition_cancels_the_whole_transaction,
    a_transaction_touching_one_item_twice_is_refused,
    v3_a_cursor_naming_a_key_with_nul_is_refused,
    a_counter_below_its_bound_is_reserved_and_one_at_the_bound_is_refused,
    a_cursor_of_another_list_of_the_partition_is_refused,
);

// Atomicity under concurrency: the embedded store provides it itself (D2); DynamoDB's own
// guarantee is played by the emulator harness, which serves DynamoDB requests one at a time
// (`infra/emulator/moto_server.py`), so the same race runs on both.
contract_suite!(embedded_concurrency, embedded: racing_conditional_writes_have_exactly_one_winner);
contract_suite!(dynamodb_concurrency, dynamodb: racing_conditional_writes_have_exactly_one_winner);
