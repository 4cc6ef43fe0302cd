//! `holdfast serve`: load configuration, start logging, build the application, serve.

use std::sync::Arc;

use clap::Parser;
use holdfast::actor::SystemClock;
use holdfast::config::{Cli, Command};
use holdfast::http::Application;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
    };
    let config = holdfast::config::load(&args)?;
    holdfast::telemetry::init();
    let demo = config.demo;
    let app = Application::build(config, Arc::new(SystemClock)).await?;
    let address = app.address();
    if let Some(key) = app.generated_admin_key() {
        println!("admin key (shown once): {key}");
    }
    if demo {
        println!("try: curl 'http://{address}/performances/revue-1/availability?quantity=2'");
    }
    println!("listening on http://{address}");
    app.run_until_stopped().await?;
    Ok(())
}
