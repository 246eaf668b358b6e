#!/usr/bin/env bash
# The resource API as its users' scripts call it, with curl and jq, through the gateway: create a
# workspace, apply the documented workflow manifest as YAML and the complete example as JSON,
# list and read them, apply a new version, read the revisions, delete; and what a refused
# manifest and a missing resource answer.
set -euo pipefail
: "${BASE:?}" "${EMAIL:?}" "${PASSWORD:?}"
fail() { echo "FAILED: $*" >&2; exit 1; }
TOKEN=$(curl -s -X POST "$BASE/v1/auth/login" -H "Content-Type: application/json" \
     -d "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}" | jq -r '.access_token')
[ "$TOKEN" != null ] || fail "login"
auth=(-H "Authorization: Bearer $TOKEN")

WORKSPACE=analytics-$RANDOM
CREATED=$(curl -s "${auth[@]}" -X POST "$BASE/v1/workspaces" -H "Content-Type: application/json" \
     -d "{\"name\": \"$WORKSPACE\", \"description\": \"Analytics team workspace\"}")
[ "$(echo "$CREATED" | jq -r '.workspace.name')" = "$WORKSPACE" ] || fail "create workspace: $CREATED"

# The documented manifest, as YAML
cat > workflow.yaml <<YAML
name: my-workflow
version: v1
type: workflow
workflow:
  dag:
    - name: task
      spec:
        stack: flare:7.0
YAML
APPLIED=$(curl -s "${auth[@]}" -X POST "$BASE/v1/resources?workspace=$WORKSPACE" \
     -H "Content-Type: application/yaml" --data-binary @workflow.yaml)
[ "$(echo "$APPLIED" | jq -r '.message')" = "Resource created successfully" ] \
    && [ "$(echo "$APPLIED" | jq -r '.resource.status')" = pending ] || fail "apply YAML: $APPLIED"

# The complete example, as JSON
APPLIED=$(curl -s "${auth[@]}" -X POST "$BASE/v1/resources" -H "Content-Type: application/json" -d "{
  \"name\": \"sales-pipeline\", \"version\": \"v1\", \"type\": \"workflow\", \"workspace\": \"$WORKSPACE\",
  \"workflow\": {\"schedule\": {\"cron\": \"0 2 * * *\"}, \"dag\": [{\"name\": \"extract\", \"spec\": {\"stack\": \"flare:7.0\"}}]}}")
[ "$(echo "$APPLIED" | jq -r '.resource.name')" = sales-pipeline ] || fail "apply JSON: $APPLIED"

LIST=$(curl -s "${auth[@]}" "$BASE/v1/resources?type=workflow&workspace=$WORKSPACE&limit=20&offset=0")
[ "$(echo "$LIST" | jq -r '.meta.total == 2 and .meta.limit == 20 and ([.data[].name] | sort) == ["my-workflow", "sales-pipeline"]')" = true ] \
    || fail "list: $LIST"
ONE=$(curl -s "${auth[@]}" "$BASE/v1/resources/workflow/sales-pipeline?workspace=$WORKSPACE")
[ "$(echo "$ONE" | jq -r '.spec.workflow.schedule.cron')" = "0 2 * * *" ] || fail "get: $ONE"

# A new version: the old one stays readable
sed -e 's/^version: v1/version: v2/' -e 's/name: task/name: updated-task/' workflow.yaml > workflow-v2.yaml
UPDATED=$(curl -s "${auth[@]}" -X PUT "$BASE/v1/resources/workflow/my-workflow?workspace=$WORKSPACE" \
     -H "Content-Type: application/yaml" --data-binary @workflow-v2.yaml)
[ "$(echo "$UPDATED" | jq -r '.resource.version')" = v2 ] || fail "update: $UPDATED"
REVISIONS=$(curl -s "${auth[@]}" "$BASE/v1/resources/workflow/my-workflow/revisions?workspace=$WORKSPACE")
[ "$(echo "$REVISIONS" | jq -r '[.data[].version] == ["v2", "v1"]')" = true ] || fail "revisions: $REVISIONS"

# A manifest with a cycle is refused, saying where
CODE=$(curl -s -o refused.json -w '%{http_code}' "${auth[@]}" -X POST "$BASE/v1/resources" \
     -H "Content-Type: application/yaml" --data-binary $'name: loop\ntype: workflow\nworkflow:\n  dag:\n    - name: a\n      dependencies: [b]\n      spec: {stack: shell:1}\n    - name: b\n      dependencies: [a]\n      spec: {stack: shell:1}\n')
[ "$CODE" = 400 ] && [ "$(jq -r '.error.field' refused.json)" = workflow.dag ] || fail "a cycle answers $CODE: $(cat refused.json)"

DELETED=$(curl -s "${auth[@]}" -X DELETE "$BASE/v1/resources/workflow/my-workflow?workspace=$WORKSPACE")
[ "$(echo "$DELETED" | jq -r '.message')" = "Resource deleted successfully" ] || fail "delete: $DELETED"
CODE=$(curl -s -o missing.json -w '%{http_code}' "${auth[@]}" "$BASE/v1/resources/workflow/my-workflow?workspace=$WORKSPACE")
[ "$CODE" = 404 ] && [ "$(jq -r '.error.code + " " + .error.details.name' missing.json)" = "RESOURCE_NOT_FOUND my-workflow" ] \
    || fail "a deleted resource answers $CODE: $(cat missing.json)"
echo "resources: all steps passed"
