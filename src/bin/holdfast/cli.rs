//! The command line: `holdfast serve` (the default) and `holdfast loadtest`. The server's own
//! flags live in the library (`holdfast::config::ServeArgs`), beside the configuration they
//! fill; the load generator is the binary's alone, so its HTTP client never reaches the
//! server library.

use clap::{Parser, Subcommand};
use holdfast::config::ServeArgs;

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "holdfast", version, about = "A seat reservation engine")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to run; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The flags of `serve`, for when the subcommand is omitted.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    Serve(ServeArgs),
    /// Drive a running server with an on-sale workload and report throughput and latency.
    Loadtest(crate::loadtest::LoadtestArgs),
}
