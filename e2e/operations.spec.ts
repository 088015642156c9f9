// What an operator needs from the running API: a failed request's reference (the x-request-id of
// its answer, also its error body's requestId) finds its line in the API's JSON log.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createSession } from './fixtures';

const LOG = '../target/e2e-api.log';

function linesWith(id: string): Record<string, any>[] {
  return readFileSync(LOG, 'utf8')
    .split('\n')
    .filter((l) => l.includes(id))
    .map((l) => JSON.parse(l));
}

test("a failed request's reference finds its line in the API's JSON log", async ({ request }) => {
  const r = await request.get('/v1/sessions/no-such-session/config', { headers: { Authorization: 'Bearer not-a-secret' } });
  expect(r.status()).toBe(401);
  const id = r.headers()['x-request-id'];
  expect(id).toMatch(/^req_[0-9a-f]{32}$/);
  expect((await r.json()).requestId).toBe(id);
  await expect.poll(() => linesWith(id).length).toBeGreaterThan(0);
  const answered = linesWith(id).find((l) => l.fields?.message === 'answered');
  expect(answered?.level).toBe('INFO');
  expect(answered?.span).toMatchObject({ name: 'request', request_id: id, path: '/v1/sessions/no-such-session/config' });
  expect(answered?.fields.status).toBe(401);
  // The secret the caller sent is nowhere in the log.
  expect(readFileSync(LOG, 'utf8')).not.toContain('not-a-secret');
});

test('once a request is authenticated, its log lines name the session and the merchant', async ({ request }) => {
  const s = await createSession(request, 1500);
  const r = await request.get(`/v1/sessions/${s.id}/config`, { headers: { Authorization: `Bearer ${s.secret}` } });
  expect(r.status()).toBe(200);
  const id = r.headers()['x-request-id'];
  await expect.poll(() => linesWith(id).length).toBeGreaterThan(0);
  const answered = linesWith(id).find((l) => l.fields?.message === 'answered');
  expect(answered?.span).toMatchObject({ request_id: id, session_id: s.id, merchant_id: 'demo' });
  expect(readFileSync(LOG, 'utf8')).not.toContain(s.secret);
});

test('the payer reads the reference of a failed request, and it finds the request in the log', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  // A link whose secret is wrong: the API answers 401 with the request's id.
  await page.goto(`/pay/${s.id}#cs=${s.id}_secret_${'0'.repeat(32)}`);
  const shown = page.getByTestId('load-error');
  await expect(shown).toContainText('This checkout link is incomplete.');
  const text = (await shown.textContent()) ?? '';
  const id = /Reference: (req_[0-9a-f]{32})/.exec(text)?.[1];
  expect(id, text).toBeTruthy();
  await expect.poll(() => linesWith(id!).length).toBeGreaterThan(0);
  const answered = linesWith(id!).find((l) => l.fields?.message === 'answered');
  expect(answered?.fields.status).toBe(401);
  expect(answered?.span.path).toBe(`/v1/sessions/${s.id}/config`);
});
