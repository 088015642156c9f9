// PAYMENT mode end to end: the real widget build, the real API, Debian Chromium.
import { expect, test } from '@playwright/test';
import { MERCHANT, VISA_DECLINED, VISA_OK, createSession, fillCard, loseFirstConfirm, merchantView, expectStyled } from './fixtures';

test('pays with 4242 and sees the receipt; the merchant sees COMPLETED', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  await expect(page).not.toHaveURL(/#cs=/); // the secret left the address bar
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('card-brand')).toHaveText('Visa');
  await expect(page.getByTestId('fee-fee')).toHaveText('$1.00');
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  const pay = page.getByRole('button', { name: 'Pay $16.00' });
  await expect(pay).toBeEnabled();
  await expectStyled(page); // the card build's form
  await pay.click();
  await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeFocused();
  await expectStyled(page); // its receipt
  const paymentId = await page.getByTestId('payment-id').textContent();
  await expect(page.getByTestId('receipt-total')).toHaveText('$16.00');

  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.payment.id).toBe(paymentId);
  expect(view.payment.total).toBe(1600);

  // A reload shows the receipt, not a second form.
  await page.reload();
  await expect(page.getByTestId('payment-id')).toHaveText(paymentId!);
});

test('a declined card shows why, then the same session pays with 4242 under a new key', async ({ page, request }) => {
  const s = await createSession(request, 2500);
  await page.goto(s.hostedUrl);
  const keys: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/confirm')) keys.push(r.headers()['idempotency-key']); });
  await fillCard(page, VISA_DECLINED);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toContainText('Your card was declined.');
  await expect(page.getByTestId('pay-button')).toBeEnabled();

  await page.getByLabel('Card number').fill(VISA_OK);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();

  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.paymentAttempts.map((a: { status: string }) => a.status)).toEqual(['FAILED', 'COMPLETED']);
  expect(keys).toHaveLength(2);
  expect(keys[1]).not.toBe(keys[0]);
});

test('double-clicking pay records exactly one payment', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  let confirms = 0;
  page.on('request', (r) => { if (r.url().endsWith('/confirm')) confirms += 1; });
  await page.getByTestId('pay-button').dblclick();
  // Also submit three times in one task, faster than any re-render could disable the button.
  await page.evaluate(() => {
    const form = document.querySelector('form.pay') as HTMLFormElement | null;
    form?.requestSubmit(); form?.requestSubmit(); form?.requestSubmit();
  });
  await expect(page.getByTestId('receipt')).toBeVisible();
  expect(confirms).toBe(1);
  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts).toHaveLength(1);
  expect(view.status).toBe('COMPLETED');
});

test('the pay button is disabled and says so while the payment is pending', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  let release: () => void = () => {};
  const held = new Promise<void>((r) => { release = r; });
  await page.route('**/confirm', async (route) => { await held; await route.continue(); });
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('pay-button')).toBeDisabled();
  await expect(page.getByTestId('pay-button')).toHaveText('Processing…');
  await expect(page.getByLabel('Card number')).toBeDisabled();
  release();
  await expect(page.getByTestId('receipt')).toBeVisible();
});

test('invalid card details are caught in the browser and nothing is sent', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  let confirms = 0;
  page.on('request', (r) => { if (r.url().endsWith('/confirm')) confirms += 1; });
  await page.getByLabel('Card number').fill('4242424242424241');
  await page.getByLabel('Card number').blur();
  await expect(page.getByText('Enter a valid card number.')).toBeVisible();
  await expect(page.getByLabel('Card number')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Expiry (MM / YY)').fill('01/20');
  await page.getByTestId('pay-button').click();
  await expect(page.getByText('This card has expired.')).toBeVisible();
  await expect(page.getByText('This field is required.')).toBeVisible(); // CVC
  await expect(page.getByTestId('error-banner')).toHaveText('Please correct the highlighted fields.');
  await expectStyled(page); // field errors and the banner
  expect(confirms).toBe(0);
});

test('a network failure keeps the key, and the retry charges once', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  // The server charges, but the answer is lost on the way back.
  const keys = await loseFirstConfirm(page, 'after');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toContainText("We couldn't reach the payment service");
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  expect(keys).toHaveLength(2);
  expect(keys[0]).toBe(keys[1]);
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts).toHaveLength(1);
});

test('a reload after a lost request resends under the same key, and charges once', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  const keys = await loseFirstConfirm(page, 'before'); // the server never sees the first request
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toContainText("We couldn't reach the payment service");

  await page.reload();
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  expect((await merchantView(request, s.id)).paymentAttempts).toHaveLength(1);
  // The attempt is over: nothing of it stays in the tab's storage.
  expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('checkout.key.')))).toEqual([]);
});

test('a decline whose answer was lost, then a reload: the new card is charged, once', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await fillCard(page, VISA_DECLINED);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  const keys = await loseFirstConfirm(page, 'after'); // the server declines, but the answer is lost
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toContainText("We couldn't reach the payment service");
  expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(VISA_DECLINED);

  await page.reload();
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  // The stored key went first; the server knew it with the declined card, so a new key followed.
  expect(keys).toHaveLength(3);
  expect(keys[1]).toBe(keys[0]);
  expect(keys[2]).not.toBe(keys[0]);
  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts.map((a: { status: string }) => a.status)).toEqual(['FAILED', 'COMPLETED']);
});

test('closed and unknown sessions read as sentences, never a blank screen', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  const expire = await request.post(`/v1/sessions/${s.id}/expire`, { headers: { Authorization: 'Bearer sk_test_demo', 'X-Merchant-Id': 'demo' } });
  expect(expire.status()).toBe(200);
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('load-error')).toContainText('This checkout is closed');

  await page.goto('about:blank');
  await page.goto(`/pay/${s.id}#cs=${s.id}_secret_forged`);
  await expect(page.getByTestId('load-error')).toContainText('This checkout link is incomplete');
});

test('a slow processor shows a processing state, then the receipt', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await fillCard(page, '4000000000000770');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('payment-processing')).toBeVisible();
  await expect(page.getByTestId('receipt')).toBeVisible({ timeout: 15_000 });
  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.paymentAttempts).toHaveLength(1);
});

/** Records, before the page's own scripts run, whether the inline prefetch of `index.html` set
 *  `window.__checkoutConfig`, and every CSP violation. */
async function watchPrefetch(page: import('@playwright/test').Page) {
  await page.addInitScript(() => {
    const w = window as any;
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(e.violatedDirective));
    Object.defineProperty(window, '__checkoutConfig', {
      configurable: true,
      set(v) { w.__prefetched = true; Object.defineProperty(window, '__checkoutConfig', { value: v, writable: true, configurable: true }); },
    });
  });
}

test('the page asks for the config once, before the wasm has loaded, within its CSP', async ({ page, request }) => {
  await watchPrefetch(page);
  const s = await createSession(request, 1500);
  const configs: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/config')) configs.push(r.headers()['authorization']); });
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  const seen = await page.evaluate(() => ({ prefetched: (window as any).__prefetched, left: '__checkoutConfig' in window, csp: (window as any).__cspViolations }));
  expect(seen).toEqual({ prefetched: true, left: false, csp: [] });
  expect(configs).toEqual([`Bearer ${s.secret}`]);

  // A reload finds the secret in sessionStorage (the fragment is gone) and prefetches again.
  await page.reload();
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  expect(await page.evaluate(() => (window as any).__prefetched)).toBe(true);
  expect(configs).toHaveLength(2);
});

test('while the wasm downloads the payer sees the card form\'s skeleton and a loading line in their language; the form takes its place without moving', async ({ page, request }) => {
  await watchPrefetch(page);
  const s = await createSession(request, 1500);
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(s.hostedUrl.replace('#', '?locale=es#'), { waitUntil: 'domcontentloaded' });
  const boot = page.getByTestId('checkout-boot');
  await expect(boot.getByRole('status')).toHaveText('Cargando el pago seguro…');
  await expect(boot.locator('.spinner')).toBeVisible();
  // The skeleton: the card form's five input boxes where the form's will be; nothing to type in
  // or press yet, and nothing for assistive technology but the loading line.
  const skeleton = boot.locator('.input');
  await expect(skeleton).toHaveCount(5);
  await expect(boot.locator('input, select')).toHaveCount(0);
  await expect(boot.getByRole('button')).toHaveCount(0);
  const before = await Promise.all((await skeleton.all()).map((i) => i.boundingBox()));
  release();
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  await expect(page.getByTestId('checkout-boot')).toHaveCount(0);
  const after = await Promise.all(['card-number', 'card-expiry', 'card-cvc', 'card-name', 'card-zip'].map((id) => page.getByTestId(id).boundingBox()));
  for (const [i, box] of after.entries()) {
    for (const k of ['x', 'y', 'width', 'height'] as const) {
      expect(Math.abs(box![k] - before[i]![k]), `input ${i} ${k}: skeleton ${before[i]![k]}, form ${box![k]}`).toBeLessThanOrEqual(1);
    }
  }
  await expect(page.getByRole('status').filter({ hasText: /Cargando|Loading/ })).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__cspViolations)).toEqual([]);

  // English by default.
  await page.unroute('**/*.wasm');
  await page.route('**/*.wasm', async (route) => { await new Promise((r) => setTimeout(r, 300)); await route.continue(); });
  await page.goto('about:blank');
  await page.goto(s.hostedUrl, { waitUntil: 'domcontentloaded' });
  await expect(page.getByTestId('checkout-boot').getByRole('status')).toHaveText('Loading secure checkout…');
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  await expect(page.getByTestId('checkout-boot')).toHaveCount(0);
});

test('a widget that cannot load says so, with a retry that loads it; never an endless spinner', async ({ page, request }) => {
  await watchPrefetch(page);
  const s = await createSession(request, 1500);
  await page.route('**/*.wasm', (route) => route.abort('connectionreset'));
  await page.goto(s.hostedUrl);
  const failed = page.getByTestId('boot-error');
  await expect(failed).toHaveText(/The checkout couldn't load\. Check your connection and try again\./);
  await expect(page.getByTestId('checkout-boot').locator('.spinner')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__cspViolations)).toEqual([]);

  await page.unroute('**/*.wasm');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  await expect(page.getByTestId('checkout-boot')).toHaveCount(0);

  // The script itself lost, in Spanish.
  await page.route('**/checkout-widget-*.js', (route) => route.abort('connectionreset'));
  await page.goto('about:blank');
  await page.goto(s.hostedUrl.replace('#', '?locale=es#'));
  await expect(page.getByTestId('boot-error')).toContainText('No se pudo cargar el pago.');
  await expect(page.getByRole('button', { name: 'Reintentar' })).toBeVisible();
});

test('a prefetch that gets no answer is asked again by the widget; an error answer is shown, once', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  let n = 0;
  await page.route('**/config', (route) => {
    n += 1;
    if (n === 1) return route.abort('connectionreset');
    if (n === 3) return route.fulfill({ status: 503, contentType: 'application/json', body: '{"title":"SERVICE_UNAVAILABLE","status":503,"detail":"Try later."}' });
    return route.continue();
  });
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  expect(n).toBe(2); // the prefetch was lost, the widget asked itself

  await page.reload(); // this prefetch answers 503: shown as it is, with a retry that asks anew
  await expect(page.getByTestId('load-error')).toContainText('Something went wrong. Please try again.');
  expect(n).toBe(3);
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  expect(n).toBe(4);
});

test('a page loaded with the build that lacks its mode says so, with a retry; never a blank screen', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  // The server never does this (it serves the build that holds the mode): force it.
  await page.goto(`/widget/manage/index.html#cs=${s.secret}`);
  await expect(page.getByTestId('load-error')).toContainText("We couldn't reach the payment service.");
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(page.getByTestId('pay-button')).toHaveCount(0);
});

test('a card-only session is served the card build and pays through it; a bank account gets the forms build, a device wallet the express build, both the whole one', async ({ page, request }) => {
  const served = async (extra: Record<string, unknown> = {}) => {
    const s = await createSession(request, 1500, extra);
    const html = await (await request.get(s.hostedUrl.split('#')[0])).text();
    const build = /\/widget\/(?:([a-z]+)\/)?checkout-widget-[0-9a-f]{16}_bg\.wasm/.exec(html);
    expect(build, html).not.toBeNull();
    return { s, build: build![1] ?? 'pay' };
  };
  const cardOnly = await served();
  expect(cardOnly.build).toBe('card');
  expect((await served({ config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM'], bankAccount: ['WEBFORM'] } } })).build).toBe('forms');
  expect((await served({ config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM', 'GOOGLE_PAY'] } } })).build).toBe('express');
  expect((await served({ config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM', 'APPLE_PAY'], bankAccount: ['WEBFORM'] } } })).build).toBe('pay');

  // The payer of the card-only session loads the card build's files, and pays.
  const wasm: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  await page.goto(cardOnly.s.hostedUrl);
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  expect(wasm.length).toBe(1);
  expect(wasm[0]).toMatch(/^\/widget\/card\/checkout-widget-[0-9a-f]{16}_bg\.wasm$/);
});

test('a lighter build refuses a session it does not hold: the couldn\'t-load screen with a retry, never a form without its tab or wallet', async ({ page, request }) => {
  const s = await createSession(request, 1500, { config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM'], bankAccount: ['WEBFORM'] } } });
  // The server never does this (it serves the card build to card-only sessions alone): force it.
  await page.goto(`/widget/card/index.html#cs=${s.secret}`);
  await expect(page.getByTestId('load-error')).toContainText("We couldn't reach the payment service.");
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(page.getByTestId('pay-button')).toHaveCount(0);
  // Its own page, as the server picks it, shows both tabs.
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('tab-bank')).toBeVisible();
  // The forms build has no device wallets: a Google Pay session is refused the same way.
  const g = await createSession(request, 1500, { config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM', 'GOOGLE_PAY'] } } });
  await page.goto(`/widget/forms/index.html#cs=${g.secret}`);
  await expect(page.getByTestId('load-error')).toContainText("We couldn't reach the payment service.");
  await expect(page.getByTestId('pay-button')).toHaveCount(0);
  // The express build has no bank form: the bank session is refused by it too.
  await page.goto(`/widget/express/index.html#cs=${s.secret}`);
  await expect(page.getByTestId('load-error')).toContainText("We couldn't reach the payment service.");
  await expect(page.getByTestId('pay-button')).toHaveCount(0);
});

test('a merchant changes the amount while the form is open: the payer is told, sees the new amount and pays it', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('amount')).toHaveText('$15.00');
  await fillCard(page, VISA_OK);
  await expect(page.getByTestId('pay-button')).toBeEnabled();
  const patched = await request.patch(`/v1/sessions/${s.id}`, { headers: MERCHANT, data: { amount: 2500 } });
  expect(patched.status()).toBe(200);
  await page.getByTestId('pay-button').click();
  // The old amount cannot be confirmed: the payer reads why and the new amount, and nothing is charged.
  await expect(page.getByTestId('error-banner')).toHaveText('The total was updated. Please review it and pay again.');
  await expect(page.getByTestId('amount')).toHaveText('$25.00');
  expect((await merchantView(request, s.id)).paymentAttempts).toEqual([]);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.payment.amount).toBe(2500);
});

test('line items are listed above the total', async ({ page, request }) => {
  const resp = await request.post('/v1/sessions', {
    headers: MERCHANT,
    data: {
      customer: { firstName: 'Pat' },
      payment: { merchantTransactionId: `e2e-${crypto.randomUUID()}`, amount: 3500,
        lineItems: [{ name: 'Membership', amount: 2500 }, { name: 'Guest pass', quantity: 2, amount: 1000 }] },
      config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM'] } },
    },
  });
  const { data } = await resp.json();
  await page.goto(data.hostedUrl);
  const items = page.getByTestId('line-items');
  await expect(items).toContainText('Membership');
  await expect(items).toContainText('$25.00');
  await expect(items).toContainText('Guest pass × 2');
  await expect(items).toContainText('$10.00');
  await expect(page.getByTestId('amount')).toHaveText('$35.00');
});
