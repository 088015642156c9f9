-- Agent-assisted channels (TEXT, EMAIL): the link each payer is to be sent, kept in an outbox
-- the merchant can read (status QUEUED; sent_at for a sender that records delivery).
CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    link        TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT
);
CREATE INDEX notifications_session ON notifications (session_id);
CREATE INDEX notifications_status ON notifications (status);
