//! `wellspring record` and `wellspring sessions` as a researcher uses them: a session folder
//! in the documented layout (manifest, raw files NIST's tools and `assess` read, a batch
//! index, conditions), listing and showing sessions, a clean end on SIGTERM, a session cut
//! by SIGKILL that still opens, and bad input refused with exit 2.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{ChildGuard, stdout_json, wellspring, wellspring_command, wellspring_ok};
use serde_json::Value;

const SOURCES: &str = "clock_jitter,branch_timing";

/// A fresh output folder of this test's own.
fn output(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ws-sessions-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The only session folder under `dir`.
fn only_session(dir: &Path) -> PathBuf {
    let folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders[0].clone()
}

fn manifest(session: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(session.join("session.json")).unwrap()).unwrap()
}

#[test]
fn a_recorded_session_has_the_documented_layout_and_lists() {
    let dir = output("layout");
    wellspring_ok(&[
        "record",
        "--sources",
        SOURCES,
        "--samples",
        "70000",
        "--tag",
        "room:lab",
        "--tag",
        "fan:on",
        "--note",
        "a test",
        "--output",
        dir.to_str().unwrap(),
    ]);
    let session = only_session(&dir);
    let name = session.file_name().unwrap().to_str().unwrap().to_owned();
    // <UTC start, e.g. 20261201T220300Z>-<short id>
    assert_eq!(name.len(), "20261201T220300Z-".len() + 6, "{name}");
    assert_eq!(&name[8..9], "T");
    assert_eq!(&name[15..17], "Z-");

    let m = manifest(&session);
    assert_eq!(m["format_version"], 1);
    assert_eq!(m["id"].as_str().unwrap(), &name[17..]);
    assert_eq!(m["complete"], true);
    assert_eq!(m["end_reason"], "completed");
    assert!(m["ended_at"].is_string() && m["started_at"].is_string());
    assert_eq!(m["tags"]["room"], "lab");
    assert_eq!(m["tags"]["fan"], "on");
    assert_eq!(m["note"], "a test");
    assert!(
        m["command"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--samples")
    );
    assert!(m["version"].is_string());
    for key in ["cpu", "cores", "kernel", "virtualization", "clocksource"] {
        assert!(m["machine"].get(key).is_some(), "machine.{key}");
    }
    assert!(m["machine"]["cores"].as_u64().unwrap() >= 1);
    let sources = m["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    for s in sources {
        let name = s["name"].as_str().unwrap();
        assert_eq!(s["samples"], 70000, "{name}");
        assert!(s["samples_per_second"].as_f64().unwrap() > 0.0);
        // 70,000 ≥ 65,536: both ends are assessed, as the engine assesses a source.
        let (h0, h1) = (s["h_start"].as_f64().unwrap(), s["h_end"].as_f64().unwrap());
        assert!(
            (0.0..=8.0).contains(&h0) && (0.0..=8.0).contains(&h1),
            "{s}"
        );
        assert_eq!(s["health_events"]["cutoffs_from_h"].as_f64(), Some(h0));
        assert!(s["category"].is_string() && s["health_events"]["rct_failures"].is_u64());

        // One byte per sample, exactly the samples recorded.
        let raw = session.join("raw").join(format!("{name}.bin"));
        assert_eq!(std::fs::metadata(&raw).unwrap().len(), 70000);
        // The index: a line per batch, offsets from 0 rising to below the total, times rising.
        let idx = std::fs::read_to_string(session.join("raw").join(format!("{name}.idx"))).unwrap();
        let entries: Vec<(u64, u64)> = idx
            .lines()
            .map(|l| {
                let (ns, off) = l.split_once(' ').unwrap();
                (ns.parse().unwrap(), off.parse().unwrap())
            })
            .collect();
        assert_eq!(entries[0].1, 0);
        assert!(
            entries
                .windows(2)
                .all(|w| w[0].0 <= w[1].0 && w[0].1 < w[1].1)
        );
        // The closing line: the time the last batch ended, at the total.
        let (closing, batches) = entries.split_last().unwrap();
        assert_eq!(closing.1, 70000);
        assert!(batches.last().unwrap().1 < 70000 && batches.last().unwrap().0 <= closing.0);

        // `assess` reads the raw file directly (the SP 800-90B file format), and its figure
        // for the first 65,536 samples is the manifest's h_start.
        let first = session.join(format!("{name}.first65536"));
        std::fs::write(&first, &std::fs::read(&raw).unwrap()[..65536]).unwrap();
        let report = stdout_json(&[
            "assess",
            first.to_str().unwrap(),
            "--bits-per-sample",
            "8",
            "--json",
        ]);
        let assessed = report["h_assessed"].as_f64().unwrap();
        assert!(
            (assessed - h0).abs() < 1e-9,
            "assess {assessed}, h_start {h0}"
        );
        std::fs::remove_file(first).unwrap();
    }
    let conditions = std::fs::read_to_string(session.join("conditions.jsonl")).unwrap();
    let first: Value = serde_json::from_str(conditions.lines().next().unwrap()).unwrap();
    assert!(first["t"].as_f64().unwrap() >= 0.0);
    assert!(first["load_average"].is_array(), "{first}");

    let listed = stdout_json(&["sessions", dir.to_str().unwrap(), "--json"]);
    let list = listed["sessions"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let info = &list[0];
    for key in [
        "id",
        "path",
        "started_at",
        "duration_seconds",
        "sources",
        "samples",
        "tags",
        "complete",
    ] {
        assert!(info.get(key).is_some(), "sessions --json: {key}");
    }
    assert_eq!(info["samples"], 140000);
    assert_eq!(info["complete"], true);
    assert_eq!(
        info["sources"],
        serde_json::json!(["clock_jitter", "branch_timing"])
    );

    let id = m["id"].as_str().unwrap();
    let shown = stdout_json(&[
        "sessions",
        "show",
        id,
        "--dir",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(shown["manifest"]["id"], id);
    let table = wellspring_ok(&["sessions", dir.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&table.stdout).contains(id),
        "{}\n{}",
        String::from_utf8_lossy(&table.stdout),
        common::report(&table)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts an endless (1 h) recording and waits until it has written samples.
fn recording(dir: &Path) -> (ChildGuard, PathBuf) {
    let mut child = ChildGuard::spawn_logged(
        wellspring_command()
            .args([
                "record",
                "--sources",
                SOURCES,
                "--duration",
                "1h",
                "--output",
            ])
            .arg(dir)
            .stdout(Stdio::piped()),
    );
    let start = Instant::now();
    loop {
        if let Ok(mut entries) = std::fs::read_dir(dir)
            && let Some(Ok(entry)) = entries.next()
        {
            let raw = entry.path().join("raw").join("clock_jitter.bin");
            if std::fs::metadata(&raw).map(|m| m.len()).unwrap_or(0) > 10_000 {
                return (child, entry.path());
            }
        }
        assert!(
            child.child().try_wait().unwrap().is_none(),
            "record exited early: {}",
            child.describe()
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "nothing recorded: {}",
            child.describe()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends SIGTERM (with kill(1), as [`ChildGuard::terminate`] does) and waits up to `limit`
/// for the child to exit; how it ended, with its stderr.
fn sigterm(mut child: ChildGuard, limit: Duration) -> Output {
    let pid = child.child().id().to_string();
    let sent = Command::new("kill").arg(&pid).status().expect("run kill");
    assert!(sent.success(), "kill {pid}: {sent:?}: {}", child.describe());
    child.wait_exit(limit)
}

#[test]
fn sigterm_ends_a_session_cleanly_and_sigkill_leaves_one_that_still_opens() {
    let dir = output("signals");
    let (child, session) = recording(&dir);
    let out = sigterm(child, Duration::from_secs(30));
    assert!(out.status.success(), "{}", common::report(&out));
    let m = manifest(&session);
    assert_eq!(m["complete"], false);
    assert_eq!(m["end_reason"], "interrupted by SIGTERM");
    for s in m["sources"].as_array().unwrap() {
        let raw = session
            .join("raw")
            .join(format!("{}.bin", s["name"].as_str().unwrap()));
        assert_eq!(
            s["samples"].as_u64().unwrap(),
            std::fs::metadata(raw).unwrap().len()
        );
        assert!(s["samples"].as_u64().unwrap() > 0);
    }

    let crashed_dir = output("crash");
    let (mut child, crashed) = recording(&crashed_dir);
    child.child().kill().unwrap();
    child.child().wait().unwrap();
    let listed = stdout_json(&["sessions", crashed_dir.to_str().unwrap(), "--json"]);
    let info = &listed["sessions"][0];
    assert_eq!(info["complete"], false);
    assert_eq!(info["end_reason"], "crashed while recording");
    let on_disk: u64 = ["clock_jitter", "branch_timing"]
        .iter()
        .map(|n| {
            std::fs::metadata(crashed.join("raw").join(format!("{n}.bin")))
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(info["samples"].as_u64().unwrap(), on_disk);
    assert!(on_disk > 0);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&crashed_dir);
}

#[test]
fn bad_input_is_a_usage_error_with_one_line() {
    let dir = output("bad");
    let out_dir = dir.to_str().unwrap();
    for args in [
        vec!["record", "--sources", SOURCES, "--output", out_dir],
        vec!["record", "--sources", SOURCES, "--duration", "5 parsecs"],
        vec!["record", "--sources", SOURCES, "--samples", "0"],
        vec![
            "record",
            "--sources",
            SOURCES,
            "--samples",
            "10",
            "--tag",
            "novalue",
        ],
        vec!["record", "--sources", "no_such_source", "--samples", "10"],
        vec![
            "record",
            "--sources",
            SOURCES,
            "--samples",
            "10",
            "--duration",
            "1m",
        ],
        vec!["sessions", "show", "nope", "--dir", out_dir],
        vec!["sessions", "/no/such/folder"],
    ] {
        let out = wellspring(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            common::report(&out)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.trim().is_empty(),
            "{args:?}: {}",
            common::report(&out)
        );
    }
    assert!(!dir.exists(), "a refused command wrote nothing");
}

#[test]
fn analyze_a_session_a_file_and_bad_input() {
    let dir = output("analyze");
    wellspring_ok(&[
        "record",
        "--sources",
        SOURCES,
        "--samples",
        "70000",
        "--output",
        dir.to_str().unwrap(),
    ]);
    let session = only_session(&dir);
    let doc = stdout_json(&["analyze", session.to_str().unwrap(), "--json"]);
    let sources = doc["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    for s in sources {
        assert_eq!(s["samples"], 70000);
        assert_eq!(s["bits_per_sample"], 8);
        let ac = &s["autocorrelation"];
        assert_eq!(ac["max_lag"], 256);
        assert_eq!(ac["values"].as_array().unwrap().len(), 256);
        assert!(ac["band"].as_f64().unwrap() > 0.0 && ac["ljung_box_p"].is_number());
        assert!(ac["significant_lags"].is_array());
        // Peaks also in Hz, from the source's sample rate in the manifest.
        let rate = manifest(&session)["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == s["name"])
            .unwrap()["samples_per_second"]
            .as_f64()
            .unwrap();
        for peak in s["spectrum"]["peaks"].as_array().unwrap() {
            let hz = peak["frequency"].as_f64().unwrap() * rate;
            assert!((peak["frequency_hz"].as_f64().unwrap() - hz).abs() <= 1e-9 * hz);
        }
        assert_eq!(s["bit_bias"].as_array().unwrap().len(), 8);
        assert!(s["histogram_p"].is_number() && s["runs_p"].is_number());
        assert_eq!(s["stationarity"]["windows"], 16);
        assert!(["good", "warning", "critical"].contains(&s["verdict"].as_str().unwrap()));
        // The same SP 800-90B figure as `assess` on the whole file.
        let raw = session
            .join("raw")
            .join(format!("{}.bin", s["name"].as_str().unwrap()));
        let assessed = stdout_json(&["assess", raw.to_str().unwrap(), "--json"]);
        assert_eq!(s["h_assessed"], assessed["h_assessed"]);
    }
    let pairs = doc["cross_correlation"].as_array().unwrap();
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0]["r"].as_f64().unwrap().abs() <= 1.0);

    // A file: one source named after the file's stem. A slow counter's low byte (the case
    // openentropy's analysis once missed) is not called good.
    let counter: Vec<u8> = (0u32..100_000).map(|i| (i / 7) as u8).collect();
    let file = dir.join("counter.bin");
    std::fs::write(&file, counter).unwrap();
    let doc = stdout_json(&["analyze", "--file", file.to_str().unwrap(), "--json"]);
    let s = &doc["sources"][0];
    assert_eq!(s["name"], "counter");
    assert_ne!(s["verdict"], "good", "{s}");
    assert!(s["reasons"][0].as_str().unwrap().len() > 10);

    for args in [
        vec!["analyze"],
        vec!["analyze", "--file", "/no/such/file"],
        vec!["analyze", "--sources", "clock_jitter"],
        vec![
            "analyze",
            "--file",
            file.to_str().unwrap(),
            "--windows",
            "1",
        ],
    ] {
        let out = wellspring(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            common::report(&out)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn record_conditioned_keeps_the_sha256_output_by_the_documented_rule() {
    use sha2::{Digest, Sha256};
    let dir = output("conditioned");
    wellspring_ok(&[
        "record",
        "--sources",
        "branch_timing",
        "--samples",
        "70000",
        "--conditioned",
        "--output",
        dir.to_str().unwrap(),
    ]);
    let session = only_session(&dir);
    let source = &manifest(&session)["sources"][0];
    let h = source["h_start"]
        .as_f64()
        .unwrap()
        .min(source["h_end"].as_f64().unwrap());
    let c = &source["conditioned"];
    assert_eq!(c["file"], "conditioned/branch_timing.bin");
    assert_eq!(c["h_used"].as_f64().unwrap(), h);
    // 352 credited bits per output at h × 0.5 per sample.
    let block = (352.0 / (0.5 * h)).ceil() as usize;
    assert_eq!(c["samples_per_output"], block);
    let raw = std::fs::read(session.join("raw/branch_timing.bin")).unwrap();
    let conditioned = std::fs::read(session.join("conditioned/branch_timing.bin")).unwrap();
    assert_eq!(conditioned.len(), raw.len() / block * 32);
    assert_eq!(c["bytes"], conditioned.len());
    for (k, output) in conditioned.chunks(32).enumerate().step_by(97) {
        let expected = Sha256::digest(&raw[k * block..(k + 1) * block]);
        assert_eq!(output, expected.as_slice(), "output {k}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_full_disk_stops_recording_with_one_error_and_keeps_a_consistent_session() {
    // A 2 MiB tmpfs in a private mount namespace (`unshare -rm` maps the caller to root in a
    // new user namespace, so this needs no privileges); the shell inside records into it
    // until the disk is full, then prints what is left, since the mount vanishes with it.
    let mount = output("fulldisk");
    std::fs::create_dir_all(&mount).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=2m none {m} || exit 99; \
         {bin} --assessment-cache off record --sources clock_jitter,branch_timing \
           --samples 100000000 --output {m}/s 2>{m}/stderr; echo \"exit=$?\"; \
         s=$(ls -d {m}/s/*); echo \"stderr=$(cat {m}/stderr | tr '\\n' '|')\"; \
         echo \"files=$(ls -A $s | tr '\\n' ' ')\"; \
         for f in clock_jitter branch_timing; do \
           echo \"$f bin=$(stat -c %s $s/raw/$f.bin) idx=$(wc -l < $s/raw/$f.idx) \
last=$(tail -n 1 $s/raw/$f.idx | cut -d' ' -f2)\"; done; \
         echo MANIFEST; cat $s/session.json",
        m = mount.display(),
        bin = env!("CARGO_BIN_EXE_wellspring"),
    );
    let out = Command::new("unshare")
        .args(["-r", "-m", "sh", "-c", &script])
        .output()
        .expect("unshare (util-linux) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no {key} in {text}"))
            .to_owned()
    };
    assert_eq!(line("exit="), "exit=1", "{text}");
    // One line on stderr, naming the file and the cause, after the expected size.
    let stderr = line("stderr=");
    let said: Vec<&str> = stderr["stderr=".len()..]
        .split('|')
        .filter(|l| !l.is_empty() && !l.starts_with("expected size: "))
        .collect();
    assert_eq!(said.len(), 1, "{stderr}");
    assert!(
        said[0].contains("No space left on device") && said[0].contains(".bin"),
        "{stderr}"
    );
    // No temporary manifest, no reserve left behind.
    assert_eq!(
        line("files=").trim(),
        "files=conditions.jsonl raw session.json"
    );
    let manifest: Value = serde_json::from_str(text.split("MANIFEST\n").nth(1).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert!(
        manifest["ended_at"].is_string(),
        "the final manifest was written"
    );
    assert!(
        manifest["end_reason"]
            .as_str()
            .unwrap()
            .starts_with("write failed: "),
        "{manifest}"
    );
    for source in manifest["sources"].as_array().unwrap() {
        let name = source["name"].as_str().unwrap();
        let l = line(&format!("{name} "));
        let field = |k: &str| -> u64 {
            l.split_whitespace()
                .find_map(|f| f.strip_prefix(k))
                .unwrap()
                .parse()
                .unwrap()
        };
        // Whole batches only: the file ends where the index says the last batch ends.
        assert_eq!(source["samples"], field("bin="), "{l}");
        assert!(field("bin=") > 0 && field("idx=") > 0, "{l}");
        assert!(field("last=") < field("bin="), "{l}");
    }
    let _ = std::fs::remove_dir_all(&mount);
}
