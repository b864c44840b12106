//! Slots: times officers publish at a location for one service, each with a capacity (how many
//! people it takes). A slot is one item; its `booked` count only moves by conditional writes
//! (below its capacity, while open), so no place is ever given twice (B1).
//!
//! Officers publish in the location's local time (`2026-12-05T09:00`, what a
//! `datetime-local` field gives); the slot keeps UTC seconds and is shown back in the location's
//! time zone with its offset, so a daylight-saving change moves nothing: a day's schedule is laid
//! out in wall-clock steps, and a local time that does not exist that day (the spring-forward
//! hour) is refused rather than guessed. An ambiguous one (the fall-back hour) is its first
//! occurrence.
//!
//! Items: `SLOT#{slotId}` / `SLOT`, in `gsi1` as `SLOTS#{location}#{service}` /
//! `{start:010}#{slotId}` (a location's slots of a service in time order).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Service;
use super::locations::Location;
use crate::ids::SlotId;
use crate::keys;
use crate::paging::{self, PageRequest, Paged};
use crate::table::{Condition, Index, Item, Query, SortKey, StoreError, Table, Update};

/// Shortest and longest slot, in minutes.
pub const MINUTES: std::ops::RangeInclusive<u32> = 5..=240;
/// Most people one slot takes.
pub const MAX_CAPACITY: u32 = 50;
/// Most slots published at once (a day's schedule of 10-minute slots).
pub const MAX_SLOTS_AT_ONCE: u32 = 60;
/// Most days one listing covers (both ends included).
pub const MAX_DAYS_LISTED: i64 = 62;
/// How far ahead slots may be published: a year and a bit.
pub const MAX_SECONDS_AHEAD: u64 = 400 * 86_400;

/// Whether a slot takes bookings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SlotState {
    /// Open for booking while places remain.
    Open,
    /// Closed by an officer: no new booking (those made stay).
    Closed,
}

/// A slot, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    /// Its id (a UUID).
    pub id: String,
    /// The location's code.
    pub location: String,
    /// What it is for.
    pub service: Service,
    /// When it starts (seconds since the epoch, UTC).
    pub start: u64,
    /// How long it lasts.
    pub minutes: u32,
    /// How many people it takes.
    pub capacity: u32,
    /// How many are booked: never above the capacity.
    pub booked: u32,
    /// Whether it takes bookings.
    pub state: SlotState,
    /// Who published it (`sub`).
    pub published_by: String,
}

impl Slot {
    /// When it ends.
    pub fn end(&self) -> u64 {
        self.start + u64::from(self.minutes) * 60
    }

    /// Places left.
    pub fn remaining(&self) -> u32 {
        self.capacity.saturating_sub(self.booked)
    }

    /// Whether someone may book it at `now`.
    pub fn bookable(&self, now: u64) -> bool {
        self.state == SlotState::Open && self.remaining() > 0 && self.start > now
    }

    pub(crate) fn item(&self) -> Result<Item, StoreError> {
        let index_pk = keys::slots_of(&self.location, self.service.code());
        let index_sk = keys::slot_order(self.start, &self.id);
        Ok(Item::from_record(&keys::slot(&self.id), self)?.with_index_keys(Index::Gsi1, index_pk, index_sk))
    }

    /// The write that takes one place: only while open and below capacity.
    pub(crate) fn take_place(&self) -> crate::table::WriteOp {
        crate::table::WriteOp::Update {
            key: keys::slot(&self.id),
            update: Update::default().add("booked", 1),
            condition: Some(Condition::All(vec![
                Condition::Present,
                Condition::Equals("state".into(), json!(SlotState::Open)),
                Condition::Below("booked".into(), i64::from(self.capacity)),
            ])),
        }
    }
}

/// The write that gives back a place of slot `id` (a booking names its slot: nothing to read).
pub(crate) fn free_place(id: &str) -> crate::table::WriteOp {
    crate::table::WriteOp::Update {
        key: keys::slot(id),
        update: Update::default().add("booked", -1),
        condition: Some(Condition::Present),
    }
}

/// A slot as the API shows it: its times in UTC and in the location's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    /// Its id.
    #[schemars(with = "SlotId")]
    pub id: String,
    /// The location's code.
    pub location: String,
    /// What it is for.
    pub service: Service,
    /// When it starts (seconds since the epoch).
    pub start: u64,
    /// When it ends.
    pub end: u64,
    /// Its start in the location's time, with the offset (`2026-12-05T09:00:00-05:00`).
    pub start_local: String,
    /// The location's time zone.
    pub time_zone: String,
    /// How long it lasts.
    pub minutes: u32,
    /// How many people it takes.
    pub capacity: u32,
    /// Places left.
    pub remaining: u32,
    /// Whether it takes bookings.
    pub state: SlotState,
}

impl SlotView {
    /// The view of `slot` at `location`.
    pub fn of(slot: &Slot, location: &Location) -> Self {
        Self {
            id: slot.id.clone(),
            location: slot.location.clone(),
            service: slot.service,
            start: slot.start,
            end: slot.end(),
            start_local: local_text(location.tz(), slot.start),
            time_zone: location.time_zone.clone(),
            minutes: slot.minutes,
            capacity: slot.capacity,
            remaining: slot.remaining(),
            state: slot.state,
        }
    }
}

/// A time in `tz`, with its offset (RFC 3339).
pub fn local_text(tz: Tz, seconds: u64) -> String {
    let at = i64::try_from(seconds).ok().and_then(|s| DateTime::from_timestamp(s, 0)).unwrap_or_default();
    at.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// What an officer publishes: `count` slots one after the other from `start`, local time.
#[derive(Clone, Debug)]
pub struct Schedule<'a> {
    /// Where.
    pub location: &'a Location,
    /// For what.
    pub service: Service,
    /// The first slot's start, local time (`2026-12-05T09:00`).
    pub start: &'a str,
    /// Each slot's length.
    pub minutes: u32,
    /// Each slot's capacity.
    pub capacity: u32,
    /// How many slots.
    pub count: u32,
}

/// Why slots were not published, by the field at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The location does not offer the service.
    #[error("service: not offered at this location")]
    NotOffered,
    /// `start` is not a local date and time.
    #[error("start: not a date and time")]
    NotATime,
    /// A slot would start at a local time that does not exist that day (daylight saving).
    #[error("start: does not exist in the location's time zone that day")]
    NonexistentTime,
    /// A slot would start in the past.
    #[error("start: in the past")]
    Past,
    /// A slot would start too far ahead.
    #[error("start: too far ahead")]
    TooFar,
    /// A slot would begin before the one before it ends (the clocks went forward meanwhile).
    #[error("start: the slots would overlap")]
    Overlap,
    /// `minutes` out of range.
    #[error("minutes: out of range")]
    Minutes,
    /// `capacity` out of range.
    #[error("capacity: out of range")]
    Capacity,
    /// `count` out of range.
    #[error("count: out of range")]
    Count,
}

impl ScheduleError {
    /// The request field at fault and its code.
    pub fn field(self) -> (&'static str, &'static str) {
        match self {
            ScheduleError::NotOffered => ("service", "not-offered"),
            ScheduleError::NotATime => ("start", "invalid"),
            ScheduleError::NonexistentTime => ("start", "nonexistent-local-time"),
            ScheduleError::Past => ("start", "past"),
            ScheduleError::TooFar => ("start", "too-far"),
            ScheduleError::Overlap => ("start", "overlapping-slots"),
            ScheduleError::Minutes => ("minutes", "out-of-range"),
            ScheduleError::Capacity => ("capacity", "out-of-range"),
            ScheduleError::Count => ("count", "out-of-range"),
        }
    }
}

/// UTC seconds of a local time in `tz`: the first of an ambiguous pair, none in a gap.
fn to_utc(tz: Tz, local: NaiveDateTime) -> Result<u64, ScheduleError> {
    let at = match tz.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at,
        LocalResult::None => return Err(ScheduleError::NonexistentTime),
    };
    u64::try_from(at.timestamp()).map_err(|_| ScheduleError::NotATime)
}

/// The start of local day `date` in `tz` (midnight, or the first instant after a gap).
pub fn start_of_day(tz: Tz, date: NaiveDate) -> u64 {
    let mut local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Ok(at) = to_utc(tz, local) {
            return at;
        }
        local += Duration::minutes(30);
    }
    0
}

impl Schedule<'_> {
    /// The slots it makes, published by `officer` at `now`.
    pub fn slots(&self, officer: &str, now: u64) -> Result<Vec<Slot>, ScheduleError> {
        if !self.location.offers(self.service) {
            return Err(ScheduleError::NotOffered);
        }
        if !MINUTES.contains(&self.minutes) {
            return Err(ScheduleError::Minutes);
        }
        if !(1..=MAX_CAPACITY).contains(&self.capacity) {
            return Err(ScheduleError::Capacity);
        }
        if !(1..=MAX_SLOTS_AT_ONCE).contains(&self.count) {
            return Err(ScheduleError::Count);
        }
        let first =
            NaiveDateTime::parse_from_str(self.start.trim(), "%Y-%m-%dT%H:%M").map_err(|_| ScheduleError::NotATime)?;
        // chrono also reads signed six-digit years: far beyond any schedule.
        if !(2000..=9998).contains(&chrono::Datelike::year(&first)) {
            return Err(ScheduleError::TooFar);
        }
        let tz = self.location.tz();
        let mut previous_end = 0;
        (0..self.count)
            .map(|n| {
                let step = Duration::minutes(i64::from(n * self.minutes));
                let local = first.checked_add_signed(step).ok_or(ScheduleError::TooFar)?;
                let start = to_utc(tz, local)?;
                if start <= now {
                    return Err(ScheduleError::Past);
                }
                if start > now.saturating_add(MAX_SECONDS_AHEAD) {
                    return Err(ScheduleError::TooFar);
                }
                // Wall-clock steps across a spring-forward change would overlap in real time.
                if start < previous_end {
                    return Err(ScheduleError::Overlap);
                }
                previous_end = start + u64::from(self.minutes) * 60;
                Ok(Slot {
                    id: uuid::Uuid::now_v7().to_string(),
                    location: self.location.code.clone(),
                    service: self.service,
                    start,
                    minutes: self.minutes,
                    capacity: self.capacity,
                    booked: 0,
                    state: SlotState::Open,
                    published_by: officer.to_owned(),
                })
            })
            .collect()
    }
}

/// Reads and writes slots.
#[derive(Clone)]
pub struct Slots<'a> {
    table: &'a dyn Table,
}

impl<'a> Slots<'a> {
    /// Slots kept in `table`.
    pub fn new(table: &'a dyn Table) -> Self {
        Self { table }
    }

    /// Publishes `slots` (each one its own item: a schedule is at most a day's).
    pub async fn publish(&self, slots: &[Slot]) -> Result<(), StoreError> {
        for slot in slots {
            self.table.put(slot.item()?, Some(Condition::Absent)).await?;
        }
        Ok(())
    }

    /// The slot `id`, if it exists.
    pub async fn get(&self, id: &str) -> Result<Option<Slot>, StoreError> {
        self.table.get(&keys::slot(id)).await?.map(|item| item.to_record()).transpose()
    }

    /// Closes a slot to new bookings; `None` when there is no such slot.
    pub async fn close(&self, id: &str) -> Result<Option<Slot>, StoreError> {
        let update = Update::default().set("state", json!(SlotState::Closed));
        match self.table.update(&keys::slot(id), update, Some(Condition::Present)).await {
            Ok(_) => self.get(id).await,
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// A page of the location's slots of `service` starting from `from` to `to` (UTC seconds,
    /// both included), in time order.
    pub async fn between(
        &self,
        location: &str,
        service: Service,
        from: u64,
        to: u64,
        page: &PageRequest,
    ) -> Result<Paged<Slot>, StoreError> {
        let query = Query::index(Index::Gsi1, keys::slots_of(location, service.code()))
            .sort(SortKey::Between(keys::slot_order_bound(from), format!("{}~", keys::slot_order_bound(to))));
        paging::read(self.table, query, page).await
    }

    /// A few slots of the same location and service, from `slot`'s start on, that may still be
    /// booked at `now`: what a refusal for a full slot suggests instead.
    pub async fn next_free(&self, slot: &Slot, now: u64, how_many: usize) -> Result<Vec<Slot>, StoreError> {
        let from = slot.start.max(now);
        let fortnight = from + 14 * 86_400;
        let page = PageRequest::new(paging::MAX_ITEMS, None);
        let found = self.between(&slot.location, slot.service, from, fortnight, &page).await?;
        Ok(found.items.into_iter().filter(|s| s.id != slot.id && s.bookable(now)).take(how_many).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appointments::locations::Locations;

    /// Now, in these tests: 2026-11-18, so the 2027 slots below are within the year ahead.
    const NOW: u64 = 1_795_000_000;

    fn schedule<'a>(location: &'a Location, start: &'a str, count: u32) -> Schedule<'a> {
        Schedule { location, service: Service::Biometrics, start, minutes: 30, capacity: 3, count }
    }

    #[test]
    fn a_day_s_schedule_is_laid_out_in_local_wall_clock_steps_across_daylight_saving() {
        let locations = Locations::load().expect("locations");
        let ottawa = locations.get("ottawa").expect("ottawa");
        // 2027-03-14: clocks in Toronto go from 02:00 to 03:00. 00:30, 01:00, 01:30 exist; 02:00 does not.
        let refused = schedule(ottawa, "2027-03-14T00:30", 4).slots("o", NOW);
        assert_eq!(refused, Err(ScheduleError::NonexistentTime));
        let slots = schedule(ottawa, "2027-03-14T03:00", 2).slots("o", NOW).expect("slots");
        assert_eq!(local_text(ottawa.tz(), slots[0].start), "2027-03-14T03:00:00-04:00");
        assert_eq!(local_text(ottawa.tz(), slots[1].start), "2027-03-14T03:30:00-04:00");
        // The winter offset before the change: 09:00 is 14:00 UTC.
        let winter = schedule(ottawa, "2027-03-13T09:00", 1).slots("o", NOW).expect("slots");
        assert_eq!(winter[0].start % 86_400, 14 * 3600);
        // 2027-11-07: 01:30 happens twice; the first (daylight time, -04:00) is taken.
        let fold = schedule(ottawa, "2027-11-07T01:30", 1).slots("o", NOW).expect("slots");
        assert_eq!(local_text(ottawa.tz(), fold[0].start), "2027-11-07T01:30:00-04:00");
        // A half-hour zone.
        let st_johns = locations.get("st-johns").expect("st-johns");
        let slot = schedule(st_johns, "2027-01-10T09:00", 1).slots("o", NOW).expect("slots");
        assert_eq!(local_text(st_johns.tz(), slot[0].start), "2027-01-10T09:00:00-03:30");
    }

    #[test]
    fn what_officers_publish_is_checked_field_by_field() {
        let locations = Locations::load().expect("locations");
        let halifax = locations.get("halifax").expect("halifax");
        let interview = Schedule { service: Service::Interview, ..schedule(halifax, "2027-01-10T09:00", 1) };
        assert_eq!(interview.slots("o", NOW), Err(ScheduleError::NotOffered));
        assert_eq!(schedule(halifax, "10 January", 1).slots("o", NOW), Err(ScheduleError::NotATime));
        assert_eq!(schedule(halifax, "2027-01-10T09:00", 0).slots("o", NOW), Err(ScheduleError::Count));
        assert_eq!(schedule(halifax, "2027-01-10T09:00", 61).slots("o", NOW), Err(ScheduleError::Count));
        let long = Schedule { minutes: 241, ..schedule(halifax, "2027-01-10T09:00", 1) };
        assert_eq!(long.slots("o", NOW), Err(ScheduleError::Minutes));
        let crowded = Schedule { capacity: 51, ..schedule(halifax, "2027-01-10T09:00", 1) };
        assert_eq!(crowded.slots("o", NOW), Err(ScheduleError::Capacity));
        assert_eq!(schedule(halifax, "2027-01-10T09:00", 1).slots("o", u64::MAX / 2), Err(ScheduleError::Past));
        assert_eq!(schedule(halifax, "2028-06-01T09:00", 1).slots("o", NOW), Err(ScheduleError::TooFar));
        assert_eq!(schedule(halifax, "+262142-12-31T23:30", 2).slots("o", NOW), Err(ScheduleError::TooFar));
    }

    #[test]
    fn a_schedule_across_the_spring_forward_change_never_overlaps_in_real_time() {
        let locations = Locations::load().expect("locations");
        let ottawa = locations.get("ottawa").expect("ottawa");
        // 01:30 EST for 90 minutes ends at 04:00 EDT; the next wall-clock step, 03:00 EDT, is inside it.
        let across = Schedule { minutes: 90, ..schedule(ottawa, "2027-03-14T01:30", 2) };
        assert_eq!(across.slots("o", NOW), Err(ScheduleError::Overlap));
        let after = Schedule { minutes: 90, ..schedule(ottawa, "2027-03-14T04:00", 2) };
        assert_eq!(after.slots("o", NOW).map(|s| s.len()), Ok(2));
    }

    #[test]
    fn a_local_day_starts_at_its_local_midnight() {
        let tz = chrono_tz::America::Vancouver;
        let date = NaiveDate::from_ymd_opt(2027, 1, 10).expect("date");
        assert_eq!(local_text(tz, start_of_day(tz, date)), "2027-01-10T00:00:00-08:00");
    }
}
