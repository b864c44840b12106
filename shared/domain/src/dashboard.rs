//! The dashboard: one line per application a user holds or represents someone on, kept in their
//! partition (`USER#{sub}` / `APP#{id}`) and read in the order of the `lsi1` index — action
//! required first, then newest change first — one page of at most [`PAGE_SIZE`] lines at a
//! time, so what a dashboard read costs does not grow with how many applications someone has.
//!
//! The owner's line also carries what the application owes (`dueCents`), moved by the writes
//! that owe or pay it: a status change therefore updates the line's fields instead of replacing
//! it, and the amount stays.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::applications::Summary;
use crate::keys;
use crate::paging::{self, PageRequest, Paged};
use crate::representatives::in_force;
use crate::table::{Condition, Index, Item, Key, PK, Query, SK, SortKey, StoreError, Table, Update, WriteOp};

/// Most lines of one dashboard page.
pub const PAGE_SIZE: u32 = 50;

/// The attribute of an owner's line that holds what the application owes, in cents.
const DUE_CENTS: &str = "dueCents";

/// A line as stored: what the dashboard shows, and what is owed.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    #[serde(flatten)]
    summary: Summary,
    #[serde(default)]
    due_cents: i64,
}

/// The line of `summary` on the dashboard of `reader` (its owner, or a representative), owing
/// `due_cents`, placed in the dashboard's order.
pub fn line(reader: &str, summary: &Summary, due_cents: i64) -> Result<Item, StoreError> {
    let line = Line { summary: summary.clone(), due_cents };
    let key = keys::dashboard_entry(reader, &summary.id);
    let order = keys::dashboard_order(summary.action_required, summary.updated_at, &summary.id);
    Ok(Item::from_record(&key, &line)?.with_index_keys(Index::Lsi1, key.pk, order))
}

/// The write that brings the owner's line to `summary` and its place in the order, keeping
/// what is owed on it.
pub fn update_owner_line(owner: &str, summary: &Summary) -> Result<WriteOp, StoreError> {
    let line = line(owner, summary, 0)?;
    let update = line
        .attributes()
        .iter()
        .filter(|(name, _)| ![PK, SK, DUE_CENTS].contains(&name.as_str()))
        .fold(Update::default(), |update, (name, value)| update.set(name.clone(), value.clone()));
    Ok(WriteOp::Update { key: line.key(), update, condition: None })
}

/// The write that says whether the applicant has something to do on `reader`'s line of the
/// application `summary` shows, moving the line in the order: the key, the update and the
/// condition that the line still shows that very change (a later one has the last word).
pub fn set_action_required(reader: &str, summary: &Summary, action_required: bool) -> (Key, Update, Condition) {
    let (_, order_attribute) = Index::Lsi1.key_attributes();
    let order = keys::dashboard_order(action_required, summary.updated_at, &summary.id);
    let update = Update::default().set("actionRequired", action_required).set(order_attribute, order);
    let unchanged = Condition::All(vec![
        Condition::Equals("status".into(), json!(summary.status)),
        Condition::Equals("updatedAt".into(), json!(summary.updated_at)),
    ]);
    (keys::dashboard_entry(reader, &summary.id), update, unchanged)
}

/// The write that moves what the owner's line says is owed by `cents` (up when a fee is owed,
/// down when paid), in the transaction of the change that moves it.
pub fn due_change(owner: &str, application_id: &str, cents: i64) -> WriteOp {
    WriteOp::Update {
        key: keys::dashboard_entry(owner, application_id),
        update: Update::default().add(DUE_CENTS, cents),
        condition: None,
    }
}

/// Whether `summary` is shown on `reader`'s dashboard at `now`: a representative's line only
/// while their grant holds.
fn shown(summary: &Summary, now: u64) -> bool {
    summary.client.as_ref().is_none_or(|client| in_force(client.ends_on.as_deref(), now))
}

/// What a stored line shows.
fn shown_as(line: Line) -> Summary {
    Summary { payment_required: line.due_cents > 0, ..line.summary }
}

/// One page of `reader`'s dashboard at `now`: action required first, then newest change first;
/// a representative's lines whose grant has ended are left out.
pub async fn page(table: &dyn Table, reader: &str, now: u64, page: &PageRequest) -> Result<Paged<Summary>, StoreError> {
    let query = Query::index(Index::Lsi1, keys::user_partition(reader))
        .sort(SortKey::Prefix(keys::DASHBOARD_ORDER_PREFIX.into()));
    let request = PageRequest { limit: page.limit.min(PAGE_SIZE), ..page.clone() };
    let lines: Paged<Line> = paging::read(table, query, &request).await?;
    let items = lines.items.into_iter().map(shown_as).filter(|summary| shown(summary, now)).collect();
    Ok(Paged { items, next: lines.next })
}

/// Every line of `reader`'s dashboard at `now`, for what covers all of someone's applications
/// (their data export, their activity, a firm's clients): read in the partition's own order (by
/// application id), which no change moves, so no line is missed or read twice while the
/// dashboard's order shifts between pages. Only lines placed in that order count.
pub async fn every_line(table: &dyn Table, reader: &str, now: u64) -> Result<Vec<Summary>, StoreError> {
    let lines = Query::partition(keys::user_partition(reader)).sort(SortKey::Prefix(keys::DASHBOARD_PREFIX.into()));
    let summaries = paging::every(|page| {
        let query = lines.clone().limit(page.limit).after(page.after);
        async move {
            let read = table.query(query).await?;
            let placed = read.items.iter().filter(|item| item.index_key(Index::Lsi1).is_some());
            let items = placed.map(|item| item.to_record().map(shown_as)).collect::<Result<_, StoreError>>()?;
            Ok::<_, StoreError>(Paged { items, next: read.next })
        }
    })
    .await?;
    Ok(summaries.into_iter().filter(|summary| shown(summary, now)).collect())
}
