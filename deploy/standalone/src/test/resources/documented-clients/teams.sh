#!/usr/bin/env bash
# What the portal's web client sends for teams, sharing and jobs (the calls its pages make,
# each with the .php suffix and the cache-busting t parameter it adds).
set -euo pipefail
: "${BASE:?}" "${EMAIL:?}" "${PASSWORD:?}" "${OTHER_EMAIL:?}" "${THIRD_EMAIL:?}" "${DATASET_UUID:?}" "${FILE:?}"
: "${ADMIN_EMAIL:?}" "${ADMIN_PASSWORD:?}"
fail() { echo "FAILED: $*" >&2; exit 1; }
login() {
    curl -s -X POST "$BASE/api/auth/login" -H "Content-Type: application/json" \
         -d "{\"email\": \"$1\", \"password\": \"$PASSWORD\"}" | jq -r '.data.access_token'
}
TOKEN=$(login "$EMAIL")
OTHER=$(login "$OTHER_EMAIL")
THIRD=$(login "$THIRD_EMAIL")
T=$(date +%s)

# A team with a colleague, named by email
TEAM=$(curl -s -X POST "$BASE/portal/api/create-team.php?t=$T" -H "Authorization: Bearer $TOKEN" \
     -H "Content-Type: application/json" \
     -d "{\"team_name\": \"Beamline 7\", \"emails\": [\"$OTHER_EMAIL\"], \"owner_email\": \"$EMAIL\"}")
echo "$TEAM" | jq
TEAM_UUID=$(echo "$TEAM" | jq -r '.team.uuid')
[ "$(echo "$TEAM" | jq -r '.success')" = true ] && [ "$TEAM_UUID" != null ] || fail "create-team: $TEAM"
TEAMS=$(curl -s -H "Authorization: Bearer $OTHER" "$BASE/portal/api/get-teams.php?t=$T")
[ "$(echo "$TEAMS" | jq -r '.teams[0].uuid')" = "$TEAM_UUID" ] || fail "get-teams: $TEAMS"

# A newcomer added by email
ADDED=$(curl -s -X POST "$BASE/portal/api/update-team.php?t=$T" -H "Authorization: Bearer $TOKEN" \
     -H "Content-Type: application/json" \
     -d "{\"teamId\": \"$TEAM_UUID\", \"newName\": \"Beamline 7B\", \"newMemberEmail\": \"$THIRD_EMAIL\"}")
[ "$(echo "$ADDED" | jq -r '.success')" = true ] || fail "update-team: $ADDED"
[ "$(echo "$ADDED" | jq -r '.team.members | length')" = 3 ] || fail "update-team members: $ADDED"

# Not shared yet: the colleague cannot see the dataset
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OTHER" \
     "$BASE/portal/api/dataset-details.php?dataset_uuid=$DATASET_UUID&t=$T")
[ "$CODE" = 404 ] || fail "an unshared dataset answers $CODE"

# Shared with the team by name: all three see it, filtered by team
SHARED=$(curl -s -X POST "$BASE/portal/api/share-dataset.php?t=$T" -H "Authorization: Bearer $TOKEN" \
     -H "Content-Type: application/json" -d "{\"dataset_uuid\": \"$DATASET_UUID\", \"team_name\": \"Beamline 7B\"}")
[ "$(echo "$SHARED" | jq -r '.success')" = true ] || fail "share-dataset by team: $SHARED"
[ "$(curl -s -H "Authorization: Bearer $THIRD" "$BASE/portal/api/datasets.php?team_uuid=$TEAM_UUID&t=$T" \
     | jq -r '.datasets[0].uuid')" = "$DATASET_UUID" ] || fail "team filter"

# Shared with one person by email (the third user's own dataset, with the first user)
THEIRS=$(curl -s -X POST "$BASE/api/upload/upload" -H "Authorization: Bearer $THIRD" \
     -F "file=@$FILE" -F "dataset_name=Third's run" -F "convert=false" -F "user_email=$THIRD_EMAIL" | jq -r '.dataset_uuid')
[ "$THEIRS" != null ] || fail "third user's upload"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
     "$BASE/portal/api/dataset-details?dataset_uuid=$THEIRS")
[ "$CODE" = 404 ] || fail "before sharing: $CODE"
ONE=$(curl -s -X POST "$BASE/portal/api/share-dataset.php?t=$T" -H "Authorization: Bearer $THIRD" \
     -H "Content-Type: application/json" -d "{\"dataset_id\": \"$THEIRS\", \"user_email\": \"$EMAIL\"}")
[ "$(echo "$ONE" | jq -r '.success')" = true ] || fail "share-dataset by email: $ONE"
[ "$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/portal/api/dataset-details?dataset_uuid=$THEIRS" \
     | jq -r '.dataset.access')" = read ] || fail "a dataset shared with one person"
NOBODY=$(curl -s -X POST "$BASE/portal/api/share-dataset" -H "Authorization: Bearer $THIRD" \
     -H "Content-Type: application/json" -d "{\"dataset_id\": \"$THEIRS\", \"user_email\": \"nobody@example.org\"}")
[ "$(echo "$NOBODY" | jq -r '.success')" = false ] || fail "share with an unknown address: $NOBODY"
# Nobody uploads in someone else's name
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/api/upload/upload" -H "Authorization: Bearer $THIRD" \
     -F "file=@$FILE" -F "dataset_name=Not mine" -F "user_email=$EMAIL")
[ "$CODE" = 403 ] || fail "an upload in another's name answers $CODE"

# An administrator uploads in a user's name: the dataset and the job are the user's
ADMIN=$(curl -s -X POST "$BASE/api/auth/login" -H "Content-Type: application/json" \
     -d "{\"email\": \"$ADMIN_EMAIL\", \"password\": \"$ADMIN_PASSWORD\"}" | jq -r '.data.access_token')
ONBEHALF=$(curl -s -X POST "$BASE/api/upload/upload" -H "Authorization: Bearer $ADMIN" \
     -F "file=@$FILE" -F "dataset_name=Uploaded for you" -F "convert=false" -F "user_email=$OTHER_EMAIL")
FOR_OTHER=$(echo "$ONBEHALF" | jq -r '.dataset_uuid')
[ "$FOR_OTHER" != null ] || fail "admin upload on behalf: $ONBEHALF"
[ "$(curl -s -H "Authorization: Bearer $OTHER" "$BASE/portal/api/dataset-details?dataset_uuid=$FOR_OTHER" \
     | jq -r '.dataset.access')" = owner ] || fail "the dataset is not the named user's"
[ "$(curl -s -H "Authorization: Bearer $OTHER" "$BASE/api/upload/jobs" | jq -r '.jobs[0].dataset_uuid')" = "$FOR_OTHER" ] \
    || fail "the job is not the named user's"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/api/upload/upload" -H "Authorization: Bearer $ADMIN" \
     -F "file=@$FILE" -F "dataset_name=Nobody's" -F "user_email=nobody-$RANDOM@example.org")
[ "$CODE" = 404 ] || fail "an upload for an unknown address answers $CODE"

# Folders and jobs, as the web client reads them
FOLDERS=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/portal/api/get-folders.php?t=$T")
[ "$(echo "$FOLDERS" | jq -r '.folders[] | select(.name == "CHESS_4D") | .uuid')" != "" ] || fail "get-folders: $FOLDERS"
JOBS=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/portal/api/jobs.php?status=completed&limit=50&offset=0&t=$T")
[ "$(echo "$JOBS" | jq -r '.success')" = true ] || fail "jobs: $JOBS"
[ "$(echo "$JOBS" | jq -r '.jobs[0].status')" = completed ] || fail "jobs status: $JOBS"
JOB=$(echo "$JOBS" | jq -r '.jobs[0].job_id')
RETRY=$(curl -s -X POST "$BASE/portal/api/retry-conversion.php?t=$T" -H "Authorization: Bearer $TOKEN" \
     -H "Content-Type: application/json" -d "{\"dataset_uuid\": \"$DATASET_UUID\"}")
[ "$(echo "$RETRY" | jq -r '.success')" = false ] || fail "retrying a dataset without failures: $RETRY"
CANCEL=$(curl -s -X POST "$BASE/portal/api/cancel-job.php?t=$T" -H "Authorization: Bearer $TOKEN" \
     -H "Content-Type: application/json" -d "{\"job_id\": \"$JOB\"}")
[ "$(echo "$CANCEL" | jq -r '.success')" = false ] || fail "cancelling a finished job: $CANCEL"
echo "teams: all steps passed"
