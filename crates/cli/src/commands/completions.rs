//! `wellspring completions <shell>`: completion scripts generated from the flag definitions.

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::error::CliResult;

pub(crate) fn run(args: CompletionsArgs) -> CliResult {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "wellspring",
        &mut std::io::stdout(),
    );
    Ok(())
}
