//! `holdfast serve` (the default) and `holdfast loadtest`: load configuration, start
//! logging, build the application, serve; or drive a running server.

mod cli;
mod loadtest;
mod loadtest_setup;
mod subscribers;

use std::sync::Arc;

use clap::Parser;
use cli::{Cli, Command};
use holdfast::actor::SystemClock;
use holdfast::config::ServeArgs;
use holdfast::startup::Application;

/// glibc's allocator spent about a fifth of the server's CPU under the on-sale load
/// (docs/BENCHMARKS.md); mimalloc's thread-local free lists suit the many short-lived
/// allocations of request handling.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Loadtest(args)) => loadtest::run(args).map(drop).map_err(Into::into),
        Some(Command::Serve(args)) => serve(&args),
        None => serve(&cli.serve),
    }
}

fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let config = holdfast::config::load(args)?;
    holdfast::telemetry::init();
    actix_web::rt::System::new().block_on(async move {
        let demo = config.demo;
        let app = Application::build(config, Arc::new(SystemClock)).await?;
        let address = app.address();
        if let Some(key) = app.generated_admin_key() {
            println!("admin key (shown once): {key}");
        }
        if demo {
            println!("try: curl 'http://{address}/performances/revue-1/availability?quantity=2'");
        }
        if let Some(key) = app.demo_widget_key() {
            println!(
                "seat-selection widget (key shown once): http://{address}/performances/revue-1/widget?key={key}"
            );
        }
        println!("listening on http://{address}");
        app.run_until_stopped().await?;
        Ok(())
    })
}
