// Typed helpers: the merchant side of a test (create a session, read it back), and the payer's
// steps on the widget, all through roles, labels and data-testids.
import { APIRequestContext, Page, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MERCHANT = { Authorization: 'Bearer sk_test_demo', 'X-Merchant-Id': 'demo' };
export const VISA_OK = '4242424242424242';
export const VISA_DECLINED = '4000000000000002';

export interface Session { id: string; secret: string; hostedUrl: string }

export async function createSession(request: APIRequestContext, amount = 1500, extra: Record<string, unknown> = {}): Promise<Session> {
  const resp = await request.post('/v1/sessions', {
    headers: MERCHANT,
    data: {
      customer: { firstName: 'Pat', lastName: 'Payer' },
      payment: { merchantTransactionId: `e2e-${crypto.randomUUID()}`, amount },
      config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM'] } },
      ...extra,
    },
  });
  expect(resp.status()).toBe(200);
  const { data } = await resp.json();
  return { id: data.checkoutSessionId, secret: data.clientSecret, hostedUrl: data.hostedUrl };
}

export async function merchantView(request: APIRequestContext, id: string) {
  const resp = await request.get(`/v1/sessions/${id}`, { headers: MERCHANT });
  expect(resp.status()).toBe(200);
  return (await resp.json()).data;
}

export async function fillCard(page: Page, number: string, expiry = '12/34', cvc = '123') {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM / YY)').fill(expiry);
  await page.getByLabel('Security code').fill(cvc);
}

/**
 * Records the Idempotency-Key of every confirm the page sends, and loses the first one: `'before'`
 * the server sees it (the connection drops), or `'after'` the server answered (the answer is lost).
 * Later confirms go through. Returns the list the keys are pushed to.
 */
export async function loseFirstConfirm(page: Page, when: 'before' | 'after'): Promise<string[]> {
  const keys: string[] = [];
  await page.route('**/confirm', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length > 1) return route.continue();
    if (when === 'after') await route.fetch();
    await route.abort('failed');
  });
  return keys;
}

// Each build's stylesheet keeps only the rules for what the build can show (scripts/minify-dist.mjs
// prunes style/main.css per build). What a screen shows must never have lost its rules there.
const ALL_RULES = readFileSync(join(__dirname, '..', 'style', 'main.css'), 'utf8');
const names = (css: string, cls: string) => new RegExp(`\\.${cls.replace(/[^\w-]/g, '\\$&')}(?![\\w-])`).test(css);

/** Every class on the page that style/main.css has rules for is named by the stylesheet served. */
export async function expectStyled(page: Page) {
  const { classes, served } = await page.evaluate(() => ({
    classes: [...new Set([...document.querySelectorAll('[class]')].flatMap((e) => [...e.classList]))],
    served: [...document.styleSheets].map((s) => [...s.cssRules].map((r) => r.cssText).join('\n')).join('\n'),
  }));
  expect(classes.length).toBeGreaterThan(0);
  expect(classes.filter((c) => names(ALL_RULES, c) && !names(served, c)), "classes on screen whose rules the build's stylesheet lost").toEqual([]);
}
