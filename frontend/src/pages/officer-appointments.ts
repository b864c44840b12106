// Appointments as officers handle them. The slots page publishes a day's schedule at a location —
// slots one after the other from a first start typed in the location's local time, each of a
// length and a number of places — and lists a location's slots of one service on one day with
// the places left, each closable to new bookings. The case page's section lists the
// application's bookings and records, once one has begun, whether the applicant came.
import { html, nothing, type TemplateResult } from 'lit-html';
import { api, type Schemas } from '../api/client';
import { refresh, type Page } from '../app';
import { emptyState, failed, focusSummary, loaded, summary, values, type FormState } from '../forms';
import { formatDate, formatZonedDateTime, formatZonedTime, pick, t } from '../i18n';
import { type PagedList, loadMore } from '../paging';
import { scrolling } from '../table';
import { outcome, type Act } from './officer-action';
import { appointmentLocations, appointmentStateLabel, serviceLabel, slotsOf, when, type Appointment } from './appointments';

type Location = Schemas['Location'];
type Service = Schemas['Service'];
type Slot = Schemas['SlotView'];

const SERVICES: readonly Service[] = ['biometrics', 'interview'];
const isService = (value: string): value is Service => (SERVICES as readonly string[]).includes(value);

let locations: Location[] = [];
let state: FormState = emptyState();
/** What went right, said in the language shown (it may change meanwhile). */
let done: (() => string) | null = null;
/** What the publishing form holds between renders (the location and service chosen). */
let draft: { location: string; service: Service } = { location: '', service: 'biometrics' };
/** Which slots are listed: a location's, of a service, from a local date to another (the same
 * one but after publishing a schedule that runs past the location's midnight). */
let shown: { location: string; service: Service; date: string; to: string } = {
  location: '', service: 'biometrics', date: '', to: '',
};
let slots: PagedList<Slot> | null = null;

/** Today's date (`YYYY-MM-DD`) in the time zone `timeZone`. */
function todayIn(timeZone: string): string {
  // en-CA writes dates as ISO 8601 does.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
}

const locationOf = (code: string) => locations.find((location) => location.code === code);

const labels = (): Record<string, string> => ({
  location: t('officer.slots.location'),
  service: t('officer.slots.service'),
  start: t('officer.slots.start'),
  minutes: t('officer.slots.minutes'),
  capacity: t('officer.slots.capacity'),
  count: t('officer.slots.count'),
  'list-location': t('officer.slots.location'),
  'list-service': t('officer.slots.service'),
  'list-date': t('officer.slots.date'),
});

async function list(): Promise<void> {
  slots = await slotsOf(shown.location, shown.service, shown.date, daysBetween(shown.date, shown.to) + 1).first();
}

/** The local dates a schedule just published spans, from its first slot's to its last's (all of
 * it is listed, even when it runs past the location's midnight); `start` as typed if none. */
export function daysOf(published: readonly Slot[], start: string): { date: string; to: string } {
  const date = published[0]?.startLocal.slice(0, 10) ?? start.slice(0, 10);
  return { date, to: published.at(-1)?.startLocal.slice(0, 10) ?? date };
}

/** The days from the date `from` to the date `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000));
}

async function publish(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const answers = values(event.currentTarget as HTMLFormElement);
  const service = answers.service ?? '';
  if (!isService(service)) return;
  draft = { location: answers.location ?? '', service };
  const start = answers.start ?? '';
  try {
    const published = await api('POST', '/api/officer/appointment-slots', {
      body: {
        location: draft.location,
        service,
        start,
        minutes: Number(answers.minutes),
        capacity: Number(answers.capacity),
        count: Number(answers.count),
      },
    });
    state = emptyState();
    done = () => t('officer.slots.published', { count: published.length });
    shown = { location: draft.location, service, ...daysOf(published, start) };
    await list();
  } catch (error) {
    failed(state, error);
    done = null;
    focusSummary();
  }
  refresh();
}

async function show(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const answers = values(event.currentTarget as HTMLFormElement);
  const service = answers['list-service'] ?? '';
  if (!isService(service)) return;
  const date = answers['list-date'] ?? '';
  shown = { location: answers['list-location'] ?? '', service, date, to: date };
  state = emptyState();
  done = null;
  try {
    await list();
  } catch (error) {
    slots = null;
    failed(state, error);
    // The query's fields, named as the form names them.
    const field: Record<string, string> = { location: 'list-location', service: 'list-service', from: 'list-date', to: 'list-date' };
    state.errors = new Map([...state.errors].map(([name, message]) => [field[name] ?? name, message]));
    focusSummary();
  }
  refresh();
}

async function close(slot: Slot): Promise<void> {
  try {
    const closed = await api('POST', '/api/officer/appointment-slots/{slotId}/close', { path: { slotId: slot.id } });
    if (slots) slots.items = slots.items.map((item) => (item.id === closed.id ? closed : item));
    state = emptyState();
    done = () => t('officer.slots.closed');
    requestAnimationFrame(() => document.getElementById('slots-heading')?.focus());
  } catch (error) {
    failed(state, error);
    done = null;
    focusSummary();
  }
  refresh();
}

function locationSelect(id: string, value: string): TemplateResult {
  return html`<gcds-select select-id=${id} name=${id} label=${t('officer.slots.location')} required validate-on="other"
    .value=${value} error-message=${state.errors.get(id) ?? ''}>
    ${locations.map(
      (location) => html`<option value=${location.code} ?selected=${location.code === value}>
        ${pick(location.name)} (${location.timeZone})</option>`,
    )}
  </gcds-select>`;
}

function serviceSelect(id: string, value: Service): TemplateResult {
  return html`<gcds-select select-id=${id} name=${id} label=${t('officer.slots.service')} required validate-on="other"
    .value=${value} error-message=${state.errors.get(id) ?? ''}>
    ${SERVICES.map((service) => html`<option value=${service} ?selected=${service === value}>${serviceLabel(service)}</option>`)}
  </gcds-select>`;
}

function slotsTable(): TemplateResult | typeof nothing {
  if (!slots) return nothing;
  const location = locationOf(shown.location);
  const oneDay = shown.to === shown.date;
  const heading = t(oneDay ? 'officer.slots.caption' : 'officer.slots.captionDays', {
    location: location ? pick(location.name) : shown.location,
    service: serviceLabel(shown.service),
    date: formatDate(shown.date, 'full'),
    to: formatDate(shown.to, 'full'),
  });
  // Over more than one day, each slot says its day.
  const startOf = (slot: Slot) => (oneDay ? formatZonedTime : formatZonedDateTime)(slot.start, slot.timeZone);
  return html`
    <h3 id="slots-heading" tabindex="-1">${heading}</h3>
    ${slots.items.length === 0
      ? html`<p>${t('officer.slots.none')}</p>`
      : html`<p>${t('appointments.timeZone', { zone: slots.items[0].timeZone })}</p>
          ${scrolling(heading, html`<table class="applications" aria-labelledby="slots-heading">
            <thead><tr>
              <th scope="col">${t('officer.slots.time')}</th><th scope="col">${t('officer.slots.length')}</th>
              <th scope="col">${t('officer.slots.places')}</th><th scope="col">${t('officer.slots.state')}</th>
              <th scope="col">${t('officer.slots.action')}</th>
            </tr></thead>
            <tbody>
              ${slots.items.map((slot) => {
                const time = startOf(slot);
                return html`<tr>
                  <th scope="row">${time} – ${formatZonedTime(slot.end, slot.timeZone)}</th>
                  <td>${t('officer.slots.minutesValue', { minutes: slot.minutes })}</td>
                  <td>${t('officer.slots.placesValue', { remaining: slot.remaining, capacity: slot.capacity })}</td>
                  <td>${t(`officer.slots.state.${slot.state}`)}</td>
                  <td>${slot.state === 'open'
                    ? html`<gcds-button type="button" button-role="secondary" size="small" @click=${() => void close(slot)}>
                        ${t('officer.slots.close', { time })}</gcds-button>`
                    : nothing}</td>
                </tr>`;
              })}
            </tbody>
          </table>`)}
          ${loadMore(slots, state)}`}`;
}

export const slotsPage: Page = {
  title: () => t('officer.slots.heading'),
  private: true,
  load: async () => {
    done = null;
    state = await loaded(async () => {
      locations = await appointmentLocations();
      const first = locations[0];
      if (!draft.location && first) draft = { location: first.code, service: first.services[0] ?? 'biometrics' };
      if (!shown.location && first) {
        const today = todayIn(first.timeZone);
        shown = { location: draft.location, service: draft.service, date: today, to: today };
      }
      if (shown.location) await list();
    });
  },
  view: () => html`
    ${summary(state, labels())}
    ${done ? html`<p class="notice" role="status">${done()}</p>` : nothing}
    <h2>${t('officer.slots.publish')}</h2>
    <p>${t('officer.slots.publishLead')}</p>
    <form novalidate @submit=${(event: SubmitEvent) => void publish(event)}>
      ${locationSelect('location', draft.location)}
      ${serviceSelect('service', draft.service)}
      <gcds-input input-id="start" name="start" type="datetime-local" label=${t('officer.slots.start')}
        hint=${t('officer.slots.startHint')} required validate-on="other"
        error-message=${state.errors.get('start') ?? ''}></gcds-input>
      <gcds-input input-id="minutes" name="minutes" type="number" min="5" max="240" value="15"
        label=${t('officer.slots.minutes')} required validate-on="other"
        error-message=${state.errors.get('minutes') ?? ''}></gcds-input>
      <gcds-input input-id="capacity" name="capacity" type="number" min="1" max="50" value="1"
        label=${t('officer.slots.capacity')} required validate-on="other"
        error-message=${state.errors.get('capacity') ?? ''}></gcds-input>
      <gcds-input input-id="count" name="count" type="number" min="1" max="60" value="1"
        label=${t('officer.slots.count')} required validate-on="other"
        error-message=${state.errors.get('count') ?? ''}></gcds-input>
      <gcds-button type="submit">${t('officer.slots.submit')}</gcds-button>
    </form>

    <h2>${t('officer.slots.list')}</h2>
    <form novalidate class="filters" @submit=${(event: SubmitEvent) => void show(event)}>
      ${locationSelect('list-location', shown.location)}
      ${serviceSelect('list-service', shown.service)}
      <gcds-input input-id="list-date" name="list-date" type="date" label=${t('officer.slots.date')} required
        validate-on="other" .value=${shown.date} error-message=${state.errors.get('list-date') ?? ''}></gcds-input>
      <gcds-button type="submit" button-role="secondary">${t('officer.slots.show')}</gcds-button>
    </form>
    ${slotsTable()}`,
};

/** The application's bookings on the case page, with the outcome buttons of those booked. */
export function appointmentsSection(appointments: PagedList<Appointment>, state: FormState, act: Act): TemplateResult {
  const record = (appointment: Appointment, attendance: Schemas['Attendance']) => () =>
    void act({
      at: `appointment-${appointment.id}`,
      run: () =>
        api('POST', '/api/officer/applications/{id}/appointments/{appointmentId}/outcome', {
          path: { id: appointment.applicationId, appointmentId: appointment.id },
          body: { outcome: attendance, version: appointment.version },
        }),
      done: () => t(attendance === 'attended' ? 'officer.case.recordedAttended' : 'officer.case.recordedMissed'),
    });
  return html`
    <h2>${t('officer.case.appointments')}</h2>
    ${appointments.items.length === 0
      ? html`<p>${t('officer.case.noAppointments')}</p>`
      : html`<ul class="appointments">
          ${appointments.items.map(
            (appointment) => html`<li>
              <p><strong>${serviceLabel(appointment.service)}</strong> — ${when(appointment)} (${appointment.timeZone})
                — ${pick(appointment.locationName)} — ${appointmentStateLabel(appointment.state)}</p>
              ${outcome(`appointment-${appointment.id}`)}
              ${appointment.state === 'booked'
                ? html`<p class="actions">
                    <gcds-button type="button" size="small" @click=${record(appointment, 'attended')}>
                      ${t('officer.case.attended')}</gcds-button>
                    <gcds-button type="button" button-role="secondary" size="small" @click=${record(appointment, 'missed')}>
                      ${t('officer.case.missed')}</gcds-button>
                  </p>`
                : nothing}
            </li>`,
          )}
        </ul>
        ${loadMore(appointments, state)}`}`;
}
