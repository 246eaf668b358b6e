#!/usr/bin/env bash
# The instrument harvester's API as an administrator's scripts call it, with curl and jq: sign in
# with the form login, set up where files go and where they come from, schedule, trigger a run
# (twice with one Idempotency-Key), wait for it, and read what it recorded and what the catalogue
# registered; a workflow started by each harvested file, whose outputs land in a dataset; then
# what a regular user is told, before and after their team is granted the instrument.
set -euo pipefail
: "${BASE:?}" "${EMAIL:?}" "${PASSWORD:?}" "${ADMIN_EMAIL:?}" "${ADMIN_PASSWORD:?}" "${SOURCE:?}" "${STORE:?}"
fail() { echo "FAILED: $*" >&2; exit 1; }
form_login() {
    curl -s -X POST "$BASE/auth/jwt/login" -H "Content-Type: application/x-www-form-urlencoded" \
         --data-urlencode "username=$1" --data-urlencode "password=$2" | jq -r '.access_token'
}
TOKEN=$(form_login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
[ "$TOKEN" != null ] || fail "admin login"
USER_TOKEN=$(form_login "$EMAIL" "$PASSWORD")
[ "$USER_TOKEN" != null ] || fail "user login"
api() { curl -s -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" "$@"; }

# Where harvested files go, checked by writing, reading and deleting a probe
LOCATION=$(api -X POST "$BASE/api/storage-locations" \
     -d "{\"name\": \"Archive\", \"type\": \"posix\", \"base_path\": \"$STORE\"}")
LOCATION_ID=$(echo "$LOCATION" | jq -r '.id')
[ "$LOCATION_ID" != null ] || fail "create storage location: $LOCATION"
PROBE=$(api "$BASE/api/storage-locations/$LOCATION_ID/test")
[ "$(echo "$PROBE" | jq -r '.ok')" = true ] || fail "storage test: $PROBE"

# The account the microscope's share is read with: its password never comes back
ACCOUNT=$(api -X POST "$BASE/api/service-accounts" \
     -d '{"name": "Microscope PC", "domain": "LAB", "username": "harvest", "password": "s3cret-password"}')
[ "$(echo "$ACCOUNT" | jq -r '.has_password')" = true ] || fail "service account: $ACCOUNT"
echo "$ACCOUNT" | grep -q 's3cret-password' && fail "a password came back: $ACCOUNT"

# The catalogue dataset the microscope's files are registered in
DATASET_ID=$(api -X POST "$BASE/v1/datasets" -d '{"name": "Microscope data"}' | jq -r '.id')
[ "$DATASET_ID" != null ] || fail "create dataset"

# The instrument, and a schedule at 02:00 Berlin time
INSTRUMENT=$(api -X POST "$BASE/api/instruments" \
     -d "{\"name\": \"Microscope\", \"location\": \"Room 101\", \"source_type\": \"local\", \"source_path\": \"$SOURCE\",
          \"default_storage_location_id\": \"$LOCATION_ID\", \"dataset_id\": \"$DATASET_ID\"}")
INSTRUMENT_ID=$(echo "$INSTRUMENT" | jq -r '.id')
[ "$INSTRUMENT_ID" != null ] || fail "create instrument: $INSTRUMENT"
LIST=$(api "$BASE/api/instruments?skip=0&limit=10")
[ "$(echo "$LIST" | jq -r '.total >= 1 and .limit == 10 and (.items | length) >= 1')" = true ] || fail "instruments: $LIST"
BAD=$(api -o /dev/null -w '%{http_code}' -X POST "$BASE/api/schedules" \
     -d "{\"instrument_id\": \"$INSTRUMENT_ID\", \"cron_expression\": \"every night\"}")
[ "$BAD" = 422 ] || fail "a bad cron answers $BAD"
SCHEDULE=$(api -X POST "$BASE/api/schedules" \
     -d "{\"instrument_id\": \"$INSTRUMENT_ID\", \"cron_expression\": \"0 2 * * *\", \"timezone\": \"Europe/Berlin\"}")
SCHEDULE_ID=$(echo "$SCHEDULE" | jq -r '.id')
[ "$SCHEDULE_ID" != null ] || fail "create schedule: $SCHEDULE"

# A workflow that starts on every file harvested from the microscope and writes a summary of it
# into a dataset of its own: harvest -> Kafka -> workflow -> Kafka -> catalogue
RESULTS_ID=$(api -X POST "$BASE/v1/datasets" -d '{"name": "Microscope summaries"}' | jq -r '.id')
[ "$RESULTS_ID" != null ] || fail "create results dataset"
APPLIED=$(curl -s -X POST "$BASE/v1/resources" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/yaml" \
     --data-binary @- <<YAML
name: summarise-frames
version: 1.0.0
type: workflow
workflow:
  trigger:
    event: sciport.harvest.transfer.completed
    filter:
      instrument_id: $INSTRUMENT_ID
  outputs:
    dataset_id: $RESULTS_ID
  dag:
    - name: summarise
      spec:
        stack: shell
        command: 'for f in inputs/*; do [ "\$f" = inputs/event.json ] || wc -c < "\$f" > "outputs/\$(basename "\$f").size"; done'
YAML
)
[ "$(echo "$APPLIED" | jq -r '.resource.name')" = summarise-frames ] || fail "apply the workflow: $APPLIED"

# A manual harvest; the retried trigger answers the same run
RUN=$(api -X POST -H "Idempotency-Key: nightly-rerun-1" "$BASE/api/schedules/$SCHEDULE_ID/trigger")
RUN_ID=$(echo "$RUN" | jq -r '.flow_run_id')
[ "$RUN_ID" != null ] && [ "$(echo "$RUN" | jq -r '.schedule_id')" = "$SCHEDULE_ID" ] || fail "trigger: $RUN"
AGAIN=$(api -X POST -H "Idempotency-Key: nightly-rerun-1" "$BASE/api/schedules/$SCHEDULE_ID/trigger" | jq -r '.flow_run_id')
[ "$AGAIN" = "$RUN_ID" ] || fail "a retried trigger started another run"
for _ in $(seq 1 240); do
    STATUS=$(api "$BASE/api/harvest-runs/$RUN_ID" | jq -r '.status')
    [ "$STATUS" = completed ] || [ "$STATUS" = failed ] && break
    sleep 0.25
done
DONE=$(api "$BASE/api/harvest-runs/$RUN_ID")
[ "$(echo "$DONE" | jq -r '.status')" = completed ] && [ "$(echo "$DONE" | jq -r '.files_transferred')" = 2 ] \
    || fail "run: $DONE"

# What it recorded: two files with ARKs and xxHash, each transfer verified
FILES=$(api "$BASE/api/files?instrument_id=$INSTRUMENT_ID")
[ "$(echo "$FILES" | jq -r 'length')" = 2 ] || fail "files: $FILES"
[ "$(echo "$FILES" | jq -r 'all(.[]; (.persistent_id | startswith("ark:/99999/fk4")) and .persistent_id_type == "ark"
     and (.xxhash | length) == 16)')" = true ] || fail "file records: $FILES"
FILE_ID=$(echo "$FILES" | jq -r '.[0].id')
ARK=$(echo "$FILES" | jq -r '.[0].persistent_id')
TRANSFERS=$(api "$BASE/api/transfers?file_id=$FILE_ID")
[ "$(echo "$TRANSFERS" | jq -r '.[0].status == "completed" and .[0].checksum_verified == true
     and .[0].source_checksum == .[0].dest_checksum')" = true ] || fail "transfers: $TRANSFERS"
RESOLVED=$(api "$BASE/$ARK")
[ "$(echo "$RESOLVED" | jq -r '.id')" = "$FILE_ID" ] || fail "resolving $ARK: $RESOLVED"

# The catalogue registered both files in the instrument's dataset, with their sizes and SHA-256
for _ in $(seq 1 120); do
    REGISTERED=$(api "$BASE/v1/datasets/$DATASET_ID/files")
    [ "$(echo "$REGISTERED" | jq -r '.data | length')" = 2 ] && break
    sleep 0.25
done
[ "$(echo "$REGISTERED" | jq -r --argjson files "$FILES" '(.data | map(.filename) | sort) == ($files | map(.filename) | sort)
     and all(.data[]; .size_bytes > 0 and (.sha256 | length) == 64)')" = true ] || fail "dataset files: $REGISTERED"

# The stored copy of a file, byte for byte as the instrument wrote it
NAME=$(echo "$FILES" | jq -r '.[0].source_path')
case "$NAME" in /*) ORIGINAL="$NAME" ;; *) ORIGINAL="$SOURCE/$NAME" ;; esac
api -o content.bin "$BASE/api/files/$FILE_ID/content"
cmp -s content.bin "$ORIGINAL" || fail "the stored copy of $NAME differs from the source"

# Each harvested file started the workflow once; its summaries landed in the results dataset
for _ in $(seq 1 240); do
    SUMMARIES=$(api "$BASE/v1/datasets/$RESULTS_ID/files")
    [ "$(echo "$SUMMARIES" | jq -r '.data | length')" = 2 ] && break
    sleep 0.25
done
[ "$(echo "$SUMMARIES" | jq -r --argjson files "$FILES" '(.data | map(.filename) | sort)
     == ($files | map(.filename + ".size") | sort) and all(.data[]; (.sha256 | length) == 64)')" = true ] \
    || fail "workflow outputs in the dataset: $SUMMARIES"
RUNS=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/v1/resources/workflow/summarise-frames/runs")
[ "$(echo "$RUNS" | jq -r '.meta.total == 2 and all(.data[]; .trigger == "event" and .status == "succeeded")')" = true ] \
    || fail "workflow runs: $RUNS"
RUN_LOG=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/v1/resources/workflow/summarise-frames/logs")
echo "$RUN_LOG" | jq -e '.logs | any(.message | startswith("Input staged: inputs/"))' > /dev/null \
    || fail "the run's log does not show its input: $RUN_LOG"

# A workflow given every file of a dataset, wherever each is kept: the microscope's dataset (two
# harvested files and one uploaded), and the summaries dataset (other runs' outputs)
printf 'calibration 7\n' > calibration.txt
UPLOADED=$(curl -s -X POST "$BASE/api/upload/upload" -H "Authorization: Bearer $TOKEN" \
     -F file=@calibration.txt -F "dataset_id=$DATASET_ID" | jq -r '.job_id')
[ "$UPLOADED" != null ] || fail "upload into the microscope's dataset"
for _ in $(seq 1 120); do
    [ "$(api "$BASE/v1/datasets/$DATASET_ID/files" | jq -r '.data | length')" = 3 ] && break
    sleep 0.25
done
for SOURCE_DATASET in "$DATASET_ID" "$RESULTS_ID"; do
    GATHER="gather-$(echo "$SOURCE_DATASET" | cut -c1-8)"
    curl -s -o /dev/null -X POST "$BASE/v1/resources" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/yaml" \
         --data-binary @- <<YAML
name: $GATHER
type: workflow
workflow:
  inputs: {dataset_id: $SOURCE_DATASET}
  dag:
    - name: list
      spec: {stack: shell, command: "cd inputs && sha256sum * > ../outputs/sums.txt"}
YAML
    for _ in $(seq 1 240); do
        GATHERED=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/v1/resources/workflow/$GATHER/runs")
        echo "$GATHERED" | jq -e '.data[0].status | IN("succeeded", "failed")' > /dev/null && break
        sleep 0.25
    done
    [ "$(echo "$GATHERED" | jq -r '.data[0].status')" = succeeded ] || fail "gathering $SOURCE_DATASET: $GATHERED"
    STAGED=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/v1/resources/workflow/$GATHER/logs" \
         | jq '[.logs[] | select(.message | startswith("Input staged: "))] | length')
    EXPECTED=$(api "$BASE/v1/datasets/$SOURCE_DATASET/files" | jq '.data | length')
    [ "$STAGED" = "$EXPECTED" ] || fail "$GATHER staged $STAGED of $EXPECTED files"
done

# A regular user: administration is refused, and ungranted records are not found
CODE=$(curl -s -o forbidden.json -w '%{http_code}' -H "Authorization: Bearer $USER_TOKEN" "$BASE/api/instruments")
[ "$CODE" = 403 ] && [ "$(jq -r '.detail | type' forbidden.json)" = string ] || fail "a user on instruments: $CODE"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $USER_TOKEN" "$BASE/api/files/$FILE_ID")
[ "$CODE" = 404 ] || fail "an ungranted file answers $CODE"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $USER_TOKEN" "$BASE/api/files/$FILE_ID/content")
[ "$CODE" = 404 ] || fail "an ungranted file's content answers $CODE"

# The user's team is granted the instrument: once the catalogue's team events reach the
# harvester, the user sees its files
TEAM_ID=$(curl -s -X POST "$BASE/v1/teams" -H "Authorization: Bearer $USER_TOKEN" -H "Content-Type: application/json" \
     -d '{"name": "Microscopy"}' | jq -r '.id')
[ "$TEAM_ID" != null ] || fail "create team"
GRANT=$(api -o /dev/null -w '%{http_code}' -X POST "$BASE/api/instruments/$INSTRUMENT_ID/access" \
     -d "{\"grantee_type\": \"team\", \"grantee_id\": \"$TEAM_ID\"}")
[ "$GRANT" = 201 ] || fail "grant the team: $GRANT"
for _ in $(seq 1 120); do
    CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $USER_TOKEN" "$BASE/api/files/$FILE_ID")
    [ "$CODE" = 200 ] && break
    sleep 0.25
done
[ "$CODE" = 200 ] || fail "a file granted to the user's team answers $CODE"
curl -s -o granted.bin -H "Authorization: Bearer $USER_TOKEN" "$BASE/api/files/$FILE_ID/content"
cmp -s granted.bin "$ORIGINAL" || fail "the granted user's copy of $NAME differs"

# Deleting is soft: the instrument is gone from the API, its files stay
[ "$(api -o /dev/null -w '%{http_code}' -X DELETE "$BASE/api/schedules/$SCHEDULE_ID")" = 204 ] || fail "delete schedule"
[ "$(api -o /dev/null -w '%{http_code}' -X DELETE "$BASE/api/instruments/$INSTRUMENT_ID")" = 204 ] || fail "delete instrument"
[ "$(api -o /dev/null -w '%{http_code}' "$BASE/api/instruments/$INSTRUMENT_ID")" = 404 ] || fail "deleted instrument"
[ "$(api "$BASE/api/files/$FILE_ID" | jq -r '.id')" = "$FILE_ID" ] || fail "a harvested file went with its instrument"
echo "harvest: all steps passed"
