//! The boundaries of ARCHITECTURE.md, checked on the source: only `store/` names rusqlite, and
//! the pure core never reads the clock, the environment, files or the terminal.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string();
            out.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn all_sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    assert!(out.len() > 10, "found only {} source files", out.len());
    out
}

#[test]
fn only_the_store_names_rusqlite() {
    for (path, text) in all_sources() {
        if !path.starts_with("src/store/") {
            assert!(!text.contains("rusqlite"), "{path} names rusqlite");
        }
    }
}

#[test]
fn the_pure_core_reads_no_clock_env_file_or_terminal() {
    let pure =
        ["src/money.rs", "src/domain/", "src/posting/", "src/reconcile/", "src/policy/", "src/plan/", "src/calendar"];
    let forbidden =
        ["Utc::now", "Local::now", "SystemTime", "std::env", "std::fs", "println!", "eprintln!", "std::io::std"];
    for (path, text) in all_sources() {
        if pure.iter().any(|p| path.starts_with(p)) {
            for word in forbidden {
                assert!(!text.contains(word), "{path} uses {word}");
            }
        }
    }
}

/// Staff actions live in `app/`: the CLI parses and renders, it never opens a write
/// transaction itself; and the application layer reads no clock, environment or terminal.
#[test]
fn workflows_live_in_the_application_layer() {
    for (path, text) in all_sources() {
        if path.starts_with("src/cli/") {
            assert!(!text.contains(".writer()"), "{path} writes the store itself instead of calling app/");
        }
        if path.starts_with("src/app/") {
            for word in ["Utc::now", "Local::now", "SystemTime", "std::env", "println!", "eprintln!", "std::io::std"] {
                assert!(!text.contains(word), "{path} uses {word}");
            }
        }
    }
}

#[test]
fn every_module_starts_with_a_doc_paragraph() {
    for (path, text) in all_sources() {
        assert!(text.starts_with("//!"), "{path} has no //! paragraph at the top");
    }
}
