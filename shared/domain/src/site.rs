//! Who runs this deployment, as people see it: the agency's name, the one web address to trust,
//! how to reach support. Set by the deployer (configuration, never code), so a deployment cannot
//! be mistaken for another agency's site; local mode's defaults say plainly that it is a demo.

use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::application_types::Text;

/// The deployment's identity and support contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    /// The agency's name.
    pub agency: Text,
    /// The portal's official address (`https://…`): the only one people should sign in at.
    pub official_url: String,
    /// Support's email address.
    pub support_email: String,
    /// Support's telephone number, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone: Option<String>,
    /// When support answers, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_hours: Option<Text>,
    /// The agency's logo or signature (an image address), shown in the header when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// A demonstration deployment (local mode's default): every page says so.
    pub demo: bool,
}

impl Site {
    /// Local mode's neutral, clearly labelled defaults, served at `official_url`.
    pub fn demo(official_url: String) -> Self {
        Self {
            agency: Text { en: "Demo immigration agency".into(), fr: "Agence d'immigration de démonstration".into() },
            official_url,
            support_email: "support@portal.local".into(),
            support_phone: None,
            support_hours: None,
            logo_url: None,
            demo: true,
        }
    }

    /// The help and support page.
    pub fn help_url(&self) -> String {
        format!("{}/help", self.official_url.trim_end_matches('/'))
    }
}

/// Crockford's base32 alphabet: no I, L, O or U, so a reference read over the telephone is not
/// misheard.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The account's reference number, what a person gives support (`7K3M-Q9TD`): derived from the
/// account's id (40 bits of its SHA-256), short to read out, and never the id itself.
pub fn account_reference(sub: &str) -> String {
    let digest = Sha256::digest(sub.as_bytes());
    let bits = digest[..5].iter().fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
    let characters: String = (0..8).rev().map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char).collect();
    format!("{}-{}", &characters[..4], &characters[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_eight_unambiguous_characters_stable_per_account() {
        let reference = account_reference("0b7c2f1e-4d35-4a8e-9f00-1c2d3e4f5a6b");
        assert_eq!(reference, account_reference("0b7c2f1e-4d35-4a8e-9f00-1c2d3e4f5a6b"));
        assert_ne!(reference, account_reference("another account"));
        assert_eq!(reference.len(), 9);
        assert!(reference.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))), "{reference}");
        // SHA-256("abc") starts ba 78 16 bf 8f (FIPS 180-2 B.1): those 40 bits in base32.
        assert_eq!(account_reference("abc"), "Q9W1-DFWF");
    }
}
