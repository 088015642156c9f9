-- A card saved to a wallet after it passed a 3-D Secure challenge is flagged as authenticated
-- (issue #23), as the merchant's view of the method shows.
ALTER TABLE payment_methods ADD COLUMN authenticated BIGINT NOT NULL DEFAULT 0;
