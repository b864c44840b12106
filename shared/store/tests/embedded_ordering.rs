//! Property tests of the embedded store's key encoding: whatever the sort keys (any Unicode but
//! NUL), queries return exactly what DynamoDB would — the matching keys in UTF-8 byte order —
//! and paging with any page size visits each item once.

use portal_domain::table::{Item, Key, Query, SortKey, Table};
use portal_store::embedded::EmbeddedTable;
use proptest::prelude::*;

fn sort_key() -> impl Strategy<Value = String> {
    // Short keys over a small alphabet with multi-byte characters, so prefixes collide often.
    proptest::collection::vec(prop_oneof![Just('a'), Just('b'), Just('#'), Just('é'), Just('ÿ'), Just('中')], 1..5)
        .prop_map(|chars| chars.into_iter().collect())
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(future)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn queries_follow_byte_order(keys in proptest::collection::btree_set(sort_key(), 1..30),
                                 prefix in sort_key(), low in sort_key(), high in sort_key(),
                                 page_size in 1u32..7, descending: bool) {
        run(async {
            let dir = tempfile::tempdir().expect("temp dir");
            let table = EmbeddedTable::open(&dir.path().join("t.redb")).expect("open");
            for sk in &keys {
                table.put(Item::new(&Key::new("P", sk.as_str())), None).await.expect("put");
            }
            table.put(Item::new(&Key::new("PP", "a")), None).await.expect("neighbour partition");
            // BTreeSet<String> iterates in byte order, DynamoDB's order for string keys.
            let sorted: Vec<&String> = keys.iter().collect();

            let with_prefix = table.query(Query::partition("P").sort(SortKey::Prefix(prefix.clone()))).await.expect("prefix");
            let expected: Vec<String> = sorted.iter().filter(|k| k.starts_with(prefix.as_str())).map(|k| (*k).clone()).collect();
            prop_assert_eq!(with_prefix.items.iter().map(|i| i.key().sk).collect::<Vec<_>>(), expected);

            let between = table.query(Query::partition("P").sort(SortKey::Between(low.clone(), high.clone()))).await;
            if low <= high {
                let expected: Vec<String> = sorted.iter().filter(|k| low <= ***k && ***k <= high).map(|k| (*k).clone()).collect();
                prop_assert_eq!(between.expect("between").items.iter().map(|i| i.key().sk).collect::<Vec<_>>(), expected);
            } else {
                // DynamoDB refuses reversed bounds; so does the embedded store.
                prop_assert!(between.is_err());
            }

            let mut query = Query::partition("P").limit(page_size);
            query.descending = descending;
            let mut visited = Vec::new();
            loop {
                let page = table.query(query.clone()).await.expect("page");
                visited.extend(page.items.iter().map(|i| i.key().sk));
                match page.next {
                    Some(cursor) => query.after = Some(cursor),
                    None => break,
                }
            }
            let mut expected: Vec<String> = sorted.iter().map(|k| (*k).clone()).collect();
            if descending {
                expected.reverse();
            }
            prop_assert_eq!(visited, expected);
            Ok(())
        })?;
    }
}
