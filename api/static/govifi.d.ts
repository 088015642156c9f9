// <govifi-payment>: TypeScript declarations for the element, its events and Govifi.mount.
// Generated from the checkout's Rust wire types (types/src/events.rs and the types they use) by
// types/tests/typescript.rs; do not edit. Served at /v1/govifi.d.ts.

export type ErrorTitle = "INVALID_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "MERCHANT_NOT_FOUND" | "NOT_FOUND" | "SESSION_ALREADY_PROCESSED" | "REQUEST_IN_PROGRESS" | "SESSION_TIMEOUT" | "PAYMENT_ERROR" | "UNPROCESSABLE_ENTITY" | "IDEMPOTENCY_KEY_REUSED" | "TOO_MANY_REQUESTS" | "INTERNAL_ERROR" | "SERVICE_UNAVAILABLE";

export type Currency = "USD" | "CAD" | "EUR" | "GBP";

export type MinorUnit = number;

export type Mode = "PAYMENT" | "PAYMENT_METHOD_ENTRY" | "PAYMENT_WITH_WALLET" | "WALLET" | "PAYMENT_METHOD_SELECT" | "PAYMENT_METHOD_DISPLAY";

export type SessionStatus = "ACCEPTED" | "CREATED" | "COMPLETED" | "FAILED" | "EXPIRED" | "CANCELED";

export type PaymentStatus = "INITIATED" | "PENDING" | "AUTHORIZED" | "COMPLETED" | "FAILED" | "VOIDED";

export type PaymentMethodKind = "CARD" | "BANK_ACCOUNT" | "GOOGLE_PAY" | "APPLE_PAY";

export type MethodSummary = { type: PaymentMethodKind, brand: string | null, last4: string, };

export type PaymentSummary = { id: string, amount: MinorUnit, fee: MinorUnit, total: MinorUnit, currencyCode: Currency, status: PaymentStatus, paymentMethod: MethodSummary, };

export type SavedMethod = { id: string, 
/**
 * `CARD` or `BANK_ACCOUNT`.
 */
type: PaymentMethodKind, brand: string | null, last4: string, expMonth: number | null, expYear: number | null, nickname: string | null, default: boolean, };

export type WalletDone = { sessionId: string, status: SessionStatus, 
/**
 * The wallet's default method, if it holds any.
 */
defaultPaymentMethodId: string | null, paymentMethods: Array<SavedMethod>, };

export type Ready = { sessionId: string, mode: Mode, status: SessionStatus, amount: MinorUnit | null, currencyCode: Currency, };

export type MethodChanged = { method: PaymentMethodKind, brand: string | null, };

export type WalletChanged = { paymentMethod?: SavedMethod, removed?: string, };

export type WalletsUnavailable = { walletsUnavailable: Array<PaymentMethodKind>, blocked: boolean, };

export type Quoted = { quoteId: string, amount: MinorUnit, fee: MinorUnit, total: MinorUnit, currencyCode: Currency, };

export type Paid = { sessionId: string, status: SessionStatus, payment: PaymentSummary, };

export type MethodDone = { status: SessionStatus, paymentMethodId?: string, paymentMethod: SavedMethod, };

export type Failed = { title: ErrorTitle | null, message: string, };

export type Resized = { height: number, };

export type Canceled = Record<string, never>;

/** The `detail` of each event the element dispatches (bubbling, composed CustomEvents). */
export interface GovifiEventDetailMap {
  ready: Ready;
  change: MethodChanged | WalletChanged | WalletsUnavailable;
  quote: Quoted;
  success: Paid | MethodDone | WalletDone;
  error: Failed;
  cancel: Canceled;
  resize: Resized;
}

export type GovifiEventName = keyof GovifiEventDetailMap;

/** `<govifi-payment checkout-session-id="…" client-secret="…" locale="en">`. */
export interface GovifiPaymentElement extends HTMLElement {
  addEventListener<K extends GovifiEventName>(
    type: K,
    listener: (this: GovifiPaymentElement, ev: CustomEvent<GovifiEventDetailMap[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/** `Govifi.mount(container, options)`: the element, made and appended for you. */
export interface GovifiMountOptions {
  /** The session's client secret (`clientSecret` of the create answer). */
  clientSecret?: string;
  /** The session's id; read from the secret when absent. */
  checkoutSessionId?: string;
  /** `en` or `es`. */
  locale?: string;
  onSuccess?: (detail: GovifiEventDetailMap['success']) => void;
  onError?: (detail: GovifiEventDetailMap['error']) => void;
  onEvent?: <K extends GovifiEventName>(name: K, detail: GovifiEventDetailMap[K]) => void;
}

export interface Govifi {
  mount(container: Element, options: GovifiMountOptions): GovifiPaymentElement;
}

declare global {
  interface HTMLElementTagNameMap {
    'govifi-payment': GovifiPaymentElement;
  }
  interface Window {
    Govifi: Govifi;
  }
}
