//! API integration tests: a real server on port 0, a fresh database per test (SQLite file by
//! default; `TEST_DATABASE=postgres` runs the same tests on PostgreSQL), real HTTP.

mod after_charge;
mod apple_pay;
mod authentication;
mod battery;
mod confirm;
mod helpers;
mod hosted;
mod lifecycle;
mod metrics;
mod migrations;
mod money_path;
mod links;
mod openapi;
mod payments_v2;
mod plans;
mod pool;
mod request_ids;
mod sessions;
mod wallet;
mod wallet_settings;
mod webhooks;
