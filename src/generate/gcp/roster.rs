//! The GCP cast: people and service accounts with their habitual methods, resources, source
//! IPs and user agents (the core principals the planted stories need, then fillers).

use super::{Op, bucket, instance, key_name, object, sa_email, table};
use crate::generate::org::{Habit, Ident, Principal, Rhythm};
use crate::generate::util::*;
use crate::generate::{Filler, ORG, PROJECT};

const GCLOUD_UA: &str = "google-cloud-sdk gcloud/498.0.0 command/gcloud.storage.cp invocation-id/5c1f0e2a9b7d4e83a6f1c0d2b3e4f5a6 environment/None environment-version/None client-os/MACOSX client-os-ver/23.6.0 client-pltf-arch/arm interactive/True from-script/False python/3.12.6 term/xterm-256color (Macintosh; Intel Mac OS X 23.6.0),gzip(gfe)";
const BROWSER_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36,gzip(gfe)";

fn h(op: Op, w: u32, res: impl Into<String>) -> Habit {
    Habit::new(op.code(), w, res, "")
}

fn person(given: &str, family: &str, weight: f64, ips: &[&str], ua: &str, habits: Vec<Habit>) -> Principal {
    let email = format!("{}.{}@{ORG}", given.to_lowercase(), family.to_lowercase());
    Principal {
        key: email.clone(),
        display: format!("{given} {family}"),
        ident: Ident::Gcp { email: email.clone(), human: true },
        rhythm: Rhythm::Office,
        weight,
        ips: ips.iter().map(|s| s.to_string()).collect(),
        ua: ua.to_owned(),
        habits,
        hourly: vec![],
        tag: hash_str(&email),
    }
}

fn workload(name: &str, weight: f64, ips: &[&str], ua: &str, habits: Vec<Habit>) -> Principal {
    let email = sa_email(name);
    Principal {
        key: email.clone(),
        display: name.to_owned(),
        ident: Ident::Gcp { email: email.clone(), human: false },
        rhythm: Rhythm::Steady,
        weight,
        ips: ips.iter().map(|s| s.to_string()).collect(),
        ua: ua.to_owned(),
        habits,
        hourly: vec![],
        tag: hash_str(&email),
    }
}

/// Number of GCP principals that always exist (the planted stories need them).
pub(crate) const CORE: u32 = 4;

/// The GCP principals: the core cast plus `fillers`.
pub(crate) fn roster(fillers: &[Filler]) -> Vec<Principal> {
    let app_key = key_name("prod-ring", "app-data-key");
    let mut v = vec![
        person(
            "Dana",
            "Whitfield",
            1.0,
            &["203.0.113.10", "198.51.100.23"],
            GCLOUD_UA,
            vec![
                h(Op::ObjGet, 3, object("nw-dev-scratch", "dana/notebooks/churn-model.ipynb")),
                h(Op::ObjList, 2, bucket("nw-dev-scratch")),
                h(Op::ObjCreate, 2, object("nw-dev-scratch", "dana/tmp/features.parquet")),
                h(Op::VmList, 2, format!("projects/{PROJECT}/zones/us-central1-a/instances")),
                h(Op::VmStart, 1, instance("dev-dana-01")),
                h(Op::VmStop, 1, instance("dev-dana-01")),
                h(Op::BqJob, 3, table("analytics", "events")),
                h(Op::KmsEncrypt, 1, app_key.clone()),
                h(Op::KmsDecrypt, 2, app_key.clone()),
                h(Op::KmsGet, 1, app_key.clone()),
            ],
        ),
        workload(
            "etl-runner",
            3.0,
            &["10.128.0.14", "gce-internal-ip"],
            "google-api-go-client/0.5 nw-etl/3.2.1,gzip(gfe)",
            vec![
                h(Op::BqJob, 4, table("analytics", "events")),
                h(Op::BqJob, 3, table("analytics", "orders")),
                h(Op::BqJob, 3, table("staging", "orders_raw")),
                h(Op::ObjGet, 2, object("nw-etl-staging", "raw/orders.parquet")),
                h(Op::ObjGet, 2, object("nw-etl-staging", "raw/customers.parquet")),
                h(Op::ObjCreate, 2, object("nw-etl-staging", "curated/orders.parquet")),
                h(Op::ObjList, 1, bucket("nw-etl-staging")),
            ],
        ),
        workload(
            "ci-deployer",
            1.0,
            &["10.128.0.31"],
            "google-cloud-sdk gcloud/498.0.0 command/gcloud.storage.cp interactive/False from-script/True python/3.11.9 term/ (Linux 6.1.0-25-cloud-amd64),gzip(gfe)",
            vec![
                h(Op::ObjCreate, 3, object("nw-build-artifacts", "releases/app.tar.gz")),
                h(Op::ObjGet, 2, object("nw-build-artifacts", "releases/app.tar.gz")),
                h(Op::VmList, 1, format!("projects/{PROJECT}/zones/us-central1-a/instances")),
                h(Op::KmsGet, 2, app_key.clone()),
                h(Op::KmsDecrypt, 1, app_key.clone()),
            ],
        ),
        workload(
            "terraform-runner",
            0.5,
            &["203.0.113.50"],
            "Terraform/1.9.8 (+https://www.terraform.io) Terraform-Plugin-SDK/2.33.0 terraform-provider-google/6.8.0,gzip(gfe)",
            vec![
                h(Op::CrmGetIam, 2, format!("projects/{PROJECT}")),
                h(Op::IamListSa, 1, format!("projects/{PROJECT}")),
                h(Op::VmList, 2, format!("projects/{PROJECT}/zones/us-central1-a/instances")),
                h(Op::ObjGet, 3, object("nw-tf-state", "prod/default.tfstate")),
                h(Op::ObjCreate, 1, object("nw-tf-state", "prod/default.tfstate")),
                h(Op::KmsGet, 1, app_key.clone()),
            ],
        ),
    ];
    for f in fillers {
        v.push(filler(f, &app_key));
    }
    v
}

fn filler(f: &Filler, app_key: &str) -> Principal {
    let home = format!("198.51.100.{}", 100 + f.index % 100);
    let ips = ["203.0.113.10", home.as_str()];
    let mut p = match f.index % 3 {
        0 => person(
            &f.given,
            &f.family,
            0.8,
            &ips,
            BROWSER_UA,
            vec![
                h(Op::BqJob, 4, table("analytics", "orders")),
                h(Op::BqJob, 2, table("reporting", &format!("kpi_{}", f.family.to_lowercase()))),
                h(Op::ObjGet, 2, object("nw-reports", "weekly/summary.csv")),
                h(Op::ObjList, 1, bucket("nw-reports")),
            ],
        ),
        1 => person(
            &f.given,
            &f.family,
            0.8,
            &ips,
            GCLOUD_UA,
            vec![
                h(Op::VmList, 3, format!("projects/{PROJECT}/zones/us-central1-a/instances")),
                h(Op::VmStart, 1, instance(&format!("web-{}", f.index % 4 + 1))),
                h(Op::VmStop, 1, instance(&format!("web-{}", f.index % 4 + 1))),
                h(Op::CrmGetIam, 2, format!("projects/{PROJECT}")),
                h(Op::IamListSa, 1, format!("projects/{PROJECT}")),
                h(Op::KmsGet, 1, app_key.to_owned()),
            ],
        ),
        _ => {
            let name = ["looker-sync", "backup-agent", "dataflow-worker", "metrics-exporter"][f.index as usize / 3 % 4];
            workload(
                &format!("{name}-{}", f.index),
                1.5,
                &["10.128.0.40"],
                "google-api-go-client/0.5,gzip(gfe)",
                vec![
                    h(Op::BqJob, 3, table("analytics", "events")),
                    h(Op::ObjGet, 2, object("nw-etl-staging", "curated/orders.parquet")),
                    h(Op::ObjCreate, 1, object("nw-backups", &format!("{name}/latest.tar"))),
                ],
            )
        }
    };
    p.weight *= 0.7 + (hash(&[f.seed, p.tag]) % 600) as f64 / 1000.0;
    p
}
