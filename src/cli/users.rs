//! `user …` and `audit`, the login from the environment (`FUNDPOOL_USER`, `FUNDPOOL_PASSWORD`, or
//! a prompt on a terminal), and the name and target of each command that writes, for the audit
//! entry of a refusal.

use super::{
    BudgetCommand, CliError, Command, Context, Outcome, PlanCommand, StatementCommand, UserCommand, VoucherCommand,
};
use crate::app::users as actions;
use crate::domain::access::Role;
use crate::render::{self, OutputFormat};
use std::io::{BufRead, IsTerminal};

/// Takes the registered user and password from the environment, and a prompt for the password
/// when standard input is a terminal.
pub fn login_from_environment(session: &mut crate::app::Session) {
    session.user = std::env::var("FUNDPOOL_USER").ok().filter(|u| !u.trim().is_empty());
    session.password = std::env::var("FUNDPOOL_PASSWORD").ok();
    if std::io::stdin().is_terminal() {
        session.prompt = Some(Box::new(|name: &str| rpassword::prompt_password(format!("{name} 的密码：")).ok()));
    }
}

/// A new password: the first line of standard input, or typed twice on a terminal.
fn new_password(from_stdin: bool) -> Result<String, CliError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| CliError::refused(format!("无法读取密码：{e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::refused("请用 --password-stdin 从标准输入给出密码，或在终端上运行以便输入"));
    }
    let first = rpassword::prompt_password("新密码：").map_err(|e| CliError::refused(e.to_string()))?;
    let again = rpassword::prompt_password("再输入一次：").map_err(|e| CliError::refused(e.to_string()))?;
    if first != again {
        return Err(CliError::refused("两次输入的密码不一致"));
    }
    Ok(first)
}

pub fn run(ctx: &Context, command: UserCommand) -> Result<Outcome, CliError> {
    let session = &ctx.session;
    let listing = matches!(command, UserCommand::List);
    if !listing {
        ctx.refuse_csv("user")?;
    }
    let text = match command {
        UserCommand::Add { name, first_admin, password_stdin } => {
            let password = new_password(password_stdin)?;
            let name = actions::add(session, &name, &password, first_admin)?;
            if first_admin {
                format!("已建立第一位管理员 {name}（管理，全部机构）：此后每个命令都须以注册用户登录（FUNDPOOL_USER、FUNDPOOL_PASSWORD）\n")
            } else {
                format!("已添加用户 {name}：请用 fundpool user grant {name} --party 机构 --role 角色 授权\n")
            }
        }
        UserCommand::List => {
            let users = actions::list(session)?;
            let rows: Vec<Vec<String>> = users
                .iter()
                .map(|u| {
                    let grants: Vec<String> =
                        u.grants.iter().map(|g| format!("{}:{}", g.party, g.role.code())).collect();
                    vec![u.name.clone(), if u.disabled { "已停用" } else { "在用" }.to_string(), grants.join(" ")]
                })
                .collect();
            match ctx.format {
                OutputFormat::Json => render::json(&serde_json::json!({
                    "users": users.iter().map(|u| serde_json::json!({
                        "name": u.name, "disabled": u.disabled,
                        "grants": u.grants.iter().map(|g| serde_json::json!({"party": g.party, "role": g.role.code()})).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>()
                })),
                OutputFormat::Csv => render::csv(&["用户", "状态", "授权（机构:角色）"], &rows, &[]),
                OutputFormat::Table => render::table(&["用户", "状态", "授权（机构:角色）"], &rows, &[]),
            }
        }
        UserCommand::Disable { name } => {
            actions::disable(session, &name)?;
            format!("已停用用户 {name}\n")
        }
        UserCommand::Passwd { name, password_stdin } => {
            let password = new_password(password_stdin)?;
            actions::passwd(session, &name, &password)?;
            format!("已更改 {name} 的密码\n")
        }
        UserCommand::Grant { name, party, role } => {
            let role = Role::parse(&role).map_err(CliError::refused)?;
            let added = actions::grant(session, &name, &party, role)?;
            let already = if added { "" } else { "（此前已有）" };
            format!("已授予 {name} {party} 的{}（{}）权限{already}\n", role.label(), role.code())
        }
        UserCommand::Revoke { name, party, role } => {
            let role = Role::parse(&role).map_err(CliError::refused)?;
            let removed = actions::revoke(session, &name, &party, role)?;
            let none = if removed { "" } else { "（原本没有）" };
            format!("已收回 {name} {party} 的{}（{}）权限{none}\n", role.label(), role.code())
        }
    };
    if listing || ctx.format == OutputFormat::Table {
        return Ok(Outcome::ok(text));
    }
    ctx.done("user", text, serde_json::json!({}))
}

pub fn audit(ctx: &Context, user: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<Outcome, CliError> {
    for date in [from, to].into_iter().flatten() {
        crate::domain::ids::parse_date(date).map_err(CliError::refused)?;
    }
    let records = actions::audit(&ctx.session, user, from, to)?;
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            let result = if r.result == "ok" { "完成".to_string() } else { format!("拒绝：{}", r.detail) };
            vec![
                r.id.to_string(),
                crate::render::local_time(&r.at),
                r.user.clone(),
                r.address.clone(),
                r.action.clone(),
                r.target.clone(),
                result,
            ]
        })
        .collect();
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({ "entries": records })),
        OutputFormat::Csv => render::csv(&["序号", "时间", "用户", "来源", "操作", "对象", "结果"], &rows, &[]),
        OutputFormat::Table if rows.is_empty() => "没有审计记录\n".to_string(),
        OutputFormat::Table => render::table(&["序号", "时间", "用户", "来源", "操作", "对象", "结果"], &rows, &[]),
    }))
}

/// The action name and target of a command that writes, for the audit entry of its refusal;
/// `None` for commands that only read (and for `init` and `demo`, which make a database).
pub fn write_action(command: &Command) -> Option<(String, String)> {
    let file = |path: &std::path::Path| path.display().to_string();
    let (action, target) = match command {
        Command::Voucher(VoucherCommand::Add { file: f }) => ("voucher add", file(f)),
        Command::Voucher(VoucherCommand::Void { book, number, .. }) => ("voucher void", format!("{book} {number}")),
        Command::Import { file: f, .. } => ("import", file(f)),
        Command::Review(s) => ("review", selection(s)),
        Command::Post { events: Some(f), .. } => ("post 事件", file(f)),
        Command::Post { selection: s, .. } => ("post", selection(s)),
        Command::Event { kind, .. } => ("event", kind.clone()),
        Command::Reverse { book, number, .. } => ("reverse", format!("{book} {number}")),
        Command::Close { period, book, .. } => ("close", format!("{period} {}", book.as_deref().unwrap_or("全部账簿"))),
        Command::Reopen { period, .. } => ("reopen", period.clone()),
        Command::YearEnd { year, book, .. } => {
            ("year-end", format!("{year} {}", book.as_deref().unwrap_or("全部账簿")))
        }
        Command::Statement(StatementCommand::Import { source, file: f }) => {
            ("statement import", format!("{source} {}", file(f)))
        }
        Command::Reconcile { period, run: None, .. } => ("reconcile", period.clone()),
        Command::Plan(PlanCommand::Create { party, fund, quarter, .. }) => {
            ("plan create", format!("{party}/{fund} {quarter}"))
        }
        Command::Plan(PlanCommand::Import { file: f }) => ("plan import", file(f)),
        Command::Plan(PlanCommand::Submit { party, fund, quarter, .. }) => {
            ("plan submit", format!("{party}/{fund} {quarter}"))
        }
        Command::Plan(PlanCommand::Combine(s)) => ("plan combine", format!("{} {}", s.fund, s.quarter)),
        Command::Plan(PlanCommand::Approve(s)) => ("plan approve", format!("{} {}", s.fund, s.quarter)),
        Command::Plan(PlanCommand::Check(s)) => ("plan check", format!("{} {}", s.fund, s.quarter)),
        Command::Budget(BudgetCommand::Import { file: f }) => ("budget import", file(f)),
        Command::User(UserCommand::Add { name, .. }) => ("user add", name.clone()),
        Command::User(UserCommand::Disable { name }) => ("user disable", name.clone()),
        Command::User(UserCommand::Passwd { name, .. }) => ("user passwd", name.clone()),
        Command::User(UserCommand::Grant { name, party, role }) => ("user grant", format!("{name} {party} {role}")),
        Command::User(UserCommand::Revoke { name, party, role }) => ("user revoke", format!("{name} {party} {role}")),
        _ => return None,
    };
    Some((action.to_string(), target))
}

fn selection(s: &super::Selection) -> String {
    let mut parts = Vec::new();
    parts.extend(s.book.clone());
    parts.extend(s.period.clone());
    parts.extend(s.numbers.iter().cloned());
    if s.all {
        parts.push("--all".to_string());
    }
    parts.join(" ")
}
