//! The record log: one hash chain over every record that matters (vouchers with their workflow
//! history, statement lines, reconciliation runs, seals, periods, import batches, events, plans,
//! budgets and the city configuration), and the audit that compares it with the tables.
//!
//! Each write appends the written row's canonical body; an entry's hash covers the previous
//! entry's hash, so the log can only be extended. `Audit` replays the log — the last body per
//! (kind, key) is what the table must hold — and names every row that was edited, deleted or
//! inserted behind the engine's back. Someone with the file can still rewrite the log and every
//! table consistently; only an anchor kept outside the database (`Anchor`) shows that.

use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The body of an entry that records a deletion: the row must no longer exist.
pub const TOMBSTONE: &str = "null";

/// The hash the first entry links to.
pub const LOG_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of a log entry after `prev`.
pub fn entry_hash(prev: &str, kind: &str, key: &str, body: &str) -> String {
    crate::domain::hex_digest(&entry_digest(prev, kind, key, body))
}

/// The digest behind `entry_hash`.
fn entry_digest(prev: &str, kind: &str, key: &str, body: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [prev, kind, key] {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    hasher.update(body.as_bytes());
    hasher.finalize().into()
}

/// One stored log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub seq: i64,
    pub kind: String,
    pub key: String,
    pub body: String,
    pub prev: String,
    pub hash: String,
}

/// What the replay found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The chain is broken at this entry (edited, deleted, reordered or recomputed wrongly).
    BrokenChain { seq: i64 },
    /// A row differs from its last logged body.
    Changed { kind: String, key: String },
    /// A logged row is gone.
    Deleted { kind: String, key: String },
    /// A row that no log entry accounts for.
    Unlogged { kind: String, key: String },
}

impl Finding {
    pub fn describe(&self) -> String {
        match self {
            Finding::BrokenChain { seq } => {
                format!("记录日志第 {seq} 条与哈希链不符：日志被改动、删除或重排，此后的记录均不可信")
            }
            Finding::Changed { kind, key } => format!("{} {key} 的内容与记录日志不符：被改动过", kind_label(kind)),
            Finding::Deleted { kind, key } => {
                format!("{} {key} 在记录日志中有记载，但已不在数据库中：被删除", kind_label(kind))
            }
            Finding::Unlogged { kind, key } => {
                format!("{} {key} 不在记录日志中：未经 fundpool 写入", kind_label(kind))
            }
        }
    }
}

/// Chinese label of a record kind, for messages.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "voucher" => "凭证记录",
        "statement_line" => "对账单行",
        "reconciliation_run" => "对账记录",
        "seal" => "结账封存记录",
        "period" => "会计期间",
        "import_batch" => "导入批次",
        "event" => "业务事件",
        "event_voucher" => "事件与凭证的对应",
        "instrument" => "存单/债券登记",
        "plan" => "用款计划",
        "plan_line" => "用款计划明细",
        "budget" => "预算",
        "setting" => "设置",
        "fund" => "基金",
        "party" => "机构",
        "population" => "参保人数",
        "account" => "科目",
        "book" => "账簿",
        "app_user" => "用户",
        "user_grant" => "用户授权",
        "audit" => "审计记录",
        "voucher_void" => "凭证作废记录",
        _ => "记录",
    }
}

fn finding_order(finding: &Finding) -> (String, String, u8) {
    match finding {
        Finding::BrokenChain { seq } => (String::new(), format!("{seq:020}"), 0),
        Finding::Changed { kind, key } => (kind.clone(), key.clone(), 1),
        Finding::Deleted { kind, key } => (kind.clone(), key.clone(), 2),
        Finding::Unlogged { kind, key } => (kind.clone(), key.clone(), 3),
    }
}

/// The replay of the log, entry by entry in order, then of every protected row: memory holds
/// one digest per (kind, key), never the bodies.
#[derive(Default)]
pub struct Audit {
    prev: String,
    next_seq: i64,
    broken_at: Option<i64>,
    /// (kind, key) → SHA-256 of the last logged body.
    expected: HashMap<(String, String), [u8; 32]>,
    findings: Vec<Finding>,
}

fn body_digest(body: &str) -> [u8; 32] {
    Sha256::digest(body.as_bytes()).into()
}

impl Audit {
    pub fn new() -> Audit {
        Audit { prev: LOG_GENESIS.to_string(), next_seq: 1, ..Default::default() }
    }

    /// The next log entry, in sequence order. After a break the chain proves nothing more, and
    /// the rows are not compared (every later entry would be suspect).
    pub fn entry(&mut self, entry: &LogEntry) {
        if self.broken_at.is_some() {
            return;
        }
        if entry.seq != self.next_seq
            || entry.prev != self.prev
            || entry.hash != entry_hash(&entry.prev, &entry.kind, &entry.key, &entry.body)
        {
            self.broken_at = Some(self.next_seq.min(entry.seq));
            return;
        }
        self.prev.clone_from(&entry.hash);
        self.next_seq += 1;
        let key = (entry.kind.clone(), entry.key.clone());
        if entry.body == TOMBSTONE {
            self.expected.remove(&key);
        } else {
            self.expected.insert(key, body_digest(&entry.body));
        }
    }

    /// The head of the chain as far as it is intact: (seq, hash).
    pub fn head(&self) -> (i64, &str) {
        (self.next_seq - 1, &self.prev)
    }

    pub fn chain_broken_at(&self) -> Option<i64> {
        self.broken_at
    }

    /// One row of a protected table as it stands.
    pub fn row(&mut self, kind: &str, key: &str, body: &str) {
        if self.broken_at.is_some() {
            return;
        }
        match self.expected.remove(&(kind.to_string(), key.to_string())) {
            None => self.findings.push(Finding::Unlogged { kind: kind.into(), key: key.into() }),
            Some(logged) if logged != body_digest(body) => {
                self.findings.push(Finding::Changed { kind: kind.into(), key: key.into() })
            }
            Some(_) => {}
        }
    }

    /// Every finding, sorted: a broken chain, or the rows that differ from the log.
    pub fn finish(mut self) -> Vec<Finding> {
        if let Some(seq) = self.broken_at {
            return vec![Finding::BrokenChain { seq }];
        }
        for (kind, key) in self.expected.into_keys() {
            self.findings.push(Finding::Deleted { kind, key });
        }
        self.findings.sort_by_key(finding_order);
        self.findings
    }
}

/// A keyed sum over a multiset of records: each (kind, key, body) adds SHA-256(salt, kind, key,
/// body) as a 256-bit number, so the order of adding does not matter and two multisets give the
/// same sum only if they are equal — with certainty short of a SHA-256 accident, because the
/// salt is drawn afresh for each run after the records were written: whoever changed a row
/// could not know what to change another by to cancel it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSum {
    salt: [u8; 16],
    sum: [u64; 4],
    count: u64,
}

impl RecordSum {
    pub fn new(salt: [u8; 16]) -> RecordSum {
        RecordSum { salt, sum: [0; 4], count: 0 }
    }

    pub fn add(&mut self, kind: &str, key: &str, body: &str) {
        let mut hasher = Sha256::new();
        hasher.update(self.salt);
        for part in [kind, key] {
            hasher.update(part.as_bytes());
            hasher.update(b"\n");
        }
        hasher.update(body.as_bytes());
        let digest = hasher.finalize();
        let mut words = [0u64; 4];
        for (word, bytes) in words.iter_mut().zip(digest.chunks_exact(8)) {
            *word = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        }
        self.add_words(words);
        self.count += 1;
    }

    /// sum += words, modulo 2^256.
    fn add_words(&mut self, words: [u64; 4]) {
        let mut carry = false;
        for (limb, word) in self.sum.iter_mut().zip(words) {
            let (partial, overflow_a) = limb.overflowing_add(word);
            let (total, overflow_b) = partial.overflowing_add(u64::from(carry));
            *limb = total;
            carry = overflow_a || overflow_b;
        }
    }

    /// Adds the records summed in `other` (with the same salt).
    pub fn merge(&mut self, other: &RecordSum) {
        debug_assert_eq!(self.salt, other.salt, "sums with different salts do not add up");
        self.add_words(other.sum);
        self.count += other.count;
    }
}

/// The quick replay for `verify`: checks the log's chain entry by entry and sums the last
/// entry of every record (what its table must hold), holding nothing per record. When the sum
/// equals the tables' sum, the log and the tables agree; otherwise `Audit` names the rows.
pub struct LogSum {
    prev: String,
    next_seq: i64,
    broken: bool,
    records: RecordSum,
}

impl LogSum {
    /// A replay of the entries after `seq`, whose hash is `prev` (0 and the genesis hash for
    /// the whole log).
    pub fn after(seq: i64, prev: &str, salt: [u8; 16]) -> LogSum {
        LogSum { prev: prev.to_string(), next_seq: seq + 1, broken: false, records: RecordSum::new(salt) }
    }

    /// The next entry in sequence order; `last` when no later entry is about the same record.
    #[allow(clippy::too_many_arguments)]
    pub fn entry(&mut self, seq: i64, kind: &str, key: &str, body: &str, prev: &str, hash: &str, last: bool) {
        if self.broken {
            return;
        }
        if seq != self.next_seq
            || prev != self.prev
            || !crate::domain::hex_matches(&entry_digest(prev, kind, key, body), hash)
        {
            self.broken = true;
            return;
        }
        self.prev.clear();
        self.prev.push_str(hash);
        self.next_seq += 1;
        if last && body != TOMBSTONE {
            self.records.add(kind, key, body);
        }
    }

    /// The sequence number of the last entry replayed and the sum of the records whose last
    /// entries it saw, or `None` when the chain is broken.
    pub fn finish(self) -> Option<(i64, RecordSum)> {
        (!self.broken).then_some((self.next_seq - 1, self.records))
    }
}

/// An anchor: the state of the database at one moment, short enough to print and keep outside
/// it (with the month-end papers, or sent to the finance bureau).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    pub fundpool_anchor: u32,
    pub city: String,
    pub made_at: String,
    /// The head of the record log.
    pub log_seq: i64,
    pub log_hash: String,
    /// The head of every book's voucher chain.
    pub books: Vec<AnchoredBook>,
    /// The newest month-end seal, if any.
    pub latest_seal: Option<AnchoredSeal>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchoredBook {
    pub book: String,
    pub chain_seq: i64,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchoredSeal {
    pub id: i64,
    pub period: String,
    pub hash: String,
}

impl Anchor {
    pub const VERSION: u32 = 1;

    /// Reads an anchor: a file holding just the anchor (`anchor --output`), or the saved output
    /// of `close`, whose anchor is the line that starts with `{"fundpool_anchor"`.
    pub fn parse(text: &str) -> Result<Anchor, String> {
        let json = match serde_json::from_str::<serde_json::Value>(text.trim()) {
            Ok(_) => text.trim(),
            Err(_) => text
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| l.starts_with("{\"fundpool_anchor\""))
                .ok_or_else(|| "不是 fundpool 锚点文件：其中没有锚点".to_string())?,
        };
        let anchor: Anchor = serde_json::from_str(json).map_err(|e| format!("不是 fundpool 锚点文件：{e}"))?;
        if anchor.fundpool_anchor != Anchor::VERSION {
            return Err(format!("锚点文件版本 {} 不受支持", anchor.fundpool_anchor));
        }
        Ok(anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(items: &[(&str, &str, &str)]) -> Vec<LogEntry> {
        let mut prev = LOG_GENESIS.to_string();
        items
            .iter()
            .enumerate()
            .map(|(i, (kind, key, body))| {
                let hash = entry_hash(&prev, kind, key, body);
                let entry = LogEntry {
                    seq: i as i64 + 1,
                    kind: kind.to_string(),
                    key: key.to_string(),
                    body: body.to_string(),
                    prev: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    fn audit(log: &[LogEntry], rows: &[(&str, &str, &str)]) -> Vec<Finding> {
        let mut audit = Audit::new();
        for entry in log {
            audit.entry(entry);
        }
        for (kind, key, body) in rows {
            audit.row(kind, key, body);
        }
        audit.finish()
    }

    #[test]
    fn an_intact_chain_gives_its_head_and_any_edit_names_the_entry() {
        let mut log = chain(&[("voucher", "1", "[1]"), ("voucher", "1", "[2]"), ("seal", "1", "[3]")]);
        let mut whole = Audit::new();
        log.iter().for_each(|e| whole.entry(e));
        assert_eq!(whole.head(), (3, log[2].hash.as_str()));
        log[1].body = "[9]".into();
        assert_eq!(audit(&log, &[]), vec![Finding::BrokenChain { seq: 2 }]);
        let mut shortened = chain(&[("voucher", "1", "[1]"), ("voucher", "1", "[2]")]);
        shortened.remove(0);
        assert_eq!(audit(&shortened, &[]), vec![Finding::BrokenChain { seq: 1 }]);
    }

    #[test]
    fn the_last_body_per_key_is_what_the_table_must_hold() {
        let log = chain(&[("voucher", "1", "[draft]"), ("voucher", "2", "[x]"), ("voucher", "1", "[posted]")]);
        let findings = audit(&log, &[("voucher", "1", "[draft]"), ("voucher", "3", "[y]")]);
        assert_eq!(
            findings,
            vec![
                Finding::Changed { kind: "voucher".into(), key: "1".into() },
                Finding::Deleted { kind: "voucher".into(), key: "2".into() },
                Finding::Unlogged { kind: "voucher".into(), key: "3".into() },
            ]
        );
        assert!(audit(&log, &[("voucher", "1", "[posted]"), ("voucher", "2", "[x]")]).is_empty());
    }
}
