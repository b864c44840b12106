//! A user's profile: the personal details and preferences the portal keeps beside the identity.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::keys;
use crate::table::{Condition, Item, StoreError, Table, Update};

/// One of Canada's official languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

/// The profile item of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// How the user wants to hear about their applications.
    #[serde(default)]
    pub notifications: NotificationPreferences,
}

impl Profile {
    /// The profile of a new account, notified by the default channels.
    pub fn new(email: &Email, given_name: String, family_name: String, preferred_language: Language) -> Self {
        Self {
            email: email.to_string(),
            given_name,
            family_name,
            preferred_language,
            notifications: NotificationPreferences::default(),
        }
    }
}

/// The channels a user is notified through, besides the portal itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPreferences {
    /// Email to the sign-in address.
    pub email: bool,
    /// Text messages to `phone`.
    pub sms: bool,
    /// Mobile number in E.164 form (`+15145550123`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Default for NotificationPreferences {
    /// Email on, text messages off: what every account starts with.
    fn default() -> Self {
        Self { email: true, sms: false, phone: None }
    }
}

/// Whether `phone` is an E.164 number: `+`, a country code not starting with 0, 7 to 15 digits.
pub fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else { return false };
    (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0')
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

    /// Sets the sign-in address of a saved profile, leaving the rest as it is.
    pub async fn set_email(&self, sub: &str, email: &Email) -> Result<(), StoreError> {
        let update = Update::default().set("email", email.as_str());
        self.table.update(&keys::profile(sub), update, Some(Condition::Present)).await.map(drop)
    }

    /// Saves the user's profile, replacing the previous one.
    pub async fn put(&self, sub: &str, profile: &Profile) -> Result<(), StoreError> {
        let item = Item::from_record(&keys::profile(sub), profile)?;
        self.table.put(item, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_e164() {
        assert!(is_e164("+15145550123"));
        assert!(is_e164("+33612345678"));
        for bad in ["5145550123", "+0145550123", "+1 514 555 0123", "+1514", "+1234567890123456", "+"] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn profiles_saved_before_preferences_existed_get_the_defaults() {
        let stored = serde_json::json!({"email": "a@example.ca", "givenName": "A", "familyName": "B",
                                        "preferredLanguage": "fr"});
        let profile: Profile = serde_json::from_value(stored).expect("profile");
        assert_eq!(profile.notifications, NotificationPreferences::default());
    }
}
