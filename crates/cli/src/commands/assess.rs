//! `wellspring assess`: SP 800-90B min-entropy assessment (NIST SP 800-90B §6.3 non-IID
//! estimators, optionally the §5 IID tests) of a sample file or of one source's samples.
//! The JSON shape is the `assess --json` contract of docs/JSON.md.
//!
//! With `--restart` the file is a restart matrix (SP 800-90B §3.1.4: 1,000 restarts ×
//! 1,000 samples, restart i's samples consecutive) and the command is NIST's `ea_restart`:
//! the sanity check against `--h-initial`, then the estimators on the row and column
//! datasets, printed as `{"restart": {...}}` whose `rows` and `columns` are `assess`
//! documents. A failed sanity check or validation is a verdict (exit 0, `h_validated`
//! null), not an error.

use std::sync::Mutex;

use indicatif::ProgressBar;
use wellspring_assess::sp800_90b::restart::{RestartOptions, RestartReport, assess_restart};
use wellspring_assess::sp800_90b::{AssessError, AssessOptions, AssessReport, assess};

use crate::args::AssessArgs;
use crate::error::{CliError, CliResult};
use crate::output::print_json;

/// The restart-test flags of `assess` (flattened into [`AssessArgs`]).
#[derive(Debug, clap::Args)]
pub(crate) struct RestartArgs {
    /// Restart test (SP 800-90B §3.1.4, NIST's `ea_restart`): FILE holds 1,000 restarts of
    /// 1,000 samples each, restart after restart; needs --h-initial. Non-IID estimators by
    /// default, the Most Common Value estimate only with --iid.
    #[arg(long, conflicts_with_all = ["source", "truncate_bitstring"])]
    pub(crate) restart: bool,
    /// The initial entropy estimate H_I, bits per sample, that --restart validates.
    #[arg(long, value_name = "H", allow_negative_numbers = true)]
    pub(crate) h_initial: Option<f64>,
}

/// The `--json` document of `assess --restart`.
#[derive(serde::Serialize)]
struct RestartDocument<'a> {
    restart: &'a RestartReport,
}

pub(crate) fn run(args: AssessArgs) -> CliResult {
    if args.restart.restart {
        return run_restart(&args);
    }
    if args.restart.h_initial.is_some() {
        return Err(CliError::usage("--h-initial is for --restart"));
    }
    let samples = match (&args.file, &args.source) {
        (Some(path), _) => std::fs::read(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?,
        (None, Some(name)) => crate::camera::collect_from(name, args.samples as usize)?,
        (None, None) => return Err(CliError::usage("give a sample file or --source NAME")),
    };
    let bar = crate::progress::stages("assessing");
    let shown = Shown::default();
    let progress = |stage: &str, fraction: f64| {
        if let Some(bar) = &bar {
            shown.update(bar, stage, fraction);
        }
    };
    let opts = AssessOptions {
        bits_per_sample: args.bits_per_sample,
        iid: args.iid,
        truncate_bitstring: args.truncate_bitstring,
        seed: args.seed,
        progress: Some(&progress),
        parallel: true,
    };
    let result = assess(&samples, &opts);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    // Every assessment error is about the input (empty, too wide, too short, too large).
    let report = result.map_err(|e: AssessError| CliError::usage(e.to_string()))?;
    if args.json {
        return print_json(&report);
    }
    print_text(&report);
    Ok(())
}

/// The two phases of an assessment, each shown from 0 to 100% with its own time estimate:
/// the estimators, then (with `--iid`) the permutation tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Estimators,
    Permutation,
}

impl Phase {
    /// The phase a progress report of `assess` (its stage name) belongs to.
    fn of(stage: &str) -> Phase {
        if stage.starts_with("permutation") {
            Phase::Permutation
        } else {
            Phase::Estimators
        }
    }

    /// The bar's message for a report of this phase at `stage`.
    fn message(self, stage: &str) -> String {
        match self {
            Phase::Estimators => format!("estimators ({stage})"),
            Phase::Permutation => "IID permutation tests".to_owned(),
        }
    }
}

/// What the bar shows: the phase and how far it is, in per mille. Reports come from worker
/// threads, out of order; within a phase the bar only moves forward.
#[derive(Debug, Default)]
struct Shown(Mutex<Option<(Phase, u64)>>);

impl Shown {
    /// Takes a report; returns the phase's message, the bar's position and whether a new
    /// phase began (its clock for the estimate starts again), or `None` when the report is
    /// behind what is shown.
    fn next(&self, stage: &str, fraction: f64) -> Option<(String, u64, bool)> {
        let phase = Phase::of(stage);
        let per_mille = (fraction.clamp(0.0, 1.0) * 1000.0).round() as u64;
        let mut shown = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let new_phase = shown.is_none_or(|(p, _)| p != phase);
        if !new_phase && shown.is_some_and(|(_, at)| per_mille < at) {
            return None;
        }
        *shown = Some((phase, per_mille));
        Some((phase.message(stage), per_mille, new_phase))
    }

    fn update(&self, bar: &ProgressBar, stage: &str, fraction: f64) {
        let Some((message, position, new_phase)) = self.next(stage, fraction) else {
            return;
        };
        if new_phase {
            bar.reset_eta();
        }
        bar.set_message(message);
        bar.set_position(position);
    }
}

fn print_text(report: &AssessReport) {
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |h| format!("{h:.6}"));
    println!(
        "samples       {} ({} bits each, {} distinct values{})",
        report.samples,
        report.bits_per_sample,
        report.alphabet_size,
        if report.translated {
            ", translated"
        } else {
            ""
        }
    );
    println!("{:<14}{:>12}{:>12}", "estimator", "original", "bitstring");
    let o = &report.estimators.original;
    let b = report.estimators.bitstring.clone().unwrap_or_default();
    let rows = [
        ("mcv", o.mcv, b.mcv),
        ("collision", o.collision, b.collision),
        ("markov", o.markov, b.markov),
        ("compression", o.compression, b.compression),
        ("t_tuple", o.t_tuple, b.t_tuple),
        ("lrs", o.lrs, b.lrs),
        ("multi_mcw", o.multi_mcw, b.multi_mcw),
        ("lag", o.lag, b.lag),
        ("multi_mmc", o.multi_mmc, b.multi_mmc),
        ("lz78y", o.lz78y, b.lz78y),
    ];
    for (name, orig, bits) in rows {
        println!("{name:<14}{:>12}{:>12}", fmt(orig), fmt(bits));
    }
    println!("h_original    {:.6} bits/sample", report.h_original);
    if let Some(hb) = report.h_bitstring {
        println!("h_bitstring   {hb:.6} bits/bit");
    }
    println!("h_assessed    {:.6} bits/sample", report.h_assessed);
    if let Some(iid) = &report.iid {
        println!(
            "iid           {} (chi-square {}, LRS {}, permutation {}); IID estimate {:.6} bits/sample",
            if iid.passed { "passed" } else { "FAILED" },
            if iid.chi_square_passed {
                "passed"
            } else {
                "failed"
            },
            if iid.lrs.is_some_and(|l| l.passed) {
                "passed"
            } else {
                "failed"
            },
            if iid.permutation_passed {
                "passed"
            } else {
                "failed"
            },
            iid.h
        );
    }
    for (key, why) in &report.notes {
        println!("note          {key}: {why}");
    }
}

fn run_restart(args: &AssessArgs) -> CliResult {
    let Some(h_initial) = args.restart.h_initial else {
        return Err(CliError::usage(
            "--restart needs --h-initial H (the initial entropy estimate, bits per sample)",
        ));
    };
    let Some(path) = &args.file else {
        return Err(CliError::usage("--restart needs a restart file"));
    };
    let w = args.bits_per_sample;
    if !h_initial.is_finite() || h_initial < 0.0 || h_initial > f64::from(w) {
        return Err(CliError::usage(format!(
            "--h-initial {h_initial} must be between 0 and the bits per sample ({w})"
        )));
    }
    let samples = std::fs::read(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let bar = crate::progress::spinner("restart test");
    let progress = |stage: &str, fraction: f64| {
        if let Some(bar) = &bar {
            bar.set_message(format!("restart test: {stage} ({:.0}%)", fraction * 100.0));
        }
    };
    let opts = RestartOptions {
        bits_per_sample: w,
        h_initial,
        iid: args.iid,
        parallel: true,
        progress: Some(&progress),
    };
    let result = assess_restart(&samples, &opts);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    // Every error is about the input (shape, widths, H_I, a single value).
    let report = result.map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    if args.json {
        return print_json(&RestartDocument { restart: &report });
    }
    print_restart_text(&report);
    Ok(())
}

fn print_restart_text(r: &RestartReport) {
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |h| format!("{h:.6}"));
    let s = &r.sanity;
    println!(
        "restart test  1000 restarts x 1000 samples, {} bits each, H_I {:.6} ({})",
        r.bits_per_sample,
        r.h_initial,
        if r.iid {
            "IID: most common value only"
        } else {
            "non-IID estimators"
        }
    );
    println!(
        "sanity        {}: X_max {} (rows {}, columns {}), cutoff {} (alpha {:.3e} per row/column)",
        if s.passed { "passed" } else { "FAILED" },
        s.x_max,
        s.max_row_count,
        s.max_column_count,
        s.cutoff,
        s.alpha_per_test
    );
    if let (Some(rows), Some(columns)) = (&r.rows, &r.columns) {
        println!("{:<14}{:>12}{:>12}", "estimator", "rows", "columns");
        let (a, b) = (&rows.estimators.original, &columns.estimators.original);
        let table = [
            ("mcv", a.mcv, b.mcv),
            ("collision", a.collision, b.collision),
            ("markov", a.markov, b.markov),
            ("compression", a.compression, b.compression),
            ("t_tuple", a.t_tuple, b.t_tuple),
            ("lrs", a.lrs, b.lrs),
            ("multi_mcw", a.multi_mcw, b.multi_mcw),
            ("lag", a.lag, b.lag),
            ("multi_mmc", a.multi_mmc, b.multi_mmc),
            ("lz78y", a.lz78y, b.lz78y),
        ];
        for (name, x, y) in table {
            if x.is_some() || y.is_some() {
                println!("{name:<14}{:>12}{:>12}", fmt(x), fmt(y));
            }
        }
    }
    println!("h_r           {}", fmt(r.h_r));
    println!("h_c           {}", fmt(r.h_c));
    if let Some(v) = r.validation {
        println!(
            "validation    {}: min(h_r, h_c) {} H_I/2 = {:.6}",
            if v.passed { "passed" } else { "FAILED" },
            if v.passed { ">=" } else { "<" },
            v.threshold
        );
    }
    match r.h_validated {
        Some(h) => println!("h_validated   {h:.6} bits/sample (min of H_I, h_r, h_c)"),
        None => println!("h_validated   - (restart test failed: no validated entropy)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permutation_tests_are_a_phase_of_their_own_that_only_moves_forward() {
        let shown = Shown::default();
        assert_eq!(
            shown.next("original mcv", 0.5),
            Some(("estimators (original mcv)".to_owned(), 500, true))
        );
        assert_eq!(
            shown.next("bitstring lag", 1.0),
            Some(("estimators (bitstring lag)".to_owned(), 1000, false))
        );
        // The permutation tests start again from 0, with their own estimate.
        assert_eq!(
            shown.next("permutation tests", 0.02),
            Some(("IID permutation tests".to_owned(), 20, true))
        );
        // A worker's late report does not move the bar back.
        assert_eq!(shown.next("permutation tests", 0.019), None);
        assert_eq!(
            shown.next("permutation tests", 0.0201),
            Some(("IID permutation tests".to_owned(), 20, false))
        );
    }
}
