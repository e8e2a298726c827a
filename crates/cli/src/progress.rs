//! Progress bars on stderr, only when stderr is a terminal (never in pipes, logs or CI).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A byte-count bar for `total` bytes, or `None` when stderr is not a terminal.
pub(crate) fn bytes(total: u64, what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() || total == 0 {
        return None;
    }
    let bar = ProgressBar::new(total);
    let template = format!(
        "{{spinner}} {what} {{bytes}}/{{total_bytes}} {{wide_bar}} {{bytes_per_sec}} {{eta}}"
    );
    bar.set_style(ProgressStyle::with_template(&template).expect("valid template"));
    Some(bar)
}

/// A spinner with a message, or `None` when stderr is not a terminal.
pub(crate) fn spinner(message: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

/// A bar with a percentage, the time taken and an estimate of the time left, for work whose
/// size is set later (`set_length`), or `None` when stderr is not a terminal. It ticks on
/// its own, so the clock moves during long steps.
pub(crate) fn percent(what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    // Length 1 until the size is known: 0%, where a length of 0 reads 100%.
    let bar = ProgressBar::new(1);
    let template =
        format!("{{spinner}} {what} {{wide_bar}} {{percent:>3}}% {{elapsed}}, ETA {{eta}}");
    bar.set_style(ProgressStyle::with_template(&template).expect("valid template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

/// [`stages`]'s template: the stage, then the bar, its percentage, the time taken and an
/// estimate of the time left.
fn stages_template(what: &str) -> String {
    format!("{{spinner}} {what}: {{msg}} {{wide_bar}} {{percent:>3}}% {{elapsed}}, ETA {{eta}}")
}

/// A bar in per mille (`set_position(0..=1000)`) for work in stages, each named by the
/// message; the time taken and an estimate of the time left, ticking on its own. `None` when
/// stderr is not a terminal.
pub(crate) fn stages(what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(1000);
    bar.set_style(ProgressStyle::with_template(&stages_template(what)).expect("valid template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

/// A count bar for `total` items, or `None` when stderr is not a terminal.
pub(crate) fn count(total: u64, what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() || total == 0 {
        return None;
    }
    let bar = ProgressBar::new(total);
    let template = format!("{{spinner}} {what} {{elapsed}} {{wide_bar}} {{pos}}/{{len}} {{msg}}");
    bar.set_style(ProgressStyle::with_template(&template).expect("valid template"));
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stages_bar_shows_the_time_taken_and_left() {
        let template = stages_template("assessing");
        assert!(
            ProgressStyle::with_template(&template).is_ok(),
            "{template}"
        );
        for part in ["{msg}", "{percent", "{elapsed}", "{eta}"] {
            assert!(template.contains(part), "{part}: {template}");
        }
    }
}
