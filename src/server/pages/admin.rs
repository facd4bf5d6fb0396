//! 审计 (the audit log) and 用户 (users and grants, for administrators).

use super::*;

// ---------------------------------------------------------------- audit and users

#[derive(Deserialize, Default)]
pub struct XlsxQuery {
    xlsx: Option<String>,
}

pub async fn audit(me: LoggedIn, Query(q): Query<XlsxQuery>) -> Response {
    let who = me.clone();
    match blocking(move || users::audit(&who.session(), None, None, None)).await {
        Ok(entries) if q.xlsx.is_some() => {
            let sheet = Sheet::new(
                "审计记录".into(),
                ["时间", "用户", "来源", "操作", "对象", "结果", "说明"],
                entries
                    .iter()
                    .map(|e| {
                        [&e.at, &e.user, &e.address, &e.action, &e.target, &e.result, &e.detail]
                            .map(|t| Cell::Text(t.clone()))
                            .to_vec()
                    })
                    .collect(),
            );
            xlsx_download(&me, sheet, "audit.xlsx")
        }
        Ok(entries) => page(
            Some(&me),
            "审计记录",
            html! {
                p { a id="download-xlsx" href="/audit?xlsx=1" { "下载 xlsx" } }
                table {
                    thead { tr { th { "时间" } th { "用户" } th { "来源" } th { "操作" } th { "对象" } th { "结果" } } }
                    tbody { @for e in entries.iter().rev() { tr { td { (e.at) } td { (e.user) } td { (e.address) } td { (e.action) } td { (e.target) } td { @if e.result == "ok" { "完成" } @else { "拒绝：" (e.detail) } } } } }
                }
            },
        )
        .into_response(),
        Err(error) => error_page(&me, error),
    }
}

pub async fn users(me: LoggedIn) -> Response {
    users_page(&me, None).await
}

pub(super) async fn users_page(me: &LoggedIn, outcome: Option<Result<String, Error>>) -> Response {
    let who = me.clone();
    let list = match blocking(move || users::list(&who.session())).await {
        Ok(list) => list,
        Err(error) => return error_page(me, error),
    };
    let roles = html! { select name="role" { @for role in Role::ALL { option value=(role.code()) { (role.label()) "（" (role.code()) "）" } } } };
    let body = html! {
        @match &outcome {
            Some(Ok(done)) => { div.done role="status" id="users-result" { (done) } }
            Some(Err(error)) => { (error_box(error)) }
            None => {}
        }
        table id="users" {
            thead { tr { th { "用户" } th { "状态" } th { "授权" } } }
            tbody { @for u in &list { tr { td { (u.name) } td { @if u.disabled { "已停用" } @else { "在用" } } td { @for g in &u.grants { span.grant { (g.party) "：" (g.role.label()) } " " } } } } }
        }
        h2 { "添加用户" }
        form.picker method="post" action="/users/add" {
            (csrf_field(me))
            label { "用户名 " input type="text" name="name"; }
            label { "初始密码（至少 8 位） " input type="password" name="password"; }
            button type="submit" { "添加" }
        }
        h2 { "授权与收回" }
        form.picker method="post" action="/users/grant" {
            (csrf_field(me))
            label { "用户名 " input type="text" name="name"; }
            label { "机构（* 为全部） " input type="text" name="party"; }
            label { "角色 " (roles) }
            button type="submit" name="action" value="grant" { "授权" }
            button type="submit" name="action" value="revoke" { "收回" }
        }
        h2 { "停用用户" }
        form.picker method="post" action="/users/disable" {
            (csrf_field(me))
            label { "用户名 " input type="text" name="name"; }
            button type="submit" { "停用" }
        }
    };
    let status = status_of(outcome.as_ref().and_then(|o| o.as_ref().err()));
    (status, page(Some(me), "用户与授权", body)).into_response()
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: Option<String>,
    name: String,
    password: Option<String>,
    party: Option<String>,
    role: Option<String>,
    action: Option<String>,
}

/// 管理: add a user, grant or revoke a role, disable a user.
pub async fn users_act(me: LoggedIn, Path(act): Path<String>, Form(form): Form<UserForm>) -> Response {
    if let Err(response) = me.check_csrf(form.csrf.as_deref()).await {
        return response;
    }
    let action = match (act.as_str(), form.action.as_deref()) {
        ("grant", Some("revoke")) => "user revoke",
        ("grant", _) => "user grant",
        ("add", _) => "user add",
        ("disable", _) => "user disable",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let target =
        format!("{} {} {}", form.name, form.party.clone().unwrap_or_default(), form.role.clone().unwrap_or_default());
    let result = write(&me, action, target, move |session| {
        let name = form.name.trim().to_string();
        match action {
            "user add" => {
                users::add(&session, &name, form.password.as_deref().unwrap_or(""), false)?;
                Ok(format!("已添加用户 {name}"))
            }
            "user disable" => {
                users::disable(&session, &name)?;
                Ok(format!("已停用用户 {name}"))
            }
            _ => {
                let party = form.party.unwrap_or_default();
                let role = Role::parse(form.role.as_deref().unwrap_or("")).map_err(Error::refused)?;
                if action == "user grant" {
                    users::grant(&session, &name, &party, role)?;
                    Ok(format!("已授予 {name} {party} 的{}权限", role.label()))
                } else {
                    users::revoke(&session, &name, &party, role)?;
                    Ok(format!("已收回 {name} {party} 的{}权限", role.label()))
                }
            }
        }
    })
    .await;
    users_page(&me, Some(result)).await
}
