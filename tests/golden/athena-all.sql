-- trailwatch query --engine athena: new-api-call, new-resource-access, kms-key-created, bucket-created; learning period 7 days from the earliest event.
-- Export the result as CSV or JSON lines and run `trailwatch open RESULT`.
WITH
events AS (
  SELECT
    'aws' AS cloud,
    COALESCE(CAST(eventtime AS VARCHAR), '') AS time_text,
    CASE WHEN COALESCE(CAST(useridentity.arn AS VARCHAR), '') <> '' THEN COALESCE(CAST(useridentity.arn AS VARCHAR), '') WHEN COALESCE(CAST(useridentity.username AS VARCHAR), '') <> '' THEN COALESCE(CAST(useridentity.username AS VARCHAR), '') WHEN COALESCE(CAST(useridentity.principalid AS VARCHAR), '') <> '' THEN COALESCE(CAST(useridentity.principalid AS VARCHAR), '') ELSE COALESCE(CAST(useridentity.invokedby AS VARCHAR), '') END AS principal,
    COALESCE(CAST(eventsource AS VARCHAR), '') AS service,
    COALESCE(CAST(eventname AS VARCHAR), '') AS operation,
    CASE WHEN COALESCE(element_at(resources, 1).arn, '') <> '' THEN COALESCE(element_at(resources, 1).arn, '') WHEN CASE WHEN COALESCE(CAST(eventname AS VARCHAR), '') = 'RunInstances' THEN COALESCE(json_extract_scalar(requestparameters, '$.instancesSet.items[0].imageId'), '') ELSE '' END <> '' THEN CASE WHEN COALESCE(CAST(eventname AS VARCHAR), '') = 'RunInstances' THEN COALESCE(json_extract_scalar(requestparameters, '$.instancesSet.items[0].imageId'), '') ELSE '' END WHEN CASE WHEN ((COALESCE(json_extract_scalar(requestparameters, '$.bucketName'), '') LIKE 'arn:%') OR (NOT (COALESCE(json_extract_scalar(requestparameters, '$.bucketName'), '') <> ''))) THEN COALESCE(json_extract_scalar(requestparameters, '$.bucketName'), '') ELSE CONCAT('arn:aws:s3:::', COALESCE(json_extract_scalar(requestparameters, '$.bucketName'), '')) END <> '' THEN CASE WHEN ((COALESCE(json_extract_scalar(requestparameters, '$.bucketName'), '') LIKE 'arn:%') OR (NOT (COALESCE(json_extract_scalar(requestparameters, '$.bucketName'), '') <> ''))) THEN COALESCE(json_extract_scalar(requestparameters, '$.bucketName'), '') ELSE CONCAT('arn:aws:s3:::', COALESCE(json_extract_scalar(requestparameters, '$.bucketName'), '')) END WHEN COALESCE(json_extract_scalar(requestparameters, '$.resourceArn'), '') <> '' THEN COALESCE(json_extract_scalar(requestparameters, '$.resourceArn'), '') WHEN COALESCE(json_extract_scalar(requestparameters, '$.arn'), '') <> '' THEN COALESCE(json_extract_scalar(requestparameters, '$.arn'), '') WHEN COALESCE(json_extract_scalar(requestparameters, '$.instanceId'), '') <> '' THEN COALESCE(json_extract_scalar(requestparameters, '$.instanceId'), '') WHEN COALESCE(json_extract_scalar(requestparameters, '$.secretId'), '') <> '' THEN COALESCE(json_extract_scalar(requestparameters, '$.secretId'), '') WHEN CASE WHEN ((COALESCE(json_extract_scalar(requestparameters, '$.keyId'), '') LIKE 'arn:%') OR (NOT (COALESCE(json_extract_scalar(requestparameters, '$.keyId'), '') <> ''))) THEN COALESCE(json_extract_scalar(requestparameters, '$.keyId'), '') ELSE CONCAT('arn:aws:kms:', COALESCE(CAST(awsregion AS VARCHAR), ''), ':', CASE WHEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') <> '' THEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') ELSE COALESCE(CAST(useridentity.accountid AS VARCHAR), '') END, ':key/', COALESCE(json_extract_scalar(requestparameters, '$.keyId'), '')) END <> '' THEN CASE WHEN ((COALESCE(json_extract_scalar(requestparameters, '$.keyId'), '') LIKE 'arn:%') OR (NOT (COALESCE(json_extract_scalar(requestparameters, '$.keyId'), '') <> ''))) THEN COALESCE(json_extract_scalar(requestparameters, '$.keyId'), '') ELSE CONCAT('arn:aws:kms:', COALESCE(CAST(awsregion AS VARCHAR), ''), ':', CASE WHEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') <> '' THEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') ELSE COALESCE(CAST(useridentity.accountid AS VARCHAR), '') END, ':key/', COALESCE(json_extract_scalar(requestparameters, '$.keyId'), '')) END WHEN CASE WHEN ((COALESCE(json_extract_scalar(requestparameters, '$.userName'), '') LIKE 'arn:%') OR (NOT (COALESCE(json_extract_scalar(requestparameters, '$.userName'), '') <> ''))) THEN COALESCE(json_extract_scalar(requestparameters, '$.userName'), '') ELSE CONCAT('arn:aws:iam::', CASE WHEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') <> '' THEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') ELSE COALESCE(CAST(useridentity.accountid AS VARCHAR), '') END, ':user/', COALESCE(json_extract_scalar(requestparameters, '$.userName'), '')) END <> '' THEN CASE WHEN ((COALESCE(json_extract_scalar(requestparameters, '$.userName'), '') LIKE 'arn:%') OR (NOT (COALESCE(json_extract_scalar(requestparameters, '$.userName'), '') <> ''))) THEN COALESCE(json_extract_scalar(requestparameters, '$.userName'), '') ELSE CONCAT('arn:aws:iam::', CASE WHEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') <> '' THEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') ELSE COALESCE(CAST(useridentity.accountid AS VARCHAR), '') END, ':user/', COALESCE(json_extract_scalar(requestparameters, '$.userName'), '')) END WHEN CASE WHEN ((COALESCE(json_extract_scalar(requestparameters, '$.roleName'), '') LIKE 'arn:%') OR (NOT (COALESCE(json_extract_scalar(requestparameters, '$.roleName'), '') <> ''))) THEN COALESCE(json_extract_scalar(requestparameters, '$.roleName'), '') ELSE CONCAT('arn:aws:iam::', CASE WHEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') <> '' THEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') ELSE COALESCE(CAST(useridentity.accountid AS VARCHAR), '') END, ':role/', COALESCE(json_extract_scalar(requestparameters, '$.roleName'), '')) END <> '' THEN CASE WHEN ((COALESCE(json_extract_scalar(requestparameters, '$.roleName'), '') LIKE 'arn:%') OR (NOT (COALESCE(json_extract_scalar(requestparameters, '$.roleName'), '') <> ''))) THEN COALESCE(json_extract_scalar(requestparameters, '$.roleName'), '') ELSE CONCAT('arn:aws:iam::', CASE WHEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') <> '' THEN COALESCE(CAST(recipientaccountid AS VARCHAR), '') ELSE COALESCE(CAST(useridentity.accountid AS VARCHAR), '') END, ':role/', COALESCE(json_extract_scalar(requestparameters, '$.roleName'), '')) END WHEN COALESCE(json_extract_scalar(requestparameters, '$.roleArn'), '') <> '' THEN COALESCE(json_extract_scalar(requestparameters, '$.roleArn'), '') ELSE COALESCE(json_extract_scalar(requestparameters, '$.policyArn'), '') END AS resource,
    COALESCE(CAST(sourceipaddress AS VARCHAR), '') AS source_ip,
    CASE WHEN COALESCE(CAST(errorcode AS VARCHAR), '') <> '' THEN COALESCE(CAST(errorcode AS VARCHAR), '') ELSE COALESCE(CAST(errormessage AS VARCHAR), '') END AS status,
    CASE WHEN ((COALESCE(CAST(errorcode AS VARCHAR), '') <> '') OR (COALESCE(CAST(errormessage AS VARCHAR), '') <> '') OR ((COALESCE(CAST(eventname AS VARCHAR), '') = 'ConsoleLogin') AND (COALESCE(json_extract_scalar(responseelements, '$.ConsoleLogin'), '') = 'Failure'))) THEN 'failure' ELSE 'success' END AS outcome,
    '' AS kms_key
  FROM "cloudtrail_logs"
),
ev AS (
  SELECT * FROM (SELECT events.*, TRY(from_iso8601_timestamp(time_text)) AS time FROM events) parsed WHERE time IS NOT NULL
),
bounds AS (
  SELECT date_add('second', 604800, MIN(time)) AS detection_start FROM ev WHERE time >= from_iso8601_timestamp('2000-01-01T00:00:00Z')
),
new_api_call AS (
  SELECT 'new-api-call' AS detector, cloud, principal, time_text AS time, operation, service, resource, source_ip, outcome,
    CONCAT(service, ' ', operation) AS key,
    CAST(time AS VARCHAR) AS first_seen,
    seen - 1 AS repeats,
    CONCAT('repeated ', CAST(seen - 1 AS VARCHAR), ' time(s) since; detection from ', CAST(detection_start AS VARCHAR)) AS baseline
  FROM (
    SELECT keyed.*,
      ROW_NUMBER() OVER (PARTITION BY principal, term_0, term_1 ORDER BY time, time_text) AS nth,
      COUNT(*) OVER (PARTITION BY principal, term_0, term_1) AS seen
    FROM (SELECT ev.*, CASE WHEN cloud = 'azure' THEN LOWER(service) ELSE service END AS term_0, CASE WHEN cloud = 'azure' THEN LOWER(operation) ELSE operation END AS term_1 FROM ev WHERE (principal <> '') AND (operation <> '')) keyed
  ) ranked CROSS JOIN bounds
  WHERE nth = 1 AND time >= detection_start
),
new_resource_access AS (
  SELECT 'new-resource-access' AS detector, cloud, principal, time_text AS time, operation, service, resource, source_ip, outcome,
    resource AS key,
    CAST(time AS VARCHAR) AS first_seen,
    seen - 1 AS repeats,
    CONCAT('repeated ', CAST(seen - 1 AS VARCHAR), ' time(s) since; detection from ', CAST(detection_start AS VARCHAR)) AS baseline
  FROM (
    SELECT keyed.*,
      ROW_NUMBER() OVER (PARTITION BY principal, term_0 ORDER BY time, time_text) AS nth,
      COUNT(*) OVER (PARTITION BY principal, term_0) AS seen
    FROM (SELECT ev.*, CASE WHEN cloud = 'gcp' THEN CASE WHEN STRPOS(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, '/cryptoKeyVersions/') > 0 THEN SUBSTR(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, 1, STRPOS(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, '/cryptoKeyVersions/') - 1) ELSE CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END END ELSE CASE WHEN cloud = 'aws' THEN CASE WHEN resource LIKE 'arn:aws:s3:::%' THEN COALESCE(regexp_extract(resource, '^(arn:aws:s3:::[^/]*)', 1), '') ELSE resource END ELSE CASE WHEN COALESCE(regexp_extract(LOWER(resource), '^(https://[^/]*/(keys|secrets|certificates)/[^/]*)', 1), '') <> '' THEN COALESCE(regexp_extract(LOWER(resource), '^(https://[^/]*/(keys|secrets|certificates)/[^/]*)', 1), '') ELSE LOWER(resource) END END END AS term_0 FROM ev WHERE (principal <> '') AND (resource <> '')) keyed
  ) ranked CROSS JOIN bounds
  WHERE nth = 1 AND time >= detection_start
),
kms_key_created AS (
  SELECT 'kms-key-created' AS detector, cloud, principal, time_text AS time, operation, service, resource, source_ip, outcome,
    CASE WHEN cloud = 'gcp' THEN kms_key ELSE CASE WHEN cloud = 'azure' THEN CASE WHEN cloud = 'gcp' THEN CASE WHEN STRPOS(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, '/cryptoKeyVersions/') > 0 THEN SUBSTR(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, 1, STRPOS(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, '/cryptoKeyVersions/') - 1) ELSE CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END END ELSE CASE WHEN cloud = 'aws' THEN CASE WHEN resource LIKE 'arn:aws:s3:::%' THEN COALESCE(regexp_extract(resource, '^(arn:aws:s3:::[^/]*)', 1), '') ELSE resource END ELSE CASE WHEN COALESCE(regexp_extract(LOWER(resource), '^(https://[^/]*/(keys|secrets|certificates)/[^/]*)', 1), '') <> '' THEN COALESCE(regexp_extract(LOWER(resource), '^(https://[^/]*/(keys|secrets|certificates)/[^/]*)', 1), '') ELSE LOWER(resource) END END END ELSE resource END END AS key,
    CAST(time AS VARCHAR) AS first_seen,
    seen - 1 AS repeats,
    CONCAT('repeated ', CAST(seen - 1 AS VARCHAR), ' time(s) since; detection from ', CAST(detection_start AS VARCHAR)) AS baseline
  FROM (
    SELECT keyed.*,
      ROW_NUMBER() OVER (PARTITION BY candidate, part ORDER BY time, time_text) AS nth,
      1 AS seen
    FROM (SELECT ev.*, 'n' AS candidate, '' AS part FROM ev) keyed
  ) ranked CROSS JOIN bounds
  WHERE (outcome = 'success') AND ((((cloud = 'gcp') AND (operation LIKE '%KeyManagementService.CreateCryptoKey')) OR ((cloud = 'aws') AND (operation = 'CreateKey') AND (service = 'kms.amazonaws.com')) OR ((cloud = 'azure') AND (((LOWER(operation) = 'keycreate') OR (LOWER(operation) = 'keyimport') OR (LOWER(operation) = 'microsoft.keyvault/vaults/keys/write'))))))
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
  WHERE ((outcome = 'success') AND ((((cloud = 'gcp') AND (operation = 'storage.buckets.create')) OR ((cloud = 'aws') AND (operation = 'CreateBucket') AND (service = 's3.amazonaws.com')) OR (((cloud = 'azure') AND (((LOWER(operation) = 'microsoft.storage/storageaccounts/write') OR (LOWER(operation) = 'microsoft.storage/storageaccounts/blobservices/containers/write'))) AND (NOT (status LIKE 'Start%')) AND (NOT (status LIKE 'Accept%')) AND (outcome = 'success')) AND (status LIKE '%Created%'))))) OR (candidate = 'y' AND nth = 1)
)
SELECT * FROM new_api_call
UNION ALL
SELECT * FROM new_resource_access
UNION ALL
SELECT * FROM kms_key_created
UNION ALL
SELECT * FROM bucket_created
ORDER BY detector, first_seen, principal;
