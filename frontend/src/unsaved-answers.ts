// Answers typed in a draft but not saved yet — those the rules or the server refused, and those
// still waiting for the save — kept in the tab's session storage per application, so a reload
// shows them again (with their errors) rather than losing them silently. They are the
// applicant's personal data: they go as soon as they are saved, and all of them when the
// session ends (sign-out, time-out), so nothing typed outlives the session on a shared computer.
import type { Answers } from './field-rules';

const PREFIX = 'portal.unsaved.';

/** The answers of application `id` not saved yet (none when storage is unreadable). */
export function unsavedAnswers(id: string): Answers {
  try {
    const kept: unknown = JSON.parse(sessionStorage.getItem(PREFIX + id) ?? '{}');
    return kept && typeof kept === 'object' && !Array.isArray(kept) ? (kept as Answers) : {};
  } catch {
    return {};
  }
}

/** Keeps `answers` as application `id`'s unsaved answers (forgets them when there are none). */
export function keepUnsavedAnswers(id: string, answers: Answers): void {
  try {
    if (Object.keys(answers).length === 0) sessionStorage.removeItem(PREFIX + id);
    else sessionStorage.setItem(PREFIX + id, JSON.stringify(answers));
  } catch {
    // Storage full or disabled: the answers stay on the page, as before.
  }
}

/** Forgets every application's unsaved answers (the session ends). */
export function forgetUnsavedAnswers(): void {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  } catch {
    // Nothing kept.
  }
}
