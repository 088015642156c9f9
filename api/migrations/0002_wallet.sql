-- Wallets: customers (per merchant, keyed by the merchant's identifier: hsid, enterpriseId,
-- customer_id) and their saved payment methods. A method holds a processor token plus what a
-- payer may see (brand, last four, expiry, name, ZIP); never a card number or CVC.

CREATE TABLE customers (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    external_id  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (merchant_id, external_id)
);

CREATE TABLE payment_methods (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    kind             TEXT NOT NULL,
    processor_token  TEXT NOT NULL,
    brand            TEXT,
    last4            TEXT NOT NULL,
    exp_month        BIGINT,
    exp_year         BIGINT,
    name_on_card     TEXT,
    zip_code         TEXT,
    account_type     TEXT,
    nickname         TEXT,
    is_default       BIGINT NOT NULL DEFAULT 0,
    status           TEXT NOT NULL DEFAULT 'ACTIVE',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id, status);

-- The wallet a session acts on (the merchant's customer identifier), if any.
ALTER TABLE sessions ADD COLUMN wallet_key TEXT;
