// The payer's core journeys, written once against a small driver (see the two adapters:
// playwright-driver.mjs for Chromium, webdriver-driver.mjs for WebKit and Firefox through the
// standard WebDriver protocol), so the engines cannot drift apart. Each journey gets the driver `d`
// and `ctx` ({ api, site }) and throws on the first thing a payer would not see.

const MERCHANT = { Authorization: 'Bearer sk_test_demo', 'X-Merchant-Id': 'demo', 'content-type': 'application/json' };

async function session(ctx, amount, config) {
  const r = await fetch(`${ctx.api}/v1/sessions`, {
    method: 'POST',
    headers: MERCHANT,
    body: JSON.stringify({
      customer: { firstName: 'Pat', lastName: 'Payer' },
      payment: { merchantTransactionId: `engines-${crypto.randomUUID()}`, amount },
      config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM'] }, ...config },
    }),
  });
  if (r.status !== 200) throw new Error(`session create: ${r.status}`);
  return (await r.json()).data;
}

async function merchantStatus(ctx, id) {
  const r = await fetch(`${ctx.api}/v1/sessions/${id}`, { headers: MERCHANT });
  return (await r.json()).data.status;
}

async function card(d, number, labels = { number: 'Card number', expiry: 'Expiry (MM / YY)', cvc: 'Security code' }) {
  await d.fill(labels.number, number);
  await d.fill(labels.expiry, '12/34');
  await d.fill(labels.cvc, '123');
}

async function expectPaid(ctx, id) {
  const status = await merchantStatus(ctx, id);
  if (status !== 'COMPLETED') throw new Error(`merchant sees ${status}, not COMPLETED`);
}

export const journeys = [
  {
    name: 'pay by card on the hosted page',
    async run(d, ctx) {
      const s = await session(ctx, 2000);
      await d.goto(s.hostedUrl);
      await card(d, '4242424242424242');
      await d.waitText('fee-total', '$21.00');
      await d.click('pay-button');
      await d.waitText('receipt-total', '$21.00');
      await expectPaid(ctx, s.checkoutSessionId);
    },
  },
  {
    name: 'a decline, then a card that pays',
    async run(d, ctx) {
      const s = await session(ctx, 2000);
      await d.goto(s.hostedUrl);
      await card(d, '4000000000000002');
      await d.click('pay-button');
      await d.waitText('error-banner', 'Your card was declined.', { contains: true });
      await card(d, '4242424242424242');
      await d.click('pay-button');
      await d.waitVisible('receipt');
      await expectPaid(ctx, s.checkoutSessionId);
    },
  },
  {
    name: 'pay by bank account',
    async run(d, ctx) {
      const s = await session(ctx, 2000, { paymentMethodChannel: { card: ['WEBFORM'], bankAccount: ['WEBFORM'] } });
      await d.goto(s.hostedUrl);
      await d.click('tab-bank');
      await d.fill('Routing number', '110000000');
      await d.fill('Account number', '000123456789');
      await d.fill('Confirm account number', '000123456789');
      await d.fill('Account holder name', 'Alex Doe');
      await d.click('bank-mandate');
      await d.click('pay-button');
      await d.waitVisible('receipt');
      await expectPaid(ctx, s.checkoutSessionId);
    },
  },
  {
    name: 'Spanish',
    async run(d, ctx) {
      const s = await session(ctx, 2000, { locale: 'es' });
      await d.goto(s.hostedUrl);
      await card(d, '4242424242424242', { number: 'Número de tarjeta', expiry: 'Vencimiento (MM / AA)', cvc: 'Código de seguridad' });
      await d.waitText('fee-total', '21,00\u00a0$');
      await d.click('pay-button');
      await d.waitVisible('receipt');
      await expectPaid(ctx, s.checkoutSessionId);
    },
  },
  {
    name: "pay inside <govifi-payment> on the merchant's origin",
    async run(d, ctx) {
      await d.goto(`${ctx.site}/`);
      await d.inFrame('govifi-payment', async () => {
        await card(d, '4242424242424242');
        await d.waitText('fee-total', '$43.24');
        await d.click('pay-button');
        await d.waitVisible('receipt');
      });
      await d.waitText('event-log', 'element success', { contains: true });
    },
  },
  {
    name: 'pay in a popup; the opener receives the outcome',
    async run(d, ctx) {
      await d.goto(`${ctx.site}/`);
      await d.inPopup('popup-button', async () => {
        await card(d, '4242424242424242');
        await d.click('pay-button');
      });
      await d.waitText('event-log', 'popup success', { contains: true });
    },
  },
  {
    name: 'the redirect: pay, return, signature verified',
    async run(d, ctx) {
      await d.goto(`${ctx.site}/`);
      await d.click('redirect-link');
      await card(d, '4242424242424242');
      await d.click('pay-button');
      await d.waitText('verdict', 'Payment verified');
    },
  },
];
