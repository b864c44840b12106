//! Where appointments happen: service points in Canada and visa application centres abroad, as
//! data (`data/appointment-locations.json`, embedded like the application types), each with its
//! name and address in both languages, its IANA time zone (every time of a slot is shown in it),
//! its accessibility notes and the services it offers.

use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Service;
use crate::application_types::Text;

/// The embedded data file.
const DATA: &str = include_str!("../../data/appointment-locations.json");

/// One place where appointments are held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Location {
    /// Its code (`ottawa`).
    pub code: String,
    /// Its name.
    pub name: Text,
    /// Its street address.
    pub address: Text,
    /// Its IANA time zone (`America/Toronto`): the times of its slots are its local times.
    pub time_zone: String,
    /// What to know about access (entrances, help on site).
    pub accessibility: Text,
    /// What it offers.
    pub services: Vec<Service>,
}

impl Location {
    /// Its time zone (checked when the data is loaded).
    pub fn tz(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }

    /// Whether it offers `service`.
    pub fn offers(&self, service: Service) -> bool {
        self.services.contains(&service)
    }
}

/// The data file is not what the portal expects.
#[derive(Debug, thiserror::Error)]
#[error("appointment locations: {0}")]
pub struct LocationsError(String);

/// Every location.
#[derive(Clone, Debug)]
pub struct Locations {
    all: Vec<Location>,
}

impl Locations {
    /// Loads and checks the embedded data: codes well formed and unique, time zones known,
    /// every location offering something.
    pub fn load() -> Result<Self, LocationsError> {
        let all: Vec<Location> = serde_json::from_str(DATA).map_err(|e| LocationsError(e.to_string()))?;
        let mut codes = std::collections::BTreeSet::new();
        for location in &all {
            let fail = |problem: &str| LocationsError(format!("{}: {problem}", location.code));
            if crate::ids::TypeCode::parse(&location.code).is_err() {
                return Err(fail("code must be lowercase letters, digits and hyphens"));
            }
            if !codes.insert(location.code.clone()) {
                return Err(fail("code used twice"));
            }
            if location.time_zone.parse::<Tz>().is_err() {
                return Err(fail("unknown time zone"));
            }
            if location.services.is_empty() {
                return Err(fail("offers no service"));
            }
        }
        Ok(Self { all })
    }

    /// Every location, in the file's order (Canada first).
    pub fn all(&self) -> &[Location] {
        &self.all
    }

    /// One location.
    pub fn get(&self, code: &str) -> Option<&Location> {
        self.all.iter().find(|location| location.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeded_locations_load_with_their_time_zones_in_canada_and_abroad() {
        let locations = Locations::load().expect("locations");
        assert!(locations.all().len() >= 8);
        let ottawa = locations.get("ottawa").expect("ottawa");
        assert_eq!(ottawa.tz(), chrono_tz::America::Toronto);
        assert!(ottawa.offers(Service::Biometrics) && ottawa.offers(Service::Interview));
        assert!(locations.all().iter().any(|l| l.address.en.ends_with("Canada")));
        assert!(locations.all().iter().any(|l| !l.address.en.ends_with("Canada")), "some abroad");
        // A half-hour zone is among them.
        assert_eq!(locations.get("st-johns").map(Location::tz), Some(chrono_tz::America::St_Johns));
    }
}
