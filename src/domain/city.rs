//! A city's pooling configuration: its parties (市本级, counties, 市财政专户), the funds it pools,
//! each county's insured population per fund, and the policy settings in which cities differ.
//!
//! Read from `fixtures/<city>/city.toml`; how it books is a setting here, its 方案's rules are
//! its rule set (`rules.toml`), never code.

use super::ids::{BookCode, PartyKind};
use serde::Deserialize;
use std::collections::BTreeMap;

/// How the city books its forward of a county's allocation (DOMAIN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ForwardMode {
    /// TS 21 read literally: Dr 补助下级支出 · Cr 财政专户存款.
    #[default]
    Statute,
    /// The whole allocation lands in the city 支出户 first; the forward credits 支出户存款.
    PassThrough,
}

impl ForwardMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ForwardMode::Statute => "statute",
            ForwardMode::PassThrough => "pass_through",
        }
    }

    pub fn parse(text: &str) -> Option<ForwardMode> {
        match text {
            "statute" => Some(ForwardMode::Statute),
            "pass_through" => Some(ForwardMode::PassThrough),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fund {
    pub code: String,
    pub name: String,
    /// Whether 生育保险 is merged into this fund (its 5001 maternity categories apply).
    #[serde(default)]
    pub includes_maternity: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub code: String,
    pub name: String,
    pub kind: PartyKind,
    /// Insured persons per fund (参保人数); used to weight shares of a policy gap.
    #[serde(default)]
    pub population: BTreeMap<String, u64>,
}

/// How the city keeps its books and reconciles, where cities differ. The rules of its 方案
/// (deadlines, reserves, ratios) are the rule set (`domain/rules.rs`), not settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub forward_mode: ForwardMode,
    /// Outstanding reconciliation items older than this many days are differences.
    pub ageing_limit_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { forward_mode: ForwardMode::Statute, ageing_limit_days: 30 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct City {
    pub code: String,
    pub name: String,
    /// The first day of pooling (统筹开始日, `YYYY-MM-DD`): no voucher may be dated earlier, and
    /// every book's months close in order from this date's month.
    pub opening_date: String,
    #[serde(default)]
    pub settings: Settings,
    pub fund: Vec<Fund>,
    pub party: Vec<Party>,
}

impl City {
    /// Reads and checks a city file: unique codes, exactly one city agency and one finance
    /// party, at least one fund.
    pub fn from_toml(text: &str) -> Result<City, String> {
        let city: City = toml::from_str(text).map_err(|e| format!("城市配置格式错误：{e}"))?;
        city.check()?;
        Ok(city)
    }

    fn check(&self) -> Result<(), String> {
        if self.fund.is_empty() {
            return Err("城市配置至少要有一个基金".into());
        }
        crate::domain::ids::parse_date(&self.opening_date).map_err(|e| format!("opening_date（统筹开始日）：{e}"))?;
        let mut codes = std::collections::BTreeSet::new();
        for code in self.fund.iter().map(|f| &f.code).chain(self.party.iter().map(|p| &p.code)) {
            if BookCode::parse(&format!("{code}/x")).is_err() {
                return Err(format!("代码 \"{code}\" 只能用小写字母、数字和下划线"));
            }
            if !codes.insert(code.clone()) {
                return Err(format!("代码 {code} 重复"));
            }
        }
        for kind in [PartyKind::City, PartyKind::Finance] {
            let count = self.party.iter().filter(|p| p.kind == kind).count();
            if count != 1 {
                return Err(format!("城市配置须恰有一个{}，实有 {count} 个", kind.label()));
            }
        }
        for party in &self.party {
            for fund in party.population.keys() {
                if self.fund(fund).is_none() {
                    return Err(format!("{} 的参保人数写了未统筹的基金 {fund}", party.code));
                }
            }
        }
        Ok(())
    }

    /// The first day of pooling.
    pub fn opening(&self) -> chrono::NaiveDate {
        crate::domain::ids::parse_date(&self.opening_date).expect("checked when the city was read")
    }

    /// The first month every book closes.
    pub fn opening_period(&self) -> crate::domain::ids::Period {
        crate::domain::ids::Period::of(self.opening())
    }

    pub fn party(&self, code: &str) -> Option<&Party> {
        self.party.iter().find(|p| p.code == code)
    }

    pub fn fund(&self, code: &str) -> Option<&Fund> {
        self.fund.iter().find(|f| f.code == code)
    }

    /// The fund as staff name it in a table: 职工基本医疗保险基金 → 职工医保, 城乡居民基本医疗保险基金 →
    /// 居民医保; the code when the city has no such fund.
    pub fn fund_label(&self, code: &str) -> String {
        match self.fund(code) {
            Some(f) => fund_short_name(&f.name),
            None => code.to_string(),
        }
    }

    /// A fund named by its code, its short name or its full name, as its code.
    pub fn fund_code(&self, text: &str) -> Option<&str> {
        let text = text.trim();
        self.fund
            .iter()
            .find(|f| f.code == text || f.name == text || fund_short_name(&f.name) == text)
            .map(|f| f.code.as_str())
    }

    /// The party as staff name it in a 摘要 or report: "市本级", "沙洋县", "市财政专户".
    pub fn short_name(&self, code: &str) -> String {
        match self.party(code) {
            Some(p) if p.kind == PartyKind::City => "市本级".to_string(),
            Some(p) if p.kind == PartyKind::Finance => "市财政专户".to_string(),
            Some(p) => {
                let name = p.name.split('（').next().unwrap_or(&p.name);
                ["医疗保障局", "医保局"].iter().find_map(|suffix| name.strip_suffix(suffix)).unwrap_or(name).to_string()
            }
            None => code.to_string(),
        }
    }

    pub fn counties(&self) -> impl Iterator<Item = &Party> {
        self.party.iter().filter(|p| p.kind == PartyKind::County)
    }

    /// Every book of the city: each party for each pooled fund, in file order.
    pub fn books(&self) -> Vec<BookCode> {
        self.party.iter().flat_map(|p| self.fund.iter().map(move |f| BookCode::new(&p.code, &f.code))).collect()
    }

    /// Checks a book against the city: the party exists and the fund is pooled here.
    pub fn book_kind(&self, book: &BookCode) -> Result<PartyKind, String> {
        let party =
            self.party(&book.party).ok_or_else(|| format!("账簿 {book} 不存在：本市没有机构 {}", book.party))?;
        if self.fund(&book.fund).is_none() {
            let pooled: Vec<&str> = self.fund.iter().map(|f| f.code.as_str()).collect();
            return Err(format!("账簿 {book} 不存在：本市统筹的基金只有 {}", pooled.join("、")));
        }
        Ok(party.kind)
    }
}

/// 职工基本医疗保险基金（含生育保险） → 职工医保; 城乡居民基本医疗保险基金 → 居民医保. A name of
/// another shape is kept whole.
fn fund_short_name(name: &str) -> String {
    match name.split_once("基本医疗保险") {
        Some((who, _)) if !who.is_empty() => format!("{}医保", who.strip_prefix("城乡").unwrap_or(who)),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CITY: &str = r#"
code = "demo"
name = "示例市"
opening_date = "2022-12-31"
[settings]
forward_mode = "pass_through"
[[fund]]
code = "employee"
name = "职工基本医疗保险基金"
[[party]]
code = "city"
name = "市本级"
kind = "city"
[[party]]
code = "east"
name = "东区"
kind = "county"
population = { employee = 1000 }
[[party]]
code = "finance"
name = "市财政专户"
kind = "finance"
"#;

    #[test]
    fn reads_parties_funds_books_and_settings() {
        let city = City::from_toml(CITY).unwrap();
        assert_eq!(city.settings.forward_mode, ForwardMode::PassThrough);
        assert_eq!(city.settings.ageing_limit_days, 30);
        assert_eq!(city.counties().count(), 1);
        let books: Vec<String> = city.books().iter().map(|b| b.to_string()).collect();
        assert_eq!(books, vec!["city/employee", "east/employee", "finance/employee"]);
        assert_eq!(city.book_kind(&BookCode::new("east", "employee")), Ok(PartyKind::County));
        assert!(city.book_kind(&BookCode::new("east", "resident")).unwrap_err().contains("只有 employee"));
        assert!(city.book_kind(&BookCode::new("west", "employee")).unwrap_err().contains("没有机构 west"));
    }

    #[test]
    fn refuses_inconsistent_cities() {
        let two_cities = CITY.replace("kind = \"finance\"", "kind = \"city\"");
        assert_eq!(City::from_toml(&two_cities).unwrap_err(), "城市配置须恰有一个市级经办机构，实有 2 个");
        let bad_pop = CITY.replace("employee = 1000", "resident = 1000");
        assert!(City::from_toml(&bad_pop).unwrap_err().contains("resident"));
        let no_opening = CITY.replace("opening_date = \"2022-12-31\"\n", "");
        assert!(
            City::from_toml(&no_opening).unwrap_err().contains("opening_date"),
            "a missing opening date is refused"
        );
        let bad_opening = CITY.replace("2022-12-31", "2022-13-01");
        assert!(City::from_toml(&bad_opening).unwrap_err().contains("统筹开始日"));
    }
}
