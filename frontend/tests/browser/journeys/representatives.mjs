import assert from 'node:assert/strict';
import {
  baseUrl,
  browser,
  registered,
  checkAccessibility,
  checkBothLanguages,
  heading,
  journey,
  PDF,
  saved,
  answer,
  next,
  officerSignsIn,
  signsInFirstTime,
  anApplicantStarts,
  choosesFile,
} from '../harness.mjs';

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
    await summary.getByText('Confirm the consent statement to authorize a representative.').waitFor();
    await page.getByLabel('I have read the consent statement and I agree to it').check();
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await summary.getByText(/R followed by 6 digits/).waitFor();
    await summary.getByText('Enter a valid email address.').waitFor();
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
    await choosesFile(rep, 'passport', { name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF });
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
