//! Recovery codes (`portal_domain::recovery`) on both stores, the embedded one and DynamoDB on
//! moto: a code given 50 times at once works once, and a set issued voids the one before, even
//! against a use of it arriving at the same time.

use std::sync::Arc;

use portal_domain::clock::SystemClock;
use portal_domain::recovery::{CODES_PER_SET, RecoveryCodes};
use portal_domain::table::Table;
use portal_store::dynamodb::DynamoTable;
use portal_store::embedded::EmbeddedTable;

const SUB: &str = "user-1";
const CONCURRENT: usize = 50;

async fn embedded() -> (RecoveryCodes, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let table: Arc<dyn Table> = Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store"));
    (RecoveryCodes::new(table, Arc::new(SystemClock)), dir)
}

async fn dynamodb() -> RecoveryCodes {
    let config = portal_emulator::sdk_config().await.expect("moto emulator");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = portal_emulator::unique_name("recovery");
    portal_emulator::create_table_from_template(&client, &name).await.expect("create table");
    RecoveryCodes::new(Arc::new(DynamoTable::new(client, name)), Arc::new(SystemClock))
}

async fn a_code_given_at_once_works_once(codes: RecoveryCodes) {
    let set = codes.issue(SUB).await.expect("issued");
    assert_eq!((set.len(), codes.remaining(SUB).await.expect("count")), (CODES_PER_SET, CODES_PER_SET));
    let code = set[0].clone();
    let tries: Vec<_> = (0..CONCURRENT)
        .map(|_| {
            let (codes, code) = (codes.clone(), code.clone());
            tokio::spawn(async move { codes.redeem(SUB, &code).await })
        })
        .collect();
    let mut worked = 0;
    for task in tries {
        if task.await.expect("task").expect("redeemed or refused") {
            worked += 1;
        }
    }
    assert_eq!(worked, 1, "one use of one code, however many arrive at once");
    assert_eq!(codes.remaining(SUB).await.expect("count"), CODES_PER_SET - 1);
}

async fn a_new_set_voids_the_old(codes: RecoveryCodes) {
    let old = codes.issue(SUB).await.expect("issued");
    // A use of an old code racing the new set: either it works before the set is replaced, or
    // it is refused; the old set never works after.
    let racing = {
        let (codes, code) = (codes.clone(), old[1].clone());
        tokio::spawn(async move { codes.redeem(SUB, &code).await })
    };
    let new = codes.issue(SUB).await.expect("issued");
    racing.await.expect("task").expect("redeemed or refused");
    for code in &old {
        assert!(!codes.redeem(SUB, code).await.expect("refused"), "an old code after a new set");
    }
    assert_eq!(codes.remaining(SUB).await.expect("count"), CODES_PER_SET);
    assert!(codes.redeem(SUB, &new[0]).await.expect("redeemed"));
    codes.void(SUB).await.expect("voided");
    assert!(!codes.redeem(SUB, &new[1]).await.expect("refused"), "a voided set");
    assert_eq!(codes.remaining(SUB).await.expect("count"), 0);
}

#[tokio::test]
async fn a_code_given_at_once_works_once_embedded() {
    let (codes, _dir) = embedded().await;
    a_code_given_at_once_works_once(codes).await;
}

#[tokio::test]
async fn a_code_given_at_once_works_once_dynamodb() {
    a_code_given_at_once_works_once(dynamodb().await).await;
}

#[tokio::test]
async fn a_new_set_voids_the_old_embedded() {
    let (codes, _dir) = embedded().await;
    a_new_set_voids_the_old(codes).await;
}

#[tokio::test]
async fn a_new_set_voids_the_old_dynamodb() {
    a_new_set_voids_the_old(dynamodb().await).await;
}
