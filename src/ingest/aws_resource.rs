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
type Pick = (&'static str, &'static str);

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
    r("acm.amazonaws.com", "*", &[("q.certificateArn", ASIS), ("r.certificateArn", ASIS)], &[]),
    r(
        "bedrock.amazonaws.com",
        "*",
        &[("q.modelId", ASIS), ("q.guardrailIdentifier", ASIS), ("r.guardrailArn", ASIS)],
        &[],
    ),
    r(
        "cloudformation.amazonaws.com",
        "*",
        &[("q.stackName", ASIS), ("r.stackId", ASIS), ("q.stackSetName", ASIS), ("r.stackSetId", ASIS)],
        &[],
    ),
    r(
        "cloudtrail.amazonaws.com",
        "*",
        &[
            ("q.name", TRAIL),
            ("q.trailName", TRAIL),
            ("r.trailARN", ASIS),
            ("q.eventDataStore", ASIS),
            ("q.resourceArn", ASIS),
            ("q.resourceId", ASIS),
        ],
        &[("q.s3BucketName", BUCKET)],
    ),
    r(
        "cloudtrail.amazonaws.com",
        "CreateTrail",
        &[("r.trailARN", ASIS), ("q.name", TRAIL)],
        &[("q.s3BucketName", BUCKET)],
    ),
    r(
        "config.amazonaws.com",
        "*",
        &[
            ("q.configurationRecorderName", ASIS),
            ("q.configurationRecorder.name", ASIS),
            ("q.deliveryChannelName", ASIS),
            ("q.deliveryChannel.name", ASIS),
            ("q.configRuleName", ASIS),
            ("q.configRule.configRuleName", ASIS),
        ],
        &[],
    ),
    r(
        "dynamodb.amazonaws.com",
        "*",
        &[("q.tableName", TABLE), ("q.tableArn", ASIS), ("q.resourceArn", ASIS), ("q.backupArn", ASIS)],
        &[],
    ),
    r("ec2-instance-connect.amazonaws.com", "*", &[("q.instanceId", ASIS)], &[("q.instanceOSUser", ASIS)]),
    r(
        "ec2.amazonaws.com",
        "*",
        &[
            ("q.instanceId", ASIS),
            ("q.instancesSet.items[].instanceId", ASIS),
            ("q.groupId", ASIS),
            ("q.snapshotId", ASIS),
            ("q.imageId", ASIS),
            ("q.volumeId", ASIS),
            ("q.vpcId", ASIS),
            ("q.subnetId", ASIS),
            ("q.networkInterfaceId", ASIS),
            ("q.networkAclId", ASIS),
            ("q.routeTableId", ASIS),
            ("q.internetGatewayId", ASIS),
            ("q.allocationId", ASIS),
            ("q.keyName", ASIS),
            ("q.launchTemplateId", ASIS),
            ("q.resourcesSet.items[].resourceId", ASIS),
            ("q.DeleteFlowLogsRequest.FlowLogId.content", ASIS),
            ("q.DeleteFlowLogsRequest.FlowLogId[].content", ASIS),
            ("q.CreateFlowLogsRequest.ResourceId.content", ASIS),
            ("q.trafficMirrorSessionId", ASIS),
            ("q.trafficMirrorTargetId", ASIS),
            ("q.trafficMirrorFilterId", ASIS),
            ("r.CreateTrafficMirrorTargetResponse.trafficMirrorTarget.trafficMirrorTargetId", ASIS),
            ("r.CreateTrafficMirrorFilterResponse.trafficMirrorFilter.trafficMirrorFilterId", ASIS),
            ("r.CreateTrafficMirrorSessionResponse.trafficMirrorSession.trafficMirrorSessionId", ASIS),
            ("r.CreateTrafficMirrorFilterRuleResponse.trafficMirrorFilterRule.trafficMirrorFilterRuleId", ASIS),
            ("q.CreateTrafficMirrorFilterRuleRequest.TrafficMirrorFilterId", ASIS),
        ],
        &[],
    ),
    r("ec2.amazonaws.com", "AttachVolume", &[("q.volumeId", ASIS)], &[("q.instanceId", ASIS)]),
    r(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupEgress",
        &[("q.groupId", ASIS)],
        &[
            ("q.ipPermissions.items[].ipRanges.items[].cidrIp", ASIS),
            ("q.ipPermissions.items[].ipv6Ranges.items[].cidrIpv6", ASIS),
        ],
    ),
    r(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        &[("q.groupId", ASIS), ("q.groupName", ASIS)],
        &[
            ("q.ipPermissions.items[].ipRanges.items[].cidrIp", ASIS),
            ("q.ipPermissions.items[].ipv6Ranges.items[].cidrIpv6", ASIS),
            ("q.ipPermissions.items[].groups.items[].groupId", ASIS),
        ],
    ),
    r(
        "ec2.amazonaws.com",
        "CopySnapshot",
        &[("r.snapshotId", ASIS), ("q.sourceSnapshotId", ASIS)],
        &[("q.sourceSnapshotId", ASIS)],
    ),
    r(
        "ec2.amazonaws.com",
        "CreateFlowLogs",
        &[("r.CreateFlowLogsResponse.flowLogIdSet.item", ASIS), ("r.CreateFlowLogsResponse.flowLogIdSet.item[]", ASIS)],
        &[("q.CreateFlowLogsRequest.ResourceId.content", ASIS), ("q.CreateFlowLogsRequest.ResourceId[].content", ASIS)],
    ),
    r("ec2.amazonaws.com", "CreateImage", &[("r.imageId", ASIS)], &[("q.instanceId", ASIS)]),
    r("ec2.amazonaws.com", "CreateKeyPair", &[("q.keyName", ASIS), ("r.keyName", ASIS)], &[]),
    r("ec2.amazonaws.com", "CreateSecurityGroup", &[("r.groupId", ASIS), ("q.groupName", ASIS)], &[("q.vpcId", ASIS)]),
    r("ec2.amazonaws.com", "CreateSnapshot", &[("r.snapshotId", ASIS)], &[("q.volumeId", ASIS)]),
    r("ec2.amazonaws.com", "CreateSubnet", &[("r.subnet.subnetId", ASIS)], &[("q.vpcId", ASIS)]),
    r("ec2.amazonaws.com", "CreateVolume", &[("r.volumeId", ASIS)], &[("q.snapshotId", ASIS)]),
    r("ec2.amazonaws.com", "CreateVpc", &[("r.vpc.vpcId", ASIS)], &[]),
    r(
        "ec2.amazonaws.com",
        "ModifyImageAttribute",
        &[("q.imageId", ASIS)],
        &[("q.launchPermission.add.items[].userId", ASIS), ("q.launchPermission.add.items[].group", ASIS)],
    ),
    r(
        "ec2.amazonaws.com",
        "ModifySnapshotAttribute",
        &[("q.snapshotId", ASIS)],
        &[("q.createVolumePermission.add.items[].userId", ASIS), ("q.createVolumePermission.add.items[].group", ASIS)],
    ),
    r(
        "ec2.amazonaws.com",
        "RunInstances",
        // The image launched is the resource (an existing object a principal may launch from for
        // the first time); the instance created is the target.
        &[
            ("q.instancesSet.items[].imageId", ASIS),
            ("q.launchTemplate.launchTemplateId", ASIS),
            ("r.instancesSet.items[].instanceId", ASIS),
        ],
        &[("r.instancesSet.items[].instanceId", ASIS)],
    ),
    r(
        "ecs.amazonaws.com",
        "*",
        &[
            ("q.cluster", ECS_CLUSTER),
            ("q.clusterName", ECS_CLUSTER),
            ("r.cluster.clusterArn", ASIS),
            ("q.taskDefinition", ASIS),
            ("q.family", ASIS),
        ],
        &[("q.taskDefinition", ASIS)],
    ),
    r(
        "eks.amazonaws.com",
        "*",
        &[("q.name", EKS_CLUSTER), ("q.clusterName", EKS_CLUSTER), ("r.cluster.arn", ASIS)],
        &[("q.principalArn", ASIS)],
    ),
    r(
        "elasticfilesystem.amazonaws.com",
        "*",
        &[("q.fileSystemId", ASIS), ("q.mountTargetId", ASIS), ("r.fileSystemArn", ASIS)],
        &[],
    ),
    r(
        "elasticloadbalancing.amazonaws.com",
        "*",
        &[
            ("q.loadBalancerArn", ASIS),
            ("q.loadBalancerName", ASIS),
            ("r.loadBalancers[].loadBalancerArn", ASIS),
            ("q.targetGroupArn", ASIS),
            ("q.listenerArn", ASIS),
        ],
        &[],
    ),
    r("guardduty.amazonaws.com", "*", &[("q.detectorId", DETECTOR), ("r.detectorId", DETECTOR)], &[]),
    r(
        "iam.amazonaws.com",
        "*",
        &[
            ("q.userName", USER),
            ("q.roleName", ROLE),
            ("q.groupName", GROUP),
            ("q.policyArn", ASIS),
            ("q.instanceProfileName", PROFILE),
            ("q.sAMLProviderArn", ASIS),
            ("q.openIDConnectProviderArn", ASIS),
            ("q.serialNumber", ASIS),
            ("q.virtualMFADeviceName", ASIS),
            ("q.accessKeyId", ASIS),
            ("q.serverCertificateName", ASIS),
        ],
        &[],
    ),
    r("iam.amazonaws.com", "AddRoleToInstanceProfile", &[("q.instanceProfileName", PROFILE)], &[("q.roleName", ROLE)]),
    r("iam.amazonaws.com", "AddUserToGroup", &[("q.groupName", GROUP)], &[("q.userName", USER)]),
    r("iam.amazonaws.com", "AttachGroupPolicy", &[("q.groupName", GROUP)], &[("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "AttachRolePolicy", &[("q.roleName", ROLE)], &[("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "AttachUserPolicy", &[("q.userName", USER)], &[("q.policyArn", ASIS)]),
    r(
        "iam.amazonaws.com",
        "CreateAccessKey",
        &[("r.accessKey.accessKeyId", ASIS)],
        &[("q.userName", USER), ("r.accessKey.userName", USER)],
    ),
    r(
        "iam.amazonaws.com",
        "CreateOpenIDConnectProvider",
        &[("r.openIDConnectProviderArn", ASIS), ("q.url", ASIS)],
        &[],
    ),
    r("iam.amazonaws.com", "CreatePolicy", &[("r.policy.arn", ASIS), ("q.policyName", ASIS)], &[]),
    r("iam.amazonaws.com", "CreatePolicyVersion", &[("q.policyArn", ASIS)], &[("r.policyVersion.versionId", ASIS)]),
    r("iam.amazonaws.com", "CreateRole", &[("r.role.arn", ASIS), ("q.roleName", ROLE)], &[]),
    r("iam.amazonaws.com", "CreateSAMLProvider", &[("r.sAMLProviderArn", ASIS), ("q.name", ASIS)], &[]),
    r("iam.amazonaws.com", "CreateServiceLinkedRole", &[("r.role.arn", ASIS), ("q.aWSServiceName", ASIS)], &[]),
    r("iam.amazonaws.com", "CreateUser", &[("r.user.arn", ASIS), ("q.userName", USER)], &[]),
    r(
        "iam.amazonaws.com",
        "CreateVirtualMFADevice",
        &[("r.virtualMFADevice.serialNumber", ASIS), ("q.virtualMFADeviceName", ASIS)],
        &[],
    ),
    r("iam.amazonaws.com", "DeactivateMFADevice", &[("q.serialNumber", ASIS)], &[("q.userName", USER)]),
    r("iam.amazonaws.com", "DeleteAccessKey", &[("q.accessKeyId", ASIS)], &[("q.userName", USER)]),
    r("iam.amazonaws.com", "DeleteGroupPolicy", &[("q.groupName", GROUP)], &[("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "DeleteRolePolicy", &[("q.roleName", ROLE)], &[("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "DeleteUserPolicy", &[("q.userName", USER)], &[("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "DetachGroupPolicy", &[("q.groupName", GROUP)], &[("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "DetachRolePolicy", &[("q.roleName", ROLE)], &[("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "DetachUserPolicy", &[("q.userName", USER)], &[("q.policyArn", ASIS)]),
    r("iam.amazonaws.com", "EnableMFADevice", &[("q.serialNumber", ASIS)], &[("q.userName", USER)]),
    r("iam.amazonaws.com", "PutGroupPolicy", &[("q.groupName", GROUP)], &[("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "PutRolePolicy", &[("q.roleName", ROLE)], &[("q.policyName", ASIS)]),
    r("iam.amazonaws.com", "PutUserPolicy", &[("q.userName", USER)], &[("q.policyName", ASIS)]),
    r(
        "iam.amazonaws.com",
        "RemoveRoleFromInstanceProfile",
        &[("q.instanceProfileName", PROFILE)],
        &[("q.roleName", ROLE)],
    ),
    r("iam.amazonaws.com", "RemoveUserFromGroup", &[("q.groupName", GROUP)], &[("q.userName", USER)]),
    r("iam.amazonaws.com", "UpdateAccessKey", &[("q.accessKeyId", ASIS)], &[("q.userName", USER)]),
    r(
        "identitystore.amazonaws.com",
        "*",
        &[
            ("q.userId", ASIS),
            ("q.groupId", ASIS),
            ("r.userId", ASIS),
            ("r.groupId", ASIS),
            ("q.identityStoreId", ASIS),
        ],
        &[("q.memberId.userId", ASIS)],
    ),
    r(
        "kms.amazonaws.com",
        "*",
        &[
            ("q.keyId", KEY),
            ("r.keyMetadata.arn", ASIS),
            ("q.aliasName", ASIS),
            ("q.sourceKeyId", KEY),
            ("q.destinationKeyId", KEY),
        ],
        &[],
    ),
    r("kms.amazonaws.com", "CreateAlias", &[("q.targetKeyId", KEY)], &[("q.aliasName", ASIS)]),
    r(
        "kms.amazonaws.com",
        "CreateGrant",
        &[("q.keyId", KEY)],
        &[("q.granteePrincipal", ASIS), ("q.retiringPrincipal", ASIS)],
    ),
    r("kms.amazonaws.com", "CreateKey", &[("r.keyMetadata.arn", ASIS), ("r.keyMetadata.keyId", KEY)], &[]),
    r(
        "kms.amazonaws.com",
        "ReEncrypt",
        &[("q.sourceKeyId", KEY), ("q.destinationKeyId", KEY)],
        &[("q.destinationKeyId", KEY)],
    ),
    r(
        "lambda.amazonaws.com",
        "*",
        &[("q.functionName", FUNCTION), ("r.functionArn", ASIS), ("q.layerName", ASIS), ("q.uUID", ASIS)],
        &[],
    ),
    r("lambda.amazonaws.com", "AddPermission", &[("q.functionName", FUNCTION)], &[("q.principal", ASIS)]),
    r(
        "lambda.amazonaws.com",
        "CreateEventSourceMapping",
        &[("q.functionName", FUNCTION)],
        &[("q.eventSourceArn", ASIS)],
    ),
    r(
        "lambda.amazonaws.com",
        "CreateFunction",
        &[("r.functionArn", ASIS), ("q.functionName", FUNCTION)],
        &[("q.role", ASIS)],
    ),
    r(
        "logs.amazonaws.com",
        "*",
        &[
            ("q.logGroupName", LOG_GROUP),
            ("q.logGroupIdentifier", LOG_GROUP),
            ("q.destinationName", ASIS),
            ("q.resourceArn", ASIS),
        ],
        &[("q.logStreamName", ASIS)],
    ),
    r(
        "monitoring.amazonaws.com",
        "*",
        &[("q.alarmNames[]", ASIS), ("q.alarmName", ASIS), ("q.dashboardName", ASIS)],
        &[],
    ),
    r(
        "organizations.amazonaws.com",
        "*",
        &[
            ("q.accountId", ASIS),
            ("q.policyId", ASIS),
            ("q.organizationalUnitId", ASIS),
            ("q.parentId", ASIS),
            ("q.handshakeId", ASIS),
            ("q.rootId", ASIS),
        ],
        &[("q.targetId", ASIS), ("q.destinationParentId", ASIS)],
    ),
    r("organizations.amazonaws.com", "AttachPolicy", &[("q.policyId", ASIS)], &[("q.targetId", ASIS)]),
    r(
        "organizations.amazonaws.com",
        "CreateAccount",
        &[("r.createAccountStatus.accountId", ASIS), ("r.createAccountStatus.id", ASIS), ("q.accountName", ASIS)],
        &[],
    ),
    r("organizations.amazonaws.com", "DetachPolicy", &[("q.policyId", ASIS)], &[("q.targetId", ASIS)]),
    r(
        "organizations.amazonaws.com",
        "InviteAccountToOrganization",
        &[("q.target.id", ASIS), ("r.handshake.id", ASIS)],
        &[],
    ),
    r("organizations.amazonaws.com", "MoveAccount", &[("q.accountId", ASIS)], &[("q.destinationParentId", ASIS)]),
    r(
        "rds.amazonaws.com",
        "*",
        &[
            ("q.dBSnapshotIdentifier", DB_SNAPSHOT),
            ("q.dBClusterSnapshotIdentifier", DB_CLUSTER_SNAPSHOT),
            ("q.dBInstanceIdentifier", DB),
            ("q.dBClusterIdentifier", DB_CLUSTER),
            ("q.globalClusterIdentifier", ASIS),
            ("q.resourceName", ASIS),
            ("q.dBSubnetGroupName", ASIS),
        ],
        &[],
    ),
    r(
        "rds.amazonaws.com",
        "ModifyDBClusterSnapshotAttribute",
        &[("q.dBClusterSnapshotIdentifier", DB_CLUSTER_SNAPSHOT)],
        &[("q.valuesToAdd[]", ASIS)],
    ),
    r(
        "rds.amazonaws.com",
        "ModifyDBSnapshotAttribute",
        &[("q.dBSnapshotIdentifier", DB_SNAPSHOT)],
        &[("q.valuesToAdd[]", ASIS)],
    ),
    r(
        "rolesanywhere.amazonaws.com",
        "*",
        &[
            ("r.trustAnchor.trustAnchorArn", ASIS),
            ("q.trustAnchorId", ASIS),
            ("r.profile.profileArn", ASIS),
            ("q.profileId", ASIS),
        ],
        &[],
    ),
    r("route53.amazonaws.com", "*", &[("q.hostedZoneId", ASIS), ("q.id", ASIS), ("r.hostedZone.id", ASIS)], &[]),
    r(
        "route53resolver.amazonaws.com",
        "*",
        &[
            ("q.resolverQueryLogConfigId", ASIS),
            ("r.resolverQueryLogConfig.arn", ASIS),
            ("r.resolverQueryLogConfig.id", ASIS),
            ("q.resolverRuleId", ASIS),
            ("q.resolverEndpointId", ASIS),
            ("q.firewallRuleGroupId", ASIS),
        ],
        &[("q.resourceId", ASIS), ("q.vPCId", ASIS)],
    ),
    r("s3.amazonaws.com", "*", &[("q.bucketName", BUCKET)], &[("q.key", ASIS)]),
    r("secretsmanager.amazonaws.com", "*", &[("q.secretId", ASIS), ("r.arn", ASIS), ("q.name", ASIS)], &[]),
    r("secretsmanager.amazonaws.com", "BatchGetSecretValue", &[("q.secretIdList[]", ASIS)], &[]),
    r(
        "sns.amazonaws.com",
        "*",
        &[
            ("q.topicArn", ASIS),
            ("r.topicArn", ASIS),
            ("q.name", TOPIC),
            ("q.subscriptionArn", ASIS),
            ("q.resourceArn", ASIS),
        ],
        &[("q.endpoint", ASIS)],
    ),
    r("sqs.amazonaws.com", "*", &[("q.queueUrl", ASIS), ("r.queueUrl", ASIS), ("q.queueName", ASIS)], &[]),
    r(
        "ssm.amazonaws.com",
        "*",
        &[
            ("q.name", PARAMETER),
            ("q.names[]", PARAMETER),
            ("q.path", PARAMETER),
            ("q.instanceId", ASIS),
            ("q.instanceIds[]", ASIS),
            ("q.target", ASIS),
            ("q.sessionId", ASIS),
            ("q.documentName", ASIS),
            ("q.commandId", ASIS),
            ("q.associationId", ASIS),
        ],
        &[],
    ),
    r(
        "ssm.amazonaws.com",
        "SendCommand",
        &[("q.instanceIds[]", ASIS), ("q.targets[].values[]", ASIS)],
        &[("q.documentName", ASIS)],
    ),
    r("ssm.amazonaws.com", "StartSession", &[("q.target", ASIS)], &[("q.documentName", ASIS)]),
    r("ssm.amazonaws.com", "UpdateInstanceInformation", &[("q.instanceId", ASIS)], &[]),
    r(
        "sso.amazonaws.com",
        "*",
        &[
            ("q.permissionSetArn", ASIS),
            ("r.permissionSet.permissionSetArn", ASIS),
            ("q.instanceArn", ASIS),
            ("q.applicationArn", ASIS),
        ],
        &[("q.principalId", ASIS), ("q.targetId", ASIS)],
    ),
    r("sts.amazonaws.com", "*", &[("q.roleArn", ASIS)], &[("q.roleSessionName", ASIS)]),
    r("sts.amazonaws.com", "AssumeRoleWithSAML", &[("q.roleArn", ASIS)], &[("q.principalArn", ASIS)]),
    r("sts.amazonaws.com", "AssumeRoleWithWebIdentity", &[("q.roleArn", ASIS)], &[("q.roleSessionName", ASIS)]),
    r("sts.amazonaws.com", "GetFederationToken", &[("r.federatedUser.arn", ASIS), ("q.name", ASIS)], &[]),
];

/// Id keys common to many services, tried in order when no rule of the source names one.
static FALLBACK: &[Pick] = &[
    ("q.bucketName", BUCKET),
    ("q.resourceArn", ASIS),
    ("q.arn", ASIS),
    ("q.instanceId", ASIS),
    ("q.instancesSet.items[].instanceId", ASIS),
    ("q.functionName", FUNCTION),
    ("q.logGroupName", LOG_GROUP),
    ("q.secretId", ASIS),
    ("q.keyId", KEY),
    ("q.userName", USER),
    ("q.roleName", ROLE),
    ("q.roleArn", ASIS),
    ("q.policyArn", ASIS),
    ("q.tableName", TABLE),
    ("q.topicArn", ASIS),
    ("q.queueUrl", ASIS),
    ("q.clusterName", ASIS),
    ("q.cluster", ASIS),
    ("q.repositoryName", ASIS),
    ("q.stackName", ASIS),
    ("q.stateMachineArn", ASIS),
    ("q.resourceId", ASIS),
    ("q.id", ASIS),
    ("r.arn", ASIS),
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

struct Docs<'d, 'a> {
    q: Option<(&'d Doc<'a>, Index<'d>)>,
    r: Option<(&'d Doc<'a>, Index<'d>)>,
}

impl<'d, 'a> Docs<'d, 'a> {
    fn new(q: Option<&'d Doc<'a>>, r: Option<&'d Doc<'a>>) -> Self {
        Docs { q: q.map(|d| (d, Index::of(d.text()))), r: r.map(|d| (d, Index::of(d.text()))) }
    }

    fn pick(&self, (path, template): &Pick, scope: Scope<'_>) -> Option<Cow<'a, str>> {
        let ((doc, index), path) = match path.split_at(2) {
            ("q.", p) => (self.q.as_ref()?, p),
            ("r.", p) => (self.r.as_ref()?, p),
            _ => return None,
        };
        let value: Cow<'a, str> = match doc {
            Doc::Borrowed(t) => index.lookup(t, path)?,
            Doc::Owned(t) => Cow::Owned(index.lookup(t, path)?.into_owned()),
        };
        Some(render(template, value, scope))
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
    /// The whole object was read and held: a key not held is not there.
    complete: bool,
}

impl<'t> Index<'t> {
    fn of(text: &'t str) -> Self {
        let mut ix = Index { keys: [(&[][..], 0); INDEXED], len: 0, complete: false };
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
            ix.len += 1;
            if c.skip().is_none() {
                return ix;
            }
        }
    }

    fn lookup<'x>(&self, text: &'x str, path: &str) -> Option<Cow<'x, str>> {
        if !self.complete {
            return lookup(text, path);
        }
        let mut segs = path.split('.');
        let seg = segs.next()?;
        let (key, each) = match seg.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (seg, false),
        };
        let &(_, at) = self.keys[..self.len].iter().find(|(k, _)| *k == key.as_bytes())?;
        let mut c = Scan { s: text, b: text.as_bytes(), i: at };
        c.member(each, segs, 0)
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

/// The rule for exactly this event, and the source's `"*"` rule.
fn find_rules(source: &str, name: &str) -> [Option<&'static Rule>; 2] {
    let start = RULES.partition_point(|r| r.source < source);
    let len = RULES[start..].iter().take_while(|r| r.source == source).count();
    let of_source = &RULES[start..start + len];
    let any = of_source.first().filter(|r| r.name == "*");
    let exact = of_source.binary_search_by(|r| r.name.cmp(name)).ok().map(|i| &of_source[i]);
    [exact, any]
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
            let p = memchr::memchr2(b'"', b'\\', &self.b[self.i..])?;
            self.i += p;
            if self.b[self.i] == b'\\' {
                self.i += 2;
                if self.i > self.b.len() {
                    return None;
                }
            } else {
                let end = self.i;
                self.i += 1;
                return Some((start, end));
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
        for rule in RULES {
            for (path, _) in rule.resource.iter().chain(rule.target) {
                assert!(path.starts_with("q.") || path.starts_with("r."), "{path}");
            }
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
            for path in ["a", "a.b[].c", "s", "n", "b", "b[]", "k25", "k0", "zz"] {
                assert_eq!(ix.lookup(t, path), lookup(t, path), "{t} {path}");
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
