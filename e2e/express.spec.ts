// Device wallets (Google Pay through the Payment Request API) against the real API.
// Chromium here has no Google Pay, so the "can pay" cases give the page a scripted wallet in place
// of `window.PaymentRequest`: it records what the widget asked for and answers with a token the
// sandbox processor charges (or, for `sandbox_declined`, declines). The real browser API is used
// for the case where the wallet is unavailable: the button must not appear at all.
import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, Page, expect, test } from '@playwright/test';
import { MERCHANT, VISA_OK, createSession, fillCard, merchantView, expectStyled } from './fixtures';

// The card form and both wallets: the API serves it the express build (dist/express/). With a bank
// account too (`bank`), the whole payment build; the Apple Pay journeys take that one, so both
// builds that hold the wallets pay through them here.
async function walletSession(request: APIRequestContext, bank = false) {
  return createSession(request, 2000, { config: { modes: ['PAYMENT'], paymentMethodChannel: {
    card: ['WEBFORM', 'GOOGLE_PAY', 'APPLE_PAY'], bankAccount: bank ? ['WEBFORM'] : [] } } });
}

/** Replaces PaymentRequest with a wallet that answers `outcome` ('token' | 'decline' | 'cancel'). */
async function scriptedWallet(page: Page, outcome: 'token' | 'decline' | 'cancel') {
  await page.addInitScript((outcome) => {
    const log: unknown[] = [];
    (window as any).__wallet = log;
    (window as any).PaymentRequest = class {
      methods: any; details: any;
      constructor(methods: any, details: any) { this.methods = methods; this.details = details; log.push({ constructed: { methods, details } }); }
      async canMakePayment() { return this.methods[0].supportedMethods === 'https://google.com/pay'; }
      async show() {
        log.push({ shown: this.details });
        if (outcome === 'cancel') throw new DOMException('closed', 'AbortError');
        return {
          methodName: 'https://google.com/pay',
          details: { apiVersion: 2, paymentMethodData: { type: 'CARD', description: 'Visa •••• 1111',
            info: { cardNetwork: 'VISA', cardDetails: '1111' },
            tokenizationData: { type: 'PAYMENT_GATEWAY', token: outcome === 'decline' ? 'sandbox_declined' : `{"signature":"MEUC","protocolVersion":"ECv2","signedMessage":"${crypto.randomUUID()}"}` } } },
          complete: async (result: string) => { log.push({ completed: result }); },
        };
      }
    };
  }, outcome);
}

const walletLog = (page: Page) => page.evaluate(() => (window as any).__wallet as any[]);

test('no wallet in the browser: no Google Pay button, and the card form pays', async ({ page, request }) => {
  const s = await walletSession(request);
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('fee-total')).toHaveText('$21.00');
  await expect(page.getByTestId('express')).toHaveCount(0);
  await fillCard(page, VISA_OK);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
});

test('Google Pay: the fee is shown before the sheet, the sheet shows the total, one charge', async ({ page, request }) => {
  await scriptedWallet(page, 'token');
  const s = await walletSession(request);
  await page.goto(s.hostedUrl);
  const gpay = page.getByRole('button', { name: 'Pay with Google Pay' });
  await expect(gpay).toBeEnabled();
  await expect(page.getByTestId('wallet-note')).toHaveText('Google Pay total $21.00, including a $1.00 convenience fee.');
  await expectStyled(page); // the express build's wallet button and note
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
  await gpay.click();
  await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeFocused();
  await expect(page.getByTestId('receipt-method')).toHaveText('Google Pay · Visa •••• 1111');
  await expect(page.getByTestId('receipt-total')).toHaveText('$21.00');

  const log = await walletLog(page);
  const shown = log.find((e) => e.shown)!.shown;
  expect(shown.total.amount).toEqual({ currency: 'USD', value: '21.00' });
  expect(shown.displayItems.map((i: any) => i.amount.value)).toEqual(['20.00', '1.00']);
  const methods = log.find((e) => e.constructed)!.constructed.methods;
  expect(methods[0].data.allowedPaymentMethods[0].tokenizationSpecification.parameters.gatewayMerchantId).toBe('demo');
  expect(log.filter((e) => e.completed)).toEqual([{ completed: 'success' }]);

  const view = await merchantView(request, s.id);
  expect(view.status).toBe('COMPLETED');
  expect(view.paymentAttempts).toHaveLength(1);
  expect(view.payment.paymentMethod).toMatchObject({ type: 'GOOGLE_PAY', brand: 'VISA', last4: '1111' });
});

test('Google Pay declined: the sheet closes as failed, the payer reads why and pays by card', async ({ page, request }) => {
  await scriptedWallet(page, 'decline');
  const s = await walletSession(request);
  await page.goto(s.hostedUrl);
  await page.getByRole('button', { name: 'Pay with Google Pay' }).click();
  await expect(page.getByTestId('error-banner')).toContainText('Your card was declined.');
  expect((await walletLog(page)).filter((e) => e.completed)).toEqual([{ completed: 'fail' }]);
  await fillCard(page, VISA_OK);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts.map((a: { status: string }) => a.status)).toEqual(['FAILED', 'COMPLETED']);
});

test('closing the Google Pay sheet charges nothing and leaves the page ready', async ({ page, request }) => {
  await scriptedWallet(page, 'cancel');
  const s = await walletSession(request);
  await page.goto(s.hostedUrl);
  const gpay = page.getByRole('button', { name: 'Pay with Google Pay' });
  await gpay.click();
  await expect(gpay).toBeEnabled();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(page.getByTestId('pay-button')).toBeEnabled();
  expect((await merchantView(request, s.id)).paymentAttempts ?? []).toHaveLength(0);
});

test('the Google Pay total fails to load: the payer reads why, retries, then pays', async ({ page, request }) => {
  await scriptedWallet(page, 'token');
  const s = await walletSession(request);
  let refused = 0;
  await page.route('**/fee-quotes', async (route) => {
    if (refused === 0 && route.request().postDataJSON().method === 'GOOGLE_PAY') {
      refused++;
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await page.goto(s.hostedUrl);
  const gpay = page.getByRole('button', { name: 'Pay with Google Pay' });
  await expect(page.getByTestId('wallet-quote-error')).toContainText('Check your connection');
  await expect(gpay).toBeDisabled();
  await expect(page.getByTestId('pay-button')).toBeEnabled(); // the card form is not held up
  await page.getByTestId('wallet-quote-error').getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('wallet-note')).toHaveText('Google Pay total $21.00, including a $1.00 convenience fee.');
  await gpay.click();
  await expect(page.getByTestId('receipt-method')).toHaveText('Google Pay · Visa •••• 1111');
  expect(refused).toBe(1);
  expect((await merchantView(request, s.id)).paymentAttempts).toHaveLength(1);
});

test("Google Pay is asked with the merchant's wallet settings, not constants", async ({ page, request }) => {
  const settings = { googlePay: { environment: 'PRODUCTION', merchantId: 'BCR2DN4TEXAMPLE1', gateway: 'examplegateway', gatewayMerchantId: 'acct-42' } };
  const put = await request.put('/v1/wallet-settings', { headers: MERCHANT, data: settings });
  expect(put.status()).toBe(200);
  try {
    await scriptedWallet(page, 'cancel');
    const s = await walletSession(request);
    await page.goto(s.hostedUrl);
    await page.getByTestId('google-pay').click();
    await expect.poll(async () => (await walletLog(page)).some((e) => e.shown)).toBe(true);
    const data = (await walletLog(page)).find((e) => e.constructed)!.constructed.methods[0].data;
    expect(data.environment).toBe('PRODUCTION');
    expect(data.merchantInfo).toEqual({ merchantName: 'Demo Store', merchantId: 'BCR2DN4TEXAMPLE1' });
    expect(data.allowedPaymentMethods[0].tokenizationSpecification.parameters).toEqual({ gateway: 'examplegateway', gatewayMerchantId: 'acct-42' });
    // The payer closed the sheet: the card form is still there, nothing was charged.
    await expect(page.getByTestId('pay-button')).toBeVisible();
    expect((await merchantView(request, s.id)).paymentAttempts).toEqual([]);
  } finally {
    // The demo merchant's other tests expect the sandbox defaults.
    await request.put('/v1/wallet-settings', { headers: MERCHANT, data: {} });
  }
});

/**
 * Installs an `ApplePaySession` shaped after Safari's (Apple Pay JS v3+): the static
 * `supportsVersion` / `canMakePayments`, a constructor that throws without a user gesture, `begin()`
 * raising `onvalidatemerchant` with an Apple gateway URL, `completeMerchantValidation` that needs a
 * merchant session, then `onpaymentauthorized` (or `oncancel`), and `completePayment({status})`.
 */
async function scriptedApplePay(page: Page, outcome: 'token' | 'decline' | 'cancel' | 'unavailable') {
  await page.addInitScript((outcome) => {
    const log: any[] = [];
    (window as any).__applePay = log;
    class ApplePaySession {
      static STATUS_SUCCESS = 0;
      static STATUS_FAILURE = 1;
      static supportsVersion(v: number) { return v >= 1 && v <= 14; }
      static canMakePayments() { return outcome !== 'unavailable'; }
      onvalidatemerchant: ((e: any) => void) | null = null;
      onpaymentauthorized: ((e: any) => void) | null = null;
      oncancel: ((e: any) => void) | null = null;
      request: any;
      constructor(version: number, request: any) {
        if (!(navigator as any).userActivation?.isActive) throw new DOMException('Must create a new ApplePaySession from a user gesture handler.', 'InvalidAccessError');
        this.request = request;
        log.push({ constructed: { version, request } });
      }
      begin() {
        log.push({ begun: true });
        setTimeout(() => this.onvalidatemerchant?.({ validationURL: 'https://apple-pay-gateway-cert.apple.com/paymentservices/paymentSession' }), 10);
      }
      completeMerchantValidation(merchantSession: any) {
        log.push({ merchantSession });
        if (!merchantSession?.merchantSessionIdentifier) throw new DOMException('invalid merchant session', 'InvalidAccessError');
        setTimeout(() => {
          if (outcome === 'cancel') return this.oncancel?.({});
          const data = outcome === 'decline' ? 'sandbox_declined' : btoa(crypto.randomUUID());
          this.onpaymentauthorized?.({ payment: { token: {
            paymentData: { version: 'EC_v1', data, signature: 'MIAGCSqGSIb3DQEHAqCAMIACAQEx', header: { ephemeralPublicKey: 'MFkwEwYH', publicKeyHash: 'LbsUwAT6', transactionId: 'aa11' } },
            paymentMethod: { displayName: 'Visa 0224', network: 'Visa', type: 'debit' },
            transactionIdentifier: 'AA11BB22',
          } } });
        }, 10);
      }
      completePayment(result: any) { log.push({ completed: typeof result === 'number' ? result : result.status }); }
      abort() { log.push({ aborted: true }); }
    }
    (window as any).ApplePaySession = ApplePaySession;
  }, outcome);
}

const applePayLog = (page: Page) => page.evaluate(() => (window as any).__applePay as any[]);

test('Apple Pay: the merchant is validated through the API, the sheet shows the total, one charge', async ({ page, request }) => {
  await scriptedApplePay(page, 'token');
  const s = await walletSession(request, true);
  const validations: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/wallets/apple-pay/merchant-session')) validations.push(r.postDataJSON().validationUrl); });
  await page.goto(s.hostedUrl);
  const apple = page.getByRole('button', { name: 'Pay with Apple Pay' });
  await expect(apple).toBeEnabled();
  await expect(page.getByTestId('google-pay')).toHaveCount(0); // no Payment Request wallet in this browser
  await expect(page.getByTestId('wallet-note')).toHaveText('Apple Pay total $21.00, including a $1.00 convenience fee.');
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
  await apple.click();
  await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeFocused();
  await expect(page.getByTestId('receipt-method')).toHaveText('Apple Pay · Visa •••• 0224');

  expect(validations).toEqual(['https://apple-pay-gateway-cert.apple.com/paymentservices/paymentSession']);
  const log = await applePayLog(page);
  const { version, request: sheet } = log.find((e) => e.constructed)!.constructed;
  expect(version).toBe(3);
  expect(sheet).toMatchObject({ countryCode: 'US', currencyCode: 'USD', merchantCapabilities: ['supports3DS'],
    total: { label: 'Demo Store', amount: '21.00', type: 'final' } });
  expect(sheet.lineItems.map((i: any) => i.amount)).toEqual(['20.00', '1.00']);
  expect(log.find((e) => e.merchantSession).merchantSession.merchantSessionIdentifier).toMatch(/^SSH_SANDBOX_/);
  expect(log.filter((e) => 'completed' in e)).toEqual([{ completed: 0 }]);

  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts).toHaveLength(1);
  expect(view.payment.paymentMethod).toMatchObject({ type: 'APPLE_PAY', brand: 'VISA', last4: '0224' });
});

test('Apple Pay declined: the sheet fails, the payer reads why and pays by card', async ({ page, request }) => {
  await scriptedApplePay(page, 'decline');
  const s = await walletSession(request, true);
  await page.goto(s.hostedUrl);
  await page.getByRole('button', { name: 'Pay with Apple Pay' }).click();
  await expect(page.getByTestId('error-banner')).toContainText('Your card was declined.');
  expect((await applePayLog(page)).filter((e) => 'completed' in e)).toEqual([{ completed: 1 }]);
  await fillCard(page, VISA_OK);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts.map((a: { status: string }) => a.status)).toEqual(['FAILED', 'COMPLETED']);
});

test('Apple Pay closed by the payer or unable to validate: nothing charged, the page stays ready', async ({ page, request }) => {
  await scriptedApplePay(page, 'cancel');
  const s = await walletSession(request, true);
  await page.goto(s.hostedUrl);
  const apple = page.getByRole('button', { name: 'Pay with Apple Pay' });
  await apple.click();
  await expect.poll(async () => (await applePayLog(page)).some((e) => e.merchantSession)).toBe(true);
  await expect(apple).toBeEnabled();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  // The API refuses the validation (say, Apple is down): the sheet is aborted, the payer told.
  await page.route('**/wallets/apple-pay/merchant-session', (route) => route.fulfill({ status: 422, contentType: 'application/json',
    body: JSON.stringify({ title: 'UNPROCESSABLE_ENTITY', status: 422, detail: 'Apple Pay could not validate this merchant right now; pay by card or try again.' }) }));
  await apple.click();
  await expect(page.getByTestId('error-banner')).toContainText("The wallet couldn't be opened.");
  expect((await applePayLog(page)).filter((e) => e.aborted)).toHaveLength(1);
  await expect(page.getByTestId('pay-button')).toBeEnabled();
  expect((await merchantView(request, s.id)).paymentAttempts ?? []).toHaveLength(0);
});

test('no Apple Pay card on the device: no Apple Pay button', async ({ page, request }) => {
  await scriptedApplePay(page, 'unavailable');
  const s = await walletSession(request, true);
  await page.goto(s.hostedUrl);
  await expect(page.getByTestId('fee-total')).toHaveText('$21.00');
  await expect(page.getByTestId('apple-pay')).toHaveCount(0);
  await expect(page.getByTestId('express')).toHaveCount(0);
});

test("the wallets are asked only for the session's card brands, and another brand is refused readably", async ({ page, request }) => {
  await scriptedWallet(page, 'cancel');
  await scriptedApplePay(page, 'cancel');
  const s = await createSession(request, 2000, { config: { modes: ['PAYMENT'], cardBrands: ['VISA', 'MASTERCARD'],
    paymentMethodChannel: { card: ['WEBFORM', 'GOOGLE_PAY', 'APPLE_PAY'] } } });
  await page.goto(s.hostedUrl);
  await page.getByTestId('google-pay').click();
  await expect.poll(async () => (await walletLog(page)).some((e) => e.shown)).toBe(true);
  const data = (await walletLog(page)).find((e) => e.constructed)!.constructed.methods[0].data;
  expect(data.allowedPaymentMethods[0].parameters.allowedCardNetworks).toEqual(['MASTERCARD', 'VISA']);
  await page.getByTestId('apple-pay').click();
  await expect.poll(async () => (await applePayLog(page)).some((e) => e.constructed)).toBe(true);
  expect((await applePayLog(page)).find((e) => e.constructed).constructed.request.supportedNetworks).toEqual(['visa', 'masterCard']);
  // An American Express card typed in the form: the payer reads why, nothing is charged.
  await fillCard(page, '378282246310005', '12/34', '1234');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('error-banner')).toContainText("This card brand isn't accepted here. Please use another card.");
  expect((await merchantView(request, s.id)).paymentAttempts ?? []).toHaveLength(0);
});
