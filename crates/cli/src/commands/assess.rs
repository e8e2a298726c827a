//! `wellspring assess`: SP 800-90B min-entropy assessment (NIST SP 800-90B §6.3 non-IID
//! estimators, optionally the §5 IID tests) of a sample file or of one source's samples.
//! The JSON shape is the `assess --json` contract of docs/JSON.md.

use wellspring_assess::sp800_90b::{AssessError, AssessOptions, AssessReport, assess};

use crate::args::AssessArgs;
use crate::error::{CliError, CliResult};
use crate::output::print_json;

pub(crate) fn run(args: AssessArgs) -> CliResult {
    let samples = match (&args.file, &args.source) {
        (Some(path), _) => std::fs::read(path)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?,
        (None, Some(name)) => crate::camera::collect_from(name, args.samples as usize)?,
        (None, None) => return Err(CliError::usage("give a sample file or --source NAME")),
    };
    let bar = crate::progress::spinner("assessing");
    let progress = |stage: &str, fraction: f64| {
        if let Some(bar) = &bar {
            bar.set_message(format!("assessing: {stage} ({:.0}%)", fraction * 100.0));
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
