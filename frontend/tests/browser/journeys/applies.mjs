import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  baseUrl,
  browser,
  codeFor,
  totp,
  checkAccessibility,
  checkBothLanguages,
  heading,
  journey,
  PDF,
  next,
  fillTheVisitorVisa,
  signIn,
  savesTheRecoveryCodes,
  theOfficerAsksForADocument,
  choosesFile,
} from '../harness.mjs';

journey('an applicant applies and an officer asks for a document, in the browser', async (page) => {
  const email = `applicant-${Date.now()}@example.ca`;
  const password = 'a long and memorable passphrase';
  let secret;

  await page.goto(baseUrl);
  assert.equal(await heading(page), 'Immigration applicant portal');
  await checkBothLanguages(page, 'home');

  await page.getByRole('link', { name: 'Create an account' }).first().click();
  await page.waitForURL('**/register');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus moves to the new page');
  await checkBothLanguages(page, 'register');
  // Errors come back from the API, in place and summarized.
  await page.getByRole('button', { name: 'Create my account' }).click();
  await page.locator('#error-summary').waitFor();
  await checkAccessibility(page, 'register with errors');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Given name(s)').fill('Marie');
  await page.getByLabel('Family name').fill('Tremblay');
  await page.getByRole('button', { name: 'Create my account' }).click();

  await page.waitForURL('**/confirm');
  await checkBothLanguages(page, 'confirm');
  await page.getByLabel('Confirmation code').fill(await codeFor(email));
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();

  await page.waitForURL('**/sign-in');
  await checkBothLanguages(page, 'sign in');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.waitForURL('**/mfa-setup');
  await page.locator('#totp-secret').waitFor();
  assert.ok(await page.getByRole('img', { name: /QR code/ }).isVisible(), 'a QR code of the otpauth URI');
  await checkBothLanguages(page, 'MFA setup');
  secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code from your authenticator app').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.waitForURL('**/recovery-codes');
  await page.locator('#recovery-codes li').nth(9).waitFor();
  await checkBothLanguages(page, 'recovery codes');
  await savesTheRecoveryCodes(page);

  await page.waitForURL('**/dashboard');
  assert.equal(await heading(page), 'My applications');
  await checkBothLanguages(page, 'dashboard');

  await page.getByRole('link', { name: 'Start an application' }).click();
  await page.waitForURL('**/applications/new');
  await checkBothLanguages(page, 'start an application');
  await page.getByLabel('Type of application').selectOption('visitor-visa');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.waitForURL('**/applications/*');
  await fillTheVisitorVisa(page);

  await page.getByRole('link', { name: 'Messages' }).click();
  await page.waitForURL('**/messages');
  await checkBothLanguages(page, 'messages');
  await page.locator('#body').fill('When can I expect my biometrics instructions?');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText('When can I expect my biometrics instructions?').waitFor();
  await page.getByText('Not read yet').waitFor();

  await page.getByRole('link', { name: 'Notifications' }).click();
  await page.waitForURL('**/notifications');
  // Notices come through the store's change feed, a moment after the change: look again until then.
  const notice = page.getByRole('heading', { name: /Your application is now submitted/ }).first();
  for (let look = 0; look < 50 && !(await notice.isVisible()); look++) {
    await page.waitForTimeout(100);
    await page.reload();
    await page.locator('#main-content h1').waitFor();
  }
  await notice.waitFor();
  await checkBothLanguages(page, 'notifications');

  await page.getByRole('link', { name: 'Profile' }).click();
  await page.waitForURL('**/profile');
  await checkBothLanguages(page, 'profile');
  await page.getByLabel('By text message').check();
  await page.locator('#phone').fill('514-555-0123');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#error-summary').getByText(/country code/).waitFor();
  await page.locator('#phone').fill('+15145550123');
  await page.getByLabel('Français').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Vos préférences ont été enregistrées.').waitFor();
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger mes données' }).click(),
  ]);
  assert.equal(file.suggestedFilename(), 'my-portal-data.json');
  const exported = JSON.parse(readFileSync(await file.path(), 'utf8'));
  assert.equal(exported.profile.notifications.phone, '+15145550123');
  assert.equal(exported.applications.length, 1);
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');

  await page.getByRole('link', { name: 'My activity' }).click();
  await page.waitForURL('**/activity');
  // An access is recorded when the check allows it, before the request is carried out: the
  // attempt refused as incomplete is listed too (two such lines), which is why the log says
  // "Submitting", not "Submitted".
  await page.getByRole('cell', { name: 'Submitting the application' }).first().waitFor();
  await checkBothLanguages(page, 'activity');

  await page.getByRole('link', { name: 'My applications' }).click();
  await page.waitForURL('**/dashboard');
  await page.getByRole('link', { name: 'Visitor visa (temporary resident visa)' }).waitFor();
  await page.getByText('Submitted').waitFor();

  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/`);
  await page.goto(`${baseUrl}/dashboard`);
  await page.waitForURL('**/sign-in?next=%2Fdashboard');

  await theOfficerAsksForADocument(page);

  // Back as the applicant (the next step's code: the one used at setup may not be reused).
  await signIn(page, email, password);
  await page.waitForURL('**/mfa');
  await checkBothLanguages(page, 'MFA code');
  await page.getByLabel('Security code').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/dashboard');
  await page.getByText('Documents requested').waitFor();
  await page.getByText('Action required').waitFor();
  await page.getByText('1 unread message(s)').waitFor();

  // The applicant sends what was asked.
  await page.getByRole('link', { name: 'Visitor visa (temporary resident visa)' }).click();
  await page.getByText('An officer asked for this document by January 31, 2099: The scan is blurred: send a sharper one.').waitFor();
  await checkBothLanguages(page, 'documents requested');
  // Found by its heading: once the request is answered, its file picker goes.
  const passport = page.locator('li.document').filter({ has: page.getByRole('heading', { name: /^Passport/ }) });
  await choosesFile(page, 'passport', { name: 'sharper.pdf', mimeType: 'application/pdf', buffer: PDF });
  await passport.getByRole('button', { name: 'Upload' }).click();
  await passport.getByText(/sharper\.pdf — Received and checked/).waitFor();
});
