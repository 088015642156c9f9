-- The background worker polls every second for orphaned claims, payments awaiting the processor
-- and due webhooks. Partial indexes keep each poll proportional to the work waiting, not to the
-- number of sessions, payments or events ever stored (see the plans test and docs/PERFORMANCE.md).

CREATE INDEX sessions_claimed ON sessions (updated_at) WHERE state = 'PAYMENT_PENDING';
CREATE INDEX payments_awaiting ON payments (created_at) WHERE status = 'PENDING';

-- Undelivered events per merchant: merchants without a webhook URL keep their events (history)
-- without the worker reading them on every poll.
DROP INDEX webhook_events_due;
CREATE INDEX webhook_events_undelivered ON webhook_events (merchant_id, next_attempt_at) WHERE delivered_at IS NULL;
