//! The Azure cast: users (with UPNs) and service principals (app ids) with their habitual
//! operations, resources and sign-in apps (the core principals the stories need, then fillers).

use super::{BROWSER, OFFICE, Op, PORTAL, records_of, rid, vault_rid};
use crate::generate::org::{Habit, Ident, Principal, Rhythm};
use crate::generate::util::*;
use crate::generate::{Filler, ORG};

fn h(op: Op, w: u32, res: impl Into<String>, extra: &str) -> Habit {
    let mut x = Habit::new(op.code(), w, res, extra);
    x.records = records_of(op.code());
    x
}
fn vm(name: &str) -> String {
    rid("prod-rg", &format!("Microsoft.Compute/virtualMachines/{name}"))
}
fn site(name: &str) -> String {
    rid("Web-RG", &format!("Microsoft.Web/sites/{name}"))
}
fn signin(w: u32, app: (&str, &str)) -> Habit {
    h(Op::SignIn, w, app.0, app.1)
}

fn user(given: &str, family: &str, ips: &[&str], habits: Vec<Habit>) -> Principal {
    let upn = format!("{}.{}@{ORG}", given.to_lowercase(), family.to_lowercase());
    let name = format!("{given} {family}");
    Principal {
        key: upn.clone(),
        display: name.clone(),
        ident: Ident::AzureUser { upn: upn.clone(), name, oid: uuid(hash_str(&upn)) },
        rhythm: Rhythm::Office,
        weight: 1.0,
        ips: ips.iter().map(|s| s.to_string()).collect(),
        ua: BROWSER.to_owned(),
        habits,
        hourly: vec![],
        tag: hash_str(&upn),
    }
}

fn app(name: &str, weight: f64, ips: &[&str], ua: &str, habits: Vec<Habit>) -> Principal {
    let appid = uuid(hash_str(name) ^ 0xa99);
    Principal {
        key: appid.clone(),
        display: name.to_owned(),
        ident: Ident::AzureApp { appid: appid.clone(), oid: uuid(hash_str(name)) },
        rhythm: Rhythm::Steady,
        weight,
        ips: ips.iter().map(|s| s.to_string()).collect(),
        ua: ua.to_owned(),
        habits,
        hourly: vec![],
        tag: hash_str(&appid),
    }
}

/// Number of Azure principals that always exist.
pub(crate) const CORE: u32 = 5;

/// The Azure principals: the core cast plus `fillers`.
pub(crate) fn roster(fillers: &[Filler]) -> Vec<Principal> {
    let (prod, sec) = (vault_rid("nw-prod-kv"), vault_rid("nw-sec-kv"));
    let mut v = vec![
        user(
            "Oliver",
            "Grant",
            &["203.0.113.10", "198.51.100.41"],
            vec![
                h(Op::VmStart, 2, vm("app-01"), ""),
                h(Op::VmRestart, 1, vm("app-01"), ""),
                h(Op::VmStart, 2, vm("app-02"), ""),
                h(Op::VmWrite, 1, vm("app-02"), ""),
                h(Op::VmDeallocate, 1, vm("app-02"), ""),
                h(
                    Op::NsgRuleWrite,
                    1,
                    rid("prod-rg", "Microsoft.Network/networkSecurityGroups/prod-nsg/securityRules/allow-https"),
                    "",
                ),
                h(Op::DeploymentWrite, 1, rid("prod-rg", "Microsoft.Resources/deployments/app-release"), ""),
                h(Op::KvVaultGet, 1, prod.clone(), ""),
                signin(2, PORTAL),
            ],
        ),
        user(
            "Maria",
            "Lopez",
            &["203.0.113.10", "198.51.100.42"],
            vec![
                h(Op::SiteWrite, 2, site("shop-api"), ""),
                h(Op::SiteRestart, 1, site("shop-api"), ""),
                h(Op::SiteRestart, 1, site("shop-admin"), ""),
                h(Op::DeploymentWrite, 2, rid("Web-RG", "Microsoft.Resources/deployments/shop-release"), ""),
                h(Op::StorageListKeys, 1, rid("Web-RG", "Microsoft.Storage/storageAccounts/nwwebassets"), ""),
                signin(2, PORTAL),
                signin(1, OFFICE),
            ],
        ),
        user(
            "Amir",
            "Haddad",
            &["203.0.113.11", "198.51.100.43"],
            vec![
                h(Op::KvVaultGet, 2, sec.clone(), ""),
                h(Op::KvKeyList, 2, sec.clone(), "keys"),
                h(Op::KvKeyGet, 1, sec.clone(), "keys/backup-kek"),
                h(Op::KvSecretList, 1, sec.clone(), "secrets"),
                h(Op::KvVaultGet, 1, prod.clone(), ""),
                signin(2, PORTAL),
            ],
        ),
        app(
            "orders-api",
            3.0,
            &["203.0.113.80", "203.0.113.81"],
            "azsdk-net-Security.KeyVault.Secrets/4.6.0 (.NET 8.0.10; Ubuntu 22.04.5 LTS)",
            vec![
                h(Op::KvSecretGet, 4, prod.clone(), "secrets/db-password"),
                h(Op::KvSecretGet, 2, prod.clone(), "secrets/stripe-api-key"),
                h(Op::KvKeyDecrypt, 3, prod.clone(), "keys/orders-cmk"),
                h(Op::KvKeyEncrypt, 2, prod.clone(), "keys/orders-cmk"),
            ],
        ),
        app(
            "deploy-pipeline",
            0.6,
            &["203.0.113.50"],
            "AzurePowershell/v11.0.0",
            vec![
                h(Op::DeploymentWrite, 2, rid("prod-rg", "Microsoft.Resources/deployments/app-release"), ""),
                h(Op::DeploymentWrite, 2, rid("Web-RG", "Microsoft.Resources/deployments/shop-release"), ""),
                h(Op::SiteWrite, 1, site("shop-api"), ""),
                h(Op::VmWrite, 1, vm("app-01"), ""),
            ],
        ),
    ];
    for f in fillers {
        let mut p = if f.index % 2 == 0 {
            let vmr = rid("analytics-rg", &format!("Microsoft.Compute/virtualMachines/etl-vm-{:02}", f.index + 1));
            user(
                &f.given,
                &f.family,
                &["203.0.113.10", &format!("198.51.100.{}", 150 + f.index % 100)],
                vec![
                    h(Op::VmStart, 2, vmr.clone(), ""),
                    h(Op::VmDeallocate, 1, vmr, ""),
                    h(Op::KvSecretGet, 1, prod.clone(), "secrets/analytics-readonly"),
                    signin(2, OFFICE),
                    signin(1, PORTAL),
                ],
            )
        } else {
            let name =
                format!("svc-{}-{}", ["billing", "reports", "inventory", "search"][f.index as usize / 2 % 4], f.index);
            let secret = format!("secrets/{name}-conn");
            app(
                &name,
                1.5,
                &["203.0.113.82"],
                "azsdk-python-keyvault-secrets/4.8.0 Python/3.11.9 (Linux-5.15.0-1073-azure-x86_64-with-glibc2.35)",
                vec![h(Op::KvSecretGet, 3, prod.clone(), &secret)],
            )
        };
        p.weight *= 0.7 + (hash(&[f.seed, p.tag]) % 600) as f64 / 1000.0;
        v.push(p);
    }
    v
}
