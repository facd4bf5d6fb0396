//! 业务事件: a form per kind of flow; its vouchers arrive as drafts.

use super::*;

// ---------------------------------------------------------------- business events

/// The Chinese name of an event kind.
pub(super) fn kind_label(kind: &str) -> &'static str {
    match kind {
        "opening_balance" => "期初余额",
        "premium_receipts" => "保费收入（税务征缴）",
        "treasury_transfer" => "国库划转专户",
        "fiscal_subsidy" => "财政补助",
        "transfer_in" => "转移收入",
        "remit_to_city" => "上解市级（汇缴）",
        "allocate_city_level" => "拨付市本级",
        "allocate_to_county" => "拨付县级",
        "benefit_payment" => "待遇支付",
        "transfer_out" => "转移支出",
        "premium_refund" => "保费退费",
        "transfer_in_refund" => "转移收入退回",
        "interest_credited" => "利息收入",
        "deposit_matured" => "存单/债券到期",
        "remittance_received" => "收到县级上解（市经办机构）",
        "allocation_received" => "收到市级拨款（县级经办机构）",
        "special_account_opening" => "专户期初余额（财政）",
        "treasury_transfer_received" => "收国库划款（财政）",
        "special_account_receipt" => "专户收款（财政）",
        "special_account_payment" => "专户拨款（财政）",
        "special_account_interest" => "专户结息（财政）",
        "gap_payment" => "弥补基金缺口缴款",
        "gap_charge" => "管理性缺口代扣",
        "premium_sponsorship" => "医疗救助资助参保",
        _ => "",
    }
}

/// The Chinese name of an event field.
pub(super) fn field_label(field: &str) -> &'static str {
    match field {
        "id" => "事件编号",
        "date" => "日期",
        "fund" => "基金",
        "ref" => "结算号",
        "summary" => "摘要",
        "party" => "经办机构",
        "account" => "科目",
        "amount" => "金额",
        "instrument" => "存单/债券编号",
        "opened_on" => "存入日期",
        "matures_on" => "到期日期",
        "period" => "所属期间",
        "premiums" => "保费",
        "late_fees" => "滞纳金",
        "interest_subsidy" => "利息补贴",
        "level" => "补助级次",
        "notified_on" => "通知日期",
        "purpose" => "用途",
        "received_on" => "到账日期",
        "category" => "待遇类别",
        "principal" => "本金",
        "interest" => "利息",
        "source" => "收款来源",
        "by_county" => "分县保费（县代码:金额,…）",
        "gap" => "缺口类型",
        "year" => "缺口年度",
        "by" => "记账方",
        "class" => "救助类别（class_1/2/3）",
        "persons" => "资助人数",
        _ => "",
    }
}

pub(super) const COMMON_FIELDS: [&str; 5] = ["id", "date", "fund", "ref", "summary"];

pub(super) fn event_kinds(
) -> impl Iterator<Item = &'static (&'static str, &'static [&'static str], &'static [&'static str])> {
    crate::posting::event::KINDS.iter().filter(|k| k.0 != "year_end_close")
}

#[derive(Deserialize, Default)]
pub struct KindQuery {
    kind: Option<String>,
}

pub(super) fn event_page(
    me: &LoggedIn,
    kind: Option<&str>,
    values: &HashMap<String, String>,
    outcome: Option<Result<String, Error>>,
) -> Response {
    let chosen = kind.and_then(|k| event_kinds().find(|e| e.0 == k));
    let body = html! {
        @match &outcome {
            Some(Ok(done)) => { div.done role="status" id="event-result" { (done) } }
            Some(Err(error)) => { (error_box(error)) }
            None => {}
        }
        ul.kinds {
            @for (name, _, _) in event_kinds() {
                li { a href={ "/events?kind=" (name) } { (kind_label(name)) } " " code { (name) } }
            }
        }
        @if let Some((name, required, optional)) = chosen {
            h2 { (kind_label(name)) }
            form method="post" action="/events" id="event-form" {
                (csrf_field(me))
                input type="hidden" name="kind" value=(name);
                table {
                    @for field in COMMON_FIELDS.iter().chain(required.iter()).chain(optional.iter()) {
                        @let must = COMMON_FIELDS[..3].contains(field) || required.contains(field);
                        tr {
                            th { (field_label(field)) @if must { " *" } }
                            td { input type="text" name=(field) id={ "field-" (field) } value=(values.get(*field).cloned().unwrap_or_default()); }
                            td { code { (field) } }
                        }
                    }
                }
                button type="submit" id="record" { "记录事件（生成草稿凭证）" }
            }
        }
    };
    let status = status_of(outcome.as_ref().and_then(|o| o.as_ref().err()));
    (status, page(Some(me), "业务事件", body)).into_response()
}

pub async fn events_form(me: LoggedIn, Query(q): Query<KindQuery>) -> Response {
    event_page(&me, q.kind.as_deref(), &HashMap::new(), None)
}

/// Records one event typed in the form; its vouchers arrive as drafts for review.
pub async fn event_save(me: LoggedIn, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Err(response) = me.check_csrf(form.get("csrf").map(String::as_str)).await {
        return response;
    }
    let kind = form.get("kind").cloned().unwrap_or_default();
    let mut raw = crate::posting::event::RawEvent::default();
    for (name, value) in &form {
        if name != "csrf" && !value.trim().is_empty() {
            raw.fields.insert(name.clone(), value.trim().to_string());
        }
    }
    let target = format!("{kind} {}", form.get("id").cloned().unwrap_or_default());
    let result = write(&me, "event", target, move |session| {
        let placed = vec![crate::import::events::PlacedEvent { place: "表单".into(), raw }];
        let outcome = crate::app::events::post_events(&session, placed, None, None)?;
        let books: Vec<String> = outcome.vouchers_by_book.iter().map(|(b, n)| format!("{b} {n} 张")).collect();
        Ok(if outcome.voucher_ids.is_empty() {
            "该事件已存在，未重复记录".to_string()
        } else {
            format!("已记录事件，生成草稿凭证：{}（请到审核队列审核）", books.join("、"))
        })
    })
    .await;
    event_page(&me, Some(&kind), &form, Some(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind and every field staff can type has a Chinese label on the form.
    #[test]
    fn every_kind_and_field_has_a_label() {
        for (kind, required, optional) in event_kinds() {
            assert!(!kind_label(kind).is_empty(), "{kind}");
            for field in COMMON_FIELDS.iter().chain(required.iter()).chain(optional.iter()) {
                assert!(!field_label(field).is_empty(), "{kind}.{field}");
            }
        }
        assert!(!field_label("by").is_empty());
    }
}
