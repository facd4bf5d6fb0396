//! The chart of accounts (科目表): codes, Chinese names, class, normal side, which kinds of
//! party may use each account, and the sub-account tree (明细科目).
//!
//! The chart is data (`fixtures/<city>/chart.toml`), never code. Sub-accounts are written
//! `parent.NN` and inherit class, side and scope from their parent; a lookup `key` (a county
//! code, a spending category, a subsidy level…) lets posting rules find the right sub-account
//! without naming codes. Postings go to leaves only; reports roll leaves up to their parents.

use super::ids::PartyKind;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountClass {
    Asset,
    Liability,
    NetAssets,
    Revenue,
    Expense,
}

impl AccountClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountClass::Asset => "asset",
            AccountClass::Liability => "liability",
            AccountClass::NetAssets => "net_assets",
            AccountClass::Revenue => "revenue",
            AccountClass::Expense => "expense",
        }
    }

    pub fn parse(text: &str) -> Option<AccountClass> {
        match text {
            "asset" => Some(AccountClass::Asset),
            "liability" => Some(AccountClass::Liability),
            "net_assets" => Some(AccountClass::NetAssets),
            "revenue" => Some(AccountClass::Revenue),
            "expense" => Some(AccountClass::Expense),
            _ => None,
        }
    }
}

/// The side on which an account normally carries its balance (余额方向).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }

    pub fn parse(text: &str) -> Option<Side> {
        match text {
            "debit" => Some(Side::Debit),
            "credit" => Some(Side::Credit),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Side::Debit => "借",
            Side::Credit => "贷",
        }
    }

    /// An amount on this side as the (debit, credit) pair the lines and balances store.
    pub fn split(self, fen: i64) -> (i64, i64) {
        match self {
            Side::Debit => (fen, 0),
            Side::Credit => (0, fen),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub code: String,
    pub name: String,
    pub class: AccountClass,
    pub side: Side,
    pub parent: Option<String>,
    /// The kinds of party whose books may use this account.
    pub scope: Vec<PartyKind>,
    /// Lookup key among its siblings (county code, category, level, purpose, source).
    pub key: Option<String>,
    pub is_leaf: bool,
}

impl Account {
    pub fn allowed_for(&self, kind: PartyKind) -> bool {
        self.scope.contains(&kind)
    }
}

/// A chart of accounts, ordered by code (a parent sorts just before its children).
#[derive(Debug, Clone, Default)]
pub struct Chart {
    accounts: BTreeMap<String, Account>,
    /// Each parent with the kinds of book its sub-accounts serve, so leaf-ness per kind is a
    /// lookup on the posting path rather than a scan of the chart for every line.
    parents_for: BTreeMap<String, Vec<PartyKind>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartFile {
    account: Vec<AccountEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountEntry {
    code: String,
    name: String,
    class: Option<AccountClass>,
    side: Option<Side>,
    scope: Option<Vec<PartyKind>>,
    key: Option<String>,
}

impl Chart {
    /// Reads a chart file. Top-level accounts must state class, side and scope; sub-accounts
    /// (`1234.NN`) inherit what they do not state and must follow their parent in the file.
    pub fn from_toml(text: &str) -> Result<Chart, String> {
        let file: ChartFile = toml::from_str(text).map_err(|e| format!("科目表格式错误：{e}"))?;
        let mut rows = Vec::with_capacity(file.account.len());
        let mut seen: BTreeMap<String, (AccountClass, Side, Vec<PartyKind>)> = BTreeMap::new();
        for entry in file.account {
            let code = entry.code.trim().to_string();
            if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return Err(format!("科目编码 \"{code}\" 只能由数字和点组成"));
            }
            if seen.contains_key(&code) {
                return Err(format!("科目编码 {code} 重复"));
            }
            let parent = code.rsplit_once('.').map(|(p, _)| p.to_string());
            let inherited = match &parent {
                Some(p) => {
                    Some(seen.get(p).cloned().ok_or_else(|| format!("科目 {code} 的上级科目 {p} 未在它之前定义"))?)
                }
                None => None,
            };
            let pick = |field: &str| format!("一级科目 {code} 必须写明 {field}");
            let class = match (entry.class, &inherited) {
                (Some(c), _) => c,
                (None, Some((c, _, _))) => *c,
                (None, None) => return Err(pick("class")),
            };
            let side = match (entry.side, &inherited) {
                (Some(s), _) => s,
                (None, Some((_, s, _))) => *s,
                (None, None) => return Err(pick("side")),
            };
            let scope = match (entry.scope, &inherited) {
                (Some(s), _) => s,
                (None, Some((_, _, s))) => s.clone(),
                (None, None) => return Err(pick("scope")),
            };
            seen.insert(code.clone(), (class, side, scope.clone()));
            rows.push(Account { code, name: entry.name, class, side, parent, scope, key: entry.key, is_leaf: true });
        }
        Ok(Chart::from_accounts(rows))
    }

    /// Builds a chart from accounts (e.g. as the store keeps them); leaf flags are derived.
    pub fn from_accounts(rows: Vec<Account>) -> Chart {
        let mut accounts: BTreeMap<String, Account> = rows.into_iter().map(|a| (a.code.clone(), a)).collect();
        let parents: Vec<String> = accounts.values().filter_map(|a| a.parent.clone()).collect();
        for account in accounts.values_mut() {
            account.is_leaf = true;
        }
        for parent in parents {
            if let Some(account) = accounts.get_mut(&parent) {
                account.is_leaf = false;
            }
        }
        let mut parents_for: BTreeMap<String, Vec<PartyKind>> = BTreeMap::new();
        for account in accounts.values() {
            if let Some(parent) = &account.parent {
                parents_for.entry(parent.clone()).or_default().extend(account.scope.iter().copied());
            }
        }
        Chart { accounts, parents_for }
    }

    pub fn get(&self, code: &str) -> Option<&Account> {
        self.accounts.get(code)
    }

    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// The account itself and each ancestor up to the top level, nearest first.
    pub fn self_and_ancestors<'a>(&'a self, code: &str) -> Vec<&'a Account> {
        let mut chain = Vec::new();
        let mut current = self.get(code);
        while let Some(account) = current {
            chain.push(account);
            current = account.parent.as_deref().and_then(|p| self.get(p));
        }
        chain
    }

    /// The sub-account of `parent` whose lookup key is `key`.
    pub fn child_by_key(&self, parent: &str, key: &str) -> Option<&Account> {
        self.accounts.values().find(|a| a.parent.as_deref() == Some(parent) && a.key.as_deref() == Some(key))
    }

    /// Whether the books of `kind` post to `code` itself: it has no sub-account those books may
    /// use. (The city books premiums by county in 4001's sub-accounts, scoped to the city, while
    /// a county's refunds and the finance bureau's receipts post to 4001 itself.)
    pub fn is_leaf_for(&self, code: &str, kind: PartyKind) -> bool {
        !self.parents_for.get(code).is_some_and(|kinds| kinds.contains(&kind))
    }

    /// Whether `code` is `ancestor` or lies below it.
    pub fn is_within(&self, code: &str, ancestor: &str) -> bool {
        code == ancestor || (code.starts_with(ancestor) && code[ancestor.len()..].starts_with('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART: &str = r#"
[[account]]
code = "1003"
name = "支出户存款"
class = "asset"
side = "debit"
scope = ["city", "county"]

[[account]]
code = "4701"
name = "下级上解收入"
class = "revenue"
side = "credit"
scope = ["city", "finance"]

[[account]]
code = "4701.03"
name = "下级上解收入—沙洋县"
key = "shayang"
"#;

    #[test]
    fn sub_accounts_inherit_and_parents_are_not_leaves() {
        let chart = Chart::from_toml(CHART).unwrap();
        let sub = chart.get("4701.03").unwrap();
        assert_eq!(sub.class, AccountClass::Revenue);
        assert_eq!(sub.side, Side::Credit);
        assert_eq!(sub.scope, vec![PartyKind::City, PartyKind::Finance]);
        assert!(sub.is_leaf);
        assert!(!chart.get("4701").unwrap().is_leaf);
        assert!(chart.get("1003").unwrap().is_leaf);
        assert_eq!(chart.child_by_key("4701", "shayang").unwrap().code, "4701.03");
        let chain: Vec<_> = chart.self_and_ancestors("4701.03").iter().map(|a| a.code.as_str()).collect();
        assert_eq!(chain, vec!["4701.03", "4701"]);
        assert!(chart.is_within("4701.03", "4701"));
        assert!(!chart.is_within("47010", "4701"));
    }

    #[test]
    fn refuses_orphans_duplicates_and_unknown_fields() {
        let orphan = "[[account]]\ncode = \"9.01\"\nname = \"x\"\n";
        assert!(Chart::from_toml(orphan).unwrap_err().contains("上级科目 9"));
        let dup = format!("{CHART}\n[[account]]\ncode = \"1003\"\nname = \"y\"\n");
        assert!(Chart::from_toml(&dup).unwrap_err().contains("重复"));
        let unknown = "[[account]]\ncode = \"1\"\nname = \"x\"\nclass = \"asset\"\nside = \"debit\"\nscope = [\"city\"]\ncolour = \"red\"\n";
        assert!(Chart::from_toml(unknown).unwrap_err().contains("colour"));
    }
}
