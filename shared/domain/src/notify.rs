//! The `Notifier` port (email and SMS), and the account messages the portal sends, in both
//! official languages.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::profile::Language;

/// How a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Email.
    Email,
    /// Text message.
    Sms,
}

/// A message to one recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Address or phone number.
    pub to: String,
    /// Email or SMS.
    pub channel: Channel,
    /// Subject line (email).
    pub subject: String,
    /// Text.
    pub body: String,
    /// The one-time code the message carries, if any (shown by the local outbox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
#[error("the message could not be sent")]
pub struct NotifyError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// Sends messages.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends one message.
    async fn send(&self, message: Message) -> Result<(), NotifyError>;
}

/// The account messages, each with its subject and body in the recipient's language. None
/// carries a secret other than the one-time code it exists to deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountMessage {
    /// Code confirming a new account's email.
    ConfirmationCode(String),
    /// Code resetting a forgotten password.
    ResetCode(String),
    /// Notice: the password was changed (A5).
    PasswordChanged,
    /// Notice: an authenticator app was set up (A5).
    MfaEnabled,
}

impl AccountMessage {
    /// The email to `to` in `language`.
    pub fn email(&self, to: &str, language: Language) -> Message {
        let (subject, body) = self.text(language);
        let code = match self {
            AccountMessage::ConfirmationCode(code) | AccountMessage::ResetCode(code) => Some(code.clone()),
            AccountMessage::PasswordChanged | AccountMessage::MfaEnabled => None,
        };
        Message { to: to.to_owned(), channel: Channel::Email, subject, body, code }
    }

    fn text(&self, language: Language) -> (String, String) {
        use AccountMessage::*;
        use Language::*;
        let not_you_en = "If this was not you, reset your password and contact support.";
        let not_you_fr = "Si ce n'était pas vous, réinitialisez votre mot de passe et communiquez avec le soutien.";
        match (self, language) {
            (ConfirmationCode(code), En) => (
                "Confirm your email address".into(),
                format!("Your confirmation code is {code}. It expires in 24 hours."),
            ),
            (ConfirmationCode(code), Fr) => (
                "Confirmez votre adresse courriel".into(),
                format!("Votre code de confirmation est {code}. Il expire dans 24 heures."),
            ),
            (ResetCode(code), En) => (
                "Reset your password".into(),
                format!("Your password reset code is {code}. It expires in 1 hour. {not_you_en}"),
            ),
            (ResetCode(code), Fr) => (
                "Réinitialisez votre mot de passe".into(),
                format!("Votre code de réinitialisation est {code}. Il expire dans 1 heure. {not_you_fr}"),
            ),
            (PasswordChanged, En) => {
                ("Your password was changed".into(), format!("The password of your account was changed. {not_you_en}"))
            }
            (PasswordChanged, Fr) => (
                "Votre mot de passe a été modifié".into(),
                format!("Le mot de passe de votre compte a été modifié. {not_you_fr}"),
            ),
            (MfaEnabled, En) => (
                "An authenticator app was set up".into(),
                format!("An authenticator app now protects your account. {not_you_en}"),
            ),
            (MfaEnabled, Fr) => (
                "Une application d'authentification a été configurée".into(),
                format!("Une application d'authentification protège maintenant votre compte. {not_you_fr}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a5_notices_come_in_the_users_language_with_no_secret() {
        let english = AccountMessage::PasswordChanged.email("a@example.ca", Language::En);
        let french = AccountMessage::PasswordChanged.email("a@example.ca", Language::Fr);
        assert!(english.subject.contains("password"));
        assert!(french.subject.contains("mot de passe"));
        assert_eq!((english.code, french.code), (None, None));
    }

    #[test]
    fn codes_travel_in_the_message_and_its_code_field() {
        let message = AccountMessage::ConfirmationCode("123456".into()).email("a@example.ca", Language::Fr);
        assert!(message.body.contains("123456"));
        assert_eq!(message.code.as_deref(), Some("123456"));
    }
}
