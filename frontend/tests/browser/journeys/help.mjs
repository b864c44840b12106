// Issue 15, points 7, 8 and 11: the help page in both languages (reached from the menu and the
// footer, signed in or not), the notice an unsupported browser gets, the not-found page with the
// signed-in menu after a reload, and the language toggle re-wording everything on the page — the
// design system's own words ("(required)", the file uploader's button) and what a page keeps
// in its state (an officer's confirmation) — without a reload.
import assert from 'node:assert/strict';
import {
  anApplicantStarts,
  baseUrl,
  browser,
  checkAccessibility,
  checkBothLanguages,
  heading,
  journey,
  officerSignsIn,
} from '../harness.mjs';

/** Switches the page's language with the header's toggle. */
async function toggleTo(page, language) {
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction((lang) => document.documentElement.lang === lang, language);
}

/** Waits until every field's "(required)" mark (written by the design system inside its
 * components) says `word`. */
async function requiredSays(page, word) {
  await page.waitForFunction((expected) => {
    const words = [];
    const walk = (root) => {
      for (const element of root.querySelectorAll('*')) {
        if (element.classList.contains('label--required')) words.push(element.textContent.trim());
        if (element.shadowRoot) walk(element.shadowRoot);
      }
    };
    walk(document);
    return words.length > 0 && words.every((said) => said === expected);
  }, word);
}

journey('the help page, in both languages, signed out and signed in (issue 15: 8)', async (page) => {
  await page.goto(baseUrl);
  await page.locator('.portal-menu').getByRole('link', { name: 'Help' }).click();
  await page.getByRole('heading', { name: 'Help and support', level: 1 }).waitFor();
  for (const section of ['Supported browsers', 'A page does not display or work correctly', 'You forgot your password',
    'You lost your authenticator app', 'Recognize the official site and avoid fraud', 'Contact support']) {
    await page.getByRole('heading', { name: section, level: 2 }).waitFor();
  }
  // The contents lead to each section (in view, the page not re-opened).
  await page.getByRole('navigation', { name: 'On this page' }).getByRole('link', { name: 'Contact support' }).click();
  await page.waitForURL('**/help#support');
  await page.waitForFunction(() => {
    const top = document.getElementById('support').getBoundingClientRect().top;
    return window.scrollY > 0 && top >= 0 && top < innerHeight;
  });
  await page.getByText('Your browser has every feature the portal needs.').waitFor();
  assert.equal(await page.locator('#unsupported-browser').count(), 0, 'no notice in a supported browser');
  assert.equal(await page.locator('#no-app').count(), 0, 'the notice for browsers that cannot run the app is gone');
  await page.getByText('We never ask for your password or your security codes by email, text message or phone.').waitFor();
  await page.getByText('Your account reference number is on your profile once you sign in.').waitFor();
  // What the deployer configured (point 9): here local mode's demo identity.
  const site = await (await fetch(`${baseUrl}/api/site`)).json();
  assert.equal(site.demo, true, 'local mode is a demo by default');
  await page.getByText(`The only official address of this portal is ${site.officialUrl}.`).waitFor();
  await page.getByRole('link', { name: site.supportEmail }).waitFor();
  await page.locator('header .agency, gcds-header .agency').getByText(site.agency.en).waitFor();
  await page.locator('#demo-banner').getByText('Demo — not a government site.').waitFor();
  assert.equal(await page.locator('gcds-header gcds-signature, gcds-footer gcds-signature').count(), 0,
    "no government's signature or wordmark on a demo");
  await checkBothLanguages(page, 'help');
  await toggleTo(page, 'fr');
  await page.locator('#demo-banner').getByText('Démonstration — ce n\'est pas un site du gouvernement.').waitFor();
  await page.locator('gcds-header .agency').getByText(site.agency.fr).waitFor();
  await toggleTo(page, 'en');
  await page.getByRole('link', { name: 'Reset your password' }).click();
  await page.waitForURL('**/forgot');

  // The footer links to it too.
  const footerHelp = page.locator('gcds-footer').getByRole('link', { name: 'Help' });
  assert.equal(await footerHelp.getAttribute('href'), '/help');

  // Signed in, the menu keeps the link, and the page gives the reader's account reference number.
  await anApplicantStarts(page, `helped-${Date.now()}@example.ca`, 'a long and helpful passphrase', 'visitor-visa');
  await page.locator('.portal-menu').getByRole('link', { name: 'Help' }).click();
  await page.waitForURL('**/help');
  await page.getByText('Your account reference number', { exact: true }).waitFor();
  const reference = (await page.locator('dd.reference').textContent()).trim();
  assert.match(reference, /^\S{4,}$/, 'a short reference number');
  await page.getByRole('link', { name: 'Profile' }).click();
  await page.getByText(`Account reference number: ${reference}`).waitFor();
});

journey('an unsupported browser is told so on every page, by the features it lacks (issue 15: 8)', async () => {
  const context = await browser.newContext({ locale: 'en-CA' });
  try {
    const page = await context.newPage();
    // A browser without the dialog element (as Safari before 15.4): detected, not read from the user agent.
    await page.addInitScript(() => {
      delete window.HTMLDialogElement;
    });
    await page.goto(baseUrl);
    const notice = page.locator('#unsupported-browser');
    await notice.getByText('Your browser is too old for this portal: some pages may not work.').waitFor();
    await checkAccessibility(page, 'the unsupported-browser notice');
    await notice.getByRole('link', { name: 'Supported browsers' }).click();
    await page.waitForURL('**/help#browsers');
    await page.waitForFunction(() => document.activeElement?.id === 'browsers', null, { timeout: 5000 });
    await page.locator('#browser-check').getByText(/Your browser lacks features the portal needs \(dialog\)/).waitFor();
    await toggleTo(page, 'fr');
    await notice.getByText('Votre navigateur est trop ancien pour ce portail\u00a0: certaines pages pourraient ne pas fonctionner.', { exact: false }).waitFor();
  } finally {
    await context.close();
  }
});

journey('a browser that cannot run the app at all (scripts off, or too old for them) is told why (issue 15: 8)', async () => {
  const context = await browser.newContext({ locale: 'en-CA', javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/help`);
    // Shown after a few seconds (a browser running the app removes it before then); polled from
    // here, as the page runs no script.
    const opacity = () => page.evaluate(() => getComputedStyle(document.getElementById('no-app')).opacity);
    assert.equal(await opacity(), '0', 'hidden while the app would be loading');
    const deadline = Date.now() + 15_000;
    while ((await opacity()) !== '1') {
      assert.ok(Date.now() < deadline, 'shown within 15 seconds');
      await page.waitForTimeout(500);
    }
    await page.getByText('This portal needs a recent browser with JavaScript').waitFor();
  } finally {
    await context.close();
  }
});

journey('an unknown address keeps the signed-in menu after a reload and leads back home (issue 15: 8)', async (page) => {
  // Signed out: the home page.
  await page.goto(`${baseUrl}/no-such-page`);
  assert.equal(await heading(page), 'We could not find that page');
  await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
  await page.getByRole('link', { name: 'Go to the home page' }).click();
  await page.waitForURL(`${baseUrl}/`);

  // Signed in, after a reload (the access token is gone; the session is renewed first).
  await anApplicantStarts(page, `lost-${Date.now()}@example.ca`, 'a long and wandering passphrase', 'visitor-visa');
  await page.goto(`${baseUrl}/no-such-page`);
  assert.equal(await heading(page), 'We could not find that page');
  await page.getByRole('link', { name: 'Sign out' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Sign in', exact: true }).count(), 0, 'no sign-in link when signed in');
  await checkBothLanguages(page, 'not found, signed in');
  await page.getByRole('link', { name: 'Back to your account' }).click();
  await page.waitForURL('**/dashboard');
});

journey('switching language re-words the whole page without a reload: the design system\'s words and kept messages (issue 15: 7)', async (page) => {
  // The register form: each field says "(required)" in the page's language.
  await page.goto(`${baseUrl}/register`);
  await requiredSays(page, '(required)');
  await toggleTo(page, 'fr');
  await page.waitForFunction(() => document.title.startsWith('Créer'));
  await requiredSays(page, '(obligatoire)');
  await toggleTo(page, 'en');
  await requiredSays(page, '(required)');

  // The documents step: the file uploader's own button.
  await anApplicantStarts(page, `toggle-${Date.now()}@example.ca`, 'a long and bilingual passphrase', 'visitor-visa');
  await page.getByText('Step 1 of 5').waitFor();
  await page.goto(`${page.url().split('?')[0]}?step=4`);
  const uploader = page.locator('gcds-file-uploader').filter({ has: page.locator('#file-passport') });
  await uploader.getByText('Choose file', { exact: true }).waitFor();
  await toggleTo(page, 'fr');
  await uploader.getByText('Choisir un fichier', { exact: true }).waitFor();
  await page.getByText(/^Choisissez un fichier .* pour\u00a0: Passeport/).waitFor();
  await toggleTo(page, 'en');

  // A confirmation the page keeps in its state follows the toggle: the applicant's...
  await page.getByRole('link', { name: 'Profile' }).click();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Your preferences were saved.').waitFor();
  await toggleTo(page, 'fr');
  await page.getByText('Vos préférences ont été enregistrées.').waitFor();
  await toggleTo(page, 'en');
  await page.getByText('Your preferences were saved.').waitFor();

  // ...and the officer's.
  const officerContext = await browser.newContext({ locale: 'en-CA' });
  const officer = await officerContext.newPage();
  try {
    await officerSignsIn(officer);
    await officer.getByRole('link', { name: 'Appointment slots' }).click();
    await officer.waitForURL('**/officer/slots');
    // A day months ahead, which no other journey books.
    const day = new Date(Date.now() + 150 * 86_400_000).toISOString().slice(0, 10);
    await officer.locator('#location').selectOption('ottawa');
    await officer.locator('#service').selectOption('biometrics');
    await officer.locator('#start').fill(`${day}T09:00`);
    await officer.locator('#minutes').fill('15');
    await officer.locator('#capacity').fill('1');
    await officer.locator('#count').fill('1');
    await officer.getByRole('button', { name: 'Publish the slots' }).click();
    await officer.getByText('Slots published: 1.').waitFor();
    await toggleTo(officer, 'fr');
    await officer.getByText('Plages publiées\u00a0: 1.').waitFor();
    await toggleTo(officer, 'en');
    await officer.getByText('Slots published: 1.').waitFor();
  } catch (error) {
    const shown = await officer.locator('#main-content').innerText().catch(() => '(nothing)');
    error.message += `\n  the officer's window at ${officer.url()} shows: ${shown.slice(0, 600)}`;
    throw error;
  } finally {
    await officerContext.close();
  }
});
