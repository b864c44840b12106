// The API client: calls named by route and method, parameters filled in, the language and the
// access token sent, a refused token renewed once, problems thrown as `ApiError`. The checks
// marked `@ts-expect-error` are the typing's: `tsc --noEmit` (in `npm run build`) fails when a
// call the document does not allow compiles.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/i18n', () => ({ language: () => 'fr' }));

const { ApiError, api, forgetSession, keep } = await import('../../src/api/client');

type Call = { url: string; init: RequestInit };
let calls: Call[] = [];
let answers: Response[] = [];

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

beforeEach(() => {
  calls = [];
  answers = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected call to ${url}`);
    return next;
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  forgetSession();
});

describe('the API client', () => {
  it('fills in path parameters and the query, and sends the language and the token', async () => {
    keep({ accessToken: 'token-1', expiresIn: 3600, idToken: 'id-1' });
    answers.push(json(200, { items: [], nextCursor: null }));
    const page = await api('GET', '/api/me/activity', { query: { cursor: 'a/b', limit: undefined } });
    expect(page).toEqual({ items: [], nextCursor: null });
    expect(calls[0].url).toBe('/api/me/activity?cursor=a%2Fb');
    expect(calls[0].init.headers).toMatchObject({ 'Accept-Language': 'fr', Authorization: 'Bearer token-1' });

    answers.push(new Response(null, { status: 204 }));
    await api('POST', '/api/applications/{id}/messages/{messageId}/read', { path: { id: 'app 1', messageId: 'm1' } });
    expect(calls[1].url).toBe('/api/applications/app%201/messages/m1/read');
  });

  it('sends a body as JSON', async () => {
    answers.push(json(200, { email: 'a@b.ca', familyName: 'B', givenName: 'A', preferredLanguage: 'fr',
      notifications: { email: true, sms: false } }));
    const profile = await api('PATCH', '/api/me', { body: { preferredLanguage: 'fr' } });
    expect(profile.preferredLanguage).toBe('fr');
    expect(calls[0].init.method).toBe('PATCH');
    expect(calls[0].init.body).toBe('{"preferredLanguage":"fr"}');
    expect(calls[0].init.headers).toMatchObject({ 'Content-Type': 'application/json' });
  });

  it('renews a refused access token once and repeats the call', async () => {
    keep({ accessToken: 'old', expiresIn: 3600, idToken: 'id-1' });
    answers.push(json(401, { type: 'unauthenticated', title: 'No', status: 401 }, 'application/problem+json'));
    answers.push(json(200, { accessToken: 'new', expiresIn: 3600, idToken: 'id-2' }));
    answers.push(json(200, { url: 'https://example/export', expiresAt: 1 }));
    const link = await api('GET', '/api/me/export');
    expect(link.url).toBe('https://example/export');
    expect(calls.map((call) => call.url)).toEqual(['/api/me/export', '/api/auth/refresh', '/api/me/export']);
    expect(calls[2].init.headers).toMatchObject({ Authorization: 'Bearer new' });
  });

  it('throws the problem of an answer that is not a success', async () => {
    const errors = [{ field: 'notifications.phone', code: 'invalid-phone' }];
    const problem = { type: 'invalid-fields', title: 'Invalide', status: 400, errors };
    answers.push(json(400, problem, 'application/problem+json'));
    const error = await api('PATCH', '/api/me', { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as InstanceType<typeof ApiError>).problem).toEqual(problem);
  });
});

/** Never run: what the types refuse. */
export function refusedByTheTypes(): void {
  // @ts-expect-error no such route
  void api('GET', '/api/nowhere');
  // @ts-expect-error no such method on the route
  void api('DELETE', '/api/me');
  // @ts-expect-error PATCH /api/me takes a body
  void api('PATCH', '/api/me');
  // @ts-expect-error not a language
  void api('PATCH', '/api/me', { body: { preferredLanguage: 'de' } });
  // @ts-expect-error a field the body does not have
  void api('PATCH', '/api/me', { body: { nickname: 'x' } });
  // @ts-expect-error GET /api/me takes no body
  void api('GET', '/api/me', { body: {} });
  // @ts-expect-error not a query parameter of the route
  void api('GET', '/api/me/activity', { query: { page: '2' } });
  // @ts-expect-error the answer's fields are typed
  void api('GET', '/api/me').then((me) => me.nickname);
}
