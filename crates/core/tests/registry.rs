//! `--sources` filters: names, categories, exclusions and errors.

use wellspring_core::registry::{Registry, SelectError};
use wellspring_core::{SourceCategory, SpeedClass};

fn names(filter: Option<&str>) -> Vec<&'static str> {
    Registry::builtin()
        .select(filter)
        .unwrap()
        .iter()
        .map(|s| s.name())
        .collect()
}

#[test]
fn default_set_is_fast_and_excludes_platform_generators() {
    let registry = Registry::builtin();
    for source in registry.select(None).unwrap() {
        assert_eq!(source.info().speed, SpeedClass::Fast, "{}", source.name());
        assert_ne!(
            source.info().category,
            SourceCategory::Platform,
            "{}",
            source.name()
        );
    }
}

#[test]
fn names_and_categories_select_and_bang_excludes() {
    assert_eq!(names(Some("clock_jitter")), vec!["clock_jitter"]);
    let timing = names(Some("timing"));
    assert!(timing.contains(&"clock_jitter") && timing.contains(&"sleep_jitter"));
    let without = names(Some("timing,!sleep_jitter"));
    assert!(!without.contains(&"sleep_jitter") && without.contains(&"clock_jitter"));
    assert!(!names(Some("all,!platform")).contains(&"os_random"));
    assert!(names(Some("all")).contains(&"os_random"));
}

#[test]
fn unknown_names_are_an_error_naming_the_token() {
    let err = Registry::builtin()
        .select(Some("clock_jitter,bogus_source"))
        .err()
        .unwrap();
    assert_eq!(err, SelectError::Unknown("bogus_source".into()));
    assert!(err.to_string().contains("bogus_source"));
}

#[test]
fn excluding_everything_is_an_error() {
    let err = Registry::builtin()
        .select(Some("clock_jitter,!clock_jitter"))
        .err()
        .unwrap();
    assert!(matches!(err, SelectError::Empty(_)));
}
