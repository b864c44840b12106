// Account journeys: register → email code → sign in → authenticator setup (first time, with its
// recovery codes) or code, or a recovery code in its place → dashboard; forgot and reset password. The sign-in's session string and the email being
// confirmed are kept in memory between steps, never stored.
import { html, nothing } from 'lit-html';
import QRCode from 'qrcode';
import { api, ApiError, isOfficer, keep } from '../api/client';
import { follow, navigate, refresh, type Page } from '../app';
import { emptyState, failed, fields, focusSummary, input, notice, summary, values, type FormState } from '../forms';
import { language, said, t } from '../i18n';
import { passkeyFailed, passkeysSupported, usePasskey } from '../passkeys';
import { showRecoveryCodes } from './recovery-codes';

/** The sign-in in progress (challenge session, enrolment). */
const signIn: { email: string; session: string | null; secret: string | null; qr: string | null } = {
  email: '',
  session: null,
  secret: null,
  qr: null,
};

let state: FormState = emptyState();

function reset(): void {
  state = emptyState();
}

/** Submits a form: runs `action` with the values of its fields `names` (empty when one is
 * absent), then re-renders with the outcome. */
function submit<Name extends string>(names: readonly Name[], action: (fields: Record<Name, string>) => Promise<void>) {
  return async (event: SubmitEvent) => {
    event.preventDefault();
    if (state.busy) return;
    state.busy = true;
    try {
      await action(fields(values(event.currentTarget as HTMLFormElement), names));
      state.errors = new Map();
      state.alert = null;
    } catch (error) {
      failed(state, error);
      focusSummary();
    } finally {
      state.busy = false;
      refresh();
    }
  };
}

const button = (label: string) => html`<gcds-button type="submit" ?disabled=${state.busy}>${label}</gcds-button>`;

/** Goes to the sign-in page, which says `message` (what just happened to the account). */
export async function signedOutWith(message: ReturnType<typeof said>): Promise<void> {
  reset();
  state.notice = message;
  await navigate('/sign-in');
}

export const home: Page = {
  title: () => t('home.heading'),
  view: () => html`
    <p class="lead">${t('home.lead')}</p>
    <p>
      <gcds-button type="link" href="/sign-in" @click=${follow}>${t('home.signIn')}</gcds-button>
      <gcds-button type="link" button-role="secondary" href="/register" @click=${follow}>${t('home.register')}</gcds-button>
    </p>`,
};

export const register: Page = {
  title: () => t('register.heading'),
  load: async () => reset(),
  view: () => {
    const labels = {
      email: t('register.email'),
      password: t('register.password'),
      givenName: t('register.givenName'),
      familyName: t('register.familyName'),
    };
    return html`
      <p>${t('register.lead')}</p>
      ${summary(state, labels)}
      <form novalidate @submit=${submit(['email', 'password', 'givenName', 'familyName'], async (fields) => {
        await api('POST', '/api/auth/register', { body: { ...fields, preferredLanguage: language() } });
        signIn.email = fields.email;
        await navigate('/confirm');
      })}>
        ${input(state, 'email', labels.email, { type: 'email', autocomplete: 'email' })}
        ${input(state, 'password', labels.password, { type: 'password', autocomplete: 'new-password', hint: t('register.passwordHint') })}
        ${input(state, 'givenName', labels.givenName, { autocomplete: 'given-name' })}
        ${input(state, 'familyName', labels.familyName, { autocomplete: 'family-name' })}
        ${button(t('register.submit'))}
      </form>`;
  },
};

export const confirm: Page = {
  title: () => t('confirm.heading'),
  load: async () => reset(),
  view: () => {
    const labels = { email: t('confirm.email'), code: t('confirm.code') };
    return html`
      ${signIn.email ? html`<p>${t('confirm.lead', { email: signIn.email })}</p>` : nothing}
      ${summary(state, labels)} ${notice(state)}
      <form novalidate @submit=${submit(['email', 'code'], async (fields) => {
        await api('POST', '/api/auth/confirm', { body: fields });
        signIn.email = fields.email;
        state.notice = said('confirm.done');
        await navigate('/sign-in');
      })}>
        ${input(state, 'email', labels.email, { type: 'email', autocomplete: 'email', value: signIn.email })}
        ${input(state, 'code', labels.code, { autocomplete: 'one-time-code' })}
        ${button(t('confirm.submit'))}
      </form>
      <form novalidate @submit=${submit([], async () => {
        const email = document.querySelector<HTMLInputElement & { value: string }>('[name=email]')?.value ?? '';
        await api('POST', '/api/auth/resend', { body: { email } });
        state.notice = said('confirm.resent');
      })}>
        <gcds-button type="submit" button-role="secondary">${t('confirm.resend')}</gcds-button>
      </form>`;
  },
};

export const signInPage: Page = {
  title: () => t('signIn.heading'),
  load: async () => {
    const carried = state.notice;
    reset();
    const ended = new URLSearchParams(location.search).get('ended');
    const why = ended === 'inactivity' ? said('session.ended') : ended === 'everywhere' ? said('security.everywhere.done') : null;
    state.notice = why ?? carried;
  },
  view: () => {
    const labels = { email: t('signIn.email'), password: t('signIn.password') };
    return html`
      ${notice(state)} ${summary(state, labels)}
      <form novalidate @submit=${submit(['email', 'password'], async (fields) => {
        const answer = await api('POST', '/api/auth/login', { body: fields });
        signIn.email = fields.email;
        signIn.session = answer.session;
        await navigate(answer.challenge === 'MFA_SETUP' ? '/mfa-setup' : '/mfa');
      })}>
        ${input(state, 'email', labels.email, { type: 'email', autocomplete: 'username', value: signIn.email })}
        ${input(state, 'password', labels.password, { type: 'password', autocomplete: 'current-password' })}
        ${button(t('signIn.submit'))}
      </form>
      ${passkeysSupported()
        ? html`<h2>${t('signIn.passkey.heading')}</h2>
          <p>${t('signIn.passkey.lead')}</p>
          <gcds-button type="button" button-role="secondary" @click=${signInWithPasskey}>${t('signIn.passkey.submit')}</gcds-button>`
        : nothing}
      <p><gcds-link href="/forgot" @click=${follow}>${t('signIn.forgot')}</gcds-link></p>
      <p>${t('signIn.noAccount')} <gcds-link href="/register" @click=${follow}>${t('nav.register')}</gcds-link></p>`;
  },
};

/** Signs in with a passkey alone, for the address typed in the sign-in form: the browser asks
 * the person to verify (PIN, fingerprint, face), which stands for both factors. */
async function signInWithPasskey(event: Event): Promise<void> {
  if (state.busy) return;
  const form = (event.currentTarget as HTMLElement).closest('#main-content')?.querySelector('form');
  const email = form ? (values(form).email ?? '') : '';
  state.busy = true;
  try {
    const begun = await api('POST', '/api/auth/passkey', { body: { email } });
    const credential = await usePasskey(begun.publicKey);
    keep(await api('POST', '/api/auth/passkey/verify', { body: { session: begun.session, credential } }));
    signIn.email = email;
    reset();
    await navigate(afterSignIn());
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // The device answered, but not with a passkey this account has.
      state.errors = new Map();
      state.alert = said('signIn.passkey.refused');
    } else {
      passkeyFailed(state, error);
    }
    focusSummary();
  } finally {
    state.busy = false;
    refresh();
  }
}

/** The session of the sign-in in progress; without one (the page was reloaded: it lives in
 * memory only), back to the sign-in page and `null`. */
async function ongoing(): Promise<string | null> {
  if (signIn.session === null) await navigate('/sign-in', true);
  return signIn.session;
}

/** Where a completed sign-in goes: the page that asked for it, or the dashboard. */
function afterSignIn(): string {
  const next = new URLSearchParams(location.search).get('next');
  if (next && next.startsWith('/') && !next.startsWith('//')) return next;
  return isOfficer() ? '/officer' : '/dashboard';
}

export const mfaSetup: Page = {
  title: () => t('mfaSetup.heading'),
  load: async () => {
    reset();
    if (!signIn.session) {
      await navigate('/sign-in', true);
      return;
    }
    try {
      const enrolment = await api('POST', '/api/auth/mfa/setup', { body: { session: signIn.session } });
      signIn.session = enrolment.session;
      signIn.secret = enrolment.secret;
      signIn.qr = await QRCode.toDataURL(enrolment.otpauthUri, { margin: 1, width: 220 });
    } catch (error) {
      failed(state, error);
    }
  },
  view: () => {
    const labels = { code: t('mfaSetup.code') };
    return html`
      <p>${t('mfaSetup.lead')}</p>
      ${summary(state, labels)}
      ${signIn.qr ? html`<img src=${signIn.qr} alt=${t('mfaSetup.qrAlt')} width="220" height="220" />` : nothing}
      ${signIn.secret
        ? html`<p>${t('mfaSetup.secret')} <code id="totp-secret" class="secret">${signIn.secret}</code></p>`
        : nothing}
      <form novalidate @submit=${submit(['code'], async ({ code }) => {
        const session = await ongoing();
        if (session === null) return;
        const enrolled = await api('POST', '/api/auth/mfa/setup/verify', { body: { session, code } });
        keep(enrolled);
        signIn.session = signIn.secret = signIn.qr = null;
        if (enrolled.recoveryCodes.length > 0) await showRecoveryCodes(enrolled.recoveryCodes, afterSignIn());
        else await navigate(afterSignIn());
      })}>
        ${input(state, 'code', labels.code, { autocomplete: 'one-time-code' })}
        ${button(t('mfaSetup.submit'))}
      </form>`;
  },
};

export const mfa: Page = {
  title: () => t('mfa.heading'),
  load: async () => {
    reset();
    if (!signIn.session) await navigate('/sign-in', true);
  },
  view: () => {
    const labels = { code: t('mfa.code') };
    return html`
      <p>${t('mfa.lead')}</p>
      ${summary(state, labels)}
      <form novalidate @submit=${submit(['code'], async ({ code }) => {
        const session = await ongoing();
        if (session === null) return;
        keep(await api('POST', '/api/auth/mfa', { body: { session, code } }));
        signIn.session = null;
        await navigate(afterSignIn());
      })}>
        ${input(state, 'code', labels.code, { autocomplete: 'one-time-code' })}
        ${button(t('mfa.submit'))}
      </form>
      <p><gcds-link href="/recover" @click=${follow}>${t('mfa.lost')}</gcds-link></p>`;
  },
};

/** A recovery code in place of the authenticator's code: the password again, then the code; the
 * sign-in completes and lands on "Sign-in and security", which says how many codes are left and
 * where a lost authenticator is replaced. */
export const recoverPage: Page = {
  title: () => t('recover.heading'),
  load: async () => reset(),
  view: () => {
    const labels = { email: t('signIn.email'), password: t('signIn.password'), code: t('recover.code') };
    return html`
      <p>${t('recover.lead')}</p>
      ${summary(state, labels)}
      <form novalidate @submit=${submit(['email', 'password', 'code'], async (fields) => {
        keep(await api('POST', '/api/auth/mfa/recovery', { body: fields }));
        signIn.session = null;
        await navigate('/security?recovered');
      })}>
        ${input(state, 'email', labels.email, { type: 'email', autocomplete: 'username', value: signIn.email })}
        ${input(state, 'password', labels.password, { type: 'password', autocomplete: 'current-password' })}
        ${input(state, 'code', labels.code, { hint: t('recover.codeHint'), autocomplete: 'off' })}
        ${button(t('recover.submit'))}
      </form>
      <p>${t('recover.noCodes')} <gcds-link href="/lost-authenticator" @click=${follow}>${t('recover.lost')}</gcds-link></p>`;
  },
};

export const forgot: Page = {
  title: () => t('forgot.heading'),
  load: async () => reset(),
  view: () => {
    const labels = { email: t('forgot.email') };
    return html`
      <p>${t('forgot.lead')}</p>
      ${summary(state, labels)}
      <form novalidate @submit=${submit(['email'], async (fields) => {
        await api('POST', '/api/auth/forgot', { body: fields });
        signIn.email = fields.email;
        await navigate('/reset');
      })}>
        ${input(state, 'email', labels.email, { type: 'email', autocomplete: 'email' })}
        ${button(t('forgot.submit'))}
      </form>`;
  },
};

export const resetPassword: Page = {
  title: () => t('reset.heading'),
  load: async () => reset(),
  view: () => {
    const labels = { email: t('reset.email'), code: t('reset.code'), newPassword: t('reset.password') };
    return html`
      <p>${t('reset.lead')}</p>
      ${summary(state, labels)}
      <form novalidate @submit=${submit(['email', 'code', 'newPassword'], async (fields) => {
        await api('POST', '/api/auth/reset', { body: fields });
        state.notice = said('reset.done');
        await navigate('/sign-in');
      })}>
        ${input(state, 'email', labels.email, { type: 'email', autocomplete: 'email', value: signIn.email })}
        ${input(state, 'code', labels.code, { autocomplete: 'one-time-code' })}
        ${input(state, 'newPassword', labels.newPassword, { type: 'password', autocomplete: 'new-password', hint: t('register.passwordHint') })}
        ${button(t('reset.submit'))}
      </form>`;
  },
};
