//! Running the real binary in a temporary folder, and fingerprinting the database so a test can
//! prove that a refused command wrote nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const NOW: &str = "2023-02-01T09:00:00Z";
pub const MAKER: &str = "张会计";
pub const REVIEWER: &str = "李审核";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    /// A fresh folder with a Jingmen database.
    pub fn jingmen() -> Env {
        Env::new_city("fixtures/jingmen")
    }

    /// A fresh folder with a database for the city fixture at `dir`.
    pub fn new_city(dir: &str) -> Env {
        let env = Env { dir: tempfile::tempdir().expect("temp dir") };
        let run = env.run(&["init", "--city", &fixture(dir)]);
        assert_eq!(run.code, 0, "init failed: {}", run.stderr);
        env
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("fundpool.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write file");
        path.display().to_string()
    }

    /// Runs `fundpool --db DB ARGS` as the maker.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_as(MAKER, args)
    }

    pub fn run_as(&self, operator: &str, args: &[&str]) -> Run {
        let db = self.db().display().to_string();
        let mut full = vec!["--db", db.as_str()];
        full.extend_from_slice(args);
        self.command(operator, &full)
    }

    /// Runs `fundpool ARGS` in the folder without naming a database (for `demo`).
    pub fn run_plain(&self, args: &[&str]) -> Run {
        self.command(MAKER, args)
    }

    /// Runs `fundpool --db DB ARGS` logged in as a registered user, with `stdin` as input.
    pub fn run_user(&self, user: &str, password: &str, args: &[&str], stdin: &str) -> Run {
        use std::io::Write;
        let db = self.db().display().to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_fundpool"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("FUNDPOOL_OPERATOR")
            .env("FUNDPOOL_USER", user)
            .env("FUNDPOOL_PASSWORD", password)
            .env("FUNDPOOL_NOW", NOW)
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run fundpool");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
        let output = child.wait_with_output().expect("wait");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn command(&self, operator: &str, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_fundpool"))
            .args(args)
            .env("FUNDPOOL_OPERATOR", operator)
            .env("FUNDPOOL_NOW", NOW)
            .current_dir(self.dir.path())
            .output()
            .expect("run fundpool");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// An empty folder.
    pub fn empty() -> Env {
        Env { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// Runs and insists on success.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "fundpool {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    pub fn ok_as(&self, operator: &str, args: &[&str]) -> String {
        let run = self.run_as(operator, args);
        assert_eq!(run.code, 0, "fundpool {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    /// Every row of every ledger table, as text: equal fingerprints mean nothing was written.
    pub fn fingerprint(&self) -> String {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        let mut text = String::new();
        for table in [
            "voucher",
            "voucher_line",
            "balance",
            "period",
            "book",
            "account",
            "setting",
            "event",
            "event_voucher",
            "instrument",
            "statement_line",
            "reconciliation_run",
            "seal",
            "import_batch",
            "record_log",
        ] {
            let exists: i64 = conn
                .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| {
                    r.get(0)
                })
                .expect("sqlite_master");
            if exists == 0 {
                text.push_str(&format!("{table}: (no such table)\n"));
                continue;
            }
            // A refused write is recorded in the audit log (its own entry, nothing else): the
            // fingerprint leaves audit entries out so it still shows that nothing else changed.
            let filter = if table == "record_log" { "WHERE kind <> 'audit'" } else { "" };
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table} {filter} ORDER BY 1, 2")).expect("prepare");
            let columns = stmt.column_count();
            let rows = stmt
                .query_map([], |row| {
                    let cells: Vec<String> = (0..columns)
                        .map(|i| format!("{:?}", row.get_ref(i).map(|v| v.as_str().ok().map(str::to_string)).ok()))
                        .collect();
                    let numbers: Vec<String> = (0..columns)
                        .map(|i| format!("{:?}", row.get_ref(i).ok().and_then(|v| v.as_i64().ok())))
                        .collect();
                    Ok(format!("{table}: {} | {}", cells.join(","), numbers.join(",")))
                })
                .expect("query");
            for row in rows {
                text.push_str(&row.expect("row"));
                text.push('\n');
            }
        }
        text
    }

    /// The plan tables as text (plans are not part of `fingerprint`'s ledger tables).
    pub fn fingerprint_plans(&self) -> String {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        let mut text = String::new();
        for sql in [
            "SELECT party || fund || quarter || total_fen || status || IFNULL(submitted_on, '') || IFNULL(combined_on, '') FROM plan ORDER BY id",
            "SELECT plan_id || month || category || amount_fen FROM plan_line ORDER BY plan_id, month, category",
        ] {
            let mut stmt = conn.prepare(sql).expect("prepare");
            for row in stmt.query_map([], |r| r.get::<_, String>(0)).expect("query") {
                text.push_str(&row.expect("row"));
                text.push('\n');
            }
        }
        text
    }

    /// Opens the database directly, as someone with the sqlite3 shell would.
    pub fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db()).expect("open db")
    }
}

/// A path inside the repository.
pub fn fixture(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative).display().to_string()
}

/// The first sheet of an xlsx file as rows of cell texts.
pub fn sheet_rows(path: &Path) -> Vec<Vec<String>> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut workbook: Xlsx<_> = open_workbook(path).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}
