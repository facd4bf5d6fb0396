//! The README's walkthrough, run as written (with `fundpool` the binary under test and the
//! database in a temporary folder), so the documentation cannot drift from the program.

use std::process::Command;

#[test]
fn the_readme_walkthrough_runs_as_written() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let section = readme.split("## Walkthrough").nth(1).expect("a walkthrough section");
    let block = section.split("```sh").nth(1).and_then(|b| b.split("```").next()).expect("a sh block");
    assert!(block.lines().filter(|l| l.starts_with("fundpool")).count() >= 10, "{block}");
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(format!("{root}/fixtures"), dir.path().join("fixtures")).unwrap();
    let script = format!("set -e\nfundpool() {{ \"{}\" \"$@\"; }}\n{block}", env!("CARGO_BIN_EXE_fundpool"));
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("FUNDPOOL_NOW", crate::support::NOW)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}\n{}", stdout, String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("已结账 2023-01：18 个账簿"), "{stdout}");
    assert!(stdout.ends_with("verify 通过：18 个账簿的哈希链和余额均与凭证一致，结账封存完好\n"), "{stdout}");
}
