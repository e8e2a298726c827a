//! `wellspring`: the command line. It parses flags and calls the libraries; nothing more.

mod args;
mod camera;
mod commands;
mod config;
mod engine;
mod error;
mod monitor;
mod output;
mod progress;
mod quality;
mod report;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return error::report_clap(err),
    };
    let config = match config::Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => return err.report(),
    };
    engine::set_assessment_cache(
        cli.assessment_cache
            .as_deref()
            .or(config.assessment_cache.as_deref()),
    );
    // The engine's flags: after the subcommand, or before it; only for the commands that
    // run the engine, which alone list them.
    let engine_flags = match cli.command.engine_flags() {
        Some(after) => cli.engine.clone().overridden_by(after),
        None => {
            if let Some(flag) = cli.engine.first_given() {
                return error::CliError::usage(format!(
                    "{flag} does nothing for this command: it is for the commands that run \
                     the engine ({})",
                    args::ENGINE_COMMANDS
                ))
                .report();
            }
            args::EngineFlags::default()
        }
    };
    let trust = engine_flags
        .trust_platform
        .clone()
        .or_else(|| config.trust_platform.clone())
        .unwrap_or_default();
    if let Err(err) = engine::set_trust_platform(trust) {
        return err.report();
    }
    for note in config.weakening_notes(engine_flags.trust_platform.is_some()) {
        eprintln!("{note}");
    }
    engine::set_max_family_share(config.max_family_share);
    engine::set_cpu_budget(engine_flags.cpu_budget.or(config.cpu_budget));
    if let Err(err) = camera::from_config_table(config.camera.as_ref()) {
        return err.report();
    }
    let result = match cli.command.with_config(&config) {
        Command::Scan(args) => commands::scan::run(args),
        Command::Probe(args) => commands::probe::run(args),
        Command::Stream(args) => commands::stream::run(args),
        Command::Pool(args) => commands::pool::run(args),
        Command::FeedKernel(args) => commands::feed_kernel::run(args),
        Command::Device(args) => commands::device::run(args),
        Command::Monitor(args) => monitor::run(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::Completions(args) => commands::completions::run(args),
        Command::Server(args) => commands::server::run(args),
        Command::Assess(args) => commands::assess::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Record(args) => commands::record::run(args),
        Command::Sessions(args) => commands::sessions::run(args),
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Compare(args) => commands::compare::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => err.report(),
    }
}
