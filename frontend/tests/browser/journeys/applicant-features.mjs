// Every applicant feature the API has is in the web app (issue 15, point 1), and the applicant's
// screens after an officer's request (point 5): linking a paper application with its 5-tries rule
// (A3), processing-time estimates as the API gives them, deleting a draft and withdrawing a
// submitted application after a confirmation, downloading one's documents, pointing a message to
// documents; then only the kinds an officer asks for take a new file, the answer ends the request,
// and a message the agency read says so.
import assert from 'node:assert/strict';
import {
  PDF,
  anApplicantStarts,
  anApplicantSubmits,
  baseUrl,
  browser,
  checkAccessibility,
  checkBothLanguages,
  heading,
  journey,
  officerSignsIn,
  paysWithTheTestCard,
  registered,
  signsInFirstTime,
  choosesFile,
} from '../harness.mjs';

const NOT_ENOUGH = 'Not enough decided applications yet to estimate how long this type takes.';

/** What the page must say of `type`'s processing time: what the API estimates, or that it has
 * too few decisions to. */
async function expectedProcessingTime(type) {
  const times = await (await fetch(`${baseUrl}/api/processing-times`)).json();
  const estimate = times.find((time) => time.type === type)?.estimate;
  if (!estimate) return NOT_ENOUGH;
  const plural = estimate.sampleSize === 1 ? '' : 's';
  return new RegExp(`^Half of recent applications were decided within \\d+ (day|week)s? of being submitted, and 4 in 5 within \\d+ (day|week)s? \\(based on ${estimate.sampleSize.toLocaleString('en-CA')} decided application${plural}\\)\\.$`);
}

/** The text beside the term `term` of a definition list on the page. */
const definition = (page, term) =>
  page.locator('dl dt', { hasText: term }).first().locator('xpath=following-sibling::dd[1]');

async function assertSays(locator, expected, what) {
  const text = (await locator.textContent()).trim();
  if (expected instanceof RegExp) assert.match(text, expected, what);
  else assert.equal(text, expected, what);
}

/** One try at linking: the form sent, and the API's answer (its status). */
async function tryToLink(page, number, familyName, dateOfBirth) {
  await page.locator('#applicationNumber').fill(number);
  await page.locator('#familyName').fill(familyName);
  await page.locator('#dateOfBirth').fill(dateOfBirth);
  const answered = page.waitForResponse((response) => response.url().endsWith('/api/applications/link'));
  await page.getByRole('button', { name: 'Link the application' }).click();
  const status = (await answered).status();
  await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
  return status;
}

journey('an applicant links a paper application: the 5-tries rule said first, then paused after 5 wrong tries (A3), in the browser', async (page) => {
  const email = `paper-${Date.now()}@example.ca`;
  const password = 'a long and papery passphrase';
  await registered(email, password, { givenName: 'Joseph', familyName: 'Gagnon' });
  await signsInFirstTime(page, email, password);

  await page.getByRole('link', { name: 'Link a paper application' }).click();
  await page.waitForURL('**/applications/link');
  assert.equal(await heading(page), 'Link a paper application');
  // The rule is said before the form.
  await page.locator('#link-rule').getByText(/^You have 5 tries in 24 hours: each try whose details do not match counts\. After 5 of them, linking is paused/).waitFor();
  await checkBothLanguages(page, 'link a paper application');

  // What can be checked before sending is, field by field: no try is used on a typo.
  const sent = [];
  page.on('request', (request) => request.url().endsWith('/api/applications/link') && sent.push(request));
  await page.getByRole('button', { name: 'Link the application' }).click();
  const summary = page.locator('#error-summary');
  await summary.getByText('Application number: Enter the application number.').waitFor();
  await summary.getByText('Family name: Enter your family name.').waitFor();
  await summary.getByText('Date of birth: Enter your date of birth.').waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
  await page.locator('#applicationNumber').fill('W12-345');
  await page.locator('#familyName').fill('Gagnon');
  await page.locator('#dateOfBirth').fill('2999-01-01');
  await page.getByRole('button', { name: 'Link the application' }).click();
  await summary.getByText('Application number: Enter the number as printed: a letter and 9 digits, such as W123456789.').waitFor();
  await summary.getByText('Date of birth: The date of birth must be in the past.').waitFor();
  await checkAccessibility(page, 'link with field errors');
  assert.equal(sent.length, 0, 'nothing sent while the details cannot match');

  // Five tries that match nothing (spaces and lowercase in the number are forgiven) ...
  for (let tries = 1; tries <= 5; tries++) {
    assert.equal(await tryToLink(page, 'w 123 456 789', 'Gagnon', '1961-04-12'), 404, `try ${tries} matches nothing`);
    await summary.getByText(/^No paper application matches these details\. Check the number, the family name and the date of birth, then try again\./).waitFor();
  }
  assert.equal(JSON.parse(sent[0].postData()).applicationNumber, 'W123456789', 'the number sent as printed');
  await checkAccessibility(page, 'a paper application that does not match');
  // ... and the sixth is refused: linking is paused, and the page says until when.
  assert.equal(await tryToLink(page, 'W123456789', 'Gagnon', '1961-04-12'), 429, 'the sixth try is refused');
  await summary.getByText(/^You have made 5 tries that did not match\. To protect applications from guessing, linking is paused for your account until \w+ \d+, \d{4} at .*; if you are sure of your details, contact support\.$/).waitFor();
  await page.getByRole('link', { name: 'Need help? Contact support' }).waitFor();
  await checkBothLanguages(page, 'linking paused');
  await page.locator('gcds-lang-toggle').click();
  await summary.getByText(/^Vous avez fait 5\u00a0essais sans correspondance\..*suspendue pour votre compte jusqu'au \d/).waitFor();
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');

  await page.getByRole('link', { name: 'Back to my applications' }).click();
  await page.waitForURL('**/dashboard');
});

journey('an applicant sees processing times and deletes a draft after confirming, but not one with a payment, in the browser', async (page) => {
  await anApplicantStarts(page, `draft-${Date.now()}@example.ca`, 'a long and tentative passphrase', 'study-permit');
  await page.getByText('Step 1 of').waitFor();
  // The application page says the type's processing time, as the API estimates it.
  await assertSays(definition(page, 'Processing time'), await expectedProcessingTime('study-permit'), 'on the draft');
  // A document uploaded to the draft: deleting the draft deletes it too.
  await page.goto(`${page.url().split('?')[0]}?step=4`);
  const passport = page.locator('li.document').filter({ has: page.locator('#file-passport') });
  await choosesFile(page, 'passport', { name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF });
  await passport.getByRole('button', { name: 'Upload' }).click();
  await passport.getByText('Received and checked').waitFor();

  // The type picker says every type's, with its sample size (or that there is none yet).
  await page.getByRole('link', { name: 'My applications' }).click();
  await page.getByRole('link', { name: 'Start an application' }).click();
  await page.waitForURL('**/applications/new');
  await page.getByRole('heading', { name: 'How long applications take' }).waitFor();
  const types = await (await fetch(`${baseUrl}/api/application-types`)).json();
  for (const type of types) {
    await assertSays(definition(page, type.name.en), await expectedProcessingTime(type.code), `the picker on ${type.code}`);
  }
  await checkBothLanguages(page, 'start an application, with processing times');

  // The draft is deleted from the dashboard once the applicant says yes.
  await page.getByRole('link', { name: 'My applications' }).click();
  await page.waitForURL('**/dashboard');
  await page.getByRole('link', { name: 'Delete this draft' }).click();
  await page.waitForURL('**/applications/*/delete');
  assert.equal(await heading(page), 'Delete this draft?');
  await page.getByText('Its answers are deleted, and so are the documents you uploaded for it (1). This cannot be undone.').waitFor();
  await checkBothLanguages(page, 'delete a draft');
  await page.getByRole('link', { name: 'No, keep it' }).click();
  await page.getByText('Step 1 of').waitFor();
  await page.goBack();
  await page.getByRole('button', { name: 'Yes, delete the draft' }).click();
  await page.waitForURL('**/dashboard');
  const done = page.locator('#dashboard-notice');
  await done.getByText('Your draft (Study permit) was deleted.').waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'dashboard-notice');
  await page.getByText('You have no applications yet.').waitFor();
  await checkBothLanguages(page, 'the dashboard after a deletion');

  // A draft whose fees were paid stays on record with its payment: the page says so, and offers
  // support instead of deleting it.
  await page.getByRole('link', { name: 'Start an application' }).click();
  await page.getByLabel('Type of application').selectOption('visitor-visa');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByText('Step 1 of 5').waitFor();
  await page.goto(`${page.url().split('?')[0]}?step=5`);
  await paysWithTheTestCard(page);
  await page.getByRole('link', { name: 'My applications' }).click();
  await page.getByRole('link', { name: 'Delete this draft' }).click();
  await page.getByText(/^A payment was made for this draft, so it stays on record with its payment: it cannot be deleted\./).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Yes, delete the draft' }).count(), 0, 'no way to delete it');
  await page.getByRole('link', { name: 'Need help? Contact support' }).waitFor();
  await checkAccessibility(page, 'a paid draft, which stays');
});

/** The officer moves the case to `to` (its label `label`) with a reason. */
async function officerMoves(officer, to, label) {
  await officer.locator('#to').selectOption(to);
  await officer.locator('#reason').fill(`Checked: ${label}`);
  await officer.getByRole('button', { name: 'Change the status' }).click();
  await officer.getByText(`Status: ${label}`).waitFor();
}

/** Clicks `button` and gives the name of the file the browser saved. */
async function downloaded(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return file.suggestedFilename();
}

journey('an applicant points a message to documents, answers only what the officer asked, and sees the message read, in the browser', async (page) => {
  const officerContext = await browser.newContext({ locale: 'en-CA' });
  const officer = await officerContext.newPage();
  try {
    const number = await anApplicantSubmits(page, `answers-${Date.now()}@example.ca`, 'a long and responsive passphrase');
    const casePath = new URL(page.url()).pathname;
    await assertSays(definition(page, 'Processing time'), await expectedProcessingTime('visitor-visa'), 'once submitted');

    // A message pointing to two of the application's documents: the thread names them, to download.
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.waitForURL('**/messages');
    await page.locator('#body').fill('Here are my passport and my bank statement again.');
    await page.getByLabel(/^passport\.pdf \(Passport/).check();
    await page.getByLabel(/^bank\.pdf \(Proof of funds/).check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your message was sent.').waitFor();
    const mine = page.locator('ol.thread li').filter({ hasText: 'Here are my passport' });
    await mine.getByText('Documents attached:').waitFor();
    assert.equal(await downloaded(page, mine.getByRole('button', { name: 'Download passport.pdf' })), 'passport.pdf');
    await mine.getByRole('button', { name: 'Download bank.pdf' }).waitFor();
    await mine.getByText('Not read yet').waitFor();
    assert.equal(await page.getByLabel(/^passport\.pdf \(Passport/).isChecked(), false, 'the choice is cleared once sent');
    await checkBothLanguages(page, 'a message with documents attached');

    // The officer opens the case (reading the message), and asks for the passport only.
    await officerSignsIn(officer);
    await officer.getByRole('link', { name: number }).click();
    await officer.waitForURL(`**/officer${casePath}`);
    await officer.locator('ol.thread li').filter({ hasText: 'Here are my passport' }).waitFor();
    await officerMoves(officer, 'received', 'Received');
    await officerMoves(officer, 'in_review', 'In review');
    await officer.getByLabel('Passport (pages with your photo and details)').check();
    await officer.locator('#requestNote').fill('The scan is cut off: send all of the page.');
    await officer.locator('#dueDate').fill('2099-02-28');
    await officer.getByRole('button', { name: 'Ask the applicant' }).click();
    await officer.getByText('Status: Documents requested').waitFor();

    // The applicant sees that the agency read the message.
    await page.reload();
    await mine.getByText(/ — Read on \w+ \d+, \d{4} at /).waitFor();

    // The dashboard asks for action; only the kind asked for takes a new file.
    await page.getByRole('link', { name: 'My applications' }).click();
    const row = page.locator('table.applications tr').filter({ hasText: number });
    await row.getByText('Action required').waitFor();
    await row.getByRole('link', { name: 'Visitor visa (temporary resident visa)' }).click();
    await page.getByText('An officer asked for this document by February 28, 2099: The scan is cut off: send all of the page.').waitFor();
    const line = (label) => page.locator('li.document').filter({ has: page.getByRole('heading', { name: new RegExp(`^${label}`) }) });
    const passport = line('Passport');
    const photo = line('Digital photo');
    await photo.getByText(/photo\.png — Received and checked/).waitFor();
    assert.equal(await page.locator('#file-photo').count(), 0, 'no upload for a kind not asked for');
    assert.equal(await page.locator('#file-proof-of-funds').count(), 0, 'no upload for a kind not asked for');
    assert.equal(await photo.getByRole('button', { name: 'Upload' }).count(), 0, 'no upload button for the photo');
    // Their own documents download from the list.
    assert.equal(await downloaded(page, photo.getByRole('button', { name: 'Download photo.png' })), 'photo.png');
    await checkBothLanguages(page, 'documents asked for');
    await choosesFile(page, 'passport', { name: 'whole-page.pdf', mimeType: 'application/pdf', buffer: PDF });
    await passport.getByRole('button', { name: 'Upload' }).click();
    await passport.getByText(/whole-page\.pdf — Received and checked/).waitFor();
    assert.equal(await page.locator('#file-passport').count(), 0, 'the request is answered: no more upload');

    // Nothing is asked any more: the dashboard no longer says action is required (the API's
    // dashboard line says so, and the page shows what it says).
    const dashboardRead = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/applications');
    await page.getByRole('link', { name: 'My applications' }).click();
    const entry = (await (await dashboardRead).json()).items.find((summary) => summary.number === number);
    await row.getByText('Documents requested').waitFor();
    assert.equal(await row.getByText('Action required').count(), 0,
      `no action required once the last requested document passed (GET /api/applications says ${JSON.stringify(entry)})`);
  } catch (error) {
    const shown = await officer.locator('#main-content').innerText().catch(() => '(nothing)');
    error.message += `\n  the officer's window at ${officer.url()} shows: ${shown.slice(0, 600)}`;
    throw error;
  } finally {
    await officerContext.close();
  }
});

journey('an applicant withdraws a submitted application after confirming, in the browser', async (page) => {
  const number = await anApplicantSubmits(page, `withdraws-${Date.now()}@example.ca`, 'a long and decisive passphrase');
  const casePath = new URL(page.url()).pathname;
  // Submitted, its documents are listed to download, with nothing to send.
  await page.getByText('Status: Submitted').waitFor();
  const passport = page.locator('li.document').filter({ hasText: 'passport.pdf' });
  assert.equal(await downloaded(page, passport.getByRole('button', { name: 'Download passport.pdf' })), 'passport.pdf');
  assert.equal(await page.getByRole('button', { name: 'Upload' }).count(), 0, 'nothing to send unless asked');
  await page.getByRole('link', { name: 'My applications' }).click();
  const row = page.locator('table.applications tr').filter({ hasText: number });
  await row.getByRole('link', { name: `Withdraw ${number}` }).click();
  await page.waitForURL(`**${casePath}/withdraw`);
  assert.equal(await heading(page), 'Withdraw your application?');
  await page.getByText(/^Once withdrawn, the agency stops processing it/).waitFor();
  await checkBothLanguages(page, 'withdraw an application');
  // "No" goes back to the application, untouched.
  await page.getByRole('link', { name: 'No, keep it' }).click();
  await page.getByText('Status: Submitted').waitFor();
  await page.goBack();
  await page.getByRole('button', { name: 'Yes, withdraw my application' }).click();
  await page.waitForURL('**/dashboard');
  await page.locator('#dashboard-notice')
    .getByText(`Your application ${number} (Visitor visa (temporary resident visa)) was withdrawn.`).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'dashboard-notice');
  await row.getByText('Withdrawn').waitFor();
  assert.equal(await row.getByRole('link', { name: /^Withdraw / }).count(), 0, 'nothing more to withdraw');
  await checkBothLanguages(page, 'the dashboard after a withdrawal');
  // Asked again (an old tab), the page says it no longer applies and offers no button.
  await page.goto(`${baseUrl}${casePath}/withdraw`);
  await page.getByText('This application can no longer be withdrawn: its status is Withdrawn.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Yes, withdraw my application' }).count(), 0, 'no button');
});

// Issue 17, point 4: the dashboard is read a page of at most 50 lines at a time, action
// required first; "Load more" brings the rest, in both languages.
journey('an applicant with more than 50 applications reads their dashboard a page at a time, in the browser', async (page) => {
  const email = `many-${Date.now()}@example.ca`;
  await registered(email, 'a long and patient passphrase');
  await signsInFirstTime(page, email, 'a long and patient passphrase');
  // Fifty-four drafts, made through the API with the page's own session.
  const made = await page.evaluate(async () => {
    const { accessToken } = await (await fetch('/api/auth/refresh', { method: 'POST' })).json();
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ type: 'visitor-visa' });
    let created = 0;
    for (let n = 0; n < 54; n += 1) {
      if ((await fetch('/api/applications', { method: 'POST', headers, body })).status === 201) created += 1;
    }
    return created;
  });
  assert.equal(made, 54);
  await page.getByRole('link', { name: 'My applications' }).click();
  const rows = page.locator('table.applications tbody tr');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50, 'the first page holds 50 lines');
  await checkBothLanguages(page, 'a dashboard with more to load');
  await page.getByRole('button', { name: 'Load more' }).click();
  await rows.nth(53).waitFor();
  assert.equal(await rows.count(), 54, 'the next page brings the rest, each once');
  assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'nothing more to load');
});
