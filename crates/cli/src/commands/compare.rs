//! `wellspring compare A B`: do two sessions, two raw sample files, or two sources of one
//! session differ? Per source: the SP 800-90B min-entropy of each side and their difference
//! with a block-bootstrap interval, a χ² test of the value distributions, the autocorrelation
//! difference, and a verdict (`wellspring_assess::noise::compare`). A table, `--json` (the
//! shape in docs/ANALYSIS.md), and `--output report.html|report.md`.

use wellspring_assess::noise::compare::CompareOptions;
use wellspring_assess::noise::format_p;
use wellspring_session::analysis::{AnalyzeError, read_samples};
use wellspring_session::compare::{Side, compare_sides_with_progress};
use wellspring_session::format::raw_path;

use crate::args::CompareArgs;
use crate::error::{CliError, CliResult};
use crate::report::document::{self, Kind};

fn usage(e: AnalyzeError) -> CliError {
    CliError::usage(e.to_string())
}

pub(crate) fn run(args: CompareArgs) -> CliResult {
    // Refuse a bad report name before minutes of work.
    if let Some(path) = &args.output {
        Kind::of(path)?;
    }
    let a = Side::resolve(&args.a, &args.sessions_dir).map_err(usage)?;
    let b = Side::resolve(&args.b, &args.sessions_dir).map_err(usage)?;
    let opts = CompareOptions {
        bits_per_sample: args.bits_per_sample,
        ..CompareOptions::default()
    };
    let bar = crate::progress::percent("comparing (SP 800-90B on both sides and per window)");
    let progress = |done: u64, total: u64| {
        if let Some(bar) = &bar
            && total > 0
        {
            bar.set_length(total);
            bar.set_position(done.min(total));
        }
    };
    let result = compare_sides_with_progress(&a, &b, &opts, &progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let doc = result.map_err(usage)?;
    if let Some(path) = &args.output {
        let samples_of = |name: &str, side: usize| {
            let path = match [&a, &b][side] {
                Side::File(p) => p.clone(),
                Side::Session(dir) => raw_path(dir, name),
            };
            read_samples(&path).ok()
        };
        let sections =
            crate::report::noise::compare_sections(&doc, &samples_of, args.bits_per_sample);
        document::write(path, "wellspring compare", &sections)?;
    }
    if args.json {
        return crate::output::print_json(&doc);
    }
    println!(
        "{:<22} {:>7} {:>7} {:>8} {:>8} {:>19} {:>10} {:>10}  differ",
        "source", "h A", "h B", "diff", "win diff", "95% interval", "distr. p", "acf p"
    );
    for s in &doc.sources {
        let c = &s.comparison;
        println!(
            "{:<22} {:>7.3} {:>7.3} {:>+8.3} {:>8} {:>19} {:>10} {:>10}  {}",
            s.name,
            c.h_a,
            c.h_b,
            c.h_difference,
            c.h_window_difference
                .map_or("–".to_owned(), |d| format!("{d:+.3}")),
            c.h_difference_ci
                .map_or("–".to_owned(), |[l, h]| format!("[{l:+.3}, {h:+.3}]")),
            format_p(c.distribution_p, 4),
            format_p(c.acf_difference_p, 4),
            if c.differ { "yes" } else { "no" }
        );
        if c.differ {
            for r in &c.reasons {
                println!("  {r}");
            }
        }
    }
    for (side, names) in [("A", &doc.only_in_a), ("B", &doc.only_in_b)] {
        if !names.is_empty() {
            println!("only in {side}: {}", names.join(", "));
        }
    }
    if let Some(path) = &args.output {
        eprintln!("report written to {}", path.display());
    }
    Ok(())
}
