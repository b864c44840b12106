// Passkeys in the browser: the options the API gives go to the browser's authenticator through
// WebAuthn's JSON helpers (`parseCreationOptionsFromJSON`, `parseRequestOptionsFromJSON`), and
// the credential comes back as the JSON the API takes (`toJSON()`): no hand-written base64url.

import { failed, type FormState } from './forms';
import { said } from './i18n';

type Json = Record<string, unknown>;

/** Whether this browser can register and use passkeys with the portal. */
export function passkeysSupported(): boolean {
  return typeof PublicKeyCredential !== 'undefined' && 'parseCreationOptionsFromJSON' in PublicKeyCredential;
}

/** Asks the browser's authenticator for a new passkey; gives its `RegistrationResponseJSON`. */
export async function createPasskey(options: Json): Promise<Json> {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options as unknown as PublicKeyCredentialCreationOptionsJSON);
  const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential;
  return credential.toJSON() as Json;
}

/** Asks the browser's authenticator to sign in with a passkey; gives its `AuthenticationResponseJSON`. */
export async function usePasskey(options: Json): Promise<Json> {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options as unknown as PublicKeyCredentialRequestOptionsJSON);
  const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential;
  return credential.toJSON() as Json;
}

/** A passkey ceremony that failed: the browser's dialog closed or refused (a `DOMException`) is
 * said so, anything else as any refusal. */
export function passkeyFailed(state: FormState, error: unknown): void {
  if (error instanceof DOMException) {
    state.errors = new Map();
    state.alert = said('passkeys.cancelled');
  } else {
    failed(state, error);
  }
}
