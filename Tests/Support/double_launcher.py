"""Starts kube_api_double.py as a child process on 127.0.0.1 and waits for its ready file.

Shared by the double's own tests (test_kube_api_double.py) and scripts/bench, which puts this
directory on sys.path. kube_api_double.py itself stays a standalone script (scripts/demo copies
it into containers), so the launcher lives beside it instead of inside it."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

DOUBLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kube_api_double.py")


class DoubleDidNotStart(RuntimeError):
    """The double exited, or wrote no ready file / did not accept in time; carries its stderr."""


class DoubleProcess:
    """One kube_api_double.py process with `listen` kernel-picked ports on 127.0.0.1 (0: a state-only
    process). Its ready file, and its stderr, go to `directory` (default: a temporary directory removed
    by stop()). stop() ends it with SIGTERM by PID, then SIGKILL after `stop_timeout` seconds."""

    def __init__(self, args=(), listen=1, directory=None, preexec_fn=None, stop_timeout=10, start_timeout=10):
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory()
            directory = self._tmp.name
        self.ready_file = os.path.join(str(directory), "double-%s.json" % os.urandom(4).hex())
        self.stop_timeout = stop_timeout
        # stderr goes to a file: nobody reads a pipe while the double runs, and a full one would block it.
        self.stderr_path = self.ready_file + ".err"
        self._stderr = open(self.stderr_path, "w")
        cmd = [sys.executable, DOUBLE, "--ready-file", self.ready_file]
        for _ in range(listen):
            cmd += ["--listen", "127.0.0.1:0"]
        cmd += list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self._stderr, stdin=subprocess.DEVNULL,
                                     preexec_fn=preexec_fn)
        self.info = None
        deadline = time.monotonic() + start_timeout
        while self.info is None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                said = self.stderr_text()  # before stop(), which removes a temporary directory
                self.stop()
                raise DoubleDidNotStart("API double did not start: %s" % said[-500:])
            try:
                # The double writes the file with a rename, but a reader may still race its creation.
                with open(self.ready_file) as f:
                    self.info = json.load(f)
            except (OSError, ValueError):
                time.sleep(0.01)
        self.ports = self.info["ports"]

    @property
    def port(self):
        """The first listening port."""
        return self.ports[0]

    @property
    def url(self):
        """http://127.0.0.1:PORT of the first listening port."""
        return "http://127.0.0.1:%d" % self.port

    def wait_accepting(self, timeout=10):
        """Waits until the double answers its control endpoint (after any --refuse-for)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.control("GET", "/__double/state")
                return
            except OSError:
                time.sleep(0.02)
        raise DoubleDidNotStart("API double never accepted on %d" % self.port)

    def control(self, method, path, body=None):
        """One request to the double's /__double/ control API; returns the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", "User-Agent": "double-control"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read() or b"null")

    def stderr_text(self):
        """What the double wrote to stderr so far."""
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def stop(self):
        """Stops the process (safe to call twice); returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()
        if self._tmp is not None:
            self._tmp.cleanup()
        return self.proc.returncode
