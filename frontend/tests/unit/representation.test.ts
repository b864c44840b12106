// How the viewer stands to an application, which decides the controls a case page offers: its
// applicant does everything; a representative with full access works on it but never submits,
// pays or chooses representatives; one with read access changes nothing; a grant past its last
// day, or no grant, is no standing at all. And a licence as the request bodies take it.
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../../src/api/client';

vi.mock('../../src/i18n', () => ({
  language: () => 'en',
  t: (key: string) => key,
  formatZonedDate: () => 'a date',
}));

const { isApplicant, licenceBody, mayAct, standingIn } = await import('../../src/representation');

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

function grant(userId: string, scope: Schemas['Scope'], endsOn?: string): Schemas['Grant'] {
  return {
    userId,
    name: 'Priya Sharma',
    email: 'priya@example.ca',
    clientName: 'Amara Okafor',
    kind: 'unpaid',
    scope,
    since: 1,
    endsOn,
    consent: { version: '2026-12', language: 'en', text: '…', at: 1 },
  };
}

function application(representatives: Schemas['Grant'][]): Schemas['Application'] {
  return {
    id: 'a1',
    owner: 'owner-sub',
    type: 'visitor-visa',
    status: 'draft',
    data: {},
    createdAt: 1,
    updatedAt: 1,
    version: 1,
    representatives,
  };
}

describe('the viewer of an application', () => {
  const shared = application([grant('full-sub', 'full'), grant('read-sub', 'read', day(1)), grant('old-sub', 'full', day(-2))]);

  it('is its applicant, who may do everything', () => {
    const standing = standingIn(shared, 'owner-sub');
    expect(standing.role).toBe('owner');
    expect(isApplicant(standing) && mayAct(standing)).toBe(true);
  });

  it('is a representative with full access, who acts but is not the applicant', () => {
    const standing = standingIn(shared, 'full-sub');
    expect(standing.role).toBe('representative');
    expect(mayAct(standing)).toBe(true);
    expect(isApplicant(standing)).toBe(false);
  });

  it('is a representative with read access, who changes nothing', () => {
    const standing = standingIn(shared, 'read-sub');
    expect(standing.role).toBe('representative');
    expect(mayAct(standing)).toBe(false);
    expect(isApplicant(standing)).toBe(false);
  });

  it('has no standing past the grant’s last day, nor without a grant', () => {
    for (const sub of ['old-sub', 'someone-else']) {
      const standing = standingIn(shared, sub);
      expect(standing.role, sub).toBe('other');
      expect(mayAct(standing) || isApplicant(standing), sub).toBe(false);
    }
    expect(standingIn({ ...shared, representatives: undefined }, 'full-sub').role).toBe('other');
  });
});

describe('a licence in a request body', () => {
  it('is left out without a number, and names the province only for a law society', () => {
    expect(licenceBody({ licenceNumber: '  ', province: 'QC' }, '')).toEqual({});
    expect(licenceBody({ licenceNumber: ' R705123 ', province: '' }, '')).toEqual({ licenceNumber: 'R705123' });
    expect(licenceBody({ 'join-licenceNumber': '12345', 'join-province': 'QC' }, 'join-')).toEqual({
      licenceNumber: '12345',
      province: 'QC',
    });
    expect(licenceBody({ licenceNumber: '12345', province: 'XX' }, '')).toEqual({ licenceNumber: '12345' });
  });
});
