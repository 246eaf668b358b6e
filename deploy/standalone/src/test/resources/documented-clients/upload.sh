#!/usr/bin/env bash
# The upload page's complete example and its chunked upload, as a ScientistCloud user runs
# them: only the base URL differs, and the login carries a password.
set -euo pipefail
: "${BASE:?}" "${EMAIL:?}" "${PASSWORD:?}" "${FILE:?}" "${LARGE_FILE:?}"
fail() { echo "FAILED: $*" >&2; exit 1; }

# 1. Authenticate
TOKEN=$(curl -s -X POST "$BASE/api/auth/login" \
     -H "Content-Type: application/json" \
     -d "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}" | \
     jq -r '.data.access_token')

# 2. Upload file
echo "Uploading file..."
RESPONSE=$(curl -s -X POST "$BASE/api/upload/upload" \
     -H "Authorization: Bearer $TOKEN" \
     -F "file=@$FILE" \
     -F "dataset_name=My Dataset" \
     -F "sensor=4D_NEXUS" \
     -F "convert=true" \
     -F "is_public=false" \
     -F "folder=CHESS_4D" \
     -F "tags=nexus,4d,chess")

JOB_ID=$(echo "$RESPONSE" | jq -r '.job_id')
DATASET_UUID=$(echo "$RESPONSE" | jq -r '.dataset_uuid')
[ "$(echo "$RESPONSE" | jq -r '.success')" = true ] || fail "upload: $RESPONSE"
[ "$DATASET_UUID" != null ] || fail "no dataset_uuid: $RESPONSE"

echo "Upload started! Job ID: $JOB_ID"
echo "Dataset UUID: $DATASET_UUID"

# 3. Monitor progress (the document's loop, with a bound on how long it may take here)
echo "Monitoring upload progress..."
for attempt in $(seq 1 120); do
    STATUS=$(curl -s -H "Authorization: Bearer $TOKEN" \
         "$BASE/api/upload/status/$JOB_ID")

    PROGRESS=$(echo "$STATUS" | jq -r '.progress_percentage')
    JOB_STATUS=$(echo "$STATUS" | jq -r '.status')

    echo "Status: $JOB_STATUS ($PROGRESS%)"

    if [ "$JOB_STATUS" = "completed" ] || [ "$JOB_STATUS" = "failed" ]; then
        break
    fi

    sleep 0.5
done
[ "$JOB_STATUS" = completed ] || fail "the job ended as $JOB_STATUS: $STATUS"
[ "$PROGRESS" = 100 ] || fail "progress at the end: $PROGRESS"

# 4. Check final status
curl -s -H "Authorization: Bearer $TOKEN" \
     "$BASE/api/upload/status/$JOB_ID" | jq

# The job list
JOBS=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/upload/jobs")
[ "$(echo "$JOBS" | jq -r '.jobs[0].job_id')" = "$JOB_ID" ] || fail "jobs: $JOBS"
[ "$(echo "$JOBS" | jq -r '.jobs[0].dataset_name')" = "My Dataset" ] || fail "jobs dataset_name: $JOBS"

# Chunked upload: 1. Initiate upload
SIZE=$(stat -c %s "$LARGE_FILE")
INIT_RESPONSE=$(curl -s -X POST "$BASE/api/upload/initiate" \
     -H "Authorization: Bearer $TOKEN" \
     -H "Content-Type: application/json" \
     -d "{
       \"dataset_name\": \"Large Dataset\",
       \"file_size\": $SIZE,
       \"file_name\": \"large_file.nxs\"
     }")

UPLOAD_ID=$(echo "$INIT_RESPONSE" | jq -r '.upload_id')
CHUNK_SIZE=$(echo "$INIT_RESPONSE" | jq -r '.chunk_size')
TOTAL_CHUNKS=$(echo "$INIT_RESPONSE" | jq -r '.total_chunks')
[ "$UPLOAD_ID" != null ] && [ "$CHUNK_SIZE" -gt 0 ] || fail "initiate: $INIT_RESPONSE"

# 2. Upload chunks (the document's pseudo-code, made real with split)
CHUNKS=$(mktemp -d)
split -b "$CHUNK_SIZE" -d -a 6 "$LARGE_FILE" "$CHUNKS/chunk_"
i=0
for chunk_data in "$CHUNKS"/chunk_*; do
    ANSWER=$(curl -s -X POST "$BASE/api/upload/chunk" \
         -H "Authorization: Bearer $TOKEN" \
         -F "upload_id=$UPLOAD_ID" \
         -F "chunk_number=$i" \
         -F "chunk=@$chunk_data")
    [ "$(echo "$ANSWER" | jq -r '.success')" = true ] || fail "chunk $i: $ANSWER"
    i=$((i + 1))
done
rm -rf "$CHUNKS"
[ "$i" = "$TOTAL_CHUNKS" ] || fail "sent $i chunks, expected $TOTAL_CHUNKS"
[ "$(echo "$ANSWER" | jq -r '.completed')" = true ] || fail "the last chunk did not complete the upload: $ANSWER"
FINAL=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/upload/status/$UPLOAD_ID")
case "$(echo "$FINAL" | jq -r '.status')" in
    processing|completed) ;;
    *) fail "chunked upload status: $FINAL" ;;
esac
echo "$DATASET_UUID" > "${RESULT:-/dev/null}"
echo "upload: all steps passed"
