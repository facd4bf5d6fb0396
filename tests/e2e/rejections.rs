//! The bad-input catalogue: one fixture per rejection in `tests/rejections/`, each refused with
//! the exact message pinned by a snapshot named after the fixture, and the database unchanged.
//! Base state: the walkthrough posted and January closed.

use crate::support::{fixture, Env, REVIEWER};

fn base() -> Env {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv")]);
    env.ok_as(REVIEWER, &["review", "--all"]);
    env.ok(&["post", "--all"]);
    // The walkthrough has no treasury records, so January has differences: accepted here.
    env.run(&["reconcile", "--period", "2022-12"]);
    env.ok(&["close", "--period", "2022-12"]);
    env.run(&["reconcile", "--period", "2023-01"]);
    env.ok(&["close", "--period", "2023-01", "--accept-differences", "--reason", "测试基线：无国库对账单"]);
    env
}

#[test]
fn rejected() {
    let env = base();
    let before = env.fingerprint();
    insta::glob!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rejections"), "*.*", |path| {
        let file = path.display().to_string();
        let command = if path.extension().is_some_and(|e| e == "csv") { "import" } else { "add" };
        let run = if command == "import" { env.run(&["import", &file]) } else { env.run(&["voucher", "add", &file]) };
        assert_eq!(run.code, 1, "{file} was not refused: {}", run.stdout);
        assert_eq!(env.fingerprint(), before, "{file} changed the database");
        let dir = path.parent().unwrap().display().to_string();
        insta::assert_snapshot!(run.stderr.replace(&dir, "tests/rejections"));
    });
}
