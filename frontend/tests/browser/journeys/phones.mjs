// Issue 15, points 7 and 11: on a 390 px phone every page of the app fits the screen (nothing
// scrolls sideways but a wide table, inside its own labelled region) and passes axe, for an
// applicant and for the demo officer. With SCREENSHOTS=1 it also takes the README's pictures
// (docs/screenshots/): the dashboard and an application, in English and French, on a computer's
// screen and on the phone.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  anApplicantSubmits,
  baseUrl,
  checkAccessibility,
  journey,
  officerSignsIn,
  registered,
  settled,
  signIn,
  totp,
} from '../harness.mjs';

const PHONE = { width: 390, height: 844 };
const COMPUTER = { width: 1024, height: 768 };
const screenshots = resolve(import.meta.dirname, '../../../../docs/screenshots');

/** Fails unless the page as shown fits the phone's width — the document no wider than the window
 * (a wide table scrolls inside its own region) — and passes axe. */
async function fitsThePhone(page, where) {
  await settled(page);
  const seen = await page.evaluate(() => {
    const width = window.innerWidth;
    // What sticks out, to say where to look when it fails.
    const wider = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 0.5 && !element.closest('.table-region'))
      .slice(0, 6)
      .map((element) => element.outerHTML.slice(0, 80));
    return { scrollWidth: document.documentElement.scrollWidth, width, wider };
  });
  assert.ok(
    seen.scrollWidth <= seen.width,
    `${where} fits a ${seen.width} px screen (the page is ${seen.scrollWidth} px wide; sticking out: ${seen.wider.join(' | ')})`,
  );
  await checkAccessibility(page, `${where} (390 px)`);
}

/** Opens `path` and checks it on the phone. */
async function visit(page, path, where) {
  await page.goto(`${baseUrl}${path}`);
  await page.locator('#main-content h1').waitFor();
  await fitsThePhone(page, where);
}

/** Saves the page as shown as docs/screenshots/`name`.png, when SCREENSHOTS is set. */
async function screenshot(page, name) {
  if (!process.env.SCREENSHOTS) return;
  mkdirSync(screenshots, { recursive: true });
  await settled(page);
  // From the top, with nothing focused or hovered.
  await page.mouse.move(0, 0);
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: join(screenshots, `${name}.png`) });
}

/** The README's pictures of the page shown: on a computer's screen in English and French, and on
 * the phone in `phoneLanguage`. */
async function pictures(page, name, phoneLanguage) {
  if (!process.env.SCREENSHOTS) return;
  await page.setViewportSize(COMPUTER);
  await screenshot(page, `${name}-en`);
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  await screenshot(page, `${name}-fr`);
  await page.setViewportSize(PHONE);
  if (phoneLanguage === 'fr') await screenshot(page, `${name}-phone-fr`);
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  if (phoneLanguage === 'en') await screenshot(page, `${name}-phone-en`);
}

journey('on a 390 px phone every page fits the screen without scrolling sideways and passes axe, for applicants and officers (issue 15: 7, 11)', async (page) => {
  await page.setViewportSize(PHONE);
  const stamp = Date.now();
  const password = 'a long and pocket-sized passphrase';

  // Signed out: the public pages, the help and an unknown address.
  for (const [path, where] of [
    ['/', 'home'],
    ['/register', 'register'],
    ['/confirm', 'confirm'],
    ['/sign-in', 'sign in'],
    ['/forgot', 'forgot password'],
    ['/reset', 'reset password'],
    ['/help', 'help'],
    ['/no-such-page', 'not found'],
  ]) {
    await visit(page, path, where);
  }
  // The first sign-in's authenticator setup (its QR code and key), for an account of its own.
  const enrolling = `phone-enrolment-${stamp}@example.ca`;
  await registered(enrolling, password);
  await signIn(page, enrolling, password);
  await page.waitForURL('**/mfa-setup');
  await page.locator('#totp-secret').waitFor();
  await fitsThePhone(page, 'authenticator setup');
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code from your authenticator app').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.locator('#recovery-codes li').nth(9).waitFor();
  await fitsThePhone(page, 'recovery codes');
  await page.context().clearCookies();

  // An applicant signs up, fills, pays and submits a visitor visa on the phone.
  const email = `phone-${stamp}@example.ca`;
  await anApplicantSubmits(page, email, password);
  const casePath = new URL(page.url()).pathname;
  await fitsThePhone(page, 'a submitted application');
  for (const [path, where] of [
    [`${casePath}/submitted`, 'the confirmation of a submission'],
    [`${casePath}/messages`, 'messages'],
    [`${casePath}/representatives`, 'representatives'],
    [`${casePath}/withdraw`, 'withdraw an application'],
    ['/applications/link', 'link a paper application'],
    ['/notifications', 'notifications'],
    ['/profile', 'profile'],
    ['/activity', 'activity'],
    ['/security', 'sign-in and security'],
    ['/representative/invitations', 'invitations'],
    ['/firm', 'firm'],
    ['/help', 'help, signed in'],
    ['/no-such-page', 'not found, signed in'],
  ]) {
    await visit(page, path, where);
  }

  // A second application, left a draft: each of its steps, and the checkout of its fees.
  await visit(page, '/applications/new', 'start an application');
  await page.getByLabel('Type of application').selectOption('study-permit');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/applications/') && url.pathname !== '/applications/new');
  const draftPath = new URL(page.url()).pathname;
  const steps = Number((await page.getByText(/^Step 1 of \d+$/).textContent()).match(/of (\d+)/)[1]);
  for (let step = 1; step <= steps; step++) {
    await page.goto(`${baseUrl}${draftPath}?step=${step}`);
    await page.getByText(`Step ${step} of ${steps}`).waitFor();
    await fitsThePhone(page, `draft step ${step} of ${steps}`);
  }
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(/\/checkout\//);
  await page.getByLabel('Card number').waitFor();
  await fitsThePhone(page, 'checkout');
  await page.getByRole('link', { name: /^Cancel and return/ }).click();
  // Back once the app has renewed the session (leaving sooner would drop the rotated cookie).
  await page.getByText(`Step ${steps} of ${steps}`).waitFor();

  // The dashboard lists both; its table scrolls in a region of its own, which the keyboard reaches.
  await visit(page, '/dashboard', 'dashboard');
  const region = page.getByRole('region', { name: /^Table: / }).first();
  assert.equal(await region.getAttribute('tabindex'), '0', 'the table region takes keyboard focus');
  assert.equal(await region.locator('table.applications tbody tr').count(), 2, 'both applications listed');
  await pictures(page, 'dashboard', 'en');
  await page.goto(`${baseUrl}${casePath}`);
  await page.getByText('Status: Submitted').waitFor();
  await pictures(page, 'application', 'fr');

  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/`);

  // The demo officer (enrolled on a first sign-in): the page asking for the code, then the queue,
  // the applicant's case and the appointment slots.
  await officerSignsIn(page);
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/`);
  await signIn(page, 'officer@portal.local', 'demo officer passphrase');
  await page.waitForURL('**/mfa');
  await fitsThePhone(page, 'security code');
  await officerSignsIn(page);
  await fitsThePhone(page, 'officer queue');
  await visit(page, `/officer${casePath}`, "officer's case");
  await visit(page, '/officer/slots', 'appointment slots');
});
