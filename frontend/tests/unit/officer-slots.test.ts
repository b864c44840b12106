// After publishing a schedule the officer sees every slot of it listed: a schedule that runs past
// the location's midnight spans two local dates, and both are listed.
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../../src/api/client';

vi.mock('../../src/i18n', () => ({
  pick: (text: Schemas['Text']) => text.en,
  t: (key: string) => key,
  formatDate: (day: string) => day,
  formatZonedTime: () => 'a time',
  formatZonedDateTime: () => 'a day and time',
}));

const { daysBetween, daysOf } = await import('../../src/pages/officer-appointments');

const slot = (startLocal: string) => ({ startLocal }) as Schemas['SlotView'];

describe('the days a published schedule spans', () => {
  it('is one day for slots within a day', () => {
    const span = daysOf([slot('2027-01-20T09:00'), slot('2027-01-20T09:15')], '2027-01-20T09:00');
    expect(span).toEqual({ date: '2027-01-20', to: '2027-01-20' });
    expect(daysBetween(span.date, span.to)).toBe(0);
  });

  it('runs to the next day for slots past midnight', () => {
    const span = daysOf([slot('2027-01-20T23:55'), slot('2027-01-21T00:00'), slot('2027-01-21T00:05')], '2027-01-20T23:55');
    expect(span).toEqual({ date: '2027-01-20', to: '2027-01-21' });
    expect(daysBetween(span.date, span.to)).toBe(1);
  });

  it('counts days across a month and a year', () => {
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2027-02-28', '2027-03-01')).toBe(1);
  });

  it('is the day typed when nothing was published', () => {
    expect(daysOf([], '2027-01-20T09:00')).toEqual({ date: '2027-01-20', to: '2027-01-20' });
  });
});
