//! Users and their grants (`user add|list|disable|passwd|grant|revoke`), authentication, and
//! the audit log (`audit`). Passwords are hashed with argon2id; only an administrator (管理 on
//! every party) manages users, except the first administrator of a database without users.

use super::{Error, Result, Session};
use crate::domain::access::{Actor, Role, ALL_PARTIES};
use crate::domain::identity::normalise_name;
use crate::store::{AuditRecord, Reader, UserRecord};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::refused(format!("密码至少要有 {MIN_PASSWORD_CHARS} 个字符")));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::refused(format!("无法保存密码：{e}")))
}

/// A hash no password is known to match, made once, to check a login for a name that is not
/// registered against (the same work as for one that is).
fn unknown_user_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let mut secret = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut secret);
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(&secret, &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// The registered user `name` with `password`, as an actor; refused for a wrong name or
/// password (without saying which) or a disabled user.
pub fn authenticate(reader: &Reader<'_>, name: &str, password: &str) -> Result<Actor> {
    let name = normalise_name(name, "用户名").map_err(Error::refused)?;
    let refused = || Error::refused(format!("用户名或密码不对：{name} 不能登录"));
    let Some(user) = reader.user(&name)? else {
        // As long as for a user who exists: a refusal that came back at once said the name was
        // free, and a list of names tried that way is a list of the staff (and of whom to guess).
        password_matches(unknown_user_hash(), password);
        return Err(refused());
    };
    if !password_matches(&user.password_hash, password) {
        return Err(refused());
    }
    if user.disabled {
        return Err(Error::refused(format!("用户 {name} 已停用：请联系管理员")));
    }
    Ok(Actor { name: user.name, grants: Some(user.grants) })
}

/// The registered user `name` (for a reviewer named on a one-step posting), if enabled.
pub fn registered(reader: &Reader<'_>, name: &str) -> Result<Option<Actor>> {
    Ok(reader.user(name)?.filter(|u| !u.disabled).map(|u| Actor { name: u.name, grants: Some(u.grants) }))
}

fn require_admin(session: &Session) -> Result<Actor> {
    let actor = session.acting()?;
    if !actor.is_registered() {
        return Err(Error::refused(
            "本账套还没有注册用户：请先用 fundpool user add 姓名 --first-admin --password-stdin 建立第一位管理员",
        ));
    }
    actor.require(Role::Admin, ALL_PARTIES).map_err(Error::forbidden)?;
    Ok(actor)
}

/// `user add NAME [--first-admin]`: a new user; the first administrator needs no login (only
/// while the database has no users) and is granted 管理 on every party.
pub fn add(session: &Session, name: &str, password: &str, first_admin: bool) -> Result<String> {
    let name = normalise_name(name, "用户名").map_err(Error::refused)?;
    let hash = hash_password(password)?;
    let by = if first_admin { name.clone() } else { require_admin(session)?.name };
    let mut store = session.write_as(&by, "user add")?;
    let mut writer = store.writer()?;
    let count = writer.reader().user_count()?;
    if first_admin && count > 0 {
        return Err(Error::refused("本账套已有用户：--first-admin 只用于建立第一位管理员；请由管理员添加用户"));
    }
    if writer.reader().user(&name)?.is_some() {
        return Err(Error::refused(format!("用户 {name} 已存在")));
    }
    let id = writer.insert_user(&name, &hash, &by, &session.now)?;
    if first_admin {
        writer.grant(id, ALL_PARTIES, Role::Admin)?;
    }
    writer.set_target(format!("用户 {name}"));
    writer.commit()?;
    Ok(name)
}

/// Every user with their grants.
pub fn list(session: &Session) -> Result<Vec<UserRecord>> {
    require_admin(session)?;
    let store = session.read()?;
    let users = store.reader().users()?;
    Ok(users)
}

fn with_user(
    session: &Session,
    action: &str,
    name: &str,
    change: impl FnOnce(&mut crate::store::Writer<'_>, &UserRecord) -> Result<()>,
) -> Result<()> {
    let admin = require_admin(session)?;
    let name = normalise_name(name, "用户名").map_err(Error::refused)?;
    let mut store = session.write_as(&admin.name, action)?;
    let mut writer = store.writer()?;
    let user = writer.reader().user(&name)?.ok_or_else(|| Error::refused(format!("没有用户 {name}")))?;
    change(&mut writer, &user)?;
    writer.set_target(format!("用户 {name}"));
    writer.commit()?;
    Ok(())
}

/// `user disable NAME`: the user can no longer log in (their records stay).
pub fn disable(session: &Session, name: &str) -> Result<()> {
    let admin = session.acting()?;
    if normalise_name(name, "用户名").map_err(Error::refused)? == admin.name {
        return Err(Error::refused("不能停用自己：请由另一位管理员停用"));
    }
    with_user(session, "user disable", name, |writer, user| Ok(writer.set_disabled(user.id, true)?))
}

/// `user passwd NAME`: a new password.
pub fn passwd(session: &Session, name: &str, password: &str) -> Result<()> {
    let hash = hash_password(password)?;
    with_user(session, "user passwd", name, |writer, user| Ok(writer.set_password(user.id, &hash)?))
}

/// The party of a grant: a party of the city, or `*`.
fn grant_party(session: &Session, party: &str) -> Result<String> {
    let party = party.trim();
    if party == ALL_PARTIES {
        return Ok(party.to_string());
    }
    let city = session.read()?.reader().city()?;
    city.party(party).map(|p| p.code.clone()).ok_or_else(|| {
        let codes: Vec<&str> = city.party.iter().map(|p| p.code.as_str()).collect();
        Error::refused(format!(
            "机构 {} 不存在，应为 {} 或 *（全部）",
            crate::domain::ids::quote(party),
            codes.join("、")
        ))
    })
}

/// `user grant NAME --party P --role R`.
pub fn grant(session: &Session, name: &str, party: &str, role: Role) -> Result<bool> {
    let party = grant_party(session, party)?;
    let mut added = false;
    with_user(session, "user grant", name, |writer, user| {
        added = writer.grant(user.id, &party, role)?;
        Ok(())
    })?;
    Ok(added)
}

/// `user revoke NAME --party P --role R`. The last administrator cannot lose 管理.
pub fn revoke(session: &Session, name: &str, party: &str, role: Role) -> Result<bool> {
    let party = party.trim().to_string();
    let mut removed = false;
    with_user(session, "user revoke", name, |writer, user| {
        if role == Role::Admin && party == ALL_PARTIES {
            let admins = writer
                .reader()
                .users()?
                .into_iter()
                .filter(|u| !u.disabled && u.grants.iter().any(|g| g.role == Role::Admin && g.party == ALL_PARTIES))
                .count();
            if admins <= 1 {
                return Err(Error::refused("这是最后一位管理员：先给另一位用户授予管理（admin）再收回"));
            }
        }
        removed = writer.revoke(user.id, &party, role)?;
        Ok(())
    })?;
    Ok(removed)
}

/// `audit`: every write and refusal, oldest first.
pub fn audit(session: &Session, user: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<Vec<AuditRecord>> {
    let actor = session.acting()?;
    if actor.is_registered() && !(actor.may(Role::Admin, ALL_PARTIES) || actor.may_read(ALL_PARTIES)) {
        return Err(Error::refused(format!(
            "{} 没有查看审计记录的权限：须有全部机构（*）的只读或管理权限",
            actor.name
        )));
    }
    let store = session.read()?;
    let records = store.reader().audit(user, from, to)?;
    Ok(records)
}

/// Records a refused write in the audit log, in its own transaction (the refused one wrote
/// nothing). Best effort: when even this cannot be written, the refusal still stands.
pub fn record_refusal(session: &Session, action: &str, target: &str, detail: &str) {
    let user = session.acting().map(|a| a.name).unwrap_or_else(|_| session.claimed_name());
    let Ok(mut store) = session.write_as(&user, action) else { return };
    store.clear_audit();
    let Ok(mut writer) = store.writer() else { return };
    let detail = crate::domain::ids::quote(detail);
    if writer.insert_audit(&session.now, &user, &session.address, action, target, "refused", &detail).is_ok() {
        let _ = writer.commit();
    }
}

/// A web login: the cookie's token and the form token (CSRF) of the new session.
pub struct WebLogin {
    pub user: String,
    pub token: String,
    pub csrf: String,
}

fn random_token() -> String {
    use argon2::password_hash::rand_core::RngCore;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A web login's first step, read only: the user `name` with `password`, as an actor. The
/// server checks the password outside its queue of writes — the hash takes tens of milliseconds by
/// design, and a burst of logins had held every office's writes behind it — and queues only the
/// writes: `record_login_refusal` or `open_web_session`.
pub fn check_login(session: &Session, name: &str, password: &str) -> Result<Actor> {
    let store = session.read()?;
    authenticate(&store.reader(), name, password)
}

/// Records a refused login in the audit log, under the name that was tried.
pub fn record_login_refusal(session: &Session, name: &str, message: &str) {
    let mut claimed = Session::new(session.db.clone(), None, session.now.clone(), session.busy_timeout);
    claimed.user = Some(name.trim().to_string());
    claimed.address = session.address.clone();
    record_refusal(&claimed, "login", name, message);
}

/// A web login's second step: a new session for `actor` (checked by `check_login`), its cookie
/// token and form token.
pub fn open_web_session(session: &Session, actor: &Actor, now_unix: i64, ttl_seconds: i64) -> Result<WebLogin> {
    let (token, csrf) = (random_token(), random_token());
    let mut store = session.write_as(&actor.name, "login")?;
    let mut writer = store.writer()?;
    writer.insert_web_session(&token_hash(&token), &actor.name, &csrf, now_unix, now_unix + ttl_seconds)?;
    writer.set_target(format!("用户 {}", actor.name));
    writer.commit()?;
    Ok(WebLogin { user: actor.name.clone(), token, csrf })
}

/// The user (with their current grants) and form token of a live web session.
pub fn web_session(session: &Session, token: &str, now_unix: i64) -> Result<Option<(Actor, String)>> {
    let store = session.read()?;
    let reader = store.reader();
    let Some((user, csrf)) = reader.web_session(&token_hash(token), now_unix)? else { return Ok(None) };
    Ok(registered(&reader, &user)?.map(|actor| (actor, csrf)))
}

/// Ends a web session.
pub fn web_logout(session: &Session, token: &str) -> Result<()> {
    let mut store = session.write("logout")?;
    store.clear_audit();
    let mut writer = store.writer()?;
    writer.delete_web_session(&token_hash(token))?;
    writer.commit()?;
    Ok(())
}
