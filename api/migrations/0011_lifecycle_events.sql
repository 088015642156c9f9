-- Lifecycle events and webhook dead letters (issue #20).
-- Open sessions past their TTL are ended by the worker (TIMED_OUT + CHECKOUT_SESSION_EXPIRED in
-- one write); this keeps its poll proportional to the sessions due, not to all ever stored.
CREATE INDEX sessions_open_expiry ON sessions (expires_at) WHERE state IN ('PENDING_INITIALIZATION', 'INITIALIZED');

-- An event the receiver refused for its whole retry window (3 days, or from a redelivery) is
-- failed: no longer retried, listed for its merchant, redeliverable.
--   failed_at    when it was given up (NULL: delivered, or still retried)
--   retry_until  the end of its retry window when redelivered (NULL: created_at + 3 days)
ALTER TABLE webhook_events ADD COLUMN failed_at BIGINT;
ALTER TABLE webhook_events ADD COLUMN retry_until BIGINT;
DROP INDEX webhook_events_undelivered;
CREATE INDEX webhook_events_undelivered ON webhook_events (merchant_id, next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_events_failed ON webhook_events (merchant_id, failed_at) WHERE failed_at IS NOT NULL;
