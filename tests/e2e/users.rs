//! Users, roles per party and the audit log through the real binary: the first administrator,
//! grants, a county clerk confined to the county's books, the four-eyes rule by user, an auditor
//! who reads everything and writes nothing, and every write and refusal in the audit log.

use crate::support::Env;

const PASSWORD: &str = "correct-horse-9";

/// A Jingmen database with an administrator and staff: a 沙洋 clerk (制单), reviewer (审核) and
/// poster (记账), a finance clerk, and an auditor (只读, every party).
fn office() -> Env {
    let env = Env::jingmen();
    let run = env.run(&["user", "add", "管理员", "--first-admin", "--password-stdin"]);
    assert_eq!(run.code, 1, "the password comes on stdin; without it the add is refused");
    let run =
        env.run_user("", "", &["user", "add", "管理员", "--first-admin", "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("已建立第一位管理员 管理员"), "{}", run.stdout);
    for (name, party, role) in [
        ("沙洋制单", "shayang", "maker"),
        ("沙洋审核", "shayang", "reviewer"),
        ("沙洋记账", "shayang", "poster"),
        ("财政制单", "finance", "maker"),
        ("审计", "*", "reader"),
    ] {
        admin(&env, &["user", "add", name, "--password-stdin"], &format!("{PASSWORD}\n"));
        admin(&env, &["user", "grant", name, "--party", party, "--role", role], "");
    }
    env
}

fn admin(env: &Env, args: &[&str], stdin: &str) -> String {
    let run = env.run_user("管理员", PASSWORD, args, stdin);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.stdout
}

fn as_user(env: &Env, user: &str, args: &[&str]) -> crate::support::Run {
    env.run_user(user, PASSWORD, args, "")
}

fn one_voucher(book: &str, memo: &str) -> String {
    format!(
        "voucher,book,date,account,summary,debit,credit\nv1,{book},2023-01-10,5001.02,{memo},10.00,\nv1,{book},2023-01-10,1003,{memo},,10.00\n"
    )
}

#[test]
fn once_users_exist_every_command_needs_a_login() {
    let env = office();
    let run = env.run(&["journal", "--book", "shayang/employee"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("本账套已有注册用户：请用环境变量 FUNDPOOL_USER"), "{}", run.stderr);
    let run = env.run_user("沙洋制单", "wrong-password", &["journal", "--book", "shayang/employee"], "");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("用户名或密码不对：沙洋制单 不能登录"), "{}", run.stderr);
    let run = env.run_user("没有这人", PASSWORD, &["journal", "--book", "shayang/employee"], "");
    assert!(run.stderr.contains("用户名或密码不对"), "{}", run.stderr);
    // The first-administrator door is shut once there are users.
    let run = env.run_user("", "", &["user", "add", "第二", "--first-admin", "--password-stdin"], "another-pass-1\n");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("本账套已有用户"), "{}", run.stderr);
    // A disabled user cannot log in.
    admin(&env, &["user", "disable", "财政制单"], "");
    let run = as_user(&env, "财政制单", &["journal", "--book", "finance/employee"]);
    assert!(run.stderr.contains("用户 财政制单 已停用"), "{}", run.stderr);
    // Short passwords are refused.
    let run = env.run_user("管理员", PASSWORD, &["user", "passwd", "审计", "--password-stdin"], "short\n");
    assert!(run.stderr.contains("密码至少要有 8 个字符"), "{}", run.stderr);
}

#[test]
fn a_county_clerk_works_only_in_the_countys_books_with_the_roles_granted() {
    let env = office();
    let before = env.fingerprint();
    // Another county's book: refused, nothing written.
    let other = env.write("dongbao.csv", &one_voucher("dongbao/employee", "东宝待遇"));
    let run = as_user(&env, "沙洋制单", &["import", &other]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("沙洋制单 没有 dongbao 的制单权限（maker）"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before);
    // The finance bureau's books likewise.
    let run = as_user(
        &env,
        "沙洋制单",
        &[
            "event",
            "interest_credited",
            "--id",
            "I1",
            "--date",
            "2023-01-20",
            "--fund",
            "employee",
            "--party",
            "city",
            "--account",
            "special",
            "--amount",
            "1.00",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("没有 city 的制单权限"), "{}", run.stderr);
    // Its own county's book: a draft.
    let own = env.write("shayang.csv", &one_voucher("shayang/employee", "沙洋待遇"));
    let run = as_user(&env, "沙洋制单", &["import", &own]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The maker cannot review (no grant), nor post.
    let run = as_user(&env, "沙洋制单", &["review", "--all"]);
    assert!(run.stderr.contains("沙洋制单 没有 shayang 的审核权限（reviewer）"), "{}", run.stderr);
    let run = as_user(&env, "沙洋审核", &["review", "--all"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = as_user(&env, "沙洋审核", &["post", "--all"]);
    assert!(run.stderr.contains("没有 shayang 的记账权限（poster）"), "{}", run.stderr);
    let run = as_user(&env, "沙洋记账", &["post", "--all"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Reading: the clerk sees the county's books, not the city's.
    assert_eq!(as_user(&env, "沙洋制单", &["journal", "--book", "shayang/employee"]).code, 0);
    let run = as_user(&env, "沙洋制单", &["journal", "--book", "city/employee"]);
    assert!(run.stderr.contains("沙洋制单 没有查看 city 账簿的权限"), "{}", run.stderr);
    // The maker and the reviewer are users: one person holding both roles still cannot review
    // their own voucher.
    admin(&env, &["user", "grant", "沙洋制单", "--party", "shayang", "--role", "reviewer"], "");
    let second = env.write("second.csv", &one_voucher("shayang/employee", "沙洋待遇二"));
    assert_eq!(as_user(&env, "沙洋制单", &["import", &second]).code, 0);
    let run = as_user(&env, "沙洋制单", &["review", "--all"]);
    assert!(run.stderr.contains("审核人不能是制单人 沙洋制单"), "{}", run.stderr);
    // One-step posting names a reviewer who must be a registered user with 审核 there.
    admin(&env, &["user", "grant", "沙洋制单", "--party", "shayang", "--role", "poster"], "");
    let third = env.write("third.csv", &one_voucher("shayang/employee", "沙洋待遇三"));
    let run = as_user(&env, "沙洋制单", &["import", &third, "--post", "--reviewer", "路人甲"]);
    assert!(run.stderr.contains("审核人 路人甲 不是本账套的在用用户"), "{}", run.stderr);
    let run = as_user(&env, "沙洋制单", &["import", &third, "--post", "--reviewer", "沙洋审核"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_auditor_reads_everything_and_writes_nothing_and_the_audit_log_shows_it_all() {
    let env = office();
    let own = env.write("shayang.csv", &one_voucher("shayang/employee", "沙洋待遇"));
    assert_eq!(as_user(&env, "沙洋制单", &["import", &own]).code, 0);
    for args in [
        vec!["journal", "--book", "finance/employee"],
        vec!["trial-balance", "--book", "city/resident"],
        vec!["verify"],
        vec!["audit"],
    ] {
        let run = as_user(&env, "审计", &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let before = env.fingerprint();
    let run = as_user(&env, "审计", &["review", "--all"]);
    assert!(run.stderr.contains("审计 没有 shayang 的审核权限"), "{}", run.stderr);
    let run = as_user(&env, "审计", &["reconcile", "--period", "2022-12"]);
    assert!(run.stderr.contains("没有 city 的对账结账权限（closer）"), "{}", run.stderr);
    let run = as_user(&env, "审计", &["user", "list"]);
    assert!(run.stderr.contains("没有 * 的管理权限（admin）"), "{}", run.stderr);
    assert_eq!(env.fingerprint(), before, "refusals write nothing but their audit entries");
    // The audit log: every write and every refusal, with who, what and the result.
    let out = as_user(&env, "审计", &["--format", "json", "audit"]).stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = json["entries"].as_array().unwrap();
    let find = |user: &str, action: &str, result: &str| {
        entries.iter().any(|e| e["user"] == user && e["action"] == action && e["result"] == result)
    };
    assert!(find("管理员", "user add", "ok"));
    assert!(find("管理员", "user grant", "ok"));
    assert!(find("沙洋制单", "import", "ok"));
    assert!(find("审计", "review", "refused"));
    assert!(find("审计", "reconcile", "refused"));
    let import = entries.iter().find(|e| e["action"] == "import" && e["result"] == "ok").unwrap();
    assert!(import["target"].as_str().unwrap().contains("shayang.csv（导入批次 #1）"), "{import}");
    assert_eq!(import["address"], "cli");
    let refusal = entries.iter().find(|e| e["user"] == "审计" && e["action"] == "review").unwrap();
    assert!(refusal["detail"].as_str().unwrap().contains("审核权限"), "{refusal}");
    // Filtered by user.
    let out = as_user(&env, "审计", &["--format", "json", "audit", "--user", "沙洋制单"]).stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(json["entries"].as_array().unwrap().iter().all(|e| e["user"] == "沙洋制单"));
    // Users, grants and the audit log are in the record log: a grant added behind the engine's
    // back is caught.
    env.raw()
        .execute(
            "INSERT INTO user_grant (user_id, party, role) SELECT id, '*', 'admin' FROM app_user WHERE name = '审计'",
            [],
        )
        .unwrap();
    let run = as_user(&env, "审计", &["verify"]);
    assert_eq!(run.code, 5, "{}", run.stdout);
    assert!(run.stderr.contains("用户授权"), "{}", run.stderr);
}

#[test]
fn the_last_administrator_keeps_the_role_and_grants_name_real_parties() {
    let env = office();
    let run = env.run_user("管理员", PASSWORD, &["user", "revoke", "管理员", "--party", "*", "--role", "admin"], "");
    assert!(run.stderr.contains("这是最后一位管理员"), "{}", run.stderr);
    let run =
        env.run_user("管理员", PASSWORD, &["user", "grant", "审计", "--party", "wuchang", "--role", "reader"], "");
    assert!(run.stderr.contains("机构 wuchang 不存在"), "{}", run.stderr);
    let run = env.run_user("管理员", PASSWORD, &["user", "grant", "审计", "--party", "city", "--role", "boss"], "");
    assert!(run.stderr.contains("角色 \"boss\" 无效"), "{}", run.stderr);
    let out = admin(&env, &["--format", "json", "user", "list"], "");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let users = json["users"].as_array().unwrap();
    assert_eq!(users.len(), 6);
    assert_eq!(users[1]["name"], "沙洋制单");
    assert_eq!(users[1]["grants"], serde_json::json!([{"party": "shayang", "role": "maker"}]));
    admin(&env, &["user", "revoke", "沙洋制单", "--party", "shayang", "--role", "maker"], "");
    let own = env.write("shayang.csv", &one_voucher("shayang/employee", "沙洋待遇"));
    let run = as_user(&env, "沙洋制单", &["import", &own]);
    assert!(run.stderr.contains("没有 shayang 的制单权限"), "{}", run.stderr);
}
