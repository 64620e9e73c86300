#!/usr/bin/env bash
# Runs every check (format lint, xUnit, Pester) and ends with one line "N passed, N failed" that adds them up.
# A runner that dies before it reports counts as one failure, so a crash is never a silent pass.
set -uo pipefail
cd "$(dirname "$0")/.."
results="$(pwd)/out/test-results"
rm -rf "$results" && mkdir -p "$results"
passed=0
failed=0

echo "== lint: dotnet format --verify-no-changes"
if dotnet format TcpReplay.sln --verify-no-changes --no-restore; then
    passed=$((passed + 1))
else
    echo "lint: formatting differs; run 'dotnet format TcpReplay.sln' and commit."
    failed=$((failed + 1))
fi

echo "== xUnit"
dotnet test tests/Unit/TcpReplay.Engine.Tests.csproj -c Release --no-build \
    --logger "trx;LogFileName=unit.trx" --logger "console;verbosity=minimal" --results-directory "$results"
trx="$results/unit.trx"
if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    unit_passed=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    unit_failed=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    unit_errors=$(sed -E 's/.* error="([0-9]+)".*/\1/' <<<"$counters")
    passed=$((passed + unit_passed))
    failed=$((failed + unit_failed + unit_errors))
    echo "xUnit: $unit_passed passed, $unit_failed failed"
else
    echo "xUnit: the runner wrote no results"
    failed=$((failed + 1))
fi

echo "== Pester"
pester_json="$results/pester.json"
dotnet tool run pwsh -- -NoLogo -NoProfile -NonInteractive -File tests/run-pester.ps1 -ResultFile "$pester_json"
if [ -f "$pester_json" ]; then
    pester_passed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passed"])' "$pester_json")
    pester_failed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["failed"])' "$pester_json")
    passed=$((passed + pester_passed))
    failed=$((failed + pester_failed))
else
    echo "Pester: the runner wrote no results"
    failed=$((failed + 1))
fi

# CI shows only the end of the log: name what failed right above the count.
if [ -f "$trx" ]; then
    python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") not in ("Passed", "NotExecuted"):
        msg = r.find(".//t:Message", ns)
        text = (msg.text or "").strip().splitlines()[0][:300] if msg is not None and msg.text else ""
        print(f"xUnit FAILED: {r.get('testName')}: {text}")
PY
fi
if [ -f "$pester_json" ]; then
    python3 -c 'import json,sys; [print("Pester FAILED:", n) for n in json.load(open(sys.argv[1])).get("failedNames", [])]' "$pester_json"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
