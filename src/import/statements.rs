//! Statement registers from CSV: the tax authority's (`date,ref,fund,kind,amount`), the
//! treasury's (same columns) and the banks' (`date,ref,book,account,direction,amount`).
//! Every row is checked; each comes with the key that makes importing it again a no-op.

use super::InputError;
use crate::domain::ids::{parse_date, BookCode};
use crate::money::Money;
use crate::reconcile::{Source, StatementLine};
use std::io::Read;

/// A statement line with its identity within its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedLine {
    pub row: u64,
    pub key: String,
    pub line: StatementLine,
}

fn columns(source: Source) -> &'static [&'static str] {
    match source {
        Source::Tax | Source::Treasury => &["date", "ref", "fund", "kind", "amount"],
        Source::Bank => &["date", "ref", "book", "account", "direction", "amount"],
    }
}

fn kinds(source: Source) -> &'static [&'static str] {
    match source {
        Source::Tax => &["paid_to_treasury", "refund"],
        Source::Treasury => &["received", "transferred_to_special_account", "refund"],
        Source::Bank => &["in", "out", "balance"],
    }
}

/// Reads a whole statement file; either every row parses, or every bad row is reported.
pub fn parse(source: Source, input: impl Read) -> Result<Vec<KeyedLine>, Vec<InputError>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let wanted = columns(source);
    let header_error = |message: String| vec![InputError { position: 1, column: None, message }];
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| vec![super::csv_error(&e, "无法读取 CSV 表头：", 1)])?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut sorted_headers = headers.clone();
    sorted_headers.sort();
    let mut sorted_wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
    sorted_wanted.sort();
    if sorted_headers != sorted_wanted {
        return Err(header_error(format!(
            "{} 对账单的表头应为 {}，实为 {}",
            source.as_str(),
            wanted.join(","),
            headers.join(",")
        )));
    }
    let index = |name: &str| headers.iter().position(|h| h == name).unwrap_or(0);
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                errors.push(super::csv_error(&e, "CSV 格式错误：", 0));
                continue;
            }
        };
        let row = record.position().map(|p| p.line()).unwrap_or(0);
        if super::tabular::is_blank(&record) {
            continue;
        }
        if record.len() != headers.len() {
            let message = format!("这一行有 {} 列，表头有 {} 列", record.len(), headers.len());
            errors.push(InputError { position: row, column: None, message });
            continue;
        }
        let field = |name: &str| record.get(index(name)).unwrap_or("").trim().to_string();
        match parse_row(source, &field) {
            Ok((key, line)) => lines.push(KeyedLine { row, key, line }),
            Err(problems) => {
                errors.extend(problems.into_iter().map(|message| InputError { position: row, column: None, message }))
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if lines.is_empty() {
        return Err(vec![InputError { position: 0, column: None, message: "文件中没有对账单行".into() }]);
    }
    Ok(lines)
}

fn parse_row(source: Source, field: &dyn Fn(&str) -> String) -> Result<(String, StatementLine), Vec<String>> {
    let mut problems = Vec::new();
    let date = parse_date(&field("date")).map_err(|e| problems.push(e)).ok();
    let kind_column = if source == Source::Bank { "direction" } else { "kind" };
    let kind = field(kind_column);
    if !kinds(source).contains(&kind.as_str()) {
        problems.push(format!(
            "{kind_column} \"{}\" 无效，应为 {} 之一",
            crate::domain::ids::quote(&kind),
            kinds(source).join("、")
        ));
    }
    let amount = match Money::parse(&field("amount")) {
        Ok(amount) if kind == "balance" && amount.fen() < 0 => {
            problems.push(format!("余额 {amount} 不能为负"));
            None
        }
        Ok(amount) if kind == "balance" || amount.is_positive() => Some(amount),
        Ok(amount) => {
            problems.push(format!("金额 {amount} 必须大于零"));
            None
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let reference = Some(field("ref")).filter(|r| !r.is_empty());
    if let Some(reference) = &reference {
        let max = crate::domain::voucher::MAX_REFERENCE_CHARS;
        if crate::domain::ids::has_hidden_characters(reference) || reference.chars().count() > max {
            problems.push(format!("ref 不能含控制字符或不可见字符，且不超过 {max} 个字符"));
        }
    }
    if reference.is_none() && kind != "balance" {
        problems.push("ref（结算号）不能为空：对账按结算号逐笔匹配".into());
    }
    let (fund, book, account) = if source == Source::Bank {
        let book = BookCode::parse(&field("book")).map_err(|e| problems.push(e)).ok();
        let account = Some(field("account")).filter(|a| !a.is_empty());
        if account.is_none() {
            problems.push("account 不能为空".into());
        }
        (None, book, account)
    } else {
        let fund = Some(field("fund")).filter(|f| !f.is_empty());
        if fund.is_none() {
            problems.push("fund 不能为空".into());
        }
        (fund, None, None)
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let (Some(date), Some(amount)) = (date, amount) else { return Err(problems) };
    // A bank serial is unique within one account and direction; a register's ref within it.
    let key = match (&reference, &book, &account) {
        (_, Some(book), Some(account)) if kind == "balance" => format!("balance:{book}:{account}:{date}"),
        (Some(reference), Some(book), Some(account)) => format!("{book}:{account}:{kind}:{reference}"),
        (Some(reference), _, _) => reference.clone(),
        _ => String::new(),
    };
    Ok((key, StatementLine { source, date, reference, fund, book, account, kind, amount }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_register() {
        let tax = "date,ref,fund,kind,amount\n2023-01-31,TAX-1,employee,paid_to_treasury,100.00\n";
        let lines = parse(Source::Tax, tax.as_bytes()).unwrap();
        assert_eq!(lines[0].key, "TAX-1");
        assert_eq!(lines[0].line.amount, Money::from_fen(10000));
        let bank = "date,ref,book,account,direction,amount\n2023-01-31,,shayang/employee,1003,balance,0.00\n2023-01-31,P1,shayang/employee,1003,out,5.00\n";
        let lines = parse(Source::Bank, bank.as_bytes()).unwrap();
        assert_eq!(lines[0].key, "balance:shayang/employee:1003:2023-01-31");
        assert_eq!(lines[1].line.kind, "out");
    }

    #[test]
    fn reports_every_bad_row_and_a_wrong_header() {
        let bad = "date,ref,fund,kind,amount\n2023-02-30,T1,employee,paid,1.001\n2023-01-31,,employee,refund,-1\n";
        let errors = parse(Source::Tax, bad.as_bytes()).unwrap_err();
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            text,
            vec![
                "第 2 行：日期 \"2023-02-30\" 不是有效日期（应为 YYYY-MM-DD）",
                "第 2 行：kind \"paid\" 无效，应为 paid_to_treasury、refund 之一",
                "第 2 行：金额 \"1.001\" 超过两位小数（金额精确到分）",
                "第 3 行：金额 -1.00 必须大于零",
                "第 3 行：ref（结算号）不能为空：对账按结算号逐笔匹配",
            ]
        );
        let wrong = parse(Source::Bank, "date,ref,fund,kind,amount\n".as_bytes()).unwrap_err();
        assert_eq!(
            wrong[0].message,
            "bank 对账单的表头应为 date,ref,book,account,direction,amount，实为 date,ref,fund,kind,amount"
        );
    }
}
