// Both official languages are complete: every key exists in English and French, no text is
// left empty, placeholders match (a test fails when a key is missing in either), and French
// follows its typography.
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

  it('writes French with its typography: a non-breaking space before : ; ! ? and inside « »', () => {
    // A colon between digits (a time) or in an address is not punctuation.
    const misplaced = /[^\u00a0\u202f][;!?»]|[^\u00a0\u202f]:(?!\d|\/\/)|«[^\u00a0\u202f]/;
    for (const [key, french] of Object.entries(fr)) {
      expect(french, key).not.toMatch(misplaced);
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
