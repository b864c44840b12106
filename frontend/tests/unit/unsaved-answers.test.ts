// Answers typed but not saved survive a reload (kept per application in the tab's session
// storage), go once saved, and all go when the session ends: nothing typed outlives it.
import { beforeEach, describe, expect, it } from 'vitest';

/** The tab's session storage, as the browser gives it (other keys included). */
class Storage {
  private items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
  keys = () => [...this.items.keys()];
}

let storage: Storage;
beforeEach(() => {
  storage = new Storage();
  // Object.keys(sessionStorage) lists the stored keys, as in a browser.
  const proxy = new Proxy(storage, { ownKeys: () => storage.keys(), getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }) });
  Object.defineProperty(globalThis, 'sessionStorage', { value: proxy, configurable: true });
});

const { forgetUnsavedAnswers, keepUnsavedAnswers, unsavedAnswers } = await import('../../src/unsaved-answers');

describe('unsaved answers', () => {
  it('are kept per application, and given back after a reload', () => {
    keepUnsavedAnswers('a1', { dateOfBirth: '2030-01-01' });
    keepUnsavedAnswers('a2', { passportNumber: 'ab-1' });
    expect(unsavedAnswers('a1')).toEqual({ dateOfBirth: '2030-01-01' });
    expect(unsavedAnswers('a2')).toEqual({ passportNumber: 'ab-1' });
    expect(unsavedAnswers('a3')).toEqual({});
  });

  it('go once there is nothing left unsaved', () => {
    keepUnsavedAnswers('a1', { dateOfBirth: '2030-01-01' });
    keepUnsavedAnswers('a1', {});
    expect(storage.keys()).toEqual([]);
  });

  it('all go when the session ends, and nothing else does', () => {
    storage.setItem('portal.other', 'kept');
    keepUnsavedAnswers('a1', { dateOfBirth: '2030-01-01' });
    keepUnsavedAnswers('a2', { passportNumber: 'ab-1' });
    forgetUnsavedAnswers();
    expect(storage.keys()).toEqual(['portal.other']);
  });

  it('read as none when what is stored is not answers', () => {
    storage.setItem('portal.unsaved.a1', '[1, 2]');
    storage.setItem('portal.unsaved.a2', '{not json');
    expect(unsavedAnswers('a1')).toEqual({});
    expect(unsavedAnswers('a2')).toEqual({});
  });
});
