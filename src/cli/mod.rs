//! The command line: clap definitions, the context every command shares (database path,
//! operator, "now", output format), and the mapping of errors to deliberate exit codes.
//! Each command loads what it needs, calls the pure core, writes in one transaction and
//! returns text; `main` prints it.

mod closing;
mod demo;
mod events;
mod integrity;
mod ledger;
mod plans;
mod policy;
mod reconcile;
mod reports;
mod statements;
mod users;

use crate::app::Session;
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::plan::Step;
use crate::render::OutputFormat;
use crate::store::StoreError;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The `--format` values; `xlsx` is for `report` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
    Xlsx,
}

/// Exit codes: 0 ok; 1 input or data refused; 2 usage; 3 reconciliation differences;
/// 4 deadlines overdue; 5 integrity check failed; 70 internal error; 75 busy (another writer
/// held the database past the busy timeout; nothing was written).
pub mod exit {
    pub const OK: i32 = 0;
    pub const REFUSED: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const DIFFERENCES: i32 = 3;
    pub const OVERDUE: i32 = 4;
    pub const INTEGRITY: i32 = 5;
    pub const INTERNAL: i32 = 70;
    pub const BUSY: i32 = 75;
}

#[derive(Parser, Debug)]
#[command(name = "fundpool", version, about = "医保基金市级统筹 记账、对账与报表 (fundpool)")]
pub struct Cli {
    /// The SQLite database file [default: fundpool.db; for demo: fundpool-demo.db].
    #[arg(long, global = true)]
    pub db: Option<PathBuf>,
    /// Who is doing this (recorded as 制单人/审核人/记账人).
    #[arg(long, global = true, env = "FUNDPOOL_OPERATOR")]
    pub operator: Option<String>,
    /// A folder of working-day calendar files (YYYY.toml) to use instead of the built-in
    /// 2022–2025 ones, e.g. to add next year's holidays without rebuilding.
    #[arg(long, global = true, env = "FUNDPOOL_CALENDAR")]
    pub calendar: Option<PathBuf>,
    /// Output: table (default), json, csv, or xlsx (reports only, with --output).
    #[arg(long, global = true, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// Seconds a command that writes waits for another writer to finish before giving up
    /// (exit 75, nothing written).
    #[arg(long, global = true, env = "FUNDPOOL_BUSY_TIMEOUT", default_value_t = 30)]
    pub busy_timeout: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a database for a city (its books, chart and settings).
    Init {
        /// The city's fixture folder (city.toml and chart.toml).
        #[arg(long)]
        city: PathBuf,
    },
    /// Voucher drafts from a file.
    #[command(subcommand)]
    Voucher(VoucherCommand),
    /// Import voucher lines from CSV (one transaction; every bad row reported).
    Import {
        file: PathBuf,
        /// Post in one step (trusted system feeds); needs --reviewer.
        #[arg(long)]
        post: bool,
        /// The reviewer recorded with --post (must differ from the operator).
        #[arg(long)]
        reviewer: Option<String>,
        /// Import vouchers identical to ones already in the book (same date, lines and memo,
        /// no external id) instead of refusing them as probable duplicates.
        #[arg(long)]
        allow_duplicates: bool,
    },
    /// 审核: mark draft vouchers reviewed.
    Review(Selection),
    /// 记账: post reviewed vouchers; or, given an events file, post its business events.
    Post {
        /// An events file (TOML or JSON): every event becomes its vouchers, all or nothing.
        events: Option<PathBuf>,
        #[command(flatten)]
        selection: Selection,
        /// With an events file: post the vouchers in one step; needs --reviewer.
        #[arg(long)]
        post: bool,
        /// With --post: the reviewer recorded (must differ from the operator).
        #[arg(long)]
        reviewer: Option<String>,
    },
    /// One business event typed by staff: `event KIND --field value …` (global flags go before
    /// `event`; `--post --reviewer NAME` may be given among the fields).
    Event {
        /// The event kind, e.g. benefit_payment.
        kind: String,
        /// The event's fields as --name value pairs: --id, --date, --fund, --ref, --summary, …
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        fields: Vec<String>,
    },
    /// 红字冲销: reverse a posted voucher with a red-ink voucher.
    Reverse {
        #[arg(long)]
        book: String,
        /// The voucher to reverse, e.g. 记-2023-01-0001.
        #[arg(long)]
        number: String,
        /// Date of the reversal (default: the original's date); its month must be open.
        #[arg(long)]
        date: Option<String>,
        /// Who reviewed the correction (must differ from the operator).
        #[arg(long)]
        reviewer: String,
    },
    /// 序时账: the vouchers of a book, in order.
    Journal {
        #[command(flatten)]
        range: BookRange,
        /// Include drafts and reviewed vouchers, not only posted ones.
        #[arg(long)]
        all: bool,
    },
    /// 明细账: one account's entries with running balance.
    Account {
        #[command(flatten)]
        range: BookRange,
        /// The account code (a parent includes its sub-accounts).
        #[arg(long)]
        account: String,
    },
    /// 科目余额表: opening, debit, credit and closing per account.
    TrialBalance {
        #[command(flatten)]
        range: BookRange,
    },
    /// 结账: close a month (every book, or one) after a clean reconciliation; writes a seal.
    Close {
        #[arg(long)]
        period: String,
        #[arg(long)]
        book: Option<String>,
        /// Close although the latest reconciliation found differences (needs --reason).
        #[arg(long)]
        accept_differences: bool,
        /// Why the differences are accepted (recorded in the seal).
        #[arg(long)]
        reason: Option<String>,
        /// The date the month is closed on (default: today).
        #[arg(long)]
        on: Option<String>,
    },
    /// Statements: balance sheet, income and expenditure, trial balance; of a book or consolidated.
    Report {
        #[arg(value_enum)]
        kind: statements::ReportKind,
        #[arg(long)]
        book: Option<String>,
        #[arg(long)]
        fund: Option<String>,
        /// The whole city per fund, inter-level pairs eliminated (with --fund).
        #[arg(long)]
        consolidated: bool,
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        /// Write to this file (required for --format xlsx).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Replace --output if it exists (never the database).
        #[arg(long)]
        force: bool,
    },
    /// 期末结转: close revenue and expense into 一般基金 on 31 December (before December closes).
    YearEnd {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        book: Option<String>,
        /// Who reviewed the closing vouchers (must differ from the operator).
        #[arg(long)]
        reviewer: String,
    },
    /// 反结账: reopen the latest closed month.
    Reopen {
        #[arg(long)]
        period: String,
        #[arg(long)]
        reason: String,
    },
    /// The tax authority's, treasury's and banks' records.
    #[command(subcommand)]
    Statement(StatementCommand),
    /// Month-end reconciliation: every check (or one), every fund (or one); exit 3 on differences.
    Reconcile {
        #[arg(long)]
        period: String,
        /// One check: tax_treasury, treasury_finance, finance_agency, city_county, bank, invariants.
        #[arg(long)]
        check: Option<String>,
        #[arg(long)]
        fund: Option<String>,
        /// Show the stored run with this number instead of running the checks again.
        #[arg(long, conflicts_with_all = ["check", "fund"])]
        run: Option<i64>,
    },
    /// Recompute balances from voucher lines and compare.
    Check,
    /// Recompute every hash chain, the record log, balances and seals; with --anchor, prove the
    /// database still holds every anchored state, extended only by appending.
    Verify {
        /// An anchor file written by `anchor` or printed by `close` (repeatable).
        #[arg(long = "anchor")]
        anchors: Vec<PathBuf>,
    },
    /// Write an anchor: the heads of every chain and the latest seal, to keep outside the database.
    Anchor {
        #[arg(long)]
        output: Option<PathBuf>,
        /// Replace --output if it exists.
        #[arg(long)]
        force: bool,
    },
    /// A consistent copy of the database while others may write (SQLite's online backup).
    Backup {
        file: PathBuf,
        /// Replace FILE if it exists (never the database itself).
        #[arg(long)]
        force: bool,
    },
    /// Bring an older database's structure up to date (commands that write do it too).
    Upgrade,
    /// Quarterly spending plans (用款计划).
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Budgets (an input for plans, the schedule and policy).
    #[command(subcommand)]
    Budget(BudgetCommand),
    /// The city's rule set in force (deadlines, reserves, ratios, each with its clause); `rules set`
    /// records a new version.
    Rules {
        #[command(subcommand)]
        action: Option<RulesCommand>,
        /// The day whose rules to show, YYYY-MM-DD (default: today).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// The consolidation schedule: balances, matured deposits and 备付金 due.
    Schedule {
        #[arg(long)]
        party: Option<String>,
        #[arg(long)]
        fund: Option<String>,
    },
    /// Every obligation of the timetable and its status on a day; exit 4 when something is overdue.
    Deadlines {
        #[arg(long)]
        as_of: String,
        #[arg(long)]
        party: Option<String>,
    },
    /// Share a year's policy gap and bill management gaps (input: a TOML file).
    Gaps {
        #[arg(long)]
        input: PathBuf,
    },
    /// County assessment (JL 14): completion ratios and incentives.
    Assess {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        fund: Option<String>,
        /// Management gaps owed and paid per county (TOML, as for `gaps`).
        #[arg(long)]
        input: Option<PathBuf>,
    },
    /// 年终结算 of a year after its December is closed: per county budget vs actual, the management
    /// gap, the 1 : 0.5 incentive, the 考核保证金 released or kept, the policy gap and its shares.
    /// Each run is recorded; a re-run shows what changed.
    Settle {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        fund: Option<String>,
        /// Write the events the settlement implies (deposit releases) as a draft events file.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Replace --output if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Build a fresh demo database for a city and show what fundpool does.
    Demo {
        #[arg(long, value_enum, default_value = "jingmen")]
        city: demo::DemoCity,
    },
    /// Serve the ledger to every office: Chinese pages and a JSON API (loopback by default).
    Serve {
        /// Where to listen; put a TLS reverse proxy in front for other machines.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// How long a login lasts, in minutes.
        #[arg(long, default_value_t = 480)]
        session_minutes: i64,
        /// On a demo database (default fundpool-demo.db): add a demo user per role and print them.
        #[arg(long)]
        demo: bool,
        /// Behind a reverse proxy on this machine: record the client address it puts in
        /// X-Forwarded-For (only for requests from loopback).
        #[arg(long)]
        trust_proxy: bool,
    },
    /// Registered users and their grants per party (管理员 only, after the first administrator).
    #[command(subcommand)]
    User(UserCommand),
    /// The audit log: every write and every refusal, with who, when, from where and on what.
    Audit {
        #[arg(long)]
        user: Option<String>,
        /// From this date (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// To this date (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Register a user; the password is read from standard input (--password-stdin) or asked.
    Add {
        name: String,
        /// The first administrator of a database without users (needs no login; gets 管理 on *).
        #[arg(long)]
        first_admin: bool,
        /// Read the new user's password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Every user with their grants.
    List,
    /// Stop a user from logging in (their records stay).
    Disable { name: String },
    /// Set a user's password.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Grant a role on a party (`*`: every party): maker, reviewer, poster, closer, reader, admin.
    Grant {
        name: String,
        #[arg(long)]
        party: String,
        #[arg(long)]
        role: String,
    },
    /// Take a role back.
    Revoke {
        name: String,
        #[arg(long)]
        party: String,
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    /// Create a draft plan from the command line.
    Create {
        #[arg(long)]
        party: String,
        #[arg(long)]
        fund: String,
        /// e.g. 2023Q2.
        #[arg(long)]
        quarter: String,
        /// The quarter's total; the lines must sum to it.
        #[arg(long)]
        total: String,
        /// MONTH:CATEGORY:AMOUNT, repeated, e.g. 2023-04:inpatient:20000000.00.
        #[arg(long = "line")]
        lines: Vec<String>,
    },
    /// Import draft plans from CSV: party,fund,quarter,total,month,category,amount.
    Import { file: PathBuf },
    /// The agency submits its plan (due the 15th of the quarter before's third month).
    Submit {
        #[arg(long)]
        party: String,
        #[arg(long)]
        fund: String,
        #[arg(long)]
        quarter: String,
        /// The date it was done (default: today).
        #[arg(long)]
        on: Option<String>,
    },
    /// The city agency combines every agency's plan (due the 20th).
    Combine(PlanScope),
    /// The medical insurance bureau approves the combined plan.
    Approve(PlanScope),
    /// The finance bureau re-checks (复核) the approved plan.
    Check(PlanScope),
    /// Plans with their months, totals, deposits and workflow.
    Show {
        #[arg(long)]
        fund: Option<String>,
        #[arg(long)]
        quarter: Option<String>,
    },
    /// The allocation events of an approved plan, as an events file to post.
    Export {
        #[arg(long)]
        fund: String,
        #[arg(long)]
        quarter: String,
        #[arg(long)]
        output: Option<PathBuf>,
        /// Replace --output if it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args, Debug)]
pub struct PlanScope {
    #[arg(long)]
    pub fund: String,
    #[arg(long)]
    pub quarter: String,
    /// The date it was done (default: today).
    #[arg(long)]
    pub on: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Record a new version of the rule set from a rules.toml, in force from a day.
    Set {
        file: PathBuf,
        /// The first day it governs, YYYY-MM-DD.
        #[arg(long)]
        from: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum BudgetCommand {
    /// Import budgets from CSV: year,party,fund,income,expenditure.
    Import { file: PathBuf },
    /// The risk reserve withheld from a year's expenditure budget, and the 20% rule.
    Reserve {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        fund: String,
    },
    /// A county's matching-subsidy basis (TS 8): June-end resident headcount × per-capita standard.
    Matching {
        #[arg(long)]
        year: i32,
        /// The county (party code), e.g. shayang.
        #[arg(long)]
        party: String,
        /// Resident insured headcount at June-end, e.g. 463000.
        #[arg(long)]
        headcount: u64,
        /// Per-capita matching standard in 元, e.g. 30.00.
        #[arg(long = "per-capita")]
        per_capita: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum StatementCommand {
    /// Import a statement CSV (idempotent per line: ref + source).
    Import {
        /// tax, treasury or bank.
        #[arg(long)]
        source: String,
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum VoucherCommand {
    /// Add voucher drafts from a TOML or JSON file.
    Add { file: PathBuf },
    /// 作废: void a draft (kept, marked 作废, its number never reused), with the reason.
    Void {
        #[arg(long)]
        book: String,
        #[arg(long)]
        number: String,
        #[arg(long)]
        reason: String,
    },
}

/// Which vouchers a review or post applies to.
#[derive(Args, Debug)]
pub struct Selection {
    /// The book, e.g. shayang/employee.
    #[arg(long)]
    pub book: Option<String>,
    /// Limit to one month.
    #[arg(long)]
    pub period: Option<String>,
    /// Voucher numbers; repeat for several.
    #[arg(long = "number")]
    pub numbers: Vec<String>,
    /// Every eligible voucher in the book (and month), instead of named ones.
    #[arg(long)]
    pub all: bool,
}

/// A book and a period range.
#[derive(Args, Debug)]
pub struct BookRange {
    #[arg(long)]
    pub book: String,
    /// One month (same as --from P --to P).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,
    #[arg(long)]
    pub from: Option<String>,
    #[arg(long)]
    pub to: Option<String>,
}

/// A command's failure, with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn refused(message: impl Into<String>) -> CliError {
        CliError { code: exit::REFUSED, message: message.into() }
    }
}

impl From<StoreError> for CliError {
    fn from(error: StoreError) -> Self {
        crate::app::Error::from(error).into()
    }
}

impl From<crate::app::Error> for CliError {
    fn from(error: crate::app::Error) -> Self {
        use crate::app::ErrorKind;
        let code = match error.kind {
            ErrorKind::Refused | ErrorKind::Forbidden => exit::REFUSED,
            ErrorKind::Busy => exit::BUSY,
            ErrorKind::Integrity => exit::INTEGRITY,
            ErrorKind::Internal => exit::INTERNAL,
        };
        CliError { code, message: error.message }
    }
}

/// What a command produced: text for standard output and the exit code.
pub struct Outcome {
    pub stdout: String,
    pub code: i32,
}

impl Outcome {
    fn ok(stdout: String) -> Outcome {
        Outcome { stdout, code: exit::OK }
    }
}

/// What every command may use: read once, here, and passed down.
pub struct Context {
    /// The database, the acting person and "now", as the application layer takes them.
    pub session: Session,
    pub db: PathBuf,
    pub format: OutputFormat,
    /// `--format xlsx` was asked for (reports write a spreadsheet).
    pub xlsx: bool,
    /// The calendar folder given with --calendar, if any.
    pub calendar: Option<PathBuf>,
    /// "Now" for timestamps: FUNDPOOL_NOW when set (tests), else the clock.
    pub now: String,
    /// Whether standard error is a terminal (progress bars only then).
    pub interactive: bool,
}

impl Context {
    fn operator(&self) -> Result<String, CliError> {
        Ok(self.session.actor()?)
    }

    /// The same context acting as someone else (the demo plays several staff).
    fn as_operator(&self, name: &str) -> Context {
        Context {
            session: self.session.as_operator(name),
            db: self.db.clone(),
            format: self.format,
            xlsx: self.xlsx,
            calendar: self.calendar.clone(),
            now: self.now.clone(),
            interactive: self.interactive,
        }
    }

    /// The business date of an action: the date given, or today's.
    fn business_date(&self, on: Option<&str>) -> Result<chrono::NaiveDate, CliError> {
        let text = on.unwrap_or_else(|| self.now.get(..10).unwrap_or(&self.now));
        crate::domain::ids::parse_date(text).map_err(CliError::refused)
    }

    /// The working-day calendar: the --calendar folder, or the built-in years.
    fn calendar(&self) -> Result<crate::calendar::Calendar, CliError> {
        let Some(dir) = &self.calendar else { return Ok(crate::calendar::Calendar::embedded()) };
        let entries = std::fs::read_dir(dir)
            .map_err(|e| CliError::refused(format!("无法读取日历目录 {}：{e}", dir.display())))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| CliError::refused(e.to_string()))?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| CliError::refused(format!("无法读取 {}：{e}", path.display())))?;
                files.push((path.display().to_string(), text));
            }
        }
        if files.is_empty() {
            return Err(CliError::refused(format!("日历目录 {} 中没有 YYYY.toml 文件", dir.display())));
        }
        crate::calendar::Calendar::from_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| CliError::refused(e.to_string()))
    }

    /// The database opened read-only, for commands that only read every party's books (on a
    /// database with users: for someone who may read them all).
    fn open(&self) -> Result<crate::app::Pooled, CliError> {
        Ok(self.session.read_for(None)?)
    }

    /// The database opened read-only for someone who may read `book`'s party.
    fn open_book(&self, book: &str) -> Result<crate::app::Pooled, CliError> {
        let book = parse_book(book)?;
        Ok(self.session.read_for(Some(&book.party))?)
    }

    /// The database opened for writing (migrated if older, saying so).
    fn open_write(&self, activity: &str) -> Result<crate::app::Pooled, CliError> {
        Ok(self.session.write(activity)?)
    }

    /// Writes an output file safely: never the database, never an existing file unless forced.
    fn write_output(&self, target: &std::path::Path, bytes: &[u8], force: bool) -> Result<(), CliError> {
        Ok(crate::app::files::write_output(&self.db, target, bytes, force)?)
    }
}

pub fn run(cli: Cli) -> Result<Outcome, CliError> {
    use std::io::IsTerminal;
    let now =
        std::env::var("FUNDPOOL_NOW").unwrap_or_else(|_| chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let default_db = match cli.command {
        Command::Demo { .. } | Command::Serve { demo: true, .. } => "fundpool-demo.db",
        _ => "fundpool.db",
    };
    let xlsx = cli.format == FormatArg::Xlsx;
    if xlsx && !matches!(cli.command, Command::Report { .. }) {
        return Err(CliError { code: exit::USAGE, message: "--format xlsx 只用于 report 命令".into() });
    }
    let format = match cli.format {
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Csv => OutputFormat::Csv,
        FormatArg::Table | FormatArg::Xlsx => OutputFormat::Table,
    };
    let db = cli.db.unwrap_or_else(|| PathBuf::from(default_db));
    let busy_timeout = std::time::Duration::from_secs(cli.busy_timeout);
    let mut session = Session::new(db.clone(), cli.operator, now.clone(), busy_timeout);
    users::login_from_environment(&mut session);
    let ctx = Context {
        session,
        db,
        format,
        xlsx,
        calendar: cli.calendar,
        now,
        interactive: std::io::stderr().is_terminal(),
    };
    let action = users::write_action(&cli.command);
    let result = dispatch(&ctx, cli.command);
    // A refused write is recorded too (its own transaction wrote nothing).
    if let (Err(error), Some((action, target))) = (&result, action) {
        if error.code == exit::REFUSED && ctx.db.exists() {
            crate::app::users::record_refusal(&ctx.session, &action, &target, &error.message);
        }
    }
    for note in ctx.session.take_notes() {
        eprintln!("注意：{note}");
    }
    result
}

fn dispatch(ctx: &Context, command: Command) -> Result<Outcome, CliError> {
    match command {
        Command::Init { city } => ledger::init(ctx, &city),
        Command::Voucher(VoucherCommand::Add { file }) => ledger::add_vouchers(ctx, &file),
        Command::Voucher(VoucherCommand::Void { book, number, reason }) => {
            let book = parse_book(&book)?;
            let number = parse_number(&number)?;
            crate::app::ledger::void(&ctx.session, &book, number, &reason)?;
            Ok(Outcome::ok(format!("已作废 {book} {number}：{reason}\n")))
        }
        Command::Import { file, post, reviewer, allow_duplicates } => {
            ledger::import_csv(ctx, &file, post, reviewer.as_deref(), allow_duplicates)
        }
        Command::Review(selection) => ledger::review(ctx, &selection),
        Command::Post { events: Some(file), selection, post, reviewer } => {
            if selection.all || selection.book.is_some() || selection.period.is_some() || !selection.numbers.is_empty()
            {
                return Err(CliError::refused("post 事件文件时不能同时用 --all、--book、--period 或 --number"));
            }
            events::post_file(ctx, &file, post, reviewer.as_deref())
        }
        Command::Post { events: None, selection, post, reviewer } => {
            if post || reviewer.is_some() {
                return Err(CliError::refused("--post、--reviewer 只与事件文件一起使用"));
            }
            ledger::post(ctx, &selection)
        }
        Command::Event { kind, fields } => events::single(ctx, &kind, &fields),
        Command::Reverse { book, number, date, reviewer } => {
            ledger::reverse(ctx, &book, &number, date.as_deref(), &reviewer)
        }
        Command::Journal { range, all } => reports::journal(ctx, &range, all),
        Command::Account { range, account } => reports::account(ctx, &range, &account),
        Command::TrialBalance { range } => reports::trial_balance(ctx, &range),
        Command::Close { period, book, accept_differences, reason, on } => {
            closing::close(ctx, &period, book.as_deref(), accept_differences, reason.as_deref(), on.as_deref())
        }
        Command::Reopen { period, reason } => closing::reopen(ctx, &period, &reason),
        Command::Report { kind, book, fund, consolidated, period, year, output, force } => {
            let scope = statements::Scope {
                book: book.as_deref(),
                fund: fund.as_deref(),
                consolidated,
                period: period.as_deref(),
                year,
            };
            statements::run(ctx, kind, &scope, output.as_deref(), force)
        }
        Command::YearEnd { year, book, reviewer } => closing::year_end(ctx, year, book.as_deref(), &reviewer),
        Command::Statement(StatementCommand::Import { source, file }) => {
            reconcile::import_statement(ctx, &source, &file)
        }
        Command::Reconcile { period, run: Some(id), .. } => reconcile::show(ctx, &period, id),
        Command::Reconcile { period, check, fund, run: None } => {
            reconcile::run(ctx, &period, check.as_deref(), fund.as_deref())
        }
        Command::Check => integrity::check(ctx),
        Command::Verify { anchors } => integrity::verify(ctx, &anchors),
        Command::Anchor { output, force } => integrity::anchor(ctx, output.as_deref(), force),
        Command::Backup { file, force } => integrity::backup(ctx, &file, force),
        Command::Upgrade => integrity::upgrade(ctx),
        Command::Demo { city } => demo::run(ctx, city),
        Command::Plan(PlanCommand::Create { party, fund, quarter, total, lines }) => {
            plans::create(ctx, &party, &fund, &quarter, &total, &lines)
        }
        Command::Plan(PlanCommand::Import { file }) => plans::import(ctx, &file),
        Command::Plan(PlanCommand::Submit { party, fund, quarter, on }) => {
            plans::step(ctx, Step::Submit, Some(&party), &fund, &quarter, on.as_deref())
        }
        Command::Plan(PlanCommand::Combine(s)) => {
            plans::step(ctx, Step::Combine, None, &s.fund, &s.quarter, s.on.as_deref())
        }
        Command::Plan(PlanCommand::Approve(s)) => {
            plans::step(ctx, Step::Approve, None, &s.fund, &s.quarter, s.on.as_deref())
        }
        Command::Plan(PlanCommand::Check(s)) => {
            plans::step(ctx, Step::Check, None, &s.fund, &s.quarter, s.on.as_deref())
        }
        Command::Plan(PlanCommand::Show { fund, quarter }) => plans::show(ctx, fund.as_deref(), quarter.as_deref()),
        Command::Plan(PlanCommand::Export { fund, quarter, output, force }) => {
            plans::export(ctx, &fund, &quarter, output.as_deref(), force)
        }
        Command::Budget(BudgetCommand::Import { file }) => plans::import_budget(ctx, &file),
        Command::Rules { action: None, as_of } => policy::rules(ctx, as_of.as_deref()),
        Command::Rules { action: Some(RulesCommand::Set { file, from }), .. } => policy::set_rules(ctx, &file, &from),
        Command::Budget(BudgetCommand::Reserve { year, fund }) => policy::budget_reserve(ctx, year, &fund),
        Command::Budget(BudgetCommand::Matching { year, party, headcount, per_capita }) => {
            plans::matching_basis(ctx, year, &party, headcount, &per_capita)
        }
        Command::Gaps { input } => policy::gaps(ctx, &input),
        Command::Assess { year, fund, input } => policy::assess(ctx, year, fund.as_deref(), input.as_deref()),
        Command::Settle { year, fund, output, force } => {
            policy::settle(ctx, year, fund.as_deref(), output.as_deref(), force)
        }
        Command::Schedule { party, fund } => plans::schedule(ctx, party.as_deref(), fund.as_deref()),
        Command::Deadlines { as_of, party } => plans::deadlines(ctx, &as_of, party.as_deref()),
        Command::User(command) => users::run(ctx, command),
        Command::Serve { listen, session_minutes, demo, trust_proxy } => {
            serve(ctx, listen, session_minutes, demo, trust_proxy)
        }
        Command::Audit { user, from, to } => users::audit(ctx, user.as_deref(), from.as_deref(), to.as_deref()),
    }
}

/// `serve`: prints where it listens (and the demo users), then serves until interrupted.
fn serve(
    ctx: &Context,
    listen: std::net::SocketAddr,
    session_minutes: i64,
    demo: bool,
    trust_proxy: bool,
) -> Result<Outcome, CliError> {
    use std::io::Write;
    if demo {
        if !ctx.db.exists() {
            // A newcomer's first `serve --demo` builds the demo year first.
            demo::run(&ctx.as_operator("演示"), demo::DemoCity::Jingmen)?;
        }
        let made = crate::app::demo::demo_users(&ctx.session)?;
        let rows: Vec<Vec<String>> = made.iter().map(|(n, r, p)| vec![n.clone(), r.clone(), p.clone()]).collect();
        println!("演示用户（仅用于演示账套）：\n{}", crate::render::table(&["用户名", "角色", "密码"], &rows, &[]));
    }
    let session_seconds = std::env::var("FUNDPOOL_SESSION_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(session_minutes.max(1) * 60);
    let config = crate::server::ServerConfig {
        db: ctx.db.clone(),
        listen,
        busy_timeout: ctx.session.busy_timeout,
        session_seconds,
        fixed_now: std::env::var("FUNDPOOL_NOW").ok(),
        trust_proxy,
    };
    println!("fundpool 正在 http://{listen}/ 上服务 {}（Ctrl-C 停止）", ctx.db.display());
    let _ = std::io::stdout().flush();
    crate::server::serve(config)?;
    Ok(Outcome::ok(String::new()))
}

fn parse_book(text: &str) -> Result<BookCode, CliError> {
    BookCode::parse(text).map_err(CliError::refused)
}

fn parse_period(text: &str) -> Result<Period, CliError> {
    Period::parse(text).map_err(CliError::refused)
}

fn parse_number(text: &str) -> Result<VoucherNo, CliError> {
    VoucherNo::parse(text).map_err(CliError::refused)
}
