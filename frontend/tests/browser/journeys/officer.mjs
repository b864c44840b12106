// The officer's case page fits the case (issue 15, point 4): at each status it offers exactly the
// statuses the status machine allows next (none once the file is closed), the thread says who
// wrote what from the officer's side and from the applicant's, a reviewed document says its
// decision and why and is not offered for review again, a kind's files sit under one heading with
// their dates, a choice reads as its label, and every form is empty after it was sent, with the
// success said.
import assert from 'node:assert/strict';
import {
  PNG,
  anApplicantSubmits,
  baseUrl,
  browser,
  checkBothLanguages,
  journey,
  officerSignsIn,
  choosesFile,
} from '../harness.mjs';

/** The statuses the case's status form offers (its placeholder aside), in order. */
async function offered(officer) {
  if ((await officer.locator('#to').count()) === 0) return [];
  return officer.locator('#to').evaluate((select) => [...select.options].filter((o) => o.value).map((o) => o.value));
}

/** The value of a design-system field (the control inside its shadow root). */
const valueOf = (page, id) => page.locator(`#${id}`).inputValue();

/** The officer moves the case to `to` with a reason: the success is said and focused, and the
 * form is empty again. */
async function moves(officer, to, label) {
  await officer.locator('#to').selectOption(to);
  await officer.locator('#reason').fill(`Checked: ${label}`);
  await officer.locator('#noteToApplicant').fill('Thank you for your patience.');
  await officer.getByRole('button', { name: 'Change the status' }).click();
  await officer.getByText(`Status: ${label}`).waitFor();
  const said = officer.locator('#outcome');
  await said.getByText(`The status is now ${label}.`).waitFor();
  await officer.waitForFunction(() => document.activeElement?.id === 'outcome');
  if ((await officer.locator('#to').count()) > 0) {
    assert.deepEqual(
      [await valueOf(officer, 'to'), await valueOf(officer, 'reason'), await valueOf(officer, 'noteToApplicant')],
      ['', '', ''],
      `the status form is empty after the move to ${label}`,
    );
  }
}

journey('an officer works a case with only the actions its status allows, in the browser (officer)', async (page) => {
  const officerContext = await browser.newContext({ locale: 'en-CA' });
  const officer = await officerContext.newPage();
  try {
    // An applicant submits a visitor visa and writes to the agency.
    const number = await anApplicantSubmits(page, `officer-case-${Date.now()}@example.ca`, 'a long and patient passphrase');
    const casePath = new URL(page.url()).pathname;
    await page.goto(`${baseUrl}${casePath}/messages`);
    await page.locator('#body').fill('I can send a certified copy of my passport if needed.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your message was sent.').waitFor();

    // The demo officer opens the case from the queue.
    await officerSignsIn(officer);
    await checkBothLanguages(officer, 'the officer queue');
    await officer.getByRole('link', { name: number }).click();
    await officer.waitForURL(`**/officer${casePath}`);
    await officer.getByText('Status: Submitted').waitFor();
    assert.deepEqual(await offered(officer), ['received'], 'from submitted');
    assert.equal(await officer.getByRole('heading', { name: 'Ask for documents' }).count(), 0, 'no request while submitted');

    // The applicant's message is the applicant's, never "you", on the officer's page.
    const thread = officer.locator('ol.thread');
    const theirs = thread.locator('li').filter({ hasText: 'I can send a certified copy' });
    await theirs.getByText('From the applicant').waitFor();
    assert.equal(await thread.getByText(/you/i).count(), 0, 'nothing in the thread is "you" to the officer');
    // A choice reads as its label, not its code.
    const purpose = officer.locator('dl.answers dt', { hasText: 'Purpose' }).locator('xpath=following-sibling::dd[1]');
    assert.equal((await purpose.textContent()).trim(), 'Tourism');
    await checkBothLanguages(officer, 'a submitted case, for officers');

    // Nothing chosen, nothing sent: the form says what is missing.
    await officer.getByRole('button', { name: 'Change the status' }).click();
    await officer.locator('#error-summary').getByRole('link', { name: 'New status: Choose the status the application moves to.' }).waitFor();
    await officer.getByText('Status: Submitted').waitFor();
    await moves(officer, 'received', 'Received');
    assert.equal(await officer.locator('#error-summary').count(), 0, 'the summary goes once the move is made');
    // What was said is worded again in the other language.
    await officer.locator('gcds-lang-toggle').click();
    await officer.locator('#outcome').getByText('L\'état de la demande est maintenant «\u00a0Reçue\u00a0».').waitFor();
    await officer.locator('gcds-lang-toggle').click();
    await officer.locator('#outcome').getByText('The status is now Received.').waitFor();
    assert.deepEqual(await offered(officer), ['biometrics_requested', 'in_review'], 'from received');
    await moves(officer, 'in_review', 'In review');
    assert.deepEqual(await offered(officer), ['interview_scheduled', 'approved', 'refused'], 'from in review');

    // Documents: each kind under its heading, with the upload's date; a reviewed one says its
    // decision and reason, and offers no more review.
    const kind = (label) => officer.locator('li.document').filter({ has: officer.getByRole('heading', { name: label, exact: true }) });
    const photo = kind('Digital photo');
    await photo.getByText(/ — uploaded \w+ \d+, \d{4} at /).waitFor();
    await photo.getByLabel('Reason (required to not accept)').fill('The face is in shadow.');
    await photo.getByRole('button', { name: 'Do not accept' }).click();
    await photo.getByText('photo.png is not accepted: the applicant must send another.').waitFor();
    await photo.getByText(/^Not accepted by an officer on /).waitFor();
    await photo.getByText('Reason: The face is in shadow.').waitFor();
    const passport = kind('Passport (pages with your photo and details)');
    await passport.getByLabel('Reason (required to not accept)').fill('Clear and valid.');
    await passport.getByRole('button', { name: 'Accept', exact: true }).click();
    await passport.getByText(/^Accepted by an officer on /).waitFor();
    await passport.getByText('Reason: Clear and valid.').waitFor();
    for (const reviewed of [photo, passport]) {
      assert.equal(await reviewed.getByRole('button', { name: 'Accept', exact: true }).count(), 0, 'no Accept once reviewed');
      assert.equal(await reviewed.getByRole('button', { name: 'Do not accept' }).count(), 0, 'no refusal once reviewed');
      await reviewed.getByRole('button', { name: /^Download / }).waitFor();
    }
    await kind('Proof of funds').getByRole('button', { name: 'Accept', exact: true }).waitFor();
    await checkBothLanguages(officer, 'reviewed documents, for officers');

    // An optional fee, added: said, and the fee is on the case.
    await officer.locator('#fee').selectOption('restoration-of-status');
    await officer.getByRole('button', { name: 'Add the fee' }).click();
    await officer.locator('#outcome').getByText('Fee added: Restoration of status fee.').waitFor();
    await officer.getByRole('rowheader', { name: 'Restoration of status fee' }).waitFor();

    // A request for a sharper photo moves the case to documents requested; only review follows.
    await officer.getByLabel('Digital photo').check();
    await officer.locator('#requestNote').fill('Take it facing a window.');
    await officer.locator('#dueDate').fill('2099-03-01');
    await officer.getByRole('button', { name: 'Ask the applicant' }).click();
    await officer.getByText('Status: Documents requested').waitFor();
    await officer.locator('#outcome').getByText('The applicant was asked for the documents.').waitFor();
    assert.deepEqual(await offered(officer), ['in_review'], 'from documents requested');
    assert.equal(await officer.getByRole('heading', { name: 'Ask for documents' }).count(), 0, 'no second request now');

    // The officer answers; the reply is the agency's, and the form is empty again.
    await officer.locator('#message').fill('We will tell you if a certified copy is needed.');
    await officer.getByRole('button', { name: 'Send', exact: true }).click();
    await officer.locator('#outcome').getByText('Your message was sent.').waitFor();
    const reply = thread.locator('li').filter({ hasText: 'We will tell you if a certified copy is needed.' });
    await reply.getByText('From the agency').waitFor();
    assert.equal(await valueOf(officer, 'message'), '', 'the message form is empty after sending');
    await theirs.getByText('From the applicant').waitFor();

    // The applicant reads both: their own as theirs (read by the agency), the reply as the agency's.
    await page.reload();
    const applicantThread = page.locator('ol.thread');
    await applicantThread.locator('li').filter({ hasText: 'I can send a certified copy' }).getByText('From you').waitFor();
    await applicantThread.locator('li').filter({ hasText: 'I can send a certified copy' }).getByText('Read', { exact: false }).waitFor();
    await applicantThread.locator('li').filter({ hasText: 'We will tell you if' }).getByText('From the agency').waitFor();
    await checkBothLanguages(page, "the applicant's thread with the agency's reply");

    // The applicant sends a second photo: the officer sees both under one heading, each dated.
    await page.goto(`${baseUrl}${casePath}`);
    await page.getByText('Status: Documents requested').waitFor();
    // (Found by its heading: once the photo asked for is sent, the kind offers no upload.)
    const photoStep = page.locator('li.document').filter({ has: page.getByRole('heading', { name: /^Digital photo/ }) });
    await choosesFile(page, 'photo', { name: 'window-photo.png', mimeType: 'image/png', buffer: PNG });
    await photoStep.getByRole('button', { name: 'Upload' }).click();
    await photoStep.getByText(/window-photo\.png — Received and checked/).waitFor();
    await officer.reload();
    await officer.getByText('Status: Documents requested').waitFor();
    assert.equal(await officer.getByRole('heading', { name: 'Digital photo', exact: true }).count(), 1, 'one heading for the kind');
    const photos = kind('Digital photo').locator('li.file');
    assert.equal(await photos.count(), 2, 'both photos under it');
    for (const [i, name] of [[0, 'photo.png'], [1, 'window-photo.png']]) {
      await photos.nth(i).getByText(name, { exact: true }).waitFor();
      await photos.nth(i).getByText(/ — uploaded \w+ \d+, \d{4} at /).waitFor();
    }
    await photos.nth(1).getByRole('button', { name: 'Accept', exact: true }).click();
    await photos.nth(1).getByText('window-photo.png is accepted.').waitFor();

    // Back to review, a decision, and the file closed: nothing more is offered.
    await moves(officer, 'in_review', 'In review');
    assert.deepEqual(await offered(officer), ['interview_scheduled', 'approved', 'refused'], 'back in review');
    assert.deepEqual([await valueOf(officer, 'requestNote'), await valueOf(officer, 'dueDate')], ['', ''], 'the request form is empty');
    await moves(officer, 'approved', 'Approved');
    assert.deepEqual(await offered(officer), ['closed'], 'from approved');
    await moves(officer, 'closed', 'Closed');
    assert.deepEqual(await offered(officer), [], 'a closed file offers no status');
    await officer.getByText('No other status can follow this one (Closed).').waitFor();
    assert.equal(await officer.getByRole('button', { name: 'Change the status' }).count(), 0, 'no status button');
    await checkBothLanguages(officer, 'a closed case, for officers');
  } catch (error) {
    const shown = await officer.locator('#main-content').innerText().catch(() => '(nothing)');
    error.message += `\n  the officer's window at ${officer.url()} shows: ${shown.slice(0, 800)}`;
    throw error;
  } finally {
    await officerContext.close();
  }
});
