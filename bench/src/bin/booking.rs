//! Booking under contention on the embedded store: 200 applicants asked for biometrics press
//! Book at once on one hot slot of 20 places (exactly 20 bookings, 180 refusals with free slots
//! suggested), against the same 200 booking at once across slots with room for all (every one
//! succeeds). Reported per run and as medians of 7 runs: successful bookings per second, refusals
//! per second, and the hot slot's wall time over the spread one's.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use portal_bench::median;
use portal_domain::application_types::Catalog;
use portal_domain::applications::{Application, Applications, Change};
use portal_domain::appointments::locations::Locations;
use portal_domain::appointments::slots::{Schedule, Slot};
use portal_domain::appointments::{Appointments, BookingError, Service};
use portal_domain::profile::Language;
use portal_domain::status::Command;
use portal_domain::table::Table;
use portal_store::embedded::EmbeddedTable;

const RUNS: usize = 7;
const APPLICANTS: usize = 200;
const PLACES: u32 = 20;
const T0: u64 = 1_800_000_000;

struct Run {
    wall: Duration,
    booked: usize,
    refused: usize,
}

/// A fresh store with `APPLICANTS` applications asked for biometrics, and `slots` published.
async fn fixture(
    dir: &tempfile::TempDir,
    slots: u32,
    capacity: u32,
) -> Result<(Appointments, Vec<Application>, Vec<Slot>)> {
    let table: Arc<dyn Table> = Arc::new(EmbeddedTable::open(&dir.path().join("t.redb"))?);
    let locations = Arc::new(Locations::load()?);
    let applications = Applications::new(Arc::clone(&table));
    let visitor = Catalog::load()?.get("visitor-visa").expect("the visitor visa type").clone();
    let mut asked = Vec::with_capacity(APPLICANTS);
    for n in 0..APPLICANTS {
        let owner = format!("owner-{n}");
        let mut application = applications.create_draft(&owner, &visitor, format!("a{n:04}"), T0).await?;
        for command in [Command::Submit, Command::Receive, Command::RequestBiometrics] {
            let number = (command == Command::Submit).then(|| format!("V{n:09}"));
            let change = Change { number, ..Change::new(command, &owner, application.version, T0) };
            application = applications.change_status(&application, change).await?;
        }
        asked.push(application);
    }
    let ottawa = locations.get("ottawa").expect("ottawa");
    let schedule = Schedule {
        location: ottawa,
        service: Service::Biometrics,
        start: "2027-01-20T09:00",
        minutes: 10,
        capacity,
        count: slots,
    };
    let published = schedule.slots("officer", T0)?;
    let appointments = Appointments::new(table, locations, 24 * 3600);
    appointments.slots().publish(&published).await?;
    Ok((appointments, asked, published))
}

/// Everyone presses Book at once, applicant `n` on slot `n % slots`.
async fn race(appointments: &Appointments, applicants: &[Application], slots: &[Slot]) -> Result<Run> {
    let started = Instant::now();
    let presses = applicants.iter().enumerate().map(|(n, application)| {
        let slot = &slots[n % slots.len()].id;
        appointments.book(application, slot, &application.owner, Language::En, T0 + 1)
    });
    let outcomes = futures::future::join_all(presses).await;
    let wall = started.elapsed();
    let booked = outcomes.iter().filter(|o| o.is_ok()).count();
    let refused = outcomes.iter().filter(|o| matches!(o, Err(BookingError::Full { .. }))).count();
    ensure!(
        booked + refused == applicants.len(),
        "only bookings and full-slot refusals: {:?}",
        outcomes.iter().find(|o| !matches!(o, Ok(_) | Err(BookingError::Full { .. })))
    );
    Ok(Run { wall, booked, refused })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let (mut hot_booked, mut hot_refused, mut spread_booked, mut ratios) = (vec![], vec![], vec![], vec![]);
    for run in 1..=RUNS {
        let dir = tempfile::tempdir()?;
        let (appointments, applicants, slots) = fixture(&dir, 1, PLACES).await?;
        let hot = race(&appointments, &applicants, &slots).await?;
        ensure!(hot.booked == PLACES as usize, "the hot slot took {} bookings for {PLACES} places", hot.booked);
        let dir = tempfile::tempdir()?;
        let (appointments, applicants, slots) = fixture(&dir, 10, 50).await?;
        let spread = race(&appointments, &applicants, &slots).await?;
        ensure!(spread.booked == APPLICANTS, "room for all, yet {} refused", spread.refused);
        let per_second = |count: usize, wall: Duration| count as f64 / wall.as_secs_f64();
        println!(
            "run {run}: hot slot {} booked + {} refused (409) in {:.1} ms; spread {} booked in {:.1} ms",
            hot.booked,
            hot.refused,
            hot.wall.as_secs_f64() * 1e3,
            spread.booked,
            spread.wall.as_secs_f64() * 1e3
        );
        hot_booked.push(per_second(hot.booked, hot.wall));
        hot_refused.push(per_second(hot.refused, hot.wall));
        spread_booked.push(per_second(spread.booked, spread.wall));
        ratios.push(hot.wall.as_secs_f64() / spread.wall.as_secs_f64());
    }
    println!(
        "booking, embedded store, {APPLICANTS} at once, medians of {RUNS}: hot slot of {PLACES} places {:.0} bookings/s and {:.0} refusals/s; spread across slots with room {:.0} bookings/s; hot wall time / spread wall time {:.2}x",
        median(hot_booked),
        median(hot_refused),
        median(spread_booked),
        median(ratios)
    );
    Ok(())
}
