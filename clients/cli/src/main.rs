//! `hookrelay`: the REST API from a shell. Tables for people, `--json` for scripts, exit
//! codes scripts can test (see [`client::CliError::exit_code`]), and `tail` to watch a
//! webhook's deliveries as they happen.

mod client;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::client::Api;
use crate::commands::Cli;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let api = match Api::new(&cli.api_url, &cli.token) {
        Ok(api) => api,
        Err(e) => return fail(&e),
    };
    match commands::run(&api, cli.json, cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Prints the error with its causes and exits with its code.
fn fail(e: &client::CliError) -> ExitCode {
    let mut text = format!("error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("{text}");
    ExitCode::from(e.exit_code())
}
