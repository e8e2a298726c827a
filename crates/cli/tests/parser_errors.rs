//! Mistakes in the flags and arguments, as the argument parser (clap) reports them: the whole
//! message as clap renders it (what is wrong, then the missing argument, the valid values or
//! a similar name, the usage line for a missing or unknown argument, and "For more
//! information, try '--help'"), exit code 2, for every subcommand `wellspring --help` lists.
//! `--help` and `--version` still print on stdout and exit 0. Errors the program finds itself
//! stay one line (tests/cli.rs).

mod common;

use common::{report, wellspring};

/// The subcommands `wellspring --help` lists, `help` included.
fn subcommands() -> Vec<String> {
    let out = wellspring(&["--help"]);
    assert_eq!(out.status.code(), Some(0), "--help: {}", report(&out));
    let help = String::from_utf8(out.stdout.clone())
        .unwrap_or_else(|e| panic!("--help is not UTF-8 ({e}): {}", report(&out)));
    let (_, commands) = help
        .split_once("Commands:\n")
        .unwrap_or_else(|| panic!("no Commands: section in --help:\n{help}"));
    let names: Vec<String> = commands
        .lines()
        .take_while(|line| !line.trim().is_empty())
        // A name is indented two spaces; a wrapped description much further.
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .map(|line| line.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert!(names.len() >= 16, "{names:?} from:\n{help}");
    names
}

/// Runs `args` and requires a parser error: exit 2, nothing on stdout, and clap's whole
/// message on stderr (more than one line, ending with the pointer to `--help`; a rejected
/// value has no usage line). Returns stderr.
fn parser_error(args: &[&str]) -> String {
    let out = wellspring(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
    assert!(out.stdout.is_empty(), "{args:?}: {}", report(&out));
    let stderr = String::from_utf8(out.stderr.clone())
        .unwrap_or_else(|e| panic!("{args:?}: stderr is not UTF-8 ({e}): {}", report(&out)));
    assert!(
        stderr.starts_with("error: ") && stderr.trim_end().lines().count() > 1,
        "{args:?}: clap's whole message: {}",
        report(&out)
    );
    assert!(
        stderr.contains("For more information, try '--help'"),
        "{args:?}: the pointer to --help: {}",
        report(&out)
    );
    stderr
}

/// Per subcommand, a mistake and what its error must say (the parts the first line lacks).
const MISTAKES: &[(&str, &[&str], &[&str])] = &[
    (
        "scan",
        &["scan", "--jsn"],
        &["--jsn", "similar argument", "--json"],
    ),
    ("probe", &["probe"], &["required", "<SOURCE>"]),
    (
        "stream",
        &["stream", "--format", "base65"],
        &["base65", "raw", "hex", "base64"],
    ),
    (
        "pool",
        &["pool", "--second", "5"],
        &["similar argument", "--seconds"],
    ),
    (
        "feed-kernel",
        &["feed-kernel", "--count", "0"],
        &["--count", "at least 1"],
    ),
    ("device", &["device"], &["required", "<PATH>"]),
    (
        "monitor",
        &["monitor", "--refesh", "1"],
        &["similar argument", "--refresh"],
    ),
    (
        "bench",
        &["bench", "--sample", "100"],
        &["similar argument", "--samples"],
    ),
    (
        "completions",
        &["completions", "tcsh"],
        &["tcsh", "bash", "zsh", "fish"],
    ),
    (
        "server",
        &["server", "--prot", "9000"],
        &["similar argument", "--port"],
    ),
    ("assess", &["assess"], &["required", "<FILE>"]),
    (
        "report",
        &["report", "--input-format", "octal"],
        &["octal", "bytes", "ascii"],
    ),
    ("record", &["record"], &["required", "--sources"]),
    ("sessions", &["sessions", "show"], &["required", "<ID>"]),
    (
        "analyze",
        &["analyze", "--window", "4"],
        &["similar argument", "--windows"],
    ),
    ("compare", &["compare"], &["required", "<A>", "<B>"]),
    (
        "help",
        &["help", "strem"],
        &["unrecognized subcommand 'strem'", "Usage: wellspring"],
    ),
];

#[test]
fn every_subcommand_reports_the_helpful_part_of_a_mistake() {
    for sub in subcommands() {
        let Some((_, args, wanted)) = MISTAKES.iter().find(|(name, _, _)| *name == sub) else {
            panic!("no mistake listed for `wellspring {sub}`: add one to MISTAKES");
        };
        let stderr = parser_error(args);
        for text in *wanted {
            assert!(
                stderr.contains(text),
                "{args:?}: wanted {text:?} in:\n{stderr}"
            );
        }
    }
}

#[test]
fn an_unknown_flag_shows_the_usage_for_every_subcommand() {
    for sub in subcommands() {
        let stderr = parser_error(&[&sub, "--no-such-flag"]);
        assert!(
            stderr.contains("--no-such-flag") && stderr.contains("Usage:"),
            "{sub}:\n{stderr}"
        );
    }
}

#[test]
fn a_missing_source_is_named() {
    let stderr = parser_error(&["probe"]);
    assert!(
        stderr.contains("the following required arguments were not provided")
            && stderr.contains("<SOURCE>"),
        "{stderr}"
    );
    assert!(stderr.contains("Usage: wellspring probe"), "{stderr}");
}

#[test]
fn a_mistyped_subcommand_suggests_the_right_one() {
    let stderr = parser_error(&["strem"]);
    assert!(
        stderr.contains("unrecognized subcommand 'strem'")
            && stderr.contains("tip: a similar subcommand exists: 'stream'")
            && stderr.contains("Usage: wellspring"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_format_lists_the_formats() {
    let stderr = parser_error(&["stream", "--format", "base65"]);
    assert!(
        stderr.contains("possible values")
            && ["raw", "hex", "base64"].iter().all(|f| stderr.contains(f)),
        "{stderr}"
    );
}

#[test]
fn a_negative_number_is_an_invalid_value_not_an_unknown_argument() {
    let stderr = parser_error(&["stream", "--bytes", "-5"]);
    assert!(
        stderr.contains("-5") && stderr.contains("--bytes") && stderr.contains("not a byte count"),
        "{stderr}"
    );
    // Every numeric flag: the value is wrong, not the flag.
    for args in [
        &["stream", "--rate", "-5"][..],
        &["probe", "clock_jitter", "--samples", "-5"],
        &["pool", "--seconds", "-1"],
        &["feed-kernel", "--count", "-1"],
        &["monitor", "--refresh", "-1"],
        &["server", "--port", "-1"],
        &["report", "--streams", "-2"],
        &["analyze", "--windows", "-3"],
        &["--cpu-budget", "-1", "pool"],
    ] {
        let stderr = parser_error(args);
        assert!(
            stderr.contains("invalid value") && !stderr.contains("unexpected argument"),
            "{args:?}:\n{stderr}"
        );
    }
}

#[test]
fn an_unknown_shell_lists_the_shells() {
    let stderr = parser_error(&["completions", "tcsh"]);
    for shell in ["bash", "elvish", "fish", "powershell", "zsh"] {
        assert!(stderr.contains(shell), "{shell}:\n{stderr}");
    }
}

#[test]
fn a_zero_rate_or_count_says_what_is_valid_in_words() {
    for args in [
        &["stream", "--rate", "0"][..],
        &["stream", "--rate", "fast"],
        &["feed-kernel", "--count", "0"],
    ] {
        let stderr = parser_error(args);
        assert!(
            stderr.contains("must be at least 1") && !stderr.contains("18446744073709551615"),
            "{args:?}:\n{stderr}"
        );
    }
    let stderr = parser_error(&["stream", "--rate", "0"]);
    assert!(stderr.contains("a rate must be at least 1"), "{stderr}");
}

#[test]
fn help_and_version_still_go_to_stdout_with_exit_0() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["--version"],
        &["-V"],
        &["stream", "--help"],
        &["help", "stream"],
        &["sessions", "show", "--help"],
    ] {
        let out = wellspring(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", report(&out));
        assert!(
            !out.stdout.is_empty() && out.stderr.is_empty(),
            "{args:?}: {}",
            report(&out)
        );
    }
}
