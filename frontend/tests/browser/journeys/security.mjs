import assert from 'node:assert/strict';
import {
  baseUrl,
  browser,
  checkAccessibility,
  checkBothLanguages,
  journey,
  registered,
  signIn,
  signsInFirstTime,
  totp,
} from '../harness.mjs';

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** The same person signing in from another browser (its own cookies, a Firefox user agent),
 * with the authenticator's next code; gives that browser's page, on the dashboard. */
async function signsInElsewhere(email, password, secret) {
  const context = await browser.newContext({ locale: 'en-CA', userAgent: FIREFOX_ON_WINDOWS });
  const page = await context.newPage();
  await signIn(page, email, password);
  await page.getByLabel('Security code').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/dashboard');
  return page;
}

/** The text of whatever has keyboard focus, looking through shadow roots. */
async function focusedText(page) {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    const host = element?.getRootNode()?.host;
    return `${element?.textContent ?? ''} ${host?.textContent ?? ''}`;
  });
}

/** Presses Tab until what has focus says `text`, then Enter: a keyboard user's click. */
async function pressWithKeyboard(page, text) {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press('Tab');
    if ((await focusedText(page)).includes(text)) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  assert.fail(`no control saying "${text}" is reachable with Tab`);
}

journey('an applicant sees where they are signed in and signs the other browser out, which is then signed out at once', async (page) => {
  const email = `sessions-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  await registered(email, password);
  const secret = await signsInFirstTime(page, email, password);
  const elsewhere = await signsInElsewhere(email, password, secret);

  await page.getByRole('link', { name: 'Sign-in and security' }).click();
  await page.waitForURL('**/security');
  const rows = page.locator('table tbody tr');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  await page.getByRole('cell', { name: 'Firefox on Windows', exact: true }).waitFor();
  await page.getByRole('cell', { name: /Chrome on Linux \(this browser\)/ }).waitFor();
  await checkBothLanguages(page, 'sign-in and security');

  await page.getByRole('button', { name: 'Sign out Firefox on Windows' }).click();
  await page.getByText('Firefox on Windows was signed out.').waitFor();
  assert.equal(await rows.count(), 1);
  await page.getByText('You are signed in on this browser only.').waitFor();

  // The other browser's next page finds its session over: its refresh cookie no longer works.
  await elsewhere.goto(`${baseUrl}/dashboard`);
  await elsewhere.waitForURL('**/sign-in**');
  await elsewhere.context().close();
});

journey('an applicant signs out of every other session, then everywhere, with the keyboard only', async (page) => {
  const email = `everywhere-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  await registered(email, password);
  const secret = await signsInFirstTime(page, email, password);
  const elsewhere = await signsInElsewhere(email, password, secret);

  await page.goto(`${baseUrl}/security`);
  await page.locator('table tbody tr').nth(1).waitFor();
  await pressWithKeyboard(page, 'Sign out of all other sessions');
  await page.getByText('Every other session was signed out.').waitFor();
  await elsewhere.goto(`${baseUrl}/dashboard`);
  await elsewhere.waitForURL('**/sign-in**');
  await elsewhere.context().close();

  await pressWithKeyboard(page, 'Sign out everywhere');
  await page.waitForURL('**/sign-in?ended=everywhere');
  await page.getByText('You were signed out everywhere.').waitFor();
  const refreshed = await page.evaluate(() => fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.status));
  assert.equal(refreshed, 401, 'nothing revives the session');
});

journey('an applicant changes their password with the current one and a fresh code, and only the new one signs in', async (page) => {
  const email = `password-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  const newPassword = 'an even longer and newer passphrase';
  await registered(email, password);
  const secret = await signsInFirstTime(page, email, password);

  await page.getByRole('link', { name: 'Sign-in and security' }).click();
  await page.getByRole('heading', { name: 'Password' }).waitFor();
  await page.getByLabel('Current password').fill('not my password at all');
  await page.getByLabel('New password').fill(newPassword);
  await page.getByLabel('Code from your authenticator app').fill('000000');
  await page.getByRole('button', { name: 'Change my password' }).click();
  await page.locator('#error-summary').getByText('This is not the password you sign in with now.').waitFor();
  await checkAccessibility(page, 'a password change refused');

  await page.getByLabel('Current password').fill(password);
  await page.getByLabel('New password').fill(newPassword);
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Change my password' }).click();
  await page.getByText('Your password was changed.').waitFor();
  assert.equal(await page.getByLabel('Current password').inputValue(), '', 'the passwords do not stay on the page');

  const signsIn = (tried) => page.evaluate(async ([address, secretWord]) => (await fetch('/api/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: address, password: secretWord }),
  })).status, [email, tried]);
  assert.equal(await signsIn(password), 401, 'the old password no longer signs in');
  assert.equal(await signsIn(newPassword), 200, 'the new one does');
});
