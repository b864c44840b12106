// Recovery codes, shown once: after the first enrolment of an authenticator and after a new set
// is asked for. They live in memory only until the person moves on; the portal keeps digests.
import { html } from 'lit-html';
import { navigate, type Page } from '../app';
import { t } from '../i18n';

/** The codes to show, and where the person goes once they saved them. */
let shown: { codes: string[]; then: string } | null = null;

/** Shows `codes` once, then goes on to `then`. */
export async function showRecoveryCodes(codes: string[], then: string): Promise<void> {
  shown = { codes, then };
  await navigate('/recovery-codes');
}

function download(codes: string[]): void {
  const text = `${t('recoveryCodes.fileTitle')}\n\n${codes.join('\n')}\n`;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  link.download = 'recovery-codes.txt';
  link.click();
  URL.revokeObjectURL(link.href);
}

async function done(): Promise<void> {
  const then = shown?.then ?? '/security';
  shown = null;
  await navigate(then);
}

export const recoveryCodesPage: Page = {
  title: () => t('recoveryCodes.heading'),
  private: true,
  load: async () => {
    // Shown once: a reload, or a visit later, has nothing to show.
    if (!shown) await navigate('/security', true);
  },
  view: () => {
    const codes = shown?.codes ?? [];
    return html`
      <p>${t('recoveryCodes.lead')}</p>
      <ol class="recovery-codes" id="recovery-codes">${codes.map((code) => html`<li><code>${code}</code></li>`)}</ol>
      <p>${t('recoveryCodes.keep')}</p>
      <gcds-button type="button" button-role="secondary" @click=${() => download(codes)}>
        ${t('recoveryCodes.download')}</gcds-button>
      <gcds-button type="button" @click=${() => void done()}>${t('recoveryCodes.saved')}</gcds-button>
    `;
  },
};
