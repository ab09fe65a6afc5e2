-- trailwatch query --engine bigquery: new-api-call, new-resource-access, kms-key-created, bucket-created; learning period 7 days from the earliest event.
-- Export the result as CSV or JSON lines and run `trailwatch open RESULT`.
WITH
events AS (
  SELECT
    'gcp' AS cloud,
    CASE WHEN FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E*SZ', timestamp) <> '' THEN FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E*SZ', timestamp) ELSE FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E*SZ', receive_timestamp) END AS time_text,
    CASE WHEN COALESCE(CAST(proto_payload.audit_log.authentication_info.principal_email AS STRING), '') <> '' THEN COALESCE(CAST(proto_payload.audit_log.authentication_info.principal_email AS STRING), '') WHEN COALESCE(CAST(proto_payload.audit_log.authentication_info.principal_subject AS STRING), '') <> '' THEN COALESCE(CAST(proto_payload.audit_log.authentication_info.principal_subject AS STRING), '') ELSE '(unknown principal)' END AS principal,
    COALESCE(CAST(proto_payload.audit_log.service_name AS STRING), '') AS service,
    COALESCE(CAST(proto_payload.audit_log.method_name AS STRING), '') AS operation,
    COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') AS resource,
    COALESCE(CAST(proto_payload.audit_log.request_metadata.caller_ip AS STRING), '') AS source_ip,
    CASE WHEN COALESCE(CAST(proto_payload.audit_log.status.message AS STRING), '') <> '' THEN COALESCE(CAST(proto_payload.audit_log.status.message AS STRING), '') ELSE COALESCE(CAST(proto_payload.audit_log.status.code AS STRING), '') END AS status,
    CASE WHEN (COALESCE(CAST(proto_payload.audit_log.status.code AS STRING), '') <> '') AND (NOT (COALESCE(CAST(proto_payload.audit_log.status.code AS STRING), '') = '0')) THEN 'failure' ELSE 'success' END AS outcome,
    CASE WHEN STRPOS(CASE WHEN COALESCE(JSON_VALUE(proto_payload.audit_log.response, '$.name'), '') LIKE '%/cryptoKeys/%' THEN COALESCE(JSON_VALUE(proto_payload.audit_log.response, '$.name'), '') ELSE CASE WHEN COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') LIKE '%/cryptoKeys/%' THEN COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') ELSE CASE WHEN (COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.parent'), '') <> '') AND (COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.cryptoKeyId'), '') <> '') THEN CONCAT(COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.parent'), ''), '/cryptoKeys/', COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.cryptoKeyId'), '')) ELSE COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') END END END, '/cryptoKeyVersions/') > 0 THEN SUBSTR(CASE WHEN COALESCE(JSON_VALUE(proto_payload.audit_log.response, '$.name'), '') LIKE '%/cryptoKeys/%' THEN COALESCE(JSON_VALUE(proto_payload.audit_log.response, '$.name'), '') ELSE CASE WHEN COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') LIKE '%/cryptoKeys/%' THEN COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') ELSE CASE WHEN (COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.parent'), '') <> '') AND (COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.cryptoKeyId'), '') <> '') THEN CONCAT(COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.parent'), ''), '/cryptoKeys/', COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.cryptoKeyId'), '')) ELSE COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') END END END, 1, STRPOS(CASE WHEN COALESCE(JSON_VALUE(proto_payload.audit_log.response, '$.name'), '') LIKE '%/cryptoKeys/%' THEN COALESCE(JSON_VALUE(proto_payload.audit_log.response, '$.name'), '') ELSE CASE WHEN COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') LIKE '%/cryptoKeys/%' THEN COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') ELSE CASE WHEN (COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.parent'), '') <> '') AND (COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.cryptoKeyId'), '') <> '') THEN CONCAT(COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.parent'), ''), '/cryptoKeys/', COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.cryptoKeyId'), '')) ELSE COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') END END END, '/cryptoKeyVersions/') - 1) ELSE CASE WHEN COALESCE(JSON_VALUE(proto_payload.audit_log.response, '$.name'), '') LIKE '%/cryptoKeys/%' THEN COALESCE(JSON_VALUE(proto_payload.audit_log.response, '$.name'), '') ELSE CASE WHEN COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') LIKE '%/cryptoKeys/%' THEN COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') ELSE CASE WHEN (COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.parent'), '') <> '') AND (COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.cryptoKeyId'), '') <> '') THEN CONCAT(COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.parent'), ''), '/cryptoKeys/', COALESCE(JSON_VALUE(proto_payload.audit_log.request, '$.cryptoKeyId'), '')) ELSE COALESCE(CAST(proto_payload.audit_log.resource_name AS STRING), '') END END END END AS kms_key
  FROM `my-project.global._Default._AllLogs`
),
ev AS (
  SELECT * FROM (SELECT events.*, SAFE_CAST(time_text AS TIMESTAMP) AS time FROM events) parsed WHERE time IS NOT NULL
),
bounds AS (
  SELECT TIMESTAMP_ADD(MIN(time), INTERVAL 604800 SECOND) AS detection_start FROM ev WHERE time >= TIMESTAMP '2000-01-01T00:00:00Z'
),
new_api_call AS (
  SELECT 'new-api-call' AS detector, cloud, principal, time_text AS time, operation, service, resource, source_ip, outcome,
    CONCAT(service, ' ', operation) AS key,
    CAST(time AS STRING) AS first_seen,
    seen - 1 AS repeats,
    CONCAT('repeated ', CAST(seen - 1 AS STRING), ' time(s) since; detection from ', CAST(detection_start AS STRING)) AS baseline
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
    CAST(time AS STRING) AS first_seen,
    seen - 1 AS repeats,
    CONCAT('repeated ', CAST(seen - 1 AS STRING), ' time(s) since; detection from ', CAST(detection_start AS STRING)) AS baseline
  FROM (
    SELECT keyed.*,
      ROW_NUMBER() OVER (PARTITION BY principal, term_0 ORDER BY time, time_text) AS nth,
      COUNT(*) OVER (PARTITION BY principal, term_0) AS seen
    FROM (SELECT ev.*, CASE WHEN cloud = 'gcp' THEN CASE WHEN STRPOS(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, '/cryptoKeyVersions/') > 0 THEN SUBSTR(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, 1, STRPOS(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, '/cryptoKeyVersions/') - 1) ELSE CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END END ELSE CASE WHEN cloud = 'aws' THEN CASE WHEN resource LIKE 'arn:aws:s3:::%' THEN COALESCE(REGEXP_EXTRACT(resource, r'^(arn:aws:s3:::[^/]*)'), '') ELSE resource END ELSE CASE WHEN COALESCE(REGEXP_EXTRACT(LOWER(resource), r'^(https://[^/]*/(keys|secrets|certificates)/[^/]*)'), '') <> '' THEN COALESCE(REGEXP_EXTRACT(LOWER(resource), r'^(https://[^/]*/(keys|secrets|certificates)/[^/]*)'), '') ELSE LOWER(resource) END END END AS term_0 FROM ev WHERE (principal <> '') AND (resource <> '')) keyed
  ) ranked CROSS JOIN bounds
  WHERE nth = 1 AND time >= detection_start
),
kms_key_created AS (
  SELECT 'kms-key-created' AS detector, cloud, principal, time_text AS time, operation, service, resource, source_ip, outcome,
    CASE WHEN cloud = 'gcp' THEN kms_key ELSE CASE WHEN cloud = 'azure' THEN CASE WHEN cloud = 'gcp' THEN CASE WHEN STRPOS(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, '/cryptoKeyVersions/') > 0 THEN SUBSTR(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, 1, STRPOS(CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END, '/cryptoKeyVersions/') - 1) ELSE CASE WHEN STRPOS(resource, '/objects/') > 0 THEN SUBSTR(resource, 1, STRPOS(resource, '/objects/') - 1) ELSE resource END END ELSE CASE WHEN cloud = 'aws' THEN CASE WHEN resource LIKE 'arn:aws:s3:::%' THEN COALESCE(REGEXP_EXTRACT(resource, r'^(arn:aws:s3:::[^/]*)'), '') ELSE resource END ELSE CASE WHEN COALESCE(REGEXP_EXTRACT(LOWER(resource), r'^(https://[^/]*/(keys|secrets|certificates)/[^/]*)'), '') <> '' THEN COALESCE(REGEXP_EXTRACT(LOWER(resource), r'^(https://[^/]*/(keys|secrets|certificates)/[^/]*)'), '') ELSE LOWER(resource) END END END ELSE resource END END AS key,
    CAST(time AS STRING) AS first_seen,
    seen - 1 AS repeats,
    CONCAT('repeated ', CAST(seen - 1 AS STRING), ' time(s) since; detection from ', CAST(detection_start AS STRING)) AS baseline
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
    CAST(time AS STRING) AS first_seen,
    seen - 1 AS repeats,
    CONCAT('repeated ', CAST(seen - 1 AS STRING), ' time(s) since; detection from ', CAST(detection_start AS STRING)) AS baseline
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
