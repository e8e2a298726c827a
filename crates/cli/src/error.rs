//! Errors and exit codes: 0 ok, 1 runtime failure, 2 bad usage or input. Every error is one
//! line on stderr.

use std::process::ExitCode;

/// A failure that ends the command.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Bad usage or input: exit code 2.
    Usage(String),
    /// The command could not do its work: exit code 1.
    Runtime(String),
}

impl CliError {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CliError::Usage(message.into())
    }

    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        CliError::Runtime(message.into())
    }

    /// An engine error: bad configuration is usage (2), anything at run time is 1.
    pub(crate) fn engine(err: wellspring_core::engine::EngineError) -> Self {
        if err.is_usage() {
            CliError::Usage(err.to_string())
        } else {
            CliError::Runtime(err.to_string())
        }
    }

    /// Prints the one-line message and returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        let (message, code) = match self {
            CliError::Usage(m) => (m, 2),
            CliError::Runtime(m) => (m, 1),
        };
        let one_line = message.lines().collect::<Vec<_>>().join(" ");
        eprintln!("wellspring: error: {one_line}");
        ExitCode::from(code)
    }
}

impl From<wellspring_core::registry::SelectError> for CliError {
    fn from(err: wellspring_core::registry::SelectError) -> Self {
        CliError::Usage(err.to_string())
    }
}

/// Help and version go to stdout with exit 0; parse errors become one line and exit 2.
pub(crate) fn report_clap(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            CliError::usage(first.to_owned()).report()
        }
    }
}

pub(crate) type CliResult<T = ()> = Result<T, CliError>;
