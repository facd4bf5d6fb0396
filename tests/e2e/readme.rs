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
    assert!(stdout.contains("已结账 2022-12：18 个账簿"), "{stdout}");
    let anchor = std::fs::read_to_string(dir.path().join("anchor-2023-01.txt")).unwrap();
    assert!(anchor.starts_with("已结账 2023-01：18 个账簿"), "{anchor}");
    assert!(stdout.contains("verify 通过：18 个账簿的哈希链和余额均与凭证一致"), "{stdout}");
    assert!(stdout.ends_with("1 个锚点均完好：锚定时的全部记录未被改动、删除或重排，此后只有追加\n最新锚点之后记账的凭证 0 张（尚未锚定）\n"), "{stdout}");
}
