// An application's appointments as its applicant sees them, while its status asks for one
// (biometrics, an interview): the booking — what for, where (address and access notes), when, in
// the location's own time zone, said as such — with its calendar file, and moving or cancelling
// it online until the cut-off; with nothing booked, a picker of a location's free slots two weeks
// at a time, grouped by the location's local date (a slot found full meanwhile answers with free
// ones to pick instead); and the earlier bookings, briefly. What goes wrong is announced and
// gets the focus; what went right is announced.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, api, download, type Schemas } from '../api/client';
import { notFoundShown, refresh } from '../app';
import { emptyState, failed, focusSummary, summary, values, type FormState } from '../forms';
import { formatDate, formatZonedDate, formatZonedDateTime, formatZonedTime, pick, said, t } from '../i18n';
import { PagedList, loadMore } from '../paging';

type Application = Schemas['Application'];
export type Appointment = Schemas['AppointmentView'];
type Location = Schemas['Location'];
type Service = Schemas['Service'];
type Slot = Schemas['SlotView'];

/** How many days of slots the picker shows at once. */
const DAYS_SHOWN = 14;

/** The service an application's status asks its applicant to book, if any (the API takes a
 * booking only then). */
export function serviceAsked(status: Schemas['Status']): Service | null {
  if (status === 'biometrics_requested') return 'biometrics';
  if (status === 'interview_scheduled') return 'interview';
  return null;
}

/** What an appointment is for, in words. */
export const serviceLabel = (service: Service): string => t(`appointments.service.${service}`);

/** Where a booking stands, in words. */
export const appointmentStateLabel = (state: Schemas['AppointmentState']): string => t(`appointments.state.${state}`);

/** When a booking or slot starts, in its location's time zone (not the reader's). */
export const when = (item: { start: number; timeZone: string }): string => formatZonedDateTime(item.start, item.timeZone);

let locations: Location[] = [];

/** Every appointment location (public data), loaded once. */
export async function appointmentLocations(): Promise<Location[]> {
  if (locations.length === 0) locations = await api('GET', '/api/appointment-locations');
  return locations;
}

/** An application's bookings, newest first, read a page at a time. */
export function appointmentsOf(id: string): PagedList<Appointment> {
  return new PagedList((cursor) => api('GET', '/api/applications/{id}/appointments', { path: { id }, query: { cursor } }));
}

/** A location's slots of `service` from the local date `from`, `days` days in all. */
export function slotsOf(location: string, service: Service, from: string, days: number): PagedList<Slot> {
  const to = addDays(from, days - 1);
  return new PagedList((cursor) => api('GET', '/api/appointment-slots', { query: { location, service, from, to, cursor } }));
}

/** The date `days` after the date `day` (both `YYYY-MM-DD`). */
export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** Whether a slot may still be booked: open, with a place, not begun. */
const bookable = (slot: Slot): boolean => slot.state === 'open' && slot.remaining > 0 && slot.start * 1000 > Date.now();

/** Tomorrow's date here (`YYYY-MM-DD`): where the picker starts looking. */
function tomorrow(): string {
  const now = new Date();
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return addDays(today, 1);
}

/** The slot picker: for what, whether it moves a booking, where and from when the applicant
 * looks, and what it found. */
interface Picker {
  service: Service;
  /** The booking it moves; null when it books anew. */
  moving: Appointment | null;
  location: string;
  from: string;
  /** The slots found; null before a search. */
  slots: PagedList<Slot> | null;
  searching: boolean;
  /** Free slots offered instead of one found full. */
  suggestions: Slot[];
}

const newPicker = (service: Service, moving: Appointment | null = null): Picker => ({
  service,
  moving,
  location: moving?.location ?? '',
  from: tomorrow(),
  slots: null,
  searching: false,
  suggestions: [],
});

let application: Application | null = null;
let appointments = new PagedList<Appointment>();
let picker: Picker = newPicker('biometrics');
/** The booking whose cancellation waits for a yes. */
let confirming: string | null = null;
let busy = false;
/** The viewer books, moves and cancels (the applicant, a representative with full access). */
let mayBook = true;
let state: FormState = emptyState();
/** What went right, said in the language shown (it may change meanwhile). */
let done: (() => string) | null = null;

const LABELS = (): Record<string, string> => ({
  'appointment-location': t('appointments.location'),
  'appointment-from': t('appointments.from'),
});

/** Moves the focus to `id` once the page shows it. */
function focusOn(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

/** Says what went wrong: the problem's own title (in the user's language), or why no answer came. */
function report(error: unknown): void {
  if (notFoundShown(error)) return;
  const reported = emptyState();
  failed(reported, error);
  state.errors = new Map();
  done = null;
  const problem = reported.alert ?? (() => [...reported.errors.values()].join(' '));
  state.alert = problem;
  if (error instanceof ApiError && error.problem?.type === 'too-late-to-change' && error.problem.changeableUntil) {
    const zone = picker.moving?.timeZone ?? appointments.items.find((item) => item.state === 'booked')?.timeZone ?? 'UTC';
    const until = error.problem.changeableUntil;
    state.alert = () => `${problem()}. ${t('appointments.tooLate', { date: formatZonedDateTime(until, zone) })}`;
  }
  focusSummary();
}

/** Loads the application's bookings (and the locations, while it asks for one). */
export async function loadAppointments(current: Application): Promise<void> {
  if (application?.id !== current.id || serviceAsked(application.status) !== serviceAsked(current.status)) {
    confirming = null;
    picker = newPicker(serviceAsked(current.status) ?? 'biometrics');
  }
  application = current;
  state = emptyState();
  done = null;
  try {
    const [list] = await Promise.all([
      appointmentsOf(current.id).first(),
      serviceAsked(current.status) ? appointmentLocations() : Promise.resolve(locations),
    ]);
    appointments = list;
  } catch (error) {
    appointments = new PagedList<Appointment>();
    report(error);
  }
}

/** Reads the bookings again after a change. */
async function reload(): Promise<void> {
  if (application) appointments = await appointmentsOf(application.id).first();
}

async function find(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const answers = values(event.currentTarget as HTMLFormElement);
  picker.location = answers['appointment-location'] ?? '';
  picker.from = answers['appointment-from'] || tomorrow();
  picker.suggestions = [];
  state = emptyState();
  done = null;
  if (!picker.location) state.errors.set('appointment-location', t('appointments.noLocation'));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(picker.from)) state.errors.set('appointment-from', t('appointments.badDate'));
  if (state.errors.size > 0) {
    refresh();
    focusSummary();
    return;
  }
  picker.searching = true;
  refresh();
  try {
    picker.slots = await slotsOf(picker.location, picker.service, picker.from, DAYS_SHOWN).first();
  } catch (error) {
    failed(state, error);
    // The query's fields, named as the form names them.
    const field: Record<string, string> = { location: 'appointment-location', from: 'appointment-from', to: 'appointment-from' };
    state.errors = new Map([...state.errors].map(([name, message]) => [field[name] ?? name, message]));
    focusSummary();
  }
  picker.searching = false;
  refresh();
}

/** Books the slot `slotId`, or moves the booking there. */
async function choose(slotId: string | undefined): Promise<void> {
  if (busy || !application) return;
  state = emptyState();
  done = null;
  if (!slotId) {
    state.alert = said('appointments.noTime');
    refresh();
    focusSummary();
    return;
  }
  busy = true;
  refresh();
  const id = application.id;
  const move = picker.moving;
  try {
    if (move) {
      await api('PUT', '/api/applications/{id}/appointments/{appointmentId}', {
        path: { id, appointmentId: move.id },
        body: { slotId, version: move.version },
      });
    } else {
      await api('POST', '/api/applications/{id}/appointments', { path: { id }, body: { slotId } });
    }
    picker = newPicker(picker.service);
    await reload().catch(() => undefined);
    done = () => (move ? t('appointments.moved') : t('appointments.booked'));
    focusOn('appointment-active');
  } catch (error) {
    report(error);
    const type = error instanceof ApiError ? error.problem?.type : undefined;
    if (type === 'slot-full' && error instanceof ApiError) {
      picker.suggestions = (error.problem?.suggestions ?? []).filter(bookable);
      // The places shown are out of date: read them again.
      if (picker.slots) picker.slots = await picker.slots.first().catch(() => picker.slots as PagedList<Slot>);
    } else if (move && (type === 'conflict' || type === 'too-late-to-change')) {
      // The booking changed meanwhile, or can no longer be changed: show it as it is now.
      await reload().catch(() => undefined);
      const now = appointments.items.find((item) => item.id === move.id);
      if (now && type === 'conflict') picker.moving = now;
    }
  }
  busy = false;
  refresh();
}

async function cancel(appointment: Appointment): Promise<void> {
  if (busy || !application) return;
  busy = true;
  state = emptyState();
  done = null;
  refresh();
  try {
    await api('DELETE', '/api/applications/{id}/appointments/{appointmentId}', {
      path: { id: application.id, appointmentId: appointment.id },
    });
    confirming = null;
    picker = newPicker(picker.service);
    await reload().catch(() => undefined);
    done = () => t('appointments.cancelled');
    focusOn('appointment-heading');
  } catch (error) {
    confirming = null;
    report(error);
  }
  busy = false;
  refresh();
}

async function calendar(appointment: Appointment): Promise<void> {
  try {
    await download('/api/applications/{id}/appointments/{appointmentId}/calendar.ics', `appointment-${appointment.id}.ics`, {
      path: { id: appointment.applicationId, appointmentId: appointment.id },
    });
  } catch (error) {
    report(error);
    refresh();
  }
}

function reschedule(appointment: Appointment): void {
  confirming = null;
  state = emptyState();
  done = null;
  picker = newPicker(appointment.service, appointment);
  refresh();
  focusOn('appointment-picker');
}

/** The booking: what for, when (in the location's time zone, said), where, and what can be done. */
function booking(appointment: Appointment): TemplateResult {
  const changeable = Date.now() <= appointment.changeableUntil * 1000;
  return html`
    <h3 id="appointment-active" tabindex="-1">${t('appointments.active')}</h3>
    <dl class="answers">
      <dt>${t('appointments.what')}</dt><dd>${serviceLabel(appointment.service)}</dd>
      <dt>${t('appointments.when')}</dt><dd>${when(appointment)}</dd>
      <dt>${t('appointments.where')}</dt><dd>${pick(appointment.locationName)}<br />${pick(appointment.address)}</dd>
      <dt>${t('appointments.accessibility')}</dt><dd>${pick(appointment.accessibility)}</dd>
    </dl>
    <p>${t('appointments.timeZone', { zone: appointment.timeZone })}</p>
    <p>${changeable
      ? t('appointments.changeableUntil', { date: formatZonedDateTime(appointment.changeableUntil, appointment.timeZone) })
      : t('appointments.notChangeable')}</p>
    <p class="actions">
      <gcds-button type="button" button-role="secondary" @click=${() => void calendar(appointment)}>
        ${t('appointments.calendar')}</gcds-button>
      ${picker.moving || !mayBook
        ? nothing
        : html`<gcds-button type="button" button-role="secondary" ?disabled=${busy} @click=${() => reschedule(appointment)}>
              ${t('appointments.reschedule')}</gcds-button>
            <gcds-button type="button" button-role="danger" ?disabled=${busy} @click=${() => {
              confirming = appointment.id;
              refresh();
              focusOn('appointment-cancel-question');
            }}>${t('appointments.cancel')}</gcds-button>`}
    </p>
    ${confirming === appointment.id
      ? html`<div class="confirm" role="group" aria-labelledby="appointment-cancel-question">
          <p id="appointment-cancel-question" tabindex="-1"><strong>${t('appointments.cancelQuestion')}</strong></p>
          <gcds-button type="button" button-role="danger" ?disabled=${busy} @click=${() => void cancel(appointment)}>
            ${t('appointments.cancelYes')}</gcds-button>
          <gcds-button type="button" button-role="secondary" @click=${() => {
            confirming = null;
            refresh();
            focusOn('appointment-active');
          }}>${t('appointments.cancelNo')}</gcds-button>
        </div>`
      : nothing}`;
}

/** One slot as a radio button: its times in the location's zone and the places left. */
function slotChoice(slot: Slot, name: string): TemplateResult {
  const places = slot.remaining === 1 ? t('appointments.placeLeft') : t('appointments.placesLeft', { count: slot.remaining });
  const label = t('appointments.slot', {
    start: formatZonedTime(slot.start, slot.timeZone),
    end: formatZonedTime(slot.end, slot.timeZone),
    places,
  });
  return html`<div class="choice">
    <input type="radio" id="${name}-${slot.id}" name=${name} value=${slot.id} />
    <label for="${name}-${slot.id}">${label}</label>
  </div>`;
}

/** Slots grouped by their local date, in order. */
function byDay(slots: Slot[]): [string, Slot[]][] {
  const days = new Map<string, Slot[]>();
  for (const slot of [...slots].sort((a, b) => a.start - b.start)) {
    const day = slot.startLocal.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), slot]);
  }
  return [...days];
}

const checked = (form: HTMLFormElement, name: string): string | undefined =>
  form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value;

/** The free slots offered instead of a full one. */
function suggestions(): TemplateResult | typeof nothing {
  if (picker.suggestions.length === 0) return nothing;
  return html`<form novalidate @submit=${(event: SubmitEvent) => {
    event.preventDefault();
    void choose(checked(event.currentTarget as HTMLFormElement, 'suggestion'));
  }}>
    <fieldset>
      <legend>${t('appointments.suggestions')}</legend>
      ${picker.suggestions.map(
        (slot) => html`<div class="choice">
          <input type="radio" id="suggestion-${slot.id}" name="suggestion" value=${slot.id} />
          <label for="suggestion-${slot.id}">${when(slot)} — ${slot.remaining === 1
            ? t('appointments.placeLeft')
            : t('appointments.placesLeft', { count: slot.remaining })}</label>
        </div>`,
      )}
    </fieldset>
    <gcds-button type="submit" ?disabled=${busy}>${t('appointments.bookSuggestion')}</gcds-button>
  </form>`;
}

/** The slots found, as radio buttons grouped by day, and the button that books the one chosen. */
function results(): TemplateResult | typeof nothing {
  const found = picker.slots;
  if (picker.searching) return html`<p role="status">${t('appointments.searching')}</p>`;
  if (!found) return nothing;
  // Not the booking being moved: it is where the applicant is already.
  const free = found.items.filter(
    (slot) => bookable(slot) && !(picker.moving && slot.start === picker.moving.start && slot.location === picker.moving.location),
  );
  const to = addDays(picker.from, DAYS_SHOWN - 1);
  if (free.length === 0 && found.next === null) {
    return html`<p role="status">${t('appointments.noSlots', { from: formatDate(picker.from, 'full'), to: formatDate(to, 'full') })}</p>`;
  }
  const zone = free[0]?.timeZone ?? locations.find((l) => l.code === picker.location)?.timeZone ?? '';
  return html`
    <p role="status">${t('appointments.found', { from: formatDate(picker.from, 'full'), to: formatDate(to, 'full') })}</p>
    <form novalidate @submit=${(event: SubmitEvent) => {
      event.preventDefault();
      void choose(checked(event.currentTarget as HTMLFormElement, 'slot'));
    }}>
      <fieldset>
        <legend>${t('appointments.chooseTime')}</legend>
        <p>${t('appointments.timeZone', { zone })}</p>
        ${byDay(free).map(
          ([, slots]) => html`<fieldset class="day">
            <legend>${formatZonedDate(slots[0].start, slots[0].timeZone)}</legend>
            ${slots.map((slot) => slotChoice(slot, 'slot'))}
          </fieldset>`,
        )}
      </fieldset>
      ${loadMore(found, state)}
      <gcds-button type="submit" ?disabled=${busy}>${picker.moving ? t('appointments.move') : t('appointments.book')}</gcds-button>
    </form>`;
}

/** Where and from when to look for free slots, and what was found. */
function slotPicker(): TemplateResult {
  const offering = locations.filter((location) => location.services.includes(picker.service));
  return html`
    <h3 id="appointment-picker" tabindex="-1">${picker.moving ? t('appointments.pickNew') : t('appointments.pick')}</h3>
    <form novalidate @submit=${(event: SubmitEvent) => void find(event)}>
      <gcds-select select-id="appointment-location" name="appointment-location" label=${t('appointments.location')}
        required validate-on="other" default-value=${t('appointments.chooseLocation')} .value=${picker.location}
        error-message=${state.errors.get('appointment-location') ?? ''}>
        ${offering.map(
          (location) => html`<option value=${location.code} ?selected=${location.code === picker.location}>
            ${pick(location.name)}</option>`,
        )}
      </gcds-select>
      <gcds-input input-id="appointment-from" name="appointment-from" type="date" label=${t('appointments.from')}
        hint=${t('appointments.fromHint', { days: DAYS_SHOWN })} required validate-on="other" .value=${picker.from}
        error-message=${state.errors.get('appointment-from') ?? ''}></gcds-input>
      <gcds-button type="submit" button-role="secondary">${t('appointments.search')}</gcds-button>
    </form>
    ${suggestions()}
    ${results()}
    ${picker.moving
      ? html`<p><gcds-button type="button" button-role="secondary" @click=${() => {
          picker = newPicker(picker.service);
          state = emptyState();
          done = null;
          refresh();
          focusOn('appointment-active');
        }}>${t('appointments.keep')}</gcds-button></p>`
      : nothing}`;
}

/** The earlier bookings (cancelled, attended, missed), one line each. */
function earlier(items: Appointment[]): TemplateResult | typeof nothing {
  if (items.length === 0) return nothing;
  return html`<h3>${t('appointments.earlier')}</h3>
    <ul class="appointments">
      ${items.map(
        (item) => html`<li>${serviceLabel(item.service)} — ${when(item)} (${item.timeZone}) — ${pick(item.locationName)}
          — <strong>${appointmentStateLabel(item.state)}</strong></li>`,
      )}
    </ul>`;
}

/** The application's appointments: shown while its status asks for one, or once it has any;
 * booked, moved and cancelled here when `canBook` (the applicant, a full representative). */
export function appointmentsPanel(current: Application, canBook: boolean): TemplateResult | typeof nothing {
  if (application?.id !== current.id) return nothing;
  mayBook = canBook;
  const asked = serviceAsked(current.status);
  const booked = appointments.items.filter((item) => item.state === 'booked');
  const past = appointments.items.filter((item) => item.state !== 'booked');
  if (!asked && appointments.items.length === 0 && !state.alert) return nothing;
  const needsBooking = asked !== null && !booked.some((item) => item.service === asked);
  return html`
    <h2 id="appointment-heading" tabindex="-1">${t('appointments.heading')}</h2>
    ${summary(state, LABELS())}
    ${done ? html`<p class="notice" role="status">${done()}</p>` : nothing}
    ${needsBooking ? html`<p>${t(`appointments.asked.${asked}`)}</p>` : nothing}
    ${booked.map(booking)}
    ${canBook && (needsBooking || picker.moving) ? slotPicker() : nothing}
    ${earlier(past)}
    ${loadMore(appointments, state)}`;
}
