-- Webhook outbox: events are written in the same transaction as the change they report, then
-- delivered by a background worker with retries and exponential backoff (at least once, same id).

CREATE TABLE webhook_events (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants(id),
    event_type       TEXT NOT NULL,
    body             TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    delivered_at     BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX webhook_events_due ON webhook_events (delivered_at, next_attempt_at);
