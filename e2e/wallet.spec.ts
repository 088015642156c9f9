// Wallet modes in the browser: ENTRY, WALLET, PAYMENT_WITH_WALLET, SELECT, DISPLAY, and
// saving a card while paying.
import { APIRequestContext, Page, expect, test } from '@playwright/test';
import { MERCHANT, VISA_OK, fillCard, merchantView, expectStyled } from './fixtures';

async function session(request: APIRequestContext, mode: string, hsid: string, extra: Record<string, unknown> = {}) {
  const resp = await request.post('/v1/sessions', {
    headers: MERCHANT,
    data: {
      customer: { firstName: 'Jane', hsid },
      config: { modes: [mode], paymentMethodChannel: { card: ['WEBFORM'], bankAccount: ['WEBFORM'] } },
      ...extra,
    },
  });
  expect(resp.status()).toBe(200);
  const { data } = await resp.json();
  return { id: data.checkoutSessionId as string, hostedUrl: data.hostedUrl as string };
}

const payment = (amount: number) => ({ payment: { merchantTransactionId: `e2e-${crypto.randomUUID()}`, amount } });

async function addCard(page: Page, number: string, nickname?: string) {
  await fillCard(page, number);
  if (nickname) await page.getByLabel('Nickname (optional)').fill(nickname);
  await page.getByTestId('save-method').click();
}

test('ENTRY saves a card and completes; the merchant sees the method', async ({ page, request }) => {
  const hsid = `h-${crypto.randomUUID()}`;
  const s = await session(request, 'PAYMENT_METHOD_ENTRY', hsid);
  await page.goto(s.hostedUrl);
  await expect(page.getByRole('heading', { name: 'Add a payment method' })).toBeVisible();
  await addCard(page, '5555555555554444', 'Travel card');
  await expect(page.getByTestId('method-saved')).toContainText('Mastercard •••• 4444');
  await expect(page.getByTestId('method-saved')).toContainText('Travel card');
  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.paymentMethodResponse.card.cardBrand).toBe('MASTERCARD');
});

test('WALLET: add, rename, make default, remove with a confirmation', async ({ page, request }) => {
  const hsid = `h-${crypto.randomUUID()}`;
  const s = await session(request, 'WALLET', hsid);
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('wallet-empty')).toBeVisible();
  await page.getByTestId('add-method-button').click();
  await addCard(page, VISA_OK);
  await expect(page.getByTestId('wallet-row')).toHaveCount(1);
  await page.getByTestId('add-method-button').click();
  await addCard(page, '5555555555554444');
  await expect(page.getByTestId('wallet-row')).toHaveCount(2);
  const visa = page.getByTestId('wallet-row').filter({ hasText: 'Visa •••• 4242' });
  await expect(visa).toContainText('Default');

  const mc = page.getByTestId('wallet-row').filter({ hasText: 'Mastercard •••• 4444' });
  await mc.getByRole('button', { name: 'Rename' }).click();
  await mc.getByTestId('nickname-input').fill('Backup');
  await mc.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('wallet-row').filter({ hasText: 'Backup' })).toHaveCount(1);
  await page.getByTestId('wallet-row').filter({ hasText: 'Backup' }).getByRole('button', { name: 'Make default' }).click();
  await expect(page.getByTestId('wallet-row').first()).toContainText('Mastercard •••• 4444');
  await expect(page.getByTestId('wallet-row').first()).toContainText('Default');

  const visaRow = page.getByTestId('wallet-row').filter({ hasText: 'Visa •••• 4242' });
  await visaRow.getByRole('button', { name: 'Remove' }).click();
  await expect(visaRow.getByRole('alertdialog')).toContainText('Remove this payment method?');
  await expectStyled(page); // the manage build's rows, badge and confirmation
  await visaRow.getByRole('button', { name: 'Keep' }).click();
  await expect(page.getByTestId('wallet-row')).toHaveCount(2);
  await visaRow.getByRole('button', { name: 'Remove' }).click();
  await visaRow.getByTestId('confirm-remove').click();
  await expect(page.getByTestId('wallet-row')).toHaveCount(1);
});

test('PAYMENT_WITH_WALLET pays with the default saved method', async ({ page, request }) => {
  const hsid = `h-${crypto.randomUUID()}`;
  const entry = await session(request, 'PAYMENT_METHOD_ENTRY', hsid);
  await page.goto(entry.hostedUrl);
  await addCard(page, VISA_OK);
  await expect(page.getByTestId('method-saved')).toBeVisible();

  const s = await session(request, 'PAYMENT_WITH_WALLET', hsid, payment(5000));
  await page.goto('about:blank');
  await page.goto(s.hostedUrl);
  await expect(page.getByRole('tab', { name: 'Saved' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('radio', { name: /Visa •••• 4242/ })).toBeChecked();
  await expect(page.getByTestId('fee-total')).toHaveText('$51.48');
  await expectStyled(page); // the forms build's tabs and saved methods
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt-method')).toHaveText('Visa •••• 4242');
  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.payment.total).toBe(5148);
});

test('a new card can be saved for next time while paying', async ({ page, request }) => {
  const hsid = `h-${crypto.randomUUID()}`;
  const s = await session(request, 'PAYMENT_WITH_WALLET', hsid, payment(2000));
  await page.goto(s.hostedUrl);
  await fillCard(page, VISA_OK);
  await page.getByTestId('save-for-later').check();
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  const w = await session(request, 'WALLET', hsid);
  await page.goto('about:blank');
  await page.goto(w.hostedUrl);
  await expect(page.getByTestId('wallet-row')).toContainText('Visa •••• 4242');
});

test('SELECT completes with the chosen method; DISPLAY shows one read-only', async ({ page, request }) => {
  const hsid = `h-${crypto.randomUUID()}`;
  const entry = await session(request, 'WALLET', hsid);
  await page.goto(entry.hostedUrl);
  await page.getByTestId('add-method-button').click();
  await addCard(page, VISA_OK);
  await page.getByTestId('add-method-button').click();
  await addCard(page, '5555555555554444');
  await expect(page.getByTestId('wallet-row')).toHaveCount(2);
  const listed = await (await request.get(`/v1/sessions/${entry.id}/payment-methods`, {
    headers: { Authorization: `Bearer ${entry.hostedUrl.split('#cs=')[1]}` },
  })).json();
  const mc = listed.data.find((m: { brand: string }) => m.brand === 'MASTERCARD');

  const s = await session(request, 'PAYMENT_METHOD_SELECT', hsid);
  await page.goto('about:blank');
  await page.goto(s.hostedUrl);
  await expect(page.getByRole('radio', { name: /Visa •••• 4242/ })).toBeChecked();
  await page.getByRole('radio', { name: /Mastercard •••• 4444/ }).check();
  await page.getByTestId('select-button').click();
  await expect(page.getByTestId('method-selected')).toContainText('Mastercard •••• 4444');
  expect((await merchantView(request, s.id)).paymentMethodId).toBe(mc.id);

  const d = await session(request, 'PAYMENT_METHOD_DISPLAY', hsid, { paymentMethod: { id: mc.id } });
  await page.goto('about:blank');
  await page.goto(d.hostedUrl);
  await expect(page.getByTestId('method-display')).toContainText('Mastercard •••• 4444');
  await expect(page.getByRole('button')).toHaveCount(0);
});

test('WALLET: Done completes the session; the embedding page receives success with the wallet', async ({ page, request }) => {
  const hsid = `h-${crypto.randomUUID()}`;
  const apiPort = Number(process.env.E2E_PORT ?? '18080');
  // The demo merchant's page embeds a WALLET session of this customer.
  await page.goto(`http://127.0.0.1:${apiPort + 1}/?mode=WALLET&customer=${hsid}`);
  await expect(page.getByTestId('embedded-mode')).toHaveText('WALLET');
  const sessionId = await page.locator('govifi-payment').getAttribute('checkout-session-id');
  const frame = page.frameLocator('govifi-payment iframe');
  await frame.getByTestId('add-method-button').click();
  await frame.getByLabel('Card number').fill(VISA_OK);
  await frame.getByLabel('Expiry (MM / YY)').fill('12/34');
  await frame.getByLabel('Security code').fill('123');
  await frame.getByTestId('save-method').click();
  await expect(frame.getByTestId('wallet-row')).toHaveCount(1);
  await frame.getByTestId('wallet-done').click();
  await expect(frame.getByTestId('wallet-done-receipt')).toContainText('Your payment methods are saved');
  const log = page.getByTestId('event-log');
  // The API's answer (WalletDone) as it came, field for field in the API's order.
  await expect(log).toContainText(`element success {"sessionId":"${sessionId}","status":"COMPLETED","defaultPaymentMethodId":"`);
  await expect(log).toContainText('"last4":"4242"');
  const view = await merchantView(request, sessionId!);
  expect(view.status).toBe('COMPLETED');
  expect(view.paymentMethodId).toMatch(/[0-9a-f-]{36}/);
});

test('SELECT with an empty wallet: the payer adds a card, which is selected; the form links the privacy policy', async ({ page, request }) => {
  const hsid = `h-${crypto.randomUUID()}`;
  const s = await session(request, 'PAYMENT_METHOD_SELECT', hsid);
  const patched = await request.post('/v1/sessions', {
    headers: MERCHANT,
    data: { customer: { hsid }, config: { modes: ['PAYMENT_METHOD_ENTRY'], privacyPolicyUrl: 'https://shop.example/privacy',
      paymentMethodChannel: { card: ['WEBFORM'] } } },
  });
  const entry = (await patched.json()).data;
  await page.goto(entry.hostedUrl);
  await expect(page.getByTestId('privacy-link')).toHaveAttribute('href', 'https://shop.example/privacy');

  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('wallet-empty')).toHaveText('No saved payment methods yet.');
  await addCard(page, VISA_OK, 'Main card');
  await expect(page.getByTestId('method-selected')).toContainText('Visa •••• 4242');
  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.paymentMethodId).toMatch(/[0-9a-f-]{36}/);
});
