//! Local mode's passkeys: the WebAuthn ceremonies verified by webauthn-rs, the relying party of
//! the Kanidm project (independently audited, RustCrypto underneath since 0.6, so no OpenSSL;
//! user verification required, counters and backup state checked), with the credentials and the
//! state of each ceremony between its two steps kept in the table.
//!
//! A passkey is registered as a discoverable credential, so a sign-in asks the browser for any
//! passkey of the portal's (no list of the account's credentials leaves the portal: the answer
//! for an address with none is the same, A6), then checks that the one chosen is the account's.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::identity::IdentityError;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, CredentialID, DiscoverableAuthentication, Passkey, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

/// A ceremony lasts 5 minutes, as webauthn-rs's own timeout.
pub const CEREMONY_SECONDS: u64 = 5 * 60;

/// The relying party the portal is to browsers: its id and origin.
pub struct RelyingParty {
    webauthn: Webauthn,
}

fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> IdentityError {
    IdentityError::Unavailable(Box::new(error))
}

/// The id of a credential as the portal names it: base64url without padding.
pub fn credential_name(id: &CredentialID) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

impl RelyingParty {
    /// The relying party of `origin` (its host is the RP id). On `localhost` every port is the
    /// same party, since the local portal runs on whatever port it is given; browsers accept
    /// WebAuthn over plain HTTP there only (never on an IP address).
    pub fn new(origin: &str) -> Result<Self, IdentityError> {
        let origin = Url::parse(origin).map_err(unavailable)?;
        let id = origin.host_str().ok_or_else(|| IdentityError::Unavailable("the origin names no host".into()))?;
        let webauthn = WebauthnBuilder::new(id, &origin)
            .map_err(unavailable)?
            .rp_name("Applicant portal")
            .allow_any_port(id == "localhost")
            .build()
            .map_err(unavailable)?;
        Ok(Self { webauthn })
    }

    /// The options of a registration for `user`, excluding the credentials it has, and the
    /// state to finish it with.
    pub fn begin_registration(
        &self,
        user: &str,
        name: &str,
        existing: Vec<CredentialID>,
    ) -> Result<(CreationChallengeResponse, PasskeyRegistration), IdentityError> {
        let user = Uuid::parse_str(user).map_err(unavailable)?;
        let (mut options, state) =
            self.webauthn.start_passkey_registration(user, name, name, Some(existing)).map_err(unavailable)?;
        // A passkey signs in with nothing typed but the address: the browser must find it itself.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        Ok((options, state))
    }

    /// The passkey of a verified registration; `CodeMismatch` for a credential that does not
    /// verify (or is not one at all).
    pub fn finish_registration(
        &self,
        credential: &serde_json::Value,
        state: &PasskeyRegistration,
    ) -> Result<Passkey, IdentityError> {
        let credential: RegisterPublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(|_| IdentityError::CodeMismatch)?;
        self.webauthn.finish_passkey_registration(&credential, state).map_err(|_| IdentityError::CodeMismatch)
    }

    /// The options of a sign-in, and the state to finish it with.
    pub fn begin_sign_in(&self) -> Result<(RequestChallengeResponse, DiscoverableAuthentication), IdentityError> {
        self.webauthn.start_discoverable_authentication().map_err(unavailable)
    }

    /// The assertion of a sign-in, and the user and credential it names (not yet verified).
    pub fn identify(
        &self,
        credential: &serde_json::Value,
    ) -> Result<(PublicKeyCredential, Uuid, String), IdentityError> {
        let credential: PublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(|_| IdentityError::CodeMismatch)?;
        let (user, id) =
            self.webauthn.identify_discoverable_authentication(&credential).map_err(|_| IdentityError::CodeMismatch)?;
        let id = URL_SAFE_NO_PAD.encode(id);
        Ok((credential, user, id))
    }

    /// Verifies an assertion against the passkey it names, and updates the passkey's counter;
    /// whether it changed (to be stored).
    pub fn finish_sign_in(
        &self,
        credential: &PublicKeyCredential,
        state: DiscoverableAuthentication,
        passkey: &mut Passkey,
    ) -> Result<bool, IdentityError> {
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(credential, state, &*passkey)
            .map_err(|_| IdentityError::CodeMismatch)?;
        Ok(passkey.update_credential(&result).unwrap_or(false))
    }
}

/// A passkey of an account, as stored.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredPasskey {
    /// The credential (public key, counter, backup state).
    pub passkey: Passkey,
    /// When it was registered.
    pub created_at: u64,
}

/// A ceremony between its two steps.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ceremony<S> {
    /// The relying party's state of it (its challenge).
    pub state: S,
    /// The sign-in address (for a sign-in).
    #[serde(default)]
    pub email: Option<portal_domain::email::Email>,
    /// When it ends.
    pub expires_at: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_its_origins_host_and_refuses_an_address() {
        let local = RelyingParty::new("http://localhost").expect("localhost");
        let (options, _) =
            local.begin_registration("0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e10", "a@example.ca", vec![]).expect("options");
        let selection = options.public_key.authenticator_selection.expect("selection");
        assert_eq!(options.public_key.rp.id, "localhost");
        assert_eq!(selection.resident_key, Some(ResidentKeyRequirement::Required));
        assert_eq!(
            serde_json::to_value(selection.user_verification).expect("json"),
            serde_json::json!("required"),
            "a passkey verifies the person (both factors)"
        );
        // Browsers refuse WebAuthn on an IP address; so does the relying party, at start.
        assert!(RelyingParty::new("http://127.0.0.1:8080").is_err());
    }

    #[test]
    fn what_is_not_a_credential_is_a_wrong_answer_not_a_failure() {
        let local = RelyingParty::new("http://localhost").expect("localhost");
        let (_, state) =
            local.begin_registration("0193a4c8-7e7a-7b3e-9f1e-2d4c6b8a9e10", "a@example.ca", vec![]).expect("options");
        let garbage = serde_json::json!({"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}});
        assert!(matches!(local.finish_registration(&garbage, &state), Err(IdentityError::CodeMismatch)));
        assert!(matches!(local.identify(&garbage), Err(IdentityError::CodeMismatch)));
    }
}
