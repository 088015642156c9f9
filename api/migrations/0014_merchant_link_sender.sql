-- A merchant's default sender for payment-link emails (issue #19), set by
-- `checkout-api update-merchant --email-from`; a session's `config.senderEmailAddress` wins, and
-- without either the deployment's CHECKOUT_EMAIL_FROM is used.
ALTER TABLE merchants ADD COLUMN link_email_from TEXT;
