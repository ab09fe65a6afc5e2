//! AWS CloudTrail: the API catalogue ([`Op`]), the AWS principals and their habits
//! ([`roster`]), and the writer of CloudTrail log files as delivered to S3: one
//! `{"Records":[…]}` document per account, region and hour under
//! `aws/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<id>.json`
//! (gzip when asked, as AWS does). Records follow `fixtures/aws-cloudtrail/`: eventVersion
//! 1.08, `userIdentity` (IAMUser / AssumedRole with `sessionContext` / AWSService),
//! `requestParameters`, `responseElements`, `resources`, `errorCode`/`errorMessage` on
//! failures.

use crate::generate::org::Slot;
use crate::generate::util::*;
use crate::generate::{ACCOUNT, CloudWorld};
mod render;
mod roster;

pub(crate) use roster::{CORE, roster};

use anyhow::Result;
use std::path::Path;

/// AWS API calls the generator knows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    ListBuckets,
    GetObject,
    PutObject,
    CreateBucket,
    DescribeInstances,
    RunInstances,
    ListUsers,
    Decrypt,
    GenerateDataKey,
    CreateKey,
    EnableKeyRotation,
    DescribeKey,
    AssumeRole,
    GetCallerIdentity,
    GetSecretValue,
    ConsoleLogin,
}

const ALL: [Op; 16] = [
    Op::ListBuckets,
    Op::GetObject,
    Op::PutObject,
    Op::CreateBucket,
    Op::DescribeInstances,
    Op::RunInstances,
    Op::ListUsers,
    Op::Decrypt,
    Op::GenerateDataKey,
    Op::CreateKey,
    Op::EnableKeyRotation,
    Op::DescribeKey,
    Op::AssumeRole,
    Op::GetCallerIdentity,
    Op::GetSecretValue,
    Op::ConsoleLogin,
];

impl Op {
    pub(crate) fn code(self) -> u16 {
        self as u16
    }
    fn from_code(c: u16) -> Op {
        ALL.get(usize::from(c)).copied().unwrap_or(Op::GetCallerIdentity)
    }
    /// (service prefix, eventName, readOnly)
    fn spec(self) -> (&'static str, &'static str, bool) {
        match self {
            Op::ListBuckets => ("s3", "ListBuckets", true),
            Op::GetObject => ("s3", "GetObject", true),
            Op::PutObject => ("s3", "PutObject", false),
            Op::CreateBucket => ("s3", "CreateBucket", false),
            Op::DescribeInstances => ("ec2", "DescribeInstances", true),
            Op::RunInstances => ("ec2", "RunInstances", false),
            Op::ListUsers => ("iam", "ListUsers", true),
            Op::Decrypt => ("kms", "Decrypt", true),
            Op::GenerateDataKey => ("kms", "GenerateDataKey", true),
            Op::CreateKey => ("kms", "CreateKey", false),
            Op::EnableKeyRotation => ("kms", "EnableKeyRotation", false),
            Op::DescribeKey => ("kms", "DescribeKey", true),
            Op::AssumeRole => ("sts", "AssumeRole", true),
            Op::GetCallerIdentity => ("sts", "GetCallerIdentity", true),
            Op::GetSecretValue => ("secretsmanager", "GetSecretValue", true),
            Op::ConsoleLogin => ("signin", "ConsoleLogin", false),
        }
    }
}

pub(crate) fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}
pub(crate) fn session_arn(role: &str, session: &str) -> String {
    format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}")
}
pub(crate) fn secret_arn(name: &str) -> String {
    let suffix = token(hash_str(name), 6, ALNUM);
    format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{name}-{suffix}")
}
pub(crate) fn kms_key_arn(region: &str, id: &str) -> String {
    format!("arn:aws:kms:{region}:{ACCOUNT}:key/{id}")
}

/// An open hourly file of one region.
struct Open {
    region: String,
    hour: i64,
    sink: Sink,
    buf: Vec<u8>,
}

impl Open {
    fn close(mut self) -> Result<Stats> {
        raw(&mut self.buf, "]}");
        self.sink.write(&self.buf)?;
        self.sink.finish()
    }
}

/// Writes day `d`: one file per region and hour.
pub(crate) fn write_day(w: &CloudWorld, d: u32, out: &Path) -> Result<Stats> {
    let items: Vec<Slot> = w.day_items(d);
    let mut open: Vec<Open> = Vec::new();
    let mut total = Stats::default();
    for s in &items {
        let c = w.call(s);
        let region = if c.extra.is_empty() { "us-east-1" } else { c.extra };
        let hour = s.t.div_euclid(HOUR);
        let idx = open.iter().position(|o| o.region == region);
        if let Some(i) = idx.filter(|&i| open[i].hour != hour) {
            total.add(open.swap_remove(i).close()?);
        }
        let i = match open.iter().position(|o| o.region == region) {
            Some(i) => i,
            None => {
                open.push(create(w, out, region, hour)?);
                open.len() - 1
            }
        };
        let o = &mut open[i];
        if o.sink.records > 0 {
            o.buf.push(b',');
        }
        render::render(&mut o.buf, &c);
        o.sink.records += 1;
        if o.buf.len() > 60_000 {
            o.sink.write(&o.buf)?;
            o.buf.clear();
        }
    }
    for o in open {
        total.add(o.close()?);
    }
    Ok(total)
}

fn create(w: &CloudWorld, out: &Path, region: &str, hour: i64) -> Result<Open> {
    let t = hour * HOUR;
    let c = civil(t);
    let mut name = Vec::with_capacity(128);
    raw(&mut name, "aws/AWSLogs/");
    raw(&mut name, ACCOUNT);
    raw(&mut name, "/CloudTrail/");
    raw(&mut name, region);
    raw(&mut name, "/");
    push_date(&mut name, &c, "/");
    raw(&mut name, "/");
    raw(&mut name, ACCOUNT);
    raw(&mut name, "_CloudTrail_");
    raw(&mut name, region);
    raw(&mut name, "_");
    push_date(&mut name, &c, "");
    raw(&mut name, "T");
    push_pad(&mut name, u64::from(c.h), 2);
    raw(&mut name, "05Z_");
    push_token(&mut name, hash(&[w.seed, hash_str(region), hour as u64]), 16, ALNUM);
    raw(&mut name, ".json");
    let sink = Sink::create(out, &String::from_utf8_lossy(&name), w.gzip)?;
    let mut buf = Vec::with_capacity(1 << 16);
    raw(&mut buf, "{\"Records\":[");
    Ok(Open { region: region.to_owned(), hour, sink, buf })
}
