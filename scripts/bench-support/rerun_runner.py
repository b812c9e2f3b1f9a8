#!/usr/bin/env python3
"""Runs one command N times inside the benchmark container and records what each run changed.

    rerun_runner.py RUNS -- CMD...

Per run: wall time of the process (perf_counter around fork..exit), its exit status and
stdout, the files under /etc/kubernetes and /etc/systemd/system whose (inode, size,
mtime) changed, appeared or vanished, whether systemd reloaded (the manager's
UnitsLoadStartTimestampMonotonic moved), how many jobs systemd installed (NInstalledJobs),
and whether kubelet.service was (re)started (ExecMainStartTimestampMonotonic moved).
The observations are taken between runs, outside the timed part. Prints one JSON
array on stdout.
"""
import json
import os
import subprocess
import sys
import time

WATCHED = ["/etc/kubernetes", "/etc/systemd/system"]


def files():
    seen = {}
    for top in WATCHED:
        for dirpath, dirnames, filenames in os.walk(top):
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                seen[path] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return seen


def show(*args):
    out = subprocess.run(["systemctl", "show", *args], capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def snapshot():
    manager = show("-p", "UnitsLoadStartTimestampMonotonic", "-p", "NInstalledJobs")
    kubelet = show("-p", "ExecMainStartTimestampMonotonic", "-p", "NRestarts", "-p", "ActiveState", "kubelet.service")
    return files(), manager, kubelet


def main():
    runs = int(sys.argv[1])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    results = []
    before = snapshot()
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        after = snapshot()
        old, new = before[0], after[0]
        changed = sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))
        results.append({
            "seconds": seconds, "status": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr[-2000:],
            "filesChanged": changed,
            "reloaded": before[1].get("UnitsLoadStartTimestampMonotonic") != after[1].get("UnitsLoadStartTimestampMonotonic"),
            "jobsInstalled": int(after[1].get("NInstalledJobs", 0)) - int(before[1].get("NInstalledJobs", 0)),
            "kubeletStarted": before[2].get("ExecMainStartTimestampMonotonic") != after[2].get("ExecMainStartTimestampMonotonic"),
            "kubeletActive": after[2].get("ActiveState"),
        })
        before = after
    print(json.dumps(results))


if __name__ == "__main__":
    main()
