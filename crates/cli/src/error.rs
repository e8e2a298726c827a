//! Errors and exit codes: 0 ok, 1 runtime failure, 2 bad usage or input. Every error the
//! program finds is one line on stderr; a mistake in the flags or arguments is reported by
//! clap, whole (several lines ending with the usage line).

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

/// Help and version go to stdout with exit 0. A parse error is printed whole, as clap renders
/// it: what is wrong, then what helps (the missing argument, the valid values, a similar
/// name), the usage line and the pointer to `--help`; exit 2, as for every usage error.
pub(crate) fn report_clap(err: clap::Error) -> ExitCode {
    // `print` writes help and version to stdout and everything else to stderr.
    let _ = err.print();
    if err.use_stderr() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) type CliResult<T = ()> = Result<T, CliError>;
