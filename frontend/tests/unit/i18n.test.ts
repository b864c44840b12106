// Both official languages are complete: every key exists in English and French, no text is
// left empty, and placeholders match (a test fails when a key is missing in either).
import { describe, expect, it } from 'vitest';
import en from '../../src/i18n/en.json';
import fr from '../../src/i18n/fr.json';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('messages', () => {
  it('has the same keys in English and French', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('has no empty text and the same placeholders in both languages', () => {
    for (const [key, english] of Object.entries(en)) {
      const french = (fr as Record<string, string>)[key];
      expect(english.trim(), key).not.toBe('');
      expect(french?.trim(), key).not.toBe('');
      expect(placeholders(french), key).toEqual(placeholders(english));
    }
  });

  it('names every application status in both languages', () => {
    const statuses = ['draft', 'submitted', 'received', 'biometrics_requested', 'biometrics_completed', 'in_review',
      'documents_requested', 'interview_scheduled', 'approved', 'refused', 'closed', 'withdrawn'];
    for (const status of statuses) {
      expect(Object.keys(en)).toContain(`status.${status}`);
    }
  });
});
