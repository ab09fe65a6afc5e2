//! Who was granted what: IAM and policy changes read into typed [`Grant`]s, and how far each
//! reaches ([`Reach`]) against the organisation learned from the loaded principals ([`Org`]).
//!
//! Sources, all from request facts extracted at load (this module reads no file):
//! - GCP `SetIamPolicy`: `serviceData.policyDelta.bindingDeltas` (member, role, ADD / REMOVE),
//!   else the bindings of the policy in the request;
//! - AWS KMS `CreateGrant` (grantee, operations) and `PutKeyPolicy`; S3 `PutBucketPolicy`,
//!   `PutBucketAcl` / `PutObjectAcl` (grantees and canned ACLs); IAM `Attach*Policy` /
//!   `Detach*Policy`, `Put*Policy` (inline), `UpdateAssumeRolePolicy` / `CreateRole` (trust);
//! - Azure role assignments (`principalId`, role definition named when built in), Key Vault
//!   access policies (object, permissions) and Entra "Add member to role".
//!
//! The organisation is what the logs themselves say: the e-mail domains of the principals, the
//! GCP projects named in resources, the AWS accounts of principals and resources. A member
//! outside those is flagged; `allUsers`, `allAuthenticatedUsers` and `*` are public. Where the
//! logs cannot tell (an Azure object id, a canonical user id), reach is unknown, never guessed.

use crate::model::{Cloud, Event, RequestFacts};
use crate::store::EventStore;
use foldhash::{HashSet, HashSetExt};
use serde::Serialize;

/// Whether access was added, removed or set as part of a whole policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Granted.
    Add,
    /// Revoked.
    Remove,
    /// Present in a policy written as a whole (no delta in the log).
    Set,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Add => "granted",
            Change::Remove => "revoked",
            Change::Set => "set",
        }
    }
}

/// How far a member reaches beyond the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// A member of the organisation's own domains, projects or accounts.
    Org,
    /// A cloud provider's own service identity.
    Service,
    /// The logs cannot tell (an object id, a canonical user id).
    Unknown,
    /// Another domain, project or account.
    Outside,
    /// Everyone, or everyone with an account.
    Public,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Org => "in the organisation",
            Reach::Service => "a cloud service",
            Reach::Unknown => "reach unknown",
            Reach::Outside => "outside the organisation",
            Reach::Public => "public",
        }
    }

    /// As a line shows it: a wide reach shouts its first word (`OUTSIDE the organisation`).
    pub fn label(self) -> String {
        let s = self.as_str();
        if !self.is_wide() {
            return s.to_string();
        }
        match s.split_once(' ') {
            Some((first, rest)) => format!("{} {rest}", first.to_uppercase()),
            None => s.to_uppercase(),
        }
    }

    /// Whether this reach is a warning sign on its own.
    pub fn is_wide(self) -> bool {
        matches!(self, Reach::Outside | Reach::Public)
    }
}

impl Granted {
    /// Access opened to someone outside the organisation or to everyone (not a revocation).
    pub fn opens_wide(&self) -> bool {
        self.grant.change != Change::Remove && self.reach.is_wide()
    }
}

/// One access change: `member` got (or lost) `access` on `on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub change: Change,
    pub member: String,
    pub access: String,
    pub on: String,
}

/// A grant with its reach, as alerts carry it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Granted {
    #[serde(flatten)]
    pub grant: Grant,
    pub reach: Reach,
}

impl Granted {
    /// One line: `granted roles/x to user:y@z (outside the organisation) on K`.
    pub fn describe(&self) -> String {
        let g = &self.grant;
        let on = if g.on.is_empty() { String::new() } else { format!(" on {}", g.on) };
        let to = if g.change == Change::Remove { "from" } else { "to" };
        format!("{} {} {to} {} ({}){on}", g.change.as_str(), g.access, g.member, self.reach.label())
    }
}

/// Is this (cloud, service, operation) an access change this module reads?
pub fn is_grant_op(cloud: Cloud, service: &str, op: &str) -> bool {
    let last = op.rsplit('.').next().unwrap_or(op);
    match cloud {
        Cloud::Gcp => last.eq_ignore_ascii_case("SetIamPolicy") || op == "storage.setIamPermissions",
        Cloud::Aws => match service {
            "kms.amazonaws.com" => matches!(op, "CreateGrant" | "PutKeyPolicy" | "CreateKey"),
            "s3.amazonaws.com" => matches!(op, "PutBucketPolicy" | "PutBucketAcl" | "PutObjectAcl"),
            "iam.amazonaws.com" => {
                matches!(
                    op,
                    "AttachUserPolicy"
                        | "AttachRolePolicy"
                        | "AttachGroupPolicy"
                        | "DetachUserPolicy"
                        | "DetachRolePolicy"
                        | "DetachGroupPolicy"
                        | "PutUserPolicy"
                        | "PutRolePolicy"
                        | "PutGroupPolicy"
                        | "UpdateAssumeRolePolicy"
                        | "CreateRole"
                )
            }
            _ => false,
        },
        Cloud::Azure => {
            let l = op.to_ascii_lowercase();
            l == "microsoft.authorization/roleassignments/write"
                || l == "microsoft.authorization/roleassignments/delete"
                || l.starts_with("microsoft.keyvault/vaults/accesspolicies/")
                || l == "vaultpatch"
                || l == "vaultput"
                || l.starts_with("add member to role")
                || l.starts_with("add eligible member to role")
        }
        Cloud::Windows => false,
    }
}

/// Events whose access changes need request facts (asked once per distinct call).
pub fn wants(store: &EventStore) -> Vec<u32> {
    super::call_positions(store, is_grant_op, |_| true)
}

/// The access changes an event made, read from its request facts.
pub fn of_event(store: &EventStore, e: &Event, facts: Option<&RequestFacts>) -> Vec<Grant> {
    let (service, op, resource) = (store.str(e.service), store.str(e.operation), store.str(e.resource));
    match facts {
        Some(f) if is_grant_op(e.cloud, service, op) => parse(e.cloud, op, resource, f),
        _ => Vec::new(),
    }
}

/// The access changes of one (cloud, operation) request.
pub fn parse(cloud: Cloud, op: &str, resource: &str, f: &RequestFacts) -> Vec<Grant> {
    let mut out = match cloud {
        Cloud::Gcp => gcp(resource, f),
        Cloud::Aws => aws(op, resource, f),
        Cloud::Azure => azure(op, resource, f),
        Cloud::Windows => Vec::new(),
    };
    out.dedup();
    out
}

/// The elements of every list named `name` in the facts: (element prefix, [(path below it, value)]).
/// A single object where a list is allowed (`Statement` as one object) counts as one element.
fn items<'a>(f: &'a RequestFacts, name: &str) -> Vec<(String, Vec<(&'a str, &'a str)>)> {
    let mut out: Vec<(String, Vec<(&str, &str)>)> = Vec::new();
    for (path, value) in &f.leaves {
        let Some(end) = element_end(path, name) else { continue };
        let (prefix, rest) = path.split_at(end);
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        match out.iter_mut().find(|(p, _)| p == prefix) {
            Some((_, v)) => v.push((rest, value)),
            None => out.push((prefix.to_string(), vec![(rest, value)])),
        }
    }
    out
}

/// Where the element of list `name` ends in `path` (`a.name[3].b` → after `[3]`).
fn element_end(path: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = path[from..].find(name) {
        let at = from + p;
        let after = at + name.len();
        let starts = at == 0 || path.as_bytes()[at - 1] == b'.';
        if starts {
            match path.as_bytes().get(after) {
                Some(b'[') => return path[after..].find(']').map(|c| after + c + 1),
                Some(b'.') | None => return Some(after),
                _ => {}
            }
        }
        from = after;
    }
    None
}

/// The field a sub-path names, index dropped (`members[2]` → `members`).
fn field(rest: &str) -> &str {
    crate::model::field_of(rest)
}

fn first<'a>(fields: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(p, v)| p.eq_ignore_ascii_case(name) && !v.is_empty()).map(|(_, v)| *v)
}

fn gcp(resource: &str, f: &RequestFacts) -> Vec<Grant> {
    let mut out = Vec::new();
    for (_, fields) in items(f, "bindingDeltas") {
        let change = match first(&fields, "action") {
            Some(a) if a.eq_ignore_ascii_case("REMOVE") => Change::Remove,
            _ => Change::Add,
        };
        if let (Some(member), Some(role)) = (first(&fields, "member"), first(&fields, "role")) {
            out.push(Grant { change, member: member.into(), access: role.into(), on: resource.into() });
        }
    }
    if !out.is_empty() {
        return out;
    }
    for (prefix, fields) in items(f, "bindings") {
        if !prefix.contains("request") {
            continue;
        }
        let Some(role) = first(&fields, "role") else { continue };
        for (p, member) in &fields {
            if field(p) == "members" && !member.is_empty() {
                out.push(Grant {
                    change: Change::Set,
                    member: (*member).into(),
                    access: role.into(),
                    on: resource.into(),
                });
            }
        }
    }
    out
}

fn aws(op: &str, resource: &str, f: &RequestFacts) -> Vec<Grant> {
    let req = |name: &str| f.get(&format!("requestParameters.{name}"));
    match op {
        "CreateGrant" => {
            let ops: Vec<&str> = f.values("operations").collect();
            let on = req("keyId").map_or(resource, |k| if resource.is_empty() { k } else { resource });
            let mut out: Vec<Grant> = req("granteePrincipal")
                .map(|m| Grant { change: Change::Add, member: m.into(), access: ops.join(", "), on: on.into() })
                .into_iter()
                .collect();
            if let Some(r) = req("retiringPrincipal") {
                out.push(Grant { change: Change::Add, member: r.into(), access: "RetireGrant".into(), on: on.into() });
            }
            out
        }
        "PutKeyPolicy" | "CreateKey" | "PutBucketPolicy" | "UpdateAssumeRolePolicy" | "CreateRole" => {
            statements(f, resource)
        }
        "PutBucketAcl" | "PutObjectAcl" => acl(f, resource),
        _ => iam_policy(op, f),
    }
}

/// Principals allowed (or denied) by a policy document's statements.
fn statements(f: &RequestFacts, resource: &str) -> Vec<Grant> {
    let mut out = Vec::new();
    for (_, fields) in items(f, "Statement") {
        let deny = first(&fields, "Effect").is_some_and(|e| e.eq_ignore_ascii_case("Deny"));
        let actions: Vec<&str> =
            fields.iter().filter(|(p, _)| field(p) == "Action").map(|(_, v)| *v).filter(|v| !v.is_empty()).collect();
        let access = if actions.is_empty() { "(no action listed)".to_string() } else { actions.join(", ") };
        let access = if deny { format!("deny {access}") } else { access };
        for (p, v) in &fields {
            let principal = p.starts_with("Principal") || p.starts_with("NotPrincipal");
            if !principal || v.is_empty() {
                continue;
            }
            let member = if p.starts_with("NotPrincipal") { format!("everyone but {v}") } else { (*v).to_string() };
            let change = if deny { Change::Remove } else { Change::Set };
            out.push(Grant { change, member, access: access.clone(), on: resource.into() });
        }
    }
    out
}

fn acl(f: &RequestFacts, resource: &str) -> Vec<Grant> {
    let mut out = Vec::new();
    if let Some(canned) = f.values("x-amz-acl").find(|v| !v.is_empty()) {
        let member = match canned {
            "public-read" | "public-read-write" => "AllUsers",
            "authenticated-read" => "AuthenticatedUsers",
            _ => "",
        };
        if !member.is_empty() {
            out.push(Grant {
                change: Change::Set,
                member: member.into(),
                access: format!("canned ACL {canned}"),
                on: resource.into(),
            });
        }
    }
    for (_, fields) in items(f, "Grant") {
        let grantee = ["Grantee.URI", "Grantee.EmailAddress", "Grantee.ID", "Grantee.DisplayName"]
            .iter()
            .find_map(|k| first(&fields, k));
        if let Some(g) = grantee {
            let access = first(&fields, "Permission").unwrap_or("(unnamed permission)");
            out.push(Grant { change: Change::Set, member: g.into(), access: access.into(), on: resource.into() });
        }
    }
    out
}

/// IAM attachments and inline policies: the identity is the member, the policy the access.
fn iam_policy(op: &str, f: &RequestFacts) -> Vec<Grant> {
    let req = |name: &str| f.get(&format!("requestParameters.{name}"));
    let member = [("userName", "user/"), ("roleName", "role/"), ("groupName", "group/")]
        .iter()
        .find_map(|(k, kind)| req(k).map(|n| format!("{kind}{n}")));
    let Some(member) = member else { return Vec::new() };
    let change = if op.starts_with("Detach") { Change::Remove } else { Change::Add };
    let access = match req("policyArn") {
        Some(arn) => arn.to_string(),
        None => {
            let actions: Vec<&str> = f.values("Action").filter(|v| !v.is_empty()).collect();
            let name = req("policyName").unwrap_or("inline policy");
            if actions.is_empty() { name.to_string() } else { format!("{name}: {}", actions.join(", ")) }
        }
    };
    vec![Grant { change, member, access, on: String::new() }]
}

/// Built-in Azure roles an analyst recognises, by role definition id.
const AZURE_ROLES: [(&str, &str); 12] = [
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"),
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"),
    ("18d7d88d-d35e-4fb5-a5c3-7773c6a72c63", "User Access Administrator"),
    ("00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator"),
    ("14b46e9e-c2b7-41b4-b07b-48a6ebf60603", "Key Vault Crypto Officer"),
    ("12338af0-0e69-4776-bea7-57ae8d297424", "Key Vault Crypto User"),
    ("e147488a-f6f5-4113-8e2d-b22465e65bf6", "Key Vault Crypto Service Encryption User"),
    ("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Key Vault Secrets Officer"),
    ("4633458b-17de-408a-b874-0445c86b69e6", "Key Vault Secrets User"),
    ("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Storage Blob Data Owner"),
    ("ba92f5b4-2d11-453d-a403-e96b0029c9fe", "Storage Blob Data Contributor"),
];

fn azure_role(definition: &str) -> String {
    let id = definition.rsplit('/').next().unwrap_or(definition).to_ascii_lowercase();
    match AZURE_ROLES.iter().find(|(g, _)| *g == id) {
        Some((_, name)) => (*name).to_string(),
        None => definition.to_string(),
    }
}

fn azure(op: &str, resource: &str, f: &RequestFacts) -> Vec<Grant> {
    let l = op.to_ascii_lowercase();
    if l.starts_with("microsoft.authorization/roleassignments/") {
        let change = if l.ends_with("/delete") { Change::Remove } else { Change::Add };
        let Some(member) = f.values("principalId").find(|v| !v.is_empty()) else { return Vec::new() };
        let kind = f.values("principalType").find(|v| !v.is_empty());
        let member = match kind {
            Some(k) => format!("{k} {member}"),
            None => member.to_string(),
        };
        let access =
            f.values("roleDefinitionId").find(|v| !v.is_empty()).map_or("(role not logged)".into(), azure_role);
        let on = f.values("scope").find(|v| !v.is_empty()).unwrap_or(resource);
        return vec![Grant { change, member, access, on: on.into() }];
    }
    if l.starts_with("add member to role") || l.starts_with("add eligible member to role") {
        let member = f.values("userPrincipalName").find(|v| !v.is_empty());
        let role = items(f, "modifiedProperties").into_iter().find_map(|(_, fields)| {
            let name = first(&fields, "displayName")?;
            (name.eq_ignore_ascii_case("Role.DisplayName")).then(|| first(&fields, "newValue")).flatten()
        });
        return match (member, role) {
            (Some(m), Some(r)) => vec![Grant {
                change: Change::Add,
                member: m.into(),
                access: r.trim_matches('"').into(),
                on: "the directory".into(),
            }],
            _ => Vec::new(),
        };
    }
    // Key Vault access policies, in an access-policy write or a whole-vault write.
    let change = if l.contains("/remove") { Change::Remove } else { Change::Set };
    let mut out = Vec::new();
    for (_, fields) in items(f, "accessPolicies") {
        let Some(object) = first(&fields, "objectId") else { continue };
        let mut kinds: Vec<(String, Vec<&str>)> = Vec::new();
        for (p, v) in &fields {
            let Some(rest) = p.strip_prefix("permissions.") else { continue };
            let kind = field(rest).to_string();
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, vs)) => vs.push(v),
                None => kinds.push((kind, vec![v])),
            }
        }
        let access: Vec<String> = kinds.iter().map(|(k, vs)| format!("{k}: {}", vs.join(", "))).collect();
        let access = if access.is_empty() { "(no permissions)".into() } else { access.join("; ") };
        out.push(Grant { change, member: format!("object {object}"), access, on: resource.into() });
    }
    out
}

/// The organisation as the loaded logs show it.
#[derive(Clone, Debug, Default)]
pub struct Org {
    /// E-mail domains of principals (lower case).
    domains: HashSet<String>,
    /// GCP project ids named in resources and service-account principals.
    projects: HashSet<String>,
    /// AWS account ids of principals and resources.
    accounts: HashSet<String>,
}

impl Org {
    /// Learns the organisation from the distinct principals and resources of the store.
    pub fn learn(store: &EventStore) -> Org {
        let mut org = Org { domains: HashSet::new(), projects: HashSet::new(), accounts: HashSet::new() };
        let events = store.events();
        for &p in store.principals() {
            let cloud = store.principal_events(p).first().map_or(Cloud::Gcp, |&i| events[i as usize].cloud);
            org.note(cloud, store.str(p), true);
        }
        // Projects and accounts named by resources: every distinct string once (the interned
        // table), not every event; only `projects/…` and `arn:aws…` ones can name either.
        for s in store.strings().strings() {
            if s.starts_with("projects/") || s.contains("/projects/") {
                org.note(Cloud::Gcp, s, false);
            } else if s.starts_with("arn:aws") {
                org.note(Cloud::Aws, s, false);
            }
        }
        org
    }

    fn note(&mut self, cloud: Cloud, s: &str, principal: bool) {
        if principal && let Some((_, domain)) = s.rsplit_once('@') {
            let domain = domain.to_ascii_lowercase();
            if let Some(project) = domain.strip_suffix(".iam.gserviceaccount.com") {
                self.projects.insert(project.to_string());
            } else if !s.contains("#EXT#") {
                self.domains.insert(domain);
            }
        }
        // A resource names its project or account at its start (`projects/ID/…`, `arn:aws:…`);
        // bucket objects (`projects/_/…`) name none. Cheap checks: resources are many.
        if cloud == Cloud::Gcp
            && let Some(rest) = s.strip_prefix("projects/").or_else(|| s.split("/projects/").nth(1))
        {
            let id = rest.split('/').next().unwrap_or("");
            if !id.is_empty() && id != "_" && !self.projects.contains(id) {
                self.projects.insert(id.to_string());
            }
        }
        if s.starts_with("arn:aws")
            && let Some(account) = arn_account(s)
            && !self.accounts.contains(account)
        {
            self.accounts.insert(account.to_string());
        }
    }

    /// How far `member` reaches.
    pub fn reach(&self, member: &str) -> Reach {
        let m = member.trim();
        let bare = m.split_once(':').map_or(m, |(kind, rest)| match kind {
            "user" | "group" | "serviceAccount" | "domain" | "deleted" => rest,
            _ => m,
        });
        let lower = bare.to_ascii_lowercase();
        if matches!(m, "*" | "allUsers" | "allAuthenticatedUsers" | "AllUsers" | "AuthenticatedUsers")
            || lower.ends_with("/groups/global/allusers")
            || lower.ends_with("/groups/global/authenticatedusers")
            || lower.starts_with("everyone but")
        {
            return Reach::Public;
        }
        if lower.ends_with(".amazonaws.com") || lower.starts_with("aws-service") {
            return Reach::Service;
        }
        if let Some(account) = arn_account(bare).or_else(|| is_account_id(bare).then_some(bare)) {
            return self.known(self.accounts.contains(account));
        }
        if lower.contains("#ext#") {
            return Reach::Outside;
        }
        if m.starts_with("domain:") {
            return self.known(self.domain_known(&lower));
        }
        if let Some((_, domain)) = lower.rsplit_once('@') {
            if let Some(project) = domain.strip_suffix(".iam.gserviceaccount.com") {
                if project.starts_with("gcp-sa-") {
                    return Reach::Service;
                }
                return self.known(self.projects.contains(project));
            }
            if domain.ends_with("gserviceaccount.com") {
                let project = lower.split('@').next().unwrap_or("");
                return if self.projects.contains(project) || domain != "appspot.gserviceaccount.com" {
                    Reach::Service
                } else {
                    Reach::Outside
                };
            }
            if self.domain_known(domain) {
                return Reach::Org;
            }
            // A consumer mailbox is nobody's organisation; another domain is outside only when
            // the logs show the organisation's own.
            if CONSUMER_DOMAINS.contains(&domain) {
                return Reach::Outside;
            }
            return if self.domains.is_empty() { Reach::Unknown } else { Reach::Outside };
        }
        Reach::Unknown
    }

    fn known(&self, yes: bool) -> Reach {
        if yes { Reach::Org } else { Reach::Outside }
    }

    /// A domain of the organisation, or a parent or child of one.
    fn domain_known(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| {
            d == domain
                || domain.strip_suffix(d.as_str()).is_some_and(|p| p.ends_with('.'))
                || d.strip_suffix(domain).is_some_and(|p| p.ends_with('.'))
        })
    }

    /// The grants of an event with their reach.
    pub fn judge(&self, grants: Vec<Grant>) -> Vec<Granted> {
        grants
            .into_iter()
            .map(|grant| {
                let reach = self.reach(&grant.member);
                Granted { grant, reach }
            })
            .collect()
    }
}

/// The organisation, learned the first time a grant needs judging ([`Org::learn`]), so only
/// when there is something to judge.
pub type LazyOrg = std::cell::OnceCell<Org>;

/// The access changes made by the events at `positions`, judged, with where and by whom.
pub fn made_by(store: &EventStore, org: &LazyOrg, positions: &[u32]) -> Vec<(u32, Granted)> {
    let events = store.events();
    let mut out = Vec::new();
    for &i in positions {
        let found = of_event(store, &events[i as usize], store.facts(i));
        if found.is_empty() {
            continue;
        }
        let org = org.get_or_init(|| Org::learn(store));
        out.extend(org.judge(found).into_iter().map(|g| (i, g)));
    }
    out
}

/// The `grants` enrichment: each change with its time, author and reach.
pub fn to_json(store: &EventStore, grants: &[(u32, Granted)]) -> serde_json::Value {
    let events = store.events();
    grants
        .iter()
        .map(|(i, g)| {
            let e = &events[*i as usize];
            let mut v = serde_json::to_value(g).unwrap_or_default();
            v["time"] = crate::time::format_rfc3339(e.time).into();
            v["by"] = store.str(e.principal).into();
            v["outcome"] = e.outcome.as_str().into();
            v
        })
        .collect()
}

/// The key-facts line: every change, widest reach first, worded by the one renderer
/// ([`super::render::grant_line`]), or `none` when there was none.
pub fn facts_line(store: &EventStore, grants: &[(u32, Granted)], none: &str) -> String {
    if grants.is_empty() {
        return none.to_string();
    }
    let mut sorted: Vec<&(u32, Granted)> = grants.iter().collect();
    sorted.sort_by_key(|(_, g)| std::cmp::Reverse((g.opens_wide(), g.reach)));
    let shown: Vec<(u32, Granted)> = sorted.iter().take(4).map(|x| (*x).clone()).collect();
    let lines: Vec<String> = match to_json(store, &shown) {
        serde_json::Value::Array(a) => a.iter().map(super::render::grant_line).collect(),
        _ => Vec::new(),
    };
    let more = if grants.len() > 4 { format!("; and {} more", grants.len() - 4) } else { String::new() };
    format!("{}{more}", lines.join("; "))
}

/// Free mail providers: an address there belongs to a person, not to the organisation.
const CONSUMER_DOMAINS: [&str; 12] = [
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "protonmail.com",
    "aol.com",
    "gmx.com",
    "mail.com",
];

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account id of an ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`).
fn arn_account(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("arn:aws")?;
    let account = rest.split(':').nth(3)?;
    is_account_id(account).then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::facts::extract;
    use serde_json::json;

    fn org() -> Org {
        let mut o = Org::default();
        o.note(Cloud::Gcp, "alice@example.com", true);
        o.note(Cloud::Gcp, "ci@prod-app.iam.gserviceaccount.com", true);
        o.note(Cloud::Gcp, "projects/prod-app/locations/global/keyRings/r", false);
        o.note(Cloud::Aws, "arn:aws:sts::111122223333:assumed-role/Admin/alice", true);
        o
    }

    #[test]
    fn gcp_binding_deltas_name_member_role_and_action() {
        let f = extract(json!({"protoPayload": {"serviceData": {"policyDelta": {"bindingDeltas": [
            {"action": "ADD", "role": "roles/cloudkms.cryptoKeyDecrypter", "member": "user:mallory@evil.example"},
            {"action": "REMOVE", "role": "roles/viewer", "member": "user:bob@example.com"}
        ]}}}}));
        let g = parse(Cloud::Gcp, "SetIamPolicy", "projects/p/keyRings/r", &f);
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[0].change, g[0].member.as_str(), g[0].access.as_str()),
            (Change::Add, "user:mallory@evil.example", "roles/cloudkms.cryptoKeyDecrypter")
        );
        assert_eq!(g[1].change, Change::Remove);
        let judged = org().judge(g);
        assert_eq!(judged[0].reach, Reach::Outside);
        assert_eq!(judged[1].reach, Reach::Org);
        assert_eq!(
            judged[0].describe(),
            "granted roles/cloudkms.cryptoKeyDecrypter to user:mallory@evil.example (OUTSIDE the organisation) on projects/p/keyRings/r"
        );
    }

    #[test]
    fn gcp_policy_without_delta_lists_bindings_as_set() {
        let f = extract(json!({"protoPayload": {"request": {"policy": {"bindings": [
            {"role": "roles/storage.objectViewer", "members": ["allUsers", "group:ops@example.com"]}
        ]}}}}));
        let g = org().judge(parse(Cloud::Gcp, "storage.setIamPermissions", "projects/_/buckets/b", &f));
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].grant.change, g[0].reach), (Change::Set, Reach::Public));
        assert_eq!(g[1].reach, Reach::Org);
    }

    #[test]
    fn aws_kms_grant_and_key_policy() {
        let f = extract(json!({"requestParameters": {
            "keyId": "arn:aws:kms:us-east-1:111122223333:key/k",
            "granteePrincipal": "arn:aws:iam::999988887777:role/x",
            "operations": ["Decrypt", "GenerateDataKey"]
        }}));
        let g = org().judge(parse(Cloud::Aws, "CreateGrant", "arn:aws:kms:us-east-1:111122223333:key/k", &f));
        assert_eq!(g[0].grant.access, "Decrypt, GenerateDataKey");
        assert_eq!(g[0].reach, Reach::Outside);

        let policy = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*"},
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999988887777:root", "*"]}, "Action": ["kms:Decrypt"]}
        ]});
        let f = extract(json!({"requestParameters": {"keyId": "k", "policy": policy.to_string()}}));
        let g = org().judge(parse(Cloud::Aws, "PutKeyPolicy", "k", &f));
        let reach: Vec<Reach> = g.iter().map(|g| g.reach).collect();
        assert_eq!(reach, [Reach::Org, Reach::Outside, Reach::Public]);
        assert_eq!(g[1].grant.access, "kms:Decrypt");
    }

    #[test]
    fn aws_bucket_acl_iam_attach_and_trust() {
        let f = extract(
            json!({"requestParameters": {"bucketName": "b", "AccessControlPolicy": {"AccessControlList": {"Grant": [
                {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}
            ]}}}}),
        );
        let g = org().judge(parse(Cloud::Aws, "PutBucketAcl", "arn:aws:s3:::b", &f));
        assert_eq!((g[0].grant.access.as_str(), g[0].reach), ("READ", Reach::Public));

        let f = extract(
            json!({"requestParameters": {"userName": "svc", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}}),
        );
        let g = parse(Cloud::Aws, "AttachUserPolicy", "", &f);
        assert_eq!(
            (g[0].member.as_str(), g[0].access.as_str()),
            ("user/svc", "arn:aws:iam::aws:policy/AdministratorAccess")
        );

        let trust = json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}});
        let f = extract(json!({"requestParameters": {"roleName": "r", "policyDocument": trust.to_string()}}));
        let g = org().judge(parse(Cloud::Aws, "UpdateAssumeRolePolicy", "arn:aws:iam::111122223333:role/r", &f));
        assert_eq!((g[0].grant.access.as_str(), g[0].reach), ("sts:AssumeRole", Reach::Outside));
    }

    #[test]
    fn azure_role_assignment_and_vault_policy() {
        let body = json!({"properties": {"roleDefinitionId": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "principalId": "0f0e", "principalType": "User"}});
        let f = extract(json!({"properties": {"requestbody": body.to_string()}}));
        let g =
            org().judge(parse(Cloud::Azure, "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", "/subscriptions/s", &f));
        assert_eq!((g[0].grant.member.as_str(), g[0].grant.access.as_str()), ("User 0f0e", "Owner"));
        assert_eq!(g[0].reach, Reach::Unknown);

        let body = json!({"properties": {"accessPolicies": [{"tenantId": "t", "objectId": "abcd", "permissions": {"keys": ["get", "decrypt"], "secrets": ["list"]}}]}});
        let f = extract(json!({"properties": {"requestbody": body.to_string()}}));
        let g = parse(Cloud::Azure, "Microsoft.KeyVault/vaults/accessPolicies/write", "/v", &f);
        assert_eq!(g[0].access, "keys: get, decrypt; secrets: list");
        assert_eq!(g[0].member, "object abcd");
    }

    #[test]
    fn entra_role_member_and_guests() {
        let f =
            extract(json!({"targetResources": [{"userPrincipalName": "eve_evil.example#EXT#@example.onmicrosoft.com",
            "modifiedProperties": [{"displayName": "Role.DisplayName", "newValue": "\"Global Administrator\""}]}]}));
        let g = org().judge(parse(Cloud::Azure, "Add member to role", "", &f));
        assert_eq!(g[0].grant.access, "Global Administrator");
        assert_eq!(g[0].reach, Reach::Outside);
    }

    #[test]
    fn reach_of_service_identities_and_domains() {
        let o = org();
        assert_eq!(o.reach("serviceAccount:service-1@gcp-sa-cloudkms.iam.gserviceaccount.com"), Reach::Service);
        assert_eq!(o.reach("serviceAccount:ci@prod-app.iam.gserviceaccount.com"), Reach::Org);
        assert_eq!(o.reach("serviceAccount:x@attacker-proj.iam.gserviceaccount.com"), Reach::Outside);
        assert_eq!(o.reach("user:bob@eu.example.com"), Reach::Org);
        assert_eq!(o.reach("domain:example.com"), Reach::Org);
        assert_eq!(o.reach("cloudtrail.amazonaws.com"), Reach::Service);
        assert_eq!(o.reach("111122223333"), Reach::Org);
        assert_eq!(Org::default().reach("user:bob@example.com"), Reach::Unknown);
        assert_eq!(Org::default().reach("user:someone@gmail.com"), Reach::Outside, "a consumer mailbox");
    }
}
