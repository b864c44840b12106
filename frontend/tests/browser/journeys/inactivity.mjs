import assert from 'node:assert/strict';
import {
  totp,
  checkAccessibility,
  journey,
  saved,
  signIn,
  clock,
  anApplicantStarts,
} from '../harness.mjs';

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
  // The session ended on the server too: the refresh cookie no longer revives it.
  const refreshed = await page.evaluate(() => fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.status));
  assert.equal(refreshed, 401, 'the refresh cookie no longer works after the inactivity timeout');
  await signIn(page, email, password);
  await page.getByLabel('Security code').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/dashboard');
  await page.locator('table.applications gcds-link').first().click();
  await page.waitForURL('**/applications/*');
  assert.equal(await page.locator('#main-content gcds-input').first().locator('input').inputValue(),
    'Typed just before leaving', 'nothing typed is lost when the session ends');
});
