// Sign-in and security: the person's passkeys, added (after proving it is them), renamed and
// removed; where the person is signed in, with a way to sign out any session, every other one,
// or everywhere; the password, changed with the current one and a fresh code;
// the sign-in email, moved once a code sent to the new address is entered; the authenticator
// app, replaced once the new one is verified (a recovery code standing in for the old one's code
// where it was lost); the recovery codes left, and a new set; and what
// keeps the account safe. Forms of one page name their fields apart (a label
// is tied to one field id); the API's names for them are mapped back when it refuses one.
import { html, nothing } from 'lit-html';
import QRCode from 'qrcode';
import { api, signOutEverywhere, type Schemas } from '../api/client';
import { navigate, refresh, type Page } from '../app';
import { emptyState, failed, fields, focusSummary, input, loaded, notice, summary, values, type FormState } from '../forms';
import { formatDateTime, said, t } from '../i18n';
import { table } from '../table';
import { createPasskey, passkeyFailed, passkeysSupported } from '../passkeys';
import { showRecoveryCodes } from './recovery-codes';

let sessions: Schemas['SessionView'][] = [];
let passkeys: Schemas['PasskeyView'][] = [];
/** The passkey whose rename form is open. */
let renaming: string | null = null;
let recoveryCodesLeft = 0;
let email = '';
/** The address a code was sent to, until it is entered. */
let newEmail: string | null = null;
let state: FormState = emptyState();

async function readSessions(): Promise<void> {
  ({ sessions } = await api('GET', '/api/me/sessions'));
}

async function readRecoveryCodesLeft(): Promise<void> {
  recoveryCodesLeft = (await api('GET', '/api/me/recovery-codes')).remaining;
}

async function readAll(): Promise<void> {
  const [listed, codes, me, keys] = await Promise.all([
    api('GET', '/api/me/sessions'),
    api('GET', '/api/me/recovery-codes'),
    api('GET', '/api/me'),
    api('GET', '/api/me/passkeys'),
  ]);
  passkeys = keys.passkeys;
  sessions = listed.sessions;
  recoveryCodesLeft = codes.remaining;
  email = me.profile?.email ?? '';
}

/** "Firefox on Windows", or what is not recognised said so. */
export function device(session: Schemas['SessionView']): string {
  return t('security.device', {
    browser: session.browser ?? t('security.unknownBrowser'),
    os: session.os ?? t('security.unknownOs'),
  });
}

/** Runs an action on the sessions, then shows the list (and the recovery codes left: one may have
 * stood in for the authenticator's code) as it now stands and what was done. */
async function act(action: () => Promise<unknown>, done: ReturnType<typeof said>): Promise<void> {
  try {
    await action();
    state = emptyState();
    await Promise.all([readSessions(), readRecoveryCodesLeft()]);
    state.notice = done;
  } catch (error) {
    failed(state, error);
    focusSummary();
  }
  refresh();
}

function endOne(session: Schemas['SessionView']): Promise<void> {
  return act(
    () => api('DELETE', '/api/me/sessions/{id}', { path: { id: session.id } }),
    said('security.ended', { device: device(session) }),
  );
}

function endOthers(): Promise<void> {
  return act(() => api('POST', '/api/me/sessions/end-others'), said('security.othersEnded'));
}

const PASSWORD_FIELDS = ['currentPassword', 'newPassword', 'code'] as const;

async function changePassword(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const body = fields(values(form), PASSWORD_FIELDS);
  await act(async () => {
    await api('POST', '/api/me/password', { body });
    // Passwords do not stay on the page once used.
    for (const field of form.querySelectorAll<HTMLInputElement>('gcds-input')) field.value = '';
  }, said('security.password.changed'));
}

/** A refusal shown on a form whose fields the page names apart: `names` maps page name to API name. */
function refusedOn(error: unknown, names: Record<string, string>): void {
  failed(state, error);
  for (const [field, apiName] of Object.entries(names)) {
    const message = state.errors.get(apiName);
    if (message === undefined) continue;
    state.errors.delete(apiName);
    state.errors.set(field, message);
  }
  focusSummary();
  refresh();
}

const RECOVERY_FIELDS = { recoveryPassword: 'currentPassword', recoveryCode: 'code' };

async function newRecoveryCodes(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const typed = fields(values(event.currentTarget as HTMLFormElement), ['recoveryPassword', 'recoveryCode'] as const);
  try {
    const body = { currentPassword: typed.recoveryPassword, code: typed.recoveryCode };
    const { codes } = await api('POST', '/api/me/recovery-codes', { body });
    state = emptyState();
    await showRecoveryCodes(codes, '/security');
  } catch (error) {
    refusedOn(error, RECOVERY_FIELDS);
  }
}

/** A new authenticator being set up: its secret and QR code, until a code of it is verified. */
let newAuthenticator: { secret: string; qr: string } | null = null;
const AUTHENTICATOR_FIELDS = { authenticatorPassword: 'currentPassword', authenticatorCode: 'code' };

async function beginAuthenticatorChange(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const typed = fields(values(form), ['authenticatorPassword', 'authenticatorCode'] as const);
  try {
    const body = { currentPassword: typed.authenticatorPassword, code: typed.authenticatorCode };
    const begun = await api('POST', '/api/me/authenticator', { body });
    newAuthenticator = { secret: begun.secret, qr: await QRCode.toDataURL(begun.otpauthUri, { margin: 1, width: 220 }) };
    state = emptyState();
    refresh();
  } catch (error) {
    refusedOn(error, AUTHENTICATOR_FIELDS);
  }
}

/** A step done: the page as it now stands, with what was done. The count of recovery codes is
 * read again: one may have stood in for the authenticator's code. */
async function done(what: ReturnType<typeof said>): Promise<void> {
  state = emptyState();
  state.notice = what;
  try {
    await readRecoveryCodesLeft();
  } catch {
    // The step is done all the same; the count shown stays the one read before.
  }
  refresh();
}

async function completeAuthenticatorChange(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const typed = fields(values(event.currentTarget as HTMLFormElement), ['newAuthenticatorCode'] as const);
  try {
    await api('POST', '/api/me/authenticator/verify', { body: { code: typed.newAuthenticatorCode } });
    newAuthenticator = null;
    await done(said('security.authenticator.changed'));
  } catch (error) {
    refusedOn(error, { newAuthenticatorCode: 'code' });
  }
}

/** Longest name of a passkey (`MAX_PASSKEY_NAME_CHARS` in the API). */
const MAX_PASSKEY_NAME = 60;

const PASSKEY_FIELDS = { passkeyName: 'name', passkeyPassword: 'currentPassword', passkeyCode: 'code' };

async function addPasskey(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const typed = fields(values(form), ['passkeyName', 'passkeyPassword', 'passkeyCode'] as const);
  // The name is checked before the device makes a credential: one refused after would be left on it.
  const name = typed.passkeyName.trim();
  if (name.length === 0 || name.length > MAX_PASSKEY_NAME) {
    state = emptyState();
    state.errors.set('passkeyName', t(name.length === 0 ? 'security.passkeys.nameRequired' : 'security.passkeys.nameTooLong'));
    focusSummary();
    refresh();
    return;
  }
  try {
    const body = { currentPassword: typed.passkeyPassword, code: typed.passkeyCode };
    const { publicKey } = await api('POST', '/api/me/passkeys', { body });
    const credential = await createPasskey(publicKey);
    const added = await api('POST', '/api/me/passkeys/verify', { body: { name: typed.passkeyName, credential } });
    ({ passkeys } = await api('GET', '/api/me/passkeys'));
    for (const field of form.querySelectorAll<HTMLInputElement>('gcds-input')) field.value = '';
    await done(said('security.passkeys.added', { name: added.name }));
  } catch (error) {
    if (error instanceof DOMException) {
      passkeyFailed(state, error);
      focusSummary();
      refresh();
    } else {
      refusedOn(error, PASSKEY_FIELDS);
    }
  }
}

async function renamePasskey(event: SubmitEvent, passkey: Schemas['PasskeyView']): Promise<void> {
  event.preventDefault();
  const typed = fields(values(event.currentTarget as HTMLFormElement), ['passkeyNewName'] as const);
  try {
    const renamed = await api('PATCH', '/api/me/passkeys/{id}', { path: { id: passkey.id }, body: { name: typed.passkeyNewName } });
    ({ passkeys } = await api('GET', '/api/me/passkeys'));
    renaming = null;
    await done(said('security.passkeys.renamed', { name: renamed.name }));
  } catch (error) {
    refusedOn(error, { passkeyNewName: 'name' });
  }
}

async function removePasskey(passkey: Schemas['PasskeyView']): Promise<void> {
  try {
    await api('DELETE', '/api/me/passkeys/{id}', { path: { id: passkey.id } });
    ({ passkeys } = await api('GET', '/api/me/passkeys'));
    await done(said('security.passkeys.removed', { name: passkey.name }));
  } catch (error) {
    failed(state, error);
    focusSummary();
    refresh();
  }
}

const passkeyRow = (passkey: Schemas['PasskeyView']) => html`<tr>
  <td>${renaming === passkey.id
    ? html`<form novalidate @submit=${(event: SubmitEvent) => void renamePasskey(event, passkey)}>
        ${input(state, 'passkeyNewName', t('security.passkeys.newName', { name: passkey.name }), { value: passkey.name })}
        <gcds-button type="submit" size="small">${t('security.passkeys.saveName')}</gcds-button>
      </form>`
    : passkey.name}</td>
  <td>${formatDateTime(passkey.createdAt)}</td>
  <td>${renaming === passkey.id
    ? nothing
    : html`<gcds-button type="button" button-role="secondary" size="small"
        @click=${() => { renaming = passkey.id; refresh(); }}>${t('security.passkeys.rename', { name: passkey.name })}</gcds-button>`}
    <gcds-button type="button" button-role="danger" size="small"
      @click=${() => void removePasskey(passkey)}>${t('security.passkeys.remove', { name: passkey.name })}</gcds-button></td>
</tr>`;

function passkeysSection() {
  const listed = passkeys.length === 0
    ? html`<p>${t('security.passkeys.none')}</p>`
    : table([t('security.passkeys.name'), t('security.passkeys.added.column'), t('security.column.action')],
      passkeys.map(passkeyRow), t('security.passkeys.heading'));
  const adding = passkeysSupported()
    ? html`<form novalidate @submit=${addPasskey}>
        ${input(state, 'passkeyName', t('security.passkeys.name'), { hint: t('security.passkeys.nameHint') })}
        ${input(state, 'passkeyPassword', t('security.password.current'), { type: 'password', autocomplete: 'current-password' })}
        ${input(state, 'passkeyCode', t('security.password.code'), { autocomplete: 'one-time-code', hint: t('security.password.codeHint') })}
        <gcds-button type="submit">${t('security.passkeys.add')}</gcds-button>
      </form>`
    : html`<p>${t('security.passkeys.unsupported')}</p>`;
  return html`<p>${t('security.passkeys.lead')}</p>${listed}${adding}`;
}

const EMAIL_FIELDS = { newEmail: 'newEmail', emailPassword: 'currentPassword', emailCode: 'code' };

async function beginEmailChange(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const typed = fields(values(event.currentTarget as HTMLFormElement), ['newEmail', 'emailPassword', 'emailCode'] as const);
  try {
    const body = { newEmail: typed.newEmail, currentPassword: typed.emailPassword, code: typed.emailCode };
    await api('POST', '/api/me/email', { body });
    newEmail = typed.newEmail.trim();
    await done(said('security.email.sent', { email: newEmail }));
  } catch (error) {
    refusedOn(error, EMAIL_FIELDS);
  }
}

async function completeEmailChange(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const typed = fields(values(event.currentTarget as HTMLFormElement), ['emailChangeCode'] as const);
  try {
    ({ email } = await api('POST', '/api/me/email/verify', { body: { code: typed.emailChangeCode } }));
    newEmail = null;
    await done(said('security.email.changed', { email }));
  } catch (error) {
    refusedOn(error, { emailChangeCode: 'code' });
  }
}

function emailSection() {
  const current = html`<p>${t('security.email.current', { email })}</p>`;
  if (newEmail !== null) {
    return html`${current}
      <form novalidate @submit=${completeEmailChange}>
        ${input(state, 'emailChangeCode', t('security.email.code'), { autocomplete: 'one-time-code' })}
        <gcds-button type="submit">${t('security.email.verify')}</gcds-button>
      </form>
      <gcds-button type="button" button-role="secondary"
        @click=${() => { newEmail = null; state = emptyState(); refresh(); }}>${t('security.email.again')}</gcds-button>`;
  }
  return html`${current}<p>${t('security.email.lead')}</p>
    <form novalidate @submit=${beginEmailChange}>
      ${input(state, 'newEmail', t('security.email.new'), { type: 'email', autocomplete: 'email' })}
      ${input(state, 'emailPassword', t('security.password.current'), { type: 'password', autocomplete: 'current-password' })}
      ${input(state, 'emailCode', t('security.password.code'), { autocomplete: 'one-time-code', hint: t('security.password.codeHint') })}
      <gcds-button type="submit">${t('security.email.submit')}</gcds-button>
    </form>`;
}

function authenticatorSection() {
  if (newAuthenticator) {
    return html`<p>${t('security.authenticator.scan')}</p>
      <img src=${newAuthenticator.qr} alt=${t('mfaSetup.qrAlt')} width="220" height="220" />
      <p>${t('mfaSetup.secret')} <code id="new-totp-secret" class="secret">${newAuthenticator.secret}</code></p>
      <form novalidate @submit=${completeAuthenticatorChange}>
        ${input(state, 'newAuthenticatorCode', t('security.authenticator.newCode'), { autocomplete: 'one-time-code' })}
        <gcds-button type="submit">${t('security.authenticator.verify')}</gcds-button>
      </form>`;
  }
  return html`<p>${t('security.authenticator.lead')}</p>
    <form novalidate @submit=${beginAuthenticatorChange}>
      ${input(state, 'authenticatorPassword', t('security.password.current'), { type: 'password', autocomplete: 'current-password' })}
      ${input(state, 'authenticatorCode', t('security.password.code'), { autocomplete: 'one-time-code', hint: t('security.password.codeHint') })}
      <gcds-button type="submit">${t('security.authenticator.submit')}</gcds-button>
    </form>`;
}

async function endEverywhere(): Promise<void> {
  await signOutEverywhere();
  await navigate('/sign-in?ended=everywhere');
}

const row = (session: Schemas['SessionView']) => html`<tr>
  <td>${device(session)}${session.current ? html` <strong>(${t('security.thisBrowser')})</strong>` : nothing}</td>
  <td>${session.address}</td>
  <td>${formatDateTime(session.startedAt)}</td>
  <td>${formatDateTime(session.lastUsedAt)}</td>
  <td>${session.current
    ? nothing
    : html`<gcds-button type="button" button-role="secondary" size="small"
        @click=${() => void endOne(session)}>${t('security.endOne', { device: device(session) })}</gcds-button>`}</td>
</tr>`;

export const securityPage: Page = {
  title: () => t('security.heading'),
  private: true,
  load: async () => {
    newAuthenticator = null;
    newEmail = null;
    renaming = null;
    state = await loaded(readAll);
    // Arriving from a sign-in with a recovery code: what is left, and the way to a new authenticator.
    if (new URLSearchParams(location.search).has('recovered') && !state.alert) {
      state.notice = said('security.recovered', { count: recoveryCodesLeft });
    }
  },
  view: () => html`
    ${summary(state, {
      currentPassword: t('security.password.current'),
      newPassword: t('security.password.new'),
      code: t('security.password.code'),
      recoveryPassword: t('security.password.current'),
      recoveryCode: t('security.password.code'),
      authenticatorPassword: t('security.password.current'),
      authenticatorCode: t('security.password.code'),
      newAuthenticatorCode: t('security.authenticator.newCode'),
      newEmail: t('security.email.new'),
      emailPassword: t('security.password.current'),
      emailCode: t('security.password.code'),
      emailChangeCode: t('security.email.code'),
      passkeyName: t('security.passkeys.name'),
      passkeyPassword: t('security.password.current'),
      passkeyCode: t('security.password.code'),
      passkeyNewName: t('security.passkeys.name'),
    })} ${notice(state)}
    <h2>${t('security.passkeys.heading')}</h2>
    ${passkeysSection()}
    <h2>${t('security.sessions.heading')}</h2>
    <p>${t('security.sessions.lead')}</p>
    ${table(
      [t('security.column.device'), t('security.column.address'), t('security.column.started'),
        t('security.column.lastUsed'), t('security.column.action')],
      sessions.map(row),
      t('security.sessions.heading'),
    )}
    ${sessions.some((session) => !session.current)
      ? html`<gcds-button type="button" button-role="secondary" @click=${() => void endOthers()}>
          ${t('security.endOthers')}</gcds-button>`
      : html`<p>${t('security.onlyThis')}</p>`}
    <h2>${t('security.password.heading')}</h2>
    <p>${t('security.password.lead')}</p>
    <form novalidate @submit=${changePassword}>
      ${input(state, 'currentPassword', t('security.password.current'), { type: 'password', autocomplete: 'current-password' })}
      ${input(state, 'newPassword', t('security.password.new'), {
        type: 'password', autocomplete: 'new-password', hint: t('security.password.rules') })}
      ${input(state, 'code', t('security.password.code'), { autocomplete: 'one-time-code', hint: t('security.password.codeHint') })}
      <gcds-button type="submit">${t('security.password.submit')}</gcds-button>
    </form>
    <h2>${t('security.email.heading')}</h2>
    ${emailSection()}
    <h2>${t('security.authenticator.heading')}</h2>
    ${authenticatorSection()}
    <h2>${t('security.recovery.heading')}</h2>
    <p>${t('security.recovery.lead')}</p>
    <p id="recovery-codes-left"><strong>${t('security.recovery.left', { count: recoveryCodesLeft })}</strong>
      ${recoveryCodesLeft <= 3 ? t('security.recovery.few') : nothing}</p>
    <form novalidate @submit=${newRecoveryCodes}>
      ${input(state, 'recoveryPassword', t('security.password.current'), { type: 'password', autocomplete: 'current-password' })}
      ${input(state, 'recoveryCode', t('security.password.code'), { autocomplete: 'one-time-code', hint: t('security.password.codeHint') })}
      <gcds-button type="submit">${t('security.recovery.submit')}</gcds-button>
    </form>
    <h2>${t('security.everywhere.heading')}</h2>
    <p>${t('security.everywhere.lead')}</p>
    <gcds-button type="button" button-role="danger" @click=${() => void endEverywhere()}>
      ${t('security.everywhere.button')}</gcds-button>
    <h2>${t('security.advice.heading')}</h2>
    <ul>
      <li>${t('security.advice.notice')}</li>
      <li>${t('security.advice.phishing')}</li>
      <li>${t('security.advice.shared')}</li>
    </ul>
  `,
};
