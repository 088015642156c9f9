-- Merchants, fee schedules, sessions, quotes, payments and idempotency keys.
-- Portable types only (TEXT, BIGINT): the same queries run on SQLite and PostgreSQL.
-- Timestamps are unix milliseconds. Card numbers and CVCs have no column anywhere.

CREATE TABLE merchants (
    id               TEXT PRIMARY KEY,
    display_name     TEXT NOT NULL,
    api_key_hash     TEXT NOT NULL,
    allowed_origins  TEXT NOT NULL DEFAULT '',
    webhook_url      TEXT,
    webhook_secret   TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);

CREATE TABLE fee_schedules (
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    method       TEXT NOT NULL,
    funding      TEXT NOT NULL DEFAULT '',
    percent_bps  BIGINT NOT NULL,
    fixed_minor  BIGINT NOT NULL,
    min_minor    BIGINT NOT NULL,
    max_minor    BIGINT,
    PRIMARY KEY (merchant_id, method, funding)
);

CREATE TABLE sessions (
    id                       TEXT PRIMARY KEY,
    merchant_id              TEXT NOT NULL REFERENCES merchants(id),
    dialect                  TEXT NOT NULL,
    mode                     TEXT NOT NULL,
    state                    TEXT NOT NULL,
    secret_hash              TEXT NOT NULL,
    amount                   BIGINT,
    currency                 TEXT NOT NULL,
    amount_version           BIGINT NOT NULL DEFAULT 1,
    merchant_transaction_id  TEXT,
    customer_json            TEXT NOT NULL,
    config_json              TEXT NOT NULL,
    payment_json             TEXT NOT NULL,
    payment_id               TEXT,
    payment_method_id        TEXT,
    attempts                 BIGINT NOT NULL DEFAULT 0,
    expires_at               BIGINT NOT NULL,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);
CREATE UNIQUE INDEX sessions_merchant_txn ON sessions (merchant_id, merchant_transaction_id);

CREATE TABLE fee_quotes (
    id                 TEXT PRIMARY KEY,
    session_id         TEXT NOT NULL REFERENCES sessions(id),
    method             TEXT NOT NULL,
    brand              TEXT,
    funding            TEXT,
    payment_method_id  TEXT,
    amount             BIGINT NOT NULL,
    fee                BIGINT NOT NULL,
    total              BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    amount_version     BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX fee_quotes_session ON fee_quotes (session_id);

CREATE TABLE payments (
    id                       TEXT PRIMARY KEY,
    merchant_id              TEXT NOT NULL REFERENCES merchants(id),
    session_id               TEXT REFERENCES sessions(id),
    merchant_transaction_id  TEXT NOT NULL,
    attempt                  BIGINT NOT NULL,
    amount                   BIGINT NOT NULL,
    fee                      BIGINT NOT NULL,
    total                    BIGINT NOT NULL,
    currency                 TEXT NOT NULL,
    status                   TEXT NOT NULL,
    method_type              TEXT NOT NULL,
    brand                    TEXT,
    last4                    TEXT NOT NULL,
    funding                  TEXT,
    payment_method_id        TEXT,
    processor_ref            TEXT,
    error_code               TEXT,
    decline_code             TEXT,
    error_message            TEXT,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    UNIQUE (merchant_id, merchant_transaction_id, attempt)
);
CREATE INDEX payments_session ON payments (session_id);

CREATE TABLE idempotency_keys (
    session_id       TEXT NOT NULL,
    idem_key         TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    response_status  BIGINT,
    response_body    TEXT,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (session_id, idem_key)
);
