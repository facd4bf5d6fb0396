//! End-to-end tests: the real `fundpool` binary on a temporary SQLite database.
//! Output is deterministic (fixed operator and FUNDPOOL_NOW), so snapshots need no redactions.

mod architecture;
mod bad_input;
mod browser;
mod cli_language;
mod demo;
mod events;
mod four_books;
mod integrity;
mod ledger;
mod plans;
mod readme;
mod reconcile;
mod rejections;
mod rules;
mod server;
mod staff_files;
mod support;
mod users;
mod year_end;
