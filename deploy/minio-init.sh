#!/bin/sh
# One-shot setup of MinIO for docker-compose.yml (the minio-init service, image minio/mc). Idempotent:
# runs on every `docker compose up` and leaves an existing bucket, its objects and the user as they are.
#   - creates the recordings bucket;
#   - creates the user the gateways and mergers sign in as, with a policy that allows S3 actions on
#     that bucket only (the root credentials stay with MinIO and this script).
set -eu

: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${RECINGEST_S3_ACCESS_KEY:?}" "${RECINGEST_S3_SECRET_KEY:?}"
bucket=${RECINGEST_S3_BUCKET:-recordings}
endpoint=${MINIO_ENDPOINT:-http://minio:9000}
policy=recingest-${bucket}

mc alias set local "$endpoint" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "local/$bucket"

policy_file=/tmp/recingest-policy.json
cat >"$policy_file" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:*"],
      "Resource": ["arn:aws:s3:::${bucket}", "arn:aws:s3:::${bucket}/*"]
    }
  ]
}
JSON
mc admin policy create local "$policy" "$policy_file"
rm -f "$policy_file"

mc admin user add local "$RECINGEST_S3_ACCESS_KEY" "$RECINGEST_S3_SECRET_KEY"
# Attaching a policy that is already attached is an error in mc; that case is success here.
if ! out=$(mc admin policy attach local "$policy" --user "$RECINGEST_S3_ACCESS_KEY" 2>&1); then
  case "$out" in
    *already*) ;;
    *) echo "$out" >&2; exit 1 ;;
  esac
fi
echo "minio-init: bucket $bucket ready; user $RECINGEST_S3_ACCESS_KEY has policy $policy"
