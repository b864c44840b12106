// Who wrote a message, as each reader of the thread is told: the side that wrote it (`from`)
// read from the reader's side. The agency's messages are the agency's for everyone; the
// applicant's are "you" to the applicant and "the applicant" to officers (an officer's page once
// called them "You"); a representative's say who wrote them for the applicant. Receipts and
// read marks concern the reader's own side and the other side's respectively.
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../../src/api/client';

vi.mock('../../src/i18n', () => ({
  language: () => 'en',
  t: (key: string, values: Record<string, string> = {}) => (values.name ? `${key}(${values.name})` : key),
  formatDateTime: () => 'a time',
  formatZonedDate: () => 'a date',
}));

const { author, ownSide } = await import('../../src/thread');
type Reader = import('../../src/thread').Reader;

function message(from: Schemas['Side'], author: string, representative?: Schemas['Acting']): Schemas['MessageView'] {
  return { id: 'm1', applicationId: 'a1', from, author, body: 'Hello', documentIds: [], sentAt: 1, readAt: 0, representative };
}

const officer: Reader = { side: 'officer' };
const applicant: Reader = { side: 'applicant', sub: 'owner-sub', isApplicant: true };
const representative: Reader = { side: 'applicant', sub: 'rep-sub', isApplicant: false };
const priya = { name: 'Priya Sharma', firm: 'Cabinet Nord' };

describe('who wrote a message', () => {
  it("calls the applicant's message the applicant's on the officer's page, and the applicant's own to the applicant", () => {
    const mine = message('applicant', 'owner-sub');
    expect(author(mine, officer)).toBe('messages.fromApplicant');
    expect(author(mine, applicant)).toBe('messages.fromMe');
    expect(author(mine, representative)).toBe('messages.fromApplicant');
  });

  it("signs an officer's message by the agency for both readers", () => {
    const reply = message('officer', 'officer-sub');
    expect(author(reply, officer)).toBe('messages.fromOfficer');
    expect(author(reply, applicant)).toBe('messages.fromOfficer');
    expect(author(reply, representative)).toBe('messages.fromOfficer');
  });

  it("names the representative who wrote for the applicant, and is theirs to the representative", () => {
    const written = message('applicant', 'rep-sub', priya);
    expect(author(written, officer)).toBe('messages.fromRepresentative(Priya Sharma (Cabinet Nord))');
    expect(author(written, applicant)).toBe('messages.fromYourRepresentative(Priya Sharma (Cabinet Nord))');
    expect(author(written, representative)).toBe('messages.fromMe');
  });
});

describe("a message's receipt", () => {
  it("belongs to the reader's own side", () => {
    expect(ownSide(message('officer', 'officer-sub'), officer)).toBe(true);
    expect(ownSide(message('applicant', 'owner-sub'), officer)).toBe(false);
    expect(ownSide(message('applicant', 'rep-sub', priya), applicant)).toBe(true);
    expect(ownSide(message('officer', 'officer-sub'), applicant)).toBe(false);
  });
});
