//! Typed ids: what a caller names in a URL or a query is parsed into one of these at the edge
//! ("parse, don't validate"), so nothing a caller typed reaches a store key unchecked. A value
//! that is not a well-formed id names nothing, and the embedded store refuses NUL in keys.
//!
//! Each id derefs to its text, the form its keys are built from.

use std::fmt;
use std::ops::Deref;

use schemars::JsonSchema;
use serde::Deserialize;

/// A value that is not a well-formed id of its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {0}")]
pub struct InvalidId(&'static str);

/// Longest application type code.
const MAX_TYPE_CODE_CHARS: usize = 64;

/// The text an application number is read from, as [`application_number`] accepts it: its
/// schema (a letter and nine digits, spaces around allowed).
#[derive(JsonSchema)]
#[schemars(transparent)]
#[expect(dead_code, reason = "only its schema is read")]
struct ApplicationNumberText(#[schemars(regex(pattern = r"^\s*[A-Za-z][0-9]{9}\s*$"))] String);

/// The text of an application type code, as [`type_code`] accepts it: its schema.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[expect(dead_code, reason = "only its schema is read")]
struct TypeCodeText(#[schemars(regex(pattern = r"^[a-z0-9-]+$"), length(min = 1, max = MAX_TYPE_CODE_CHARS))] String);

/// Longest passkey credential id, as base64url text (WebAuthn allows 1023 bytes).
const MAX_CREDENTIAL_ID_CHARS: usize = 1364;

/// The text of a passkey's credential id, as [`credential_id`] accepts it: its schema.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[expect(dead_code, reason = "only its schema is read")]
struct CredentialIdText(
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-]+$"), length(min = 1, max = MAX_CREDENTIAL_ID_CHARS))] String,
);

/// A credential id as base64url without padding, as we hand them out.
fn credential_id(candidate: &str) -> Option<String> {
    let well_formed = !candidate.is_empty()
        && candidate.len() <= MAX_CREDENTIAL_ID_CHARS
        && candidate.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    well_formed.then(|| candidate.to_owned())
}

/// The text of a UUID exactly as we hand them out (lowercase, hyphenated), and nothing else:
/// no braces, URNs, capitals or surrounding text.
fn canonical_uuid(candidate: &str) -> Option<String> {
    let uuid = uuid::Uuid::try_parse(candidate).ok()?;
    let text = uuid.hyphenated().to_string();
    (text == candidate).then_some(text)
}

/// An application number: the type's capital letter and nine digits (`W123456789`), as printed
/// on paper; spaces around it and lowercase are forgiven.
fn application_number(candidate: &str) -> Option<String> {
    let number = candidate.trim().to_ascii_uppercase();
    let mut chars = number.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.as_str().len() == 9
        && chars.all(|c| c.is_ascii_digit());
    well_formed.then_some(number)
}

/// An application type code: lowercase letters, digits and hyphens (`visitor-visa`).
fn type_code(candidate: &str) -> Option<String> {
    let well_formed = !candidate.is_empty()
        && candidate.len() <= MAX_TYPE_CODE_CHARS
        && candidate.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    well_formed.then(|| candidate.to_owned())
}

/// Declares an id type: its name, what it is called in errors, the function that turns a
/// candidate into its canonical text, and the type whose schema describes the text it accepts
/// (`uuid::Uuid` for UUIDs: `format: uuid`).
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $parse:path, $schema:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
        #[serde(try_from = "String")]
        #[schemars(with = $schema)]
        pub struct $name(String);

        impl $name {
            /// Parses a candidate; anything else is refused.
            pub fn parse(candidate: &str) -> Result<Self, InvalidId> {
                $parse(candidate).map(Self).ok_or(InvalidId($what))
            }

            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Stored records keep ids as text: compare with them directly.
        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

typed_id!(
    /// An application's id (a UUID).
    ApplicationId,
    "application id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// A document's id (a UUID).
    DocumentId,
    "document id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// A message's id (a UUID).
    MessageId,
    "message id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// A payment's id (a UUID).
    PaymentId,
    "payment id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// An appointment's id (a UUID).
    AppointmentId,
    "appointment id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// An appointment slot's id (a UUID).
    SlotId,
    "slot id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// A user's id (`sub`: a UUID in Cognito and in local mode).
    UserId,
    "user id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// An invitation's id (a UUID).
    InvitationId,
    "invitation id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// A firm's id (a UUID).
    FirmId,
    "firm id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// An appointment location's code (`ottawa`).
    LocationCode,
    "location code",
    type_code,
    "TypeCodeText"
);
typed_id!(
    /// An in-app notification's id: the id of its event (a UUID).
    NotificationId,
    "notification id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// An application's number, given at submission or printed on a paper application.
    ApplicationNumber,
    "application number",
    application_number,
    "ApplicationNumberText"
);
typed_id!(
    /// A session's id (the `origin_jti` of its tokens: a UUID, in both modes).
    SessionId,
    "session id",
    canonical_uuid,
    "uuid::Uuid"
);
typed_id!(
    /// A passkey's credential id (base64url, as its provider names it).
    PasskeyId,
    "passkey id",
    credential_id,
    "CredentialIdText"
);
typed_id!(
    /// An application type's code.
    TypeCode,
    "application type code",
    type_code,
    "TypeCodeText"
);

impl ApplicationNumber {
    /// The letter of the application's type.
    pub fn prefix(&self) -> char {
        self.0.chars().next().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e10";

    #[test]
    fn v3_only_canonical_uuids_are_ids() {
        assert_eq!(ApplicationId::parse(ID).map(|id| id.to_string()), Ok(ID.to_owned()));
        let refused = [
            "",
            "a\0b",
            "not-a-uuid",
            "0193A4C8-7E7A-7B3E-9F1E-2D4C6B8A9E10",
            "0193a4c87e7a7b3e9f1e2d4c6b8a9e10",
            "{0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e10}",
            "urn:uuid:0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e10",
            " 0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e10",
            "0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e10\0",
        ];
        for candidate in refused {
            assert_eq!(DocumentId::parse(candidate), Err(InvalidId("document id")), "{candidate:?}");
        }
        assert!(MessageId::parse(&ID.repeat(100)).is_err(), "over-long");
    }

    #[test]
    fn v3_application_numbers_are_a_letter_and_nine_digits() {
        let number = ApplicationNumber::parse(" w123456789 ").expect("number");
        assert_eq!((number.as_str(), number.prefix()), ("W123456789", 'W'));
        for candidate in ["X", "W12345678", "W1234567890", "1123456789", "W12345678\0", "É123456789", "W12345678９"] {
            assert!(ApplicationNumber::parse(candidate).is_err(), "{candidate:?}");
        }
    }

    #[test]
    fn v3_type_codes_are_lowercase_words_and_hyphens() {
        assert!(TypeCode::parse("permanent-residence-express-entry").is_ok());
        for candidate in ["", "Visitor-Visa", "a\0b", "a b", "visa/../x", &"a".repeat(65)] {
            assert!(TypeCode::parse(candidate).is_err(), "{candidate:?}");
        }
    }

    #[test]
    fn id_schemas_say_what_their_parsers_accept() {
        let schema = |schema: schemars::Schema| schema.to_value();
        let uuid = schema(schemars::schema_for!(ApplicationId));
        assert_eq!((uuid["type"].as_str(), uuid["format"].as_str()), (Some("string"), Some("uuid")));
        let number = schema(schemars::schema_for!(ApplicationNumber));
        let pattern = regex_lite::Regex::new(number["pattern"].as_str().expect("pattern")).expect("regex");
        for candidate in [" w123456789 ", "W123456789", "W12345678", "1123456789"] {
            assert_eq!(pattern.is_match(candidate), ApplicationNumber::parse(candidate).is_ok(), "{candidate:?}");
        }
        let code = schema(schemars::schema_for!(TypeCode));
        let pattern = regex_lite::Regex::new(code["pattern"].as_str().expect("pattern")).expect("regex");
        assert_eq!(
            (code["minLength"].as_u64(), code["maxLength"].as_u64()),
            (Some(1), Some(MAX_TYPE_CODE_CHARS as u64))
        );
        for candidate in ["visitor-visa", "Visitor-Visa", "a b", "study-permit-2"] {
            assert_eq!(pattern.is_match(candidate), TypeCode::parse(candidate).is_ok(), "{candidate:?}");
        }
    }

    #[test]
    fn ids_deserialize_only_when_valid_and_compare_with_stored_text() {
        let id: ApplicationId = serde_json::from_value(serde_json::json!(ID)).expect("valid");
        assert!(ID.to_owned() == id);
        assert!(serde_json::from_value::<ApplicationId>(serde_json::json!("a\u{0}b")).is_err());
    }
}
