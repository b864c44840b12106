// Sign-in and security (issue 16). Each journey runs on a portal of its own: they sign in and
// prove themselves many times a minute from one address, which the per-client limits count.
import assert from 'node:assert/strict';
import {
  anApplicantSubmits,
  baseUrl,
  browser,
  codeFor,
  checkAccessibility,
  enrolsTheFirstAuthenticator,
  checkBothLanguages,
  journeyOnItsOwnPortal,
  officerSignsIn,
  registered,
  savesTheRecoveryCodes,
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
    // Focus past the last control rests on the page itself, whose text is every label: no control.
    if (element === document.body) return '';
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

journeyOnItsOwnPortal('an applicant sees where they are signed in and signs the other browser out, which is then signed out at once', async (page) => {
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

journeyOnItsOwnPortal('an applicant signs out of every other session, then everywhere, with the keyboard only', async (page) => {
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

journeyOnItsOwnPortal('an applicant changes their password with the current one and a fresh code, and only the new one signs in', async (page) => {
  const email = `password-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  const newPassword = 'an even longer and newer passphrase';
  await registered(email, password);
  const secret = await signsInFirstTime(page, email, password);

  await page.getByRole('link', { name: 'Sign-in and security' }).click();
  await page.getByRole('heading', { name: 'Password' }).waitFor();
  const change = page.locator('form').filter({ has: page.getByRole('button', { name: 'Change my password' }) });
  await change.getByLabel('Current password').fill('not my password at all');
  await change.getByLabel('New password').fill(newPassword);
  await change.getByLabel('Code from your authenticator app').fill('000000');
  await change.getByRole('button', { name: 'Change my password' }).click();
  await page.locator('#error-summary').getByText('This is not the password you sign in with now.').waitFor();
  await checkAccessibility(page, 'a password change refused');

  await change.getByLabel('Current password').fill(password);
  await change.getByLabel('New password').fill(newPassword);
  await change.getByLabel('Code from your authenticator app').fill(totp(secret, Date.now() + 30_000));
  await change.getByRole('button', { name: 'Change my password' }).click();
  await page.getByText('Your password was changed.').waitFor();
  assert.equal(await change.getByLabel('Current password').inputValue(), '', 'the passwords do not stay on the page');

  const signsIn = (tried) => page.evaluate(async ([address, secretWord]) => (await fetch('/api/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: address, password: secretWord }),
  })).status, [email, tried]);
  assert.equal(await signsIn(password), 401, 'the old password no longer signs in');
  assert.equal(await signsIn(newPassword), 200, 'the new one does');
});

journeyOnItsOwnPortal('an applicant who lost the authenticator signs in with a recovery code, sets up a new one, then gets a new set', async (page) => {
  const email = `recovery-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  await registered(email, password);
  await signIn(page, email, password);
  const { secret: lost, codes } = await enrolsTheFirstAuthenticator(page);
  assert.equal(codes.length, 10);
  await page.waitForURL('**/dashboard');
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/`);

  // The phone is gone: a recovery code stands in for its code, once, and the sign-in completes.
  await signIn(page, email, password);
  await page.waitForURL('**/mfa');
  await page.getByRole('link', { name: /Use a recovery code/ }).click();
  await page.waitForURL('**/recover');
  await checkBothLanguages(page, 'sign in with a recovery code');
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Recovery code').fill(codes[0].toLowerCase());
  await page.getByRole('button', { name: 'Continue' }).click();
  // Sign-in and security says what is left, and where a new authenticator is set up.
  await page.waitForURL('**/security?recovered');
  await page.getByText('You signed in with a recovery code: 9 left.').waitFor();
  await checkBothLanguages(page, 'signed in with a recovery code');

  // A new phone: another recovery code in place of the lost one's code.
  const replace = page.locator('form').filter({ has: page.getByRole('button', { name: 'Set up a new authenticator app' }) });
  await replace.getByLabel('Current password').fill(password);
  await replace.getByLabel('Code from your authenticator app').fill(codes[1]);
  await replace.getByRole('button', { name: 'Set up a new authenticator app' }).click();
  const secret = (await page.locator('#new-totp-secret').textContent()).trim();
  assert.notEqual(secret, lost);
  await page.getByLabel('Code from the new authenticator app').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify and use this app' }).click();
  await page.getByText('Your new authenticator app now protects your account').waitFor();
  await page.getByText('Recovery codes left: 8').waitFor();

  // The new phone's codes prove it from now on; a new set replaces the codes used.
  const renew = page.locator('form').filter({ has: page.getByRole('button', { name: 'Get new recovery codes' }) });
  await renew.getByLabel('Current password').fill(password);
  await renew.getByLabel('Code from your authenticator app').fill(totp(secret, Date.now() + 30_000));
  await renew.getByRole('button', { name: 'Get new recovery codes' }).click();
  const fresh = await savesTheRecoveryCodes(page);
  assert.equal(fresh.filter((code) => codes.includes(code)).length, 0, 'a new set');
  await page.waitForURL('**/security');
  await page.getByText('Recovery codes left: 10').waitFor();
});

journeyOnItsOwnPortal('an applicant with neither authenticator nor recovery code gets back in with an emailed code and an application\'s details', async (page) => {
  const email = `no-phone-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  const newPassword = 'a passphrase for a new start';
  await anApplicantSubmits(page, email, password);
  const number = (await page.locator('#main-content').innerText()).match(/[A-Z][0-9]{9}/)?.[0];
  assert.ok(number, 'the confirmation gives the application number');
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/`);

  await signIn(page, email, password);
  await page.waitForURL('**/mfa');
  await page.getByRole('link', { name: /Use a recovery code/ }).click();
  await page.getByRole('link', { name: /an application's details/ }).click();
  await page.waitForURL('**/lost-authenticator');
  await checkBothLanguages(page, 'lost authenticator and recovery codes');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await page.getByLabel('Code from the email').waitFor();
  await page.getByLabel('Code from the email').fill(await codeFor(email));
  await page.getByLabel('New password').fill(newPassword);
  await page.getByLabel('Number of one of your applications').fill(number);
  // Not the applicant's date of birth on that application: nothing changes.
  await page.getByLabel('Date of birth on that application').fill('1988-03-03');
  await page.getByRole('button', { name: 'Set up my sign-in again' }).click();
  await page.locator('#error-summary').getByText("The code, or the application's number and date of birth, are not right for this account.").waitFor();
  await checkAccessibility(page, 'lost authenticator: details that match nothing');
  await page.getByLabel('Date of birth on that application').fill('1988-03-02');
  await page.getByRole('button', { name: 'Set up my sign-in again' }).click();
  await page.waitForURL('**/sign-in');
  await page.getByText('Your password was changed and your authenticator app removed.').waitFor();

  // The new password, then a new authenticator before anything else.
  await signIn(page, email, newPassword);
  await page.waitForURL('**/mfa-setup');
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code from your authenticator app').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  assert.equal((await savesTheRecoveryCodes(page)).length, 10, 'a new set: the old went with the authenticator');
  await page.waitForURL('**/dashboard');
});

journeyOnItsOwnPortal('the support desk removes the authenticator of a person whose identity it checked, who then enrols a new one', async (page) => {
  const email = `desk-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  await registered(email, password);
  await signsInFirstTime(page, email, password);

  const desk = await (await browser.newContext({ locale: 'en-CA' })).newPage();
  await officerSignsIn(desk);
  await desk.getByRole('link', { name: 'Support desk' }).click();
  await desk.waitForURL('**/officer/support');
  await checkBothLanguages(desk, 'support desk');
  await desk.getByLabel('Their sign-in email').fill(email);
  await desk.getByLabel('How you checked their identity, and why').fill('Called; gave the application number and birth date on file');
  await desk.getByRole('button', { name: 'Remove their authenticator' }).click();
  await desk.getByText(`The authenticator of ${email} was removed.`).waitFor();
  await desk.context().close();

  // The person's session is over; their password leads to setting up a new authenticator.
  await page.goto(`${baseUrl}/dashboard`);
  await page.waitForURL('**/sign-in**');
  await signIn(page, email, password);
  await page.waitForURL('**/mfa-setup');
});

journeyOnItsOwnPortal('an applicant replaces the authenticator app from Sign-in and security, and only the new one signs in', async (page) => {
  const email = `new-app-${Date.now()}@example.ca`;
  const password = 'a long and careful passphrase';
  await registered(email, password);
  const old = await signsInFirstTime(page, email, password);

  await page.goto(`${baseUrl}/security`);
  const begin = page.locator('form').filter({ has: page.getByRole('button', { name: 'Set up a new authenticator app' }) });
  await begin.getByLabel('Current password').fill(password);
  await begin.getByLabel('Code from your authenticator app').fill(totp(old, Date.now() + 30_000));
  await begin.getByRole('button', { name: 'Set up a new authenticator app' }).click();
  await page.locator('#new-totp-secret').waitFor();
  await checkAccessibility(page, 'a new authenticator app being set up');
  const secret = (await page.locator('#new-totp-secret').textContent()).trim();
  assert.notEqual(secret, old);
  await page.getByLabel('Code from the new authenticator app').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify and use this app' }).click();
  await page.getByText('Your new authenticator app now protects your account').waitFor();

  const signsInWith = (code) => page.evaluate(async ([address, word, answer]) => {
    const post = (path, body) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const { session } = await (await post('/api/auth/login', { email: address, password: word })).json();
    return (await post('/api/auth/mfa', { session, code: answer })).status;
  }, [email, password, code]);
  assert.equal(await signsInWith(totp(old, Date.now())), 400, 'the old app no longer signs in');
  assert.equal(await signsInWith(totp(secret, Date.now() + 30_000)), 200, 'the new one does');
});

journeyOnItsOwnPortal('an applicant changes their sign-in email with the code sent to the new address, in both languages, and the old address is told', async (page) => {
  const stamp = Date.now();
  const [email, newEmail] = [`old-address-${stamp}@example.ca`, `new-address-${stamp}@example.ca`];
  const password = 'a long and careful passphrase';
  await registered(email, password);
  const secret = await signsInFirstTime(page, email, password);

  await page.goto(`${baseUrl}/security`);
  await page.getByText(`You sign in with ${email}.`).waitFor();
  const begin = page.locator('form').filter({ has: page.getByRole('button', { name: 'Send a code to the new address' }) });
  await begin.getByLabel('New email address').fill(email);
  await begin.getByLabel('Current password').fill(password);
  await begin.getByLabel('Code from your authenticator app').fill('000000');
  await begin.getByRole('button', { name: 'Send a code to the new address' }).click();
  await page.locator('#error-summary').getByRole('link', { name: 'New email address: This is already the email you sign in with' }).waitFor();
  await checkAccessibility(page, 'an unchanged sign-in email refused');

  await begin.getByLabel('New email address').fill(newEmail);
  await begin.getByLabel('Current password').fill(password);
  await begin.getByLabel('Code from your authenticator app').fill(totp(secret, Date.now() + 30_000));
  await begin.getByRole('button', { name: 'Send a code to the new address' }).click();
  await page.getByText(`If ${newEmail} can be used, we sent a code to it.`).waitFor();
  await checkBothLanguages(page, 'a new sign-in email waiting for its code');

  await page.getByLabel('Code sent to the new address').fill('000000');
  await page.getByRole('button', { name: 'Use this address' }).click();
  await page.locator('#error-summary').getByRole('link', { name: 'Code sent to the new address: The code is not correct.' }).waitFor();
  await page.getByLabel('Code sent to the new address').fill(await codeFor(newEmail));
  await page.getByRole('button', { name: 'Use this address' }).click();
  await page.getByText(`You now sign in with ${newEmail}. We told your previous address.`).waitFor();
  await page.getByText(`You sign in with ${newEmail}.`).waitFor();

  const outbox = await (await fetch(`${baseUrl}/api/dev/outbox`)).json();
  const told = outbox.find((m) => m.to === email && m.subject === 'Your sign-in email was changed');
  assert.ok(told?.body.includes(newEmail), 'the old address is told where the account went');
  const signsIn = (address) => page.evaluate(async ([who, word]) => (await fetch('/api/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: who, password: word }),
  })).status, [address, password]);
  assert.equal(await signsIn(email), 401, 'the old address no longer signs in');
  assert.equal(await signsIn(newEmail), 200, 'the new one does');
});
