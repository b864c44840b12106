// The API client, typed by path and method from the OpenAPI document (`schema.d.ts`, generated
// by `npm run gen:api`): a call names a route as the document does (`/api/applications/{id}`),
// its path and query parameters and body are checked against that route, and its answer has the
// route's type. The access token lives in memory only; the refresh token stays in its HttpOnly
// cookie, which `/api/auth/refresh` reads to give a new access token when one is refused or after
// a page reload. Every request carries the user's language.
import { language } from '../i18n';
import type { components, paths } from './schema';

/** The document's schemas, by name. */
export type Schemas = components['schemas'];
/** One invalid field of a request. */
export type FieldProblem = Schemas['FieldError'];
/** The body of a problem answer (RFC 9457). */
export type Problem = Schemas['Problem'];

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** The paths that answer `M`. */
type PathOf<M extends Method> = {
  [P in keyof paths]: paths[P][Lowercase<M>] extends { responses: unknown } ? P : never;
}[keyof paths];
type Operation<M extends Method, P extends PathOf<M>> = NonNullable<paths[P][Lowercase<M>]>;
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;
/** What an operation answers on success (`undefined` for 204). */
export type Answer<O> = O extends { responses: infer R } ? Json<R[Extract<keyof R, 200 | 201 | 202 | 204>]> : never;
/** What `url` and `send` read of a call's parameters and body, whatever the route. */
type Untyped = {
  path?: Record<string, string>;
  header?: Record<string, string>;
  query?: Record<string, string | number | null | undefined>;
  body?: unknown;
};
/** A call's path and query parameters and its body, as the operation declares them. */
type Init<O> = (O extends { parameters: infer P } ? Omit<P, 'cookie'> : unknown) &
  (O extends { requestBody: { content: { 'application/json': infer B } } } ? { body: B } : { body?: never });
type Args<O> = object extends Init<O> ? [init?: Init<O>] : [init: Init<O>];

/** An answer that is not a success: the problem document when there is one, and (for a 429 or
 * a 503) the seconds its `Retry-After` says to wait. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly retryAfter: number | null = null,
  ) {
    super(problem?.title ?? `HTTP ${status}`);
  }
}

let accessToken: string | null = null;
/** The signed-in caller (`GET /api/me`), read once per access token. */
let me: Promise<Schemas['Me']> | null = null;

export function signedIn(): boolean {
  return accessToken !== null;
}

/** Whether the signed-in user is in `group` (the token's groups; the API checks again). */
function inGroup(group: string): boolean {
  if (!accessToken) return false;
  try {
    const payload = JSON.parse(atob(accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return Array.isArray(payload['cognito:groups']) && payload['cognito:groups'].includes(group);
  } catch {
    return false;
  }
}

/** Whether the signed-in user is an agency officer. */
export const isOfficer = (): boolean => inGroup('officers');

/** Whether the signed-in officer is on the support desk (may remove a person's authenticator). */
export const isSupport = (): boolean => isOfficer() && inGroup('support');

export function forgetSession(): void {
  accessToken = null;
  me = null;
}

/** The signed-in caller (their `sub`, profile and groups), read once per sign-in. */
export function whoAmI(): Promise<Schemas['Me']> {
  me ??= api('GET', '/api/me').catch((error: unknown) => {
    me = null;
    throw error;
  });
  return me;
}

/** `path` with its `{name}` parameters filled in and the query appended. */
function url(path: string, { path: parameters, query }: Untyped = {}): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = parameters?.[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) search.set(name, String(value));
  }
  const encoded = search.toString();
  return encoded ? `${filled}?${encoded}` : filled;
}

async function send(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { ...extra, Accept: 'application/json', 'Accept-Language': language() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
}

async function read<T>(response: Response): Promise<T> {
  if (response.ok) {
    // 202 and 204 answers may have no body at all.
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const problem = response.headers.get('content-type')?.includes('json') ? await response.json() : null;
  throw new ApiError(response.status, problem, Number(response.headers.get('retry-after')) || null);
}

/** Sends a request; a refused access token is renewed once through the refresh cookie. */
async function sendRenewing(method: string, target: string, body?: unknown, header?: Record<string, string>): Promise<Response> {
  const response = await send(method, target, body, header);
  if (response.status === 401 && accessToken !== null && (await renew())) {
    return send(method, target, body, header);
  }
  return response;
}

/** Calls the route `method path`; a refused access token is renewed once through the refresh
 * cookie. Throws an `ApiError` on any answer that is not a success. */
export async function api<M extends Method, P extends PathOf<M>>(
  method: M,
  path: P,
  ...[init]: Args<Operation<M, P>>
): Promise<Answer<Operation<M, P>>> {
  const target = url(path, init as Untyped | undefined);
  const { body, header } = (init as Untyped | undefined) ?? {};
  return read<Answer<Operation<M, P>>>(await sendRenewing(method, target, body, header));
}

/** Fetches a file the route `GET path` answers (a receipt's PDF) and has the browser save it
 * as `name`; the access token is renewed once if refused, as for `api`. */
export async function download<P extends PathOf<'GET'>>(path: P, name: string, ...[init]: Args<Operation<'GET', P>>): Promise<void> {
  const response = await sendRenewing('GET', url(path, init as Untyped | undefined));
  if (!response.ok) await read(response);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

/** Keeps the tokens of a completed sign-in. */
export function keep(tokens: Schemas['SignedIn']): void {
  accessToken = tokens.accessToken;
  me = null;
}

/** A new access token from the refresh cookie; false when the session is over. */
export async function renew(): Promise<boolean> {
  const response = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (!response.ok) {
    accessToken = null;
    return false;
  }
  const tokens: Schemas['SignedIn'] = await response.json();
  keep(tokens);
  return true;
}

/** Signs out of this browser: the server ends its session (its refresh cookie included), so
 * nothing revives it; the person's other sessions go on. */
export async function signOut(): Promise<void> {
  try {
    await api('POST', '/api/auth/end-session');
  } finally {
    forgetSession();
  }
}

/** Ends every session of the user, here and elsewhere. */
export async function signOutEverywhere(): Promise<void> {
  try {
    await api('POST', '/api/auth/logout');
  } finally {
    forgetSession();
  }
}
