//! Statements a person confirms in their own words' place: the consent that authorizes a
//! representative, the declaration signed with a submission. Each text is versioned; what is
//! recorded is the version, the language and the very text that was shown, with the time.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::profile::Language;

/// A statement in force, as the web app shows it before the person confirms it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// Its version: what a confirmation names to say which text was read. A new text is a new
    /// version; records keep the text their person confirmed.
    pub version: &'static str,
    /// In English.
    pub en: &'static str,
    /// In French.
    pub fr: &'static str,
}

impl Statement {
    /// The text in `language`.
    pub fn text(&self, language: Language) -> &'static str {
        match language {
            Language::En => self.en,
            Language::Fr => self.fr,
        }
    }

    /// This statement, confirmed in `language` at `at`.
    pub fn confirmed(&self, language: Language, at: u64) -> Consent {
        Consent { version: self.version.to_owned(), language, text: self.text(language).to_owned(), at }
    }
}

/// A confirmation as recorded: which text, in which language, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// The statement's version.
    pub version: String,
    /// The language it was confirmed in.
    pub language: Language,
    /// The text confirmed, word for word.
    pub text: String,
    /// When (seconds since the epoch).
    pub at: u64,
}
