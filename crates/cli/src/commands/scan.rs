//! `wellspring scan`: every known source and whether it can run here.

use serde::Serialize;
use wellspring_core::SourceStatus;

use crate::args::ScanArgs;
use crate::error::CliResult;
use crate::output::{print_json, table};

#[derive(Serialize)]
struct ScanReport<'a> {
    sources: &'a [SourceStatus],
}

pub(crate) fn run(args: ScanArgs) -> CliResult {
    let statuses = crate::camera::registry()?.detect();
    if args.json {
        return print_json(&ScanReport { sources: &statuses });
    }
    let rows: Vec<Vec<String>> = statuses
        .iter()
        .map(|s| {
            vec![
                s.name.to_owned(),
                s.category.to_string(),
                format!("{:?}", s.speed).to_lowercase(),
                if s.available {
                    "yes".into()
                } else {
                    format!("no: {}", s.reason.as_deref().unwrap_or(""))
                },
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["SOURCE", "CATEGORY", "SPEED", "AVAILABLE"], &rows)
    );
    let available = statuses.iter().filter(|s| s.available).count();
    println!("\n{available} of {} sources available", statuses.len());
    Ok(())
}
