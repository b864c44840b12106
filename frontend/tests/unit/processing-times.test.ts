// A processing-time estimate in words, in both languages: the median and the 80th percentile in
// whole days (rounded up) under two weeks and in weeks beyond, one or many as each language
// says it, with the number of decisions it rests on; and a type with no estimate says so.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import en from '../../src/i18n/en.json';
import fr from '../../src/i18n/fr.json';

let language: 'en' | 'fr' = 'en';
const texts = { en, fr } as Record<'en' | 'fr', Record<string, string>>;

vi.mock('../../src/i18n', () => ({
  language: () => language,
  t: (key: string, values: Record<string, string | number> = {}) =>
    texts[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name])),
  formatNumber: (value: number) => new Intl.NumberFormat(language === 'fr' ? 'fr-CA' : 'en-CA').format(value),
}));
vi.mock('../../src/app', () => ({ refresh: () => undefined }));

const { duration, estimateText } = await import('../../src/processing-times');

const NO_BREAK = '\u00a0';

describe('a processing-time estimate', () => {
  beforeEach(() => {
    language = 'en';
  });

  it('says days under two weeks, rounded up, and weeks from two weeks on', () => {
    expect(duration(0.2)).toBe('1 day');
    expect(duration(1)).toBe('1 day');
    expect(duration(2.5)).toBe('3 days');
    expect(duration(13)).toBe('13 days');
    expect(duration(13.1)).toBe('2 weeks');
    expect(duration(14)).toBe('2 weeks');
    expect(duration(15)).toBe('3 weeks');
    expect(duration(70)).toBe('10 weeks');
  });

  it('gives the median, the 80th percentile and the sample size', () => {
    expect(estimateText({ medianDays: 9.5, p80Days: 31, sampleSize: 1234 })).toBe(
      'Half of recent applications were decided within 10 days of being submitted, and 4 in 5 within 5 weeks ' +
        '(based on 1,234 decided applications).',
    );
    expect(estimateText({ medianDays: 1, p80Days: 1, sampleSize: 1 })).toBe(
      'Half of recent applications were decided within 1 day of being submitted, and 4 in 5 within 1 day ' +
        '(based on 1 decided application).',
    );
  });

  it('reads in French, with its numbers and plurals', () => {
    language = 'fr';
    expect(duration(1)).toBe(`1${NO_BREAK}jour`);
    expect(duration(21)).toBe(`3${NO_BREAK}semaines`);
    const text = estimateText({ medianDays: 9.5, p80Days: 31, sampleSize: 1234 });
    expect(text).toContain(`en 10${NO_BREAK}jours au plus`);
    expect(text).toContain(`en 5${NO_BREAK}semaines au plus`);
    // French groups thousands with a (narrow) no-break space.
    expect(text).toMatch(/d'après 1\s234 demandes ayant reçu une décision/);
    expect(estimateText({ medianDays: 3, p80Days: 4, sampleSize: 1 })).toContain("d'après 1 demande ayant reçu une décision");
  });

  it('says when there is not enough to estimate, rather than a figure', () => {
    expect(estimateText(null)).toBe('Not enough decided applications yet to estimate how long this type takes.');
    language = 'fr';
    expect(estimateText(null)).toBe("Pas encore assez de demandes ayant reçu une décision pour estimer le délai de ce type de demande.");
  });
});
