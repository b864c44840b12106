// A newcomer's local portal with the labelled demo data set (`portal-admin seed-demo`) and a
// paper application on file (`portal-admin import-paper-application`), both written into the
// data folder before its own portal starts (one process owns a store): real processing-time
// estimates on the type picker, a populated officer queue, and a paper application linked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminBin,
  checkBothLanguages,
  journey,
  launchPortal,
  registered,
  signIn,
  savesTheRecoveryCodes,
  signsInFirstTime,
  totp,
} from '../harness.mjs';

/** Runs one admin command on the data folder of `folder`. */
function admin(folder, ...args) {
  return execFileSync(adminBin, args, { env: { ...process.env, PORTAL_DATA_DIR: join(folder, 'data') }, encoding: 'utf8' });
}

journey('a portal with the demo data set shows real estimates and a busy queue, and a paper application links (seed-demo)', async (page) => {
  const folder = mkdtempSync(join(tmpdir(), 'portal-demo-'));
  let portal;
  try {
    admin(folder, 'seed-demo');
    admin(folder, 'import-paper-application', '--type', 'visitor-visa', '--number', 'V123456789',
      '--family-name', 'Nguyen', '--date-of-birth', '1985-03-14', '--status', 'in_review');
    portal = await launchPortal(folder);
    const url = portal.url;

    // The demo is said on every page; the type picker estimates from the demo's decisions.
    const email = `demo-${Date.now()}@example.ca`;
    await registered(email, 'a long demo passphrase', { givenName: 'Linh', familyName: 'Nguyen' }, url);
    await signsInFirstTime(page, email, 'a long demo passphrase', url);
    await page.locator('#demo-banner').waitFor();
    await page.goto(`${url}/applications/new`);
    await page.getByText(/based on 12 decided applications/).first().waitFor();
    await checkBothLanguages(page, 'the type picker with estimates');

    // The paper application on file links with its number, family name and date of birth.
    await page.goto(`${url}/applications/link`);
    await page.getByLabel('Application number').fill('V123456789');
    await page.getByLabel('Family name').fill('Nguyen');
    await page.getByLabel('Date of birth').fill('1985-03-14');
    await page.getByRole('button', { name: 'Link the application' }).click();
    await page.waitForURL('**/dashboard');
    await page.getByText('Your paper application V123456789 is now linked to your account.').waitFor();
    await page.getByRole('link', { name: 'V123456789' }).first().waitFor();

    // The demo officer (enrolled on this portal) finds work waiting in the queue.
    await page.context().clearCookies();
    await signIn(page, 'officer@portal.local', 'demo officer passphrase', url);
    await page.waitForURL('**/mfa-setup');
    const secret = (await page.locator('#totp-secret').textContent()).trim();
    await page.getByLabel('Code from your authenticator app').fill(totp(secret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await savesTheRecoveryCodes(page);
    await page.waitForURL('**/officer');
    const rows = page.locator('main table tbody tr');
    await rows.first().waitFor();
    if ((await rows.count()) < 3) throw new Error('the demo queue holds its three submitted applications');
    await checkBothLanguages(page, 'the demo queue');
  } finally {
    portal?.child.kill();
    rmSync(folder, { recursive: true, force: true });
  }
});
