//! `wellspring server` as a child process of a test, on a free loopback port, killed and
//! reaped on every path out of the test.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The server process, killed and reaped on every path out of a test.
pub(crate) struct ServerProcess {
    child: std::process::Child,
    /// Where its stderr goes, quoted by every failure message about it.
    stderr_log: std::path::PathBuf,
    /// The loopback port it serves.
    pub(crate) port: u16,
}

/// How long a step may take before a test calls it a hang: a bound, not a speed target.
const HANG: Duration = Duration::from_secs(60);

impl ServerProcess {
    /// Starts `wellspring server` on a free loopback port with `args` and extra environment
    /// `envs`, and waits until `/health` answers 200.
    pub(crate) fn start(args: &[&str], envs: &[(&str, &str)]) -> ServerProcess {
        let port = super::free_port();
        let stderr_log =
            std::env::temp_dir().join(format!("ws-cli-server-{}-{port}.log", std::process::id()));
        let child = super::wellspring_command()
            .args(["server", "--port", &port.to_string()])
            .args(args)
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr_log).unwrap())
            .spawn()
            .unwrap();
        let mut server = ServerProcess {
            child,
            stderr_log,
            port,
        };
        // Retry the whole exchange until the server is up: early connections may be
        // refused or reset while it binds.
        let start = Instant::now();
        loop {
            if let Ok(text) = server.fetch("/health", Duration::from_secs(10))
                && text.starts_with("HTTP/1.1 200")
            {
                break;
            }
            if start.elapsed() > HANG || server.child.try_wait().unwrap().is_some() {
                panic!("the server never answered: {}", server.describe());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The server's exit status if it has ended, and its stderr so far, for assertion
    /// messages.
    pub(crate) fn describe(&mut self) -> String {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => status.to_string(),
            Ok(None) => "still running".to_owned(),
            Err(e) => format!("unknown ({e})"),
        };
        format!("{status}, stderr:\n{}", self.stderr_text().trim_end())
    }

    /// What the server wrote to stderr so far (its log).
    pub(crate) fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// One request on a fresh connection; the whole response as text.
    pub(crate) fn fetch(&self, target: &str, limit: Duration) -> std::io::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(limit))?;
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )?;
        let mut text = String::new();
        stream.read_to_string(&mut text)?;
        Ok(text)
    }

    /// Starts a request on another thread; it ends with the response, or with `Err` when
    /// the connection is dropped.
    pub(crate) fn in_flight(&self, target: &str) -> JoinHandle<(Instant, std::io::Result<String>)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        std::thread::spawn(move || {
            let mut text = String::new();
            let result = stream.read_to_string(&mut text).map(|_| text);
            (Instant::now(), result)
        })
    }

    /// Sends SIGTERM and returns the time until the process exited, with its status.
    pub(crate) fn terminate(&mut self) -> (Duration, std::process::ExitStatus) {
        let sent = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (sent.elapsed(), status);
            }
            if sent.elapsed() > Duration::from_secs(30) {
                panic!("still running 30 s after SIGTERM: {}", self.describe());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stderr_log);
    }
}
