-- The processor's keyed fingerprint of the card a session payment used (issue #23's "declines per
-- card" risk signal): never the number, never reversible to it without the processor's key.
ALTER TABLE payments ADD COLUMN card_fingerprint TEXT;
CREATE INDEX payments_card_fingerprint ON payments (card_fingerprint, created_at);
