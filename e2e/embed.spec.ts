// Embedding across two origins: the demo merchant site (API port + 1) embeds <govifi-payment>
// from the API origin, opens the hosted page as a popup, and redirects to it.
import { expect, test } from '@playwright/test';
import { createServer } from 'node:http';
import { VISA_OK, merchantView } from './fixtures';

const apiPort = Number(process.env.E2E_PORT ?? '18080');
const SITE = `http://127.0.0.1:${apiPort + 1}`;

async function payCard(frame: import('@playwright/test').FrameLocator | import('@playwright/test').Page) {
  await frame.getByLabel('Card number').fill(VISA_OK);
  await frame.getByLabel('Expiry (MM / YY)').fill('12/34');
  await frame.getByLabel('Security code').fill('123');
  await expect(frame.getByTestId('fee-total')).toHaveText('$43.24');
  await frame.getByTestId('pay-button').click();
}

test('pays inside the embedded element; the merchant page receives ready, quote, resize and success', async ({ page, request }) => {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(`${r.url()} ${r.headers()['referer'] ?? ''}`));
  await page.goto(`${SITE}/`);
  const el = page.locator('govifi-payment');
  const secret = await el.getAttribute('client-secret');
  const sessionId = await el.getAttribute('checkout-session-id');
  const frame = page.frameLocator('govifi-payment iframe');
  await expect(frame.getByTestId('amount')).toHaveText('$42.00');
  const log = page.getByTestId('event-log');
  await expect(log).toContainText('element ready');
  await expect(log).toContainText('element quote');
  await expect(log).toContainText('element resize');
  const heightBefore = await page.locator('govifi-payment iframe').evaluate((f) => f.getBoundingClientRect().height);
  await payCard(frame);
  await expect(frame.getByTestId('receipt')).toBeVisible();
  await expect(log).toContainText('element success');
  await expect(log).toContainText('"status":"COMPLETED"');
  // The frame follows its content (the receipt is shorter than the form).
  await expect.poll(async () => page.locator('govifi-payment iframe').evaluate((f) => f.getBoundingClientRect().height))
    .not.toBe(heightBefore);
  expect((await merchantView(request, sessionId!)).status).toBe('COMPLETED');
  // The credential crossed by postMessage: never in a URL or a Referer.
  expect(secret).toContain('_secret_');
  expect(urls.filter((u) => u.includes(secret!))).toEqual([]);
  const src = await page.locator('govifi-payment iframe').getAttribute('src');
  expect(src).toBe(`http://127.0.0.1:${apiPort}/embed/${sessionId}?locale=en`);
});

test('an embedded widget that cannot load tells the payer and raises error on the merchant page', async ({ page }) => {
  await page.route('**/*.wasm', (route) => route.abort('connectionreset'));
  await page.goto(`${SITE}/`);
  const frame = page.frameLocator('govifi-payment iframe');
  await expect(frame.getByTestId('boot-error')).toContainText("The checkout couldn't load.");
  await expect(frame.getByRole('button', { name: 'Try again' })).toBeVisible();
  const log = page.getByTestId('event-log');
  await expect(log).toContainText('element error');
  await expect(log).toContainText("The checkout couldn't load. Check your connection and try again.");
  await expect(log).not.toContainText('element ready');
});

test('a forged message on the merchant page changes nothing', async ({ page }) => {
  await page.goto(`${SITE}/`);
  const log = page.getByTestId('event-log');
  await expect(log).toContainText('element ready');
  await page.evaluate(() => window.postMessage({ type: 'govifi:event', name: 'success', detail: { forged: true } }, '*'));
  await page.evaluate(() => {
    const frame = document.querySelector('govifi-payment')!.shadowRoot!.querySelector('iframe')!;
    // A message from a window other than the frame's parent chain is not a credential either.
    frame.contentWindow!.postMessage({ type: 'govifi:credential', bearer: 'someone_secret_else' }, '*');
  });
  await page.waitForTimeout(300);
  await expect(log).not.toContainText('forged');
  await expect(page.frameLocator('govifi-payment iframe').getByTestId('amount')).toHaveText('$42.00');
});

test('the embed page cannot be framed by an origin the merchant did not register', async ({ page, request }) => {
  const s = await (await request.post('/v1/sessions', {
    headers: { Authorization: 'Bearer sk_test_demo', 'X-Merchant-Id': 'demo' },
    data: { customer: {}, payment: { merchantTransactionId: `e2e-${crypto.randomUUID()}`, amount: 100 }, config: { modes: ['PAYMENT'] } },
  })).json();
  // A real server on a third origin (not registered by the merchant) frames the embed page.
  const evilPort = apiPort + 2;
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<iframe id="f" src="http://127.0.0.1:${apiPort}/embed/${s.data.checkoutSessionId}"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(evilPort, '127.0.0.1', resolve));
  try {
    const messages: string[] = [];
    page.on('console', (m) => messages.push(m.text()));
    await page.goto(`http://127.0.0.1:${evilPort}/`);
    await expect.poll(() => messages.some((m) => m.includes('frame-ancestors'))).toBe(true);
    await expect(page.frameLocator('#f').getByTestId('checkout')).toHaveCount(0);
  } finally {
    server.close();
  }
  const embed = await request.get(`/embed/${s.data.checkoutSessionId}`);
  const csp = embed.headers()['content-security-policy'];
  expect(csp).toContain(`frame-ancestors http://127.0.0.1:${apiPort + 1}`);
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(embed.headers()['x-content-type-options']).toBe('nosniff');
  expect(embed.headers()['referrer-policy']).toBe('no-referrer');
  const hosted = await request.get(`/pay/${s.data.checkoutSessionId}`);
  expect(hosted.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
});

test('pays in a popup; the opener receives the outcome and the popup closes', async ({ page }) => {
  await page.goto(`${SITE}/`);
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('popup-button').click()]);
  await expect(popup.getByTestId('amount')).toHaveText('$42.00');
  await payCard(popup);
  await expect(popup.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('event-log')).toContainText('popup success');
  await popup.waitForEvent('close');
});

test('the payer cancels: embedded, the page receives cancel; in a popup, the opener does and the popup closes', async ({ page, request }) => {
  await page.goto(`${SITE}/`);
  const sessionId = await page.locator('govifi-payment').getAttribute('checkout-session-id');
  const frame = page.frameLocator('govifi-payment iframe');
  await frame.getByTestId('cancel-link').click();
  await expect(page.getByTestId('event-log')).toContainText('element cancel {}');
  // The frame stays on the form: what happens next is the merchant's page's call.
  await expect(frame.getByTestId('pay-button')).toBeVisible();
  expect((await merchantView(request, sessionId!)).status).toBe('CREATED');

  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('popup-button').click()]);
  await expect(popup.getByTestId('amount')).toHaveText('$42.00');
  await Promise.all([popup.waitForEvent('close'), popup.getByTestId('cancel-link').click()]);
  await expect(page.getByTestId('event-log')).toContainText('popup cancel {}');
});

test('pays by redirect; the return page verifies the signature server-side', async ({ page }) => {
  await page.goto(`${SITE}/`);
  await page.getByTestId('redirect-link').click();
  await expect(page.getByTestId('amount')).toHaveText('$42.00');
  await payCard(page);
  await page.waitForURL(`${SITE}/return?**`);
  await expect(page.getByTestId('verdict')).toHaveText('Payment verified');
  // Tampering with the signature is caught.
  const tampered = page.url().replace(/v1=([0-9a-f])/, (_m, c) => `v1=${c === '0' ? '1' : '0'}`);
  await page.goto(tampered);
  await expect(page.getByTestId('verdict')).toHaveText('Signature invalid');
});

test('the loader works inside a shadow root and via Govifi.mount', async ({ page }) => {
  await page.goto(`${SITE}/`);
  await expect(page.getByTestId('event-log')).toContainText('element ready');
  const sessionId = await page.locator('govifi-payment').getAttribute('checkout-session-id');
  const secret = await page.locator('govifi-payment').getAttribute('client-secret');
  // Remove the page's element, then mount the same session programmatically inside a shadow root.
  await page.evaluate(({ sessionId, secret }) => {
    document.querySelector('govifi-payment')!.remove();
    const host = document.createElement('div');
    host.id = 'host';
    document.body.appendChild(host);
    const root = host.attachShadow({ mode: 'open' });
    const box = document.createElement('div');
    root.appendChild(box);
    (window as any).mounted = [];
    (window as any).Govifi.mount(box, { checkoutSessionId: sessionId, clientSecret: secret,
      onEvent: (n: string) => (window as any).mounted.push(n) });
  }, { sessionId, secret });
  const frame = page.frameLocator('#host >> govifi-payment >> iframe');
  await expect(frame.getByTestId('amount')).toHaveText('$42.00');
  await expect.poll(() => page.evaluate(() => (window as any).mounted.includes('ready'))).toBe(true);
});

test('the playground makes a real session of the choices and shows the merchant its view beside the element', async ({ page }) => {
  await page.goto(`${SITE}/`);
  await page.getByTestId('choice-amount').fill('1999');
  await page.getByTestId('choice-locale').selectOption('es');
  await page.getByTestId('choice-bank').check();
  await page.getByTestId('choice-apply').click();
  await expect(page).toHaveURL(/amount=1999/);
  const frame = page.frameLocator('govifi-payment iframe');
  // Spanish, card and bank, the chosen amount.
  await expect(frame.getByTestId('tab-bank')).toBeVisible();
  await expect(frame.getByLabel('Número de tarjeta')).toBeVisible();
  await expect(page.getByTestId('order-amount')).toHaveText('$19.99');
  const view = page.getByTestId('merchant-view');
  await expect(view).toContainText('"status": "CREATED"');
  await expect(view).toContainText('"amount": 1999');
  await frame.getByLabel('Número de tarjeta').fill(VISA_OK);
  await frame.getByLabel('Vencimiento (MM / AA)').fill('12/34');
  await frame.getByLabel('Código de seguridad').fill('123');
  await frame.getByTestId('pay-button').click();
  await expect(frame.getByTestId('receipt')).toBeVisible();
  await expect(view).toContainText('"status": "COMPLETED"');

  // Another mode, and a choice the API refuses is its own error, as a merchant would get it.
  await page.goto(`${SITE}/?mode=PAYMENT_METHOD_SELECT&customer=pg-${crypto.randomUUID()}`);
  await expect(page.frameLocator('govifi-payment iframe').getByTestId('wallet-empty')).toBeVisible();
  const refused = await page.request.get(`${SITE}/?mode=PAYMENT&amount=0`);
  expect(refused.status()).toBe(400);
  expect((await refused.json()).detail).toBe('payment.amount must be between 1 and 100000000 minor units.');
});

test('device wallets inside the element: the frame allows payment and Google Pay pays there', async ({ page, request }) => {
  // A Payment Request wallet in every frame, recording what it was asked.
  await page.addInitScript(() => {
    (window as any).PaymentRequest = class {
      methods: any;
      constructor(methods: any) { this.methods = methods; }
      async canMakePayment() { return true; }
      async show() {
        return { details: { paymentMethodData: { info: { cardNetwork: 'MASTERCARD', cardDetails: '4444' }, tokenizationData: { token: crypto.randomUUID() } } },
          complete: async () => {} };
      }
    };
  });
  await page.goto(`${SITE}/?card=WEBFORM,GOOGLE_PAY`);
  expect(await page.locator('govifi-payment iframe').getAttribute('allow')).toBe('payment');
  const frame = page.frameLocator('govifi-payment iframe');
  await frame.getByRole('button', { name: 'Pay with Google Pay' }).click();
  await expect(frame.getByTestId('receipt-method')).toHaveText('Google Pay · Mastercard •••• 4444');
  await expect(page.getByTestId('event-log')).toContainText('element success');
  const id = await page.locator('govifi-payment').getAttribute('checkout-session-id');
  expect((await merchantView(request, id!)).payment.paymentMethod.type).toBe('GOOGLE_PAY');
});

test("a merchant page whose Permissions-Policy blocks payment gets the card form alone and a 'wallets unavailable' change", async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).PaymentRequest = class { async canMakePayment() { return true; } };
  });
  // The merchant's server sends `Permissions-Policy: payment=()` (the playground's
  // `wallets=blocked`): no frame of that page may pay with a wallet, whatever its `allow` says.
  await page.goto(`${SITE}/?card=WEBFORM,GOOGLE_PAY,APPLE_PAY&wallets=blocked`);
  const frame = page.frameLocator('govifi-payment iframe');
  await expect(frame.getByTestId('pay-button')).toBeEnabled();
  const log = page.getByTestId('event-log');
  await expect(log).toContainText('element change');
  await expect(log).toContainText('"walletsUnavailable":["APPLE_PAY","GOOGLE_PAY"],"blocked":true');
  await expect(frame.getByTestId('express')).toHaveCount(0);
});
