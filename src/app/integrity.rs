//! Proof that nothing changed behind the engine's back: `check` (balances against lines),
//! `verify` (every voucher chain, the record log against every protected table, content digests
//! against lines, the month-end seals, and optionally anchors kept outside the database),
//! `anchor` (the state to keep outside) and `backup` (a consistent copy while others write).

use super::closing::verify_seals;
use super::files::{check_output, temporary_beside};
use super::in_two::{cut, in_two};
use super::{Error, Result, Session};
use crate::domain::balance::{LineTotals, PeriodTotals};
use crate::domain::chain::{chain_digest, GENESIS};
use crate::domain::ids::{BookCode, Period};
use crate::domain::records::{Anchor, AnchoredBook, AnchoredSeal, Audit, Finding, LogEntry, LogSum, RecordSum};
use crate::store::{Reader, StoreError};
use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;
use std::path::Path;

/// Differences between the balance table and the totals recomputed from lines.
fn balance_differences(book: &BookCode, kept: Vec<PeriodTotals>, recomputed: Vec<PeriodTotals>) -> Vec<String> {
    let key = |t: &PeriodTotals| (t.account.clone(), t.period);
    let kept: BTreeMap<_, _> = kept.into_iter().map(|t| (key(&t), t)).collect();
    let recomputed: BTreeMap<_, _> = recomputed.into_iter().map(|t| (key(&t), t)).collect();
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
    differences
}

/// Every book's balance table against `totals` recomputed from its lines, book by book in the
/// city's order.
fn balance_problems(reader: &Reader<'_>, books: &[BookCode], mut totals: LineTotals) -> Result<Vec<String>> {
    let ids: HashMap<BookCode, i64> = reader.book_ids()?.into_iter().map(|(id, book)| (book, id)).collect();
    let mut problems = Vec::new();
    for book in books {
        let recomputed = ids.get(book).map(|id| totals.take(*id)).unwrap_or_default();
        problems.extend(balance_differences(book, reader.period_totals(book)?, recomputed));
    }
    Ok(problems)
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

/// The voucher ids in pieces: enough of them that two connections finish within a piece of each
/// other.
fn id_pieces(reader: &Reader<'_>) -> Result<Vec<RangeInclusive<i64>>> {
    let (first, last) = reader.voucher_id_bounds()?;
    Ok(cut(first..=last, 16))
}

/// `check`: every balance row against the posted lines, summed in one streamed pass over the
/// lines shared by two connections.
pub fn check(session: &Session) -> Result<Verdict> {
    let store = session.read_for(None)?;
    let reader = store.reader();
    let snapshot = reader.snapshot()?;
    let books = reader.books()?;
    let pieces = id_pieces(&reader)?;
    let sum_lines = |reader: &Reader<'_>, ids: &RangeInclusive<i64>| -> Result<LineTotals> {
        let mut totals = LineTotals::default();
        reader.for_each_posted_line(ids.clone(), |book, period, account, debit, credit| {
            totals.add(book, account, Period::parse(period).map_err(StoreError::Corrupt)?, debit, credit);
            Ok(())
        })?;
        Ok(totals)
    };
    let mut totals = LineTotals::default();
    for more in in_two(session, &reader, snapshot.log_seq, &pieces, sum_lines)? {
        totals.merge(more);
    }
    let problems = balance_problems(&reader, &books, totals)?;
    Ok(Verdict { books: books.len(), problems, anchors: 0, posted_after_anchor: None, log_seq: 0 })
}

/// What a pass over posted vouchers found.
struct VoucherPass {
    /// The first broken link of each book's chain: its position and the message naming it.
    broken: HashMap<BookCode, (i64, String)>,
    /// Vouchers whose lines no longer give their content digest.
    changed: Vec<String>,
    totals: LineTotals,
    /// The keyed sum of the voucher rows, for the record log.
    rows: RecordSum,
}

impl VoucherPass {
    fn new(salt: [u8; 16]) -> VoucherPass {
        VoucherPass {
            broken: HashMap::new(),
            changed: Vec::new(),
            totals: LineTotals::default(),
            rows: RecordSum::new(salt),
        }
    }

    fn merge(&mut self, other: VoucherPass) {
        for (book, (position, message)) in other.broken {
            let earlier = self.broken.get(&book).is_some_and(|(at, _)| *at <= position);
            if !earlier {
                self.broken.insert(book, (position, message));
            }
        }
        self.changed.extend(other.changed);
        self.totals.merge(other.totals);
        self.rows.merge(&other.rows);
    }
}

/// A streamed pass over the posted vouchers with ids in `ids`: each chain link recomputed from
/// the voucher and its predecessor's stored hash (which proves what walking the chain proves),
/// the content digest recomputed from the lines where a link is broken, the line totals for the
/// balances, and the keyed sum of the voucher rows for the record log.
fn voucher_pass(reader: &Reader<'_>, ids: RangeInclusive<i64>, salt: [u8; 16]) -> Result<VoucherPass> {
    let mut pass = VoucherPass::new(salt);
    reader.for_each_posted_voucher(ids, |posted| {
        let record = &posted.record;
        pass.rows.add("voucher", &posted.key, &posted.body);
        for line in &record.lines {
            let (debit, credit) = line.side.split(line.amount.fen());
            pass.totals.add(posted.book_id, &line.account, record.number.period, debit, credit);
        }
        let position = record.chain_seq.unwrap_or(0);
        let previous = match position {
            1 => Some(GENESIS),
            _ => posted.previous_hash.as_deref(),
        };
        let intact = position >= 1
            && previous
                .zip(record.hash.as_deref())
                .is_some_and(|(previous, stored)| crate::domain::hex_matches(&chain_digest(previous, record), stored));
        // An intact link proves the lines are those hashed when the voucher was posted, and
        // posting hashed only lines that gave the stored digest (the digest itself is in the
        // row the log holds): the digest is recomputed only where the link is broken, to say
        // whether it was the lines that changed.
        if !intact && record.content_digest() != posted.stored_digest {
            pass.changed.push(format!("{} {}", record.book, record.number));
        }
        let earlier = pass.broken.get(&record.book).is_some_and(|(at, _)| *at <= position);
        if !intact && !earlier {
            let message = format!(
                "{} 凭证 {}（记账顺序 {position}）的存储内容与其哈希不符：记账后被改动过，此后的链条均不可信",
                record.book, record.number
            );
            pass.broken.insert(record.book.clone(), (position, message));
        }
        Ok(())
    })?;
    Ok(pass)
}

/// A replay of the record log entries in `seqs`: their chain (from the stored hash of the entry
/// before) and the keyed sum of the entries that are the last of their record (`last`: one bit
/// per entry). `None` when the chain is broken there.
fn log_pass(reader: &Reader<'_>, seqs: RangeInclusive<i64>, last: &[u64], salt: [u8; 16]) -> Result<Option<RecordSum>> {
    let before = *seqs.start() - 1;
    let Some(prev) = reader.log_hash_at(before)? else { return Ok(None) };
    let is_last = |seq: i64| {
        usize::try_from(seq).ok().and_then(|s| last.get(s / 64).map(|word| word >> (s % 64) & 1 == 1)).unwrap_or(false)
    };
    let mut replay = LogSum::after(before, &prev, salt);
    let end = *seqs.end();
    reader.for_each_log_entry(seqs, |e| replay.entry(e.seq, e.kind, e.key, e.body, e.prev, e.hash, is_last(e.seq)))?;
    Ok(replay.finish().filter(|(seq, _)| *seq == end).map(|(_, sum)| sum))
}

/// A piece of `verify`'s work.
enum Piece {
    /// The posted vouchers with ids in the range.
    Vouchers(RangeInclusive<i64>),
    /// Which log entries are the last of their record: one read of the log's key index, which
    /// the log pieces need. Placed before the last voucher pieces, so that one connection reads
    /// it while the other goes on with vouchers.
    LastEntries,
    /// The record log entries with sequence numbers in the range.
    Log(RangeInclusive<i64>),
}

/// What a piece found.
enum Found {
    Vouchers(VoucherPass),
    LastEntries,
    /// The keyed sum of the records whose last entry is in the piece; `None` when the chain is
    /// broken there.
    Log(Option<RecordSum>),
}

/// `verify`'s pieces: the vouchers in sixteen, the log in eight.
fn verify_pieces(reader: &Reader<'_>, log_seq: i64) -> Result<Vec<Piece>> {
    let mut pieces: Vec<Piece> = id_pieces(reader)?.into_iter().map(Piece::Vouchers).collect();
    pieces.insert(pieces.len().saturating_sub(2), Piece::LastEntries);
    pieces.extend(cut(1..=log_seq, 8).into_iter().map(Piece::Log));
    Ok(pieces)
}

/// Does one piece. Which log entries are last is read once, by the `LastEntries` piece; a log
/// piece that comes to it first (the other connection still reading it) reads it too rather
/// than wait — both read the same state, so the two readings are equal.
fn piece_pass(
    reader: &Reader<'_>,
    piece: &Piece,
    last: &std::sync::OnceLock<Vec<u64>>,
    salt: [u8; 16],
) -> Result<Found> {
    let last_entries = || -> Result<&Vec<u64>> {
        Ok(match last.get() {
            Some(bits) => bits,
            None => {
                let bits = reader.last_log_entries()?;
                last.get_or_init(|| bits)
            }
        })
    };
    Ok(match piece {
        Piece::Vouchers(ids) => Found::Vouchers(voucher_pass(reader, ids.clone(), salt)?),
        Piece::LastEntries => {
            last_entries()?;
            Found::LastEntries
        }
        Piece::Log(seqs) => Found::Log(log_pass(reader, seqs.clone(), last_entries()?, salt)?),
    })
}

/// The exact replay of the record log, keeping a digest per record: names every row that
/// differs from the log. Returns the findings and the head of the intact log.
fn log_findings(reader: &Reader<'_>) -> Result<(Vec<String>, i64)> {
    let mut audit = Audit::new();
    reader.for_each_log_entry(1..=i64::MAX, |e| {
        // The slow path, taken only when something differs: owned entries are fine here.
        audit.entry(&LogEntry {
            seq: e.seq,
            kind: e.kind.to_string(),
            key: e.key.to_string(),
            body: e.body.to_string(),
            prev: e.prev.to_string(),
            hash: e.hash.to_string(),
        })
    })?;
    let seq = audit.head().0;
    if audit.chain_broken_at().is_none() {
        reader.for_each_protected_row(|kind, key, body| audit.row(kind, key, body))?;
    }
    Ok((audit.finish().iter().map(Finding::describe).collect(), seq))
}

/// A salt no one could have known when the records were written: from the system's random
/// source, else from the standard library's randomly keyed hasher.
fn fresh_salt() -> [u8; 16] {
    use std::io::Read;
    let mut salt = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut salt));
    if read.is_err() {
        use std::hash::{BuildHasher, Hasher};
        for chunk in salt.chunks_mut(8) {
            let word = std::collections::hash_map::RandomState::new().build_hasher().finish();
            chunk.copy_from_slice(&word.to_le_bytes());
        }
    }
    salt
}

/// Everything `verify` proves from the database alone, then from each anchor.
///
/// The work is shared by two connections reading the same state (`in_two`), in pieces each takes
/// in turn: the posted vouchers in sixteen (chains, line totals, keyed sum of their rows), which
/// log entries are last of their record, the record log in eight (its chain, keyed sum of each
/// record's last entry). The log's sum must equal the sum over the rows; if it does not, or a
/// chain is broken, the log is replayed exactly to name every row that differs. Memory holds
/// one voucher per connection and one bit per log entry.
pub fn verify(session: &Session, anchors: &[Anchor]) -> Result<Verdict> {
    let store = session.read_for(None)?;
    let reader = store.reader();
    let snapshot = reader.snapshot()?;
    let books = reader.books()?;
    let salt = fresh_salt();
    let last = std::sync::OnceLock::new();
    let pieces = verify_pieces(&reader, snapshot.log_seq)?;
    let found =
        in_two(session, &reader, snapshot.log_seq, &pieces, |reader, piece| piece_pass(reader, piece, &last, salt))?;
    let mut vouchers = VoucherPass::new(salt);
    // The log's sum, or `None` once a piece of it is broken.
    let mut logged = Some(RecordSum::new(salt));
    for found in found {
        match found {
            Found::Vouchers(pass) => vouchers.merge(pass),
            Found::LastEntries => {}
            Found::Log(sum) => {
                logged = logged.zip(sum).map(|(mut logged, sum)| {
                    logged.merge(&sum);
                    logged
                })
            }
        }
    }

    let mut problems: Vec<String> = books.iter().filter_map(|b| vouchers.broken.remove(b).map(|(_, m)| m)).collect();
    problems.extend(balance_problems(&reader, &books, vouchers.totals)?);
    vouchers.changed.extend(reader.unposted_vouchers_with_changed_lines()?);
    vouchers.changed.sort();
    for voucher in vouchers.changed {
        problems.push(format!("凭证 {voucher} 的分录与制单时记录的内容摘要不符：分录被改动过"));
    }
    problems.extend(verify_seals(&reader)?);

    let agreed = match logged {
        Some(logged) => {
            let mut rows = vouchers.rows;
            reader.for_each_protected_row_but_posted(|kind, key, body| rows.add(kind, key, body))?;
            rows == logged
        }
        None => false,
    };
    let log_seq = if agreed {
        snapshot.log_seq
    } else {
        let (findings, seq) = log_findings(&reader)?;
        problems.extend(findings);
        seq
    };
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
            let text = super::files::read_text(path, "锚点文件")?;
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
    crate::store::create_private_new(&temporary)
        .map_err(|e| Error::refused(format!("无法写入 {}：{e}", temporary.display())))?;
    let result = store.backup_to(&temporary).map_err(Error::from).and_then(|()| {
        std::fs::rename(&temporary, target).map_err(|e| Error::refused(format!("无法写入 {}：{e}", target.display())))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
