-- payments_merchant_txn (merchant_id, merchant_transaction_id) repeats the first two columns of
-- the unique index on (merchant_id, merchant_transaction_id, attempt), which serves the same
-- lookups (newest attempt first, tests/api/plans.rs). Every payment insert paid for both.
DROP INDEX payments_merchant_txn;
