// The API client. The access token lives in memory only; the refresh token stays in its
// HttpOnly cookie, which `/api/auth/refresh` reads to give a new access token when one is
// refused or after a page reload. Every request carries the user's language.
import { language } from './i18n';

export interface FieldProblem {
  field: string;
  code: string;
  message?: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  errors?: FieldProblem[];
  currentVersion?: number;
}

/** An answer that is not a success: the problem document when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.title ?? `HTTP ${status}`);
  }
}

let accessToken: string | null = null;

export function signedIn(): boolean {
  return accessToken !== null;
}

/** Whether the signed-in user is an agency officer (the token's groups; the API checks again). */
export function isOfficer(): boolean {
  if (!accessToken) return false;
  try {
    const payload = JSON.parse(atob(accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return Array.isArray(payload['cognito:groups']) && payload['cognito:groups'].includes('officers');
  } catch {
    return false;
  }
}

export function forgetSession(): void {
  accessToken = null;
}

interface Tokens {
  accessToken: string;
  expiresIn: number;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': language() };
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
  throw new ApiError(response.status, problem);
}

/** Calls the API; a refused access token is renewed once through the refresh cookie. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response = await send(method, path, body);
  if (response.status === 401 && accessToken !== null && (await renew())) {
    response = await send(method, path, body);
  }
  return read<T>(response);
}

/** Keeps the tokens of a completed sign-in. */
export function keep(tokens: Tokens): void {
  accessToken = tokens.accessToken;
}

/** A new access token from the refresh cookie; false when the session is over. */
export async function renew(): Promise<boolean> {
  const response = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (!response.ok) {
    accessToken = null;
    return false;
  }
  keep((await response.json()) as Tokens);
  return true;
}

/** Ends every session of the user, here and elsewhere. */
export async function signOut(): Promise<void> {
  try {
    await api<void>('POST', '/api/auth/logout');
  } finally {
    accessToken = null;
  }
}
