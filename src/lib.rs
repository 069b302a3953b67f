//! pgdrift: find what a PostgreSQL database holds that its git migrations do not declare,
//! and bring it back under git.
//!
//! The pipeline: `catalog` (production, read-only) and `history` (migration files) both
//! produce `model` objects; `production` reads production once; `drift` (static) and `diff`
//! (against a replay) compare; `plan`, `render` and `write` make files; `verify` replays;
//! `commands`, on top, run them; `progress` draws bars for their long phases.

pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod diff;
pub mod drift;
pub mod history;
pub mod inventory;
pub mod model;
pub mod plan;
pub mod production;
pub mod progress;
pub mod render;
pub mod report;
pub mod triage;
pub mod verify;
pub mod write;
