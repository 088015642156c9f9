-- After the charge (issue #20): pre-authorization, capture, void, refunds.
--   authorized_amount  what the processor approved (a hold, or a sale's charge); less than total
--                      only for a partial approval
--   captured_amount    what was taken: the approved amount for a sale, the capture's for a hold
--   refund_reserved    refunds claimed or succeeded, minor units; a refund is claimed only while
--                      captured_amount - refund_reserved covers it (one guarded UPDATE, so
--                      concurrent refunds never exceed the captured amount); a failed or released
--                      refund gives its amount back
--   hold_expires_at    an AUTHORIZED payment's hold is voided by the worker after this
ALTER TABLE payments ADD COLUMN authorized_amount BIGINT;
ALTER TABLE payments ADD COLUMN captured_amount BIGINT;
ALTER TABLE payments ADD COLUMN refund_reserved BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN hold_expires_at BIGINT;
UPDATE payments SET authorized_amount = total, captured_amount = total WHERE status = 'COMPLETED';

-- Captures, voids and refunds: each claimed PENDING before the processor is called (under
-- processor_key, which the processor deduplicates by), then recorded SUCCEEDED or FAILED with the
-- answer stored for its Idempotency-Key; the worker finishes or releases one a crash orphaned.
CREATE TABLE payment_operations (
    id               TEXT PRIMARY KEY,
    payment_id       TEXT NOT NULL REFERENCES payments(id),
    merchant_id      TEXT NOT NULL REFERENCES merchants(id),
    kind             TEXT NOT NULL,
    amount           BIGINT NOT NULL,
    status           TEXT NOT NULL,
    reason           TEXT,
    processor_key    TEXT NOT NULL,
    processor_ref    TEXT,
    idem_key         TEXT,
    fingerprint      TEXT,
    response_status  BIGINT,
    response_body    TEXT,
    error_code       TEXT,
    error_message    TEXT,
    awaiting_processor BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
-- One operation per key and payment (NULL keys, a worker's void, never collide).
CREATE UNIQUE INDEX payment_operations_key ON payment_operations (payment_id, idem_key);
-- A hold is captured or voided once: one live (not failed) CAPTURE or VOID per payment.
CREATE UNIQUE INDEX payment_operations_settle ON payment_operations (payment_id)
    WHERE kind IN ('CAPTURE', 'VOID') AND status <> 'FAILED';
CREATE INDEX payment_operations_payment ON payment_operations (payment_id, created_at);
CREATE INDEX payment_operations_pending ON payment_operations (updated_at) WHERE status = 'PENDING';
CREATE INDEX payments_holds ON payments (hold_expires_at) WHERE status = 'AUTHORIZED';
