#!/usr/bin/env bash
# The authentication page's complete example, as a ScientistCloud user runs it: only the base
# URL differs, and the login carries a password. Each step then checks what the script's user
# reads from the answer.
set -euo pipefail
: "${BASE:?}" "${EMAIL:?}" "${PASSWORD:?}"
LOGIN="{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}"
fail() { echo "FAILED: $*" >&2; exit 1; }

# 1. Login
echo "Logging in..."
TOKEN=$(curl -s -X POST "$BASE/api/auth/login" \
     -H "Content-Type: application/json" \
     -d "$LOGIN" | \
     jq -r '.data.access_token')

if [ -z "$TOKEN" ] || [ "$TOKEN" = "null" ]; then
    echo "❌ Login failed"
    exit 1
fi
echo "✅ Token obtained: ${TOKEN:0:20}..."

# 2. Verify token
echo "Verifying token..."
STATUS=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/auth/status")
echo "$STATUS" | jq
[ "$(echo "$STATUS" | jq -r '.success')" = true ] || fail "status: $STATUS"
[ "$(echo "$STATUS" | jq -r '.user.email')" = "$EMAIL" ] || fail "status user: $STATUS"

# 3. Get user info
echo "Getting user info..."
ME=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/auth/me")
echo "$ME" | jq
[ "$(echo "$ME" | jq -r '.user.email')" = "$EMAIL" ] || fail "me: $ME"
[ "$(echo "$ME" | jq -r '.user.user_id')" != null ] || fail "me user_id: $ME"
[ "$(echo "$ME" | jq -r '.user.email_verified')" != null ] || fail "me email_verified: $ME"

# 4. Use token for API calls
echo "Listing datasets..."
DATASETS=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/portal/api/datasets")
echo "$DATASETS" | jq
[ "$(echo "$DATASETS" | jq -r '.datasets | type')" = array ] || fail "datasets: $DATASETS"

# Refresh, as a long poll would before its token runs out.
REFRESH=$(curl -s -X POST "$BASE/api/auth/login" -H "Content-Type: application/json" -d "$LOGIN" | jq -r '.data.refresh_token')
REFRESHED=$(curl -s -X POST "$BASE/api/auth/refresh" -H "Content-Type: application/json" \
     -d "{\"refresh_token\": \"$REFRESH\"}")
[ "$(echo "$REFRESHED" | jq -r '.data.token_type')" = Bearer ] || fail "refresh: $REFRESHED"
[ "$(echo "$REFRESHED" | jq -r '.data.expires_in')" -gt 0 ] || fail "refresh expires_in: $REFRESHED"

# Health, without a token.
[ "$(curl -s "$BASE/api/auth/health" | jq -r '.status')" = healthy ] || fail "health"

# 5. Logout
echo "Logging out..."
LOGOUT=$(curl -s -X POST "$BASE/api/auth/logout" -H "Authorization: Bearer $TOKEN")
echo "$LOGOUT" | jq
[ "$(echo "$LOGOUT" | jq -r '.success')" = true ] || fail "logout: $LOGOUT"

# The troubleshooting section's check: a revoked token is not valid any more (it may take the
# gateway a moment to hear of the logout).
for attempt in $(seq 1 50); do
    CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/api/auth/status")
    [ "$CODE" = 401 ] && break
    sleep 0.2
done
[ "$CODE" = 401 ] || fail "a logged-out token still answers $CODE"
ANSWER=$(curl -s -H "Authorization: Bearer garbage" "$BASE/api/auth/status")
[ "$(echo "$ANSWER" | jq -r '.success')" = false ] || fail "garbage token: $ANSWER"
[ "$(echo "$ANSWER" | jq -r '.code')" = AUTH_ERROR ] || fail "garbage token code: $ANSWER"
[ "$(curl -s "$BASE/portal/api/datasets" | jq -r '.code')" = AUTH_REQUIRED ] || fail "no token code"
echo "authentication: all steps passed"
