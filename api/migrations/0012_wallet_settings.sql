-- A merchant's device-wallet settings (issue #18), set by the merchant API (PUT /v1/wallet-settings):
-- Google Pay's merchant id, gateway, gateway merchant id and environment; Apple Pay's merchant
-- identifier, display name and registered domains. JSON, validated before it is written; NULL:
-- the sandbox defaults (Google Pay TEST, gateway `govifi`, gateway merchant id = the merchant id).
-- Secrets (Apple Pay's merchant identity certificate and key) never live here: files named by
-- configuration.
ALTER TABLE merchants ADD COLUMN wallet_settings_json TEXT;
