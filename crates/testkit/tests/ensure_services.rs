//! `scripts/ensure-services.sh` (`make run`, `make test`): how it brings up a service
//! that does not answer, from what the machine has. Its `decide` is a pure function of
//! the facts it detects; this is its table.

use std::process::Command;

/// installed, apt-get, root or sudo, docker compose, installing allowed -> action.
type Row = (&'static str, [&'static str; 5], &'static str);

fn decide(facts: [&str; 5]) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/ensure-services.sh"
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"source "$0" --decide-only && decide "$@""#)
        .arg(script)
        .args(facts)
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

#[test]
fn a_missing_service_is_started_installed_or_explained() {
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("installed: start it",                 ["yes", "yes", "yes", "yes", "yes"], "start"),
        ("installed, no root: still start it",  ["yes", "no",  "no",  "no",  "no"],  "start"),
        ("Debian as root: apt-get",             ["no",  "yes", "yes", "no",  "yes"], "apt"),
        ("apt and Docker: apt-get first",       ["no",  "yes", "yes", "yes", "yes"], "apt"),
        ("apt without root, Docker: compose",   ["no",  "yes", "no",  "yes", "yes"], "compose"),
        ("no apt, Docker: compose",             ["no",  "no",  "yes", "yes", "yes"], "compose"),
        ("nothing to install with: explain",    ["no",  "no",  "yes", "no",  "yes"], "explain"),
        ("apt without root, no Docker",         ["no",  "yes", "no",  "no",  "yes"], "explain"),
        ("HOOKRELAY_INSTALL=no: explain",       ["no",  "yes", "yes", "yes", "no"],  "explain"),
    ];
    for (name, facts, want) in rows {
        assert_eq!(decide(facts), want, "{name}");
    }
}
