// The officer's documents section groups files by kind: one heading per kind, in the order of
// the type's checklist (a kind the type does not list comes after), each kind's files oldest
// first, and no heading for a kind nothing was sent for.
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../../src/api/client';

vi.mock('../../src/i18n', () => ({
  language: () => 'en',
  pick: (text: Schemas['Text']) => text.en,
  t: (key: string) => key,
  said: (key: string) => () => key,
  formatDateTime: () => 'a time',
  formatZonedDate: () => 'a date',
}));

const { byKind } = await import('../../src/pages/officer-documents');

const type = {
  documents: [
    { kind: 'passport', required: true, label: { en: 'Passport', fr: 'Passeport' } },
    { kind: 'photo', required: true, label: { en: 'Photo', fr: 'Photo' } },
    { kind: 'letter', required: false, label: { en: 'Letter', fr: 'Lettre' } },
  ],
} as unknown as Schemas['ApplicationType'];

function sent(id: string, kind: string, createdAt: number): Schemas['Document'] {
  return { id, applicationId: 'a1', kind, fileName: `${id}.pdf`, fileKind: 'pdf', size: 1, state: 'verified', createdAt, updatedAt: createdAt } as Schemas['Document'];
}

describe('documents by kind', () => {
  it("puts a kind's files under one heading, in the checklist's order, oldest first", () => {
    const groups = byKind(type, [sent('p2', 'photo', 30), sent('x', 'other', 5), sent('p1', 'photo', 10), sent('pp', 'passport', 20)]);
    expect(groups.map((g) => [g.label, g.files.map((f) => f.id)])).toEqual([
      ['Passport', ['pp']],
      ['Photo', ['p1', 'p2']],
      ['other', ['x']],
    ]);
  });
});
