import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  browser,
  checkAccessibility,
  checkBothLanguages,
  heading,
  journey,
  saved,
  officerSignsIn,
  clock,
  anApplicantSubmits,
} from '../harness.mjs';

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
