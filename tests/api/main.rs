//! The API tests: one binary against the real application on port 0 (see `helpers.rs`).

mod access_table;
mod allocations;
mod archive;
mod baskets;
mod catalogue;
mod catalogue_changes;
mod catalogue_operations;
mod changes;
mod client_keys;
mod completions;
mod discount_codes;
mod errors;
mod geometry;
mod helpers;
mod history;
mod hold_caps;
mod holds;
mod idempotent_writes;
mod openapi;
mod overload;
mod payments;
mod refunds;
mod reports;
mod scans;
mod seat_stream;
mod snapshots;
mod storage;
mod ticket_pdfs;
mod ticket_types;
#[path = "../common/tmpfs.rs"]
mod tmpfs;
mod transactions;
mod widget_browser;
mod widget_keys;
