// Review before you sign (issue 15, points 2, 3 and 6): answers that cannot be true are caught
// as they are entered, by the rules of the type's data, with errors that say what is expected
// (in both languages), and a reload keeps them; the review step shows every answer by section
// with a link to change it, the documents and the fees; the declaration must be confirmed; the
// confirmation page gives the number; and the notice of it reads in the interface's language.
import assert from 'node:assert/strict';
import {
  anApplicantStarts,
  answer,
  baseUrl,
  checkAccessibility,
  checkBothLanguages,
  confirmsTheDeclaration,
  journey,
  next,
  paysWithTheTestCard,
  uploadsTheRequiredDocuments,
} from '../harness.mjs';

/** A day `days` from today, as a date field takes it. */
const day = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Waits until the field `id` shows `message` as its error (tied to it: the input is invalid). */
async function fieldError(page, id, message) {
  await page.locator(`[name="${id}"] gcds-error-message`).getByText(message).waitFor();
  assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true', `${id} is marked invalid`);
}

async function toggleLanguage(page, lang) {
  await page.locator('gcds-lang-toggle').click();
  await page.waitForFunction((wanted) => document.documentElement.lang === wanted, lang);
}

journey('an applicant is told at once what an impossible answer should be, then reviews every answer and signs the declaration, in the browser', async (page) => {
  await anApplicantStarts(page, `review-${Date.now()}@example.ca`, 'a long and careful passphrase', 'visitor-visa',
    { givenName: 'Sofia', familyName: 'Reyes' });
  await page.getByText('Step 1 of 5').waitFor();

  // A date of birth in the future is refused where it is typed, with what is expected, in the
  // reader's language; it is not saved, but a reload keeps it, with its error.
  await answer(page, { familyName: 'Reyes', givenNames: 'Sofia', countryOfCitizenship: 'Mexico' });
  const future = day(400);
  await page.locator('#dateOfBirth').fill(future);
  await fieldError(page, 'dateOfBirth', 'Must be a date in the past.');
  await page.getByText('Some answers are not saved yet: correct the fields marked in red.').waitFor();
  await checkAccessibility(page, 'an impossible date of birth');
  await toggleLanguage(page, 'fr');
  await fieldError(page, 'dateOfBirth', 'Doit être une date passée.');
  await toggleLanguage(page, 'en');
  await page.reload();
  await page.getByText('Step 1 of 5').waitFor();
  assert.equal(await page.locator('#dateOfBirth').inputValue(), future, 'the impossible date is still there after a reload');
  await fieldError(page, 'dateOfBirth', 'Must be a date in the past.');
  await answer(page, { dateOfBirth: '1985-11-23' });
  assert.equal(await page.locator('#dateOfBirth').getAttribute('aria-invalid'), 'false', 'the error goes once the date is right');
  await next(page);

  // A passport number that breaks the pattern: the error is the pattern's hint (the type's data
  // words it), which the field also shows as its hint before anything is typed.
  const types = await (await fetch(`${baseUrl}/api/application-types`)).json();
  const hint = types.find((t) => t.code === 'visitor-visa').sections.flatMap((s) => s.fields)
    .find((f) => f.id === 'passportNumber').patternHint?.en;
  assert.ok(hint, 'the passport number has a pattern hint');
  await page.locator('gcds-input[name="passportNumber"] gcds-hint').getByText(hint).waitFor();
  await page.locator('#passportNumber').fill('ab-1');
  await page.locator('#passportNumber').press('Tab');
  await fieldError(page, 'passportNumber', hint);
  await checkBothLanguages(page, 'a passport number that breaks the pattern');
  await answer(page, { passportNumber: 'AB1234567', passportExpiry: '2031-01-31' });
  await next(page);

  // A stay longer than the type allows: "At most 180".
  await page.locator('#purpose').selectOption('business');
  await page.locator('#arrivalDate').fill('2027-07-01');
  await page.locator('#lengthOfStayDays').fill('200');
  await page.locator('#lengthOfStayDays').press('Tab');
  await fieldError(page, 'lengthOfStayDays', 'At most 180.');
  await answer(page, { lengthOfStayDays: '21', fundsCad: '8000' });
  await next(page);
  await uploadsTheRequiredDocuments(page);
  await next(page);

  // The review: every answer by section, as the reader writes it, each with its "Change" link;
  // the documents attached; the fees, not paid yet.
  await page.getByText('passport.pdf — Received and checked').waitFor();
  const shown = await page.locator('#main-content').innerText();
  for (const expected of ['About you', 'Reyes', 'Sofia', 'November 23, 1985', 'Mexico', 'Passport', 'AB1234567',
    'January 31, 2031', 'Your visit', 'Business', 'July 1, 2027', '21', '8,000', 'passport.pdf — Received and checked',
    'photo.png — Received and checked', 'bank.pdf — Received and checked', 'Letter of invitation', 'Not sent',
    'Processing fee', 'Biometrics fee', '$185.00', 'Due before you submit']) {
    assert.ok(shown.includes(expected), `${expected} on the review step`);
  }
  assert.equal(await page.locator('dl.summary-list').getByRole('link', { name: /^Change / }).count(), 10, 'a Change link per answer');
  await checkBothLanguages(page, 'the review step');
  await toggleLanguage(page, 'fr');
  const french = await page.locator('#main-content').innerText();
  for (const expected of ['23 novembre 1985', '1er juillet 2027', 'Affaires', '8\u00a0000']) {
    assert.ok(french.includes(expected), `${expected} on the French review step`);
  }
  await toggleLanguage(page, 'en');

  // A Change link opens the step with its field focused; back to the review, the new answer.
  await page.getByRole('link', { name: 'Change Given name(s)' }).click();
  await page.getByText('Step 1 of 5').waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'givenNames');
  await answer(page, { givenNames: 'Sofía' });
  await page.getByRole('link', { name: 'Back to the review' }).click();
  await page.getByText('Step 5 of 5').waitFor();
  await page.locator('dl.summary-list').getByText('Sofía', { exact: true }).waitFor();

  // Paid, but not signed: the declaration's error, on its checkbox and in the summary.
  await paysWithTheTestCard(page);
  await page.getByText(/^I declare/).waitFor();
  await page.getByRole('button', { name: 'Submit my application' }).click();
  const summary = page.locator('#error-summary');
  await summary.getByRole('link', { name: 'Declaration: Confirm the declaration to submit your application.' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
  assert.equal(await page.locator('#declaration').getAttribute('aria-invalid'), 'true', 'the checkbox is marked invalid');
  await page.locator('#declaration-error').getByText('Confirm the declaration to submit your application.').waitFor();
  await checkAccessibility(page, 'a declaration not confirmed');

  // Signed: the confirmation page, with the number, the date and what happens next.
  await confirmsTheDeclaration(page);
  await page.getByRole('button', { name: 'Submit my application' }).click();
  await page.waitForURL('**/applications/*/submitted');
  // The number is the notice's title (its heading, inside the design system's component).
  await page.getByRole('heading', { name: /Your application number is / }).waitFor();
  const title = await page.locator('gcds-notice[notice-role="success"]').getAttribute('notice-title');
  const number = title.match(/[A-Z][0-9]{9}/)?.[0];
  assert.ok(number, `the number in "${title}"`);
  await page.getByText(/^Submitted on /).waitFor();
  // The declaration is recorded with the submission: its version, and the language it was read in.
  await page.getByText(/, you confirmed the declaration \(version [^)]+\) in English\.$/).waitFor();
  await page.getByRole('heading', { name: 'What happens next' }).waitFor();
  await checkBothLanguages(page, 'the confirmation page');
  await page.getByRole('link', { name: 'Back to my applications' }).waitFor();
  await page.getByRole('link', { name: 'Go to your application' }).click();
  await page.getByText(`Application number: ${number}`).waitFor();
  await page.getByText('Status: Submitted').waitFor();

  // The notice of it names the application and reads in the interface's language: French in
  // the French interface, switching with the toggle.
  await page.getByRole('link', { name: 'Notifications' }).click();
  await page.waitForURL('**/notifications');
  // Notices come through the store's change feed, a moment after the change: look again until then.
  const notice = page.getByRole('heading', { name: /^Your application is now submitted/ });
  for (let look = 0; look < 50 && !(await notice.isVisible()); look++) {
    await page.waitForTimeout(100);
    await page.reload();
    await page.locator('#main-content h1').waitFor();
  }
  await notice.waitFor();
  await page.getByText(`The status of your application ${number} (Visitor visa (temporary resident visa)) is now: submitted.`).waitFor();
  await toggleLanguage(page, 'fr');
  await page.getByRole('heading', { name: /^L'état de votre demande\s: soumise/ }).waitFor();
  await page
    .getByText(`L'état de votre demande ${number} (Visa de visiteur (visa de résident temporaire)) est maintenant\u00a0: soumise.`)
    .waitFor();
  assert.equal(await page.getByText(/^Your application is now/).count(), 0, 'no English notice left in the French interface');
  await toggleLanguage(page, 'en');
  await checkBothLanguages(page, 'notifications');
});
