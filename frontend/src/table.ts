// Data tables (dashboard, officer queue, activity): column headings and one row per entry, in a
// region of their own that scrolls sideways when the table is wider than the screen (a phone),
// so the page itself never does.
import { html, type TemplateResult } from 'lit-html';
import { t } from './i18n';

/** `content` (a wide table) in a labelled region that scrolls sideways; focusable, so that a
 * keyboard user can scroll it with the arrow keys. */
export function scrolling(label: string, content: TemplateResult): TemplateResult {
  return html`<div class="table-region" role="region" aria-label=${label} tabindex="0">${content}</div>`;
}

/** A table of `rows` under `headings`; its region is named `label` (by default, its columns). */
export function table(headings: string[], rows: TemplateResult[], label?: string): TemplateResult {
  return scrolling(
    label ?? t('table.label', { columns: headings.join(', ') }),
    html`<table class="applications">
      <thead><tr>${headings.map((heading) => html`<th scope="col">${heading}</th>`)}</tr></thead>
      <tbody>${rows}</tbody>
    </table>`,
  );
}
