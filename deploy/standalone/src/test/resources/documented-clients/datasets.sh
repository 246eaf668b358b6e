#!/usr/bin/env bash
# The datasets page's complete example, as a ScientistCloud user runs it: only the base URL
# differs, and the login carries a password.
set -euo pipefail
: "${BASE:?}" "${EMAIL:?}" "${PASSWORD:?}" "${DATASET_UUID:?}" "${FILE:?}"
fail() { echo "FAILED: $*" >&2; exit 1; }

# Authenticate
TOKEN=$(curl -s -X POST "$BASE/api/auth/login" \
     -H "Content-Type: application/json" \
     -d "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}" | \
     jq -r '.data.access_token')

# 1. List all datasets
echo "Listing datasets..."
LIST=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/portal/api/datasets")
echo "$LIST" | jq
[ "$(echo "$LIST" | jq -r '.total')" -ge 1 ] || fail "list total: $LIST"
[ "$(echo "$LIST" | jq -r '.limit')" = 50 ] || fail "list limit: $LIST"
[ "$(echo "$LIST" | jq -r --arg id "$DATASET_UUID" '.datasets[] | select(.uuid == $id) | .folder')" = CHESS_4D ] \
    || fail "list folder: $LIST"

# 2. Get dataset details
echo "Getting dataset details..."
DETAILS=$(curl -s -H "Authorization: Bearer $TOKEN" \
     "$BASE/portal/api/dataset-details?dataset_uuid=$DATASET_UUID")
echo "$DETAILS" | jq
[ "$(echo "$DETAILS" | jq -r '.dataset.sensor')" = 4D_NEXUS ] || fail "details sensor: $DETAILS"
[ "$(echo "$DETAILS" | jq -r '.dataset.status')" = completed ] || fail "details status: $DETAILS"
[ "$(echo "$DETAILS" | jq -r '.dataset.file_count')" = 1 ] || fail "details file_count: $DETAILS"
[ "$(echo "$DETAILS" | jq -r '.dataset.tags | join(",")')" = "nexus,4d,chess" ] || fail "details tags: $DETAILS"

# 3. List dataset files
echo "Listing dataset files..."
FILES=$(curl -s -H "Authorization: Bearer $TOKEN" \
     "$BASE/portal/api/dataset-files?dataset_uuid=$DATASET_UUID")
echo "$FILES" | jq
NAME=$(basename "$FILE")
[ "$(echo "$FILES" | jq -r '.files[0].name')" = "$NAME" ] || fail "files: $FILES"
[ "$(echo "$FILES" | jq -r '.directories.upload.file_count')" = 1 ] || fail "directories: $FILES"

# The file's content, as the web client fetches it (with its .php suffix and cache buster).
curl -s -H "Authorization: Bearer $TOKEN" -o downloaded.nxs \
     "$BASE/portal/api/dataset-file-content.php?dataset_uuid=$DATASET_UUID&file_path=$NAME&directory=upload&t=$(date +%s)"
cmp -s downloaded.nxs "$FILE" || fail "the downloaded file differs from the uploaded one"

# 4. Update dataset
echo "Updating dataset..."
UPDATED=$(curl -s -X POST "$BASE/portal/api/update-dataset" \
     -H "Authorization: Bearer $TOKEN" \
     -H "Content-Type: application/json" \
     -d "{
       \"dataset_uuid\": \"$DATASET_UUID\",
       \"name\": \"Updated Name\",
       \"tags\": \"updated, tags\"
     }")
echo "$UPDATED" | jq
[ "$(echo "$UPDATED" | jq -r '.dataset.name')" = "Updated Name" ] || fail "update: $UPDATED"
[ "$(echo "$UPDATED" | jq -r '.dataset.tags | join(",")')" = "updated,tags" ] || fail "update tags: $UPDATED"

# 5. Check status
echo "Checking dataset status..."
STATUS=$(curl -s -H "Authorization: Bearer $TOKEN" \
     "$BASE/portal/api/dataset-status?dataset_uuid=$DATASET_UUID")
echo "$STATUS" | jq
[ "$(echo "$STATUS" | jq -r '.status')" = completed ] || fail "status: $STATUS"
[ "$(echo "$STATUS" | jq -r '.progress_percentage')" = 100 ] || fail "status progress: $STATUS"

# Filtering and pagination
[ "$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/portal/api/datasets?folder=CHESS_4D" | jq -r '.total')" = 1 ] \
    || fail "folder filter"
[ "$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/portal/api/datasets?status=completed" | jq -r '.total')" -ge 1 ] \
    || fail "status filter"
[ "$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/portal/api/datasets?page=1&limit=1" | jq -r '.datasets | length')" = 1 ] \
    || fail "pagination"
MISSING=$(curl -s -H "Authorization: Bearer $TOKEN" \
     "$BASE/portal/api/dataset-details?dataset_uuid=550e8400-e29b-41d4-a716-446655440000")
[ "$(echo "$MISSING" | jq -r '.code')" = DATASET_NOT_FOUND ] || fail "missing dataset: $MISSING"
echo "datasets: all steps passed"
