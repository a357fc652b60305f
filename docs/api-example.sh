#!/usr/bin/env bash
# An example client of kitloan's API, in bash with curl and jq: it adds a product to the
# catalogue and a labelled item of it, adds a child, issues the item to the child on a
# loan and books it back in. Each answer is checked, and the script stops at the first
# that is not what it expects, saying why.
#
#   KITLOAN_URL=http://127.0.0.1:8080 \
#   KITLOAN_TOKEN=klt_... \
#   KITLOAN_THERAPIST_EMAIL=ot.amara@demo.kitloan \
#   bash docs/api-example.sh
#
# KITLOAN_TOKEN is the API token of a store or admin user (an admin makes one with
# `kitloan token create EMAIL`); KITLOAN_THERAPIST_EMAIL is a therapist who can sign in,
# who becomes the child's lead therapist. Every operation used here is described at
# $KITLOAN_URL/api/docs, and its contract is $KITLOAN_URL/api/v1/openapi.json.
# CI runs this script against a started server (TestAPIExampleScript in cmd/kitloan).
set -euo pipefail

: "${KITLOAN_URL:?set KITLOAN_URL to the service, such as http://127.0.0.1:8080}"
: "${KITLOAN_TOKEN:?set KITLOAN_TOKEN to an API token of a store or admin user}"
: "${KITLOAN_THERAPIST_EMAIL:?set KITLOAN_THERAPIST_EMAIL to the email of a therapist, the lead therapist of the child}"
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "this script needs $tool" >&2; exit 1; }
done

# api METHOD PATH [BODY] sends a request to the API and prints the answer. Any answer but
# a 2xx stops the script with the error's message: {"error": {"code", "message", "fields"}}.
api() {
  local method=$1 path=$2 body=${3-}
  local args=(--silent --show-error --request "$method" --header "Authorization: Bearer $KITLOAN_TOKEN"
    --header "Accept: application/json" --write-out '\n%{http_code}')
  if [[ -n $body ]]; then
    args+=(--header "Content-Type: application/json" --data "$body")
  fi
  local answer status
  answer=$(curl "${args[@]}" "${KITLOAN_URL%/}/api/v1$path")
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  if [[ $status != 2?? ]]; then
    echo "$method $path answered $status: $(jq -r '.error | "\(.message) \(.fields // {} | tostring)"' <<<"$answer" 2>/dev/null || echo "$answer")" >&2
    exit 1
  fi
  printf '%s\n' "$answer"
}

# expect JSON FILTER WHAT stops the script unless the jq filter holds for the answer.
expect() {
  if ! jq -e "$2" >/dev/null <<<"$1"; then
    echo "unexpected answer: $3: $1" >&2
    exit 1
  fi
}

# 1. A product in the catalogue: a returnable one, whose units are labelled items.
product=$(api POST /products "$(jq -n '{name: "Activity chair", size: "Size 2", category: "Seating",
  kind: "returnable", manufacturer: "Example Seating", service_interval_days: 365, unit_cost_pence: 45000}')")
product_id=$(jq -r .id <<<"$product")
echo "Added product $product_id: $(jq -r '"\(.name) (\(.size))"' <<<"$product")"

# 2. One labelled unit of it; the service gives it the next free tag.
item=$(api POST /items "$(jq -n --argjson product "$product_id" \
  '{product_id: $product, serial: "EX-\(now | floor)", condition: "good", location: "Store, bay 1"}')")
tag=$(jq -r .tag <<<"$item")
expect "$item" '.status == "available" and .product.name == "Activity chair" and .product.size == "Size 2"' "a new item is available"
echo "Added item $tag, $(jq -r .product.display_name <<<"$item")"

# 3. The child it is lent to.
child=$(api POST /children "$(jq -n --arg therapist "$KITLOAN_THERAPIST_EMAIL" '{given_name: "Sam", family_name: "Example",
  date_of_birth: "2018-05-01", address: "1 Example Road, Exampleton", therapist_email: $therapist,
  carers: [{name: "Pat Example", relationship: "parent", phone: "07700 900000"}]}')")
child_id=$(jq -r .id <<<"$child")
echo "Added child $child_id ($(jq -r .reference <<<"$child"))"

# 4. Issue a loan: the item goes home with the child.
loan=$(api POST /loans "$(jq -n --argjson child "$child_id" --arg tag "$tag" \
  '{child_id: $child, tags: [$tag], location: "home", recipient: "Pat Example", recipient_relationship: "parent"}')")
loan_id=$(jq -r .id <<<"$loan")
expect "$loan" '.status == "open" and (.items | length) == 1' "the loan is open with one item"
expect "$(api GET "/items/$tag")" ".status == \"on_loan\" and .loan_id == $loan_id" "the item is on loan"
echo "Issued loan $(jq -r .reference <<<"$loan") of $tag, review on $(jq -r .review_date <<<"$loan")"

# 5. Return it: the item comes back in good condition, and the loan closes.
loan=$(api POST "/loans/$loan_id/return" "$(jq -n --arg tag "$tag" '{items: [{tag: $tag, condition: "good"}]}')")
expect "$loan" '.status == "closed" and .items[0].returned_at != null' "the loan is closed"
expect "$(api GET "/items/$tag")" '.status == "returned" and .loan_id == null' "the item is back, awaiting its checks"
echo "Returned $tag: loan $(jq -r .reference <<<"$loan") is closed; the item waits for cleaning and inspection"
