//! Every string the payer reads, per locale. English and Spanish; the session's `locale`
//! (or the page's `?locale=`) picks one. Error codes from the API are translated here too, so a
//! payer never sees a raw code.

use checkout_types::error::ErrorTitle;
use checkout_types::validate::FieldError;

use crate::api::ApiError;

/// Supported languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    Es,
}

/// Message keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Loading,
    SecureCheckout,
    MissingCredential,
    Retry,
    PayTo,
    CardNumber,
    Expiry,
    Cvc,
    NameOnCard,
    PostalCode,
    Optional,
    Amount,
    ConvenienceFee,
    Total,
    QuoteLoading,
    Pay,
    Processing,
    PaymentComplete,
    PaymentId,
    PaidWith,
    TryAgainOrOtherCard,
    SessionExpired,
    AlreadyPaid,
    SessionClosed,
    NetworkError,
    QuoteChanged,
    FixErrors,
    StillProcessing,
    SecureNote,
    PrivacyPolicy,
    PayByCard,
    PayByBank,
    PaymentMethod,
    RoutingNumber,
    AccountNumber,
    ConfirmAccountNumber,
    AccountType,
    Checking,
    Savings,
    AccountHolder,
    ReturningToMerchant,
    CancelAndReturn,
    SavedMethods,
    NewMethod,
    Save,
    Saving,
    MethodSaved,
    Nickname,
    MakeDefault,
    DefaultBadge,
    Remove,
    RemoveConfirm,
    Keep,
    Rename,
    AddMethod,
    UseThisMethod,
    MethodSelected,
    NoSavedMethods,
    Expires,
    SaveForLater,
    Cancel,
    ConfirmItsYou,
    ChallengeIntro,
    ChallengeFrame,
    ChallengeCanceled,
    YourWallet,
    Done,
    WalletSaved,
    ChooseMethod,
    MethodOnFile,
    MethodUnavailable,
    PayWithGooglePay,
    PayWithApplePay,
    OrPayAnotherWay,
    WalletUnavailable,
}

impl Locale {
    /// `es`, `es-MX`, … are Spanish; anything else English.
    pub fn from_tag(tag: &str) -> Locale {
        if tag.to_ascii_lowercase().starts_with("es") { Locale::Es } else { Locale::En }
    }

    /// BCP 47 tag for formatting and `lang`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
        }
    }

    /// A fixed message.
    pub fn t(self, key: Key) -> &'static str {
        use Key::*;
        match (self, key) {
            (Locale::En, SecureCheckout) => "Secure checkout",
            (Locale::Es, SecureCheckout) => "Pago seguro",
            (Locale::En, Loading) => "Loading secure checkout…",
            (Locale::Es, Loading) => "Cargando el pago seguro…",
            (Locale::En, MissingCredential) => "This checkout link is incomplete. Please return to the merchant and start again.",
            (Locale::Es, MissingCredential) => "Este enlace de pago está incompleto. Vuelva al comercio y empiece de nuevo.",
            (Locale::En, Retry) => "Try again",
            (Locale::Es, Retry) => "Reintentar",
            (Locale::En, PayTo) => "Pay",
            (Locale::Es, PayTo) => "Pagar a",
            (Locale::En, CardNumber) => "Card number",
            (Locale::Es, CardNumber) => "Número de tarjeta",
            (Locale::En, Expiry) => "Expiry (MM / YY)",
            (Locale::Es, Expiry) => "Vencimiento (MM / AA)",
            (Locale::En, Cvc) => "Security code",
            (Locale::Es, Cvc) => "Código de seguridad",
            (Locale::En, NameOnCard) => "Name on card",
            (Locale::Es, NameOnCard) => "Nombre en la tarjeta",
            (Locale::En, PostalCode) => "ZIP code",
            (Locale::Es, PostalCode) => "Código postal",
            (Locale::En, Optional) => "(optional)",
            (Locale::Es, Optional) => "(opcional)",
            (Locale::En, Amount) => "Amount",
            (Locale::Es, Amount) => "Importe",
            (Locale::En, ConvenienceFee) => "Convenience fee",
            (Locale::Es, ConvenienceFee) => "Cargo por servicio",
            (Locale::En, Total) => "Total",
            (Locale::Es, Total) => "Total",
            (Locale::En, QuoteLoading) => "Calculating fee…",
            (Locale::Es, QuoteLoading) => "Calculando el cargo…",
            (Locale::En, Pay) => "Pay",
            (Locale::Es, Pay) => "Pagar",
            (Locale::En, Processing) => "Processing…",
            (Locale::Es, Processing) => "Procesando…",
            (Locale::En, PaymentComplete) => "Payment complete",
            (Locale::Es, PaymentComplete) => "Pago completado",
            (Locale::En, PaymentId) => "Payment ID",
            (Locale::Es, PaymentId) => "ID del pago",
            (Locale::En, PaidWith) => "Paid with",
            (Locale::Es, PaidWith) => "Pagado con",
            (Locale::En, TryAgainOrOtherCard) => "Check the details or use another card, then try again.",
            (Locale::Es, TryAgainOrOtherCard) => "Revise los datos o use otra tarjeta y vuelva a intentarlo.",
            (Locale::En, SessionExpired) => "This checkout has expired. Please return to the merchant to start a new one.",
            (Locale::Es, SessionExpired) => "Este pago ha caducado. Vuelva al comercio para empezar uno nuevo.",
            (Locale::En, AlreadyPaid) => "This checkout has already been paid.",
            (Locale::Es, AlreadyPaid) => "Este pago ya se ha realizado.",
            (Locale::En, SessionClosed) => "This checkout is closed and can no longer be paid. Please contact the merchant.",
            (Locale::Es, SessionClosed) => "Este pago está cerrado y ya no se puede pagar. Contacte con el comercio.",
            (Locale::En, NetworkError) => "We couldn't reach the payment service. Check your connection and try again; you won't be charged twice.",
            (Locale::Es, NetworkError) => "No pudimos conectar con el servicio de pago. Revise su conexión y vuelva a intentarlo; no se le cobrará dos veces.",
            (Locale::En, QuoteChanged) => "The total was updated. Please review it and pay again.",
            (Locale::Es, QuoteChanged) => "El total se actualizó. Revíselo y vuelva a pagar.",
            (Locale::En, StillProcessing) => "Your payment is still being processed. Please wait a moment, then try again.",
            (Locale::Es, StillProcessing) => "Su pago aún se está procesando. Espere un momento y vuelva a intentarlo.",
            (Locale::En, FixErrors) => "Please correct the highlighted fields.",
            (Locale::Es, FixErrors) => "Corrija los campos marcados.",
            (Locale::En, SecureNote) => "Your card details are sent securely and never stored by the merchant.",
            (Locale::Es, SecureNote) => "Los datos de su tarjeta se envían de forma segura y el comercio no los guarda.",
            (Locale::En, PayWithGooglePay) => "Pay with Google Pay",
            (Locale::Es, PayWithGooglePay) => "Pagar con Google Pay",
            (Locale::En, PayWithApplePay) => "Pay with Apple Pay",
            (Locale::Es, PayWithApplePay) => "Pagar con Apple Pay",
            (Locale::En, OrPayAnotherWay) => "or pay another way",
            (Locale::Es, OrPayAnotherWay) => "o pague de otra forma",
            (Locale::En, WalletUnavailable) => "The wallet couldn't be opened. Please try again or pay by card.",
            (Locale::Es, WalletUnavailable) => "No se pudo abrir la billetera. Vuelva a intentarlo o pague con tarjeta.",
            (Locale::En, PayByCard) => "Card",
            (Locale::Es, PayByCard) => "Tarjeta",
            (Locale::En, PayByBank) => "Bank account",
            (Locale::Es, PayByBank) => "Cuenta bancaria",
            (Locale::En, PaymentMethod) => "Payment method",
            (Locale::Es, PaymentMethod) => "Método de pago",
            (Locale::En, RoutingNumber) => "Routing number",
            (Locale::Es, RoutingNumber) => "Número de ruta",
            (Locale::En, AccountNumber) => "Account number",
            (Locale::Es, AccountNumber) => "Número de cuenta",
            (Locale::En, ConfirmAccountNumber) => "Confirm account number",
            (Locale::Es, ConfirmAccountNumber) => "Confirme el número de cuenta",
            (Locale::En, AccountType) => "Account type",
            (Locale::Es, AccountType) => "Tipo de cuenta",
            (Locale::En, Checking) => "Checking",
            (Locale::Es, Checking) => "Corriente",
            (Locale::En, Savings) => "Savings",
            (Locale::Es, Savings) => "Ahorros",
            (Locale::En, AccountHolder) => "Account holder name",
            (Locale::Es, AccountHolder) => "Titular de la cuenta",
            (Locale::En, ReturningToMerchant) => "Returning you to the merchant…",
            (Locale::Es, ReturningToMerchant) => "Volviendo al comercio…",
            (Locale::En, CancelAndReturn) => "Cancel and return to the merchant",
            (Locale::Es, CancelAndReturn) => "Cancelar y volver al comercio",
            (Locale::En, SavedMethods) => "Saved",
            (Locale::Es, SavedMethods) => "Guardados",
            (Locale::En, NewMethod) => "New payment method",
            (Locale::Es, NewMethod) => "Nuevo método de pago",
            (Locale::En, Save) => "Save",
            (Locale::Es, Save) => "Guardar",
            (Locale::En, Saving) => "Saving…",
            (Locale::Es, Saving) => "Guardando…",
            (Locale::En, MethodSaved) => "Saved to your wallet",
            (Locale::Es, MethodSaved) => "Guardado en su cartera",
            (Locale::En, Nickname) => "Nickname",
            (Locale::Es, Nickname) => "Alias",
            (Locale::En, MakeDefault) => "Make default",
            (Locale::Es, MakeDefault) => "Usar por defecto",
            (Locale::En, DefaultBadge) => "Default",
            (Locale::Es, DefaultBadge) => "Predeterminado",
            (Locale::En, Remove) => "Remove",
            (Locale::Es, Remove) => "Eliminar",
            (Locale::En, RemoveConfirm) => "Remove this payment method?",
            (Locale::Es, RemoveConfirm) => "¿Eliminar este método de pago?",
            (Locale::En, Keep) => "Keep",
            (Locale::Es, Keep) => "Conservar",
            (Locale::En, Rename) => "Rename",
            (Locale::Es, Rename) => "Cambiar alias",
            (Locale::En, AddMethod) => "Add a payment method",
            (Locale::Es, AddMethod) => "Añadir un método de pago",
            (Locale::En, UseThisMethod) => "Use this payment method",
            (Locale::Es, UseThisMethod) => "Usar este método de pago",
            (Locale::En, MethodSelected) => "Payment method selected",
            (Locale::Es, MethodSelected) => "Método de pago seleccionado",
            (Locale::En, NoSavedMethods) => "No saved payment methods yet.",
            (Locale::Es, NoSavedMethods) => "Aún no hay métodos de pago guardados.",
            (Locale::En, Expires) => "Expires",
            (Locale::Es, Expires) => "Vence",
            (Locale::En, SaveForLater) => "Save this payment method for next time",
            (Locale::Es, SaveForLater) => "Guardar este método de pago para la próxima vez",
            (Locale::En, ConfirmItsYou) => "Confirm it's you",
            (Locale::Es, ConfirmItsYou) => "Confirme que es usted",
            (Locale::En, ChallengeIntro) => "Your card issuer asks you to confirm this payment.",
            (Locale::Es, ChallengeIntro) => "El emisor de su tarjeta le pide que confirme este pago.",
            (Locale::En, ChallengeFrame) => "Card issuer authentication",
            (Locale::Es, ChallengeFrame) => "Autenticación del emisor de la tarjeta",
            (Locale::En, ChallengeCanceled) => "Authentication canceled. Nothing was charged.",
            (Locale::Es, ChallengeCanceled) => "Autenticación cancelada. No se cobró nada.",
            (Locale::En, Cancel) => "Cancel",
            (Locale::Es, Cancel) => "Cancelar",
            (Locale::En, YourWallet) => "Your payment methods",
            (Locale::Es, YourWallet) => "Sus métodos de pago",
            (Locale::En, Done) => "Done",
            (Locale::Es, Done) => "Listo",
            (Locale::En, WalletSaved) => "Your payment methods are saved",
            (Locale::Es, WalletSaved) => "Sus métodos de pago están guardados",
            (Locale::En, ChooseMethod) => "Choose a payment method",
            (Locale::Es, ChooseMethod) => "Elija un método de pago",
            (Locale::En, MethodOnFile) => "Payment method on file",
            (Locale::Es, MethodOnFile) => "Método de pago registrado",
            (Locale::En, MethodUnavailable) => "This payment method is no longer available.",
            (Locale::Es, MethodUnavailable) => "Este método de pago ya no está disponible.",
            (Locale::En, PrivacyPolicy) => "Privacy policy",
            (Locale::Es, PrivacyPolicy) => "Política de privacidad",
        }
    }

    /// A field validation message.
    pub fn field_error(self, e: FieldError) -> &'static str {
        use FieldError::*;
        match (self, e) {
            (Locale::En, Required) => "This field is required.",
            (Locale::Es, Required) => "Este campo es obligatorio.",
            (Locale::En, InvalidCardNumber) => "Enter a valid card number.",
            (Locale::Es, InvalidCardNumber) => "Introduzca un número de tarjeta válido.",
            (Locale::En, InvalidExpiry) => "Enter the expiry as MM / YY.",
            (Locale::Es, InvalidExpiry) => "Introduzca el vencimiento como MM / AA.",
            (Locale::En, ExpiredCard) => "This card has expired.",
            (Locale::Es, ExpiredCard) => "Esta tarjeta ha caducado.",
            (Locale::En, InvalidCvc) => "Enter the security code on your card.",
            (Locale::Es, InvalidCvc) => "Introduzca el código de seguridad de su tarjeta.",
            (Locale::En, InvalidRoutingNumber) => "Enter a valid 9-digit routing number.",
            (Locale::Es, InvalidRoutingNumber) => "Introduzca un número de ruta válido de 9 dígitos.",
            (Locale::En, InvalidAccountNumber) => "Enter a valid account number.",
            (Locale::Es, InvalidAccountNumber) => "Introduzca un número de cuenta válido.",
            (Locale::En, AccountNumberMismatch) => "The account numbers don't match.",
            (Locale::Es, AccountNumberMismatch) => "Los números de cuenta no coinciden.",
            (Locale::En, InvalidPostalCode) => "Enter a 5-digit ZIP code.",
            (Locale::Es, InvalidPostalCode) => "Introduzca un código postal de 5 dígitos.",
        }
    }

    /// A processor decline, by its `code` / `declineCode`.
    pub fn decline(self, code: &str, decline_code: Option<&str>) -> &'static str {
        let key = decline_code.filter(|d| *d == "insufficient_funds").unwrap_or(code);
        match (self, key) {
            (Locale::En, "insufficient_funds") => "Your card has insufficient funds.",
            (Locale::Es, "insufficient_funds") => "Su tarjeta no tiene fondos suficientes.",
            (Locale::En, "expired_card") => "Your card has expired.",
            (Locale::Es, "expired_card") => "Su tarjeta ha caducado.",
            (Locale::En, "incorrect_cvc") => "Your card's security code is incorrect.",
            (Locale::Es, "incorrect_cvc") => "El código de seguridad de su tarjeta es incorrecto.",
            (Locale::En, "processing_error") => "We couldn't process your card. Please try again in a moment.",
            (Locale::Es, "processing_error") => "No pudimos procesar su tarjeta. Vuelva a intentarlo en un momento.",
            (Locale::En, "authentication_failed") => "Your card issuer couldn't confirm it's you. Nothing was charged.",
            (Locale::Es, "authentication_failed") => "El emisor de su tarjeta no pudo confirmar su identidad. No se cobró nada.",
            (Locale::En, "authentication_expired") => "The authentication timed out. Nothing was charged.",
            (Locale::Es, "authentication_expired") => "La autenticación caducó. No se cobró nada.",
            (Locale::En, "card_brand_not_accepted") => "This card brand isn't accepted here. Please use another card.",
            (Locale::Es, "card_brand_not_accepted") => "Aquí no se acepta esta marca de tarjeta. Use otra tarjeta.",
            (Locale::En, "account_closed") => "This bank account is closed.",
            (Locale::Es, "account_closed") => "Esta cuenta bancaria está cerrada.",
            (Locale::En, _) => "Your card was declined.",
            (Locale::Es, _) => "Su tarjeta fue rechazada.",
        }
    }

    /// A readable sentence for any API failure (never a raw code).
    /// The sentence a payer reads for a failed call, with the request's reference (its
    /// `requestId`, which finds its log lines) when the API answered.
    pub fn api_error(self, e: &ApiError) -> String {
        let sentence = self.api_error_sentence(e);
        match e.reference() {
            Some(r) => format!("{sentence} {}: {r}", if self == Locale::Es { "Referencia" } else { "Reference" }),
            None => sentence.to_owned(),
        }
    }

    fn api_error_sentence(self, e: &ApiError) -> &'static str {
        let other = match self {
            Locale::En => "Something went wrong. Please try again.",
            Locale::Es => "Algo salió mal. Vuelva a intentarlo.",
        };
        match e.title() {
            _ if *e == ApiError::Network => self.t(Key::NetworkError),
            Some(ErrorTitle::SessionTimeout) => self.t(Key::SessionExpired),
            Some(ErrorTitle::Unauthorized) => self.t(Key::MissingCredential),
            Some(ErrorTitle::SessionAlreadyProcessed) => self.t(Key::SessionClosed),
            Some(ErrorTitle::PaymentError) => {
                self.decline(&e.data_str("code").unwrap_or_default(), e.data_str("declineCode").as_deref())
            }
            Some(
                ErrorTitle::InvalidRequest
                | ErrorTitle::Forbidden
                | ErrorTitle::MerchantNotFound
                | ErrorTitle::NotFound
                | ErrorTitle::RequestInProgress
                | ErrorTitle::UnprocessableEntity
                | ErrorTitle::IdempotencyKeyReused
                | ErrorTitle::TooManyRequests
                | ErrorTitle::InternalError
                | ErrorTitle::ServiceUnavailable,
            )
            | None => other,
        }
    }

    /// What a device wallet's payment costs (`wallet`: "Google Pay"), said before the payer opens
    /// the sheet.
    pub fn wallet_note(self, wallet: &str, total: &str, fee: &str) -> String {
        match self {
            Locale::En => format!("{wallet} total {total}, including a {fee} convenience fee."),
            Locale::Es => format!("Total con {wallet}: {total}, incluido un cargo por servicio de {fee}."),
        }
    }

    /// "Pay $12.34" / "Pagar 12,34 $".
    pub fn pay_label(self, total: &str) -> String {
        format!("{} {total}", self.t(Key::Pay))
    }
}

impl Locale {
    /// The debit authorization the payer accepts before a bank payment.
    pub fn mandate(self, merchant: &str, total: &str) -> String {
        match self {
            Locale::En => format!(
                "I authorize {merchant} to debit {total} from this bank account once, electronically, and to credit it if an error is made."
            ),
            Locale::Es => format!(
                "Autorizo a {merchant} a debitar {total} de esta cuenta bancaria una sola vez, por vía electrónica, y a abonarla si se comete un error."
            ),
        }
    }
}

impl Locale {
    /// The standing debit authorization a payer accepts before saving a bank account.
    pub fn mandate_save(self, merchant: &str) -> String {
        match self {
            Locale::En => format!(
                "I authorize {merchant} to debit this bank account electronically for payments I approve, and to credit it if an error is made."
            ),
            Locale::Es => format!(
                "Autorizo a {merchant} a debitar esta cuenta bancaria por vía electrónica para los pagos que apruebe, y a abonarla si se comete un error."
            ),
        }
    }
}
