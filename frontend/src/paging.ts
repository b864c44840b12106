// Paged lists: every list the API answers is one page (`{items, nextCursor}`, at most 100
// items); the pages here keep what was read and offer a "Load more" button while there is more.
import { html, nothing, type TemplateResult } from 'lit-html';
import type { Schemas } from './api/client';
import { refresh } from './app';
import { failed, type FormState } from './forms';
import { t } from './i18n';

/** One page as the API answers it: the shape every `PageOf…` schema has (the document names
 * one per item type; this is the same for any `T`). */
export type PageOf<T> = { items: T[] } & Pick<Schemas['PageOfDocument'], 'nextCursor'>;

/** Reads the page that starts at `cursor` (the first page without one). */
export type PageReader<T> = (cursor?: string) => Promise<PageOf<T>>;

/** A list read page by page: the items so far and where the next page starts. */
export class PagedList<T> {
  items: T[] = [];
  next: string | null = null;

  /** Without a reader, an empty list (a page not loaded yet). */
  constructor(readonly read: PageReader<T> = async () => ({ items: [], nextCursor: null })) {}

  /** Starts over from a first page (read here, or already read inside a larger answer). */
  async first(page?: PageOf<T>): Promise<this> {
    const read = page ?? (await this.read());
    this.items = read.items;
    this.next = read.nextCursor;
    return this;
  }

  /** Appends the next page. */
  async more(): Promise<T[]> {
    if (this.next === null) return [];
    const read = await this.read(this.next);
    this.items.push(...read.items);
    this.next = read.nextCursor;
    return read.items;
  }
}

/** The "Load more" button of a list, while it has more; `then` runs on what the page brought. */
export function loadMore<T>(
  list: PagedList<T>,
  state: FormState,
  then?: (added: T[]) => Promise<unknown>,
): TemplateResult | typeof nothing {
  if (list.next === null) return nothing;
  return html`<p class="load-more">
    <gcds-button type="button" button-role="secondary" @click=${async () => {
      try {
        const added = await list.more();
        await then?.(added);
      } catch (error) {
        failed(state, error);
      }
      refresh();
    }}>${t('paging.more')}</gcds-button>
  </p>`;
}
