// Data tables (dashboard, officer queue, activity): column headings and one row per entry.
import { html, type TemplateResult } from 'lit-html';

export function table(headings: string[], rows: TemplateResult[]): TemplateResult {
  return html`<table class="applications">
    <thead><tr>${headings.map((heading) => html`<th scope="col">${heading}</th>`)}</tr></thead>
    <tbody>${rows}</tbody>
  </table>`;
}
