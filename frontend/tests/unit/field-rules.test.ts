// Answers that cannot be true are caught where they are entered, by the rules in the type's data:
// a date of birth in the past, a date after another one, a text's pattern and length, a number's
// bounds; and each problem (the browser's or the API's code for the same rule) says what is
// expected — the pattern's hint, "At most 180", "Must be after <the other field's label>".
import { describe, expect, it, vi } from 'vitest';
import en from '../../src/i18n/en.json';

vi.mock('../../src/i18n', () => ({
  t: (key: keyof typeof en, values: Record<string, string> = {}) =>
    en[key].replace(/\{(\w+)\}/g, (_, name: string) => values[name]),
  pick: (text: { en: string }) => text.en,
  formatNumber: (value: number) => new Intl.NumberFormat('en-CA').format(value),
}));

const { affectedBy, isDate, problemMessage, problemOf, problemsOf, ruleMessage, today } = await import('../../src/field-rules');
type Field = import('../../src/catalog').Field;

const label = (en: string) => ({ en, fr: en });
const dateOfBirth: Field = { id: 'dateOfBirth', type: 'date', required: true, label: label('Date of birth'), before: 'today' };
const arrival: Field = { id: 'arrivalDate', type: 'date', required: true, label: label('Planned arrival date'), after: 'today' };
const expiry: Field = { id: 'passportExpiry', type: 'date', required: true, label: label('Passport expiry date'), after: 'arrivalDate' };
const passport: Field = {
  id: 'passportNumber',
  type: 'text',
  required: true,
  label: label('Passport number'),
  pattern: '^[A-Z0-9]{9}$',
  patternHint: label('9 letters or digits, capitals'),
};
const stay: Field = { id: 'lengthOfStayDays', type: 'number', required: true, label: label('Length of stay (days)'), min: 1, max: 180 };
const name: Field = { id: 'familyName', type: 'text', required: true, label: label('Family name'), maxLength: 5 };
const purpose: Field = {
  id: 'purpose',
  type: 'select',
  required: true,
  label: label('Purpose'),
  options: [{ value: 'tourism', label: label('Tourism') }],
};
const form = [dateOfBirth, arrival, expiry, passport, stay, name, purpose];
const NOW = '2026-12-01';

describe('an answer checked against its field', () => {
  it('leaves a blank answer alone: a draft may be incomplete', () => {
    for (const field of form) expect(problemOf(field, { [field.id]: '' }, NOW), field.id).toBeNull();
  });

  it('wants a date of birth in the past, not today or later', () => {
    expect(problemOf(dateOfBirth, { dateOfBirth: '1990-05-17' }, NOW)).toBeNull();
    expect(problemOf(dateOfBirth, { dateOfBirth: NOW }, NOW)).toBe('not-in-past');
    expect(problemOf(dateOfBirth, { dateOfBirth: '2030-01-01' }, NOW)).toBe('not-in-past');
  });

  it('wants an arrival date in the future', () => {
    expect(problemOf(arrival, { arrivalDate: '2027-07-01' }, NOW)).toBeNull();
    expect(problemOf(arrival, { arrivalDate: NOW }, NOW)).toBe('not-in-future');
    expect(problemOf(arrival, { arrivalDate: '2026-11-30' }, NOW)).toBe('not-in-future');
  });

  it('compares a date with another answer, once that one is a date', () => {
    expect(problemOf(expiry, { passportExpiry: '2027-01-01' }, NOW)).toBeNull();
    expect(problemOf(expiry, { passportExpiry: '2027-01-01', arrivalDate: 'not yet' }, NOW)).toBeNull();
    expect(problemOf(expiry, { passportExpiry: '2027-01-01', arrivalDate: '2027-07-01' }, NOW)).toBe('not-after');
    expect(problemOf(expiry, { passportExpiry: '2027-07-01', arrivalDate: '2027-07-01' }, NOW)).toBe('not-after');
    expect(problemOf(expiry, { passportExpiry: '2031-01-31', arrivalDate: '2027-07-01' }, NOW)).toBeNull();
  });

  it('wants a date before another answer, when the rule says so', () => {
    const booked: Field = { id: 'bookedOn', type: 'date', required: false, label: label('Booked on'), before: 'arrivalDate' };
    expect(problemOf(booked, { bookedOn: '2027-06-01', arrivalDate: '2027-07-01' }, NOW)).toBeNull();
    expect(problemOf(booked, { bookedOn: '2027-07-01', arrivalDate: '2027-07-01' }, NOW)).toBe('not-before');
    expect(ruleMessage(booked, 'not-before', form)).toBe('Must be before Planned arrival date.');
  });

  it('refuses dates that are not on the calendar', () => {
    expect(isDate('2028-02-29')).toBe(true);
    expect(isDate('2027-02-29')).toBe(false);
    expect(isDate('2027-13-01')).toBe(false);
    expect(isDate('27-01-01')).toBe(false);
    expect(problemOf(arrival, { arrivalDate: '2027-02-30' }, NOW)).toBe('invalid-date');
  });

  it('checks a text against its pattern and its length, counting characters', () => {
    expect(problemOf(passport, { passportNumber: 'AB1234567' }, NOW)).toBeNull();
    expect(problemOf(passport, { passportNumber: 'ab-1' }, NOW)).toBe('pattern');
    expect(problemOf(name, { familyName: 'Éloïs' }, NOW)).toBeNull();
    expect(problemOf(name, { familyName: 'Tremblay' }, NOW)).toBe('too-long');
  });

  it('checks a number against its bounds', () => {
    expect(problemOf(stay, { lengthOfStayDays: '180' }, NOW)).toBeNull();
    expect(problemOf(stay, { lengthOfStayDays: '181' }, NOW)).toBe('too-large');
    expect(problemOf(stay, { lengthOfStayDays: '0' }, NOW)).toBe('too-small');
    expect(problemOf(stay, { lengthOfStayDays: 'many' }, NOW)).toBe('wrong-type');
  });

  it('takes only the listed options', () => {
    expect(problemOf(purpose, { purpose: 'tourism' }, NOW)).toBeNull();
    expect(problemOf(purpose, { purpose: 'smuggling' }, NOW)).toBe('not-an-option');
  });

  it('lists the problems of a whole form by field', () => {
    const answers = { dateOfBirth: '2030-01-01', passportNumber: 'AB1234567', lengthOfStayDays: 365 };
    expect([...problemsOf(form, answers, NOW)]).toEqual([
      ['dateOfBirth', 'not-in-past'],
      ['lengthOfStayDays', 'too-large'],
    ]);
  });

  it('knows which answers to check again when one changes', () => {
    expect(affectedBy(form, 'arrivalDate').map((f) => f.id)).toEqual(['arrivalDate', 'passportExpiry']);
    expect(affectedBy(form, 'familyName').map((f) => f.id)).toEqual(['familyName']);
  });

  it("takes today's date as the server does (UTC)", () => {
    expect(today(new Date(Date.UTC(2027, 0, 9, 23, 30)))).toBe('2027-01-09');
  });
});

describe('what a problem says', () => {
  it('says what is expected, from the field’s rules', () => {
    expect(ruleMessage(passport, 'pattern', form)).toBe('9 letters or digits, capitals');
    expect(ruleMessage(stay, 'too-large', form)).toBe('At most 180.');
    expect(ruleMessage(name, 'too-long', form)).toBe('At most 5 characters.');
    expect(ruleMessage(dateOfBirth, 'not-in-past', form)).toBe('Must be a date in the past.');
    expect(ruleMessage(arrival, 'not-in-future', form)).toBe('Must be a date in the future.');
    expect(ruleMessage(expiry, 'not-after', form)).toBe('Must be after Planned arrival date.');
  });

  it('gives the same words to the API’s codes, and the API’s own words to any other', () => {
    expect(problemMessage(form, { field: 'lengthOfStayDays', code: 'too-large', message: 'This is too large.' })).toBe('At most 180.');
    expect(problemMessage(form, { field: 'passportNumber', code: 'required', message: 'This field is required.' })).toBe(
      'This answer is required.',
    );
    expect(problemMessage(form, { field: 'documents.photo', code: 'missing', message: 'Upload this document.' })).toBe(
      'Upload this document.',
    );
    expect(problemMessage(form, { field: 'purpose', code: 'something-new' })).toBe('something-new');
  });

  it('falls back to a general text when a pattern has no hint', () => {
    expect(ruleMessage({ ...passport, patternHint: null }, 'pattern', form)).toBe('The format is not valid.');
  });
});
