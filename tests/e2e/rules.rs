//! City rules as data: `init` needs the city's rule set, `rules` shows it with its clauses and
//! versions, a bad rule set changes nothing, and medical-aid premium sponsorship is premium income
//! of the resident fund with its source kept.

use crate::support::{fixture, Env, REVIEWER};
use serde_json::Value;

#[test]
fn init_needs_the_citys_rules_and_refuses_a_bad_set() {
    let env = Env::empty();
    // A city folder without rules.toml: refused, no database made.
    let dir = env.path("city");
    std::fs::create_dir(&dir).unwrap();
    for name in ["city.toml", "chart.toml"] {
        std::fs::copy(fixture(&format!("fixtures/jingmen/{name}")), dir.join(name)).unwrap();
    }
    let run = env.run(&["init", "--city", dir.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("rules.toml"), "{}", run.stderr);
    assert!(!env.db().exists(), "nothing was created");
    // A rule set whose gap-sharing parts are not a split: refused, no database made.
    let rules = std::fs::read_to_string(fixture("fixtures/jingmen/rules.toml"))
        .unwrap()
        .replace("city_parts = 5", "city_parts = 0")
        .replace("county_parts = 5", "county_parts = 0");
    std::fs::write(dir.join("rules.toml"), rules).unwrap();
    let run = env.run(&["init", "--city", dir.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("不是有效的分担比例"), "{}", run.stderr);
    assert!(!env.db().exists(), "nothing was created");
    // Wuhan's rules for a city that pools the resident fund: the matching subsidy rule is missing.
    std::fs::copy(fixture("fixtures/wuhan/rules.toml"), dir.join("rules.toml")).unwrap();
    let run = env.run(&["init", "--city", dir.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("规则集缺少 matching_subsidy"), "{}", run.stderr);
}

#[test]
fn rules_show_each_rule_with_its_clause_and_every_version() {
    let env = Env::new_city("fixtures/wuhan");
    let json: Value = serde_json::from_str(&env.ok(&["rules", "--as-of", "2023-03-01", "--format", "json"])).unwrap();
    assert_eq!(json["effective_from"], "2022-12-31");
    assert_eq!(json["rules"]["balance_remittance"]["clause"], "WH 三(三)");
    assert_eq!(json["rules"]["balance_remittance"]["months_kept"], 3);
    assert_eq!(json["rules"]["plans"]["period"], "monthly");
    let table = env.ok(&["rules", "--as-of", "2023-03-01"]);
    assert!(table.contains("2022-12-31 前上解；留足 3 个月预算支付额") && table.contains("WH 三(三)"), "{table}");
    // A version that would start before pooling is refused and changes nothing.
    let before = env.fingerprint();
    let run = env.run(&["rules", "set", &fixture("fixtures/wuhan/rules.toml"), "--from", "2022-01-01"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("不能早于统筹开始日 2022-12-31"), "{}", run.stderr);
    let run = env.run(&["rules", "set", &fixture("fixtures/wuhan/rules.toml"), "--from", "2022-12-31"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("2022-12-31 已有一版规则集"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn medical_aid_sponsorship_is_resident_premium_income_by_source() {
    let env = Env::jingmen();
    let events = env.write(
        "aid.toml",
        "[[event]]\nid = \"AID-SY-2303\"\nkind = \"premium_sponsorship\"\ndate = 2023-03-01\nfund = \"resident\"\n\
         ref = \"AID-2303\"\nclass = \"class_1\"\npersons = \"120\"\namount = \"45600.00\"\nparty = \"shayang\"\n",
    );
    env.ok(&["post", &events, "--post", "--reviewer", REVIEWER]);
    let tb = env.ok(&["trial-balance", "--book", "city/resident", "--period", "2023-03"]);
    assert!(tb.contains("4001.90") && tb.contains("医疗救助资助参保") && tb.contains("45,600.00"), "{tb}");
    let journal = env.ok(&["journal", "--book", "city/resident", "--period", "2023-03"]);
    assert!(journal.contains("沙洋县医疗救助资助参保：一类医疗救助对象（全额资助）120 人"), "{journal}");
    // JL 14/19: 沙洋县's medical aid paid these premiums, so they are 沙洋县's premium income.
    let json: Value =
        serde_json::from_str(&env.ok(&["assess", "--year", "2023", "--fund", "resident", "--format", "json"])).unwrap();
    let shayang = json["counties"].as_array().unwrap().iter().find(|c| c["party"] == "shayang").unwrap();
    assert_eq!(shayang["premiums"], "45600.00");
    // An employee-fund sponsorship is refused and changes nothing.
    let before = env.fingerprint();
    let wrong = env.write(
        "wrong.toml",
        &std::fs::read_to_string(&events).unwrap().replace("resident", "employee").replace("AID-SY-2303", "AID-X"),
    );
    let run = env.run(&["post", &wrong]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("医疗救助资助参保只用于城乡居民医保基金"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
}
