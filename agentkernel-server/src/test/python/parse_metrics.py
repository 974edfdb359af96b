"""Parses a Prometheus text-format scrape (standard input) with the official Prometheus Python
client's parser and prints its samples as JSON: [{"family", "type", "name", "labels", "value"}].
A document the parser refuses ends with exit status 1 and the parser's message (MetricsIT)."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    out = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        for sample in family.samples:
            out.append({"family": family.name, "type": family.type, "name": sample.name,
                        "labels": sample.labels, "value": sample.value})
except Exception as e:  # the parser's refusal, reported to the test
    print("unparseable: %s: %s" % (type(e).__name__, e))
    sys.exit(1)
print(json.dumps(out))
