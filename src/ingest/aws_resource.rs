//! The resource and secondary target of a CloudTrail event, derived from its `requestParameters`
//! and `responseElements` when `resources[]` names nothing (most records).
//!
//! Driven by [`RULES`]: `(eventSource, eventName or "*")` → ordered JSON paths for the resource
//! and for the target (the policy attached, the user given a key, the account a snapshot is shared
//! with, the session name of an assumed role…), each path with an ARN template; then [`FALLBACK`],
//! the id keys common to many services. Both CloudTrail readers (serde in [`super::aws`], the
//! scanner in [`super::fast`]) hand this module the same raw JSON text, so they agree by
//! construction. The text may also be a JSON string holding JSON or Hive text (Athena and
//! CloudTrail Lake results); see [`doc_text`].
//!
//! Events that name no resource (`GetCallerIdentity`, `ListBuckets`, `DescribeInstances` without
//! a filter, `ConsoleLogin`) keep an empty resource: the account, region and service are already
//! fields of the event, and repeating them as a resource would make every listing look like an
//! access to one shared object.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::LazyLock;

/// What a template needs besides the value.
#[derive(Default, Clone, Copy)]
pub struct Scope<'x> {
    /// `recipientAccountId`, else `userIdentity.accountId`.
    pub account: &'x str,
    /// `awsRegion`.
    pub region: &'x str,
}

/// A JSON path into `request` (`q.`) or `response` (`r.`), and how to spell the value found.
///
/// Path segments are keys; a segment ending in `[]` is an array whose elements are tried in
/// order. Templates use `{p}` (partition), `{r}` (region), `{a}` (account) and `{}` (the value);
/// an empty template keeps the value, and a value that is already an ARN is always kept.
///
/// The path is taken apart once, at compile time: most paths tried miss at their first key, which
/// is then settled by one comparison.
struct Pick {
    /// `q` (request) or `r` (response).
    doc: u8,
    /// The first key, without `[]`.
    key: &'static [u8],
    /// The first key names an array.
    each: bool,
    /// The path without its `q.` / `r.`.
    path: &'static str,
    /// The template.
    template: &'static str,
    /// [`key_bit`] of the first key.
    bit: u64,
}

/// A key's bit in an [`Index`]'s signature: a path whose first key's bit is not set misses
/// without a comparison.
const fn key_bit(key: &[u8]) -> u64 {
    let (first, last) = match key {
        [] => (0, 0),
        [f, .., l] => (*f as usize, *l as usize),
        [f] => (*f as usize, *f as usize),
    };
    1 << ((key.len() * 31 + first * 7 + last) % 64)
}

const fn p(path: &'static str, template: &'static str) -> Pick {
    let b = path.as_bytes();
    assert!(b.len() > 2 && (b[0] == b'q' || b[0] == b'r') && b[1] == b'.', "a path starts with q. or r.");
    let (_, rel) = path.split_at(2);
    let r = rel.as_bytes();
    let mut end = 0;
    while end < r.len() && r[end] != b'.' {
        end += 1;
    }
    let (seg, _) = r.split_at(end);
    let each = seg.len() >= 2 && seg[seg.len() - 2] == b'[' && seg[seg.len() - 1] == b']';
    let key = if each { seg.split_at(seg.len() - 2).0 } else { seg };
    Pick { doc: b[0], key, each, path: rel, template, bit: key_bit(key) }
}

struct Rule {
    source: &'static str,
    name: &'static str,
    resource: &'static [Pick],
    target: &'static [Pick],
}

const fn r(source: &'static str, name: &'static str, resource: &'static [Pick], target: &'static [Pick]) -> Rule {
    Rule { source, name, resource, target }
}

// ARN templates.
const USER: &str = "arn:{p}:iam::{a}:user/{}";
const ROLE: &str = "arn:{p}:iam::{a}:role/{}";
const GROUP: &str = "arn:{p}:iam::{a}:group/{}";
const PROFILE: &str = "arn:{p}:iam::{a}:instance-profile/{}";
const BUCKET: &str = "arn:{p}:s3:::{}";
const KEY: &str = "arn:{p}:kms:{r}:{a}:key/{}";
const FUNCTION: &str = "arn:{p}:lambda:{r}:{a}:function:{}";
const LOG_GROUP: &str = "arn:{p}:logs:{r}:{a}:log-group:{}";
const TRAIL: &str = "arn:{p}:cloudtrail:{r}:{a}:trail/{}";
const PARAMETER: &str = "arn:{p}:ssm:{r}:{a}:parameter/{}";
const TABLE: &str = "arn:{p}:dynamodb:{r}:{a}:table/{}";
const DB: &str = "arn:{p}:rds:{r}:{a}:db:{}";
const DB_CLUSTER: &str = "arn:{p}:rds:{r}:{a}:cluster:{}";
const DB_SNAPSHOT: &str = "arn:{p}:rds:{r}:{a}:snapshot:{}";
const DB_CLUSTER_SNAPSHOT: &str = "arn:{p}:rds:{r}:{a}:cluster-snapshot:{}";
const ECS_CLUSTER: &str = "arn:{p}:ecs:{r}:{a}:cluster/{}";
const EKS_CLUSTER: &str = "arn:{p}:eks:{r}:{a}:cluster/{}";
const DETECTOR: &str = "arn:{p}:guardduty:{r}:{a}:detector/{}";
const TOPIC: &str = "arn:{p}:sns:{r}:{a}:{}";
const ASIS: &str = "";

/// Sorted by `(source, name)`; `"*"` sorts before letters and stands for every other event of
/// the source. Checked by a unit test.
static RULES: &[Rule] = &[
    r("acm.amazonaws.com", "*", &[p("q.certificateArn", ASIS), p("r.certificateArn", ASIS)], &[]),
    r(
        "bedrock.amazonaws.com",
        "*",
        &[p("q.modelId", ASIS), p("q.guardrailIdentifier", ASIS), p("r.guardrailArn", ASIS)],
        &[],
    ),
    r(
        "cloudformation.amazonaws.com",
        "*",
        &[p("q.stackName", ASIS), p("r.stackId", ASIS), p("q.stackSetName", ASIS), p("r.stackSetId", ASIS)],
        &[],
    ),
    r(
        "cloudtrail.amazonaws.com",
        "*",
        &[
            p("q.name", TRAIL),
            p("q.trailName", TRAIL),
            p("r.trailARN", ASIS),
            p("q.eventDataStore", ASIS),
            p("q.resourceArn", ASIS),
            p("q.resourceId", ASIS),
        ],
        &[p("q.s3BucketName", BUCKET)],
    ),
    r(
        "cloudtrail.amazonaws.com",
        "CreateTrail",
        &[p("r.trailARN", ASIS), p("q.name", TRAIL)],
        &[p("q.s3BucketName", BUCKET)],
    ),
    r(
        "config.amazonaws.com",
        "*",
        &[
            p("q.configurationRecorderName", ASIS),
            p("q.configurationRecorder.name", ASIS),
            p("q.deliveryChannelName", ASIS),
            p("q.deliveryChannel.name", ASIS),
            p("q.configRuleName", ASIS),
            p("q.configRule.configRuleName", ASIS),
        ],
        &[],
    ),
    r(
        "dynamodb.amazonaws.com",
        "*",
        &[p("q.tableName", TABLE), p("q.tableArn", ASIS), p("q.resourceArn", ASIS), p("q.backupArn", ASIS)],
        &[],
    ),
    r("ec2-instance-connect.amazonaws.com", "*", &[p("q.instanceId", ASIS)], &[p("q.instanceOSUser", ASIS)]),
    r(
        "ec2.amazonaws.com",
        "*",
        &[
            p("q.instanceId", ASIS),
            p("q.instancesSet.items[].instanceId", ASIS),
            p("q.groupId", ASIS),
            p("q.snapshotId", ASIS),
            p("q.imageId", ASIS),
            p("q.volumeId", ASIS),
            p("q.vpcId", ASIS),
            p("q.subnetId", ASIS),
            p("q.networkInterfaceId", ASIS),
            p("q.networkAclId", ASIS),
            p("q.routeTableId", ASIS),
            p("q.internetGatewayId", ASIS),
            p("q.allocationId", ASIS),
            p("q.keyName", ASIS),
            p("q.launchTemplateId", ASIS),
            p("q.resourcesSet.items[].resourceId", ASIS),
            p("q.DeleteFlowLogsRequest.FlowLogId.content", ASIS),
            p("q.DeleteFlowLogsRequest.FlowLogId[].content", ASIS),
            p("q.CreateFlowLogsRequest.ResourceId.content", ASIS),
            p("q.trafficMirrorSessionId", ASIS),
            p("q.trafficMirrorTargetId", ASIS),
            p("q.trafficMirrorFilterId", ASIS),
            p("r.CreateTrafficMirrorTargetResponse.trafficMirrorTarget.trafficMirrorTargetId", ASIS),
            p("r.CreateTrafficMirrorFilterResponse.trafficMirrorFilter.trafficMirrorFilterId", ASIS),
            p("r.CreateTrafficMirrorSessionResponse.trafficMirrorSession.trafficMirrorSessionId", ASIS),
            p("r.CreateTrafficMirrorFilterRuleResponse.trafficMirrorFilterRule.trafficMirrorFilterRuleId", ASIS),
            p("q.CreateTrafficMirrorFilterRuleRequest.TrafficMirrorFilterId", ASIS),
        ],
        &[],
    ),
    r("ec2.amazonaws.com", "AttachVolume", &[p("q.volumeId", ASIS)], &[p("q.instanceId", ASIS)]),
    r(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupEgress",
        &[p("q.groupId", ASIS)],
        &[
            p("q.ipPermissions.items[].ipRanges.items[].cidrIp", ASIS),
            p("q.ipPermissions.items[].ipv6Ranges.items[].cidrIpv6", ASIS),
        ],
    ),
    r(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        &[p("q.groupId", ASIS), p("q.groupName", ASIS)],
        &[
            p("q.ipPermissions.items[].ipRanges.items[].cidrIp", ASIS),
            p("q.ipPermissions.items[].ipv6Ranges.items[].cidrIpv6", ASIS),
            p("q.ipPermissions.items[].groups.items[].groupId", ASIS),
        ],
    ),
    r(
        "ec2.amazonaws.com",
        "CopySnapshot",
        &[p("r.snapshotId", ASIS), p("q.sourceSnapshotId", ASIS)],
        &[p("q.sourceSnapshotId", ASIS)],
    ),
    r(
        "ec2.amazonaws.com",
        "CreateFlowLogs",
        &[
            p("r.CreateFlowLogsResponse.flowLogIdSet.item", ASIS),
            p("r.CreateFlowLogsResponse.flowLogIdSet.item[]", ASIS),
        ],
        &[
            p("q.CreateFlowLogsRequest.ResourceId.content", ASIS),
            p("q.CreateFlowLogsRequest.ResourceId[].content", ASIS),
        ],
    ),
    r("ec2.amazonaws.com", "CreateImage", &[p("r.imageId", ASIS)], &[p("q.instanceId", ASIS)]),
    r("ec2.amazonaws.com", "CreateKeyPair", &[p("q.keyName", ASIS), p("r.keyName", ASIS)], &[]),
    r(
        "ec2.amazonaws.com",
        "CreateSecurityGroup",
        &[p("r.groupId", ASIS), p("q.groupName", ASIS)],
        &[p("q.vpcId", ASIS)],
    ),
    r("ec2.amazonaws.com", "CreateSnapshot", &[p("r.snapshotId", ASIS)], &[p("q.volumeId", ASIS)]),
    r("ec2.amazonaws.com", "CreateSubnet", &[p("r.subnet.subnetId", ASIS)], &[p("q.vpcId", ASIS)]),
    r("ec2.amazonaws.com", "CreateVolume", &[p("r.volumeId", ASIS)], &[p("q.snapshotId", ASIS)]),
    r("ec2.amazonaws.com", "CreateVpc", &[p("r.vpc.vpcId", ASIS)], &[]),
    r(
        "ec2.amazonaws.com",
        "ModifyImageAttribute",
        &[p("q.imageId", ASIS)],
        &[p("q.launchPermission.add.items[].userId", ASIS), p("q.launchPermission.add.items[].group", ASIS)],
    ),
    r(
        "ec2.amazonaws.com",
        "ModifySnapshotAttribute",
        &[p("q.snapshotId", ASIS)],
        &[
            p("q.createVolumePermission.add.items[].userId", ASIS),
            p("q.createVolumePermission.add.items[].group", ASIS),
        ],
    ),
    r(
        "ec2.amazonaws.com",
        "RunInstances",
        // The image launched is the resource (an existing object a principal may launch from for
        // the first time); the instance created is the target.
        &[
            p("q.instancesSet.items[].imageId", ASIS),
            p("q.launchTemplate.launchTemplateId", ASIS),
            p("r.instancesSet.items[].instanceId", ASIS),
        ],
        &[p("r.instancesSet.items[].instanceId", ASIS)],
    ),
    r(
        "ecs.amazonaws.com",
        "*",
        &[
            p("q.cluster", ECS_CLUSTER),
            p("q.clusterName", ECS_CLUSTER),
            p("r.cluster.clusterArn", ASIS),
            p("q.taskDefinition", ASIS),
            p("q.family", ASIS),
        ],
        &[p("q.taskDefinition", ASIS)],
    ),
    r(
        "eks.amazonaws.com",
        "*",
        &[p("q.name", EKS_CLUSTER), p("q.clusterName", EKS_CLUSTER), p("r.cluster.arn", ASIS)],
        &[p("q.principalArn", ASIS)],
    ),
    r(
        "elasticfilesystem.amazonaws.com",
        "*",
        &[p("q.fileSystemId", ASIS), p("q.mountTargetId", ASIS), p("r.fileSystemArn", ASIS)],
        &[],
    ),
    r(
        "elasticloadbalancing.amazonaws.com",
        "*",
        &[
            p("q.loadBalancerArn", ASIS),
            p("q.loadBalancerName", ASIS),
            p("r.loadBalancers[].loadBalancerArn", ASIS),
            p("q.targetGroupArn", ASIS),
            p("q.listenerArn", ASIS),
        ],
        &[],
    ),
    r("guardduty.amazonaws.com", "*", &[p("q.detectorId", DETECTOR), p("r.detectorId", DETECTOR)], &[]),
    r(
        "iam.amazonaws.com",
        "*",
        &[
            p("q.userName", USER),
            p("q.roleName", ROLE),
            p("q.groupName", GROUP),
            p("q.policyArn", ASIS),
            p("q.instanceProfileName", PROFILE),
            p("q.sAMLProviderArn", ASIS),
            p("q.openIDConnectProviderArn", ASIS),
            p("q.serialNumber", ASIS),
            p("q.virtualMFADeviceName", ASIS),
            p("q.accessKeyId", ASIS),
            p("q.serverCertificateName", ASIS),
        ],
        &[],
    ),
    r(
        "iam.amazonaws.com",
        "AddRoleToInstanceProfile",
        &[p("q.instanceProfileName", PROFILE)],
        &[p("q.roleName", ROLE)],
    ),
    r("iam.amazonaws.com", "AddUserToGroup", &[p("q.groupName", GROUP)], &[p("q.userName", USER)]),
    r("iam.amazonaws.com", "AttachGroupPolicy", &[p("q.groupName", GROUP)], &[p("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "AttachRolePolicy", &[p("q.roleName", ROLE)], &[p("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "AttachUserPolicy", &[p("q.userName", USER)], &[p("q.policyArn", ASIS)]),
    r(
        "iam.amazonaws.com",
        "CreateAccessKey",
        &[p("r.accessKey.accessKeyId", ASIS)],
        &[p("q.userName", USER), p("r.accessKey.userName", USER)],
    ),
    r(
        "iam.amazonaws.com",
        "CreateOpenIDConnectProvider",
        &[p("r.openIDConnectProviderArn", ASIS), p("q.url", ASIS)],
        &[],
    ),
    r("iam.amazonaws.com", "CreatePolicy", &[p("r.policy.arn", ASIS), p("q.policyName", ASIS)], &[]),
    r("iam.amazonaws.com", "CreatePolicyVersion", &[p("q.policyArn", ASIS)], &[p("r.policyVersion.versionId", ASIS)]),
    r("iam.amazonaws.com", "CreateRole", &[p("r.role.arn", ASIS), p("q.roleName", ROLE)], &[]),
    r("iam.amazonaws.com", "CreateSAMLProvider", &[p("r.sAMLProviderArn", ASIS), p("q.name", ASIS)], &[]),
    r("iam.amazonaws.com", "CreateServiceLinkedRole", &[p("r.role.arn", ASIS), p("q.aWSServiceName", ASIS)], &[]),
    r("iam.amazonaws.com", "CreateUser", &[p("r.user.arn", ASIS), p("q.userName", USER)], &[]),
    r(
        "iam.amazonaws.com",
        "CreateVirtualMFADevice",
        &[p("r.virtualMFADevice.serialNumber", ASIS), p("q.virtualMFADeviceName", ASIS)],
        &[],
    ),
    r("iam.amazonaws.com", "DeactivateMFADevice", &[p("q.serialNumber", ASIS)], &[p("q.userName", USER)]),
    r("iam.amazonaws.com", "DeleteAccessKey", &[p("q.accessKeyId", ASIS)], &[p("q.userName", USER)]),
    r("iam.amazonaws.com", "DeleteGroupPolicy", &[p("q.groupName", GROUP)], &[p("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "DeleteRolePolicy", &[p("q.roleName", ROLE)], &[p("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "DeleteUserPolicy", &[p("q.userName", USER)], &[p("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "DetachGroupPolicy", &[p("q.groupName", GROUP)], &[p("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "DetachRolePolicy", &[p("q.roleName", ROLE)], &[p("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "DetachUserPolicy", &[p("q.userName", USER)], &[p("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "EnableMFADevice", &[p("q.serialNumber", ASIS)], &[p("q.userName", USER)]),
    r("iam.amazonaws.com", "PutGroupPolicy", &[p("q.groupName", GROUP)], &[p("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "PutRolePolicy", &[p("q.roleName", ROLE)], &[p("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "PutUserPolicy", &[p("q.userName", USER)], &[p("q.policyName", ASIS)]),
    r(
        "iam.amazonaws.com",
        "RemoveRoleFromInstanceProfile",
        &[p("q.instanceProfileName", PROFILE)],
        &[p("q.roleName", ROLE)],
    ),
    r("iam.amazonaws.com", "RemoveUserFromGroup", &[p("q.groupName", GROUP)], &[p("q.userName", USER)]),
    r("iam.amazonaws.com", "UpdateAccessKey", &[p("q.accessKeyId", ASIS)], &[p("q.userName", USER)]),
    r(
        "identitystore.amazonaws.com",
        "*",
        &[
            p("q.userId", ASIS),
            p("q.groupId", ASIS),
            p("r.userId", ASIS),
            p("r.groupId", ASIS),
            p("q.identityStoreId", ASIS),
        ],
        &[p("q.memberId.userId", ASIS)],
    ),
    r(
        "kms.amazonaws.com",
        "*",
        &[
            p("q.keyId", KEY),
            p("r.keyMetadata.arn", ASIS),
            p("q.aliasName", ASIS),
            p("q.sourceKeyId", KEY),
            p("q.destinationKeyId", KEY),
        ],
        &[],
    ),
    r("kms.amazonaws.com", "CreateAlias", &[p("q.targetKeyId", KEY)], &[p("q.aliasName", ASIS)]),
    r(
        "kms.amazonaws.com",
        "CreateGrant",
        &[p("q.keyId", KEY)],
        &[p("q.granteePrincipal", ASIS), p("q.retiringPrincipal", ASIS)],
    ),
    r("kms.amazonaws.com", "CreateKey", &[p("r.keyMetadata.arn", ASIS), p("r.keyMetadata.keyId", KEY)], &[]),
    r(
        "kms.amazonaws.com",
        "ReEncrypt",
        &[p("q.sourceKeyId", KEY), p("q.destinationKeyId", KEY)],
        &[p("q.destinationKeyId", KEY)],
    ),
    r(
        "lambda.amazonaws.com",
        "*",
        &[p("q.functionName", FUNCTION), p("r.functionArn", ASIS), p("q.layerName", ASIS), p("q.uUID", ASIS)],
        &[],
    ),
    r("lambda.amazonaws.com", "AddPermission", &[p("q.functionName", FUNCTION)], &[p("q.principal", ASIS)]),
    r(
        "lambda.amazonaws.com",
        "CreateEventSourceMapping",
        &[p("q.functionName", FUNCTION)],
        &[p("q.eventSourceArn", ASIS)],
    ),
    r(
        "lambda.amazonaws.com",
        "CreateFunction",
        &[p("r.functionArn", ASIS), p("q.functionName", FUNCTION)],
        &[p("q.role", ASIS)],
    ),
    r(
        "logs.amazonaws.com",
        "*",
        &[
            p("q.logGroupName", LOG_GROUP),
            p("q.logGroupIdentifier", LOG_GROUP),
            p("q.destinationName", ASIS),
            p("q.resourceArn", ASIS),
        ],
        &[p("q.logStreamName", ASIS)],
    ),
    r(
        "monitoring.amazonaws.com",
        "*",
        &[p("q.alarmNames[]", ASIS), p("q.alarmName", ASIS), p("q.dashboardName", ASIS)],
        &[],
    ),
    r(
        "organizations.amazonaws.com",
        "*",
        &[
            p("q.accountId", ASIS),
            p("q.policyId", ASIS),
            p("q.organizationalUnitId", ASIS),
            p("q.parentId", ASIS),
            p("q.handshakeId", ASIS),
            p("q.rootId", ASIS),
        ],
        &[p("q.targetId", ASIS), p("q.destinationParentId", ASIS)],
    ),
    r("organizations.amazonaws.com", "AttachPolicy", &[p("q.policyId", ASIS)], &[p("q.targetId", ASIS)]),
    r(
        "organizations.amazonaws.com",
        "CreateAccount",
        &[p("r.createAccountStatus.accountId", ASIS), p("r.createAccountStatus.id", ASIS), p("q.accountName", ASIS)],
        &[],
    ),
    r("organizations.amazonaws.com", "DetachPolicy", &[p("q.policyId", ASIS)], &[p("q.targetId", ASIS)]),
    r(
        "organizations.amazonaws.com",
        "InviteAccountToOrganization",
        &[p("q.target.id", ASIS), p("r.handshake.id", ASIS)],
        &[],
    ),
    r("organizations.amazonaws.com", "MoveAccount", &[p("q.accountId", ASIS)], &[p("q.destinationParentId", ASIS)]),
    r(
        "rds.amazonaws.com",
        "*",
        &[
            p("q.dBSnapshotIdentifier", DB_SNAPSHOT),
            p("q.dBClusterSnapshotIdentifier", DB_CLUSTER_SNAPSHOT),
            p("q.dBInstanceIdentifier", DB),
            p("q.dBClusterIdentifier", DB_CLUSTER),
            p("q.globalClusterIdentifier", ASIS),
            p("q.resourceName", ASIS),
            p("q.dBSubnetGroupName", ASIS),
        ],
        &[],
    ),
    r(
        "rds.amazonaws.com",
        "ModifyDBClusterSnapshotAttribute",
        &[p("q.dBClusterSnapshotIdentifier", DB_CLUSTER_SNAPSHOT)],
        &[p("q.valuesToAdd[]", ASIS)],
    ),
    r(
        "rds.amazonaws.com",
        "ModifyDBSnapshotAttribute",
        &[p("q.dBSnapshotIdentifier", DB_SNAPSHOT)],
        &[p("q.valuesToAdd[]", ASIS)],
    ),
    r(
        "rolesanywhere.amazonaws.com",
        "*",
        &[
            p("r.trustAnchor.trustAnchorArn", ASIS),
            p("q.trustAnchorId", ASIS),
            p("r.profile.profileArn", ASIS),
            p("q.profileId", ASIS),
        ],
        &[],
    ),
    r("route53.amazonaws.com", "*", &[p("q.hostedZoneId", ASIS), p("q.id", ASIS), p("r.hostedZone.id", ASIS)], &[]),
    r(
        "route53resolver.amazonaws.com",
        "*",
        &[
            p("q.resolverQueryLogConfigId", ASIS),
            p("r.resolverQueryLogConfig.arn", ASIS),
            p("r.resolverQueryLogConfig.id", ASIS),
            p("q.resolverRuleId", ASIS),
            p("q.resolverEndpointId", ASIS),
            p("q.firewallRuleGroupId", ASIS),
        ],
        &[p("q.resourceId", ASIS), p("q.vPCId", ASIS)],
    ),
    r("s3.amazonaws.com", "*", &[p("q.bucketName", BUCKET)], &[p("q.key", ASIS)]),
    r("secretsmanager.amazonaws.com", "*", &[p("q.secretId", ASIS), p("r.arn", ASIS), p("q.name", ASIS)], &[]),
    r("secretsmanager.amazonaws.com", "BatchGetSecretValue", &[p("q.secretIdList[]", ASIS)], &[]),
    r(
        "sns.amazonaws.com",
        "*",
        &[
            p("q.topicArn", ASIS),
            p("r.topicArn", ASIS),
            p("q.name", TOPIC),
            p("q.subscriptionArn", ASIS),
            p("q.resourceArn", ASIS),
        ],
        &[p("q.endpoint", ASIS)],
    ),
    r("sqs.amazonaws.com", "*", &[p("q.queueUrl", ASIS), p("r.queueUrl", ASIS), p("q.queueName", ASIS)], &[]),
    r(
        "ssm.amazonaws.com",
        "*",
        &[
            p("q.name", PARAMETER),
            p("q.names[]", PARAMETER),
            p("q.path", PARAMETER),
            p("q.instanceId", ASIS),
            p("q.instanceIds[]", ASIS),
            p("q.target", ASIS),
            p("q.sessionId", ASIS),
            p("q.documentName", ASIS),
            p("q.commandId", ASIS),
            p("q.associationId", ASIS),
        ],
        &[],
    ),
    r(
        "ssm.amazonaws.com",
        "SendCommand",
        &[p("q.instanceIds[]", ASIS), p("q.targets[].values[]", ASIS)],
        &[p("q.documentName", ASIS)],
    ),
    r("ssm.amazonaws.com", "StartSession", &[p("q.target", ASIS)], &[p("q.documentName", ASIS)]),
    r("ssm.amazonaws.com", "UpdateInstanceInformation", &[p("q.instanceId", ASIS)], &[]),
    r(
        "sso.amazonaws.com",
        "*",
        &[
            p("q.permissionSetArn", ASIS),
            p("r.permissionSet.permissionSetArn", ASIS),
            p("q.instanceArn", ASIS),
            p("q.applicationArn", ASIS),
        ],
        &[p("q.principalId", ASIS), p("q.targetId", ASIS)],
    ),
    r("sts.amazonaws.com", "*", &[p("q.roleArn", ASIS)], &[p("q.roleSessionName", ASIS)]),
    r("sts.amazonaws.com", "AssumeRoleWithSAML", &[p("q.roleArn", ASIS)], &[p("q.principalArn", ASIS)]),
    r("sts.amazonaws.com", "AssumeRoleWithWebIdentity", &[p("q.roleArn", ASIS)], &[p("q.roleSessionName", ASIS)]),
    r("sts.amazonaws.com", "GetFederationToken", &[p("r.federatedUser.arn", ASIS), p("q.name", ASIS)], &[]),
];

/// Id keys common to many services, tried in order when no rule of the source names one.
static FALLBACK: &[Pick] = &[
    p("q.bucketName", BUCKET),
    p("q.resourceArn", ASIS),
    p("q.arn", ASIS),
    p("q.instanceId", ASIS),
    p("q.instancesSet.items[].instanceId", ASIS),
    p("q.functionName", FUNCTION),
    p("q.logGroupName", LOG_GROUP),
    p("q.secretId", ASIS),
    p("q.keyId", KEY),
    p("q.userName", USER),
    p("q.roleName", ROLE),
    p("q.roleArn", ASIS),
    p("q.policyArn", ASIS),
    p("q.tableName", TABLE),
    p("q.topicArn", ASIS),
    p("q.queueUrl", ASIS),
    p("q.clusterName", ASIS),
    p("q.cluster", ASIS),
    p("q.repositoryName", ASIS),
    p("q.stackName", ASIS),
    p("q.stateMachineArn", ASIS),
    p("q.resourceId", ASIS),
    p("q.id", ASIS),
    p("r.arn", ASIS),
];

/// The resource (when `want_resource`) and target of an event, from its request and response
/// text as it appears in the record (raw JSON, possibly a string holding JSON or Hive text).
pub fn derive<'a>(
    source: &str,
    name: &str,
    request: Option<&'a str>,
    response: Option<&'a str>,
    scope: Scope<'_>,
    want_resource: bool,
) -> (Option<Cow<'a, str>>, Option<Cow<'a, str>>) {
    let (q, rsp) = (request.and_then(doc_text), response.and_then(doc_text));
    if q.is_none() && rsp.is_none() {
        return (None, None);
    }
    let docs = Docs::new(q.as_ref(), rsp.as_ref());
    let name = base_name(name);
    let rules = find_rules(source, name);
    let mut resource = None;
    if want_resource {
        resource = rules
            .iter()
            .flatten()
            .flat_map(|r| r.resource.iter())
            .chain(FALLBACK.iter())
            .find_map(|pick| docs.pick(pick, scope));
    }
    let target = rules.iter().flatten().flat_map(|r| r.target.iter()).find_map(|pick| docs.pick(pick, scope));
    (resource, target)
}

/// Request or response text as a document to look paths up in.
pub enum Doc<'a> {
    Borrowed(&'a str),
    Owned(String),
}

impl Doc<'_> {
    /// The JSON text.
    pub fn text(&self) -> &str {
        match self {
            Doc::Borrowed(s) => s,
            Doc::Owned(s) => s,
        }
    }
}

/// The JSON object text of a request or response: the raw value if it is an object; the content
/// of a JSON string holding an object (Athena's JSON results) or Hive text (CloudTrail Lake's
/// `{bucketName=…, Host=…}`); else nothing.
pub fn doc_text(raw: &str) -> Option<Doc<'_>> {
    let t = raw.trim_ascii_start();
    match t.as_bytes().first()? {
        b'{' => Some(Doc::Borrowed(t)),
        b'"' => {
            let s: String = serde_json::from_str(t).ok()?;
            let inner = s.trim();
            if inner.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(inner).is_ok() {
                Some(Doc::Owned(inner.to_string()))
            } else {
                super::hive::to_json(inner).filter(|j| j.starts_with('{')).map(Doc::Owned)
            }
        }
        _ => None,
    }
}

/// The request and response of one event, each indexed the first time a path asks for it (most
/// events are settled by the request alone).
struct Docs<'d, 'a> {
    q: Option<(&'d Doc<'a>, OnceCell<Index<'d>>)>,
    r: Option<(&'d Doc<'a>, OnceCell<Index<'d>>)>,
}

impl<'d, 'a> Docs<'d, 'a> {
    fn new(q: Option<&'d Doc<'a>>, r: Option<&'d Doc<'a>>) -> Self {
        Docs { q: q.map(|d| (d, OnceCell::new())), r: r.map(|d| (d, OnceCell::new())) }
    }

    #[inline(always)]
    fn pick(&self, pick: &Pick, scope: Scope<'_>) -> Option<Cow<'a, str>> {
        let (doc, index) = if pick.doc == b'q' { self.q.as_ref()? } else { self.r.as_ref()? };
        let index = index.get_or_init(|| Index::of(doc.text()));
        let value: Cow<'a, str> = match doc {
            Doc::Borrowed(t) => index.lookup(t, pick)?,
            Doc::Owned(t) => Cow::Owned(index.lookup(t, pick)?.into_owned()),
        };
        Some(render(pick.template, value, scope))
    }
}

/// Top-level keys a document's index holds; a larger object is looked up by scanning.
const INDEXED: usize = 24;

/// The top-level keys of a document and where their values start, read once per event so that
/// the many paths tried find (or miss) their first key without rescanning. Gives exactly what
/// [`lookup`] gives.
struct Index<'t> {
    keys: [(&'t [u8], usize); INDEXED],
    len: usize,
    /// The [`key_bit`]s of the keys held.
    signature: u64,
    /// The whole object was read and held: a key not held is not there.
    complete: bool,
}

impl<'t> Index<'t> {
    fn of(text: &'t str) -> Self {
        let mut ix = Index { keys: [(&[][..], 0); INDEXED], len: 0, signature: 0, complete: false };
        let mut c = Scan { s: text, b: text.as_bytes(), i: 0 };
        c.ws();
        if c.peek() != Some(b'{') {
            ix.complete = true; // not an object: no path finds anything, as in `lookup`
            return ix;
        }
        c.i += 1;
        loop {
            c.ws();
            match c.peek() {
                Some(b'}') => {
                    ix.complete = true;
                    return ix;
                }
                Some(b',') => {
                    c.i += 1;
                    continue;
                }
                Some(b'"') => {}
                _ => return ix,
            }
            let Some((ks, ke)) = c.string_span() else { return ix };
            c.ws();
            if c.peek() != Some(b':') {
                return ix;
            }
            c.i += 1;
            c.ws();
            if ix.len == INDEXED {
                return ix;
            }
            ix.keys[ix.len] = (&c.b[ks..ke], c.i);
            ix.signature |= key_bit(&c.b[ks..ke]);
            ix.len += 1;
            if c.skip().is_none() {
                return ix;
            }
        }
    }

    #[inline(always)]
    fn lookup<'x>(&self, text: &'x str, pick: &Pick) -> Option<Cow<'x, str>> {
        if !self.complete {
            return lookup(text, pick.path);
        }
        if self.signature & pick.bit == 0 {
            return None;
        }
        let &(_, at) = self.keys[..self.len].iter().find(|(k, _)| *k == pick.key)?;
        let mut segs = pick.path.split('.');
        segs.next();
        let mut c = Scan { s: text, b: text.as_bytes(), i: at };
        c.member(pick.each, segs, 0)
    }
}

/// Spells a value with its template (see [`Pick`]).
fn render<'a>(template: &str, value: Cow<'a, str>, scope: Scope<'_>) -> Cow<'a, str> {
    if template.is_empty() || value.starts_with("arn:") {
        return value;
    }
    let Some((head, tail)) = template.split_once("{}") else {
        return value;
    };
    // `parameter/{}` with `/path/name`: one slash.
    let v = if head.ends_with('/') { value.strip_prefix('/').unwrap_or(&value) } else { &value };
    let needs = |k: &str| head.contains(k);
    if (needs("{a}") && scope.account.is_empty()) || (needs("{r}") && scope.region.is_empty()) {
        // Without the account or region the ARN would be wrong: the resource part alone.
        let part = head.split_once("{a}:").map_or(head, |(_, p)| p);
        return Cow::Owned(format!("{part}{v}{tail}"));
    }
    let partition = if scope.region.starts_with("cn-") {
        "aws-cn"
    } else if scope.region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    // One allocation: this runs for most events of a load.
    let mut out =
        String::with_capacity(head.len() + partition.len() + scope.region.len() + scope.account.len() + v.len());
    let mut rest = head;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let fill = match rest.get(open..open + 3) {
            Some("{p}") => partition,
            Some("{r}") => scope.region,
            Some("{a}") => scope.account,
            _ => {
                out.push('{');
                rest = &rest[open + 1..];
                continue;
            }
        };
        out.push_str(fill);
        rest = &rest[open + 3..];
    }
    out.push_str(rest);
    out.push_str(v);
    out.push_str(tail);
    Cow::Owned(out)
}

/// An event name without the API version Lambda appends (`CreateFunction20150331`,
/// `AddPermission20150331v2`).
fn base_name(name: &str) -> &str {
    let b = name.as_bytes();
    if !b.last().is_some_and(u8::is_ascii_digit) {
        return name;
    }
    let mut end = b.len();
    if let Some(v) = name.rfind('v')
        && v + 1 < b.len()
        && b[v + 1..].iter().all(u8::is_ascii_digit)
    {
        end = v;
    }
    if end > 8 && b[end - 8..end].iter().all(u8::is_ascii_digit) && b[end - 8..end].starts_with(b"20") {
        return &name[..end - 8];
    }
    name
}

/// Every rule by (source, name): one hash per lookup where a search of the sorted table compared
/// names a dozen times.
static RULE_INDEX: LazyLock<foldhash::HashMap<(&'static str, &'static str), &'static Rule>> =
    LazyLock::new(|| RULES.iter().map(|r| ((r.source, r.name), r)).collect());

/// The rule for exactly this event, and the source's `"*"` rule.
fn find_rules(source: &str, name: &str) -> [Option<&'static Rule>; 2] {
    let index: &foldhash::HashMap<(&str, &str), &'static Rule> = &RULE_INDEX;
    [index.get(&(source, name)).copied(), index.get(&(source, "*")).copied()]
}

/// The scalar at `path` (dot-separated keys; `key[]` walks an array) in JSON object text, as text:
/// a non-empty string (unescaped) or a number. The first occurrence of a repeated key is used.
/// Malformed text yields `None`, never a panic.
pub fn lookup<'t>(text: &'t str, path: &str) -> Option<Cow<'t, str>> {
    let mut c = Scan { s: text, b: text.as_bytes(), i: 0 };
    c.ws();
    c.at(path.split('.'), 0)
}

struct Scan<'t> {
    s: &'t str,
    b: &'t [u8],
    i: usize,
}

/// Nesting beyond which a lookup gives up.
const MAX_DEPTH: u32 = 64;

impl<'t> Scan<'t> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// The value at the cursor, followed along `segs`.
    fn at(&mut self, mut segs: std::str::Split<'_, char>, depth: u32) -> Option<Cow<'t, str>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let Some(seg) = segs.next() else {
            return self.scalar();
        };
        let (key, each) = match seg.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (seg, false),
        };
        if self.peek()? != b'{' {
            return None;
        }
        self.i += 1;
        loop {
            self.ws();
            match self.peek()? {
                b'}' => return None,
                b',' => {
                    self.i += 1;
                    continue;
                }
                b'"' => {}
                _ => return None,
            }
            let (ks, ke) = self.string_span()?;
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            self.ws();
            if &self.b[ks..ke] == key.as_bytes() {
                return self.member(each, segs, depth);
            }
            self.skip()?;
        }
    }

    /// The value of a matched key at the cursor: followed along `segs`, or (`each`) an array whose
    /// elements are tried in order.
    fn member(&mut self, each: bool, segs: std::str::Split<'_, char>, depth: u32) -> Option<Cow<'t, str>> {
        if !each {
            return self.at(segs, depth + 1);
        }
        if self.peek()? != b'[' {
            return None;
        }
        self.i += 1;
        loop {
            self.ws();
            match self.peek()? {
                b']' => return None,
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let start = self.i;
            if let Some(v) = self.at(segs.clone(), depth + 1) {
                return Some(v);
            }
            self.i = start;
            self.skip()?;
        }
    }

    /// A non-empty string or a number at the cursor.
    fn scalar(&mut self) -> Option<Cow<'t, str>> {
        match self.peek()? {
            b'"' => {
                let (s, e) = self.string_span()?;
                let raw = &self.s[s..e];
                if raw.is_empty() {
                    None
                } else if raw.contains('\\') {
                    serde_json::from_str::<String>(&self.s[s - 1..=e]).ok().map(Cow::Owned)
                } else {
                    Some(Cow::Borrowed(raw))
                }
            }
            b'-' | b'0'..=b'9' => {
                let s = self.i;
                while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
                    self.i += 1;
                }
                Some(Cow::Borrowed(&self.s[s..self.i]))
            }
            _ => None,
        }
    }

    /// The content span of the string at the cursor (escapes left in); the cursor moves past it.
    fn string_span(&mut self) -> Option<(usize, usize)> {
        self.i += 1;
        let start = self.i;
        loop {
            // Keys and ids are short: the SIMD scan beats a general search's set-up.
            self.i = super::fast::find_special(self.b, self.i);
            match *self.b.get(self.i)? {
                b'\\' => {
                    self.i += 2;
                    if self.i > self.b.len() {
                        return None;
                    }
                }
                b'"' => {
                    let end = self.i;
                    self.i += 1;
                    return Some((start, end));
                }
                _ => self.i += 1, // a raw control byte: not for this scan to judge
            }
        }
    }

    /// Skips the value at the cursor: a string, a container (brackets counted outside strings)
    /// or a scalar. The text was validated as JSON by whichever reader handed it here; malformed
    /// text just ends the lookup.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string_span().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string_span()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let start = self.i;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.i += 1;
                }
                // Nothing to skip (a stray bracket): malformed, and the lookup ends.
                (self.i > start).then_some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_sorted_and_unique() {
        for w in RULES.windows(2) {
            assert!((w[0].source, w[0].name) < (w[1].source, w[1].name), "{} {} out of order", w[1].source, w[1].name);
        }
        // The table is looked up by hash: a repeated (source, name) would hide a rule.
        assert_eq!(RULE_INDEX.len(), RULES.len());
        for pick in RULES.iter().flat_map(|r| r.resource.iter().chain(r.target)).chain(FALLBACK) {
            let first = pick.path.split('.').next().unwrap();
            assert_eq!(first.strip_suffix("[]").unwrap_or(first).as_bytes(), pick.key, "{}", pick.path);
            assert_eq!(first.ends_with("[]"), pick.each, "{}", pick.path);
        }
    }

    #[test]
    fn lookups() {
        let t = r#"{"a":{"b":[{"c":""},{"c":"x\/y"}],"n":12},"s":"v","e":[],"z":null}"#;
        assert_eq!(lookup(t, "s").as_deref(), Some("v"));
        assert_eq!(lookup(t, "a.n").as_deref(), Some("12"));
        assert_eq!(lookup(t, "a.b[].c").as_deref(), Some("x/y"));
        assert_eq!(lookup(t, "e[]"), None);
        assert_eq!(lookup(t, "z"), None);
        assert_eq!(lookup(t, "a"), None);
        assert_eq!(lookup(t, "missing"), None);
        assert_eq!(lookup(r#"{"names":["/p/q","r"]}"#, "names[]").as_deref(), Some("/p/q"));
        for bad in ["", "{", "{\"a\"", "{\"a\":", "{\"s\":\"unterminated", "[1]", "{\"a\":{\"b\":[}", "{\"x\":\"\\"] {
            assert_eq!(lookup(bad, "a.b[].c"), None, "{bad}");
            let _ = lookup(bad, "x");
        }
    }

    #[test]
    fn the_index_gives_what_a_scan_gives() {
        let texts = [
            r#"{"a":{"b":[{"c":""},{"c":"x"}]},"s":"v","s":"w","n":1}"#,
            r#"{"a":1,"b":"#,
            r#"{"a":"x","b":[}"#,
            r#"[1]"#,
            r#"{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k18":18,"k19":19,"k20":20,"k21":21,"k22":22,"k23":23,"k24":24,"k25":25}"#,
        ];
        for t in texts {
            let ix = Index::of(t);
            for pick in [p("q.a", ASIS), p("q.a.b[].c", ASIS), p("q.s", ASIS), p("q.n", ASIS), p("q.b", ASIS)]
                .into_iter()
                .chain([p("q.b[]", ASIS), p("q.k25", ASIS), p("q.k0", ASIS), p("q.zz", ASIS), p("q.k", ASIS)])
            {
                assert_eq!(ix.lookup(t, &pick), lookup(t, pick.path), "{t} {}", pick.path);
            }
        }
    }

    #[test]
    fn templates() {
        let s = Scope { account: "123456789012", region: "eu-west-1" };
        let r = |t, v: &str, s| render(t, Cow::Borrowed(v), s).into_owned();
        assert_eq!(r(USER, "alice", s), "arn:aws:iam::123456789012:user/alice");
        assert_eq!(r(PARAMETER, "/prod/db", s), "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db");
        assert_eq!(r(BUCKET, "b", Scope::default()), "arn:aws:s3:::b");
        assert_eq!(r(USER, "alice", Scope::default()), "user/alice");
        assert_eq!(r(LOG_GROUP, "/aws/x", Scope { account: "1", region: "" }), "log-group:/aws/x");
        assert_eq!(r(KEY, "arn:aws:kms:x:1:key/k", s), "arn:aws:kms:x:1:key/k");
        assert_eq!(r(ROLE, "r", Scope { account: "1", region: "cn-north-1" }), "arn:aws-cn:iam::1:role/r");
    }

    #[test]
    fn lambda_version_suffixes() {
        assert_eq!(base_name("CreateFunction20150331"), "CreateFunction");
        assert_eq!(base_name("AddPermission20150331v2"), "AddPermission");
        assert_eq!(base_name("GetFunction20150331v2"), "GetFunction");
        assert_eq!(base_name("Invoke"), "Invoke");
        assert_eq!(base_name("v2"), "v2");
        assert_eq!(base_name("20150331"), "20150331");
    }

    #[test]
    fn string_documents() {
        let q = r#""{\"secretId\":\"s1\"}""#;
        let (res, _) = derive("secretsmanager.amazonaws.com", "GetSecretValue", Some(q), None, Scope::default(), true);
        assert_eq!(res.as_deref(), Some("s1"));
        let q = r#""{bucketName=my-bucket, Host=my-bucket.s3.amazonaws.com}""#;
        let (res, _) = derive("s3.amazonaws.com", "GetBucketAcl", Some(q), None, Scope::default(), true);
        assert_eq!(res.as_deref(), Some("arn:aws:s3:::my-bucket"));
        assert_eq!(derive("s3.amazonaws.com", "X", Some("null"), Some("\"\""), Scope::default(), true), (None, None));
    }
}
