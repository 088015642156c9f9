// Accessibility and language: axe reports no violations on each mode and state; keyboard-only
// payment; Spanish; the dark scheme.
import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, Page, expect, test } from '@playwright/test';
import { MERCHANT, VISA_DECLINED, VISA_OK, createSession, fillCard } from './fixtures';

async function expectNoViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, what).toEqual([]);
}

async function walletSession(request: APIRequestContext, mode: string, hsid: string, extra: Record<string, unknown> = {}) {
  const resp = await request.post('/v1/sessions', {
    headers: MERCHANT,
    data: { customer: { hsid }, config: { modes: [mode], paymentMethodChannel: { card: ['WEBFORM'], bankAccount: ['WEBFORM'] } }, ...extra },
  });
  expect(resp.status()).toBe(200);
  return (await resp.json()).data;
}

test('PAYMENT: form, errors, decline and receipt have no axe violations', async ({ page, request }) => {
  const s = await createSession(request, 1500, { config: { modes: ['PAYMENT'], paymentMethodChannel: { card: ['WEBFORM'], bankAccount: ['WEBFORM'] } } });
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  await expectNoViolations(page, 'form');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toBeVisible();
  await expectNoViolations(page, 'validation errors');
  await page.getByRole('tab', { name: 'Bank account' }).click();
  await expectNoViolations(page, 'bank form');
  await page.getByRole('tab', { name: 'Card' }).click();
  await fillCard(page, VISA_DECLINED);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toContainText('declined');
  await expectNoViolations(page, 'decline');
  await page.getByLabel('Card number').fill(VISA_OK);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expectNoViolations(page, 'receipt');
});

test('wallet modes have no axe violations', async ({ page, request }) => {
  const hsid = `a11y-${crypto.randomUUID()}`;
  const wallet = await walletSession(request, 'WALLET', hsid);
  await page.goto(wallet.hostedUrl);
  await expect(page.getByTestId('wallet-empty')).toBeVisible();
  await expectNoViolations(page, 'empty wallet');
  await page.getByTestId('add-method-button').click();
  await fillCard(page, VISA_OK);
  await page.getByTestId('save-method').click();
  await expect(page.getByTestId('wallet-row')).toHaveCount(1);
  await expectNoViolations(page, 'wallet list');
  const select = await walletSession(request, 'PAYMENT_METHOD_SELECT', hsid);
  await page.goto('about:blank');
  await page.goto(select.hostedUrl);
  await expect(page.getByTestId('method-list')).toBeVisible();
  await expectNoViolations(page, 'select');
  const pay = await walletSession(request, 'PAYMENT_WITH_WALLET', hsid, { payment: { merchantTransactionId: `a11y-${crypto.randomUUID()}`, amount: 900 } });
  await page.goto('about:blank');
  await page.goto(pay.hostedUrl);
  await expect(page.getByTestId('fee-total')).toBeVisible();
  await expectNoViolations(page, 'pay with wallet');
  const entry = await walletSession(request, 'PAYMENT_METHOD_ENTRY', hsid);
  await page.goto('about:blank');
  await page.goto(entry.hostedUrl);
  await expect(page.getByTestId('add-method')).toBeVisible();
  await expectNoViolations(page, 'entry');
});

test('a payer can pay with the keyboard alone', async ({ page, request }) => {
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Card number')).toBeFocused();
  await page.keyboard.type(VISA_OK);
  await page.keyboard.press('Tab');
  await page.keyboard.type('1234');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeFocused();
});

test('Spanish: labels, fee disclosure and decline messages', async ({ page, request }) => {
  const resp = await request.post('/v1/sessions', {
    headers: MERCHANT,
    data: {
      customer: {}, payment: { merchantTransactionId: `es-${crypto.randomUUID()}`, amount: 123456 },
      config: { modes: ['PAYMENT'], locale: 'es' },
    },
  });
  const { data } = await resp.json();
  await page.goto(data.hostedUrl);
  await expect(page.getByTestId('amount')).toHaveText('1.234,56\u00a0$');
  await page.getByLabel('Número de tarjeta').fill(VISA_DECLINED);
  await page.getByLabel('Vencimiento (MM / AA)').fill('12/34');
  await page.getByLabel('Código de seguridad').fill('123');
  await expect(page.getByTestId('fee-disclosure')).toContainText('Se aplica un cargo por servicio de 36,42\u00a0$');
  await expect(page.getByTestId('pay-button')).toHaveText('Pagar 1.270,98\u00a0$');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toContainText('Su tarjeta fue rechazada.');
  await expectNoViolations(page, 'spanish decline');
});

test('dark scheme renders with the dark palette and stays accessible', async ({ browser, request }) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  const s = await createSession(request, 1500);
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(16, 20, 28)');
  await expectNoViolations(page, 'dark');
  await page.screenshot({ path: test.info().outputPath('dark.png'), fullPage: true });
  await context.close();
});

test("the session's appearance themes the widget", async ({ page, request }) => {
  const s = await createSession(request, 1500, {
    config: { modes: ['PAYMENT'], appearance: { colorPrimary: '#0b6e4f', borderRadius: '2px' } },
  });
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('fee-total')).toHaveText('$16.00');
  const button = page.getByTestId('pay-button');
  await expect(button).toHaveCSS('background-color', 'rgb(11, 110, 79)');
  await expect(button).toHaveCSS('border-radius', '2px');
  await expectNoViolations(page, 'themed');
});
