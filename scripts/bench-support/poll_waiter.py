#!/usr/bin/env python3
"""A fixed-interval readiness poll, the baseline of scripts/bench's API readiness benchmark.

    poll_waiter.py URL INTERVAL_SECONDS USER_AGENT

GET URL (a fresh connection each time, 2 s timeout) until it answers 200, sleeping
INTERVAL_SECONDS after each failed attempt, like kubeadm's 500 ms wait.PollUntil loop
or RKE2's 1 s one. Every attempt counts as an HTTP request, including connects the
server refused. Prints {"httpRequests": N} and exits 0 once ready.
"""
import http.client
import json
import sys
import time
from urllib.parse import urlsplit


def main():
    url, interval, agent = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    parts = urlsplit(url)
    attempts = 0
    while True:
        attempts += 1
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
        try:
            conn.request("GET", parts.path or "/", headers={"User-Agent": agent})
            if conn.getresponse().status == 200:
                break
        except OSError:
            pass  # refused or reset: the server is not up yet
        finally:
            conn.close()
        time.sleep(interval)
    print(json.dumps({"httpRequests": attempts}))


if __name__ == "__main__":
    main()
