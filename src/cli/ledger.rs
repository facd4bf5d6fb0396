//! Commands that write the ledger: init, voucher add, import, review, post, reverse, close.
//! Each runs in one transaction: every problem is collected and reported, and if there is
//! any, nothing is written.

use super::{parse_book, parse_number, parse_period, CliError, Context, Outcome, Selection};
use crate::domain::chart::Chart;
use crate::domain::city::City;
use crate::domain::ids::{parse_date, BookCode};
use crate::domain::rejection::Rejection;
use crate::domain::voucher::{ClosedPeriods, LedgerRules, Status, VoucherDraft, VoucherRecord};
use crate::import::csv_lines::CsvVouchers;
use crate::import::voucher_file::{self, Format};
use crate::render::{self, OutputFormat};
use crate::store::{Inserted, Store, VoucherFilter, Writer};
use std::path::Path;

/// At most this many problems are printed; the count of the rest is given.
const MAX_REPORTED: usize = 200;

pub fn init(ctx: &Context, city_dir: &Path) -> Result<Outcome, CliError> {
    let read = |name: &str| {
        let path = city_dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| CliError::refused(format!("无法读取 {}：{e}", path.display())))
    };
    init_from(ctx, &read("city.toml")?, &read("chart.toml")?)
}

/// `init` from the text of a city file and a chart file.
pub fn init_from(ctx: &Context, city_toml: &str, chart_toml: &str) -> Result<Outcome, CliError> {
    let city = City::from_toml(city_toml).map_err(CliError::refused)?;
    let chart = Chart::from_toml(chart_toml).map_err(CliError::refused)?;
    let mut store = Store::create(&ctx.db)?;
    let mut writer = store.writer()?;
    writer.init_city(&city, &chart)?;
    writer.commit()?;
    let books = city.books();
    Ok(Outcome::ok(format!(
        "已创建账套 {}：{}，{} 个机构，{} 个基金，{} 个账簿，{} 个科目\n",
        ctx.db.display(),
        city.name,
        city.party.len(),
        city.fund.len(),
        books.len(),
        chart.accounts().count()
    )))
}

/// What writing a batch of drafts did.
#[derive(Default)]
pub(super) struct BatchReport {
    /// Vouchers written. Imports keep only the count so memory stays bounded on large files.
    pub(super) created: Vec<(BookCode, String)>,
    pub(super) created_count: usize,
    pub(super) list_created: bool,
    already_present: Vec<(BookCode, String, String)>,
    already_present_count: usize,
    pub(super) problems: Vec<String>,
    lines: usize,
}

impl BatchReport {
    pub(super) fn into_error(self) -> CliError {
        self.into_error_about("凭证")
    }

    /// The error listing every problem; `written` names what was not written.
    pub(super) fn into_error_about(self, written: &str) -> CliError {
        let total = self.problems.len();
        let mut message = format!("{total} 处错误，没有写入任何{written}：\n");
        for problem in self.problems.iter().take(MAX_REPORTED) {
            message.push_str("  ");
            message.push_str(problem);
            message.push('\n');
        }
        if total > MAX_REPORTED {
            message.push_str(&format!("  ……另有 {} 处错误未列出\n", total - MAX_REPORTED));
        }
        CliError::refused(message.trim_end().to_string())
    }
}

/// Writes a batch of drafts in one transaction: every problem is collected, and as soon as
/// there is one, nothing more is written (the transaction will be dropped).
pub(super) struct Batch<'w, 'conn, 'r> {
    pub(super) writer: &'w mut Writer<'conn>,
    pub(super) rules: LedgerRules<'r>,
    pub(super) maker: &'r str,
    /// With a reviewer, vouchers are posted in one step (trusted feeds).
    pub(super) reviewer: Option<&'r str>,
    pub(super) now: &'r str,
    pub(super) report: BatchReport,
}

impl<'w, 'conn, 'r> Batch<'w, 'conn, 'r> {
    pub(super) fn new(
        writer: &'w mut Writer<'conn>,
        inputs: &'r RulesInputs,
        maker: &'r str,
        reviewer: Option<&'r str>,
        now: &'r str,
    ) -> Batch<'w, 'conn, 'r> {
        Batch { writer, rules: inputs.rules(), maker, reviewer, now, report: BatchReport::default() }
    }

    /// Validates one draft and writes it. An external id already present with the same content
    /// is a no-op; with different content it is refused.
    /// Returns what was inserted, or `None` (already present, or refused and reported).
    pub(super) fn add(&mut self, draft: VoucherDraft, label: &str) -> Result<Option<Inserted>, CliError> {
        let report = &mut self.report;
        // Idempotency comes first: re-importing a voucher already on file is a no-op even
        // after its month has closed.
        if let (Some(external_id), Ok(_)) = (&draft.external_id, self.rules.city.book_kind(&draft.book)) {
            if let Some((number, digest)) = self.writer.find_external(&draft.book, external_id)? {
                if digest == draft.content_digest() {
                    report.already_present_count += 1;
                    if report.list_created {
                        report.already_present.push((draft.book.clone(), number.to_string(), external_id.clone()));
                    }
                } else {
                    let rejection = Rejection::ExistsWithDifferentContent {
                        book: draft.book.clone(),
                        external_id: external_id.clone(),
                        number: number.to_string(),
                    };
                    report.problems.push(format!("{label}：{rejection}"));
                }
                return Ok(None);
            }
        }
        let voucher = match self.rules.validate(draft) {
            Ok(voucher) => voucher,
            Err(problems) => {
                report.problems.extend(problems.iter().map(|p| format!("{label}：{p}")));
                return Ok(None);
            }
        };
        if !report.problems.is_empty() {
            return Ok(None);
        }
        let inserted = match self.reviewer {
            Some(reviewer) => self.writer.insert_posted(&voucher, self.maker, reviewer, self.now)?,
            None => self.writer.insert(&voucher, self.maker, self.now)?,
        };
        report.lines += voucher.lines().len();
        report.created_count += 1;
        if report.list_created {
            report.created.push((voucher.book().clone(), inserted.number.to_string()));
        }
        Ok(Some(inserted))
    }
}

/// What validation needs, loaded once per command inside its transaction.
pub(super) struct RulesInputs {
    pub(super) city: City,
    pub(super) chart: Chart,
    pub(super) closed: ClosedPeriods,
}

impl RulesInputs {
    pub(super) fn load(writer: &Writer<'_>) -> Result<RulesInputs, CliError> {
        let reader = writer.reader();
        Ok(RulesInputs { city: reader.city()?, chart: reader.chart()?, closed: reader.closed_periods()? })
    }

    pub(super) fn rules(&self) -> LedgerRules<'_> {
        LedgerRules { city: &self.city, chart: &self.chart, closed: &self.closed }
    }
}

pub fn add_vouchers(ctx: &Context, file: &Path) -> Result<Outcome, CliError> {
    let format = Format::from_path(file).map_err(CliError::refused)?;
    let text =
        std::fs::read_to_string(file).map_err(|e| CliError::refused(format!("无法读取 {}：{e}", file.display())))?;
    add_vouchers_from(ctx, &text, format, &file.display().to_string())
}

/// `voucher add` on text already read; `name` labels errors.
pub fn add_vouchers_from(ctx: &Context, text: &str, format: Format, name: &str) -> Result<Outcome, CliError> {
    let operator = ctx.operator()?;
    let drafts = voucher_file::parse(text, format).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        CliError::refused(format!("{name} 中有 {} 处错误，没有写入任何凭证：\n{}", errors.len(), lines.join("\n")))
    })?;
    let mut store = ctx.open()?;
    let mut writer = store.writer()?;
    let inputs = RulesInputs::load(&writer)?;
    let mut batch = Batch::new(&mut writer, &inputs, operator, None, &ctx.now);
    batch.report.list_created = true;
    for (index, draft) in drafts.into_iter().enumerate() {
        batch.add(draft, &format!("第 {} 张凭证", index + 1))?;
    }
    let report = batch.report;
    if !report.problems.is_empty() {
        return Err(report.into_error());
    }
    writer.commit()?;
    Ok(Outcome::ok(batch_summary(&report, Status::Draft, ctx.format)))
}

fn batch_summary(report: &BatchReport, status: Status, format: OutputFormat) -> String {
    let mut rows: Vec<Vec<String>> = report
        .created
        .iter()
        .map(|(book, number)| vec![book.to_string(), number.clone(), status.label().to_string(), String::new()])
        .collect();
    rows.extend(report.already_present.iter().map(|(book, number, id)| {
        vec![book.to_string(), number.clone(), "已存在，未重复写入".to_string(), id.clone()]
    }));
    match format {
        OutputFormat::Json => render::json(&serde_json::json!({
            "created": report.created.iter().map(|(b, n)| serde_json::json!({"book": b.to_string(), "number": n})).collect::<Vec<_>>(),
            "already_present": report.already_present.iter().map(|(b, n, id)| serde_json::json!({"book": b.to_string(), "number": n, "external_id": id})).collect::<Vec<_>>(),
            "status": status.as_str(),
        })),
        OutputFormat::Csv => render::csv(&["book", "number", "result", "external_id"], &rows),
        OutputFormat::Table => render::table(&["账簿", "凭证号", "结果", "外部编号"], &rows, &[]),
    }
}

pub fn import_csv(ctx: &Context, file: &Path, post: bool, reviewer: Option<&str>) -> Result<Outcome, CliError> {
    let handle =
        std::fs::File::open(file).map_err(|e| CliError::refused(format!("无法读取 {}：{e}", file.display())))?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let input = std::io::BufReader::with_capacity(1 << 16, handle);
    import_from(ctx, input, size, &file.display().to_string(), post, reviewer)
}

/// `import` from any reader of `size` bytes; `name` labels errors.
pub fn import_from(
    ctx: &Context,
    input: impl std::io::Read,
    size: u64,
    name: &str,
    post: bool,
    reviewer: Option<&str>,
) -> Result<Outcome, CliError> {
    let operator = ctx.operator()?;
    let reviewer = match (post, reviewer) {
        (true, None) => return Err(CliError::refused("--post 需要 --reviewer 审核人（审核人不能是操作人）")),
        (false, Some(_)) => return Err(CliError::refused("--reviewer 只与 --post 一起使用")),
        (true, Some(r)) if r == operator => {
            return Err(CliError::refused(
                Rejection::ReviewerMustDifferFromMaker { maker: operator.into() }.to_string(),
            ))
        }
        (_, r) => r,
    };
    let mut vouchers = CsvVouchers::new(input).map_err(|e| CliError::refused(format!("{name}：{e}")))?;
    let progress = if ctx.interactive {
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} 导入 {bytes}/{total_bytes} [{bar:30}] {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut store = ctx.open()?;
    let mut writer = store.writer()?;
    let inputs = RulesInputs::load(&writer)?;
    let mut batch = Batch::new(&mut writer, &inputs, operator, reviewer, &ctx.now);
    let mut count = 0u64;
    while let Some(item) = vouchers.next() {
        count += 1;
        if count.is_multiple_of(1024) {
            progress.set_position(vouchers.bytes_read());
        }
        match item {
            Ok(voucher) => {
                let label = format!("凭证 {}（第 {} 行起）", voucher.key, voucher.line);
                batch.add(voucher.draft, &label)?;
            }
            Err(errors) => batch.report.problems.extend(errors.iter().map(|e| e.to_string())),
        }
    }
    let report = batch.report;
    progress.finish_and_clear();
    if !report.problems.is_empty() {
        return Err(report.into_error());
    }
    if report.created_count == 0 && report.already_present_count == 0 {
        return Err(CliError::refused(format!("{name} 中没有凭证行")));
    }
    writer.commit()?;
    let status = if reviewer.is_some() { Status::Posted } else { Status::Draft };
    let (created, lines, present) = (report.created_count, report.lines, report.already_present_count);
    let text = match ctx.format {
        OutputFormat::Table => format!(
            "已导入 {created} 张凭证（{lines} 行分录），状态：{}；已存在未重复写入 {present} 张\n",
            status.label()
        ),
        OutputFormat::Json => render::json(&serde_json::json!({
            "created": created, "lines": lines, "already_present": present, "status": status.as_str()
        })),
        OutputFormat::Csv => render::csv(
            &["created", "lines", "already_present", "status"],
            &[vec![created.to_string(), lines.to_string(), present.to_string(), status.as_str().to_string()]],
        ),
    };
    Ok(Outcome::ok(text))
}

/// The vouchers a review or post applies to: named ones, or all in the book/month with `--all`.
fn select(store: &Store, selection: &Selection, wanted: Status) -> Result<Vec<VoucherRecord>, CliError> {
    let book = selection.book.as_deref().map(parse_book).transpose()?;
    let period = selection.period.as_deref().map(parse_period).transpose()?;
    let reader = store.reader();
    if !selection.numbers.is_empty() {
        if selection.all {
            return Err(CliError::refused("--number 与 --all 只能选一个"));
        }
        let book = book.ok_or_else(|| CliError::refused("指定凭证号时须用 --book 说明账簿"))?;
        let mut records = Vec::new();
        for text in &selection.numbers {
            let number = parse_number(text)?;
            let record = reader.voucher(&book, number)?.ok_or_else(|| {
                CliError::refused(
                    Rejection::VoucherNotFound { book: book.clone(), number: number.to_string() }.to_string(),
                )
            })?;
            records.push(record);
        }
        return Ok(records);
    }
    if !selection.all {
        return Err(CliError::refused("请用 --number 指定凭证，或用 --all 选择全部（可加 --book、--period 限定）"));
    }
    let filter = VoucherFilter { book, from: period, to: period, status: Some(wanted), ..Default::default() };
    Ok(reader.vouchers(&filter)?)
}

fn selection_result(done: &[VoucherRecord], verb: &str, format: OutputFormat) -> String {
    let rows: Vec<Vec<String>> = done
        .iter()
        .map(|v| {
            vec![
                v.book.to_string(),
                v.number.to_string(),
                v.date.to_string(),
                v.total(crate::domain::chart::Side::Debit).grouped(),
            ]
        })
        .collect();
    match format {
        OutputFormat::Json => render::json(&serde_json::json!({
            verb: done.iter().map(|v| serde_json::json!({"book": v.book.to_string(), "number": v.number.to_string()})).collect::<Vec<_>>()
        })),
        OutputFormat::Csv => render::csv(&["book", "number", "date", "amount"], &rows),
        OutputFormat::Table if rows.is_empty() => "没有需要处理的凭证\n".to_string(),
        OutputFormat::Table => render::table(&["账簿", "凭证号", "日期", "金额"], &rows, &[3]),
    }
}

pub fn review(ctx: &Context, selection: &Selection) -> Result<Outcome, CliError> {
    let reviewer = ctx.operator()?;
    let mut store = ctx.open()?;
    let records = select(&store, selection, Status::Draft)?;
    let mut problems = Vec::new();
    for record in &records {
        if record.status != Status::Draft {
            let rejection = Rejection::WrongStatus {
                number: format!("{} {}", record.book, record.number),
                status: record.status.label().into(),
                action: "审核".into(),
            };
            problems.push(rejection.to_string());
        } else if record.maker == reviewer {
            let rejection = Rejection::ReviewerMustDifferFromMaker { maker: record.maker.clone() };
            problems.push(format!("{} {}：{rejection}", record.book, record.number));
        }
    }
    refuse_if_any(problems)?;
    let mut writer = store.writer()?;
    for record in &records {
        writer.review(record.id, reviewer, &ctx.now)?;
    }
    writer.commit()?;
    Ok(Outcome::ok(selection_result(&records, "reviewed", ctx.format)))
}

pub fn post(ctx: &Context, selection: &Selection) -> Result<Outcome, CliError> {
    let poster = ctx.operator()?;
    let mut store = ctx.open()?;
    let mut records = select(&store, selection, Status::Reviewed)?;
    records.sort_by(|a, b| (&a.book, a.number).cmp(&(&b.book, b.number)));
    let closed = store.reader().closed_periods()?;
    let mut problems = Vec::new();
    for record in &records {
        if record.status != Status::Reviewed {
            let hint = if record.status == Status::Draft { "记账（须先审核）" } else { "再次记账" };
            let rejection = Rejection::WrongStatus {
                number: format!("{} {}", record.book, record.number),
                status: record.status.label().into(),
                action: hint.into(),
            };
            problems.push(rejection.to_string());
        } else if closed.contains(&(record.book.clone(), record.number.period)) {
            let rejection = Rejection::PeriodMustBeOpen { book: record.book.clone(), period: record.number.period };
            problems.push(format!("{}：{rejection}", record.number));
        }
    }
    refuse_if_any(problems)?;
    let mut writer = store.writer()?;
    for record in &records {
        writer.post(record, poster, &ctx.now)?;
    }
    writer.commit()?;
    Ok(Outcome::ok(selection_result(&records, "posted", ctx.format)))
}

fn refuse_if_any(problems: Vec<String>) -> Result<(), CliError> {
    if problems.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    Err(CliError::refused(format!("{} 处错误，没有做任何改动：\n{}", problems.len(), lines.join("\n"))))
}

pub fn reverse(
    ctx: &Context,
    book: &str,
    number: &str,
    date: Option<&str>,
    reviewer: &str,
) -> Result<Outcome, CliError> {
    let operator = ctx.operator()?;
    if reviewer == operator {
        return Err(CliError::refused(Rejection::ReviewerMustDifferFromMaker { maker: operator.into() }.to_string()));
    }
    let book = parse_book(book)?;
    let number = parse_number(number)?;
    let mut store = ctx.open()?;
    let mut writer = store.writer()?;
    let inputs = RulesInputs::load(&writer)?;
    let original = writer.reader().voucher(&book, number)?.ok_or_else(|| {
        CliError::refused(Rejection::VoucherNotFound { book: book.clone(), number: number.to_string() }.to_string())
    })?;
    let date = match date {
        Some(text) => parse_date(text).map_err(CliError::refused)?,
        None => original.date,
    };
    let voucher = inputs.rules().reversal(&original, date).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        CliError::refused(format!("不能冲销 {book} {number}：\n{}", lines.join("\n")))
    })?;
    let inserted = writer.insert_posted(&voucher, operator, reviewer, &ctx.now)?;
    writer.commit()?;
    Ok(Outcome::ok(format!("已用红字凭证 {book} {} 冲销 {number}（{}）\n", inserted.number, date)))
}
