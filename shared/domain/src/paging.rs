//! Pages of lists (D6): every list the API answers is read one page at a time, at most
//! [`MAX_ITEMS`] items and [`MAX_BYTES`] of JSON, with a cursor to the rest, so no answer grows
//! with a case's history (Lambda refuses responses over 6 MB).
//!
//! The byte cap is enforced, not assumed: a message may hold 5,000 characters, which is up to
//! 20 kB of UTF-8 and up to 30 kB once JSON escapes control characters (`\u0000` is six bytes
//! for one), so 100 of them could reach 3 MB. A page therefore stops at the item that would take
//! it past its byte budget, and its cursor resumes right after the last item it holds.

use schemars::JsonSchema;
use serde::Serialize;

use crate::table::{Cursor, Item, Query, StoreError, Table, last_key};

/// Most items in one page.
pub const MAX_ITEMS: u32 = 100;
/// Most bytes of JSON in one page, envelope included.
pub const MAX_BYTES: usize = 1_000_000;
/// What the envelope around the items may take (`{"items":[…],"nextCursor":"…"}` and whatever
/// else an answer carries beside one page): cursors are a few hundred bytes.
const ENVELOPE_BYTES: usize = 8 * 1024;

/// Which page of a list to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// Most items (1 to [`MAX_ITEMS`]).
    pub limit: u32,
    /// Most bytes of the items' JSON.
    pub bytes: usize,
    /// Continue after the page that ended here.
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// The first page, as large as a page may be.
    pub fn first() -> Self {
        Self { limit: MAX_ITEMS, bytes: MAX_BYTES - ENVELOPE_BYTES, after: None }
    }

    /// A page of up to `limit` items (clamped to 1..=[`MAX_ITEMS`]) after `after`.
    pub fn new(limit: u32, after: Option<Cursor>) -> Self {
        Self { limit: limit.clamp(1, MAX_ITEMS), after, ..Self::first() }
    }

    /// A smaller first page, for answers that hold several lists side by side (the case view).
    pub fn preview(limit: u32, bytes: usize) -> Self {
        Self { limit: limit.clamp(1, MAX_ITEMS), bytes: bytes.min(MAX_BYTES - ENVELOPE_BYTES), after: None }
    }
}

/// One page of a list: the items and, when there may be more, where the next page starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Paged<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` at the end of the list.
    pub next: Option<Cursor>,
}

impl<T> Paged<T> {
    /// The same page with each item transformed (a party's view of it).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

/// One page of a list as the API answers it (D6): its items and, when there are more, the
/// cursor of the next page.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "PageOf{T}")]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Give it back as `?cursor=` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

impl<T> From<Paged<T>> for Page<T> {
    fn from(page: Paged<T>) -> Self {
        Self { items: page.items, next_cursor: page.next.map(|cursor| cursor.as_str().to_owned()) }
    }
}

impl<T> Page<T> {
    /// The same page with each item turned into what the caller may see.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

/// The JSON size of one item as a page holds it (with the comma that separates it).
pub fn json_size<T: Serialize>(value: &T) -> Result<usize, StoreError> {
    serde_json::to_vec(value)
        .map(|bytes| bytes.len() + 1)
        .map_err(|e| StoreError::InvalidRequest(format!("item does not serialize: {e}")))
}

/// Reads one page of `query` as records of `T`, within the request's item and byte limits.
pub async fn read<T: Serialize + serde::de::DeserializeOwned>(
    table: &dyn Table,
    query: Query,
    request: &PageRequest,
) -> Result<Paged<T>, StoreError> {
    let index = query.index;
    let page = table.query(query.limit(request.limit).after(request.after.clone())).await?;
    let mut items = Vec::with_capacity(page.items.len());
    let mut bytes = 0;
    let mut last: Option<&Item> = None;
    for item in &page.items {
        let record: T = item.to_record()?;
        bytes += json_size(&record)?;
        if bytes > request.bytes
            && let Some(last) = last
        {
            return Ok(Paged { items, next: Some(Cursor::from_last_key(&last_key(last, index))) });
        }
        items.push(record);
        last = Some(item);
    }
    Ok(Paged { items, next: page.next })
}

/// Every item of a list, reading page after page: only for what is complete by nature (the data
/// export, the lines of someone's dashboard behind it); every answer the API gives is one page.
pub async fn every<T, E, F, Fut>(mut read_page: F) -> Result<Vec<T>, E>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Paged<T>, E>>,
{
    let mut items = Vec::new();
    let mut page = PageRequest::first();
    loop {
        let read = read_page(page.clone()).await?;
        items.extend(read.items);
        match read.next {
            Some(next) => page.after = Some(next),
            None => return Ok(items),
        }
    }
}
