-- Agent-assisted payment links (issue #19): the notifications outbox becomes the links an agent
-- sends by text or email, delivered by the worker with retries and a recorded outcome.
--   token_hash       SHA-256 of the link's own credential (`lk_...`, in the link's fragment):
--                    it lets the customer's browser use that one session while the link lives
--   attempts         deliveries tried; next_attempt_at: when the worker may try (or retry) next
--   last_error       why the last try failed (the provider's status, never a credential)
--   expires_at       the link's own lifetime (24 h by default), apart from the session's 15 minutes
--   opened_at        the customer's browser first loaded the session with it
--   paid_at          the session was paid (or the method saved) while this link was live
--   revoked_at       the agent sent a new one, or the session ended
-- Statuses: QUEUED, SENT, FAILED, OPENED, PAID, EXPIRED.
ALTER TABLE notifications ADD COLUMN token_hash TEXT;
ALTER TABLE notifications ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_attempt_at BIGINT;
ALTER TABLE notifications ADD COLUMN last_error TEXT;
ALTER TABLE notifications ADD COLUMN expires_at BIGINT;
ALTER TABLE notifications ADD COLUMN opened_at BIGINT;
ALTER TABLE notifications ADD COLUMN paid_at BIGINT;
ALTER TABLE notifications ADD COLUMN revoked_at BIGINT;
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE UNIQUE INDEX notifications_token ON notifications (token_hash);
