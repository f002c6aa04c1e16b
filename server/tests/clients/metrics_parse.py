#!/usr/bin/env python3
"""Parses a Prometheus text exposition (stdin) with the reference parser of the Prometheus
project's Python client, and prints its samples as JSON: [{"name", "labels", "value"}].
A text the parser refuses exits 1 with the reason."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    samples = [
        {"name": s.name, "labels": s.labels, "value": s.value, "type": family.type}
        for family in text_string_to_metric_families(sys.stdin.read())
        for s in family.samples
    ]
except Exception as e:  # the parser's refusal, whatever its class
    print(f"not a valid exposition: {e}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(samples))
