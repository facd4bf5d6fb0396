//! 对账 (statement upload, the run, findings, 余额调节表), 结账 and 反结账.

use super::*;

// ---------------------------------------------------------------- reconciliation and close

#[derive(Deserialize, Default)]
pub struct PeriodForm {
    csrf: Option<String>,
    period: Option<String>,
    reason: Option<String>,
}

pub(super) fn reconcile_body(
    me: &LoggedIn,
    period: &str,
    result: Option<Result<(crate::reconcile::Report, i64), Error>>,
    closed: Option<Result<String, Error>>,
    funds: &HashMap<String, String>,
) -> Markup {
    html! {
        form.picker method="post" action="/statements" enctype="multipart/form-data" {
            (csrf_field(me))
            label { "对账单 " select name="source" { option value="tax" { "税务" } option value="treasury" { "国库" } option value="bank" { "银行" } } }
            input type="file" name="file" id="statement-file" accept=".csv,.xlsx";
            button type="submit" id="upload" { "导入对账单" }
        }
        form.picker method="post" action="/reconcile" {
            (csrf_field(me))
            label { "期间 " input type="month" name="period" id="period" value=(period); }
            button type="submit" id="run" { "运行对账" }
        }
        @match &result {
            Some(Ok((report, run_id))) => {
                p id="run-summary" { "对账记录 #" (run_id) "：差异 " (report.differences()) " 处，未达账项 " (report.outstanding()) " 项" }
                @let unequal: Vec<_> = report.statements.iter().filter(|s| !s.equal || !s.theirs_only_in.is_zero() || !s.theirs_only_out.is_zero() || !s.ours_only_in.is_zero() || !s.ours_only_out.is_zero()).collect();
                @if !unequal.is_empty() {
                    h2 { "余额调节表" }
                    @for st in &unequal {
                        table.statement {
                            caption { (crate::render::reconcile::check_label(&st.check)) " " (st.scope) }
                            tr { th { (st.ours_label) "余额" } td.num { (st.ours_balance.grouped()) } th { (st.theirs_label) "余额" } td.num { (st.theirs_balance.grouped()) } }
                            tr { td { "加：" (st.labels[0]) } td.num { (st.theirs_only_in.grouped()) } td { "加：" (st.labels[2]) } td.num { (st.ours_only_in.grouped()) } }
                            tr { td { "减：" (st.labels[1]) } td.num { (st.theirs_only_out.grouped()) } td { "减：" (st.labels[3]) } td.num { (st.ours_only_out.grouped()) } }
                            tr.total { td { "调节后余额" } td.num { (st.ours_adjusted.grouped()) } td { @if st.equal { "相符" } @else { "不符" } } td.num { (st.theirs_adjusted.grouped()) } }
                        }
                    }
                }
                @if !report.findings.is_empty() {
                    table {
                        thead { tr { th { "检查" } th { "基金" } th { "范围" } th { "性质" } th { "说明" } } }
                        tbody { @for f in &report.findings { tr { td { (crate::render::reconcile::check_label(&f.check)) } td { (funds.get(&f.fund).cloned().unwrap_or_else(|| f.fund.clone())) } td { (f.scope) } td { (f.severity.label()) } td { (f.message) } } } }
                    }
                }
            }
            Some(Err(error)) => { (error_box(error)) }
            None => {}
        }
        @match &closed {
            Some(Ok(text)) => { div.done role="status" id="close-result" { (text) } }
            Some(Err(error)) => { (error_box(error)) }
            None => {}
        }
        form.picker method="post" action="/reopen" {
            (csrf_field(me))
            label { "反结账期间 " input type="month" name="period"; }
            label { "理由 " input type="text" name="reason"; }
            button type="submit" id="reopen" { "反结账" }
        }
        form.picker method="post" action="/close" {
            (csrf_field(me))
            label { "结账期间 " input type="month" name="period" value=(period); }
            label { "接受差异的理由（无差异时留空） " input type="text" name="reason"; }
            button type="submit" id="close" { "结账" }
        }
    }
}

pub async fn reconcile_form(me: LoggedIn, Query(q): Query<PeriodForm>) -> Response {
    page(Some(&me), "对账结账", reconcile_body(&me, &q.period.unwrap_or_default(), None, None, &HashMap::new()))
        .into_response()
}

pub async fn reconcile_run(me: LoggedIn, Form(form): Form<PeriodForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let period = form.period.clone().unwrap_or_default();
    let text = period.clone();
    let result = write(&me, "reconcile", period.clone(), move |session| {
        let period = Period::parse(&text).map_err(Error::refused)?;
        reconcile::run(&session, period, None, None)
    })
    .await;
    let status = status_of(result.as_ref().err());
    let funds = fund_names(&me).await;
    (status, page(Some(&me), "对账结账", reconcile_body(&me, &period, Some(result), None, &funds))).into_response()
}

pub async fn close(me: LoggedIn, Form(form): Form<PeriodForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let period = form.period.clone().unwrap_or_default();
    let (text, reason) = (period.clone(), form.reason.clone().filter(|r| !r.trim().is_empty()));
    let result = write(&me, "close", period.clone(), move |session| {
        let period = Period::parse(&text).map_err(Error::refused)?;
        let request =
            closing::CloseRequest { period, book: None, accept_differences: reason.as_deref(), on: session.today()? };
        let closed = closing::close(&session, &request)?;
        Ok(match closed.seal_hash {
            Some(hash) => format!("已结账 {period}：{} 个账簿；封存哈希 {}…", closed.books, &hash[..16]),
            None => format!("{period} 已经结账"),
        })
    })
    .await;
    let status = status_of(result.as_ref().err());
    (status, page(Some(&me), "对账结账", reconcile_body(&me, &period, None, Some(result), &HashMap::new())))
        .into_response()
}

/// The largest statement file the page takes (a month of a city's bank lines is a few MB); the
/// command line takes any size.
pub const STATEMENT_UPLOAD_LIMIT: usize = 32 << 20;

/// 导入对账单: a tax, treasury or bank statement (CSV in UTF-8 or GBK, or xlsx) uploaded from the
/// page, read as the command line reads a file.
pub async fn statements_upload(me: LoggedIn, mut multipart: axum::extract::Multipart) -> Response {
    let (mut csrf, mut source, mut file, mut cut_short) = (None, None, None, false);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                cut_short = true;
                break;
            }
        };
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.ok(),
            "source" => source = field.text().await.ok(),
            "file" => {
                let name = field.file_name().unwrap_or("statement.csv").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    Err(_) => {
                        cut_short = true;
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    if let Err(response) = me.check_csrf(csrf.as_deref()).await {
        return response;
    }
    let source_text = source.unwrap_or_default();
    let target = format!("{source_text} {}", file.as_ref().map(|f| f.0.clone()).unwrap_or_default());
    let result = write(&me, "statement import", target, move |session| {
        let source = crate::reconcile::Source::parse(&source_text)
            .ok_or_else(|| Error::refused("对账单来源应为 tax、treasury 或 bank"))?;
        // axum's reason ("failed to read stream") tells staff nothing they can act on.
        if cut_short {
            return Err(Error::refused(format!(
                "对账单文件没有完整收到：网页上传的文件最大 {} MB，更大的文件请分几次导入，或用命令行 statement import",
                STATEMENT_UPLOAD_LIMIT >> 20
            )));
        }
        let (name, bytes) = file.ok_or_else(|| Error::refused("请选择对账单文件"))?;
        let print = crate::app::files::fingerprint_bytes(&name, &bytes);
        let input = crate::import::tabular::open_bytes(&name, bytes).map_err(Error::refused)?;
        let done = reconcile::import_statement(&session, source, input, &print, &name)?;
        Ok(match done.earlier_batch {
            Some(earlier) => {
                format!("{name} 已于 {} 导入过（导入批次 #{}）：本次没有写入", earlier.imported_at, earlier.id)
            }
            None => format!("已导入 {name}：{} 行；已存在未重复导入 {} 行", done.inserted, done.already_present),
        })
    })
    .await;
    let status = status_of(result.as_ref().err());
    (status, page(Some(&me), "对账结账", reconcile_body(&me, "", None, Some(result), &HashMap::new()))).into_response()
}

/// 反结账 of the latest closed month, with its reason.
pub async fn reopen(me: LoggedIn, Form(form): Form<PeriodForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let period = form.period.clone().unwrap_or_default();
    let (text, reason) = (period.clone(), form.reason.clone().unwrap_or_default());
    let result = write(&me, "reopen", period.clone(), move |session| {
        let period = Period::parse(&text).map_err(Error::refused)?;
        let books = closing::reopen(&session, period, &reason)?;
        Ok(format!("已反结账 {period}：{books} 个账簿；理由已记入封存记录"))
    })
    .await;
    let status = status_of(result.as_ref().err());
    (status, page(Some(&me), "对账结账", reconcile_body(&me, &period, None, Some(result), &HashMap::new())))
        .into_response()
}
