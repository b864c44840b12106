// The signed-in user's profile: language and notification channels, and the download of
// everything the portal keeps about them.
import { html } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, loaded, notice, summary, values, type FormState } from '../forms';
import { isLanguage, said, setLanguage, t, type Language } from '../i18n';

const LANGUAGES: readonly Language[] = ['en', 'fr'];

let profile: Schemas['Profile'] | null = null;
/** The account's reference number, what the person gives support. */
let reference = '';
let state: FormState = emptyState();

export const profilePage: Page = {
  title: () => t('profile.heading'),
  private: true,
  load: async () => {
    state = await loaded(async () => {
      ({ profile, reference } = await api('GET', '/api/me'));
    });
  },
  view: () => {
    if (!profile) return html`${summary(state, {})}`;
    const labels = { 'notifications.phone': t('profile.phone') };
    const channels = profile.notifications;
    return html`
      ${summary(state, labels)} ${notice(state)}
      <p><strong>${t('profile.reference', { reference })}</strong><br />${t('profile.referenceHint')}</p>
      <form novalidate @submit=${async (event: SubmitEvent) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement;
        const checked = (name: string) => form.querySelector<HTMLInputElement>(`input[name=${name}]`)?.checked ?? false;
        const chosen = form.querySelector<HTMLInputElement>('input[name=language]:checked')?.value;
        const language: Language = isLanguage(chosen) ? chosen : 'en';
        const phone = values(form).phone?.trim() ?? '';
        try {
          profile = await api('PATCH', '/api/me', {
            body: {
              preferredLanguage: language,
              notifications: { email: checked('email'), sms: checked('sms'), phone: phone || null },
            },
          });
          setLanguage(language);
          state = emptyState();
          state.notice = said('profile.saved');
        } catch (error) {
          failed(state, error);
          focusSummary();
        }
        refresh();
      }}>
        <fieldset>
          <legend>${t('profile.language')}</legend>
          ${LANGUAGES.map(
            (code) => html`<div class="choice">
              <input type="radio" id="language-${code}" name="language" value=${code}
                ?checked=${profile?.preferredLanguage === code} />
              <label for="language-${code}" lang=${code}>${code === 'en' ? 'English' : 'Français'}</label>
            </div>`,
          )}
        </fieldset>
        <fieldset>
          <legend>${t('profile.channels')}</legend>
          <div class="choice"><input type="checkbox" id="email" name="email" ?checked=${channels.email} />
            <label for="email">${t('profile.email')}</label></div>
          <div class="choice"><input type="checkbox" id="sms" name="sms" ?checked=${channels.sms} />
            <label for="sms">${t('profile.sms')}</label></div>
        </fieldset>
        <gcds-input input-id="phone" name="phone" type="tel" autocomplete="tel" label=${t('profile.phone')}
          .value=${channels.phone ?? ''} validate-on="other"
          error-message=${state.errors.get('notifications.phone') ?? ''}></gcds-input>
        <gcds-button type="submit">${t('profile.save')}</gcds-button>
      </form>
      <h2>${t('profile.export.heading')}</h2>
      <p>${t('profile.export.lead')}</p>
      <gcds-button type="button" button-role="secondary" @click=${async () => {
        try {
          // Assembled as a file in storage; the answer is a short-lived link to it.
          const link = await api('GET', '/api/me/export');
          window.location.assign(link.url);
        } catch (error) {
          failed(state, error);
          focusSummary();
          refresh();
        }
      }}>${t('profile.export.button')}</gcds-button>`;
  },
};
