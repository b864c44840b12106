//! Lambda entry point of the appointments area. Clients and the locations are loaded once.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_api::routes::Area;
use portal_appointments::AppointmentsState;
use portal_domain::appointments::DEFAULT_CUTOFF_SECONDS;
use portal_domain::appointments::locations::Locations;
use portal_domain::clock::SystemClock;
use portal_store::aws::AwsClients;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::Appointments.routes() }, async || {
        let env = Environment::process();
        let config = TableConfig::from_env(&env)?;
        let cutoff_hours = env.parsed_or("APPOINTMENT_CUTOFF_HOURS", DEFAULT_CUTOFF_SECONDS / 3600)?;
        let table = Arc::new(AwsClients::load().await?.table(config.table_name));
        let locations = Arc::new(Locations::load()?);
        let state = AppointmentsState::new(table, locations, cutoff_hours * 3600, Arc::new(SystemClock));
        Ok(portal_appointments::router(state)?)
    })
    .await
}
