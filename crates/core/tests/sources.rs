//! Every available source delivers what it is asked for, and its output is not constant.

use wellspring_core::registry::Registry;
use wellspring_core::sources::DevHwrng;
use wellspring_core::{EntropySource, SpeedClass};

fn sample_count(source: &dyn EntropySource) -> usize {
    match source.info().speed {
        SpeedClass::Fast => 4096,
        SpeedClass::Slow => 512,
    }
}

#[test]
fn every_available_source_yields_the_requested_count_of_varying_samples() {
    let registry = Registry::builtin();
    let mut checked = 0;
    for source in registry.all() {
        if !source.availability().is_available() {
            continue;
        }
        let n = sample_count(source.as_ref());
        let started = std::time::Instant::now();
        let first = source
            .collect(n)
            .unwrap_or_else(|e| panic!("{}: {e}", source.name()));
        let second = source
            .collect(n)
            .unwrap_or_else(|e| panic!("{}: {e}", source.name()));
        assert_eq!(first.len(), n, "{} returned the wrong count", source.name());
        assert_eq!(
            second.len(),
            n,
            "{} returned the wrong count",
            source.name()
        );
        assert!(
            first.iter().any(|&b| b != first[0]),
            "{} output is constant",
            source.name()
        );
        assert_ne!(first, second, "{} repeated itself", source.name());
        eprintln!(
            "{}: {:.2} s",
            source.name(),
            started.elapsed().as_secs_f64()
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} sources available");
}

#[test]
fn zero_samples_is_an_empty_collection() {
    let source = wellspring_core::registry::find("clock_jitter").unwrap();
    assert!(source.collect(0).unwrap().is_empty());
}

#[test]
fn a_missing_device_reports_unavailable_with_the_reason() {
    let source = DevHwrng::at("/nonexistent/hwrng-for-test");
    let availability = source.availability();
    assert!(!availability.is_available());
    let reason = availability.reason().unwrap();
    assert!(reason.contains("/nonexistent/hwrng-for-test"), "{reason}");
    assert!(source.collect(16).is_err());
}

#[test]
fn every_source_has_a_unique_snake_case_name_and_a_physics_note() {
    let registry = Registry::builtin();
    let mut names: Vec<&str> = registry.all().iter().map(|s| s.name()).collect();
    for name in &names {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}"
        );
    }
    for source in registry.all() {
        assert!(
            source.info().physics.len() > 80,
            "{} needs a real physics note",
            source.name()
        );
    }
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate source names");
}

static TEST_SENSOR: wellspring_core::SourceInfo = wellspring_core::SourceInfo {
    name: "test_sensor",
    category: wellspring_core::SourceCategory::Hardware,
    physics: "test double over a directory that does not exist",
    speed: SpeedClass::Slow,
};

#[test]
fn sensor_and_counter_sources_report_missing_files_with_the_reason() {
    use wellspring_core::sources::{KernelCounters, SensorReadout};
    let sensor = SensorReadout::at(&TEST_SENSOR, "/nonexistent/hwmon", "_input");
    let reason = sensor.availability().reason().map(str::to_owned).unwrap();
    assert!(reason.contains("/nonexistent/hwmon"), "{reason}");
    assert!(sensor.collect(8).is_err());
    let counters =
        KernelCounters::with_files(&TEST_SENSOR, &["/proc/stat", "/nonexistent/counters"]);
    let reason = counters.availability().reason().map(str::to_owned).unwrap();
    assert!(reason.contains("/nonexistent/counters"), "{reason}");
}

#[test]
fn off_machine_sources_are_unavailable_unless_a_target_is_named() {
    let registry = Registry::builtin();
    for name in ["external_tcp", "dns_timing"] {
        let source = registry.find(name).unwrap();
        if std::env::var_os("WELLSPRING_NET_TARGET").is_none()
            && std::env::var_os("WELLSPRING_DNS_NAME").is_none()
        {
            let availability = source.availability();
            assert!(
                !availability.is_available(),
                "{name} must be off by default"
            );
            assert!(availability.reason().unwrap().contains("WELLSPRING_"));
        }
        // Never in the default set, whatever the environment says.
        assert!(
            registry
                .select(None)
                .unwrap()
                .iter()
                .all(|s| s.name() != name)
        );
    }
}
