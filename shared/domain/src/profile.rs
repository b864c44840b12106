//! A user's profile: the personal details and preferences the portal keeps beside the identity.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::keys;
use crate::table::{Item, StoreError, Table};

/// One of Canada's official languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

/// The profile item of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Sign-in email address.
    pub email: String,
    /// Given name(s).
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Language of the portal, messages and notifications.
    pub preferred_language: Language,
}

/// Reads and writes profiles in the table.
#[derive(Clone)]
pub struct Profiles {
    table: Arc<dyn Table>,
}

impl Profiles {
    /// Profiles kept in `table`.
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    /// The user's profile, if one was saved.
    pub async fn get(&self, sub: &str) -> Result<Option<Profile>, StoreError> {
        match self.table.get(&keys::profile(sub)).await? {
            Some(item) => Ok(Some(item.to_record()?)),
            None => Ok(None),
        }
    }

    /// Saves the user's profile, replacing the previous one.
    pub async fn put(&self, sub: &str, profile: &Profile) -> Result<(), StoreError> {
        let item = Item::from_record(&keys::profile(sub), profile)?;
        self.table.put(item, None).await
    }
}
