//! Tests of the generator's output: determinism, wire-format fields, gzip equivalence,
//! volume and time range, presence of every planted story and look-alike, and the absence of
//! accidental "new" pairs after the learning week. Readers and detectors are tested elsewhere;
//! here the files are parsed with `serde_json` only.

use super::tests_parse::{excluded, files, gen_into, load, small};
use super::*;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

#[test]
fn same_seed_gives_identical_bytes_and_other_seed_differs() {
    let (a, sa) = gen_into(&small());
    let (b, _) = gen_into(&small());
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 100);
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{} differs between runs", k.display());
    }
    assert_eq!(sa.files, fa.len() as u64);
    assert_eq!(sa.bytes, fa.values().map(|v| v.len() as u64).sum::<u64>());
    let (c, _) = gen_into(&GenerateConfig { seed: 8, ..small() });
    let fc = files(c.path());
    let same = fa.iter().filter(|(k, v)| fc.get(*k) == Some(v)).count();
    assert_eq!(same, 0, "a different seed must change every file");
}

#[test]
fn gzip_output_decompresses_to_the_plain_output() {
    let cfg = GenerateConfig { events: 6_000, ..small() };
    let (a, _) = gen_into(&cfg);
    let (b, sb) = gen_into(&GenerateConfig { gzip: true, ..cfg });
    let (plain, gz) = (files(a.path()), files(b.path()));
    assert_eq!(plain.len(), gz.len());
    assert_eq!(sb.files, gz.len() as u64);
    for (k, v) in &plain {
        let mut name = k.clone().into_os_string();
        name.push(".gz");
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[&PathBuf::from(name)][..]).read_to_end(&mut out).unwrap();
        assert!(&out == v, "{} differs after gunzip", k.display());
    }
}

#[test]
fn volume_range_formats_and_planted_stories() {
    let cfg = small();
    let (dir, s) = gen_into(&cfg);
    let recs = load(dir.path());
    assert_eq!(recs.len() as u64, s.events);
    let dev = (s.events as f64 - cfg.events as f64).abs() / cfg.events as f64;
    assert!(dev < 0.03, "{} events for a target of {}", s.events, cfg.events);
    let (start, end) = (cfg.end - i64::from(cfg.days) * util::DAY, cfg.end);
    assert!(recs.iter().all(|r| r.t >= start && r.t < end));
    for c in Cloud::ALL {
        assert!(recs.iter().filter(|r| r.cloud == c).count() > 1000, "{c} too small");
    }
    let failures = recs.iter().filter(|r| r.raw.pointer("/protoPayload/status/code").is_some()).count();
    assert!(failures > 0);
    for i in planned_incidents(&cfg).iter().chain(&planned_lookalikes(&cfg)) {
        let hit = recs.iter().any(|r| {
            r.cloud == i.cloud && r.t == i.time && r.principal.eq_ignore_ascii_case(&i.principal) && {
                let blob = format!("{} {}", r.resource, r.raw);
                blob.contains(&i.key) || blob.contains(&i.key.replace('\\', "\\\\"))
            }
        });
        assert!(hit, "planted {} not found: {i:?}", i.detector);
    }
    let tmp = stories::tmp_key();
    let create = recs.iter().find(|r| r.action.ends_with("CreateCryptoKey") && r.resource == tmp).unwrap();
    assert_eq!(util::civil(create.t).h, 2);
    assert!(create.raw.pointer("/protoPayload/request/cryptoKey/rotationPeriod").is_none());
    assert_eq!(create.raw.pointer("/protoPayload/status"), Some(&serde_json::json!({})));
    let burst =
        recs.iter().filter(|r| r.action.ends_with("GetSecretValue") && r.principal.ends_with("build-agent/ci-4711"));
    let mut per_hour: HashMap<i64, u32> = HashMap::new();
    for r in burst {
        *per_hour.entry(r.t / (3600 * 1_000_000)).or_default() += 1;
    }
    let mut counts: Vec<u32> = per_hour.values().copied().collect();
    counts.sort_unstable();
    assert!(counts[counts.len() - 1] >= 300 && counts[counts.len() - 2] <= 4, "{counts:?}");
}

/// After the learning week, only the planted stories introduce new (principal, method),
/// (principal, resource) or hunted (process, computer, account) combinations.
#[test]
fn nothing_new_after_the_learning_week_except_the_stories() {
    let cfg = small();
    let (dir, _) = gen_into(&cfg);
    let recs = load(dir.path());
    let learn = cfg.end - i64::from(cfg.days - 7) * util::DAY;
    let mut seen = std::collections::HashSet::new();
    let mut new = Vec::new();
    for r in &recs {
        let key = match r.cloud {
            Cloud::Gcp => (r.principal.clone(), r.action.clone()),
            Cloud::Azure => (r.principal.clone(), r.resource.to_ascii_lowercase()),
            Cloud::Aws => (r.principal.clone(), r.action.clone()),
            Cloud::Windows => {
                if excluded(&r.resource) {
                    continue;
                }
                (format!("{}|{}", r.host, r.principal), r.resource.clone())
            }
        };
        if seen.insert(key.clone()) && r.t >= learn {
            new.push(format!("{} {} {}", r.cloud, key.0, key.1));
        }
    }
    new.sort();
    let expected = [
        "aws arn:aws:iam::111122223333:user/lena.fischer kms.amazonaws.com CreateKey",
        "aws arn:aws:iam::111122223333:user/lena.fischer kms.amazonaws.com EnableKeyRotation",
        "aws arn:aws:iam::111122223333:user/marco s3.amazonaws.com CreateBucket",
        "azure oliver.grant@northwindtraders.com /subscriptions/6f1c2b7e-3d4a-4c59-9e21-8b7a0d3f5c14/resourcegroups/prod-rg/providers/microsoft.compute/virtualmachines/db-01",
        "gcp dana.whitfield@northwindtraders.com cloudkms.googleapis.com SetIamPolicy",
        "gcp dana.whitfield@northwindtraders.com cloudkms.googleapis.com google.cloud.kms.v1.KeyManagementService.CreateCryptoKey",
        "gcp etl-runner@nw-prod-data.iam.gserviceaccount.com iam.googleapis.com google.iam.admin.v1.CreateServiceAccountKey",
        "gcp terraform-runner@nw-prod-data.iam.gserviceaccount.com storage.googleapis.com storage.buckets.create",
        "windows FIN-WS-07|CORP\\jsmith C:\\Users\\Public\\Downloads\\svc-update.exe",
    ];
    assert_eq!(new, expected);
}

#[test]
fn stories_exist_and_follow_the_learning_period_at_every_size() {
    for days in [3, 5, 10, 14, 30, 60] {
        let cfg = GenerateConfig { days, ..GenerateConfig::default() };
        let start = cfg.end - i64::from(days) * util::DAY;
        let learn = if days >= 10 { 7 * util::DAY } else { (f64::from(days) * 0.7).ceil() as i64 * util::DAY };
        let inc = planned_incidents(&cfg);
        assert_eq!(inc.len(), 9, "days={days}");
        for i in &inc {
            assert!(i.time >= (start + learn).min(cfg.end - util::DAY) && i.time < cfg.end, "days={days}: {i:?}");
        }
        assert!(expected_alerts(&cfg).len() > inc.len());
    }
    let only_aws = GenerateConfig { clouds: vec![Cloud::Aws], ..GenerateConfig::default() };
    assert!(planned_incidents(&only_aws).iter().all(|i| i.cloud == Cloud::Aws));
}

#[test]
fn tiny_and_single_cloud_configs_work() {
    let cfg = GenerateConfig {
        days: 10,
        events: 3_000,
        principals: 4,
        clouds: vec![Cloud::Windows, Cloud::Gcp],
        ..GenerateConfig::default()
    };
    let (dir, s) = gen_into(&cfg);
    let recs = load(dir.path());
    assert_eq!(recs.len() as u64, s.events);
    assert!(recs.iter().all(|r| matches!(r.cloud, Cloud::Windows | Cloud::Gcp)));
    assert!(recs.iter().any(|r| r.resource.ends_with("svc-update.exe")));
    assert!(generate(&GenerateConfig { clouds: vec![], ..cfg }, dir.path()).is_err());
}

#[test]
fn cloud_names_round_trip() {
    for c in Cloud::ALL {
        assert_eq!(c.as_str().parse::<Cloud>().unwrap(), c);
        assert_eq!(c.to_string().to_uppercase().parse::<Cloud>().unwrap(), c);
    }
    assert!("gcs".parse::<Cloud>().is_err());
}

#[test]
fn json_strings_are_escaped() {
    let mut b = Vec::new();
    util::q(&mut b, "a\"b\\c\nd\u{1}é");
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v, "a\"b\\c\nd\u{1}é");
}

#[test]
fn an_end_that_is_not_midnight_keeps_everything_in_range() {
    let cfg =
        GenerateConfig { days: 12, events: 8_000, end: GenerateConfig::default().end + 13 * util::HOUR + 7, ..small() };
    let (dir, s) = gen_into(&cfg);
    let recs = load(dir.path());
    assert_eq!(recs.len() as u64, s.events);
    let start = cfg.end - 12 * util::DAY;
    assert!(recs.iter().all(|r| r.t >= start && r.t < cfg.end));
    for i in planned_incidents(&cfg) {
        assert!(i.time >= start + 7 * util::DAY && i.time < cfg.end, "{i:?}");
    }
}
