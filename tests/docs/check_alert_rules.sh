#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The alert rules of docs/operations.md as Prometheus reads them: the page's yaml block
# after "### Alert rules" must pass `promtool check rules`, and fire (and only fire) as
# alert_rules_test.yml says, under `promtool test rules`.
# Usage: check_alert_rules.sh OPERATIONS_MD RULES_TEST_YML
set -euo pipefail
page=$1
rules_test=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk '/^### Alert rules/ { section = 1 }
     section && /^```yaml/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' "$page" > "$work/alerts.yml"
if [ ! -s "$work/alerts.yml" ]; then
  echo "no yaml block after '### Alert rules' in $page" >&2
  exit 1
fi
cp "$rules_test" "$work/alert_rules_test.yml"
promtool check rules "$work/alerts.yml"
promtool test rules "$work/alert_rules_test.yml"
