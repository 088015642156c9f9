-- One money path (issue #17). Every payment attempt, a session's confirm or POST /v2/payments,
-- is inserted PENDING when it is claimed, before the processor is called, and recorded by one
-- function; the worker finishes or releases PENDING attempts the same way for both.
--   processor_key       the key the processor deduplicates the attempt's charge by
--   idem_key            a session attempt's Idempotency-Key (its answer is stored under it)
--   awaiting_processor  1 once the processor missed its deadline (the worker fetches the answer)
ALTER TABLE payments ADD COLUMN processor_key TEXT;
ALTER TABLE payments ADD COLUMN idem_key TEXT;
ALTER TABLE payments ADD COLUMN awaiting_processor BIGINT NOT NULL DEFAULT 0;

-- Attempts already awaiting the processor kept their key as processor_ref = 'awaiting:<key>'
-- (a session's key is '<session id>:<Idempotency-Key>').
UPDATE payments SET awaiting_processor = 1, processor_key = substr(processor_ref, 10),
    idem_key = CASE WHEN session_id IS NULL THEN NULL ELSE substr(processor_ref, 10 + length(session_id) + 1) END,
    processor_ref = NULL
  WHERE status = 'PENDING' AND processor_ref LIKE 'awaiting:%';
-- Direct attempts claimed before this version charged under their payment id.
UPDATE payments SET processor_key = id WHERE status = 'PENDING' AND session_id IS NULL AND processor_key IS NULL;

-- Session claims an earlier version left without a payment row (a crash between claim and
-- record): released, as that version's worker would have, so the payer's retry with the same
-- key charges once (the processor deduplicates by '<session>:<key>').
DELETE FROM idempotency_keys WHERE response_status IS NULL AND session_id IN (
    SELECT s.id FROM sessions s WHERE s.state = 'PAYMENT_PENDING'
      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.session_id = s.id AND p.attempt = s.attempts));
UPDATE sessions SET state = 'INITIALIZED', attempts = attempts - 1, claim_json = NULL
  WHERE state = 'PAYMENT_PENDING'
    AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.session_id = sessions.id AND p.attempt = sessions.attempts);

-- Every merchantTransactionId belongs to one checkout session or to direct payments, never both:
-- a session refused at create instead of a payment refused after its charge.
CREATE TABLE merchant_transactions (
    merchant_id              TEXT NOT NULL REFERENCES merchants(id),
    merchant_transaction_id  TEXT NOT NULL,
    session_id               TEXT REFERENCES sessions(id),
    created_at               BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, merchant_transaction_id)
);
INSERT INTO merchant_transactions (merchant_id, merchant_transaction_id, session_id, created_at)
  SELECT merchant_id, COALESCE(merchant_transaction_id, id), id, created_at FROM sessions WHERE 1 = 1
  ON CONFLICT (merchant_id, merchant_transaction_id) DO NOTHING;
INSERT INTO merchant_transactions (merchant_id, merchant_transaction_id, session_id, created_at)
  SELECT merchant_id, merchant_transaction_id, NULL, MIN(created_at) FROM payments WHERE session_id IS NULL
  GROUP BY merchant_id, merchant_transaction_id
  ON CONFLICT (merchant_id, merchant_transaction_id) DO NOTHING;
