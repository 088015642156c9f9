// 3-D Secure in the widget: the sandbox's test cards, the issuer's challenge page in a modal
// dialog (focus kept in it, Escape and Cancel close it, announced to screen readers), and exactly
// one charge whatever the payer does.
import AxeBuilder from '@axe-core/playwright';
import { Page, expect, test } from '@playwright/test';
import { VISA_OK, createSession, fillCard, merchantView, expectStyled } from './fixtures';

const FRICTIONLESS = '4000000000003055';
const CHALLENGE = '4000000000003220';

const dialog = (page: Page) => page.getByRole('dialog', { name: "Confirm it's you" });
const issuer = (page: Page) => page.frameLocator('[data-testid=challenge-frame]');

test('a frictionless card pays with no challenge', async ({ page, request }) => {
  const s = await createSession(request, 2000);
  await page.goto(s.hostedUrl);
  await fillCard(page, FRICTIONLESS);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(dialog(page)).toHaveCount(0);
  expect((await merchantView(request, s.id)).payment.authentication.outcome).toBe('frictionless');
});

test('a challenge approved on the issuer page pays once; the dialog is accessible', async ({ page, request }) => {
  const s = await createSession(request, 2000);
  await page.goto(s.hostedUrl);
  await fillCard(page, CHALLENGE);
  await page.getByTestId('pay-button').click();
  await expect(dialog(page)).toBeVisible();
  await expect(page.getByRole('heading', { name: "Confirm it's you" })).toBeFocused();
  // The form behind the dialog is inert: nothing there can be reached.
  await expect(page.locator('form.pay')).toHaveJSProperty('inert', true);
  await expectStyled(page); // the challenge dialog over the card build's form
  const axe = await new AxeBuilder({ page }).include('[data-testid=challenge]').analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
  expect((await merchantView(request, s.id)).paymentAttempts ?? []).toHaveLength(0);
  await issuer(page).getByTestId('challenge-approve').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(dialog(page)).toHaveCount(0);
  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts).toHaveLength(1);
  expect(view.payment.authentication).toEqual({ outcome: 'challenged', version: '2.2.0', eci: '05' });
});

test('a failed challenge reads as a decline and the form pays with another card', async ({ page, request }) => {
  const s = await createSession(request, 2000);
  await page.goto(s.hostedUrl);
  await fillCard(page, CHALLENGE);
  await page.getByTestId('pay-button').click();
  await issuer(page).getByTestId('challenge-fail').click();
  await expect(page.getByTestId('error-banner')).toContainText("Your card issuer couldn't confirm it's you. Nothing was charged.");
  await expect(dialog(page)).toHaveCount(0);
  await fillCard(page, VISA_OK);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts.map((a: { status: string }) => a.status)).toEqual(['COMPLETED']);
});

test('closing the challenge (Cancel, or Escape) charges nothing; another card then pays once', async ({ page, request }) => {
  const s = await createSession(request, 2000);
  await page.goto(s.hostedUrl);
  await fillCard(page, CHALLENGE);
  await page.getByTestId('pay-button').click();
  await page.getByTestId('challenge-close').click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveText('Authentication canceled. Nothing was charged.');
  // Again, closed with Escape from inside the issuer's page.
  await page.getByTestId('pay-button').click();
  await expect(dialog(page)).toBeVisible();
  await issuer(page).getByTestId('challenge-approve').focus();
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toHaveCount(0);
  await fillCard(page, VISA_OK);
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  expect((await merchantView(request, s.id)).paymentAttempts).toHaveLength(1);
});

test('a reload during the challenge resumes it; one charge', async ({ page, request }) => {
  const s = await createSession(request, 2000);
  await page.goto(s.hostedUrl);
  await fillCard(page, CHALLENGE);
  await page.getByTestId('pay-button').click();
  await expect(dialog(page)).toBeVisible();
  await page.reload();
  // The attempt's key survived the reload: the same card asks for the same challenge.
  await fillCard(page, CHALLENGE);
  await page.getByTestId('pay-button').click();
  await issuer(page).getByTestId('challenge-approve').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  expect((await merchantView(request, s.id)).paymentAttempts).toHaveLength(1);
});

test('embedded, the challenge shows inside the element and pays', async ({ page, request }) => {
  const site = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? '18080') + 1}`;
  await page.goto(`${site}/`);
  const frame = page.frameLocator('govifi-payment iframe');
  await frame.getByLabel('Card number').fill(CHALLENGE);
  await frame.getByLabel('Expiry (MM / YY)').fill('12/34');
  await frame.getByLabel('Security code').fill('123');
  await frame.getByTestId('pay-button').click();
  await expect(frame.getByRole('dialog')).toBeVisible();
  await expect.poll(() => page.locator('govifi-payment iframe').evaluate((f) => f.getBoundingClientRect().height)).toBeGreaterThanOrEqual(500);
  await frame.frameLocator('[data-testid=challenge-frame]').getByTestId('challenge-approve').click();
  await expect(frame.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('event-log')).toContainText('element success');
  void request;
});

test('a challenge the issuer always fails reads as a decline even when the payer approves', async ({ page, request }) => {
  const s = await createSession(request, 2000);
  await page.goto(s.hostedUrl);
  await fillCard(page, '4000000000003238');
  await page.getByTestId('pay-button').click();
  await issuer(page).getByTestId('challenge-approve').click();
  await expect(page.getByTestId('error-banner')).toContainText("Your card issuer couldn't confirm it's you. Nothing was charged.");
  const view = await merchantView(request, s.id);
  expect(view.paymentAttempts ?? []).toHaveLength(0);
  expect(view.authentications.map((a: { status: string }) => a.status)).toEqual(['FAILED']);
});

test('authentication unavailable: the card pays without a challenge, recorded as unavailable', async ({ page, request }) => {
  const s = await createSession(request, 2000);
  await page.goto(s.hostedUrl);
  await fillCard(page, '4000000000003097');
  await page.getByTestId('pay-button').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  expect((await merchantView(request, s.id)).payment.authentication).toEqual({ outcome: 'unavailable', version: null, eci: '07' });
});

test('in a popup, the challenge shows in the popup and the opener receives the success', async ({ page }) => {
  const site = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? '18080') + 1}`;
  await page.goto(`${site}/`);
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('popup-button').click()]);
  await fillCard(popup, CHALLENGE);
  await popup.getByTestId('pay-button').click();
  await expect(popup.getByRole('dialog', { name: "Confirm it's you" })).toBeVisible();
  await popup.frameLocator('[data-testid=challenge-frame]').getByTestId('challenge-approve').click();
  await expect(page.getByTestId('event-log')).toContainText('popup success');
  await popup.waitForEvent('close');
});
