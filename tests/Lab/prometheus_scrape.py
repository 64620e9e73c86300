"""Scrapes a Prometheus endpoint once and prints its samples as JSON, or fails.

The format is checked by prometheus_client's own text parser (Debian python3-prometheus-client), the reference
reader for the text exposition format, and by two rules it leaves out: every sample belongs to a family with a
# TYPE line, and no series appears twice. Output: {"content_type": ..., "samples": [{"name", "labels", "value", "type"}]}.
Exit codes: 0 ok, 2 the endpoint could not be read (connection refused: the endpoint is closed), 3 the text is invalid.
"""
import argparse
import json
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("--timeout", type=float, default=5)
args = parser.parse_args()

try:
    with urllib.request.urlopen(args.url, timeout=args.timeout) as response:
        content_type = response.headers.get("Content-Type", "")
        text = response.read().decode("utf-8")
except (urllib.error.URLError, OSError) as error:
    print(json.dumps({"error": str(error)}))
    sys.exit(2)

typed = set()
for line in text.splitlines():
    if line.startswith("# TYPE "):
        typed.add(line.split()[2])

samples = []
seen = set()
try:
    for family in text_string_to_metric_families(text):
        if family.name not in typed and family.name + "_total" not in typed:
            raise ValueError(f"family {family.name} has no # TYPE line")
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            if key in seen:
                raise ValueError(f"series {key} appears twice")
            seen.add(key)
            samples.append({"name": sample.name, "labels": sample.labels, "value": sample.value, "type": family.type})
except ValueError as error:
    print(json.dumps({"error": f"invalid Prometheus text: {error}", "text": text[:2000]}))
    sys.exit(3)

print(json.dumps({"content_type": content_type, "samples": samples}))
