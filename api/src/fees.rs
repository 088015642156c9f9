//! The fee engine: a merchant's schedule per method (basis points + fixed, clamped to min/max).
//! Pure arithmetic first, the schedule lookup below it.

use checkout_types::quote::{Funding, PaymentMethodKind};
use sqlx::Row;

use crate::db::Db;

/// One row of a merchant's fee schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Percentage in basis points (295 = 2.95%).
    pub percent_bps: i64,
    /// Fixed part, in minor units.
    pub fixed_minor: i64,
    /// Floor, in minor units.
    pub min_minor: i64,
    /// Ceiling, in minor units, if any.
    pub max_minor: Option<i64>,
}

impl FeeSchedule {
    /// No fee at all.
    pub const FREE: FeeSchedule = FeeSchedule { percent_bps: 0, fixed_minor: 0, min_minor: 0, max_minor: None };

    /// `round_half_up(amount * bps / 10_000) + fixed`, clamped to `[min, max]`, never negative.
    pub fn fee_for(&self, amount: i64) -> i64 {
        let percent = (amount * self.percent_bps + 5_000) / 10_000;
        let mut fee = (percent + self.fixed_minor).max(self.min_minor);
        if let Some(max) = self.max_minor {
            fee = fee.min(max);
        }
        fee.max(0)
    }
}

/// The schedule that applies: the funding-specific row if one exists, else the method's row,
/// else no fee.
pub async fn schedule_for(
    db: &Db,
    merchant_id: &str,
    method: PaymentMethodKind,
    funding: Option<Funding>,
) -> Result<FeeSchedule, sqlx::Error> {
    let funding = match funding {
        Some(Funding::Credit) => "credit",
        Some(Funding::Debit) => "debit",
        None => "",
    };
    let rows = sqlx::query(
        "SELECT funding, percent_bps, fixed_minor, min_minor, max_minor FROM fee_schedules
         WHERE merchant_id = $1 AND method = $2 AND (funding = $3 OR funding = '')",
    )
    .bind(merchant_id)
    .bind(method.as_str())
    .bind(funding)
    .fetch_all(db)
    .await?;
    let mut best: Option<(bool, FeeSchedule)> = None;
    for r in rows {
        let specific = !r.try_get::<String, _>("funding")?.is_empty();
        let s = FeeSchedule {
            percent_bps: r.try_get("percent_bps")?,
            fixed_minor: r.try_get("fixed_minor")?,
            min_minor: r.try_get("min_minor")?,
            max_minor: r.try_get("max_minor")?,
        };
        if best.is_none_or(|(was_specific, _)| specific && !was_specific) {
            best = Some((specific, s));
        }
    }
    Ok(best.map_or(FeeSchedule::FREE, |(_, s)| s))
}

#[cfg(test)]
mod tests {
    use super::FeeSchedule;

    #[test]
    fn fee_arithmetic_table() {
        let card = FeeSchedule { percent_bps: 295, fixed_minor: 0, min_minor: 100, max_minor: None };
        let bank = FeeSchedule { percent_bps: 0, fixed_minor: 150, min_minor: 0, max_minor: None };
        let capped = FeeSchedule { percent_bps: 300, fixed_minor: 30, min_minor: 0, max_minor: Some(5_000) };
        let cases = [
            (card, 1_500, 100),         // 44.25 -> floor to the 1.00 minimum
            (card, 10_000, 295),        // 2.95% of $100
            (card, 14_227, 420),        // 419.70 rounds half up to 420
            (card, 100_000_000, 2_950_000),
            (bank, 14_227, 150),
            (capped, 1_000, 60),        // 30 + 30
            (capped, 10_000_000, 5_000),
            (FeeSchedule::FREE, 5_000, 0),
        ];
        for (s, amount, want) in cases {
            assert_eq!(s.fee_for(amount), want, "{s:?} on {amount}");
        }
    }

    #[test]
    fn half_cent_rounds_up() {
        let s = FeeSchedule { percent_bps: 50, fixed_minor: 0, min_minor: 0, max_minor: None };
        assert_eq!(s.fee_for(100), 1); // 0.5 -> 1
        assert_eq!(s.fee_for(99), 0); // 0.495 -> 0
    }
}
