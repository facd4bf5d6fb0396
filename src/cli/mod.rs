//! The command line: clap definitions, the context every command shares (database path,
//! operator, "now", output format), and the mapping of errors to deliberate exit codes.
//! Each command loads what it needs, calls the pure core, writes in one transaction and
//! returns text; `main` prints it.

mod args;
mod closing;
mod demo;
mod events;
pub mod help;
mod integrity;
mod ledger;
mod plans;
mod policy;
mod reconcile;
mod reports;
mod statements;
mod users;
mod vouchers;

use crate::app::Session;
use crate::domain::ids::{BookCode, Period, VoucherNo};
use crate::plan::Step;
use crate::render::OutputFormat;
use crate::store::StoreError;
pub use args::*;
use std::path::PathBuf;

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

    /// A command whose result is a sentence: the sentence for people, JSON with the sentence
    /// (`message`) and the fields scripts need, CSV refused (there is no table to write).
    fn done(&self, command: &str, text: String, fields: serde_json::Value) -> Result<Outcome, CliError> {
        match self.format {
            OutputFormat::Table => Ok(Outcome::ok(text)),
            OutputFormat::Json => {
                let mut value = if fields.is_object() { fields } else { serde_json::json!({}) };
                value["command"] = command.into();
                value["message"] = text.trim_end().into();
                Ok(Outcome::ok(crate::render::json(&value)))
            }
            OutputFormat::Csv => Err(no_csv(command)),
        }
    }

    /// Refuses `--format csv` for a command whose answer is not a table.
    fn refuse_csv(&self, command: &str) -> Result<(), CliError> {
        if self.format == OutputFormat::Csv {
            return Err(no_csv(command));
        }
        Ok(())
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
                let text = crate::app::files::read_text(&path, "日历文件")?;
                files.push((path.display().to_string(), text));
            }
        }
        if files.is_empty() {
            return Err(CliError::refused(format!("日历目录 {} 中没有 YYYY.toml 文件", dir.display())));
        }
        // The folder adds years to the built-in ones, and replaces a built-in year it also has.
        let given = |name: &str| files.iter().any(|(path, _)| path.ends_with(name));
        let built_in = crate::calendar::EMBEDDED.iter().filter(|(name, _)| !given(name)).map(|(n, t)| (*n, *t));
        crate::calendar::Calendar::from_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())).chain(built_in))
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

    /// As `write_output`, the file filled by `write` (a report written as it is read).
    fn write_output_with(
        &self,
        target: &std::path::Path,
        force: bool,
        write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    ) -> Result<(), CliError> {
        Ok(crate::app::files::write_output_with(&self.db, target, force, write)?)
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
    if xlsx
        && !matches!(
            cli.command,
            Command::Report { .. } | Command::Journal { .. } | Command::Account { .. } | Command::TrialBalance { .. }
        )
    {
        return Err(CliError {
            code: exit::USAGE,
            message: "--format xlsx 只用于 journal、account、trial-balance 和 report（须给 --output）".into(),
        });
    }
    crate::render::set_style(table_width(cli.wide), cli.raw_amounts);
    crate::render::set_time_zone(
        crate::render::parse_time_zone(&cli.time_zone).map_err(|message| CliError { code: exit::USAGE, message })?,
    );
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
    let mut command = cli.command;
    fund_codes(&ctx, &mut command)?;
    let action = users::write_action(&command);
    let result = dispatch(&ctx, command);
    // A refused write is recorded too (its own transaction wrote nothing).
    if let (Err(error), Some((action, target))) = (&result, action) {
        if error.code == exit::REFUSED && ctx.db.exists() {
            crate::app::users::record_refusal(&ctx.session, &action, &target, &error.message);
        }
    }
    for note in ctx.session.take_notes() {
        eprintln!("注意：{}", crate::render::inert_text(&note));
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
            ctx.refuse_csv("voucher void")?;
            crate::app::ledger::void(&ctx.session, &book, number, &reason)?;
            let fields = serde_json::json!({"book": book.to_string(), "number": number.to_string(), "reason": reason});
            ctx.done("voucher void", format!("已作废 {book} {number}：{reason}\n"), fields)
        }
        Command::Voucher(VoucherCommand::Show { book, number }) => vouchers::show(ctx, &book, &number),
        Command::Voucher(VoucherCommand::Find(find)) => vouchers::find(ctx, &find),
        Command::Voucher(VoucherCommand::Print { book, period, numbers, output, force }) => {
            vouchers::print(ctx, &book, &period, &numbers, output.as_deref(), force)
        }
        Command::Completions { shell } => {
            one_output(ctx, "completions", "补全脚本")?;
            Ok(Outcome::ok(help::completions(shell)))
        }
        Command::Man => {
            one_output(ctx, "man", "手册页")?;
            Ok(Outcome::ok(help::man_page().map_err(|e| CliError::refused(e.to_string()))?))
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
        Command::Journal { range, all, export } => reports::journal(ctx, &range, all, &export),
        Command::Account { range, account, export } => reports::account(ctx, &range, &account, &export),
        Command::TrialBalance { range, export } => reports::trial_balance(ctx, &range, &export),
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
        Command::Demo { city } => {
            one_output(ctx, "demo", "文字摘要")?;
            demo::run(ctx, city)
        }
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
            one_output(ctx, "serve", "服务地址")?;
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
    if !listen.ip().is_loopback() {
        // Plain HTTP past this machine: every password and session crosses the network readable.
        eprintln!(
            "注意：正在 {listen} 上以明文 HTTP 服务，密码和会话在网络上可被截获；\
             请在本机前面放 TLS 反向代理（见 README），并监听 127.0.0.1"
        );
    }
    println!("fundpool 正在 http://{listen}/ 上服务 {}（Ctrl-C 停止）", ctx.db.display());
    let _ = std::io::stdout().flush();
    crate::server::serve(config)?;
    Ok(Outcome::ok(String::new()))
}

fn no_csv(command: &str) -> CliError {
    CliError {
        code: exit::USAGE,
        message: format!("{command} 的结果不是表格，不支持 --format csv（可用 table 或 json）"),
    }
}

/// `--fund` may name a fund as staff do (职工医保, 城乡居民基本医疗保险基金) as well as by its
/// code: a name is turned into the code here, once, from the city's funds.
fn fund_codes(ctx: &Context, command: &mut Command) -> Result<(), CliError> {
    let mut funds: Vec<&mut String> = Vec::new();
    match command {
        Command::Report { fund: Some(f), .. }
        | Command::Reconcile { fund: Some(f), .. }
        | Command::Assess { fund: Some(f), .. }
        | Command::Settle { fund: Some(f), .. }
        | Command::Schedule { fund: Some(f), .. }
        | Command::Plan(PlanCommand::Show { fund: Some(f), .. })
        | Command::Plan(PlanCommand::Create { fund: f, .. })
        | Command::Plan(PlanCommand::Submit { fund: f, .. })
        | Command::Plan(PlanCommand::Export { fund: f, .. })
        | Command::Budget(BudgetCommand::Reserve { fund: f, .. }) => funds.push(f),
        Command::Plan(PlanCommand::Combine(s) | PlanCommand::Approve(s) | PlanCommand::Check(s)) => {
            funds.push(&mut s.fund)
        }
        _ => {}
    }
    for fund in funds {
        if fund.is_ascii() {
            continue;
        }
        let city = ctx.open()?.reader().city()?;
        let code = city.fund_code(fund).ok_or_else(|| {
            let known: Vec<String> =
                city.fund.iter().map(|f| format!("{}（{}）", f.code, city.fund_label(&f.code))).collect();
            CliError::refused(format!("没有名为 {fund} 的基金：本市的基金有 {}", known.join("、")))
        })?;
        *fund = code.to_string();
    }
    Ok(())
}

/// Refuses `--format json|csv` for a command with one output of its own (a summary, a script, a
/// man page, an events file, a PDF): refused, not ignored.
pub(super) fn one_output(ctx: &Context, command: &str, what: &str) -> Result<(), CliError> {
    if ctx.format != OutputFormat::Table {
        return Err(CliError { code: exit::USAGE, message: format!("{command} 只输出{what}，不支持 --format") });
    }
    Ok(())
}

/// How wide tables may be: the terminal's width when standard output is one (or `COLUMNS`
/// when set), unless `--wide`.
fn table_width(wide: bool) -> Option<u16> {
    use std::io::IsTerminal;
    if wide {
        return None;
    }
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<u16>().ok()) {
        return Some(columns.max(40));
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| w.0.max(40))
}

/// Prints a command's output: through `$PAGER` (default `less -FRX`) when standard output is a
/// terminal and the text is taller than it (unless `--no-pager`), else directly.
pub fn show(text: &str, pager: bool) {
    use std::io::Write;
    set_paging(pager);
    let mut out = Paged::start(text.lines().count() + 1);
    let _ = out.write_all(text.as_bytes());
    let _ = out.finish();
}

/// Whether long output goes through the pager (`--no-pager` turns it off).
static PAGING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Sets whether long output goes through the pager, for this process.
pub fn set_paging(on: bool) {
    PAGING.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Hands a table's rows, a few at a time, to the function given; may be called more than once.
pub(super) type RowWalk<'a> =
    dyn Fn(&mut dyn FnMut(Vec<Vec<String>>) -> Result<(), crate::app::Error>) -> Result<(), crate::app::Error> + 'a;

/// Stdout for a report written as it is read. A reader that stops early (`| head`) closes the
/// pipe: the walk stops, and that is no error.
pub(super) struct Streamed {
    closed: std::cell::Cell<bool>,
    what: &'static str,
}

impl Streamed {
    pub(super) fn new(what: &'static str) -> Streamed {
        Streamed { closed: std::cell::Cell::new(false), what }
    }

    fn failed(&self, e: std::io::Error) -> crate::app::Error {
        self.closed.set(self.closed.get() || e.kind() == std::io::ErrorKind::BrokenPipe);
        crate::app::Error::refused(format!("无法写出{}：{e}", self.what))
    }

    /// The report's text (empty when it went straight to stdout), or nothing when the reader
    /// stopped early.
    pub(super) fn outcome(&self, text: Result<String, crate::app::Error>) -> Result<Outcome, CliError> {
        match text {
            Err(_) if self.closed.get() => Ok(Outcome::ok(String::new())),
            text => Ok(Outcome::ok(text?)),
        }
    }

    /// Writes JSON or CSV pieces to stdout (never through the pager) as `pieces` hands them on.
    pub(super) fn pieces(
        &self,
        pieces: impl FnOnce(&mut dyn FnMut(&str) -> Result<(), crate::app::Error>) -> Result<(), crate::app::Error>,
    ) -> Result<String, crate::app::Error> {
        // No terminal is shorter than no lines: the pager is never started.
        self.paged(0, pieces)
    }

    /// Writes text pieces through the pager (when standard output is a terminal shorter than
    /// about `lines`) as `pieces` hands them on.
    pub(super) fn paged(
        &self,
        lines: usize,
        pieces: impl FnOnce(&mut dyn FnMut(&str) -> Result<(), crate::app::Error>) -> Result<(), crate::app::Error>,
    ) -> Result<String, crate::app::Error> {
        use std::io::Write;
        let mut out = Paged::start(lines);
        pieces(&mut |piece| out.write_all(piece.as_bytes()).map_err(|e| self.failed(e)))?;
        out.finish().map_err(|e| self.failed(e))?;
        Ok(String::new())
    }

    /// A table measured beforehand (`measured`: its widths and number of rows, and its rows when
    /// it is short, which are returned laid out as text); a longer one is walked by `rows` and
    /// written a chunk at a time, through the pager, its columns lined up throughout.
    pub(super) fn table(
        &self,
        title: String,
        headers: &[&str],
        amounts: &[usize],
        measured: crate::render::MeasuredTable,
        rows: &RowWalk<'_>,
    ) -> Result<String, crate::app::Error> {
        match measured.rows {
            Some(kept) => Ok(title + &crate::render::table(headers, &kept, amounts)),
            None => self.chunked(title, headers, amounts, &measured.widths, rows),
        }
    }

    /// Writes a long table a chunk at a time through the pager, with the widths measured.
    fn chunked(
        &self,
        title: String,
        headers: &[&str],
        amounts: &[usize],
        widths: &crate::render::TableWidths,
        rows: &RowWalk<'_>,
    ) -> Result<String, crate::app::Error> {
        use crate::render::{ChunkedTable, FIRST_CHUNK, TABLE_CHUNK};
        use std::io::Write;
        let mut out = Paged::start(widths.rows + 5);
        out.write_all(title.as_bytes()).map_err(|e| self.failed(e))?;
        let mut table = ChunkedTable::new(headers, amounts, widths);
        // The first chunk is short, so that the first page is on screen as soon as the columns
        // are measured; the rest go a thousand rows at a time.
        let mut size = FIRST_CHUNK;
        let mut chunk = Vec::with_capacity(TABLE_CHUNK);
        rows(&mut |batch| {
            // A full chunk is written when more rows come, so the last one (which closes the
            // table) is never empty.
            if chunk.len() >= size && !batch.is_empty() {
                out.write_all(table.chunk(&chunk, false).as_bytes()).map_err(|e| self.failed(e))?;
                out.flush().map_err(|e| self.failed(e))?;
                chunk.clear();
                size = TABLE_CHUNK;
            }
            chunk.extend(batch);
            Ok(())
        })?;
        out.write_all(table.chunk(&chunk, true).as_bytes()).map_err(|e| self.failed(e))?;
        out.finish().map_err(|e| self.failed(e))?;
        Ok(String::new())
    }
}

/// Where a report goes: `$PAGER` (default `less -FRX`) when standard output is a terminal too
/// short for its `lines`, else standard output. A report written in pieces writes each here.
pub struct Paged {
    pager: Option<std::process::Child>,
    out: Box<dyn std::io::Write>,
}

impl Paged {
    pub fn start(lines: usize) -> Paged {
        use std::io::IsTerminal;
        let height = terminal_size::terminal_size().map(|(_, h)| h.0 as usize).unwrap_or(usize::MAX);
        let paging = PAGING.load(std::sync::atomic::Ordering::Relaxed);
        if paging && std::io::stdout().is_terminal() && lines > height {
            let pager =
                std::env::var("PAGER").ok().filter(|p| !p.trim().is_empty()).unwrap_or_else(|| "less -FRX".into());
            let mut words = pager.split_whitespace();
            if let Some(program) = words.next() {
                let child = std::process::Command::new(program).args(words).stdin(std::process::Stdio::piped()).spawn();
                if let Ok(mut child) = child {
                    if let Some(stdin) = child.stdin.take() {
                        return Paged { pager: Some(child), out: Box::new(stdin) };
                    }
                }
            }
        }
        Paged { pager: None, out: Box::new(std::io::BufWriter::new(std::io::stdout())) }
    }

    /// Flushes, and waits for the pager to be closed.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()?;
        drop(self.out);
        if let Some(mut pager) = self.pager.take() {
            pager.wait()?;
        }
        Ok(())
    }
}

impl std::io::Write for Paged {
    /// Everything written goes out as `render::inert_bytes` makes it (callers write whole texts,
    /// so a C1 pair is never split between writes).
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.out.write_all(&crate::render::inert_bytes(bytes))?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
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
