// A case's message thread as each reader sees it. The API says which side wrote a message
// (`from`); what a page calls that side depends on who is reading, so the words are chosen here,
// once, for both readers: the applicant's side (the applicant, or one of their representatives)
// and the agency's officers. A page that picked its own words once showed the applicant's
// messages to officers as "You" — words meant for the applicant reading.
import { api, type Schemas } from './api/client';
import { t } from './i18n';
import { actingName } from './representation';

type Message = Schemas['MessageView'];

/** Who reads a thread: an officer, or someone on the applicant's side, by their account (`sub`)
 * and whether they are the applicant themselves. */
export type Reader = { side: 'officer' } | { side: 'applicant'; sub: string; isApplicant: boolean };

/** Who wrote `message`, as `reader` is told: the agency (never an officer's name), "you", the
 * applicant, or the representative who wrote it for the applicant. */
export function author(message: Message, reader: Reader): string {
  if (message.from === 'officer') return t('messages.fromOfficer');
  if (reader.side === 'applicant' && message.author === reader.sub) return t('messages.fromMe');
  if (message.representative) {
    const name = actingName(message.representative);
    return reader.side === 'applicant' && reader.isApplicant
      ? t('messages.fromYourRepresentative', { name })
      : t('messages.fromRepresentative', { name });
  }
  return t('messages.fromApplicant');
}

/** Whether `message` was written on the reader's side: only those carry a receipt worth showing
 * (whether the other side read it). */
export const ownSide = (message: Message, reader: Reader): boolean => message.from === reader.side;

/** Records that the reader read the other side's messages shown to them (the API keeps a read
 * representative's reading from counting). */
export async function markRead(applicationId: string, shown: Message[], reader: Reader): Promise<void> {
  const unread = shown.filter((m) => !ownSide(m, reader) && m.readAt === 0);
  await Promise.all(
    unread.map((m) =>
      api('POST', '/api/applications/{id}/messages/{messageId}/read', { path: { id: applicationId, messageId: m.id } }),
    ),
  );
}
