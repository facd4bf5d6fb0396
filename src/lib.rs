//! fundpool: a double-entry ledger for city-level pooling (市级统筹, 统收统支) of China's basic
//! medical insurance funds.
//!
//! Data flows one way: files and commands → events → vouchers → store → reports. The pure
//! core (`money`, `domain`) never touches a file, the clock, the terminal or the database;
//! `store` alone speaks SQLite; `cli` alone reads the environment and writes to the terminal.

pub mod app;
pub mod calendar;
pub mod cli;
pub mod domain;
pub mod import;
pub mod money;
pub mod plan;
pub mod policy;
pub mod posting;
pub mod reconcile;
pub mod render;
pub mod scenario;
pub mod server;
pub mod statements;
pub mod store;
pub mod turns;
