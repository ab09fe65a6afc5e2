-- trailwatch query --engine duckdb: bucket-created; detection from 2026-10-09T00:00:00Z (--since).
-- Export the result as CSV or JSON lines and run `trailwatch open RESULT`.
WITH
trailwatch_files AS (
  SELECT json AS doc FROM read_json_objects(['logs/**'], format = 'auto', ignore_errors = true, maximum_object_size = 1073741824)
),
trailwatch_records AS (
  SELECT UNNEST(CASE WHEN json_exists(doc, '$.Records') THEN json_extract(doc, '$.Records[*]') WHEN json_exists(doc, '$.records') THEN json_extract(doc, '$.records[*]') ELSE [doc] END) AS r FROM trailwatch_files
),
events AS (
  SELECT
    'gcp' AS cloud,
    CASE WHEN COALESCE(f[1], '') <> '' THEN COALESCE(f[1], '') ELSE COALESCE(f[2], '') END AS time_text,
    CASE WHEN COALESCE(f[3], '') <> '' THEN COALESCE(f[3], '') WHEN COALESCE(f[4], '') <> '' THEN COALESCE(f[4], '') ELSE '(unknown principal)' END AS principal,
    COALESCE(f[5], '') AS service,
    COALESCE(f[6], '') AS operation,
    COALESCE(f[7], '') AS resource,
    COALESCE(f[8], '') AS source_ip,
    CASE WHEN COALESCE(f[9], '') <> '' THEN COALESCE(f[9], '') ELSE COALESCE(f[10], '') END AS status,
    CASE WHEN (COALESCE(f[10], '') <> '') AND (NOT (COALESCE(f[10], '') = '0')) THEN 'failure' ELSE 'success' END AS outcome,
    CASE WHEN STRPOS(CASE WHEN COALESCE(f[11], '') LIKE '%/cryptoKeys/%' THEN COALESCE(f[11], '') ELSE CASE WHEN COALESCE(f[7], '') LIKE '%/cryptoKeys/%' THEN COALESCE(f[7], '') ELSE CASE WHEN (COALESCE(f[12], '') <> '') AND (COALESCE(f[13], '') <> '') THEN CONCAT(COALESCE(f[12], ''), '/cryptoKeys/', COALESCE(f[13], '')) ELSE COALESCE(f[7], '') END END END, '/cryptoKeyVersions/') > 0 THEN SUBSTR(CASE WHEN COALESCE(f[11], '') LIKE '%/cryptoKeys/%' THEN COALESCE(f[11], '') ELSE CASE WHEN COALESCE(f[7], '') LIKE '%/cryptoKeys/%' THEN COALESCE(f[7], '') ELSE CASE WHEN (COALESCE(f[12], '') <> '') AND (COALESCE(f[13], '') <> '') THEN CONCAT(COALESCE(f[12], ''), '/cryptoKeys/', COALESCE(f[13], '')) ELSE COALESCE(f[7], '') END END END, 1, STRPOS(CASE WHEN COALESCE(f[11], '') LIKE '%/cryptoKeys/%' THEN COALESCE(f[11], '') ELSE CASE WHEN COALESCE(f[7], '') LIKE '%/cryptoKeys/%' THEN COALESCE(f[7], '') ELSE CASE WHEN (COALESCE(f[12], '') <> '') AND (COALESCE(f[13], '') <> '') THEN CONCAT(COALESCE(f[12], ''), '/cryptoKeys/', COALESCE(f[13], '')) ELSE COALESCE(f[7], '') END END END, '/cryptoKeyVersions/') - 1) ELSE CASE WHEN COALESCE(f[11], '') LIKE '%/cryptoKeys/%' THEN COALESCE(f[11], '') ELSE CASE WHEN COALESCE(f[7], '') LIKE '%/cryptoKeys/%' THEN COALESCE(f[7], '') ELSE CASE WHEN (COALESCE(f[12], '') <> '') AND (COALESCE(f[13], '') <> '') THEN CONCAT(COALESCE(f[12], ''), '/cryptoKeys/', COALESCE(f[13], '')) ELSE COALESCE(f[7], '') END END END END AS kms_key
  FROM (SELECT json_extract_string(r, ['$.timestamp', '$.receiveTimestamp', '$.protoPayload.authenticationInfo.principalEmail', '$.protoPayload.authenticationInfo.principalSubject', '$.protoPayload.serviceName', '$.protoPayload.methodName', '$.protoPayload.resourceName', '$.protoPayload.requestMetadata.callerIp', '$.protoPayload.status.message', '$.protoPayload.status.code', '$.protoPayload.response.name', '$.protoPayload.request.parent', '$.protoPayload.request.cryptoKeyId', '$.protoPayload']) AS f FROM trailwatch_records) fields
  WHERE COALESCE(f[14], '') <> ''
  UNION ALL
  SELECT
    'aws' AS cloud,
    COALESCE(f[1], '') AS time_text,
    CASE WHEN COALESCE(f[2], '') <> '' THEN COALESCE(f[2], '') WHEN COALESCE(f[3], '') <> '' THEN COALESCE(f[3], '') WHEN COALESCE(f[4], '') <> '' THEN COALESCE(f[4], '') ELSE COALESCE(f[5], '') END AS principal,
    COALESCE(f[6], '') AS service,
    COALESCE(f[7], '') AS operation,
    CASE WHEN COALESCE(f[8], '') <> '' THEN COALESCE(f[8], '') WHEN CASE WHEN COALESCE(f[7], '') = 'RunInstances' THEN COALESCE(f[9], '') ELSE '' END <> '' THEN CASE WHEN COALESCE(f[7], '') = 'RunInstances' THEN COALESCE(f[9], '') ELSE '' END WHEN CASE WHEN ((COALESCE(f[10], '') LIKE 'arn:%') OR (NOT (COALESCE(f[10], '') <> ''))) THEN COALESCE(f[10], '') ELSE CONCAT('arn:aws:s3:::', COALESCE(f[10], '')) END <> '' THEN CASE WHEN ((COALESCE(f[10], '') LIKE 'arn:%') OR (NOT (COALESCE(f[10], '') <> ''))) THEN COALESCE(f[10], '') ELSE CONCAT('arn:aws:s3:::', COALESCE(f[10], '')) END WHEN COALESCE(f[11], '') <> '' THEN COALESCE(f[11], '') WHEN COALESCE(f[12], '') <> '' THEN COALESCE(f[12], '') WHEN COALESCE(f[13], '') <> '' THEN COALESCE(f[13], '') WHEN COALESCE(f[14], '') <> '' THEN COALESCE(f[14], '') WHEN CASE WHEN ((COALESCE(f[15], '') LIKE 'arn:%') OR (NOT (COALESCE(f[15], '') <> ''))) THEN COALESCE(f[15], '') ELSE CONCAT('arn:aws:kms:', COALESCE(f[16], ''), ':', CASE WHEN COALESCE(f[17], '') <> '' THEN COALESCE(f[17], '') ELSE COALESCE(f[18], '') END, ':key/', COALESCE(f[15], '')) END <> '' THEN CASE WHEN ((COALESCE(f[15], '') LIKE 'arn:%') OR (NOT (COALESCE(f[15], '') <> ''))) THEN COALESCE(f[15], '') ELSE CONCAT('arn:aws:kms:', COALESCE(f[16], ''), ':', CASE WHEN COALESCE(f[17], '') <> '' THEN COALESCE(f[17], '') ELSE COALESCE(f[18], '') END, ':key/', COALESCE(f[15], '')) END WHEN CASE WHEN ((COALESCE(f[19], '') LIKE 'arn:%') OR (NOT (COALESCE(f[19], '') <> ''))) THEN COALESCE(f[19], '') ELSE CONCAT('arn:aws:iam::', CASE WHEN COALESCE(f[17], '') <> '' THEN COALESCE(f[17], '') ELSE COALESCE(f[18], '') END, ':user/', COALESCE(f[19], '')) END <> '' THEN CASE WHEN ((COALESCE(f[19], '') LIKE 'arn:%') OR (NOT (COALESCE(f[19], '') <> ''))) THEN COALESCE(f[19], '') ELSE CONCAT('arn:aws:iam::', CASE WHEN COALESCE(f[17], '') <> '' THEN COALESCE(f[17], '') ELSE COALESCE(f[18], '') END, ':user/', COALESCE(f[19], '')) END WHEN CASE WHEN ((COALESCE(f[20], '') LIKE 'arn:%') OR (NOT (COALESCE(f[20], '') <> ''))) THEN COALESCE(f[20], '') ELSE CONCAT('arn:aws:iam::', CASE WHEN COALESCE(f[17], '') <> '' THEN COALESCE(f[17], '') ELSE COALESCE(f[18], '') END, ':role/', COALESCE(f[20], '')) END <> '' THEN CASE WHEN ((COALESCE(f[20], '') LIKE 'arn:%') OR (NOT (COALESCE(f[20], '') <> ''))) THEN COALESCE(f[20], '') ELSE CONCAT('arn:aws:iam::', CASE WHEN COALESCE(f[17], '') <> '' THEN COALESCE(f[17], '') ELSE COALESCE(f[18], '') END, ':role/', COALESCE(f[20], '')) END WHEN COALESCE(f[21], '') <> '' THEN COALESCE(f[21], '') ELSE COALESCE(f[22], '') END AS resource,
    COALESCE(f[23], '') AS source_ip,
    CASE WHEN COALESCE(f[24], '') <> '' THEN COALESCE(f[24], '') ELSE COALESCE(f[25], '') END AS status,
    CASE WHEN ((COALESCE(f[24], '') <> '') OR (COALESCE(f[25], '') <> '') OR ((COALESCE(f[7], '') = 'ConsoleLogin') AND (COALESCE(f[26], '') = 'Failure'))) THEN 'failure' ELSE 'success' END AS outcome,
    '' AS kms_key
  FROM (SELECT json_extract_string(r, ['$.eventTime', '$.userIdentity.arn', '$.userIdentity.userName', '$.userIdentity.principalId', '$.userIdentity.invokedBy', '$.eventSource', '$.eventName', '$.resources[0].ARN', '$.requestParameters.instancesSet.items[0].imageId', '$.requestParameters.bucketName', '$.requestParameters.resourceArn', '$.requestParameters.arn', '$.requestParameters.instanceId', '$.requestParameters.secretId', '$.requestParameters.keyId', '$.awsRegion', '$.recipientAccountId', '$.userIdentity.accountId', '$.requestParameters.userName', '$.requestParameters.roleName', '$.requestParameters.roleArn', '$.requestParameters.policyArn', '$.sourceIPAddress', '$.errorCode', '$.errorMessage', '$.responseElements.ConsoleLogin']) AS f FROM trailwatch_records) fields
  WHERE (COALESCE(f[6], '') <> '') AND (COALESCE(f[1], '') <> '')
  UNION ALL
  SELECT
    'azure' AS cloud,
    CASE WHEN COALESCE(f[1], '') <> '' THEN COALESCE(f[1], '') ELSE COALESCE(f[2], '') END AS time_text,
    CASE WHEN COALESCE(f[3], '') <> '' THEN COALESCE(f[3], '') WHEN COALESCE(f[4], '') <> '' THEN COALESCE(f[4], '') WHEN COALESCE(f[5], '') <> '' THEN COALESCE(f[5], '') WHEN COALESCE(f[6], '') <> '' THEN COALESCE(f[6], '') WHEN COALESCE(f[7], '') <> '' THEN COALESCE(f[7], '') WHEN COALESCE(f[8], '') <> '' THEN COALESCE(f[8], '') WHEN COALESCE(f[9], '') <> '' THEN COALESCE(f[9], '') WHEN COALESCE(f[10], '') <> '' THEN COALESCE(f[10], '') WHEN COALESCE(f[11], '') <> '' THEN COALESCE(f[11], '') WHEN COALESCE(f[12], '') <> '' THEN COALESCE(f[12], '') WHEN COALESCE(f[13], '') <> '' THEN COALESCE(f[13], '') WHEN COALESCE(f[14], '') <> '' THEN COALESCE(f[14], '') WHEN COALESCE(f[15], '') <> '' THEN COALESCE(f[15], '') WHEN COALESCE(f[16], '') <> '' THEN COALESCE(f[16], '') WHEN COALESCE(f[17], '') <> '' THEN COALESCE(f[17], '') WHEN COALESCE(f[18], '') <> '' THEN COALESCE(f[18], '') WHEN COALESCE(f[19], '') <> '' THEN COALESCE(f[19], '') WHEN COALESCE(f[20], '') <> '' THEN COALESCE(f[20], '') WHEN COALESCE(f[21], '') <> '' THEN COALESCE(f[21], '') WHEN COALESCE(f[22], '') <> '' THEN COALESCE(f[22], '') WHEN COALESCE(f[23], '') <> '' THEN COALESCE(f[23], '') WHEN COALESCE(f[24], '') <> '' THEN COALESCE(f[24], '') WHEN COALESCE(f[25], '') <> '' THEN COALESCE(f[25], '') WHEN COALESCE(f[26], '') <> '' THEN COALESCE(f[26], '') WHEN COALESCE(f[27], '') <> '' THEN COALESCE(f[27], '') WHEN COALESCE(f[28], '') <> '' THEN COALESCE(f[28], '') WHEN COALESCE(f[29], '') <> '' THEN COALESCE(f[29], '') WHEN COALESCE(f[30], '') <> '' THEN COALESCE(f[30], '') ELSE '(unknown principal)' END AS principal,
    CASE WHEN regexp_extract(COALESCE(f[31], ''), '^([^/]*[.][^/]*)/', 1) <> '' THEN regexp_extract(COALESCE(f[31], ''), '^([^/]*[.][^/]*)/', 1) ELSE regexp_extract(COALESCE(f[32], ''), '(?i)^.*/providers/([^/]+)', 1) END AS service,
    COALESCE(f[31], '') AS operation,
    CASE WHEN (COALESCE(f[33], '') <> '') AND (((LOWER(COALESCE(f[33], '')) LIKE '%/keys/%') OR (LOWER(COALESCE(f[33], '')) LIKE '%/secrets/%') OR (LOWER(COALESCE(f[33], '')) LIKE '%/certificates/%'))) THEN COALESCE(f[33], '') ELSE COALESCE(f[32], '') END AS resource,
    CASE WHEN COALESCE(f[34], '') <> '' THEN COALESCE(f[34], '') ELSE COALESCE(f[35], '') END AS source_ip,
    CASE WHEN COALESCE(f[36], '') <> '' THEN COALESCE(f[36], '') WHEN COALESCE(f[37], '') <> '' THEN COALESCE(f[37], '') WHEN COALESCE(f[38], '') <> '' THEN COALESCE(f[38], '') ELSE CASE WHEN COALESCE(f[39], '') <> '' THEN COALESCE(f[39], '') ELSE COALESCE(f[40], '') END END AS status,
    CASE WHEN ((LOWER(CASE WHEN COALESCE(f[39], '') <> '' THEN COALESCE(f[39], '') ELSE COALESCE(f[40], '') END) = 'failure') OR (LOWER(CASE WHEN COALESCE(f[39], '') <> '' THEN COALESCE(f[39], '') ELSE COALESCE(f[40], '') END) = 'failed') OR (LOWER(CASE WHEN COALESCE(f[39], '') <> '' THEN COALESCE(f[39], '') ELSE COALESCE(f[40], '') END) = 'error') OR (regexp_extract(COALESCE(f[38], ''), '^([4-9][0-9][0-9])([.]0*)?$', 1) <> '')) THEN 'failure' ELSE 'success' END AS outcome,
    '' AS kms_key
  FROM (SELECT json_extract_string(r, ['$.time', '$.eventTimestamp', '$.caller', '$.identity.claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"', '$.identity.claim."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"', '$.claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"', '$.identity.claims.upn', '$.identity.claim.upn', '$.claims.upn', '$.identity.claims.appid', '$.identity.claim.appid', '$.claims.appid', '$.identity.claims."http://schemas.microsoft.com/identity/claims/appid"', '$.identity.claim."http://schemas.microsoft.com/identity/claims/appid"', '$.claims."http://schemas.microsoft.com/identity/claims/appid"', '$.identity.claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"', '$.identity.claim."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"', '$.claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"', '$.identity.claims.unique_name', '$.identity.claim.unique_name', '$.claims.unique_name', '$.identity.claims.name', '$.identity.claim.name', '$.claims.name', '$.identity.claims."http://schemas.microsoft.com/identity/claims/objectidentifier"', '$.identity.claim."http://schemas.microsoft.com/identity/claims/objectidentifier"', '$.claims."http://schemas.microsoft.com/identity/claims/objectidentifier"', '$.identity.claims.oid', '$.identity.claim.oid', '$.claims.oid', '$.operationName', '$.resourceId', '$.properties.id', '$.callerIpAddress', '$.httpRequest.clientIpAddress', '$.resultSignature', '$.properties.statusCode', '$.properties.httpStatusCode', '$.resultType', '$.status', '$.category']) AS f FROM trailwatch_records) fields
  WHERE (COALESCE(f[31], '') <> '') AND (CASE WHEN COALESCE(f[1], '') <> '' THEN COALESCE(f[1], '') ELSE COALESCE(f[2], '') END <> '') AND (NOT (((LOWER(COALESCE(f[41], '')) = 'signinlogs') OR (LOWER(COALESCE(f[41], '')) = 'noninteractiveusersigninlogs') OR (LOWER(COALESCE(f[41], '')) = 'serviceprincipalsigninlogs') OR (LOWER(COALESCE(f[41], '')) = 'managedidentitysigninlogs')))) AND (NOT (LOWER(COALESCE(f[41], '')) = 'auditlogs'))
  UNION ALL
  SELECT
    'azure' AS cloud,
    COALESCE(f[1], '') AS time_text,
    CASE WHEN CASE WHEN ((COALESCE(f[2], '') LIKE '%Principal%') OR (COALESCE(f[2], '') LIKE '%Identity%')) THEN CASE WHEN COALESCE(f[3], '') <> '' THEN COALESCE(f[3], '') WHEN COALESCE(f[4], '') <> '' THEN COALESCE(f[4], '') WHEN COALESCE(f[5], '') <> '' THEN COALESCE(f[5], '') ELSE COALESCE(f[6], '') END ELSE CASE WHEN COALESCE(f[7], '') <> '' THEN COALESCE(f[7], '') ELSE COALESCE(f[3], '') END END <> '' THEN CASE WHEN ((COALESCE(f[2], '') LIKE '%Principal%') OR (COALESCE(f[2], '') LIKE '%Identity%')) THEN CASE WHEN COALESCE(f[3], '') <> '' THEN COALESCE(f[3], '') WHEN COALESCE(f[4], '') <> '' THEN COALESCE(f[4], '') WHEN COALESCE(f[5], '') <> '' THEN COALESCE(f[5], '') ELSE COALESCE(f[6], '') END ELSE CASE WHEN COALESCE(f[7], '') <> '' THEN COALESCE(f[7], '') ELSE COALESCE(f[3], '') END END WHEN COALESCE(f[8], '') <> '' THEN COALESCE(f[8], '') WHEN COALESCE(f[4], '') <> '' THEN COALESCE(f[4], '') ELSE '(unknown principal)' END AS principal,
    'Microsoft.aadiam' AS service,
    'Sign-in activity' AS operation,
    CASE WHEN COALESCE(f[5], '') <> '' THEN COALESCE(f[5], '') WHEN COALESCE(f[6], '') <> '' THEN COALESCE(f[6], '') ELSE COALESCE(f[9], '') END AS resource,
    CASE WHEN COALESCE(f[10], '') <> '' THEN COALESCE(f[10], '') ELSE COALESCE(f[11], '') END AS source_ip,
    CASE WHEN CASE WHEN COALESCE(f[12], '') <> '' THEN COALESCE(f[12], '') WHEN COALESCE(f[13], '') <> '' THEN COALESCE(f[13], '') ELSE '0' END = '0' THEN '' ELSE CASE WHEN COALESCE(f[12], '') <> '' THEN COALESCE(f[12], '') WHEN COALESCE(f[13], '') <> '' THEN COALESCE(f[13], '') ELSE '0' END END AS status,
    CASE WHEN CASE WHEN COALESCE(f[12], '') <> '' THEN COALESCE(f[12], '') WHEN COALESCE(f[13], '') <> '' THEN COALESCE(f[13], '') ELSE '0' END = '0' THEN 'success' ELSE 'failure' END AS outcome,
    '' AS kms_key
  FROM (SELECT json_extract_string(r, ['$.time', '$.category', '$.properties.servicePrincipalName', '$.properties.servicePrincipalId', '$.properties.appDisplayName', '$.properties.appId', '$.properties.userPrincipalName', '$.properties.userId', '$.properties.resourceDisplayName', '$.callerIpAddress', '$.properties.ipAddress', '$.resultType', '$.properties.status.errorCode']) AS f FROM trailwatch_records) fields
  WHERE ((LOWER(COALESCE(f[2], '')) = 'signinlogs') OR (LOWER(COALESCE(f[2], '')) = 'noninteractiveusersigninlogs') OR (LOWER(COALESCE(f[2], '')) = 'serviceprincipalsigninlogs') OR (LOWER(COALESCE(f[2], '')) = 'managedidentitysigninlogs'))
),
ev AS MATERIALIZED (
  SELECT * FROM (SELECT events.*, TRY_CAST(time_text AS TIMESTAMP) AS time FROM events) parsed WHERE time IS NOT NULL
),
bounds AS (
  SELECT CAST('2026-10-09T00:00:00' AS TIMESTAMP) AS detection_start
),
bucket_created AS (
  SELECT 'bucket-created' AS detector, cloud, principal, time_text AS time, operation, service, resource, source_ip, outcome,
    resource AS key,
    CAST(time AS VARCHAR) AS first_seen,
    seen - 1 AS repeats,
    CONCAT('repeated ', CAST(seen - 1 AS VARCHAR), ' time(s) since; detection from ', CAST(detection_start AS VARCHAR)) AS baseline
  FROM (
    SELECT keyed.*,
      ROW_NUMBER() OVER (PARTITION BY candidate, part ORDER BY time, time_text) AS nth,
      1 AS seen
    FROM (SELECT ev.*, CASE WHEN (cloud = 'azure') AND (((LOWER(operation) = 'microsoft.storage/storageaccounts/write') OR (LOWER(operation) = 'microsoft.storage/storageaccounts/blobservices/containers/write'))) AND (NOT (status LIKE 'Start%')) AND (NOT (status LIKE 'Accept%')) AND (outcome = 'success') THEN 'y' ELSE 'n' END AS candidate, LOWER(resource) AS part FROM ev) keyed
  ) ranked CROSS JOIN bounds
  WHERE (((outcome = 'success') AND ((((cloud = 'gcp') AND (operation = 'storage.buckets.create')) OR ((cloud = 'aws') AND (operation = 'CreateBucket') AND (service = 's3.amazonaws.com')) OR (((cloud = 'azure') AND (((LOWER(operation) = 'microsoft.storage/storageaccounts/write') OR (LOWER(operation) = 'microsoft.storage/storageaccounts/blobservices/containers/write'))) AND (NOT (status LIKE 'Start%')) AND (NOT (status LIKE 'Accept%')) AND (outcome = 'success')) AND (status LIKE '%Created%'))))) OR (candidate = 'y' AND nth = 1)) AND time >= detection_start
)
SELECT * FROM bucket_created
ORDER BY detector, first_seen, principal;
