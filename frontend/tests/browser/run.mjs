// Browser journeys against a real local portal serving the built app (dist/), in Debian's
// Chromium driven by playwright-core, with axe checks (no serious or critical violation) on
// every page in English and French. Run by `make test` after `npm run build` and the portal's
// cargo build; PORTAL_BIN points at the portal binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const portalBin = process.env.PORTAL_BIN ?? resolve(root, '../target/debug/portal');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let portal;
let baseUrl;
let browser;
let dataDir;

/** Starts the portal on a free loopback port over a fresh data folder; resolves with its URL. */
function startPortal() {
  dataDir = mkdtempSync(join(tmpdir(), 'portal-browser-'));
  portal = spawn(portalBin, [], {
    env: {
      ...process.env,
      PORTAL_ADDR: '127.0.0.1:0',
      PORTAL_DATA_DIR: join(dataDir, 'data'),
      PORTAL_FRONTEND_DIR: join(root, 'dist'),
      PORTAL_ECHO_MESSAGES: 'false',
      PORTAL_ARGON2_MEMORY_KIB: '1024',
      PORTAL_ARGON2_ITERATIONS: '1',
      // Bookings may be moved up to their start: the appointments journey books slots minutes away.
      PORTAL_APPOINTMENT_CUTOFF_HOURS: '0',
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ready, failed) => {
    portal.once('exit', (code) => failed(new Error(`the portal stopped (${code})`)));
    setTimeout(() => failed(new Error('the portal did not start within a minute')), 60_000).unref();
    // Keep reading its output: a closed pipe would stop it.
    createInterface({ input: portal.stdout }).on('line', (line) => {
      const url = line.split(/\s+/).find((word) => word.startsWith('http://'));
      if (url && !baseUrl) ready(url.replace(/\/$/, ''));
    });
  });
}

before(async () => {
  baseUrl = await startPortal();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  portal?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The latest one-time code emailed to `email` (local mode's outbox). */
async function codeFor(email) {
  const outbox = await (await fetch(`${baseUrl}/api/dev/outbox`)).json();
  const message = outbox.find((m) => m.to === email && m.code);
  assert.ok(message, `a code was emailed to ${email}`);
  return message.code;
}

/** An account registered and confirmed through the API (for journeys about something else). */
async function registered(email, password, { givenName = 'Kim', familyName = 'Lee' } = {}) {
  const post = (path, body) =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/api/auth/register', { email, password, givenName, familyName, preferredLanguage: 'en' });
  await post('/api/auth/confirm', { email, code: await codeFor(email) });
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of a base32 secret, as an authenticator app shows it. */
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Waits until every design-system component on the page (inside others' shadow roots too)
 * has rendered: they load lazily, after the page's own content. */
async function settled(page) {
  await page.waitForFunction(() => {
    const all = [];
    const walk = (root) => {
      for (const element of root.querySelectorAll('*')) {
        if (element.tagName.startsWith('GCDS-')) all.push(element);
        if (element.shadowRoot) walk(element.shadowRoot);
      }
    };
    walk(document);
    // Every page (the web app's, the test checkout's) is made of them: none yet is not rendered.
    return all.length > 0 && all.every((element) => element.classList.contains('hydrated'));
  });
}

/** Fails on any serious or critical accessibility violation of the page as shown. */
async function checkAccessibility(page, where) {
  await settled(page);
  // Evaluated through the DevTools protocol: the page's CSP (which forbids inline scripts) stays
  // in force for the app itself.
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    blocking.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `accessibility of ${where}`,
  );
}

/** Fails unless Tab alone reaches every control of the page (links, buttons, fields, inside
 * the design system's components too): what a keyboard-only user needs to use it. Radio
 * buttons count once per group (arrow keys move within a group). */
async function checkKeyboard(page, where) {
  await settled(page);
  const count = await page.evaluate(() => {
    const controls = [];
    const seenGroups = new Set();
    const walk = (root) => {
      for (const element of root.querySelectorAll('*')) {
        const control = element.matches('a[href], button, input, select, textarea, [tabindex="0"]');
        const visible = element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
        if (control && visible && !element.disabled && element.tabIndex >= 0) {
          const group = element.type === 'radio' ? `radio:${element.name}` : null;
          if (!group || !seenGroups.has(group)) {
            if (group) seenGroups.add(group);
            controls.push(element);
          }
        }
        if (element.shadowRoot) walk(element.shadowRoot);
      }
    };
    walk(document);
    controls.forEach((element, i) => (element.dataset.keyboardCheck = String(i)));
    window.__keyboardReached = new Set();
    const note = () => {
      let element = document.activeElement;
      while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
      let radios = element?.type === 'radio' ? element.closest('form')?.querySelectorAll(`input[name="${element.name}"]`) : null;
      for (const candidate of radios ?? [element]) {
        if (candidate?.dataset?.keyboardCheck) window.__keyboardReached.add(candidate.dataset.keyboardCheck);
      }
    };
    window.__keyboardNote = note;
    return controls.length;
  });
  assert.ok(count >= 3, `${where} has controls to reach (${count})`);
  for (let press = 0; press < count + 10; press++) {
    await page.keyboard.press('Tab');
    await page.evaluate(() => window.__keyboardNote());
  }
  const missed = await page.evaluate(() => {
    const missing = [];
    const walk = (root) => {
      for (const element of root.querySelectorAll('[data-keyboard-check]')) {
        if (!window.__keyboardReached.has(element.dataset.keyboardCheck)) missing.push(element.outerHTML.slice(0, 120));
      }
      for (const host of root.querySelectorAll('*')) if (host.shadowRoot) walk(host.shadowRoot);
    };
    walk(document);
    return missing;
  });
  assert.deepEqual(missed, [], `every control of ${where} is reachable with the keyboard`);
  // Back where a reader of the page starts (a focused skip link would cover the header).
  await page.evaluate(() => document.querySelector('#main-content h1')?.focus());
}

/** Checks the page in English, then in French through the toggle, and back; and that the
 * keyboard reaches every control. */
async function checkBothLanguages(page, where) {
  await checkKeyboard(page, where);
  await checkAccessibility(page, `${where} (en)`);
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  await checkAccessibility(page, `${where} (fr)`);
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
}

async function heading(page) {
  return (await page.locator('#main-content h1').textContent())?.trim();
}

/** Runs a journey in a fresh context; on failure, says what the page showed (and saves a
 * screenshot under the system's temporary folder). */
/** Longest a journey may take before it fails (a hang must not hold CI). */
const JOURNEY_TIMEOUT_MS = 5 * 60 * 1000;

function journey(name, steps) {
  test(name, { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    const context = await browser.newContext({ locale: 'en-CA', acceptDownloads: true });
    const page = await context.newPage();
    try {
      await steps(page);
    } catch (error) {
      const shot = join(tmpdir(), `portal-browser-failure-${Date.now()}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      const shown = await page.locator('#main-content').innerText().catch(() => '(nothing)');
      error.message += `\n  at ${page.url()}\n  page shows: ${shown.slice(0, 600)}\n  screenshot: ${shot}`;
      throw error;
    } finally {
      await context.close();
    }
  });
}

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** Waits until the draft says everything is saved (it says "Saving…" from the first key). */
async function saved(page) {
  await page.getByText('All changes saved').waitFor();
}

/** Answers a form step by field id; the draft saves itself as the applicant types. */
async function answer(page, answers) {
  for (const [id, value] of Object.entries(answers)) {
    const field = page.locator(`#${id}`);
    if ((await field.evaluate((element) => element.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await saved(page);
}

async function next(page) {
  // Clicked once the button is rendered; then waits for that step (the address of the step
  // before matches any step too).
  const step = Number(new URL(page.url()).searchParams.get('step') ?? 1) + 1;
  await settled(page);
  await page.getByRole('link', { name: 'Next' }).click();
  await page.waitForURL((url) => url.searchParams.get('step') === String(step));
  await page.getByText(new RegExp(`^Step ${step} of \\d+$`)).waitFor();
}

/** Pays the fees on the review step: Pay pressed twice opens one checkout, a declined card is
 * refused with its reason there and, once the applicant goes back, on the application; Pay again
 * resumes the same checkout, and the test card that pays brings the applicant back to a payment
 * received, once. */
async function payTheFees(page) {
  await page.getByRole('button', { name: 'Pay $185.00' }).dblclick();
  await page.waitForURL(/\/checkout\//);
  await page.getByRole('heading', { name: 'Pay your fees' }).waitFor();
  await checkAccessibility(page, 'the checkout page');
  const checkout = page.url();
  const payWith = async (card, { keyboard = false } = {}) => {
    await page.getByLabel('Card number').fill(card);
    await page.getByLabel('Expiry (MM/YY)').fill('12/34');
    await page.getByLabel('Security code (CVC)').fill('123');
    if (keyboard) await page.getByLabel('Security code (CVC)').press('Enter');
    else await page.getByRole('button', { name: /^Pay / }).click();
  };
  await payWith('4000 0000 0000 0002');
  const refusal = page.locator('#refusal');
  await refusal.getByText('Your card was declined. Try another card.').waitFor();
  assert.equal(await refusal.getAttribute('role'), 'alert', 'the refusal is announced');
  await page.waitForFunction(() => document.activeElement?.id === 'refusal');
  await checkAccessibility(page, 'a declined card');
  await page.getByRole('link', { name: 'Cancel and return to your application' }).click();
  await page.getByText('Your card was declined. Nothing was charged.').waitFor();
  await checkAccessibility(page, 'back from a declined card');
  await page.getByRole('button', { name: 'Pay $185.00' }).click();
  await page.waitForURL(/\/checkout\//);
  assert.equal(page.url(), checkout, 'the same checkout, resumed');
  await page.getByRole('heading', { name: 'Pay your fees' }).waitFor();
  // The keyboard alone pays: Enter in the last field submits the form.
  await payWith('4242 4242 4242 4242', { keyboard: true });
  await page.getByText('We received your payment of $185.00.').waitFor();
  await page.getByText('Step 5 of 5').waitFor();
  const history = page.locator('table').filter({ hasText: 'Payment reference' }).locator('tbody tr');
  assert.equal(await history.count(), 1, 'one payment for two presses');
  await checkAccessibility(page, 'a payment received');
  // The receipt, downloaded in French, reads in French with the amounts as French writes them.
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger le reçu (PDF)' }).click(),
  ]);
  const saved = join(mkdtempSync(join(tmpdir(), 'portal-receipt-')), 'receipt.pdf');
  await download.saveAs(saved);
  const text = execFileSync('pdftotext', ['-layout', saved, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const expected of ['Reçu de paiement', 'Frais de traitement', 'Frais de biométrie', '185,00 $', 'assujettis']) {
    assert.ok(text.includes(expected), `${expected} in the French receipt: ${text}`);
  }
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
}

/** Fills a visitor visa step by step (checking that a reload loses nothing), uploads its
 * documents with a wrong file refused before sending, and submits it. */
async function fillTheVisitorVisa(page) {
  await page.getByText('Step 1 of 5').waitFor();
  await checkBothLanguages(page, 'application step 1');
  await answer(page, { familyName: 'Tremblay', givenNames: 'Marie', dateOfBirth: '1990-05-17' });
  await page.reload();
  await page.getByText('Step 1 of 5').waitFor();
  assert.equal(await page.locator('#familyName').inputValue(), 'Tremblay', 'saved as typed');
  await answer(page, { countryOfCitizenship: 'France' });
  await next(page);
  // An invalid answer is shown in place; the valid ones are still saved.
  await answer(page, { passportExpiry: '2031-01-31' });
  await page.locator('#passportNumber').fill('ab-1');
  await page.getByText('correct the fields marked in red').waitFor();
  await checkAccessibility(page, 'a field error in the wizard');
  await answer(page, { passportNumber: 'AB1234567' });
  await next(page);
  await answer(page, { purpose: 'tourism', arrivalDate: '2027-07-01', lengthOfStayDays: '21', fundsCad: '8000' });
  await next(page);

  await page.getByText('Step 4 of 5').waitFor();
  // Submitting too early lists what is missing, each item linking to where it is fixed.
  await next(page);
  await page.getByRole('button', { name: 'Submit my application' }).click();
  await page.locator('#missing').getByText('Before you submit').waitFor();
  await checkAccessibility(page, 'what is missing');
  await page.locator('#missing').getByRole('link', { name: /Passport \(pages with your photo and details\): Upload this document/ }).click();
  await page.getByText('Step 4 of 5').waitFor();
  await checkBothLanguages(page, 'documents');
  await page.locator('#file-passport').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.locator('li.document').filter({ has: page.locator('#file-passport') }).getByRole('button', { name: 'Upload' }).click();
  await page.getByText('Send a PDF, JPEG or PNG file.').waitFor();
  await uploadsTheRequiredDocuments(page);
  await next(page);

  await page.getByText('Step 5 of 5').waitFor();
  await page.getByText('$185.00').first().waitFor();
  await checkBothLanguages(page, 'review and submit');
  await payTheFees(page);
  await page.getByRole('button', { name: 'Submit my application' }).click();
  await page.getByText('Status: Submitted').waitFor();
  await checkBothLanguages(page, 'submitted application');
}

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
  const notice = page.getByRole('heading', { name: /Your application was updated/ }).first();
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
  await page.getByText('An officer asked for this document by 2099-01-31: The scan is blurred: send a sharper one.').waitFor();
  await checkBothLanguages(page, 'documents requested');
  const passport = page.locator('li.document').filter({ has: page.locator('#file-passport') });
  await page.locator('#file-passport').setInputFiles({ name: 'sharper.pdf', mimeType: 'application/pdf', buffer: PDF });
  await passport.getByRole('button', { name: 'Upload' }).click();
  await passport.getByText(/sharper\.pdf — Received and checked/).waitFor();
});

async function signIn(page, email, password) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** The visitor visa's required documents uploaded on the documents step, each checked. */
async function uploadsTheRequiredDocuments(page) {
  for (const [kind, file] of [
    ['passport', { name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF }],
    ['photo', { name: 'photo.png', mimeType: 'image/png', buffer: PNG }],
    ['proof-of-funds', { name: 'bank.pdf', mimeType: 'application/pdf', buffer: PDF }],
  ]) {
    const item = page.locator('li.document').filter({ has: page.locator(`#file-${kind}`) });
    await page.locator(`#file-${kind}`).setInputFiles(file);
    await item.getByRole('button', { name: 'Upload' }).click();
    await item.getByText('Received and checked').waitFor();
  }
}

/** The demo officer's authenticator key, once a journey enrolled it (the first to sign in as the
 * officer does). */
let officerSecret = null;

/** The demo officer signs in: enrolling an authenticator the first time, with its next code
 * after that (a code is good once). */
async function officerSignsIn(page) {
  await signIn(page, 'officer@portal.local', 'demo officer passphrase');
  await page.waitForURL(/\/mfa(-setup)?$/);
  if (new URL(page.url()).pathname === '/mfa-setup') {
    await page.locator('#totp-secret').waitFor();
    officerSecret = (await page.locator('#totp-secret').textContent()).trim();
    await page.getByLabel('Code from your authenticator app').fill(totp(officerSecret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
  } else {
    await page.getByLabel('Security code').fill(totp(officerSecret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.waitForURL('**/officer');
}

/** The demo officer enrols an authenticator, finds the application in the queue, receives it,
 * starts the review, asks for a clearer passport by a due date and writes to the applicant. */
async function theOfficerAsksForADocument(page) {
  await officerSignsIn(page);
  await checkBothLanguages(page, 'officer queue');
  await page.locator('table.applications gcds-link').first().click();
  await page.waitForURL('**/officer/applications/*');
  await page.getByRole('heading', { name: 'Answers' }).waitFor();
  await checkBothLanguages(page, 'officer case');
  for (const to of ['received', 'in_review']) {
    await page.locator('#to').selectOption(to);
    await page.locator('#reason').fill('Complete file');
    await page.getByRole('button', { name: 'Change the status' }).click();
    await page.getByText('Done.').waitFor();
    await page.getByText(`Status: ${to === 'received' ? 'Received' : 'In review'}`).waitFor();
  }
  // Documents: download the photo, refuse it without a reason (refused), then accept the passport.
  const photo = page.locator('li.document').filter({ hasText: 'Digital photo' });
  const [downloaded] = await Promise.all([page.waitForEvent('download'), photo.getByRole('button', { name: /Download/ }).click()]);
  assert.equal(downloaded.suggestedFilename(), 'photo.png');
  await photo.getByRole('button', { name: 'Do not accept' }).click();
  await page.locator('#error-summary').getByText('Reason (required to not accept)').waitFor();
  const passport = page.locator('li.document').filter({ hasText: 'Passport (pages' }).first();
  await passport.getByRole('button', { name: 'Accept', exact: true }).click();
  await passport.getByText('Accepted by an officer').waitFor();
  await page.getByLabel('Passport (pages with your photo and details)').check();
  await page.locator('#requestNote').fill('The scan is blurred: send a sharper one.');
  await page.locator('#dueDate').fill('2099-01-31');
  await page.getByRole('button', { name: 'Ask the applicant' }).click();
  await page.getByText('Status: Documents requested').waitFor();
  await page.locator('#message').fill('Please send a sharper scan of your passport.');
  await page.getByRole('button', { name: 'Send' }).click();
  // In the thread: the text area keeps what was typed, so the page holds the words twice.
  await page.locator('.thread').getByText('Please send a sharper scan of your passport.').waitFor();
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

/** The text of whatever has keyboard focus, looking through shadow roots. */
async function focusedText(page) {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    if (!element || element === document.body) return '';
    const host = element.getRootNode()?.host;
    return `${element.textContent ?? ''} ${element.getAttribute('aria-label') ?? ''} ${host?.textContent ?? ''}`;
  });
}

/** Presses Tab until what has focus says `text` (a keyboard user's way to a control). */
async function tabTo(page, text) {
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    if ((await focusedText(page)).includes(text)) return;
  }
  assert.fail(`no control saying "${text}" is reachable with Tab`);
}

/** Tabs to the field `id` and types into it. */
async function typeInto(page, id, value) {
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      let element = document.activeElement;
      while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
      return element?.id ?? '';
    });
    if (focused === id) {
      await page.keyboard.type(value);
      return;
    }
  }
  assert.fail(`the field ${id} is not reachable with Tab`);
}

journey('a forgotten password is reset with the keyboard only', async (page) => {
  const email = `keyboard-${Date.now()}@example.ca`;
  await registered(email, 'an old forgotten passphrase');

  await page.goto(`${baseUrl}/sign-in`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await tabTo(page, 'Forgot your password?');
  await page.keyboard.press('Enter');
  await page.waitForURL('**/forgot');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus moves to the new page');
  await checkBothLanguages(page, 'forgot password');
  await typeInto(page, 'email', email);
  await page.keyboard.press('Enter');

  await page.waitForURL('**/reset');
  await checkBothLanguages(page, 'reset password');
  const code = (await (await fetch(`${baseUrl}/api/dev/outbox`)).json()).find((m) => m.to === email && m.code && /reset/i.test(m.subject)).code;
  await typeInto(page, 'code', code);
  await typeInto(page, 'newPassword', 'short');
  await page.keyboard.press('Enter');
  // The errors are announced and get the focus.
  await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
  await typeInto(page, 'newPassword', ' but now a much longer one');
  await page.keyboard.press('Enter');
  await page.waitForURL('**/sign-in');
  await page.getByText('Your password was changed.').waitFor();
});

journey('an inactive session warns, can be kept, then ends with the draft saved', async (page) => {
  // The page's clock is simulated; the portal's is real.
  await page.clock.install();
  const email = `idle-${Date.now()}@example.ca`;
  const password = 'a long and idle passphrase';
  const secret = await anApplicantStarts(page, email, password, 'study-permit');
  const firstField = page.locator('#main-content gcds-input').first();
  await firstField.locator('input').fill('Typed just before leaving');

  await page.clock.fastForward('13:05');
  await page.getByText('Your session will end in 2 minutes').waitFor();
  await checkAccessibility(page, 'inactivity warning');
  await page.getByRole('button', { name: 'Stay signed in' }).click();
  await page.clock.fastForward('05:00');
  assert.equal(page.url().includes('/sign-in'), false, 'staying signed in keeps the session');

  await page.clock.fastForward('16:00');
  await page.waitForURL('**/sign-in?ended=inactivity');
  await page.getByText('Your session ended after a period of inactivity').waitFor();
  await signIn(page, email, password);
  await page.getByLabel('Security code').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/dashboard');
  await page.locator('table.applications gcds-link').first().click();
  await page.waitForURL('**/applications/*');
  assert.equal(await page.locator('#main-content gcds-input').first().locator('input').inputValue(),
    'Typed just before leaving', 'nothing typed is lost when the session ends');
});

/** The local time in Ottawa at `ms` as an officer types it (`YYYY-MM-DDTHH:MM`). */
function ottawaLocal(ms) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/Toronto', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(ms).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** How en-CA writes the time of a `YYYY-MM-DDTHH:MM` local time, without its period: `2:05`. */
const clock = (local) => `${Number(local.slice(11, 13)) % 12 || 12}:${local.slice(14, 16)}`;

/** A registered user's first sign-in: an authenticator set up, on to the dashboard; gives the
 * authenticator's secret (for later sign-ins). */
async function signsInFirstTime(page, email, password) {
  await signIn(page, email, password);
  await page.waitForURL('**/mfa-setup');
  await page.locator('#totp-secret').waitFor();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code from your authenticator app').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.waitForURL('**/dashboard');
  return secret;
}

/** A new applicant registered, signed in with an authenticator set up, on a new draft of `type`;
 * gives the authenticator's secret (for later sign-ins). */
async function anApplicantStarts(page, email, password, type, names) {
  await registered(email, password, names);
  const secret = await signsInFirstTime(page, email, password);
  await page.getByRole('link', { name: 'Start an application' }).click();
  await page.getByLabel('Type of application').selectOption(type);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.waitForURL('**/applications/*');
  return secret;
}

/** A new applicant signed in, with a visitor visa submitted (fees paid): the shortest way there. */
async function anApplicantSubmits(page, email, password) {
  await anApplicantStarts(page, email, password, 'visitor-visa');
  await page.getByText('Step 1 of 5').waitFor();
  await answer(page, { familyName: 'Nguyen', givenNames: 'Linh', dateOfBirth: '1988-03-02', countryOfCitizenship: 'Viet Nam' });
  await next(page);
  await answer(page, { passportNumber: 'CD7654321', passportExpiry: '2032-06-30' });
  await next(page);
  await answer(page, { purpose: 'tourism', arrivalDate: '2027-08-01', lengthOfStayDays: '14', fundsCad: '6000' });
  await next(page);
  await uploadsTheRequiredDocuments(page);
  await next(page);
  await page.getByRole('button', { name: 'Pay $185.00' }).click();
  await page.waitForURL(/\/checkout\//);
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry (MM/YY)').fill('12/34');
  await page.getByLabel('Security code (CVC)').fill('123');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByText('We received your payment of $185.00.').waitFor();
  await page.getByRole('button', { name: 'Submit my application' }).click();
  await page.getByText('Status: Submitted').waitFor();
  return (await page.getByText(/^Application number: /).textContent()).replace('Application number: ', '').trim();
}

/** Saves the calendar file the applicant's "Add to calendar" gives and reads it. */
async function calendarFile(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Add to calendar' }).click(),
  ]);
  const saved = join(mkdtempSync(join(tmpdir(), 'portal-calendar-')), download.suggestedFilename());
  await download.saveAs(saved);
  assert.match(saved, /\.ics$/);
  return readFileSync(saved, 'utf8');
}

/** Chooses a location and the first day to look at in the applicant's slot picker, and shows its
 * free slots. */
async function lookForSlots(page, day) {
  await page.locator('#appointment-location').selectOption('ottawa');
  await page.locator('#appointment-from').fill(day);
  await page.getByRole('button', { name: 'Show available times' }).click();
  await page.getByRole('group', { name: 'Choose a time' }).waitFor();
  return page.locator('input[name=slot]');
}

journey('an applicant books and moves a biometrics appointment, and the officer records it, in the browser', async (page) => {
  // The officer works in a window of their own, beside the applicant's.
  const officerContext = await browser.newContext({ locale: 'en-CA' });
  const officer = await officerContext.newPage();
  try {
    // The officer signs in and looks at the slots page; an applicant submits a visitor visa.
    await officerSignsIn(officer);
    await officer.getByRole('link', { name: 'Appointment slots' }).click();
    await officer.waitForURL('**/officer/slots');
    await checkBothLanguages(officer, 'officer slots');
    const number = await anApplicantSubmits(page, `appointment-${Date.now()}@example.ca`, 'a long and punctual passphrase');

    // The officer asks for biometrics.
    await officer.getByRole('link', { name: 'Officer console' }).click();
    await officer.getByRole('link', { name: number }).click();
    await officer.waitForURL('**/officer/applications/*');
    await officer.getByText('No appointment booked.').waitFor();
    for (const [to, label] of [['received', 'Received'], ['biometrics_requested', 'Biometrics requested']]) {
      await officer.locator('#to').selectOption(to);
      await officer.locator('#reason').fill('Biometrics needed');
      await officer.getByRole('button', { name: 'Change the status' }).click();
      await officer.getByText(`Status: ${label}`).waitFor();
    }

    // Now a day's schedule: three 5-minute slots (the shortest) at Ottawa, one place each, the
    // first 2 to 3 minutes from now in Ottawa's time (an outcome is recorded once the
    // appointment has begun, and the portal runs on the real clock). Published only now, so the
    // booking and the move that follow have those minutes whatever the machine's speed.
    const caseUrl = officer.url();
    await officer.getByRole('link', { name: 'Appointment slots' }).click();
    await officer.waitForURL('**/officer/slots');
    const first = Math.ceil((Date.now() + 120_000) / 60_000) * 60_000;
    const start = ottawaLocal(first);
    const day = start.slice(0, 10);
    await officer.locator('#location').selectOption('ottawa');
    await officer.locator('#service').selectOption('biometrics');
    await officer.locator('#start').fill(start);
    await officer.locator('#minutes').fill('5');
    await officer.locator('#capacity').fill('1');
    await officer.locator('#count').fill('3');
    await officer.getByRole('button', { name: 'Publish the slots' }).click();
    await officer.getByText('Slots published: 3.').waitFor();
    const rows = officer.locator('table.applications tbody tr');
    assert.equal(await rows.count(), 3, 'the day lists the slots published');
    assert.match(await rows.first().innerText(), /1 of 1/);
    // The last one is closed to bookings.
    await rows.nth(2).getByRole('button', { name: /^Close the / }).click();
    await rows.nth(2).getByText('Closed').waitFor();
    await checkAccessibility(officer, 'the published slots');
    // A start in the past is refused, the error tied to its field.
    await officer.locator('#start').fill(ottawaLocal(Date.now() - 3_600_000));
    await officer.getByRole('button', { name: 'Publish the slots' }).click();
    await officer.locator('#error-summary').getByRole('link', { name: 'Start of the first slot: Choose a time in the future.' }).waitFor();
    await checkAccessibility(officer, 'a schedule refused');

    await officer.goto(caseUrl);
    await officer.getByText('Status: Biometrics requested').waitFor();

    // The applicant books the later of the two open slots (the closed one is not offered).
    await page.reload();
    await page.getByText('Status: Biometrics requested').waitFor();
    await page.getByRole('heading', { name: 'Book an appointment' }).waitFor();
    let times = await lookForSlots(page, day);
    assert.equal(await times.count(), 2, 'the open slots, not the closed one');
    await page.getByText('1 place left').first().waitFor();
    await checkBothLanguages(page, 'the slot picker');
    const later = ottawaLocal(first + 5 * 60_000);
    await times.nth(1).check();
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await page.getByText('Your appointment is booked.').waitFor();
    const booking = page.locator('dl.answers');
    for (const expected of ['Biometrics (fingerprints and photo)', 'Ottawa Service Point', '200 Rideau Street', 'Step-free entrance', clock(later)]) {
      assert.ok((await booking.innerText()).includes(expected), `${expected} in the booking`);
    }
    await page.getByText("Times are in the location's time zone: America/Toronto").waitFor();
    await checkAccessibility(page, 'a booked appointment');
    const booked = await calendarFile(page);
    const uid = booked.match(/^UID:(.*)$/m)?.[1].trim();
    assert.ok(uid && /^SEQUENCE:0\r?$/m.test(booked), booked);

    // It moves to the earlier slot: the same event, one sequence later.
    await page.getByRole('button', { name: 'Reschedule' }).click();
    await page.getByRole('heading', { name: 'Choose a new time' }).waitFor();
    times = await lookForSlots(page, day);
    assert.equal(await times.count(), 1, 'the other open slot');
    await times.first().check();
    await page.getByRole('button', { name: 'Move my appointment to this time' }).click();
    await page.getByText('Your appointment was moved.').waitFor();
    assert.ok((await booking.innerText()).includes(clock(start)), 'the new time in the booking');
    const moved = await calendarFile(page);
    assert.ok(moved.includes('BEGIN:VCALENDAR'), moved);
    assert.ok(moved.includes(`UID:${uid}`), `the same UID after the move: ${moved}`);
    assert.match(moved, /^SEQUENCE:1\r?$/m);

    // Once the appointment has begun, the officer records that the applicant came.
    await officer.reload();
    const attended = officer.getByRole('button', { name: 'Attended' });
    await attended.waitFor();
    const deadline = Date.now() + 4 * 60_000;
    while (Date.now() < first + 1000) {
      assert.ok(Date.now() < deadline, 'the appointment begins within 4 minutes');
      await officer.waitForTimeout(1000);
    }
    // Begun, it can no longer be cancelled online: the applicant is told until when it could.
    await page.getByRole('button', { name: 'Cancel the appointment' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.locator('#error-summary')
      .getByText(/^The appointment is too close to change online: contact the agency\. Until .+, it could be changed online\.$/)
      .waitFor();
    await attended.click();
    await officer.getByText('Status: Biometrics completed').waitFor();

    await page.reload();
    await page.getByText('Status: Biometrics completed').waitFor();
    await page.getByRole('heading', { name: 'Earlier bookings' }).waitFor();
    await page.locator('ul.appointments').getByText('Attended').waitFor();
  } catch (error) {
    const shown = await officer.locator('#main-content').innerText().catch(() => '(nothing)');
    error.message += `\n  the officer's window at ${officer.url()} shows: ${shown.slice(0, 600)}`;
    throw error;
  } finally {
    await officerContext.close();
  }
});

/** The applicant invites `email` from the representatives page: unpaid, with `scope`, the consent
 * statement confirmed. */
async function inviteUnpaid(page, email, scope) {
  await page.locator('#email').fill(email);
  await page.getByLabel(/^Unpaid:/).check();
  await page.getByLabel(scope === 'full' ? 'Full access' : 'Read only').check();
  await page.getByLabel('I have read the consent statement and I agree to it').check();
  await page.getByRole('button', { name: 'Send the invitation' }).click();
  await page.getByText(`Invitation sent to ${email}.`).waitFor();
}

/** The applicant revokes `name` from the representatives page, after saying yes. */
async function revoke(page, name) {
  await page.getByRole('button', { name: `Revoke ${name}` }).click();
  await page.getByText(`Revoke ${name}'s access to this application?`).waitFor();
  await page.getByRole('button', { name: 'Yes, revoke the access' }).click();
  await page.getByText(`${name} no longer represents you on this application.`).waitFor();
}

/** The representative accepts the invitation of `client` from their invitations page. */
async function accept(page, client) {
  await page.getByRole('heading', { name: client }).waitFor();
  await page.getByRole('button', { name: `Accept ${client}'s invitation` }).click();
  await page.getByText(`You now represent ${client}.`).waitFor();
}

journey('an applicant lets a representative work on a draft, then narrows and ends that access, in the browser', async (page) => {
  // The representative works in a window of their own, beside the applicant's.
  const repContext = await browser.newContext({ locale: 'en-CA' });
  const rep = await repContext.newPage();
  try {
    const stamp = Date.now();
    const repEmail = `representative-${stamp}@example.ca`;
    const repPassword = 'a long and helpful passphrase';
    await registered(repEmail, repPassword, { givenName: 'Priya', familyName: 'Sharma' });
    await anApplicantStarts(page, `client-${stamp}@example.ca`, 'a long and trusting passphrase', 'visitor-visa',
      { givenName: 'Amara', familyName: 'Okafor' });
    await page.getByText('Step 1 of 5').waitFor();
    const casePath = new URL(page.url()).pathname;

    // The applicant opens the representatives page: nobody yet, and the consent statement to read.
    await page.getByRole('link', { name: 'Representatives: who can act for you' }).click();
    await page.waitForURL('**/representatives');
    await page.getByText('Nobody represents you on this application.').waitFor();
    await page.getByText(/^I appoint the person named above/).waitFor();
    await checkBothLanguages(page, 'representatives');
    // What is missing is said before anything is sent; then the API's refusals, field by field.
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
    await page.locator('#error-summary').getByText('Choose whether they are paid.').waitFor();
    await page.getByLabel(/^Paid:/).check();
    await page.locator('#licenceNumber').fill('12345');
    await page.getByLabel('Full access').check();
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    const summary = page.locator('#error-summary');
    await summary.getByText(/R followed by 6 digits/).waitFor();
    await summary.getByText('Enter a valid email address.').waitFor();
    await summary.getByText('Confirm the consent statement to authorize a representative.').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
    await checkAccessibility(page, 'an invitation refused');
    await inviteUnpaid(page, repEmail, 'full');
    await page.getByRole('cell', { name: /^Waiting for them to accept/ }).waitFor();

    // The representative signs in and sets up their firm: its name goes with their acts.
    await signsInFirstTime(rep, repEmail, repPassword);
    await rep.getByRole('link', { name: 'My firm' }).click();
    await rep.waitForURL('**/firm');
    await checkBothLanguages(rep, 'firm');
    await rep.getByRole('button', { name: 'Create the firm' }).click();
    await rep.locator('#error-summary').getByText('Name of the firm: This field is required.').waitFor();
    await rep.locator('#create-name').fill('Cabinet Nord');
    await rep.getByRole('button', { name: 'Create the firm' }).click();
    await rep.getByText('Your firm was created. You are its administrator.').waitFor();
    await rep.locator('table.applications tr').filter({ hasText: 'Priya Sharma' }).getByText('Administrator').waitFor();
    await checkBothLanguages(rep, 'a firm and its members');

    // They find the invitation and accept it.
    await rep.getByRole('link', { name: 'Invitations', exact: true }).click();
    await rep.waitForURL('**/representative/invitations');
    await rep.getByRole('heading', { name: 'Amara Okafor' }).waitFor();
    await rep.getByText('Visitor visa (temporary resident visa)').waitFor();
    await checkBothLanguages(rep, 'invitations');
    await accept(rep, 'Amara Okafor');

    // The client is on their dashboard, in its own section, with the access given.
    await rep.getByRole('link', { name: 'My applications' }).click();
    await rep.waitForURL('**/dashboard');
    await rep.getByRole('heading', { name: 'Clients' }).waitFor();
    const client = rep.locator('table.applications tr').filter({ hasText: 'Amara Okafor' });
    await client.getByText('Full access').waitFor();
    await rep.getByText('You have no applications yet.').waitFor();
    await checkBothLanguages(rep, "a representative's dashboard");

    // They complete the form and upload a document; submitting and paying stay the applicant's.
    await client.getByRole('link', { name: 'Visitor visa (temporary resident visa)' }).click();
    await rep.waitForURL(`**${casePath}`);
    await rep.getByText('You represent Amara Okafor on this application with full access.').waitFor();
    await rep.getByText('Step 1 of 5').waitFor();
    await answer(rep, { familyName: 'Okafor', givenNames: 'Amara' });
    await checkBothLanguages(rep, 'a draft worked on by a representative');
    assert.equal(await rep.getByRole('link', { name: /^Representatives/ }).count(), 0, 'no way to choose representatives');
    await rep.goto(`${baseUrl}${casePath}?step=4`);
    await rep.getByText('Step 4 of 5').waitFor();
    const passport = rep.locator('li.document').filter({ has: rep.locator('#file-passport') });
    await rep.locator('#file-passport').setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF });
    await passport.getByRole('button', { name: 'Upload' }).click();
    await passport.getByText(/passport\.pdf — Received and checked/).waitFor();
    await next(rep);
    await rep.getByText('Only the applicant can pay the fees and submit the application.').waitFor();
    assert.equal(await rep.getByRole('button', { name: 'Submit my application' }).count(), 0, 'no submit button');
    assert.equal(await rep.getByRole('button', { name: /^Pay / }).count(), 0, 'no pay button');

    // The applicant reads who did what on their application.
    await page.getByRole('link', { name: 'My activity' }).click();
    await page.waitForURL('**/activity');
    await page.getByRole('cell', { name: 'Your representative, Priya Sharma (Cabinet Nord)' }).first().waitFor();
    await page.getByRole('cell', { name: 'Sending a document — passport.pdf' }).first().waitFor();
    await checkBothLanguages(page, 'activity with a representative');

    // An officer sees, on the case, who represents the applicant and how.
    const officerContext = await browser.newContext({ locale: 'en-CA' });
    const officer = await officerContext.newPage();
    try {
      await officerSignsIn(officer);
      await officer.goto(`${baseUrl}/officer${casePath}`);
      await officer.getByRole('heading', { name: 'Representatives' }).waitFor();
      const held = officer.locator('table.applications tr').filter({ hasText: 'Priya Sharma' });
      await held.getByText('Cabinet Nord').waitFor();
      await held.getByText('Full access').waitFor();
      await checkBothLanguages(officer, 'a case with its representative, for officers');
    } finally {
      await officerContext.close();
    }

    // The applicant narrows the access: revoked, then invited again with read access only, which
    // the representative accepts in another tab while the draft is still open in the first.
    await rep.goto(`${baseUrl}${casePath}?step=1`);
    await rep.locator('#familyName').waitFor();
    await page.goto(`${baseUrl}${casePath}/representatives`);
    const grant = page.locator('table.applications tr').filter({ hasText: 'Priya Sharma' });
    await grant.getByText('Full access').waitFor();
    await grant.getByText('Cabinet Nord').waitFor();
    await grant.getByText('Unpaid').waitFor();
    await page.getByRole('button', { name: 'Revoke Priya Sharma' }).click();
    await checkAccessibility(page, 'a revocation to confirm');
    await page.getByRole('button', { name: 'No, keep it' }).click();
    await revoke(page, 'Priya Sharma');
    await inviteUnpaid(page, repEmail, 'read');
    const other = await repContext.newPage();
    await other.goto(`${baseUrl}/representative/invitations`);
    await accept(other, 'Amara Okafor');
    await other.close();
    await rep.locator('#familyName').fill('Okafor-Adeyemi');
    await rep.getByText('Your changes were not saved. Your access to this application is read-only: the applicant can give you full access').waitFor();
    await checkAccessibility(rep, 'a change refused');
    await rep.reload();
    await rep.getByText('You represent Amara Okafor on this application with read-only access').waitFor();
    await rep.locator('dl.answers').getByText('Okafor', { exact: true }).waitFor();
    assert.equal(await rep.locator('#familyName').count(), 0, 'nothing to edit with read access');
    await checkBothLanguages(rep, 'a draft read by a representative');

    // The applicant ends it: the representative's next click finds nothing.
    await page.reload();
    await revoke(page, 'Priya Sharma');
    await page.getByText('Nobody represents you on this application.').waitFor();
    await rep.getByRole('link', { name: 'Next' }).click();
    await rep.getByRole('heading', { name: 'We could not find that page' }).waitFor();
    await rep.getByRole('link', { name: 'My applications' }).click();
    await rep.getByText('You have no applications yet.').waitFor();
    assert.equal(await rep.getByRole('heading', { name: 'Clients' }).count(), 0, 'no client left');
  } catch (error) {
    const shown = await rep.locator('#main-content').innerText().catch(() => '(nothing)');
    error.message += `\n  the representative's window at ${rep.url()} shows: ${shown.slice(0, 600)}`;
    throw error;
  } finally {
    await repContext.close();
  }
});
