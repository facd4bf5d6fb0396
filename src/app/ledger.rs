//! The ledger's staff actions: create a database (init), add drafts (制单), import a voucher
//! file, review (审核), post (记账) and reverse (红字冲销). Each runs in one write transaction
//! taken before anything is selected; every problem is collected and reported, and if there
//! is any, nothing is written.

use super::files::fingerprint;
use super::{refuse_all, Error, Result, Session};
use crate::domain::access::{Actor, Role};
use crate::domain::chart::Chart;
use crate::domain::city::City;
use crate::domain::ids::{parse_date, BookCode, Period, VoucherNo};
use crate::domain::rejection::Rejection;
use crate::domain::rules::RuleSet;
use crate::domain::voucher::{LedgerRules, PeriodRules, Status, VoucherDraft, VoucherRecord};
use crate::import::csv_lines::CsvVouchers;
use crate::import::voucher_file::{self, Format};
use crate::store::{BatchRecord, Inserted, Store, VoucherFilter, Writer};
use chrono::NaiveDate;
use std::path::Path;

/// At most this many problems are listed; the count of the rest is given.
const MAX_REPORTED: usize = 200;

/// What `init` made.
pub struct Initialised {
    pub city: String,
    pub parties: usize,
    pub funds: usize,
    pub books: usize,
    pub accounts: usize,
}

/// Creates a database from the text of a city file and a chart file.
pub fn init(session: &Session, city_toml: &str, chart_toml: &str, rules_toml: &str) -> Result<Initialised> {
    let city = City::from_toml(city_toml).map_err(Error::refused)?;
    let chart = Chart::from_toml(chart_toml).map_err(Error::refused)?;
    let rules = RuleSet::from_toml(rules_toml).map_err(Error::refused)?;
    check_rules_fit(&city, &rules)?;
    let operator = session.acting()?;
    let mut store = Store::create(&session.db, session.busy_timeout)?;
    let mut writer = store.writer()?;
    writer.init_city(&city, &chart)?;
    writer.insert_rule_set(city.opening(), &rules, &operator.name, &session.now)?;
    writer.commit()?;
    Ok(Initialised {
        city: city.name.clone(),
        parties: city.party.len(),
        funds: city.fund.len(),
        books: city.books().len(),
        accounts: chart.accounts().count(),
    })
}

/// A rule set must cover what the city pools: the county matching subsidy exactly when the
/// resident fund is pooled here.
pub fn check_rules_fit(city: &City, rules: &RuleSet) -> Result<()> {
    match (city.fund("resident").is_some(), rules.matching_subsidy.is_some()) {
        (true, false) => Err(Error::refused("本市统筹城乡居民医保基金，规则集缺少 matching_subsidy（县级配套补助）")),
        (false, true) => Err(Error::refused("本市不统筹城乡居民医保基金，规则集不应有 matching_subsidy")),
        _ => Ok(()),
    }
}

/// What writing a batch of drafts did.
#[derive(Default)]
pub struct BatchReport {
    /// Vouchers written. Imports keep only the count so memory stays bounded on large files.
    pub created: Vec<(BookCode, VoucherNo)>,
    pub created_count: usize,
    pub list_created: bool,
    pub already_present: Vec<(BookCode, VoucherNo, String)>,
    pub already_present_count: usize,
    pub problems: Vec<String>,
    /// Vouchers in books the actor may not write (or would review their own).
    pub forbidden: Vec<String>,
    pub lines: usize,
    /// The same file was imported before: nothing was written.
    pub earlier_batch: Option<BatchRecord>,
    /// The batch this import recorded.
    pub batch_id: Option<i64>,
}

impl BatchReport {
    /// The error listing every problem; `written` names what was not written.
    pub fn into_error_about(self, written: &str) -> Error {
        if !self.forbidden.is_empty() {
            return refuse_all(
                &format!("{} 处无权操作，没有写入任何{written}：", self.forbidden.len()),
                &self.forbidden,
            )
            .as_forbidden();
        }
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
        Error::refused(message.trim_end().to_string())
    }
}

/// How a batch treats drafts identical to a voucher already in the book (no external id on either).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicates {
    Refuse,
    Allow,
}

/// Writes a batch of drafts in one transaction: every problem is collected, and as soon as
/// there is one, nothing more is written (the transaction will be dropped).
pub struct Batch<'w, 'conn, 'r> {
    pub writer: &'w mut Writer<'conn>,
    pub rules: LedgerRules<'r>,
    /// Who makes the vouchers (制单 on each book's party; 记账 too when posting in one step).
    pub maker: &'r Actor,
    /// With a reviewer, vouchers are posted in one step (trusted feeds); 审核 on each book's party.
    pub reviewer: Option<&'r Actor>,
    pub now: &'r str,
    pub duplicates: Duplicates,
    pub report: BatchReport,
}

impl<'w, 'conn, 'r> Batch<'w, 'conn, 'r> {
    pub fn new(
        writer: &'w mut Writer<'conn>,
        inputs: &'r RulesInputs,
        maker: &'r Actor,
        reviewer: Option<&'r Actor>,
        now: &'r str,
    ) -> Batch<'w, 'conn, 'r> {
        Batch {
            writer,
            rules: inputs.rules(),
            maker,
            reviewer,
            now,
            duplicates: Duplicates::Refuse,
            report: BatchReport::default(),
        }
    }

    /// Validates one draft and writes it. An external id already present with the same content
    /// is a no-op; with different content it is refused.
    /// Returns what was inserted, or `None` (already present, or refused and reported).
    pub fn add(&mut self, draft: VoucherDraft, label: &str) -> Result<Option<Inserted>> {
        if let Err(problem) = self.grants(&draft.book.party) {
            self.report.forbidden.push(format!("{label}：{problem}"));
            return Ok(None);
        }
        let report = &mut self.report;
        // Idempotency comes first: re-importing a voucher already on file is a no-op even
        // after its month has closed.
        if let (Some(external_id), Ok(_)) = (&draft.external_id, self.rules.city.book_kind(&draft.book)) {
            if let Some((number, digest)) = self.writer.find_external(&draft.book, external_id)? {
                if digest == draft.content_digest() {
                    report.already_present_count += 1;
                    if report.list_created {
                        report.already_present.push((draft.book.clone(), number, external_id.clone()));
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
        if voucher.external_id().is_none() && self.duplicates == Duplicates::Refuse {
            if let Some(number) = self.writer.find_duplicate(&voucher)? {
                let rejection =
                    Rejection::ProbableDuplicate { book: voucher.book().clone(), number: number.to_string() };
                report.problems.push(format!("{label}：{rejection}"));
                return Ok(None);
            }
        }
        if !report.problems.is_empty() || !report.forbidden.is_empty() {
            return Ok(None);
        }
        let inserted = match self.reviewer {
            Some(reviewer) => self.writer.insert_posted(&voucher, &self.maker.name, &reviewer.name, self.now)?,
            None => self.writer.insert(&voucher, &self.maker.name, self.now)?,
        };
        report.lines += voucher.lines().len();
        report.created_count += 1;
        if report.list_created {
            report.created.push((voucher.book().clone(), inserted.number));
        }
        Ok(Some(inserted))
    }
}

impl Batch<'_, '_, '_> {
    /// The grants a voucher of `party`'s book needs: 制单, and for one-step posting 记账 for the
    /// maker and 审核 for the reviewer.
    fn grants(&self, party: &str) -> std::result::Result<(), String> {
        self.maker.require(Role::Maker, party)?;
        if let Some(reviewer) = self.reviewer {
            self.maker.require(Role::Poster, party)?;
            reviewer.require(Role::Reviewer, party)?;
        }
        Ok(())
    }
}

/// What validation needs, loaded once per command inside its transaction.
pub struct RulesInputs {
    pub city: City,
    pub chart: Chart,
    pub periods: PeriodRules,
}

impl RulesInputs {
    /// Reads the city, chart and closed months inside the writer's transaction; voucher dates
    /// may run from the city's opening date to a year after `today`.
    pub fn load(writer: &Writer<'_>, today: NaiveDate) -> Result<RulesInputs> {
        let reader = writer.reader();
        let city = reader.city()?;
        let latest = today.checked_add_months(chrono::Months::new(12)).unwrap_or(today);
        let periods = PeriodRules::new(&reader.closed_periods()?, city.opening(), latest);
        Ok(RulesInputs { city, chart: reader.chart()?, periods })
    }

    pub fn rules(&self) -> LedgerRules<'_> {
        LedgerRules { city: &self.city, chart: &self.chart, periods: &self.periods }
    }
}

/// `voucher add`: drafts from the text of a TOML or JSON file; `name` labels errors.
pub fn add_vouchers(session: &Session, text: &str, format: Format, name: &str) -> Result<BatchReport> {
    let maker = session.acting()?;
    let drafts = voucher_file::parse(text, format).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        Error::refused(format!("{name} 中有 {} 处错误，没有写入任何凭证：\n{}", errors.len(), lines.join("\n")))
    })?;
    let mut store = session.write("voucher add")?;
    let mut writer = store.writer()?;
    let inputs = RulesInputs::load(&writer, session.today()?)?;
    let mut batch = Batch::new(&mut writer, &inputs, &maker, None, &session.now);
    batch.report.list_created = true;
    for (index, draft) in drafts.into_iter().enumerate() {
        batch.add(draft, &format!("第 {} 张凭证", index + 1))?;
    }
    let report = batch.report;
    if !report.problems.is_empty() || !report.forbidden.is_empty() {
        return Err(report.into_error_about("凭证"));
    }
    writer.set_target(name);
    writer.commit()?;
    Ok(report)
}

/// How an import posts: as drafts, or posted in one step with a reviewer (trusted feeds).
pub struct ImportOptions<'a> {
    pub reviewer: Option<&'a str>,
    pub duplicates: Duplicates,
    /// Told how many bytes have been read, now and then (a progress bar).
    pub progress: &'a dyn Fn(u64),
}

/// `import FILE.csv`: every voucher of the file in one transaction, or none. The same file
/// (by content) imported before writes nothing and names the earlier batch.
pub fn import(session: &Session, file: &Path, options: &ImportOptions<'_>) -> Result<BatchReport> {
    let maker = session.acting()?;
    let reviewer = options.reviewer.map(|r| session.reviewer(r)).transpose()?;
    let print = fingerprint(file)?;
    let name = file.display().to_string();
    let input = crate::import::tabular::open(file).map_err(Error::refused)?;
    let origin = input.origin.clone();
    let mut vouchers =
        CsvVouchers::new(input.reader).map_err(|e| Error::refused(format!("{name}：{}", origin.describe(&e))))?;
    let mut store = session.write("import")?;
    let mut writer = store.writer()?;
    if let Some(earlier) = writer.find_batch("vouchers", &print.sha256)? {
        return Ok(BatchReport { earlier_batch: Some(earlier), ..Default::default() });
    }
    let inputs = RulesInputs::load(&writer, session.today()?)?;
    let mut batch = Batch::new(&mut writer, &inputs, &maker, reviewer.as_ref(), &session.now);
    batch.duplicates = options.duplicates;
    let mut count = 0u64;
    while let Some(item) = vouchers.next() {
        count += 1;
        if count.is_multiple_of(1024) {
            (options.progress)(vouchers.bytes_read());
        }
        match item {
            Ok(voucher) => {
                let label = format!("凭证 {}（第 {} 行起）", voucher.key, voucher.line);
                batch.add(voucher.draft, &label)?;
            }
            Err(errors) => batch.report.problems.extend(errors.iter().map(|e| origin.describe(e))),
        }
    }
    let mut report = batch.report;
    if !report.problems.is_empty() || !report.forbidden.is_empty() {
        return Err(report.into_error_about("凭证"));
    }
    if report.created_count == 0 && report.already_present_count == 0 {
        return Err(Error::refused(format!("{name} 中没有凭证行")));
    }
    let rows = report.created_count + report.already_present_count;
    report.batch_id = Some(writer.insert_batch(
        "vouchers",
        &print.sha256,
        &print.name,
        print.size,
        rows,
        &maker.name,
        &session.now,
    )?);
    writer.set_target(format!("{name}（导入批次 #{}）", report.batch_id.unwrap_or_default()));
    writer.commit()?;
    Ok(report)
}

/// Which vouchers a review or post applies to.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub book: Option<BookCode>,
    pub period: Option<Period>,
    pub numbers: Vec<VoucherNo>,
    pub all: bool,
}

/// A voucher a review or post touched, as its result lists it (the book shared, so a long
/// selection costs a few words a voucher).
#[derive(Debug, Clone)]
pub struct Touched {
    pub book: std::sync::Arc<BookCode>,
    pub number: VoucherNo,
    pub date: NaiveDate,
    pub amount: crate::money::Money,
}

/// Vouchers a bulk review or post reads at a time: memory stays bounded whatever the selection.
const CHUNK: usize = 1000;

/// The ids a review or post applies to, read inside the writer's transaction: named ones (as
/// given, any status, so a wrong one is reported), or every non-voided voucher in the book/month
/// with the wanted status, in (book, number) order.
fn select(writer: &Writer<'_>, selection: &Selection, wanted: Status) -> Result<Vec<i64>> {
    let reader = writer.reader();
    if !selection.numbers.is_empty() {
        if selection.all {
            return Err(Error::refused("--number 与 --all 只能选一个"));
        }
        let book = selection.book.clone().ok_or_else(|| Error::refused("指定凭证号时须用 --book 说明账簿"))?;
        let mut ids = Vec::new();
        for number in &selection.numbers {
            let record = reader.voucher(&book, *number)?.ok_or_else(|| {
                Error::refused(
                    Rejection::VoucherNotFound { book: book.clone(), number: number.to_string() }.to_string(),
                )
            })?;
            ids.push((record.number, record.id));
        }
        ids.sort();
        return Ok(ids.into_iter().map(|(_, id)| id).collect());
    }
    if !selection.all {
        return Err(Error::refused("请用 --number 指定凭证，或用 --all 选择全部（可加 --book、--period 限定）"));
    }
    let filter = VoucherFilter {
        book: selection.book.clone(),
        from: selection.period,
        to: selection.period,
        status: Some(wanted),
        ..Default::default()
    };
    Ok(reader.voucher_ids(&filter)?)
}

/// The records of a chunk of ids, in (book, number) order.
fn chunk_records(writer: &Writer<'_>, ids: &[i64]) -> Result<Vec<VoucherRecord>> {
    let filter = VoucherFilter { ids: Some(ids.to_vec()), ..Default::default() };
    let mut records = writer.reader().vouchers(&filter)?;
    records.sort_by(|a, b| (&a.book, a.number).cmp(&(&b.book, b.number)));
    Ok(records)
}

/// Turns records into the light result, sharing one `BookCode` per book.
#[derive(Default)]
struct Results {
    books: Vec<std::sync::Arc<BookCode>>,
    touched: Vec<Touched>,
}

impl Results {
    fn push(&mut self, record: &VoucherRecord) {
        let book = match self.books.iter().find(|b| ***b == record.book) {
            Some(book) => book.clone(),
            None => {
                let book = std::sync::Arc::new(record.book.clone());
                self.books.push(book.clone());
                book
            }
        };
        let amount = record.total(crate::domain::chart::Side::Debit);
        self.touched.push(Touched { book, number: record.number, date: record.date, amount });
    }
}

/// 审核: the selected drafts become reviewed. The reviewer must not be the maker. Read and
/// written a chunk at a time; any problem anywhere refuses the whole selection (the transaction
/// is never committed, so what was written before it is rolled back).
pub fn review(session: &Session, selection: &Selection) -> Result<Vec<Touched>> {
    let actor = session.acting()?;
    let reviewer = actor.name.clone();
    let mut store = session.write("review")?;
    let mut writer = store.writer()?;
    let today = session.today()?;
    let inputs = RulesInputs::load(&writer, today)?;
    let ids = select(&writer, selection, Status::Draft)?;
    let (mut problems, mut forbidden) = (Vec::new(), Vec::new());
    let mut results = Results::default();
    for chunk in ids.chunks(CHUNK) {
        for record in chunk_records(&writer, chunk)? {
            let label = format!("{} {}", record.book, record.number);
            if let Err(problem) = actor.require(Role::Reviewer, &record.book.party) {
                forbidden.push(format!("{label}：{problem}"));
            } else if let Some(reason) = &record.void_reason {
                problems.push(format!("{label} 已作废（{reason}），不能审核"));
            } else if record.status != Status::Draft {
                let rejection = Rejection::WrongStatus {
                    number: label,
                    status: record.status.label().into(),
                    action: "审核".into(),
                };
                problems.push(rejection.to_string());
            } else if record.maker == reviewer {
                let rejection = Rejection::ReviewerMustDifferFromMaker { maker: record.maker.clone() };
                forbidden.push(format!("{label}：{rejection}"));
            } else if let Some(rejection) = inputs.periods.check(&record.book, record.date) {
                problems.push(format!("{label}：{rejection}"));
            } else if problems.is_empty() && forbidden.is_empty() {
                writer.review(record.id, &reviewer, &session.now)?;
            }
            results.push(&record);
        }
    }
    refuse_selection(&forbidden, &problems)?;
    writer.set_target(targets(&results.touched));
    writer.commit()?;
    Ok(results.touched)
}

/// What `post --all` did, and what still waits for review.
pub struct Posted {
    pub posted: Vec<Touched>,
    pub drafts_waiting: usize,
}

/// 记账: the selected reviewed vouchers join their books' hash chains and move balances. Each
/// voucher's lines must still say what was reviewed (its content digest is re-checked). Read and
/// written a chunk at a time, in (book, number) order; any problem refuses the whole selection.
pub fn post(session: &Session, selection: &Selection) -> Result<Posted> {
    let actor = session.acting()?;
    let poster = actor.name.clone();
    let mut store = session.write("post")?;
    let mut writer = store.writer()?;
    let inputs = RulesInputs::load(&writer, session.today()?)?;
    let ids = select(&writer, selection, Status::Reviewed)?;
    let (mut problems, mut forbidden) = (Vec::new(), Vec::new());
    let mut results = Results::default();
    for chunk in ids.chunks(CHUNK) {
        let records = chunk_records(&writer, chunk)?;
        let stored_digests = writer.reader().content_digests(records.iter().map(|r| r.id))?;
        for record in &records {
            let label = format!("{} {}", record.book, record.number);
            if let Err(problem) = actor.require(Role::Poster, &record.book.party) {
                forbidden.push(format!("{label}：{problem}"));
            } else if record.status != Status::Reviewed {
                let hint = if record.status == Status::Draft { "记账（须先审核）" } else { "再次记账" };
                let rejection =
                    Rejection::WrongStatus { number: label, status: record.status.label().into(), action: hint.into() };
                problems.push(rejection.to_string());
            } else if let Some(rejection) = inputs.periods.check(&record.book, record.date) {
                problems.push(format!("{label}：{rejection}"));
            } else if stored_digests.get(&record.id) != Some(&record.content_digest()) {
                problems.push(format!("{label}：分录与审核时的内容不符（审核后被改动过）：不能记账，请核查后重新制单"));
            } else if problems.is_empty() && forbidden.is_empty() {
                writer.post(record, &poster, &session.now)?;
            }
            results.push(record);
        }
    }
    refuse_selection(&forbidden, &problems)?;
    let drafts_waiting = writer.reader().count_status(selection.book.as_ref(), selection.period, Status::Draft)?;
    writer.set_target(targets(&results.touched));
    writer.commit()?;
    Ok(Posted { posted: results.touched, drafts_waiting })
}

/// 作废 (退回): a draft is voided with a reason — by a reviewer rejecting it, or by a maker of its
/// book withdrawing it. It is kept, its number is never reused, and it leaves every queue.
pub fn void(session: &Session, book: &BookCode, number: VoucherNo, reason: &str) -> Result<VoucherRecord> {
    let actor = session.acting()?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::refused("作废凭证须说明理由（--reason）"));
    }
    if crate::domain::ids::has_hidden_characters(reason)
        || reason.chars().count() > crate::domain::voucher::MAX_SUMMARY_CHARS
    {
        return Err(Error::refused("作废理由不能含控制字符或不可见字符，且不超过 200 个字符"));
    }
    if !(actor.may(Role::Reviewer, &book.party) || actor.may(Role::Maker, &book.party)) {
        return Err(Error::forbidden(format!("{} 没有 {} 的审核或制单权限，不能作废其凭证", actor.name, book.party)));
    }
    let mut store = session.write("voucher void")?;
    let mut writer = store.writer()?;
    let record = writer.reader().voucher(book, number)?.ok_or_else(|| {
        Error::refused(Rejection::VoucherNotFound { book: book.clone(), number: number.to_string() }.to_string())
    })?;
    if let Some(earlier) = &record.void_reason {
        return Err(Error::refused(format!("{book} {number} 已经作废（{earlier}）")));
    }
    if record.status != Status::Draft {
        return Err(Error::refused(format!(
            "{book} {number} 状态为{}，只有未审核的草稿可以作废；已记账的凭证请用红字冲销",
            record.status.label()
        )));
    }
    writer.void(record.id, reason, &actor.name, &session.now)?;
    writer.set_target(format!("{book} {number}"));
    writer.commit()?;
    Ok(record)
}

/// What a reversal made.
pub struct Reversed {
    pub book: BookCode,
    pub original: VoucherNo,
    pub reversal: VoucherNo,
    pub date: NaiveDate,
}

/// 红字冲销: a posted voucher is reversed by a red-ink voucher, posted with `reviewer`. Without a
/// date it is dated like the original, or — when that month is closed — on the first day of the
/// book's first open month.
pub fn reverse(
    session: &Session,
    book: &BookCode,
    number: VoucherNo,
    date: Option<NaiveDate>,
    reviewer: &str,
) -> Result<Reversed> {
    let maker = session.acting()?;
    let reviewer = session.reviewer(reviewer)?;
    maker.require(Role::Poster, &book.party).map_err(Error::forbidden)?;
    reviewer.require(Role::Reviewer, &book.party).map_err(Error::forbidden)?;
    let mut store = session.write("reverse")?;
    let mut writer = store.writer()?;
    let inputs = RulesInputs::load(&writer, session.today()?)?;
    let original = writer.reader().voucher(book, number)?.ok_or_else(|| {
        Error::refused(Rejection::VoucherNotFound { book: book.clone(), number: number.to_string() }.to_string())
    })?;
    let date = match date {
        Some(date) => date,
        None => match inputs.periods.closed_through(book) {
            Some(closed) if Period::of(original.date) <= closed => closed.next().first_day(),
            _ => original.date,
        },
    };
    let voucher = inputs.rules().reversal(&original, date).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        Error::refused(format!("不能冲销 {book} {number}：\n{}", lines.join("\n")))
    })?;
    let inserted = writer.insert_posted(&voucher, &maker.name, &reviewer.name, &session.now)?;
    writer.set_target(format!("{book} {number} → {}", inserted.number));
    writer.commit()?;
    Ok(Reversed { book: book.clone(), original: number, reversal: inserted.number, date })
}

/// Refuses a review or post with what was not allowed (403) or wrong (422); nothing is changed.
fn refuse_selection(forbidden: &[String], problems: &[String]) -> Result<()> {
    if !forbidden.is_empty() {
        let heading = format!("{} 处不允许的操作，没有做任何改动：", forbidden.len());
        return Err(refuse_all(&heading, forbidden).as_forbidden());
    }
    if !problems.is_empty() {
        return Err(refuse_all(&format!("{} 处错误，没有做任何改动：", problems.len()), problems));
    }
    Ok(())
}

/// The vouchers an action touched, for its audit entry (the first few, then a count).
fn targets(records: &[Touched]) -> String {
    let mut listed: Vec<String> = records.iter().take(5).map(|r| format!("{} {}", r.book, r.number)).collect();
    if records.len() > 5 {
        listed.push(format!("等 {} 张", records.len()));
    }
    listed.join("、")
}

/// Parses a date typed by staff.
pub fn date_arg(text: &str) -> Result<NaiveDate> {
    parse_date(text).map_err(Error::refused)
}
