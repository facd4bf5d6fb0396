//! Who may do what: roles granted per party (and so per book), and the acting person a command
//! runs as. Without registered users every action is open to any named operator (one-person use
//! and scripts); once users exist, every action needs the matching grant.

use std::fmt;

/// A role granted on a party (`*`: every party).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 制单: enter drafts, record events, import vouchers.
    Maker,
    /// 审核: review drafts.
    Reviewer,
    /// 记账: post and reverse.
    Poster,
    /// 对账结账: import statements, reconcile, close, reopen, year-end.
    Closer,
    /// 只读: read the books.
    Reader,
    /// 管理: users, grants and budgets.
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Maker, Role::Reviewer, Role::Poster, Role::Closer, Role::Reader, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Maker => "maker",
            Role::Reviewer => "reviewer",
            Role::Poster => "poster",
            Role::Closer => "closer",
            Role::Reader => "reader",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Maker => "制单",
            Role::Reviewer => "审核",
            Role::Poster => "记账",
            Role::Closer => "对账结账",
            Role::Reader => "只读",
            Role::Admin => "管理",
        }
    }

    /// A role by its code or its Chinese label.
    pub fn parse(text: &str) -> Result<Role, String> {
        let text = text.trim();
        Role::ALL.into_iter().find(|r| r.code() == text || r.label() == text).ok_or_else(|| {
            let names: Vec<String> = Role::ALL.iter().map(|r| format!("{}（{}）", r.code(), r.label())).collect();
            format!("角色 \"{}\" 无效，应为 {} 之一", super::ids::quote(text), names.join("、"))
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Every party, in a grant.
pub const ALL_PARTIES: &str = "*";

/// One grant: a role on a party or on every party.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub party: String,
    pub role: Role,
}

/// The person a command runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    /// The registered user's grants; `None` when the database has no users (everything open).
    pub grants: Option<Vec<Grant>>,
}

impl Actor {
    /// An operator named on a database without users.
    pub fn unregistered(name: String) -> Actor {
        Actor { name, grants: None }
    }

    pub fn is_registered(&self) -> bool {
        self.grants.is_some()
    }

    /// Whether the actor holds `role` on `party`.
    pub fn may(&self, role: Role, party: &str) -> bool {
        match &self.grants {
            None => true,
            Some(grants) => grants.iter().any(|g| g.role == role && (g.party == party || g.party == ALL_PARTIES)),
        }
    }

    /// Whether the actor may read `party`'s books: any grant there (or on every party).
    pub fn may_read(&self, party: &str) -> bool {
        match &self.grants {
            None => true,
            Some(grants) => grants.iter().any(|g| g.party == party || g.party == ALL_PARTIES),
        }
    }

    /// Refuses unless the actor holds `role` on `party`.
    pub fn require(&self, role: Role, party: &str) -> Result<(), String> {
        if self.may(role, party) {
            return Ok(());
        }
        Err(format!(
            "{} 没有 {party} 的{}权限（{}）：请管理员用 fundpool user grant 授权",
            self.name,
            role.label(),
            role.code()
        ))
    }

    /// Refuses unless the actor may read `party`'s books.
    pub fn require_read(&self, party: &str) -> Result<(), String> {
        if self.may_read(party) {
            return Ok(());
        }
        Err(format!("{} 没有查看 {party} 账簿的权限：请管理员授予只读（reader）或其他角色", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(grants: &[(&str, Role)]) -> Actor {
        Actor {
            name: "县会计".into(),
            grants: Some(grants.iter().map(|(p, r)| Grant { party: p.to_string(), role: *r }).collect()),
        }
    }

    #[test]
    fn a_grant_covers_its_party_and_star_covers_every_party() {
        let clerk = actor(&[("shayang", Role::Maker)]);
        assert!(clerk.may(Role::Maker, "shayang"));
        assert!(!clerk.may(Role::Maker, "dongbao"), "another county's books");
        assert!(!clerk.may(Role::Poster, "shayang"), "another role");
        assert!(clerk.may_read("shayang") && !clerk.may_read("finance"));
        let auditor = actor(&[("*", Role::Reader)]);
        assert!(auditor.may_read("finance") && auditor.may_read("city"));
        assert!(!auditor.may(Role::Maker, "city"), "an auditor writes nothing");
        assert!(auditor.require(Role::Poster, "city").unwrap_err().contains("没有 city 的记账权限（poster）"));
        let open = Actor::unregistered("张会计".into());
        assert!(open.may(Role::Admin, "finance") && !open.is_registered());
    }

    #[test]
    fn roles_parse_from_code_or_label() {
        assert_eq!(Role::parse("poster"), Ok(Role::Poster));
        assert_eq!(Role::parse("对账结账"), Ok(Role::Closer));
        assert!(Role::parse("boss").unwrap_err().contains("maker（制单）"));
    }
}
