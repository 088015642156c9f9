//! Pure card-form logic: what the payer typed, what is wrong with it, and the request it makes.
//! No DOM here, so `tests/` exercises it natively.

use checkout_types::confirm::{BankInput, CardInput};
use checkout_types::session::AvsField;
use checkout_types::validate::bank::{check_account_number, check_routing_number};
use checkout_types::validate::card::{CardBrand, CardNumber, check_cvc, check_expiry, parse_expiry};
use checkout_types::validate::{FieldError, check_postal_code, digits_only};

/// The card form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardDraft {
    pub number: String,
    pub expiry: String,
    pub cvc: String,
    pub name: String,
    pub zip: String,
}

/// Which optional fields the session requires (its `requiredAvsFields`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requirements {
    pub zip: bool,
    pub name: bool,
}

impl Requirements {
    /// From the session's `requiredAvsFields` (`zip`, `cardholder`).
    pub fn from_avs(fields: &[AvsField]) -> Requirements {
        Requirements { zip: fields.contains(&AvsField::Zip), name: fields.contains(&AvsField::Cardholder) }
    }
}

/// One optional error per field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardErrors {
    pub number: Option<FieldError>,
    pub expiry: Option<FieldError>,
    pub cvc: Option<FieldError>,
    pub name: Option<FieldError>,
    pub zip: Option<FieldError>,
}

impl CardErrors {
    /// No field has an error.
    pub fn is_empty(&self) -> bool {
        *self == CardErrors::default()
    }
}

impl CardDraft {
    /// Network detected from what was typed so far.
    pub fn brand(&self) -> CardBrand {
        CardBrand::detect(&digits_only(&self.number))
    }

    /// Every field's problem, given today's (year, month).
    pub fn check(&self, today: (u16, u8), req: Requirements) -> CardErrors {
        let expiry = parse_expiry(&self.expiry).and_then(|(m, y)| check_expiry(m, y, today));
        let name = if req.name && self.name.trim().is_empty() { Err(FieldError::Required) } else { Ok(()) };
        let zip = if self.zip.trim().is_empty() && !req.zip { Ok(()) } else { check_postal_code(&self.zip) };
        CardErrors {
            number: CardNumber::try_from(self.number.as_str()).err(),
            expiry: expiry.err(),
            cvc: check_cvc(&self.cvc, self.brand()).err(),
            name: name.err(),
            zip: zip.err(),
        }
    }

    /// The confirm request's card, or the errors that prevent it.
    pub fn to_input(&self, today: (u16, u8), req: Requirements) -> Result<CardInput, CardErrors> {
        let errors = self.check(today, req);
        if !errors.is_empty() {
            return Err(errors);
        }
        let (exp_month, exp_year) = parse_expiry(&self.expiry).map_err(|_| errors)?;
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(CardInput {
            number: digits_only(&self.number),
            exp_month,
            exp_year,
            cvc: self.cvc.trim().to_owned(),
            name_on_card: opt(&self.name),
            zip_code: opt(&self.zip),
        })
    }
}

/// The bank-account form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankDraft {
    pub routing: String,
    pub account: String,
    pub account_confirm: String,
    /// `checking` or `savings`.
    pub account_type: String,
    pub holder: String,
    /// The payer accepted the debit authorization.
    pub mandate: bool,
}

impl Default for BankDraft {
    fn default() -> Self {
        BankDraft {
            routing: String::new(),
            account: String::new(),
            account_confirm: String::new(),
            account_type: "checking".to_owned(),
            holder: String::new(),
            mandate: false,
        }
    }
}

/// One optional error per bank field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BankErrors {
    pub routing: Option<FieldError>,
    pub account: Option<FieldError>,
    pub account_confirm: Option<FieldError>,
    pub holder: Option<FieldError>,
    pub mandate: Option<FieldError>,
}

impl BankErrors {
    /// No field has an error.
    pub fn is_empty(&self) -> bool {
        *self == BankErrors::default()
    }
}

impl BankDraft {
    /// Every field's problem: ABA checksum, 4-17 digit account entered twice alike, a holder,
    /// and the accepted authorization.
    pub fn check(&self) -> BankErrors {
        let account = check_account_number(&self.account);
        let confirm = if self.account_confirm.trim().is_empty() {
            Err(FieldError::Required)
        } else if digits_only(&self.account_confirm) != digits_only(&self.account) {
            Err(FieldError::AccountNumberMismatch)
        } else {
            Ok(())
        };
        BankErrors {
            routing: check_routing_number(&self.routing).err(),
            account: account.err(),
            account_confirm: confirm.err(),
            holder: self.holder.trim().is_empty().then_some(FieldError::Required),
            mandate: (!self.mandate).then_some(FieldError::Required),
        }
    }

    /// The confirm request's bank account, or the errors that prevent it.
    pub fn to_input(&self) -> Result<BankInput, BankErrors> {
        let errors = self.check();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(BankInput {
            routing_number: digits_only(&self.routing),
            account_number: digits_only(&self.account),
            account_type: self.account_type.clone(),
            account_holder_name: self.holder.trim().to_owned(),
        })
    }
}
