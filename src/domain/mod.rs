//! The accounting model, pure: identifiers, the chart of accounts, the city configuration,
//! vouchers and their validation, the trial-balance fold and the hash chain. Nothing here
//! touches a file, a clock, the terminal or the database.

pub mod access;
pub mod balance;
pub mod chain;
pub mod chart;
pub mod city;
pub mod identity;
pub mod ids;
pub mod records;
pub mod rejection;
pub mod rules;
pub mod seal;
pub mod search;
pub mod voucher;
