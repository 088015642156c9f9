// A merchant's page code, type-checked against the generated declarations (scripts/test runs
// `tsc -p e2e/types-check`): what compiles here compiles for a merchant, and what a merchant must
// not write fails (the @ts-expect-error lines).
import type { GovifiEventDetailMap, GovifiPaymentElement, Paid, WalletDone } from '../../api/static/govifi';

const el: GovifiPaymentElement = document.querySelector('govifi-payment')!;

el.addEventListener('quote', (e) => {
  const total: number = e.detail.total;
  const currency: 'USD' | 'CAD' | 'EUR' | 'GBP' = e.detail.currencyCode;
  console.log(total, currency);
});

el.addEventListener('success', (e) => {
  const d = e.detail;
  if ('payment' in d) {
    const paid: Paid = d;
    const status: 'AUTHORIZED' | 'COMPLETED' | string = paid.payment.status;
    console.log(paid.payment.total, paid.payment.paymentMethod.last4, status);
  } else if ('paymentMethods' in d) {
    const wallet: WalletDone = d;
    console.log(wallet.defaultPaymentMethodId, wallet.paymentMethods.length);
  } else {
    console.log(d.paymentMethod.last4, d.paymentMethodId);
  }
});

el.addEventListener('error', (e) => console.log(e.detail.title ?? 'no answer', e.detail.message));
el.addEventListener('cancel', () => console.log('canceled'));
el.addEventListener('ready', (e) => console.log(e.detail.mode, e.detail.amount));

window.Govifi.mount(document.body, {
  clientSecret: 'cs_x_secret_y',
  locale: 'es',
  onSuccess: (detail) => console.log(detail.status),
  onError: (detail) => console.log(detail.message),
  onEvent: (name, detail) => console.log(name, detail),
});

const detailOf = <K extends keyof GovifiEventDetailMap>(_name: K, d: GovifiEventDetailMap[K]) => d;
detailOf('resize', { height: 320 });

// @ts-expect-error: a quote carries no payment.
el.addEventListener('quote', (e) => console.log(e.detail.payment));
// @ts-expect-error: there is no such event.
detailOf('paid', {});
// @ts-expect-error: amounts are numbers of minor units, not strings.
detailOf('quote', { quoteId: 'q', amount: '10.00', fee: 0, total: 0, currencyCode: 'USD' });
