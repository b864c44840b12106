//! The statement an applicant confirms when they invite a representative: the portal's
//! equivalent of the paper "Use of a representative" form. Its text is versioned; a grant
//! records the version, the language and the very text that was shown.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::profile::Language;

/// The version of the statement in force. A new text is a new version; grants keep the text
/// their applicant confirmed.
pub const STATEMENT_VERSION: &str = "2026-12";

const STATEMENT_EN: &str = "I appoint the person named above to represent me on this application. \
I allow Immigration, Refugees and Citizenship Canada to share information from this application with them, \
and to accept what they send, within the access I chose: \"read\" lets them see the application; \
\"full\" also lets them complete the form, upload documents, write to officers and book appointments. \
They can never submit or withdraw my application, pay fees for me, or change my account: \
I declare and submit my application myself. \
If they are paid, they must be a licensed consultant or a member of a law society. \
I can end this at any time in my account, and it ends on the date I chose, if any. \
Everything they do on my application is recorded and shown to me.";

const STATEMENT_FR: &str = "Je désigne la personne nommée ci-dessus pour me représenter dans cette demande. \
J'autorise Immigration, Réfugiés et Citoyenneté Canada à lui communiquer les renseignements de cette demande \
et à accepter ce qu'elle transmet, dans les limites de l'accès que j'ai choisi : « lecture » lui permet de voir la demande; \
« complet » lui permet aussi de remplir le formulaire, de téléverser des documents, d'écrire aux agents et de prendre des rendez-vous. \
Elle ne peut jamais présenter ni retirer ma demande, payer des frais à ma place ni modifier mon compte : \
je fais moi-même ma déclaration et je présente ma demande. \
Si elle est rémunérée, elle doit être une consultante autorisée ou membre d'un barreau ou d'une chambre des notaires. \
Je peux y mettre fin à tout moment dans mon compte, et cela prend fin à la date que j'ai choisie, s'il y a lieu. \
Tout ce qu'elle fait dans ma demande est consigné et m'est montré.";

/// The statement in force, in one language.
pub fn statement(language: Language) -> &'static str {
    match language {
        Language::En => STATEMENT_EN,
        Language::Fr => STATEMENT_FR,
    }
}

/// The statement as the web app shows it before the applicant confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// Its version: what an invitation names to say which text was confirmed.
    pub version: &'static str,
    /// In English.
    pub en: &'static str,
    /// In French.
    pub fr: &'static str,
}

/// The statement in force, in both languages.
pub fn current() -> Statement {
    Statement { version: STATEMENT_VERSION, en: STATEMENT_EN, fr: STATEMENT_FR }
}

/// An applicant's consent as recorded: which text, in which language, when.
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

impl Consent {
    /// The consent to the statement in force, confirmed in `language` at `at`.
    pub fn given(language: Language, at: u64) -> Self {
        Self { version: STATEMENT_VERSION.to_owned(), language, text: statement(language).to_owned(), at }
    }
}
