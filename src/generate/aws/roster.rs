//! The AWS cast: IAM users, assumed-role sessions and an AWS service principal with their
//! habitual calls, resources, regions and user agents (core principals, then fillers).

use super::{Op, kms_key_arn, secret_arn, session_arn, user_arn};
use crate::generate::org::{Habit, Ident, Principal, Rhythm};
use crate::generate::util::*;
use crate::generate::{ACCOUNT, Filler};

const CLI_UA: &str = "aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.cp";
const CONSOLE_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

fn h(op: Op, w: u32, res: impl Into<String>, region: &str) -> Habit {
    Habit::new(op.code(), w, res, region)
}

fn iam_user(name: &str, ips: &[&str], ua: &str, habits: Vec<Habit>) -> Principal {
    let arn = user_arn(name);
    let tag = hash_str(&arn);
    Principal {
        key: arn,
        display: name.to_owned(),
        ident: Ident::AwsUser {
            name: name.to_owned(),
            id: format!("AIDA{}", token(tag, 17, UPPER_ALNUM)),
            key: format!("AKIA{}", token(tag ^ 1, 16, UPPER_ALNUM)),
        },
        rhythm: Rhythm::Office,
        weight: 1.0,
        ips: ips.iter().map(|s| s.to_string()).collect(),
        ua: ua.to_owned(),
        habits,
        hourly: vec![],
        tag,
    }
}

fn role(role: &str, session: &str, weight: f64, ips: &[&str], ua: &str, habits: Vec<Habit>) -> Principal {
    let arn = session_arn(role, session);
    let tag = hash_str(&arn);
    Principal {
        key: arn,
        display: format!("{role}/{session}"),
        ident: Ident::AwsRole {
            role: role.to_owned(),
            session: session.to_owned(),
            id: format!("AROA{}", token(hash_str(role), 17, UPPER_ALNUM)),
            key: format!("ASIA{}", token(tag, 16, UPPER_ALNUM)),
        },
        rhythm: Rhythm::Steady,
        weight,
        ips: ips.iter().map(|s| s.to_string()).collect(),
        ua: ua.to_owned(),
        habits,
        hourly: vec![],
        tag,
    }
}

/// Number of AWS principals that always exist.
pub(crate) const CORE: u32 = 4;

/// The AWS principals: the core cast plus `fillers`.
pub(crate) fn roster(fillers: &[Filler]) -> Vec<Principal> {
    const E1: &str = "us-east-1";
    let analytics_key = kms_key_arn(E1, &uuid(0x5eed_0001));
    let artifacts_key = kms_key_arn(E1, &uuid(0x5eed_0002));
    let mut agent = role(
        "build-agent",
        "ci-4711",
        1.0,
        &["203.0.113.50"],
        "aws-sdk-go-v2/1.32.2 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/secretsmanager#1.34.2",
        vec![
            h(Op::GetObject, 2, "nw-build-artifacts/cache/deps.tar.zst", E1),
            h(Op::PutObject, 2, "nw-build-artifacts/releases/app.tar.gz", E1),
            h(Op::GetCallerIdentity, 1, "", E1),
            h(Op::DescribeInstances, 1, "", E1),
            h(Op::GenerateDataKey, 1, artifacts_key.clone(), E1),
            h(Op::GetSecretValue, 1, secret_arn("ci/npm-token"), E1),
            h(Op::GetSecretValue, 1, secret_arn("ci/registry-password"), E1),
        ],
    );
    agent.hourly = vec![5, 6];
    let mut ec2 = role("orders-app-ec2", "i-0a3f9c1e7b2d4f681", 0.0, &[], "", vec![]);
    ec2.key = "ec2.amazonaws.com".into();
    ec2.display = "ec2.amazonaws.com".into();
    ec2.ident = Ident::AwsService { service: "ec2.amazonaws.com".into() };
    ec2.weight = 0.5;
    ec2.ips = vec!["ec2.amazonaws.com".into()];
    ec2.ua = "ec2.amazonaws.com".into();
    ec2.habits = vec![h(Op::AssumeRole, 1, format!("arn:aws:iam::{ACCOUNT}:role/orders-app-ec2"), E1)];
    ec2.tag = hash_str("ec2.amazonaws.com");
    let mut v = vec![
        iam_user(
            "marco",
            &["203.0.113.10", "198.51.100.58"],
            CLI_UA,
            vec![
                h(Op::ListBuckets, 2, "", E1),
                h(Op::GetObject, 3, "nw-analytics-reports/2026/weekly/summary.parquet", E1),
                h(Op::GetObject, 2, "nw-analytics-reports/2026/weekly/churn.parquet", E1),
                h(Op::PutObject, 2, "nw-analytics-reports/scratch/marco/notebook.ipynb", E1),
                h(Op::DescribeInstances, 1, "", E1),
                h(Op::GetCallerIdentity, 1, "", E1),
                h(Op::Decrypt, 1, analytics_key.clone(), E1),
                h(Op::ConsoleLogin, 1, "", E1),
            ],
        ),
        agent,
        iam_user(
            "lena.fischer",
            &["203.0.113.11", "198.51.100.64"],
            CONSOLE_UA,
            vec![
                h(Op::DescribeKey, 2, analytics_key.clone(), E1),
                h(Op::DescribeKey, 1, artifacts_key.clone(), E1),
                h(Op::ListUsers, 2, "", E1),
                h(Op::ListBuckets, 1, "", E1),
                h(Op::GetCallerIdentity, 1, "", E1),
                h(Op::ConsoleLogin, 1, "", E1),
            ],
        ),
        ec2,
    ];
    for f in fillers {
        let mut p = if f.index % 2 == 0 {
            let name = format!("{}.{}", f.given.to_lowercase(), f.family.to_lowercase());
            iam_user(
                &name,
                &["203.0.113.10", &format!("198.51.100.{}", 200 + f.index % 50)],
                CLI_UA,
                vec![
                    h(Op::ListBuckets, 2, "", E1),
                    h(Op::GetObject, 2, "nw-analytics-reports/2026/weekly/summary.parquet", E1),
                    h(Op::DescribeInstances, 2, "", "eu-west-1"),
                    h(Op::RunInstances, 1, "ami-0c1f4e7a9d2b3c5e8", "eu-west-1"),
                    h(Op::ConsoleLogin, 1, "", E1),
                ],
            )
        } else {
            let app = ["orders-api", "invoice-worker", "search-indexer", "report-builder"][f.index as usize / 2 % 4];
            let key = kms_key_arn("eu-west-1", &uuid(hash_str(app)));
            let mut p = role(
                app,
                &format!("i-0{:016x}", hash_str(app) >> 4),
                1.5,
                &["203.0.113.90"],
                "aws-sdk-java/2.28.16 Linux/5.10.226-214.880.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode/standard",
                vec![
                    h(Op::Decrypt, 3, key.clone(), "eu-west-1"),
                    h(Op::GenerateDataKey, 2, key, "eu-west-1"),
                    h(Op::GetObject, 2, format!("nw-{app}-data/state/latest.json"), "eu-west-1"),
                    h(Op::GetSecretValue, 1, secret_arn(&format!("prod/{app}/db")), E1),
                ],
            );
            p.display = app.to_owned();
            p
        };
        p.weight *= 0.7 + (hash(&[f.seed, p.tag]) % 600) as f64 / 1000.0;
        v.push(p);
    }
    v
}
