//! `check` and `verify`: prove that the stored balances agree with the voucher lines and that
//! no posted voucher was changed behind the engine's back.

use super::{exit, CliError, Context, Outcome};
use crate::domain::balance::PeriodTotals;
use crate::domain::chain::{chain_hash, GENESIS};
use crate::domain::ids::BookCode;
use crate::store::{Store, VoucherFilter};
use std::collections::BTreeMap;

/// Differences between the balance table and the totals recomputed from lines.
fn balance_differences(store: &Store, book: &BookCode) -> Result<Vec<String>, CliError> {
    let key = |t: &PeriodTotals| (t.account.clone(), t.period);
    let kept: BTreeMap<_, _> = store.reader().period_totals(book)?.into_iter().map(|t| (key(&t), t)).collect();
    let recomputed: BTreeMap<_, _> =
        store.reader().totals_from_lines(book)?.into_iter().map(|t| (key(&t), t)).collect();
    let mut differences = Vec::new();
    for k in kept.keys().chain(recomputed.keys()).collect::<std::collections::BTreeSet<_>>() {
        let pair = |t: Option<&PeriodTotals>| t.map(|t| (t.debit, t.credit)).unwrap_or_default();
        let (kd, kc) = pair(kept.get(k));
        let (rd, rc) = pair(recomputed.get(k));
        if (kd, kc) != (rd, rc) {
            differences.push(format!(
                "{book} {} 科目 {}：余额表 借 {} 贷 {}，按凭证行重算 借 {} 贷 {}",
                k.1,
                k.0,
                kd.grouped(),
                kc.grouped(),
                rd.grouped(),
                rc.grouped()
            ));
        }
    }
    Ok(differences)
}

pub fn check(ctx: &Context) -> Result<Outcome, CliError> {
    let store = ctx.open()?;
    let mut differences = Vec::new();
    let books = store.reader().books()?;
    for book in &books {
        differences.extend(balance_differences(&store, book)?);
    }
    report("check", books.len(), differences)
}

pub fn verify(ctx: &Context) -> Result<Outcome, CliError> {
    let store = ctx.open()?;
    let books = store.reader().books()?;
    let mut problems = Vec::new();
    for book in &books {
        let filter = VoucherFilter {
            book: Some(book.clone()),
            status: Some(crate::domain::voucher::Status::Posted),
            chain_order: true,
            ..Default::default()
        };
        let mut previous = GENESIS.to_string();
        for (index, record) in store.reader().vouchers(&filter)?.iter().enumerate() {
            let expected_seq = index as i64 + 1;
            let recomputed = chain_hash(&previous, record);
            if record.chain_seq != Some(expected_seq) || record.hash.as_deref() != Some(recomputed.as_str()) {
                problems.push(format!(
                    "{book} 凭证 {}（记账顺序 {expected_seq}）的存储内容与其哈希不符：记账后被改动过，此后的链条均不可信",
                    record.number
                ));
                break;
            }
            previous = recomputed;
        }
        problems.extend(balance_differences(&store, book)?);
    }
    problems.extend(super::closing::verify_seals(&store)?);
    report("verify", books.len(), problems)
}

fn report(what: &str, books: usize, problems: Vec<String>) -> Result<Outcome, CliError> {
    if problems.is_empty() {
        let text = match what {
            "verify" => format!("verify 通过：{books} 个账簿的哈希链和余额均与凭证一致，结账封存完好\n"),
            _ => format!("check 通过：{books} 个账簿的余额均与凭证行一致\n"),
        };
        return Ok(Outcome::ok(text));
    }
    Err(CliError {
        code: exit::INTEGRITY,
        message: format!("{what} 发现 {} 处问题：\n  {}", problems.len(), problems.join("\n  ")),
    })
}
