//! Restart sanity test (SP 800-90B §3.1.4).
