// Passkeys (issue 16, point 1), in Chromium with its virtual authenticator (DevTools protocol
// `WebAuthn`): a platform authenticator that keeps discoverable credentials and verifies its
// user, as a phone's or laptop's does. Browsers allow WebAuthn over plain HTTP on `localhost`
// only (never on an IP address), so the journey opens the portal there.
import assert from 'node:assert/strict';
import {
  baseUrl,
  checkAccessibility,
  checkBothLanguages,
  enrolsTheFirstAuthenticator,
  journeyOnItsOwnPortal,
  registered,
  signIn,
  totp,
} from '../harness.mjs';

/** Gives the page's browser a virtual authenticator that verifies its user (a fingerprint, say). */
async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

async function toggleTo(page, language) {
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction((lang) => document.documentElement.lang === lang, language);
}

/** Adds a passkey named `name` from Sign-in and security, with the labels of `words`. */
async function addsAPasskey(page, name, password, code, words) {
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: words.add }) });
  await form.getByLabel(words.name).fill(name);
  await form.getByLabel(words.password).fill(password);
  await form.getByLabel(words.code).fill(code);
  await form.getByRole('button', { name: words.add }).click();
}

/** The authenticator's next code after the one of `usedAt` (each code works once): the code of
 * the step ahead, once that step comes after the one used. Gives the code and its time. */
async function nextCode(secret, usedAt = 0) {
  const step = (ms) => Math.floor(ms / 30_000);
  while (step(Date.now() + 30_000) <= step(usedAt)) await new Promise((resolve) => setTimeout(resolve, 1000));
  const at = Date.now() + 30_000;
  return { code: totp(secret, at), at };
}

const ENGLISH = { add: 'Add a passkey', name: 'Name of the passkey', password: 'Current password', code: 'Code from your authenticator app' };
const FRENCH = {
  add: "Ajouter une clé d'accès",
  name: "Nom de la clé d'accès",
  password: 'Mot de passe actuel',
  code: "Code de votre application d'authentification",
};

journeyOnItsOwnPortal('an applicant adds, renames and removes passkeys and signs in with one alone, in English and in French', async (page) => {
  const portal = baseUrl.replace('127.0.0.1', 'localhost');
  const credentials = await virtualAuthenticator(page);
  const email = `passkey-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  await registered(email, password);
  await signIn(page, email, password, portal);
  const { secret, codes } = await enrolsTheFirstAuthenticator(page);
  await page.waitForURL('**/dashboard');

  // Added from Sign-in and security, once the person proved it is them.
  await page.goto(`${portal}/security`);
  await page.getByText('You have no passkey yet.').waitFor();
  await addsAPasskey(page, 'Work laptop', 'not my password', '000000', ENGLISH);
  await page.locator('#error-summary').getByText('This is not the password you sign in with now.').waitFor();
  const first = await nextCode(secret);
  await addsAPasskey(page, 'Work laptop', password, first.code, ENGLISH);
  await page.getByText('The passkey "Work laptop" was added.').waitFor();
  const kept = await credentials();
  assert.equal(kept.length, 1, 'the authenticator holds the new passkey');
  assert.ok(kept[0].isResidentCredential, 'a discoverable credential: nothing but the address is typed to sign in');
  await checkBothLanguages(page, 'passkeys on Sign-in and security');

  // Renamed.
  await page.getByRole('button', { name: 'Rename Work laptop' }).click();
  await page.getByLabel('New name for Work laptop').fill('Home laptop');
  await page.getByRole('button', { name: 'Save the name' }).click();
  await page.getByText('The passkey is now named "Home laptop".').waitFor();

  // Signed out, then in with the passkey alone: no password, no code.
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.goto(`${portal}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL('**/dashboard');
  await checkAccessibility(page, 'the dashboard after a passkey sign-in');

  // The same in French: signed out, then in again with the passkey.
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.goto(`${portal}/sign-in`);
  await toggleTo(page, 'fr');
  await page.getByLabel('Adresse courriel').fill(email);
  await page.getByRole('button', { name: "Se connecter avec une clé d'accès" }).click();
  await page.waitForURL('**/dashboard');
  await page.goto(`${portal}/security`);
  await page.getByRole('cell', { name: 'Home laptop', exact: true }).waitFor();

  // This device holds one already: the browser refuses a second for the account, said plainly.
  const second = await nextCode(secret, first.at);
  await addsAPasskey(page, 'Téléphone', password, second.code, FRENCH);
  await page.locator('#error-summary').getByText("La clé d'accès n'a pas été utilisée").waitFor();
  assert.equal((await credentials()).length, 1);

  // Removed (its name gone from the list, the owner told); then this device's new one takes its
  // place.
  await page.getByRole('button', { name: 'Retirer Home laptop' }).click();
  await page.getByText('La clé d\'accès «\u00a0Home laptop\u00a0» a été retirée').waitFor();
  assert.equal(await page.getByRole('cell', { name: 'Home laptop', exact: true }).count(), 0);
  await page.getByText("Vous n'avez pas encore de clé d'accès.").waitFor();
  await addsAPasskey(page, 'Téléphone', password, (await nextCode(secret, second.at)).code, FRENCH);
  await page.getByText('La clé d\'accès «\u00a0Téléphone\u00a0» a été ajoutée.').waitFor();
  await checkAccessibility(page, 'a passkey added (fr)');

  // The phone with the authenticator is out of reach: a recovery code stands in for its code,
  // and the authenticator and the passkeys stay the account's.
  await toggleTo(page, 'en');
  await page.getByRole('link', { name: 'Sign out' }).click();
  await signIn(page, email, password, portal);
  await page.waitForURL('**/mfa');
  await page.getByRole('link', { name: /Use a recovery code/ }).click();
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL('**/security?recovered');
  await page.getByText('You signed in with a recovery code: 9 left.').waitFor();
  await page.getByRole('cell', { name: 'Téléphone', exact: true }).waitFor();
  assert.equal((await credentials()).length, 1, 'the device still holds its passkey');
  await checkAccessibility(page, 'Sign-in and security after a recovery code');
  // The passkey still signs in alone.
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.goto(`${portal}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL('**/dashboard');

  const outbox = await (await fetch(`${baseUrl}/api/dev/outbox`)).json();
  const subjects = outbox.filter((m) => m.to === email).map((m) => m.subject);
  assert.equal(subjects.filter((s) => s === 'A passkey was added to your account').length, 2, subjects.join(' | '));
  assert.ok(subjects.includes('A passkey was removed from your account'), subjects.join(' | '));
  assert.ok(subjects.includes('A recovery code was used'), subjects.join(' | '));
});
