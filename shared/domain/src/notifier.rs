//! The `Notifier` port (email and SMS), and the account messages the portal sends, in both
//! official languages.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::clock::utc_date;
use crate::profile::Language;
use crate::user_agent::Device;

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
    /// Code confirming a new sign-in address, sent to that address.
    EmailChangeCode(String),
    /// Notice to the old address: the sign-in address changed to this one (A5).
    EmailChanged(String),
    /// Notice: a passkey of this name was added to the account (A5).
    PasskeyAdded(String),
    /// Notice: the passkey of this name was removed from the account (A5).
    PasskeyRemoved(String),
    /// Notice: someone signed in to another account asked to use this address, which already
    /// has an account (A6: they are answered as for a free address; the owner hears of it here).
    EmailInUse,
    /// Notice: the password was changed (A5).
    PasswordChanged,
    /// Notice: an authenticator app was set up (A5).
    MfaEnabled,
    /// Notice: someone tried to register the address of an existing account (A6: the caller
    /// is answered as for a new address; the owner hears of it here).
    AlreadyRegistered,
    /// Notice: sign-in attempts were paused after many wrong passwords or authenticator codes.
    SignInPaused,
    /// Notice: password resets were paused after many wrong reset codes.
    ResetPaused,
    /// Notice: a sign-in from a browser the account never signed in from.
    NewSignIn(NewSignIn),
    /// Notice: a recovery code stood in for the authenticator; this many are left.
    RecoveryCodeUsed(usize),
    /// Notice: a new set of recovery codes was issued, voiding the old one.
    RecoveryCodesIssued,
    /// Notice: the authenticator was removed (by support, or by the owner with their email and
    /// an application's details); the next sign-in sets up a new one.
    AuthenticatorReset,
}

/// What the notice of a sign-in from a new browser says of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSignIn {
    /// When (seconds since the epoch).
    pub at: u64,
    /// The browser and system its user agent names.
    pub device: Device,
    /// The client's address.
    pub address: String,
}

impl NewSignIn {
    /// "2026-12-02 at 14:05 UTC from Firefox on Windows (address 203.0.113.7)", in `language`.
    fn describe(&self, language: Language) -> String {
        let date = utc_date(self.at);
        let (hour, minute) = (self.at % 86_400 / 3600, self.at % 3600 / 60);
        match language {
            Language::En => format!(
                "on {date} at {hour:02}:{minute:02} UTC from {} (address {})",
                self.device.describe("on", "an unknown browser", "an unknown system"),
                self.address
            ),
            Language::Fr => format!(
                "le {date} à {hour:02}\u{a0}h\u{a0}{minute:02} UTC depuis {} (adresse {})",
                self.device.describe("sur", "un navigateur inconnu", "un système inconnu"),
                self.address
            ),
        }
    }
}

impl AccountMessage {
    /// The email to `to` in `language`.
    pub fn email(&self, to: &str, language: Language) -> Message {
        let (subject, body) = self.text(language);
        let code = match self {
            AccountMessage::ConfirmationCode(code)
            | AccountMessage::ResetCode(code)
            | AccountMessage::EmailChangeCode(code) => Some(code.clone()),
            _ => None,
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
            (EmailChangeCode(code), En) => (
                "Confirm your new sign-in email".into(),
                format!(
                    "Your code to make this address the sign-in email of your account is {code}. It \
                     expires in 24 hours. If you did not ask for this, ignore this message: nothing changes."
                ),
            ),
            (EmailChangeCode(code), Fr) => (
                "Confirmez votre nouvelle adresse de connexion".into(),
                format!(
                    "Votre code pour faire de cette adresse l'adresse courriel de connexion de votre compte \
                     est {code}. Il expire dans 24 heures. Si vous n'avez rien demandé, ignorez ce \
                     message\u{a0}: rien ne change."
                ),
            ),
            (EmailChanged(new), En) => (
                "Your sign-in email was changed".into(),
                format!(
                    "The sign-in email of your account was changed to {new}. Messages about your account \
                     and applications now go there, and this address no longer signs in. If this was not \
                     you, contact support at once."
                ),
            ),
            (EmailChanged(new), Fr) => (
                "Votre adresse courriel de connexion a été modifiée".into(),
                format!(
                    "L'adresse courriel de connexion de votre compte est maintenant {new}. Les messages \
                     sur votre compte et vos demandes y sont envoyés, et cette adresse ne permet plus de \
                     vous connecter. Si ce n'était pas vous, communiquez avec le soutien sans tarder."
                ),
            ),
            (PasskeyAdded(name), En) => (
                "A passkey was added to your account".into(),
                format!(
                    "The passkey \"{name}\" was added to your account: it can now sign in without your \
                     password or authenticator code. {not_you_en}"
                ),
            ),
            (PasskeyAdded(name), Fr) => (
                "Une clé d'accès a été ajoutée à votre compte".into(),
                format!(
                    "La clé d'accès «\u{a0}{name}\u{a0}» a été ajoutée à votre compte\u{a0}: elle permet \
                     maintenant de vous connecter sans mot de passe ni code d'authentification. {not_you_fr}"
                ),
            ),
            (PasskeyRemoved(name), En) => (
                "A passkey was removed from your account".into(),
                format!("The passkey \"{name}\" was removed from your account and no longer signs in. {not_you_en}"),
            ),
            (PasskeyRemoved(name), Fr) => (
                "Une clé d'accès a été retirée de votre compte".into(),
                format!(
                    "La clé d'accès «\u{a0}{name}\u{a0}» a été retirée de votre compte et ne permet plus \
                     de vous connecter. {not_you_fr}"
                ),
            ),
            (EmailInUse, En) => (
                "Someone asked to use your email address".into(),
                "Someone signed in to another account asked to make this address their sign-in email. \
                 It already belongs to your account, so nothing was changed. If you know nothing of \
                 this, you can ignore this message; your account is safe."
                    .into(),
            ),
            (EmailInUse, Fr) => (
                "Quelqu'un a demandé à utiliser votre adresse courriel".into(),
                "Quelqu'un connecté à un autre compte a demandé que cette adresse devienne son adresse \
                 de connexion. Elle appartient déjà à votre compte\u{a0}: rien n'a été modifié. Si vous \
                 n'êtes au courant de rien, vous pouvez ignorer ce message\u{a0}; votre compte est en sécurité."
                    .into(),
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
            (AlreadyRegistered, En) => (
                "You already have an account".into(),
                "Someone tried to create an account with this email address, which already has one. \
                 Nothing was changed. To sign in, use your password; if you forgot it, choose \
                 \"Forgot your password?\". If this was not you, you can ignore this message."
                    .into(),
            ),
            (AlreadyRegistered, Fr) => (
                "Vous avez déjà un compte".into(),
                "Quelqu'un a tenté de créer un compte avec cette adresse courriel, qui en a déjà un. \
                 Rien n'a été modifié. Pour vous connecter, utilisez votre mot de passe; si vous \
                 l'avez oublié, choisissez « Mot de passe oublié? ». Si ce n'était pas vous, vous \
                 pouvez ignorer ce message."
                    .into(),
            ),
            (SignInPaused, En) => (
                "Sign-in to your account was paused".into(),
                "After many wrong passwords or authenticator codes, we paused sign-in attempts to \
                 your account for up to two hours. If this was not you, someone may know your password: reset it, and never share \
                 your authenticator codes. We will never ask you for them."
                    .into(),
            ),
            (SignInPaused, Fr) => (
                "La connexion à votre compte a été suspendue".into(),
                "Après de nombreux mots de passe ou codes d'authentification erronés, nous avons \
                 suspendu les tentatives de connexion à votre compte pendant au plus deux heures. Si \
                 ce n'était pas vous, quelqu'un connaît peut-être votre mot de passe\u{a0}: \
                 réinitialisez-le, et ne communiquez jamais vos codes d'authentification. Nous ne \
                 vous les demanderons jamais."
                    .into(),
            ),
            (NewSignIn(sign_in), En) => (
                "New sign-in to your account".into(),
                format!(
                    "Someone signed in to your account {} with your password and your second factor. \
                     If this was you, there is nothing to do. If not, open \"Sign-in and security\" \
                     in your account to end that session, then change your password.",
                    sign_in.describe(En)
                ),
            ),
            (NewSignIn(sign_in), Fr) => (
                "Nouvelle connexion à votre compte".into(),
                format!(
                    "Quelqu'un s'est connecté à votre compte {} avec votre mot de passe et votre \
                     deuxième facteur. Si c'était vous, vous n'avez rien à faire. Sinon, ouvrez \
                     «\u{a0}Connexion et sécurité\u{a0}» dans votre compte pour mettre fin à cette session, \
                     puis changez votre mot de passe.",
                    sign_in.describe(Fr)
                ),
            ),
            (RecoveryCodeUsed(left), En) => (
                "A recovery code was used".into(),
                format!(
                    "A recovery code was used in place of your authenticator app to sign in to your \
                     account or to confirm a change to its sign-in. {left} recovery codes are left. If \
                     you lost your authenticator app, set up a new one under \"Sign-in and \
                     security\" in your account. {not_you_en}"
                ),
            ),
            (RecoveryCodeUsed(left), Fr) => (
                "Un code de récupération a été utilisé".into(),
                format!(
                    "Un code de récupération a remplacé votre application d'authentification pour vous \
                     connecter à votre compte ou pour confirmer une modification de sa connexion. Il \
                     reste {left}\u{a0}codes de récupération. Si vous avez perdu votre application \
                     d'authentification, configurez-en une nouvelle sous «\u{a0}Connexion et \
                     sécurité\u{a0}» dans votre compte. {not_you_fr}"
                ),
            ),
            (RecoveryCodesIssued, En) => (
                "New recovery codes".into(),
                format!("New recovery codes were created for your account; the old ones no longer work. {not_you_en}"),
            ),
            (RecoveryCodesIssued, Fr) => (
                "Nouveaux codes de récupération".into(),
                format!(
                    "De nouveaux codes de récupération ont été créés pour votre compte. Les anciens ne \
                     fonctionnent plus. {not_you_fr}"
                ),
            ),
            (AuthenticatorReset, En) => (
                "Your authenticator app was removed".into(),
                format!(
                    "The authenticator app and the recovery codes of your account were removed, and every \
                     session was signed out. The next time you sign in, you will set up a new \
                     authenticator app before anything else. {not_you_en}"
                ),
            ),
            (AuthenticatorReset, Fr) => (
                "Votre application d'authentification a été retirée".into(),
                format!(
                    "L'application d'authentification et les codes de récupération de votre compte ont \
                     été retirés, et toutes les sessions ont été déconnectées. À votre prochaine \
                     connexion, vous configurerez une nouvelle application d'authentification avant \
                     toute chose. {not_you_fr}"
                ),
            ),
            (ResetPaused, En) => (
                "Password resets were paused".into(),
                "After many wrong reset codes, we paused password resets for your account for up \
                 to two hours. Your password has not changed. If this was not you, you can ignore \
                 this message; your account is safe."
                    .into(),
            ),
            (ResetPaused, Fr) => (
                "Les réinitialisations de mot de passe ont été suspendues".into(),
                "Après de nombreux codes de réinitialisation erronés, nous avons suspendu les \
                 réinitialisations de mot de passe de votre compte pendant au plus deux heures. Votre \
                 mot de passe n'a pas changé. Si ce n'était pas vous, vous pouvez ignorer ce \
                 message\u{a0}; votre compte est en sécurité."
                    .into(),
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
    fn a5_every_account_notice_exists_in_both_languages_without_a_code() {
        use AccountMessage::*;
        for notice in [
            PasswordChanged,
            MfaEnabled,
            AlreadyRegistered,
            SignInPaused,
            ResetPaused,
            RecoveryCodeUsed(9),
            RecoveryCodesIssued,
            AuthenticatorReset,
            EmailChanged("new@example.ca".into()),
            EmailInUse,
            PasskeyAdded("Laptop".into()),
            PasskeyRemoved("Laptop".into()),
        ] {
            let english = notice.email("a@example.ca", Language::En);
            let french = notice.email("a@example.ca", Language::Fr);
            assert_ne!(english.subject, french.subject, "{notice:?}");
            assert_ne!(english.body, french.body, "{notice:?}");
            assert_eq!((english.code, french.code), (None, None), "{notice:?}");
        }
    }

    #[test]
    fn a5_a_new_browser_s_sign_in_is_told_with_its_time_browser_and_address_in_both_languages() {
        let sign_in = NewSignIn {
            // 2026-12-02 14:05:09 UTC
            at: 1_796_220_309,
            device: Device { browser: Some("Firefox"), os: Some("Windows") },
            address: "203.0.113.7".into(),
        };
        let english = AccountMessage::NewSignIn(sign_in.clone()).email("a@example.ca", Language::En);
        let french = AccountMessage::NewSignIn(sign_in).email("a@example.ca", Language::Fr);
        assert!(
            english.body.contains("on 2026-12-02 at 14:05 UTC from Firefox on Windows (address 203.0.113.7)"),
            "{}",
            english.body
        );
        assert!(
            french
                .body
                .contains("le 2026-12-02 à 14\u{a0}h\u{a0}05 UTC depuis Firefox sur Windows (adresse 203.0.113.7)"),
            "{}",
            french.body
        );
        assert_eq!(
            (english.subject.as_str(), french.subject.as_str()),
            ("New sign-in to your account", "Nouvelle connexion à votre compte")
        );
        assert_eq!((english.code, french.code), (None, None));
    }

    #[test]
    fn codes_travel_in_the_message_and_its_code_field() {
        for message in
            [AccountMessage::ConfirmationCode("123456".into()), AccountMessage::EmailChangeCode("123456".into())]
        {
            for language in [Language::En, Language::Fr] {
                let email = message.email("a@example.ca", language);
                assert!(email.body.contains("123456"), "{message:?}");
                assert_eq!(email.code.as_deref(), Some("123456"), "{message:?}");
            }
        }
    }

    #[test]
    fn a5_the_old_address_is_told_the_new_one_in_both_languages() {
        let english = AccountMessage::EmailChanged("new@example.ca".into()).email("old@example.ca", Language::En);
        let french = AccountMessage::EmailChanged("new@example.ca".into()).email("old@example.ca", Language::Fr);
        assert!(english.body.contains("changed to new@example.ca"), "{}", english.body);
        assert!(french.body.contains("est maintenant new@example.ca"), "{}", french.body);
    }
}
