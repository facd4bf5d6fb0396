//! 凭证录入, the 记账凭证 print view with 红字冲销, and the 审核 and 记账 queues with 退回.

use super::*;

// ---------------------------------------------------------------- voucher entry

pub(super) const FORM_LINES: usize = 4;

#[derive(Deserialize, Default)]
pub struct VoucherForm {
    csrf: Option<String>,
    book: Option<String>,
    date: Option<String>,
    attachments: Option<String>,
    #[serde(flatten)]
    lines: HashMap<String, String>,
}

impl VoucherForm {
    fn field(&self, name: &str, index: usize) -> String {
        self.lines.get(&format!("{name}{index}")).cloned().unwrap_or_default()
    }
}

pub(super) async fn leaf_accounts(me: &LoggedIn) -> Vec<(String, String)> {
    let me = me.clone();
    blocking(move || {
        let store = me.session().read()?;
        let chart = store.reader().chart()?;
        Ok(chart.accounts().filter(|a| a.is_leaf).map(|a| (a.code.clone(), a.name.clone())).collect())
    })
    .await
    .unwrap_or_default()
}

pub(super) async fn voucher_page(me: &LoggedIn, form: &VoucherForm, error: Option<&Error>) -> Response {
    let books = books_for(me, Some(Role::Maker)).await.unwrap_or_default();
    let accounts = leaf_accounts(me).await;
    // Each rejection that names a line ("第 N 行") is shown beside that line.
    let beside = |index: usize| -> Vec<String> {
        error
            .map(|e| {
                e.message
                    .lines()
                    .filter(|l| l.contains(&format!("第 {index} 行")))
                    .map(|l| l.trim().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let body = html! {
        @if let Some(error) = error { (error_box(error)) }
        @if books.is_empty() { p { "您没有任何账簿的制单权限。" } }
        form method="post" action="/vouchers/new" id="voucher-form" {
            (csrf_field(me))
            label { "账簿 " (book_select(&books, form.book.as_deref())) }
            label { "日期 " input type="date" name="date" id="date" value=(form.date.clone().unwrap_or_default()); }
            label { "附件数 " input type="number" min="0" name="attachments" value=(form.attachments.clone().unwrap_or_else(|| "0".into())); }
            datalist id="accounts" { @for (code, name) in &accounts { option value=(code) { (code) " " (name) } } }
            table.lines {
                thead { tr { th { "行" } th { "摘要" } th { "科目（编码或名称）" } th { "借方金额" } th { "贷方金额" } th { "结算号" } } }
                tbody {
                    @for i in 1..=FORM_LINES {
                        tr {
                            td { (i) }
                            td { input type="text" name={ "summary" (i) } id={ "summary" (i) } value=(form.field("summary", i)); }
                            td { input type="text" list="accounts" name={ "account" (i) } id={ "account" (i) } value=(form.field("account", i)); }
                            td { input.num type="text" name={ "debit" (i) } id={ "debit" (i) } value=(form.field("debit", i)); }
                            td { input.num type="text" name={ "credit" (i) } id={ "credit" (i) } value=(form.field("credit", i)); }
                            td { input type="text" name={ "ref" (i) } value=(form.field("ref", i)); }
                        }
                        @for message in beside(i) { tr.line-error { td colspan="6" { (message) } } }
                    }
                }
            }
            button type="submit" id="save" { "保存草稿" }
        }
    };
    (status_of(error), page(Some(me), "凭证录入", body)).into_response()
}

pub async fn voucher_form(me: LoggedIn) -> Response {
    voucher_page(&me, &VoucherForm::default(), None).await
}

/// The account code typed, or the code of the account named ("1003 支出户存款" or "支出户存款").
pub(super) fn account_code(text: &str, accounts: &[(String, String)]) -> String {
    let text = text.trim();
    let first = text.split_whitespace().next().unwrap_or("");
    if accounts.iter().any(|(code, _)| code == first) {
        return first.to_string();
    }
    accounts.iter().find(|(_, name)| name == text).map(|(code, _)| code.clone()).unwrap_or_else(|| text.to_string())
}

pub async fn voucher_save(me: LoggedIn, Form(form): Form<VoucherForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let accounts = leaf_accounts(&me).await;
    let mut lines = Vec::new();
    for i in 1..=FORM_LINES {
        let (summary, account, debit, credit, reference) = (
            form.field("summary", i),
            form.field("account", i),
            form.field("debit", i),
            form.field("credit", i),
            form.field("ref", i),
        );
        if [&summary, &account, &debit, &credit].iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut line = serde_json::json!({ "account": account_code(&account, &accounts), "summary": summary });
        if !debit.trim().is_empty() {
            line["debit"] = debit.trim().into();
        }
        if !credit.trim().is_empty() {
            line["credit"] = credit.trim().into();
        }
        if !reference.trim().is_empty() {
            line["ref"] = reference.trim().into();
        }
        lines.push(line);
    }
    let attachments: u32 = form.attachments.as_deref().unwrap_or("0").trim().parse().unwrap_or(0);
    let voucher = serde_json::json!({
        "book": form.book.clone().unwrap_or_default(),
        "date": form.date.clone().unwrap_or_default(),
        "attachments": attachments,
        "line": lines,
    });
    let text = voucher.to_string();
    let target = form.book.clone().unwrap_or_default();
    match write(&me, "voucher add", target, move |session| ledger::add_vouchers(&session, &text, Format::Json, "凭证"))
        .await
    {
        Ok(report) => match report.created.first() {
            Some((book, number)) => Redirect::to(&format!("/voucher?book={book}&number={number}")).into_response(),
            None => voucher_page(&me, &form, Some(&Error::refused("没有保存任何凭证"))).await,
        },
        Err(error) => voucher_page(&me, &form, Some(&error)).await,
    }
}

// ---------------------------------------------------------------- one voucher (print view)

#[derive(Deserialize)]
pub struct VoucherRef {
    book: String,
    number: String,
    /// `half` prints on half an A4 sheet (two vouchers a page).
    size: Option<String>,
}

pub(super) async fn load_voucher(
    me: &LoggedIn,
    book: &str,
    number: &str,
) -> Result<(VoucherRecord, HashMap<String, String>), Error> {
    let (who, book, number) = (me.clone(), book.to_string(), number.to_string());
    blocking(move || {
        let book = BookCode::parse(&book).map_err(Error::refused)?;
        let number = VoucherNo::parse(&number).map_err(Error::refused)?;
        let store = who.session().read_for(Some(&book.party))?;
        let chart = store.reader().chart()?;
        let names = chart.accounts().map(|a| (a.code.clone(), a.name.clone())).collect();
        let voucher = store
            .reader()
            .voucher(&book, number)?
            .ok_or_else(|| Error::refused(format!("账簿 {book} 中没有凭证 {number}")))?;
        Ok((voucher, names))
    })
    .await
}

pub async fn voucher_print(me: LoggedIn, Query(q): Query<VoucherRef>) -> Response {
    let (voucher, names) = match load_voucher(&me, &q.book, &q.number).await {
        Ok(found) => found,
        Err(error) => return error_page(&me, error),
    };
    let total = |side| voucher.lines.iter().filter(|l| l.side == side).map(|l| l.amount.fen()).sum::<i64>();
    let body = html! {
        div.voucher.half[q.size.as_deref() == Some("half")] id="voucher" {
            h2 { "记 账 凭 证" }
            p.meta {
                span { "账簿：" (voucher.book) }
                span { "凭证字号：" strong id="voucher-number" { (voucher.number) } }
                span { "日期：" (voucher.date) }
                span { "附件 " (voucher.attachments) " 张" }
                span id="voucher-status" { (voucher.status.label()) }
            }
            table {
                thead { tr { th { "摘要" } th { "科目" } th { "借方金额" } th { "贷方金额" } } }
                tbody {
                    @for line in &voucher.lines {
                        tr {
                            td { (line.summary) }
                            td { (line.account) " " (names.get(&line.account).cloned().unwrap_or_default()) }
                            td.num { @if line.side == Side::Debit { (line.amount.grouped()) } }
                            td.num { @if line.side == Side::Credit { (line.amount.grouped()) } }
                        }
                    }
                    tr.total {
                        td colspan="2" { "合计" }
                        td.num { (Money::from_fen(total(Side::Debit)).grouped()) }
                        td.num { (Money::from_fen(total(Side::Credit)).grouped()) }
                    }
                }
            }
            p.people {
                span { "制单：" (voucher.maker) }
                span { "审核：" (voucher.reviewer.clone().unwrap_or_default()) }
                span { "记账：" (voucher.poster.clone().unwrap_or_default()) }
            }
        }
        p.noprint { a href={ "/journal?book=" (voucher.book) "&period=" (voucher.number.period) } { "返回序时账" } " · " a href="javascript:window.print()" { "打印" } " · "
            a href={ "/voucher?book=" (voucher.book) "&number=" (voucher.number) "&size=half" } { "半张 A4" } }
        @if voucher.status == Status::Posted && voucher.reverses.is_none() && voucher.reversed_by.is_none() {
            form.picker method="post" action="/reverse" {
                (csrf_field(&me))
                input type="hidden" name="book" value=(voucher.book);
                input type="hidden" name="number" value=(voucher.number);
                "红字冲销："
                label { "审核人 " input type="text" name="reviewer" id="reviewer"; }
                label { "日期（可空） " input type="date" name="date"; }
                button type="submit" id="reverse" { "冲销此凭证" }
            }
        }
    };
    page(Some(&me), &format!("{} {}", voucher.book, voucher.number), body).into_response()
}

#[derive(Deserialize)]
pub struct VoidForm {
    csrf: Option<String>,
    pick: String,
    reason: String,
}

/// 退回: the reviewer voids a draft with the reason.
pub async fn void(me: LoggedIn, Form(form): Form<VoidForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let target = form.pick.clone();
    let result = write(&me, "voucher void", target, move |session| {
        let (book, number) = form.pick.split_once(' ').ok_or_else(|| Error::refused("选择无效"))?;
        let book = BookCode::parse(book).map_err(Error::refused)?;
        let number = VoucherNo::parse(number).map_err(Error::refused)?;
        ledger::void(&session, &book, number, &form.reason)?;
        Ok(format!("已退回作废 {book} {number}：{}", form.reason.trim()))
    })
    .await;
    match result {
        Ok(done) => queue_page(&me, "review", None, Some(done)).await,
        Err(error) => queue_page(&me, "review", Some(error), None).await,
    }
}

#[derive(Deserialize)]
pub struct ReverseForm {
    csrf: Option<String>,
    book: String,
    number: String,
    reviewer: String,
    date: Option<String>,
}

/// 红字冲销 from the voucher page: the reversal is posted with the reviewer named.
pub async fn reverse(me: LoggedIn, Form(form): Form<ReverseForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let target = format!("{} {}", form.book, form.number);
    let result = write(&me, "reverse", target, move |session| {
        let book = BookCode::parse(&form.book).map_err(Error::refused)?;
        let number = VoucherNo::parse(&form.number).map_err(Error::refused)?;
        let date = form.date.as_deref().filter(|d| !d.is_empty()).map(ledger::date_arg).transpose()?;
        ledger::reverse(&session, &book, number, date, &form.reviewer)
    })
    .await;
    match result {
        Ok(done) => Redirect::to(&format!("/voucher?book={}&number={}", done.book, done.reversal)).into_response(),
        Err(error) => error_page(&me, error),
    }
}

// ---------------------------------------------------------------- review and post queues

pub(super) fn queue_step(step: &str) -> Option<(Role, Status, &'static str)> {
    match step {
        "review" => Some((Role::Reviewer, Status::Draft, "审核")),
        "post" => Some((Role::Poster, Status::Reviewed, "记账")),
        _ => None,
    }
}

pub(super) async fn queue_page(me: &LoggedIn, step: &str, error: Option<Error>, done: Option<String>) -> Response {
    let Some((role, status, label)) = queue_step(step) else { return StatusCode::NOT_FOUND.into_response() };
    let who = me.clone();
    let waiting = blocking(move || {
        let store = who.session().read()?;
        let filter = crate::store::VoucherFilter { status: Some(status), ..Default::default() };
        let vouchers = store.reader().vouchers(&filter)?;
        let waiting = vouchers.into_iter().filter(|v| v.void_reason.is_none() && who.actor.may(role, &v.book.party));
        Ok(waiting.collect::<Vec<_>>())
    })
    .await
    .unwrap_or_default();
    let body = html! {
        @if let Some(error) = &error { (error_box(error)) }
        @if let Some(done) = &done { div.done role="status" { (done) } }
        @if waiting.is_empty() { p { "没有等待" (label) "的凭证" } }
        @else {
            form method="post" action={ "/queue/" (step) } {
                (csrf_field(me))
                table {
                    thead { tr { th { "选择" } th { "账簿" } th { "凭证号" } th { "日期" } th { "摘要" } th { "金额" } th { "制单" } } }
                    tbody {
                        @for v in &waiting {
                            tr {
                                td { input type="checkbox" name="pick" value={ (v.book) " " (v.number) } checked; }
                                td { (v.book) }
                                td { a href={ "/voucher?book=" (v.book) "&number=" (v.number) } { (v.number) } }
                                td { (v.date) }
                                td { (v.lines.first().map(|l| l.summary.clone()).unwrap_or_default()) }
                                td.num { (v.total(Side::Debit).grouped()) }
                                td { (v.maker) }
                            }
                        }
                    }
                }
                button type="submit" id="act" { (label) "所选凭证" }
            }
            @if step == "review" {
                h2 { "退回（作废）" }
                form.picker method="post" action="/void" {
                    (csrf_field(me))
                    select name="pick" id="void-pick" { @for v in &waiting { option value={ (v.book) " " (v.number) } { (v.book) " " (v.number) } } }
                    label { "理由 " input type="text" name="reason" id="void-reason"; }
                    button type="submit" id="void" { "退回作废" }
                }
            }
        }
    };
    (status_of(error.as_ref()), page(Some(me), &format!("{label}队列"), body)).into_response()
}

pub async fn queue(me: LoggedIn, Path(step): Path<String>) -> Response {
    queue_page(&me, &step, None, None).await
}

pub async fn queue_act(me: LoggedIn, Path(step): Path<String>, body: String) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let csrf = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.clone());
    if let Err(response) = me.check_csrf(csrf.as_deref()).await {
        return response;
    }
    let Some((_, _, label)) = queue_step(&step) else { return StatusCode::NOT_FOUND.into_response() };
    let picks: Vec<String> = pairs.into_iter().filter(|(k, _)| k == "pick").map(|(_, v)| v).collect();
    let post = step == "post";
    let target = picks.join("、");
    let result = write(&me, if post { "post" } else { "review" }, target, move |session| {
        // One call per book: each is one transaction.
        let mut by_book: std::collections::BTreeMap<String, Vec<VoucherNo>> = Default::default();
        for pick in &picks {
            let (book, number) = pick.split_once(' ').ok_or_else(|| Error::refused("选择无效"))?;
            by_book.entry(book.to_string()).or_default().push(VoucherNo::parse(number).map_err(Error::refused)?);
        }
        let mut count = 0;
        for (book, numbers) in by_book {
            let selection = ledger::Selection {
                book: Some(BookCode::parse(&book).map_err(Error::refused)?),
                numbers,
                ..Default::default()
            };
            count += if post {
                ledger::post(&session, &selection)?.posted.len()
            } else {
                ledger::review(&session, &selection)?.len()
            };
        }
        Ok(count)
    })
    .await;
    match result {
        Ok(count) => queue_page(&me, &step, None, Some(format!("已{label} {count} 张凭证"))).await,
        Err(error) => queue_page(&me, &step, Some(error), None).await,
    }
}
