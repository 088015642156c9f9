-- Strong customer authentication (3-D Secure, issue #23).
-- challenges: one per (session, Idempotency-Key) that needed the payer to authenticate. A confirm
-- that needs it answers `requiresAction` with the challenge and charges nothing; the sandbox's
-- challenge page (the issuer's stand-in) records the payer's answer (acs_result), the widget
-- completes the challenge (status APPROVED or FAILED, once), and the same confirm, with the same
-- key, then charges or declines. A challenge not completed by expires_at leaves the session payable.
CREATE TABLE challenges (
    id           TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions(id),
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       TEXT NOT NULL,
    acs_result   TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE UNIQUE INDEX challenges_session_key ON challenges (session_id, idem_key);
-- The authentication outcome each payment carries: frictionless, challenged, not_required or
-- unavailable; the protocol version and the ECI-like result.
ALTER TABLE payments ADD COLUMN auth_outcome TEXT;
ALTER TABLE payments ADD COLUMN auth_version TEXT;
ALTER TABLE payments ADD COLUMN auth_eci TEXT;
