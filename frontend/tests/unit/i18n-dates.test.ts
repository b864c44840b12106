// Dates and times as each language writes them: French writes the first day of a month `1er`,
// and a time never breaks across lines (its spaces are non-breaking).
import { describe, expect, it, vi } from 'vitest';

vi.stubGlobal('localStorage', { getItem: () => 'fr', setItem: () => undefined });
vi.stubGlobal('document', { documentElement: {} });

const { formatDate, formatDateTime, formatZonedDateTime, formatZonedTime, setLanguage } = await import('../../src/i18n');

const NO_BREAK = '\u00a0';
/** 2026-12-01 14:05 in Toronto, in seconds since the epoch. */
const FIRST_OF_DECEMBER = Date.UTC(2026, 11, 1, 19, 5) / 1000;

describe('dates in French', () => {
  it('writes the first day of a month 1er, and the other days as numbers', () => {
    setLanguage('fr');
    expect(formatDate('2026-12-01')).toBe('1er décembre 2026');
    expect(formatDate('2026-12-02')).toBe('2 décembre 2026');
    expect(formatDate('2026-12-11')).toBe('11 décembre 2026');
    expect(formatDate('2026-12-01', 'full')).toBe('mardi 1er décembre 2026');
    expect(formatZonedDateTime(FIRST_OF_DECEMBER, 'America/Toronto')).toBe(`mardi 1er décembre 2026 à 14${NO_BREAK}h${NO_BREAK}05`);
  });

  it('keeps a time on one line', () => {
    setLanguage('fr');
    expect(formatZonedTime(FIRST_OF_DECEMBER, 'America/Toronto')).toBe(`14${NO_BREAK}h${NO_BREAK}05`);
    expect(formatDateTime(FIRST_OF_DECEMBER)).toMatch(/\d{1,2}\u00a0h\u00a0\d{2}$/);
  });
});

describe('dates in English', () => {
  it('writes days as numbers and keeps the time and its period together', () => {
    setLanguage('en');
    expect(formatDate('2026-12-01')).toBe('December 1, 2026');
    expect(formatZonedTime(FIRST_OF_DECEMBER, 'America/Toronto')).toBe(`2:05${NO_BREAK}p.m.`);
  });
});
