import assert from 'node:assert/strict';
import {
  baseUrl,
  registered,
  checkBothLanguages,
  heading,
  journey,
} from '../harness.mjs';

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
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
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
