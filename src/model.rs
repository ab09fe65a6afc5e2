//! The normalised event: the one shape every reader produces and everything downstream reads.
//!
//! Strings are interned in the [`crate::store::EventStore`] and appear here as [`Sym`] ids, so an
//! event is a small fixed-size value. Nothing here parses, draws or does IO.

use serde::Serialize;

/// An interned string id. `Sym(0)` is always the empty string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty string.
    pub const EMPTY: Sym = Sym(0);

    /// True when this is the empty string.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Which cloud (or platform) an event came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// Google Cloud audit logs.
    Gcp,
    /// Azure Activity, Key Vault and Entra ID sign-in and audit logs.
    Azure,
    /// AWS CloudTrail.
    Aws,
    /// Windows Security events.
    Windows,
}

impl Cloud {
    /// All clouds, in display order.
    pub const ALL: [Cloud; 4] = [Cloud::Gcp, Cloud::Azure, Cloud::Aws, Cloud::Windows];

    /// The lower-case name used in output and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Gcp => "gcp",
            Cloud::Azure => "azure",
            Cloud::Aws => "aws",
            Cloud::Windows => "windows",
        }
    }
}

impl std::str::FromStr for Cloud {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gcp" => Ok(Cloud::Gcp),
            "azure" => Ok(Cloud::Azure),
            "aws" => Ok(Cloud::Aws),
            "windows" => Ok(Cloud::Windows),
            other => Err(format!("unknown cloud {other:?} (expected gcp, azure, aws or windows)")),
        }
    }
}

impl std::fmt::Display for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of identity acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    /// A person.
    User,
    /// A service account, service principal, role or machine account.
    Service,
    /// Not known from the record.
    Unknown,
}

impl PrincipalKind {
    /// The lower-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Service => "service",
            PrincipalKind::Unknown => "unknown",
        }
    }
}

/// Whether the call succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The call succeeded (or was accepted / started).
    Success,
    /// The call failed or was denied.
    Failure,
}

impl Outcome {
    /// The lower-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

/// Where an event's original record lives: enough to read it back on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceRef {
    /// Index into the store's file list.
    pub file: u32,
    /// 1-based line on which the record starts (in the decompressed text).
    pub line: u32,
    /// Position in an array or `records` wrapper, or `u32::MAX` for a record that stands alone.
    pub index: u32,
    /// Byte offset of the record in the (decompressed) file.
    pub offset: u64,
    /// Length in bytes of the record's JSON text.
    pub len: u32,
}

impl SourceRef {
    /// Marker for "not inside an array".
    pub const NO_INDEX: u32 = u32::MAX;

    /// The array index, if the record sits in an array.
    pub fn array_index(&self) -> Option<u32> {
        (self.index != Self::NO_INDEX).then_some(self.index)
    }
}

/// One normalised audit event. All strings are interned ids into the owning store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Microseconds since the Unix epoch, UTC.
    pub time: i64,
    /// Which cloud the record came from.
    pub cloud: Cloud,
    /// User, service or unknown.
    pub principal_kind: PrincipalKind,
    /// Success or failure.
    pub outcome: Outcome,
    /// Who acted (e-mail, UPN, ARN, app id, `DOMAIN\user`).
    pub principal: Sym,
    /// The service or resource provider (`storage.googleapis.com`, `s3.amazonaws.com`, `Microsoft.Compute`).
    pub service: Sym,
    /// The method, event name or operation.
    pub operation: Sym,
    /// What was acted on, as the log names it.
    pub resource: Sym,
    /// The caller's address.
    pub source_ip: Sym,
    /// The caller's user agent.
    pub user_agent: Sym,
    /// Status code or message (failure code, result signature, HTTP status).
    pub status: Sym,
    /// Region or location.
    pub region: Sym,
    /// Windows: the computer.
    pub computer: Sym,
    /// Windows: the process path.
    pub process: Sym,
    /// Windows: the parent process path.
    pub parent: Sym,
    /// Windows: the process's command line.
    pub command_line: Sym,
    /// A secondary target the record names beside its resource: the policy attached, the user
    /// given a key, the member granted a role, the account a snapshot is shared with.
    pub target: Sym,
    /// Marks on the event ([`Event::LOSSY`], …).
    pub flags: u8,
    /// Where the original record lives.
    pub src: SourceRef,
}

impl Event {
    /// The record held bytes that are not UTF-8; they were read as U+FFFD.
    pub const LOSSY: u8 = 1;

    /// True when the record's text was decoded lossily.
    pub fn is_lossy(&self) -> bool {
        self.flags & Self::LOSSY != 0
    }
}

/// The principal shown for a record that names nobody (Google redacts `authenticationInfo` on
/// some denials; some Azure records carry no caller): loaded, visible, never dropped.
pub const UNKNOWN_PRINCIPAL: &str = "(unknown principal)";

/// The provider (and service) of Sysmon events.
pub const SYSMON_PROVIDER: &str = "Microsoft-Windows-Sysmon";

/// True for a process-creation event: Windows Security 4688 or Sysmon Event ID 1, as the readers
/// normalise them (operation = the Event ID, service = the provider). The one test the hunt, the
/// detectors and the playbooks use.
pub fn is_process_creation(cloud: Cloud, service: &str, operation: &str) -> bool {
    cloud == Cloud::Windows && (operation == "4688" || (operation == "1" && service == SYSMON_PROVIDER))
}

/// Request details read back from a record at load time, for the few events a detector needs
/// them for (see `ingest::facts`): every scalar leaf of the record as (dotted path, value), in
/// document order. Array elements carry their index (`items[0].group`), so facts of one list
/// item can be read together; JSON text held in a string (Azure `requestbody`, CSV exports) is
/// opened and walked as well.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFacts {
    /// (path, value) pairs: `requestParameters.policyArn` → `arn:aws:iam::aws:policy/…`.
    pub leaves: Vec<(Box<str>, Box<str>)>,
}

impl RequestFacts {
    /// The value at an exact dotted path (indexes included), if present and not empty.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.leaves.iter().find(|(p, v)| &**p == path && !v.is_empty()).map(|(_, v)| &**v)
    }

    /// Every value whose field (last path segment, index dropped) is `name` (case-insensitive),
    /// in document order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.leaves.iter().filter(move |(p, _)| field_of(p).eq_ignore_ascii_case(name)).map(|(_, v)| &**v)
    }

    /// True when any value equals `value` (case-insensitive).
    pub fn any_value(&self, value: &str) -> bool {
        self.leaves.iter().any(|(_, v)| v.eq_ignore_ascii_case(value))
    }
}

/// The field a leaf path names: its last segment without an array index (`a.b[2]` → `b`).
pub fn field_of(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}
