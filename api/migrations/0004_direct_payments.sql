-- Payments created through POST /v2/payments (no checkout session) keep their request's
-- descriptive fields (description, metadata, customer identifiers) as JSON.
ALTER TABLE payments ADD COLUMN request_json TEXT;
CREATE INDEX payments_merchant_txn ON payments (merchant_id, merchant_transaction_id);
