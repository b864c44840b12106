// The browser journeys' harness: one local portal (a fresh data folder) and one Chromium for
// the whole run, and the steps and checks the journeys share (axe in both languages, keyboard
// reach, sign-in with a one-time code). Each journey file imports what it uses from here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');

const portalBin = process.env.PORTAL_BIN ?? resolve(root, '../target/debug/portal');

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let portal;
export let baseUrl;
export let browser;
let dataDir;

/** The admin CLI (`portal-admin`), for journeys that prepare a data folder before its portal starts. */
export const adminBin = process.env.PORTAL_ADMIN_BIN ?? resolve(root, '../target/debug/portal-admin');

/** Starts a portal over `folder` (its store in `folder/data`) on a free loopback port; resolves
 * with its URL and its process (which a journey that started it stops). */
export function launchPortal(folder) {
  const child = spawn(portalBin, [], {
    env: {
      ...process.env,
      PORTAL_ADDR: '127.0.0.1:0',
      PORTAL_DATA_DIR: join(folder, 'data'),
      PORTAL_FRONTEND_DIR: process.env.PORTAL_FRONTEND_DIR ?? join(root, 'dist'),
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
    let started = false;
    child.once('exit', (code) => failed(new Error(`the portal stopped (${code})`)));
    setTimeout(() => failed(new Error('the portal did not start within a minute')), 60_000).unref();
    // Keep reading its output: a closed pipe would stop it.
    createInterface({ input: child.stdout }).on('line', (line) => {
      const url = line.split(/\s+/).find((word) => word.startsWith('http://'));
      if (url && !started) {
        started = true;
        ready({ url: url.replace(/\/$/, ''), child });
      }
    });
  });
}

/** Starts the run's portal over a fresh data folder; resolves with its URL. */
async function startPortal() {
  dataDir = mkdtempSync(join(tmpdir(), 'portal-browser-'));
  const started = await launchPortal(dataDir);
  portal = started.child;
  return started.url;
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
  if (process.env.AXE_FINDINGS) {
    const findings = Object.fromEntries([...lesserFindings].map(([rule, f]) => [rule, { ...f, where: [...f.where] }]));
    writeFileSync(process.env.AXE_FINDINGS, JSON.stringify(findings, null, 2));
  }
  await browser?.close();
  portal?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The latest one-time code emailed to `email` (local mode's outbox). */
export async function codeFor(email, portalUrl = baseUrl) {
  const outbox = await (await fetch(`${portalUrl}/api/dev/outbox`)).json();
  const message = outbox.find((m) => m.to === email && m.code);
  assert.ok(message, `a code was emailed to ${email}`);
  return message.code;
}

/** An account registered and confirmed through the API (for journeys about something else). */
export async function registered(email, password, { givenName = 'Kim', familyName = 'Lee' } = {}, portalUrl = baseUrl) {
  const post = (path, body) =>
    fetch(`${portalUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await post('/api/auth/register', { email, password, givenName, familyName, preferredLanguage: 'en' });
  await post('/api/auth/confirm', { email, code: await codeFor(email, portalUrl) });
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of a base32 secret, as an authenticator app shows it. */
export function totp(secret, at = Date.now()) {
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
export async function settled(page) {
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

/** The axe findings that fail no journey, seen during the run, by rule: moderate and minor
 * violations, and what axe could not decide ("needs review"). The README lists them with a plan;
 * written as JSON to the file AXE_FINDINGS names, when it is set. */
const lesserFindings = new Map();

/** Fails on any serious or critical accessibility violation of the page as shown. */
export async function checkAccessibility(page, where) {
  await settled(page);
  // Evaluated through the DevTools protocol: the page's CSP (which forbids inline scripts) stays
  // in force for the app itself.
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const lesser = results.violations.filter((v) => !blocking.includes(v)).map((v) => [v, 'violation']);
  for (const [v, kind] of [...lesser, ...results.incomplete.map((v) => [v, 'needs review'])]) {
    const key = `${v.id} (${kind})`;
    const finding = lesserFindings.get(key) ?? { impact: v.impact, help: v.help, where: new Set() };
    finding.where.add(where);
    lesserFindings.set(key, finding);
  }
  assert.deepEqual(
    blocking.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `accessibility of ${where}`,
  );
}

/** Fails unless Tab alone reaches every control of the page (links, buttons, fields, inside
 * the design system's components too): what a keyboard-only user needs to use it. Radio
 * buttons count once per group (arrow keys move within a group). */
export async function checkKeyboard(page, where) {
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
export async function checkBothLanguages(page, where) {
  await checkKeyboard(page, where);
  await checkAccessibility(page, `${where} (en)`);
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  await checkAccessibility(page, `${where} (fr)`);
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
}

export async function heading(page) {
  return (await page.locator('#main-content h1').textContent())?.trim();
}

/** Runs a journey in a fresh context; on failure, says what the page showed (and saves a
 * screenshot under the system's temporary folder). */
/** Longest a journey may take before it fails (a hang must not hold CI). */
const JOURNEY_TIMEOUT_MS = 5 * 60 * 1000;

export function journey(name, steps) {
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

/** Runs a journey against a portal of its own (a fresh data folder), as the run's portal for its
 * duration. Every journey signs in from the one loopback address, and the account limits count
 * per client address (30 sign-ins and 30 codes a minute): journeys that sign in and prove
 * themselves again and again would spend the shared portal's budget for those after them. */
export function journeyOnItsOwnPortal(name, steps) {
  journey(name, async (page) => {
    const folder = mkdtempSync(join(tmpdir(), 'portal-journey-'));
    const own = await launchPortal(folder);
    const shared = { url: baseUrl, officerSecret, officerStep };
    baseUrl = own.url;
    officerSecret = null;
    officerStep = -1;
    try {
      await steps(page);
    } finally {
      ({ url: baseUrl, officerSecret, officerStep } = shared);
      own.child.kill();
      rmSync(folder, { recursive: true, force: true });
    }
  });
}

export const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

export const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** Waits until the draft says everything is saved (it says "Saving…" from the first key). */
export async function saved(page) {
  await page.getByText('All changes saved').waitFor();
}

/** Answers a form step by field id; the draft saves itself as the applicant types. */
export async function answer(page, answers) {
  for (const [id, value] of Object.entries(answers)) {
    const field = page.locator(`#${id}`);
    if ((await field.evaluate((element) => element.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await saved(page);
}

export async function next(page) {
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
export async function payTheFees(page) {
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
export async function fillTheVisitorVisa(page) {
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
  await confirmsTheDeclaration(page);
  await page.getByRole('button', { name: 'Submit my application' }).click();
  const missing = page.locator('#error-summary');
  await missing.getByText('Before you submit').waitFor();
  await checkAccessibility(page, 'what is missing');
  await missing.getByRole('link', { name: /Passport \(pages with your photo and details\): Upload this document/ }).click();
  await page.getByText('Step 4 of 5').waitFor();
  await checkBothLanguages(page, 'documents');
  await choosesFile(page, 'passport', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.locator('li.document').filter({ has: page.locator('#file-passport') }).getByRole('button', { name: 'Upload' }).click();
  await page.getByText('Send a PDF, JPEG or PNG file.').waitFor();
  await uploadsTheRequiredDocuments(page);
  await next(page);

  await page.getByText('Step 5 of 5').waitFor();
  await page.getByText('$185.00').first().waitFor();
  await checkBothLanguages(page, 'review and submit');
  await payTheFees(page);
  await signsAndSubmits(page);
  await checkBothLanguages(page, 'submitted application');
}

/** On the review step, the applicant ticks the declaration's "I confirm". */
export async function confirmsTheDeclaration(page) {
  await page.getByLabel('I have read the declaration and I confirm it').check();
}

/** On the review step, the applicant confirms the declaration and submits: the confirmation page
 * gives the application number, and its link leads back to the application, submitted. Gives
 * the number. */
export async function signsAndSubmits(page) {
  await confirmsTheDeclaration(page);
  await page.getByRole('button', { name: 'Submit my application' }).click();
  await page.waitForURL('**/applications/*/submitted');
  // The number is the notice's title (its heading, inside the design system's component).
  await page.getByRole('heading', { name: /Your application number is / }).waitFor();
  const title = await page.locator('gcds-notice[notice-role="success"]').getAttribute('notice-title');
  const number = title.match(/[A-Z][0-9]{9}/)?.[0];
  assert.ok(number, `an application number in "${title}"`);
  await page.getByRole('link', { name: 'Go to your application' }).click();
  await page.getByText('Status: Submitted').waitFor();
  await page.getByText(`Application number: ${number}`).waitFor();
  return number;
}

/** On the review step, the fees paid at once with the test card that pays. */
export async function paysWithTheTestCard(page) {
  await page.getByRole('button', { name: 'Pay $185.00' }).click();
  await page.waitForURL(/\/checkout\//);
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry (MM/YY)').fill('12/34');
  await page.getByLabel('Security code (CVC)').fill('123');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByText('We received your payment of $185.00.').waitFor();
}

export async function signIn(page, email, password, portalUrl = baseUrl) {
  await page.goto(`${portalUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Chooses `file` in the uploader of `kind` and waits until the uploader holds it. Its input's
 * change is what fills the uploader; one set while the design system is still rendering the
 * uploader (just after a language change) can be missed, so it is set again until it is held. */
export async function choosesFile(page, kind, file) {
  for (let attempt = 1; ; attempt++) {
    await page.locator(`#file-${kind}`).setInputFiles(file);
    const held = await page
      .waitForFunction(
        ([id, name]) => document.querySelector(`gcds-file-uploader[uploader-id="${id}"]`)?.files?.[0]?.name === name,
        [`file-${kind}`, file.name],
        { timeout: 3000 },
      )
      .then(() => true, () => false);
    if (held) return;
    if (attempt === 3) throw new Error(`the ${kind} uploader never held ${file.name}`);
  }
}

/** The visitor visa's required documents uploaded on the documents step, each checked. */
export async function uploadsTheRequiredDocuments(page) {
  for (const [kind, file] of [
    ['passport', { name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF }],
    ['photo', { name: 'photo.png', mimeType: 'image/png', buffer: PNG }],
    ['proof-of-funds', { name: 'bank.pdf', mimeType: 'application/pdf', buffer: PDF }],
  ]) {
    const item = page.locator('li.document').filter({ has: page.locator(`#file-${kind}`) });
    await choosesFile(page, kind, file);
    await item.getByRole('button', { name: 'Upload' }).click();
    await item.getByText('Received and checked').waitFor();
  }
}

/** The demo officer's authenticator key, once a journey enrolled it (the first to sign in as the
 * officer does). */
export let officerSecret = null;

/** The 30-second step of the officer's last code: the next sign-in needs a later one. */
let officerStep = -1;
const stepOf = (ms) => Math.floor(ms / 30_000);

/** The demo officer signs in: enrolling an authenticator the first time, with its next code
 * after that (a code is good once: two sign-ins within one step wait for the next). */
export async function officerSignsIn(page) {
  await signIn(page, 'officer@portal.local', 'demo officer passphrase');
  await page.waitForURL(/\/mfa(-setup)?$/);
  if (new URL(page.url()).pathname === '/mfa-setup') {
    await page.locator('#totp-secret').waitFor();
    officerSecret = (await page.locator('#totp-secret').textContent()).trim();
    officerStep = stepOf(Date.now());
    await page.getByLabel('Code from your authenticator app').fill(totp(officerSecret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await savesTheRecoveryCodes(page);
  } else {
    while (stepOf(Date.now() + 30_000) <= officerStep) await page.waitForTimeout(1000);
    const at = Date.now() + 30_000;
    officerStep = stepOf(at);
    await page.getByLabel('Security code').fill(totp(officerSecret, at));
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.waitForURL('**/officer');
}

/** The demo officer enrols an authenticator, finds the application in the queue, receives it,
 * starts the review, asks for a clearer passport by a due date and writes to the applicant. */
export async function theOfficerAsksForADocument(page) {
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
    const label = to === 'received' ? 'Received' : 'In review';
    await page.getByText(`The status is now ${label}.`).waitFor();
    await page.getByText(`Status: ${label}`).waitFor();
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
  await page.locator('.thread').getByText('Please send a sharper scan of your passport.').waitFor();
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

/** How en-CA writes the time of a `YYYY-MM-DDTHH:MM` local time, without its period: `2:05`. */
export const clock = (local) => `${Number(local.slice(11, 13)) % 12 || 12}:${local.slice(14, 16)}`;

/** The recovery codes a first enrolment shows once: read, then "saved"; gives them. */
export async function savesTheRecoveryCodes(page) {
  await page.waitForURL('**/recovery-codes');
  const codes = page.locator('#recovery-codes li');
  await codes.nth(9).waitFor();
  const saved = (await codes.allTextContents()).map((code) => code.trim());
  await page.getByRole('button', { name: 'I saved my codes, continue' }).click();
  return saved;
}

/** A registered user's first sign-in: an authenticator set up, its recovery codes saved, on to
 * the dashboard; gives the authenticator's secret (for later sign-ins). */
export async function signsInFirstTime(page, email, password, portalUrl = baseUrl) {
  await signIn(page, email, password, portalUrl);
  const { secret } = await enrolsTheFirstAuthenticator(page);
  await page.waitForURL('**/dashboard');
  return secret;
}

/** At the first sign-in's setup: enrols an authenticator and saves the recovery codes shown;
 * gives the authenticator's secret and the codes. */
export async function enrolsTheFirstAuthenticator(page) {
  await page.waitForURL('**/mfa-setup');
  await page.locator('#totp-secret').waitFor();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code from your authenticator app').fill(totp(secret));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  return { secret, codes: await savesTheRecoveryCodes(page) };
}

/** A new applicant registered, signed in with an authenticator set up, on a new draft of `type`;
 * gives the authenticator's secret (for later sign-ins). */
export async function anApplicantStarts(page, email, password, type, names) {
  await registered(email, password, names);
  const secret = await signsInFirstTime(page, email, password);
  await page.getByRole('link', { name: 'Start an application' }).click();
  await page.getByLabel('Type of application').selectOption(type);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.waitForURL('**/applications/*');
  return secret;
}

/** A new applicant signed in, with a visitor visa submitted (fees paid): the shortest way there. */
export async function anApplicantSubmits(page, email, password) {
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
  await paysWithTheTestCard(page);
  return signsAndSubmits(page);
}
