// Agent-assisted payments: the agent's screen sends the customer a secure link by email or text
// (through the real SMTP server and SMS provider of sinks.mjs), the customer opens it in their own
// browser and pays, and the agent's panel follows: sent, opened, paid. The agent never sees a
// card field.
import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, Page, expect, test } from '@playwright/test';
import { MERCHANT, VISA_OK, fillCard, merchantView, expectStyled } from './fixtures';

const SINKS = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? '18080') + 6}`;

async function agentSession(request: APIRequestContext, customer: Record<string, unknown>, mode = 'PAYMENT', locale = 'en') {
  const resp = await request.post('/v1/sessions', {
    headers: MERCHANT,
    data: {
      customer: { firstName: 'Pat', lastName: 'Payer', hsid: `agent-${crypto.randomUUID()}`, ...customer },
      payment: { merchantTransactionId: `e2e-agent-${crypto.randomUUID()}`, amount: 2000 },
      config: { modes: [mode], locale, paymentMethodChannel: { card: ['WEBFORM', 'TEXT', 'EMAIL'] } },
      agent: { id: 'agent-7', name: 'Sam' },
    },
  });
  expect(resp.status()).toBe(200);
  const { data } = await resp.json();
  return { id: data.checkoutSessionId as string, hostedUrl: data.hostedUrl as string };
}

/** The link in the newest message the sinks received for `to` (waits up to 10 s). */
async function linkSentTo(request: APIRequestContext, kind: 'mail' | 'sms', to: string): Promise<string> {
  let link = '';
  await expect.poll(async () => {
    const got = await (await request.get(`${SINKS}/${kind}`)).json();
    const hit = got.filter((m: any) => (kind === 'mail' ? m.to.includes(to) : m.To === to)).at(-1);
    const text: string = hit ? (kind === 'mail' ? hit.text : hit.Body) : '';
    link = text.match(/https?:\/\/\S+#lk=lk_[0-9a-f]+/)?.[0] ?? '';
    return link;
  }, { timeout: 10_000 }).not.toBe('');
  return link;
}

const status = (page: Page) => page.getByTestId('link-status');

test('the agent emails a link; the customer pays on their own device; the agent sees it paid', async ({ page, browser, request }) => {
  const email = `pat-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const s = await agentSession(request, { email });
  await page.goto(s.hostedUrl);
  const panel = page.getByTestId('agent-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByLabel('Card number')).toHaveCount(0);
  await expect(page.getByTestId('amount')).toHaveText('$20.00');
  await page.getByTestId('channel-email').check();
  await expect(page.getByTestId('link-email')).toHaveValue(email);
  const axe = await new AxeBuilder({ page }).include('[data-testid=agent-panel]').analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
  await page.getByTestId('send-link').click();
  await expect(status(page)).toHaveText(`Link sent to ${email}. Waiting for the customer to open it.`);
  await expectStyled(page); // the agent's build

  const link = await linkSentTo(request, 'mail', email);
  expect(link).toContain(`/link/${s.id}#lk=`);
  const mail = (await (await request.get(`${SINKS}/mail`)).json()).filter((m: any) => m.to.includes(email)).at(-1);
  expect(mail.subject).toBe('Demo Store: your secure payment link');
  expect(mail.text).toContain('Demo Store sent you a secure link to pay $20.00.');

  // The customer, in a browser of their own.
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await expect(customer.getByTestId('agent-panel')).toHaveCount(0);
  await expect(status(page)).toHaveText('The customer opened the link.');
  await fillCard(customer, VISA_OK);
  await expect(customer.getByTestId('fee-total')).toHaveText('$21.00');
  await customer.getByTestId('pay-button').click();
  await expect(customer.getByTestId('receipt')).toBeVisible();
  // The credential left the address bar.
  expect(customer.url()).not.toContain('lk_');

  await expect(status(page)).toHaveText('Paid: $21.00 ($20.00 + $1.00 convenience fee), •••• 4242.');
  await expect(page.getByTestId('send-link')).toBeHidden();
  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.links[0]).toMatchObject({ channel: 'EMAIL', to: email, status: 'PAID' });
});

test('a text link: the phone is prefilled and validated, a refused number reads as failed, a resend works', async ({ page, browser, request }) => {
  const s = await agentSession(request, { phoneNumber: { number: '5550000000', countryCode: '1' } });
  await page.goto(s.hostedUrl);
  const phone = page.getByTestId('link-phone');
  await expect(phone).toHaveValue('+15550000000');
  // The provider refuses this number: the agent reads why, and may send a new link.
  await page.getByTestId('send-link').click();
  await expect(status(page)).toContainText("Delivery to +15550000000 failed: the SMS provider answered 400: The 'To' number +15550000000 is not a valid phone number.");
  await phone.fill('555 12');
  await page.getByTestId('send-link').click();
  await expect(page.locator('#link-phone-error')).toHaveText('Enter a number like +15551234567, or a 10-digit US number.');
  await expect(phone).toHaveAttribute('aria-invalid', 'true');
  const number = `555${String(Math.floor(Math.random() * 1e7)).padStart(7, '1')}`;
  await phone.fill(number);
  await expect(page.getByTestId('send-link')).toHaveText('Send a new link');
  await page.getByTestId('send-link').click();
  await expect(status(page)).toHaveText(`Link sent to +1${number}. Waiting for the customer to open it.`);
  const link = await linkSentTo(request, 'sms', `+1${number}`);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await expect(customer.getByTestId('pay-button')).toBeVisible();
  await expect(status(page)).toHaveText('The customer opened the link.');

  // A resend makes the old link stop working.
  await page.getByTestId('send-link').click();
  await expect(status(page)).toHaveText(`Link sent to +1${number}. Waiting for the customer to open it.`);
  const stale = await (await browser.newContext()).newPage();
  await stale.goto(link);
  await expect(stale.getByText('This checkout has expired', { exact: false })).toBeVisible();
});

test('the agent screen speaks Spanish and saves a method in PAYMENT_METHOD_ENTRY', async ({ page, browser, request }) => {
  const email = `ana-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const s = await agentSession(request, { email }, 'PAYMENT_METHOD_ENTRY', 'es');
  await page.goto(s.hostedUrl);
  await expect(page.getByRole('heading', { name: 'Enviar al cliente un enlace seguro' })).toBeVisible();
  await expect(page.getByTestId('amount')).toHaveText('Guardar un método de pago');
  await page.getByTestId('channel-email').check();
  await page.getByTestId('send-link').click();
  await expect(status(page)).toHaveText(`Enlace enviado a ${email}. Esperando a que el cliente lo abra.`);
  const link = await linkSentTo(request, 'mail', email);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await customer.getByLabel('Número de tarjeta').fill(VISA_OK);
  await customer.getByLabel('Vencimiento (MM / AA)').fill('12/34');
  await customer.getByLabel('Código de seguridad').fill('123');
  await customer.getByRole('button', { name: 'Guardar', exact: true }).click();
  await expect(customer.getByTestId('method-saved')).toBeVisible();
  await expect(status(page)).toHaveText('El cliente guardó su método de pago.');
});

test("the demo playground's agent-assisted session: the element is the agent's screen and the page lists the links", async ({ page }) => {
  const SITE = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? '18080') + 1}`;
  await page.goto(`${SITE}/?agent=1`);
  const frame = page.frameLocator('govifi-payment iframe');
  await expect(frame.getByTestId('agent-panel')).toBeVisible();
  await frame.getByTestId('channel-email').check();
  await expect(frame.getByTestId('link-email')).toHaveValue('demo.payer@example.com');
  await frame.getByTestId('send-link').click();
  await expect(frame.getByTestId('link-status')).toHaveText('Link sent to demo.payer@example.com. Waiting for the customer to open it.');
  const listed = page.getByTestId('demo-links').getByRole('link', { name: 'EMAIL to demo.payer@example.com' });
  await expect(listed).toBeVisible();
  expect(await listed.getAttribute('href')).toMatch(/\/link\/[^#]+#lk=lk_[0-9a-f]+$/);
});

test("a payer's build given the agent's session refuses it: the couldn't-load screen, whose retry loads the page again; never a card form", async ({ page, request }) => {
  const s = await agentSession(request, { email: 'pat@example.com' });
  // The server never does this (it serves the agent the agent's build): force the payment build.
  await page.goto(`/widget/index.html${new URL(s.hostedUrl).hash}`);
  await expect(page.getByTestId('load-error')).toContainText('Something went wrong. Please try again.');
  await expect(page.getByLabel('Card number')).toHaveCount(0);
  await expect(page.getByTestId('agent-panel')).toHaveCount(0);
  // The answer reads the same when asked again: the retry loads the page from the server.
  let loads = 0;
  page.on('load', () => { loads += 1; });
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect.poll(() => loads).toBe(1);
  await expect(page.getByTestId('load-error')).toBeVisible();
});
