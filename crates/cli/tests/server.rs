//! `wellspring server` as a process: default loopback bind, flag errors, a busy port, SIGTERM.

mod common;

use common::{ChildGuard, free_port, report, wellspring_command};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// One `GET target` with `Host: host` to `127.0.0.1:port` on a fresh connection: the whole
/// response as text.
fn get_with_host(port: u16, target: &str, host: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn serves_on_loopback_and_stops_cleanly_on_sigterm() {
    let port = free_port();
    // The guard kills the server if an assertion fails before it is stopped.
    let mut child = ChildGuard::spawn_logged(
        wellspring_command()
            .args([
                "server",
                "--port",
                &port.to_string(),
                "--sources",
                "branch_timing",
            ])
            .stdout(Stdio::null()),
    );
    let start = Instant::now();
    // Retry the whole exchange until the server is up: early connections may be refused
    // or reset while it binds.
    let fetch = || -> std::io::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.write_all(b"GET /API/jsonI.php?length=4&type=uint8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut text = String::new();
        stream.read_to_string(&mut text)?;
        Ok(text)
    };
    let response = loop {
        match fetch() {
            Ok(text) if !text.is_empty() => break text,
            _ => {
                // A bound on a hang, not a speed target.
                if start.elapsed() > Duration::from_secs(60)
                    || child.child().try_wait().unwrap().is_some()
                {
                    panic!("the server never answered: {}", child.describe());
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "{response}\nthe server: {}",
        child.describe()
    );
    assert!(response.contains("\"success\":true"), "{response}");
    // A graceful exit on SIGTERM, within ten seconds.
    let status = child.terminate(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    bad_flags_are_usage_errors_and_a_busy_port_is_a_runtime_error();
}

/// Run after the serving test, not beside it: both pick free ports, and a listener of one
/// must never be mistaken for the other's server.
fn bad_flags_are_usage_errors_and_a_busy_port_is_a_runtime_error() {
    let run = |args: &[&str]| wellspring_command().args(args).output().unwrap();
    let dir = std::env::temp_dir();
    let typo = dir.join(format!("ws-cam-typo-{}.toml", std::process::id()));
    std::fs::write(&typo, "[camera]\nrefresh = 5\n").unwrap();
    let empty = dir.join(format!("ws-cam-empty-{}.toml", std::process::id()));
    std::fs::write(&empty, "[camera]\nregion_size = 16\n").unwrap();
    let (typo_s, empty_s) = (typo.to_string_lossy(), empty.to_string_lossy());
    // Values the parser rejects: clap's whole message, naming the flag.
    for args in [
        &["server", "--rate-limit", "fast"][..],
        &["server", "--host", "not-an-ip"],
        &["server", "--port", "70000"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(args[1]) && stderr.contains("For more information, try '--help'"),
            "{args:?}: {}",
            report(&out)
        );
    }
    // Errors the program finds itself: one line.
    for args in [
        &["server", "--camera-config", "/nonexistent/webcams.toml"][..],
        &["server", "--camera-config", &typo_s],
        &["server", "--camera-config", &empty_s],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr)
                .trim_end()
                .lines()
                .count(),
            1,
            "{args:?}: {}",
            report(&out)
        );
    }
    // A public address without --admin-listen served every operator route to anyone (the
    // review's finding 4): refused before anything starts. (The missing camera file makes a
    // regression exit 2 with another message rather than serve on 0.0.0.0.)
    for host in ["0.0.0.0", "::", "192.0.2.1"] {
        let args = [
            "server",
            "--host",
            host,
            "--camera-config",
            "/nonexistent/webcams.toml",
        ];
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{}", report(&out));
        assert!(
            stderr.contains("--admin-listen") && stderr.contains("--public-operator-routes"),
            "{stderr}"
        );
    }
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run(&["server", "--port", &port, "--sources", "branch_timing"]);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot serve on 127.0.0.1"), "{stderr}");
}

#[test]
fn admin_listen_moves_the_operator_routes_to_their_own_port() {
    let admin_port = free_port();
    let admin = format!("127.0.0.1:{admin_port}");
    let server = common::server::ServerProcess::start(
        &["--sources", "branch_timing", "--admin-listen", &admin],
        &[],
    );
    let public_metrics = server.fetch("/metrics", Duration::from_secs(10)).unwrap();
    assert!(
        public_metrics.starts_with("HTTP/1.1 404"),
        "{public_metrics}"
    );
    assert!(public_metrics.contains("\"success\":false"));
    let text = get_with_host(admin_port, "/metrics", "localhost");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("wellspring_credited_sources"), "{text}");
    // A page that rebinds its own name to the admin port is refused (421, JSON).
    let text = get_with_host(
        admin_port,
        "/metrics",
        &format!("evil.example:{admin_port}"),
    );
    assert!(text.starts_with("HTTP/1.1 421"), "{text}");
    assert!(text.contains("--allowed-host"), "{text}");
    // A bad address is a usage error.
    let out = common::wellspring(&["server", "--admin-listen", "nowhere"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    let out = common::wellspring(&["server", "--allowed-host", "a/b"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--allowed-host"),
        "{}",
        report(&out)
    );
}
