//! Proof that nothing changed behind the engine's back: `check` (balances against lines),
//! `verify` (every voucher chain, the record log against every protected table, content digests
//! against lines, the month-end seals, and optionally anchors kept outside the database),
//! `anchor` (the state to keep outside) and `backup` (a consistent copy while others write).

use super::closing::verify_seals;
use super::files::{check_output, temporary_beside};
use super::{Error, Result, Session};
use crate::domain::balance::PeriodTotals;
use crate::domain::chain::{chain_hash, GENESIS};
use crate::domain::ids::BookCode;
use crate::domain::records::{Anchor, AnchoredBook, AnchoredSeal, Audit, Finding};
use crate::domain::voucher::Status;
use crate::store::{Reader, VoucherFilter};
use std::collections::BTreeMap;
use std::path::Path;

/// Differences between the balance table and the totals recomputed from lines.
fn balance_differences(reader: &Reader<'_>, book: &BookCode) -> Result<Vec<String>> {
    let key = |t: &PeriodTotals| (t.account.clone(), t.period);
    let kept: BTreeMap<_, _> = reader.period_totals(book)?.into_iter().map(|t| (key(&t), t)).collect();
    let recomputed: BTreeMap<_, _> = reader.totals_from_lines(book)?.into_iter().map(|t| (key(&t), t)).collect();
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

/// What `check` or `verify` found.
pub struct Verdict {
    pub books: usize,
    pub problems: Vec<String>,
    /// With anchors: how many anchors were checked, and vouchers posted after the newest.
    pub anchors: usize,
    pub posted_after_anchor: Option<i64>,
    /// The head of the record log now.
    pub log_seq: i64,
}

pub fn check(session: &Session) -> Result<Verdict> {
    let store = session.read_for(None)?;
    let reader = store.reader();
    let books = reader.books()?;
    let mut problems = Vec::new();
    for book in &books {
        problems.extend(balance_differences(&reader, book)?);
    }
    Ok(Verdict { books: books.len(), problems, anchors: 0, posted_after_anchor: None, log_seq: 0 })
}

/// Recomputes every book's voucher chain; names the first voucher that no longer matches.
fn chain_problems(reader: &Reader<'_>, book: &BookCode) -> Result<Vec<String>> {
    let filter = VoucherFilter {
        book: Some(book.clone()),
        status: Some(Status::Posted),
        chain_order: true,
        ..Default::default()
    };
    let mut previous = GENESIS.to_string();
    for (index, record) in reader.vouchers(&filter)?.iter().enumerate() {
        let expected_seq = index as i64 + 1;
        let recomputed = chain_hash(&previous, record);
        if record.chain_seq != Some(expected_seq) || record.hash.as_deref() != Some(recomputed.as_str()) {
            return Ok(vec![format!(
                "{book} 凭证 {}（记账顺序 {expected_seq}）的存储内容与其哈希不符：记账后被改动过，此后的链条均不可信",
                record.number
            )]);
        }
        previous = recomputed;
    }
    Ok(Vec::new())
}

/// Everything `verify` proves from the database alone, then from each anchor.
pub fn verify(session: &Session, anchors: &[Anchor]) -> Result<Verdict> {
    let store = session.read_for(None)?;
    let reader = store.reader();
    let books = reader.books()?;
    let mut problems = Vec::new();
    for book in &books {
        problems.extend(chain_problems(&reader, book)?);
        problems.extend(balance_differences(&reader, book)?);
    }
    let mut audit = Audit::new();
    reader.for_each_log_entry(|entry| audit.entry(entry))?;
    let log_seq = audit.head().0;
    if audit.chain_broken_at().is_none() {
        reader.for_each_protected_row(|kind, key, body| audit.row(kind, key, body))?;
    }
    problems.extend(audit.finish().iter().map(Finding::describe));
    for voucher in reader.vouchers_with_changed_lines()? {
        problems.push(format!("凭证 {voucher} 的分录与制单时记录的内容摘要不符：分录被改动过"));
    }
    problems.extend(verify_seals(&reader)?);
    let mut newest = None;
    for anchor in anchors {
        problems.extend(anchor_problems(&reader, anchor)?);
        newest = newest.max(Some(anchor.log_seq));
    }
    let posted_after_anchor = newest.map(|seq| reader.vouchers_posted_after(seq)).transpose()?;
    Ok(Verdict { books: books.len(), problems, anchors: anchors.len(), posted_after_anchor, log_seq })
}

/// What an anchor proves: the log still holds the anchored entry unchanged (and, the chain
/// being intact, everything before it), every anchored voucher chain position and the seal.
fn anchor_problems(reader: &Reader<'_>, anchor: &Anchor) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let label = format!("锚点（{}，记录日志第 {} 条）", anchor.made_at, anchor.log_seq);
    let city = reader.city()?;
    if city.code != anchor.city {
        problems.push(format!("{label} 属于城市 {}，不是本账套的 {}", anchor.city, city.code));
        return Ok(problems);
    }
    match reader.log_hash_at(anchor.log_seq)? {
        None => problems.push(format!("{label}：记录日志只剩 {} 条，锚定的记录已被截去或删除", reader.log_head()?.seq)),
        Some(hash) if hash != anchor.log_hash => {
            problems.push(format!("{label}：该条记录的哈希已不同：锚定之前的记录被改动、删除、重排或重算"))
        }
        Some(_) => {}
    }
    for book in &anchor.books {
        let code = BookCode::parse(&book.book).map_err(Error::integrity)?;
        match reader.chain_hash_at(&code, book.chain_seq)? {
            None => problems.push(format!(
                "{label}：{} 的第 {} 张已记账凭证已不存在（被删除或被撤销记账）",
                book.book, book.chain_seq
            )),
            Some(hash) if hash != book.hash => problems.push(format!(
                "{label}：{} 哈希链第 {} 张已记账凭证与锚点不符：被改动或链条被重算",
                book.book, book.chain_seq
            )),
            Some(_) => {}
        }
    }
    if let Some(seal) = &anchor.latest_seal {
        let stored = reader.seals()?.into_iter().find(|s| s.id == seal.id);
        match stored {
            None => problems.push(format!("{label}：结账封存 #{}（{}）已被删除", seal.id, seal.period)),
            Some(s) if s.hash.as_deref() != Some(seal.hash.as_str()) || s.period.to_string() != seal.period => {
                problems.push(format!("{label}：结账封存 #{}（{}）与锚点不符：被改动或重算", seal.id, seal.period))
            }
            Some(_) => {}
        }
    }
    Ok(problems)
}

/// The anchor of the database as it stands in `reader`.
pub fn make_anchor(reader: &Reader<'_>, now: &str) -> Result<Anchor> {
    let city = reader.city()?;
    let head = reader.log_head()?;
    let mut books = Vec::new();
    for book in reader.books()? {
        let (chain_seq, hash) = reader.chain_head(&book)?;
        books.push(AnchoredBook { book: book.to_string(), chain_seq, hash });
    }
    let latest_seal = reader.seals()?.into_iter().rev().find(|s| s.action == "close").map(|s| AnchoredSeal {
        id: s.id,
        period: s.period.to_string(),
        hash: s.hash.unwrap_or_default(),
    });
    Ok(Anchor {
        fundpool_anchor: Anchor::VERSION,
        city: city.code,
        made_at: now.to_string(),
        log_seq: head.seq,
        log_hash: head.hash,
        books,
        latest_seal,
    })
}

/// `anchor`: the state now.
pub fn anchor(session: &Session) -> Result<Anchor> {
    let store = session.read_for(None)?;
    make_anchor(&store.reader(), &session.now)
}

/// Reads anchor files.
pub fn read_anchors(paths: &[std::path::PathBuf]) -> Result<Vec<Anchor>> {
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::refused(format!("无法读取锚点文件 {}：{e}", path.display())))?;
            Anchor::parse(&text).map_err(|e| Error::refused(format!("{}：{e}", path.display())))
        })
        .collect()
}

/// `backup FILE`: a consistent copy of the database, made with SQLite's online backup while
/// others may keep writing; written beside the target and renamed into place.
pub fn backup(session: &Session, target: &Path, force: bool) -> Result<()> {
    check_output(&session.db, target, force)?;
    let store = session.read_for(None)?;
    let temporary = temporary_beside(target);
    crate::store::create_private(&temporary)
        .map_err(|e| Error::refused(format!("无法写入 {}：{e}", temporary.display())))?;
    let result = store.backup_to(&temporary).map_err(Error::from).and_then(|()| {
        std::fs::rename(&temporary, target).map_err(|e| Error::refused(format!("无法写入 {}：{e}", target.display())))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
