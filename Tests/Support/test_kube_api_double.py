"""Tests for kube_api_double.py: run with
    python3 -m unittest discover -s Tests/Support -p 'test_*.py'
Every server is a real subprocess on 127.0.0.1 with a port picked by the kernel."""

import base64
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
# `python3 -m unittest Tests/Support/test_kube_api_double.py` does not put this directory on sys.path.
sys.path.insert(0, HERE)
from double_launcher import DoubleProcess  # noqa: E402
from kube_api_double import PATCH_TYPES  # noqa: E402

LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases"


class Double(DoubleProcess):
    """DoubleProcess with the double's arguments given inline: Double("--mode", "legacy", listen=2)."""

    def __init__(self, *args, listen=1):
        super().__init__(args, listen=listen)


def request(port, method, path, body=None, headers=None, timeout=10, context=None, port_index=None):
    """Returns (status, headers dict, body bytes) on a fresh connection."""
    if context is not None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = {"User-Agent": "double-test"}
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def rj(port, method, path, body=None, **kw):
    """request() with the body decoded as JSON."""
    status, headers, data = request(port, method, path, body, **kw)
    return status, json.loads(data)


def namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def lease(name, holder="node-a", rv=None, renew="2026-11-24T22:00:00.000000Z"):
    meta = {"name": name, "namespace": "default"}
    if rv is not None:
        meta["resourceVersion"] = rv
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta,
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": 15,
                     "acquireTime": renew, "renewTime": renew, "leaseTransitions": 0}}


class SharedDoubleTestCase(unittest.TestCase):
    """One double for the whole class, reset to its start state before each test."""

    @classmethod
    def setUpClass(cls):
        cls.double = Double()
        cls.port = cls.double.port

    @classmethod
    def tearDownClass(cls):
        cls.double.stop()

    def setUp(self):
        rj(self.port, "POST", "/__double/reset")


class HealthTimelineTests(unittest.TestCase):
    def test_refuses_then_answers_500_with_failing_checks_then_ok(self):
        double = Double("--refuse-for", "1.0", "--unready-for", "0.8")
        self.addCleanup(double.stop)
        seen = []
        deadline = time.monotonic() + 8
        verbose_body = plain_body = None
        while time.monotonic() < deadline:
            try:
                status, _, body = request(double.port, "GET", "/readyz", timeout=2)
            except ConnectionRefusedError:
                stage = "refused"
            else:
                stage = status
                if status == 500 and verbose_body is None:
                    plain_body = body.decode()
                    verbose_body = request(double.port, "GET", "/readyz?verbose")[2].decode()
                    livez = request(double.port, "GET", "/livez")
                    self.assertEqual(livez[0], 500)
                if status == 200:
                    self.assertEqual(body, b"ok")
            if not seen or seen[-1] != stage:
                seen.append(stage)
            if stage == 200:
                break
            time.sleep(0.05)
        self.assertEqual(seen, ["refused", 500, 200])
        self.assertIn("[-]poststarthook/start-apiextensions-controllers failed: reason withheld\n", plain_body)
        self.assertIn("[-]informer-sync failed: reason withheld\n", plain_body)
        self.assertTrue(plain_body.startswith("[+]ping ok\n"))
        self.assertTrue(plain_body.endswith("\nreadyz check failed\n"))
        # k8s.io/apiserver's healthz handler is always verbose on failure.
        self.assertEqual(verbose_body, plain_body)
        status, headers, body = request(double.port, "GET", "/readyz?verbose")
        self.assertEqual(status, 200)
        self.assertTrue(body.decode().endswith("readyz check passed\n"))
        self.assertNotIn("[-]", body.decode())
        self.assertEqual(headers["content-type"], "text/plain; charset=utf-8")
        self.assertEqual(request(double.port, "GET", "/readyz/informer-sync")[2], b"ok")

    def test_health_can_be_made_unready_again_through_control_endpoint(self):
        double = Double()
        self.addCleanup(double.stop)
        self.assertEqual(request(double.port, "GET", "/healthz")[0], 200)
        rj(double.port, "POST", "/__double/health", {"unreadyFor": 30})
        self.assertEqual(request(double.port, "GET", "/healthz")[0], 500)
        rj(double.port, "POST", "/__double/health", {"unreadyFor": 0})
        self.assertEqual(request(double.port, "GET", "/healthz")[0], 200)


class ModernApiTests(SharedDoubleTestCase):

    def test_fresh_server_has_system_namespaces_with_name_label(self):
        for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
            status, obj = rj(self.port, "GET", "/api/v1/namespaces/" + name)
            self.assertEqual(status, 200)
            self.assertEqual(obj["metadata"]["labels"]["kubernetes.io/metadata.name"], name)
            self.assertEqual(obj["status"]["phase"], "Active")
            self.assertEqual(obj["kind"], "Namespace")

    def test_namespace_create_then_conflict_then_get(self):
        status, obj = rj(self.port, "POST", "/api/v1/namespaces", namespace("team-a"))
        self.assertEqual(status, 201)
        self.assertEqual(obj["metadata"]["name"], "team-a")
        self.assertEqual(obj["metadata"]["labels"], {"kubernetes.io/metadata.name": "team-a"})
        self.assertTrue(obj["metadata"]["uid"])
        self.assertRegex(obj["metadata"]["creationTimestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        status, err = rj(self.port, "POST", "/api/v1/namespaces", namespace("team-a"))
        self.assertEqual(status, 409)
        self.assertEqual(err, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                               "message": 'namespaces "team-a" already exists', "reason": "AlreadyExists",
                               "details": {"name": "team-a", "kind": "namespaces"}, "code": 409})
        status, got = rj(self.port, "GET", "/api/v1/namespaces/team-a")
        self.assertEqual(got, obj)

    def test_kube_system_post_is_409_on_modern_server(self):
        status, err = rj(self.port, "POST", "/api/v1/namespaces", namespace("kube-system"))
        self.assertEqual((status, err["reason"], err["message"]),
                         (409, "AlreadyExists", 'namespaces "kube-system" already exists'))

    def test_missing_namespace_is_404_status(self):
        status, err = rj(self.port, "GET", "/api/v1/namespaces/nope")
        self.assertEqual(status, 404)
        self.assertEqual(err, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                               "message": 'namespaces "nope" not found', "reason": "NotFound",
                               "details": {"name": "nope", "kind": "namespaces"}, "code": 404})

    def test_lease_create_update_conflict_flow(self):
        status, created = rj(self.port, "POST", LEASES, lease("lock"))
        self.assertEqual(status, 201)
        rv1 = created["metadata"]["resourceVersion"]
        self.assertTrue(rv1.isdigit())
        self.assertEqual(created["spec"]["renewTime"], "2026-11-24T22:00:00.000000Z")
        status, err = rj(self.port, "POST", LEASES, lease("lock"))
        self.assertEqual((status, err["reason"], err["message"]),
                         (409, "AlreadyExists", 'leases.coordination.k8s.io "lock" already exists'))
        self.assertEqual(err["details"], {"name": "lock", "group": "coordination.k8s.io", "kind": "leases"})

        status, updated = rj(self.port, "PUT", LEASES + "/lock",
                             lease("lock", holder="node-b", rv=rv1, renew="2026-11-24T22:00:02.000000Z"))
        self.assertEqual(status, 200)
        rv2 = updated["metadata"]["resourceVersion"]
        self.assertGreater(int(rv2), int(rv1))
        self.assertEqual(updated["metadata"]["uid"], created["metadata"]["uid"])
        self.assertEqual(updated["spec"]["holderIdentity"], "node-b")

        status, err = rj(self.port, "PUT", LEASES + "/lock", lease("lock", holder="node-c", rv=rv1))
        self.assertEqual(status, 409)
        self.assertEqual(err, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                               "message": 'Operation cannot be fulfilled on leases.coordination.k8s.io "lock": '
                                          'the object has been modified; please apply your changes to the '
                                          'latest version and try again',
                               "reason": "Conflict",
                               "details": {"name": "lock", "group": "coordination.k8s.io", "kind": "leases"},
                               "code": 409})
        status, got = rj(self.port, "GET", LEASES + "/lock")
        self.assertEqual(got["spec"]["holderIdentity"], "node-b")

    def test_lease_put_without_resource_version_is_invalid_like_the_real_registry(self):
        rj(self.port, "POST", LEASES, lease("lock"))
        status, err = rj(self.port, "PUT", LEASES + "/lock", lease("lock", holder="x"))
        self.assertEqual(status, 422)
        self.assertEqual(err["reason"], "Invalid")
        self.assertEqual(err["message"], 'leases.coordination.k8s.io "lock" is invalid: metadata.resourceVersion: '
                                         'Invalid value: 0x0: must be specified for an update')

    def test_missing_lease_is_404_with_real_message(self):
        status, err = rj(self.port, "GET", LEASES + "/absent")
        self.assertEqual((status, err["reason"], err["message"]),
                         (404, "NotFound", 'leases.coordination.k8s.io "absent" not found'))
        self.assertEqual(err["details"]["group"], "coordination.k8s.io")

    def test_lease_microtime_needs_six_fractional_digits(self):
        for bad, rest in (("2026-11-24T22:00:00Z", "Z"), ("2026-11-24T22:00:00.123Z", ".123Z")):
            status, err = rj(self.port, "POST", LEASES, lease("t", renew=bad))
            self.assertEqual((status, err["reason"]), (400, "BadRequest"))
            self.assertIn('cannot parse "%s" as ".000000"' % rest, err["message"])
            self.assertTrue(err["message"].startswith('Lease in version "v1" cannot be handled as a Lease: parsing time "%s"' % bad))
        self.assertEqual(rj(self.port, "GET", LEASES + "/t")[0], 404)
        status, obj = rj(self.port, "POST", LEASES, lease("t", renew="2026-11-24T23:00:00.000001+01:00"))
        self.assertEqual(status, 201)
        self.assertEqual(obj["spec"]["renewTime"], "2026-11-24T22:00:00.000001Z")

    def test_post_into_missing_namespace_is_404_namespace_not_found(self):
        body = lease("l")
        body["metadata"]["namespace"] = "x"
        status, err = rj(self.port, "POST", "/apis/coordination.k8s.io/v1/namespaces/x/leases", body)
        self.assertEqual((status, err["reason"], err["message"]), (404, "NotFound", 'namespaces "x" not found'))
        self.assertEqual(err["details"], {"name": "x", "kind": "namespaces"})

    def test_malformed_json_is_400_bad_request(self):
        status, _, data = request(self.port, "POST", "/api/v1/namespaces", '{"metadata": {"name":',
                                  headers={"Content-Type": "application/json"})
        err = json.loads(data)
        self.assertEqual((status, err["kind"], err["reason"], err["code"]), (400, "Status", "BadRequest", 400))

    def test_form_encoded_body_is_415(self):
        status, _, data = request(self.port, "POST", "/api/v1/namespaces", json.dumps(namespace("f")),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, json.loads(data)["reason"]), (415, "UnsupportedMediaType"))

    def test_resource_version_increases_with_every_write(self):
        versions = []
        for i in range(5):
            versions.append(int(rj(self.port, "POST", "/api/v1/namespaces", namespace("ns%d" % i))[1]["metadata"]["resourceVersion"]))
        current = rj(self.port, "POST", LEASES, lease("rv"))[1]
        versions.append(int(current["metadata"]["resourceVersion"]))
        for i in range(3):
            current = rj(self.port, "PUT", LEASES + "/rv", lease("rv", holder="h%d" % i,
                                                                 rv=current["metadata"]["resourceVersion"]))[1]
            versions.append(int(current["metadata"]["resourceVersion"]))
        self.assertEqual(versions, sorted(set(versions)))
        listing = rj(self.port, "GET", "/api/v1/namespaces")[1]
        self.assertEqual(listing["kind"], "NamespaceList")
        self.assertGreaterEqual(int(listing["metadata"]["resourceVersion"]), versions[-1])

    def test_endpoints_lock_create_and_update(self):
        path = "/api/v1/namespaces/default/endpoints"
        record = json.dumps({"holderIdentity": "node-a", "leaseDurationSeconds": 15})
        body = {"apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": "lock", "annotations": {"control-plane.alpha.kubernetes.io/leader": record}}}
        status, created = rj(self.port, "POST", path, body)
        self.assertEqual(status, 201)
        self.assertEqual(created["metadata"]["annotations"]["control-plane.alpha.kubernetes.io/leader"], record)
        self.assertEqual(rj(self.port, "POST", path, body)[1]["message"], 'endpoints "lock" already exists')
        body["metadata"]["resourceVersion"] = created["metadata"]["resourceVersion"]
        body["metadata"]["annotations"]["control-plane.alpha.kubernetes.io/leader"] = "{}"
        status, updated = rj(self.port, "PUT", path + "/lock", body)
        self.assertEqual(status, 200)
        status, err = rj(self.port, "PUT", path + "/lock", body)
        self.assertEqual((status, err["reason"]), (409, "Conflict"))
        self.assertEqual(err["message"], 'Operation cannot be fulfilled on endpoints "lock": the object has been '
                                         'modified; please apply your changes to the latest version and try again')

    def test_delete_lease_then_get_is_404(self):
        rj(self.port, "POST", LEASES, lease("gone"))
        status, body = rj(self.port, "DELETE", LEASES + "/gone")
        self.assertEqual((status, body["status"]), (200, "Success"))
        self.assertEqual(rj(self.port, "GET", LEASES + "/gone")[0], 404)
        self.assertEqual(rj(self.port, "DELETE", LEASES + "/gone")[0], 404)

    def test_discovery_documents(self):
        status, api = rj(self.port, "GET", "/api")
        self.assertEqual((status, api["kind"], api["versions"]), (200, "APIVersions", ["v1"]))
        groups = rj(self.port, "GET", "/apis")[1]
        self.assertEqual(groups["kind"], "APIGroupList")
        self.assertIn("coordination.k8s.io", [g["name"] for g in groups["groups"]])
        status, res = rj(self.port, "GET", "/apis/coordination.k8s.io/v1")
        self.assertEqual(status, 200)
        self.assertEqual([r["name"] for r in res["resources"]], ["leases"])
        self.assertEqual(rj(self.port, "GET", "/version")[1]["gitVersion"], "v1.36.2")
        status, err = rj(self.port, "GET", "/apis/nothing.example.com/v1")
        self.assertEqual((status, err["reason"]), (404, "NotFound"))

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        self.addCleanup(conn.close)
        for _ in range(3):
            conn.request("GET", "/readyz")
            resp = conn.getresponse()
            self.assertEqual((resp.status, resp.read()), (200, b"ok"))
        conn.request("GET", "/api/v1/namespaces/default")
        resp = conn.getresponse()
        self.assertEqual(int(resp.getheader("Content-Length")), len(resp.read()))

    def test_counters_and_log_record_namespace_creates_per_user_agent(self):
        rj(self.port, "POST", "/api/v1/namespaces", namespace("c1"), headers={"User-Agent": "master-agent/1 (node a)"})
        rj(self.port, "POST", "/api/v1/namespaces", namespace("c1"), headers={"User-Agent": "master-agent/1 (node b)"})
        rj(self.port, "POST", "/api/v1/namespaces", namespace("c2"), headers={"User-Agent": "master-agent/1 (node b)"})
        request(self.port, "GET", "/readyz")
        state = rj(self.port, "GET", "/__double/state")[1]
        self.assertEqual(state["namespaceCreates"], {"master-agent/1 (node a)": 1, "master-agent/1 (node b)": 1})
        self.assertEqual(state["namespaceCreatesTotal"], 2)
        self.assertEqual(state["requestsByPath"]["/api/v1/namespaces"], 3)
        self.assertEqual(state["requestsByMethodPath"]["POST /api/v1/namespaces"], 3)
        log = rj(self.port, "GET", "/__double/log")[1]["entries"]
        posts = [e for e in log if e["method"] == "POST"]
        self.assertEqual([(e["status"], e["userAgent"]) for e in posts],
                         [(201, "master-agent/1 (node a)"), (409, "master-agent/1 (node b)"),
                          (201, "master-agent/1 (node b)")])
        self.assertTrue(all(e["path"] == "/api/v1/namespaces" and isinstance(e["time"], float) for e in posts))
        self.assertFalse(any(e["path"].startswith("/__double/") for e in log))

    def test_bad_requests_do_not_crash_the_server(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"\x16\x03\x01garbage that is not http\r\n\r\n")
            s.recv(1000)
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
            self.assertIn(b"400", s.recv(1000))
        for body in ("[]", "null", '"x"', '{"metadata": 5}', '{"metadata": {"name": 7}}',
                     '{"spec": {"leaseDurationSeconds": "15"}, "metadata": {"name": "q"}}', "\xff\xfe"):
            status, _, data = request(self.port, "POST", LEASES, body.encode("latin-1"),
                                      headers={"Content-Type": "application/json"})
            self.assertEqual(status, 400, body)
            self.assertEqual(json.loads(data)["reason"], "BadRequest")
        self.assertEqual(request(self.port, "GET", "/readyz")[2], b"ok")


class LegacyModeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.double = Double("--mode", "legacy")
        cls.port = cls.double.port

    @classmethod
    def tearDownClass(cls):
        cls.double.stop()

    def test_only_healthz_exists(self):
        self.assertEqual(request(self.port, "GET", "/healthz")[:3:2], (200, b"ok"))
        for path in ("/readyz", "/livez", "/readyz?verbose"):
            status, _, body = request(self.port, "GET", path)
            self.assertEqual((status, body), (404, b"404 page not found\n"))

    def test_coordination_api_is_absent(self):
        self.assertEqual(request(self.port, "GET", "/apis/coordination.k8s.io/v1")[0], 404)
        self.assertEqual(request(self.port, "GET", LEASES + "/x")[0], 404)
        self.assertEqual(request(self.port, "POST", LEASES, lease("x"))[0], 404)
        groups = [g["name"] for g in rj(self.port, "GET", "/apis")[1]["groups"]]
        self.assertNotIn("coordination.k8s.io", groups)
        self.assertEqual(rj(self.port, "GET", "/version")[1]["minor"], "2")

    def test_kube_system_must_be_created_by_hand(self):
        self.assertEqual(rj(self.port, "GET", "/api/v1/namespaces/kube-system")[0], 404)
        status, obj = rj(self.port, "POST", "/api/v1/namespaces", namespace("kube-system"))
        self.assertEqual(status, 201)
        self.assertEqual(rj(self.port, "POST", "/api/v1/namespaces", namespace("kube-system"))[0], 409)
        self.assertEqual(rj(self.port, "GET", "/api/v1/namespaces/kube-system")[0], 200)
        rj(self.port, "POST", "/__double/reset")
        self.assertEqual(rj(self.port, "GET", "/api/v1/namespaces/kube-system")[0], 404)

    def test_no_kube_system_flag_in_modern_mode(self):
        double = Double("--no-kube-system")
        self.addCleanup(double.stop)
        self.assertEqual(rj(double.port, "GET", "/api/v1/namespaces/kube-system")[0], 404)
        self.assertEqual(rj(double.port, "GET", "/api/v1/namespaces/default")[0], 200)


class FaultTests(SharedDoubleTestCase):

    def add(self, **rule):
        status, body = rj(self.port, "POST", "/__double/faults", rule)
        self.assertEqual(status, 201, body)

    def test_delay_then_normal_answer(self):
        self.add(path="/readyz", action="delay", seconds=0.4)
        start = time.monotonic()
        status, _, body = request(self.port, "GET", "/readyz")
        self.assertGreaterEqual(time.monotonic() - start, 0.4)
        self.assertEqual((status, body), (200, b"ok"))

    def test_hang_blocks_only_that_client_until_it_gives_up(self):
        self.add(path="/api/v1/namespaces", method="POST", userAgent="node a", action="hang")
        start = time.monotonic()
        with self.assertRaises((socket.timeout, TimeoutError)):
            request(self.port, "POST", "/api/v1/namespaces", namespace("h"),
                    headers={"User-Agent": "master-agent (node a)"}, timeout=0.5)
        self.assertLess(time.monotonic() - start, 3)
        # Other clients, even on the same path, are served meanwhile.
        status, _ = rj(self.port, "POST", "/api/v1/namespaces", namespace("h"),
                       headers={"User-Agent": "master-agent (node b)"})
        self.assertEqual(status, 201)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            log = rj(self.port, "GET", "/__double/log")[1]["entries"]
            hung = [e for e in log if e["fault"] == "hang"]
            if hung:
                break
            time.sleep(0.05)
        self.assertEqual(len(hung), 1)
        self.assertIsNone(hung[0]["status"])
        self.assertEqual(rj(self.port, "GET", "/__double/state")[1]["namespaceCreates"], {"master-agent (node b)": 1})

    def test_clearing_faults_releases_hung_connections(self):
        self.add(path="/readyz", action="hang")
        result = {}

        def call():
            try:
                request(self.port, "GET", "/readyz", timeout=10)
                result["outcome"] = "answered"
            except Exception as exc:  # the socket is closed without an answer
                result["outcome"] = type(exc).__name__

        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.3)
        self.assertEqual(request(self.port, "DELETE", "/__double/faults")[0], 200)
        t.join(5)
        self.assertFalse(t.is_alive())
        self.assertIn(result["outcome"], ("RemoteDisconnected", "ConnectionResetError", "BadStatusLine"))

    def test_reset_closes_the_connection_abruptly(self):
        self.add(path="/readyz", action="reset")
        with self.assertRaises(ConnectionResetError):
            request(self.port, "GET", "/readyz")

    def test_status_500(self):
        self.add(path="/api/v1/namespaces", action="status", status=500)
        status, err = rj(self.port, "GET", "/api/v1/namespaces/default")
        self.assertEqual((status, err["kind"], err["reason"], err["code"]), (500, "Status", "InternalError", 500))
        status, _, body = request(self.port, "GET", "/readyz")
        self.assertEqual(status, 200)

    def test_status_500_on_health_path_is_a_check_list(self):
        self.add(path="/readyz", action="status", status=500)
        status, headers, body = request(self.port, "GET", "/readyz")
        self.assertEqual(status, 500)
        self.assertTrue(body.decode().endswith("readyz check failed\n"))

    def test_503_and_429_carry_retry_after(self):
        self.add(path="/readyz", action="status", status=503, retryAfter=3, count=1)
        self.add(path="/readyz", action="status", status=429, retryAfter=1, count=1)
        status, headers, body = request(self.port, "GET", "/readyz")
        self.assertEqual((status, headers["retry-after"]), (503, "3"))
        self.assertEqual(json.loads(body)["reason"], "ServiceUnavailable")
        status, headers, body = request(self.port, "GET", "/readyz")
        self.assertEqual((status, headers["retry-after"]), (429, "1"))
        self.assertEqual(json.loads(body)["details"]["retryAfterSeconds"], 1)
        self.assertEqual(request(self.port, "GET", "/readyz")[0], 200)

    def test_garbage_body(self):
        self.add(path="/api/v1/namespaces/default", action="garbage")
        status, headers, body = request(self.port, "GET", "/api/v1/namespaces/default")
        self.assertEqual((status, headers["content-type"]), (200, "application/json"))
        with self.assertRaises(ValueError):
            json.loads(body)

    def test_wrong_content_type(self):
        self.add(path="/api/v1/namespaces/default", action="html")
        status, headers, body = request(self.port, "GET", "/api/v1/namespaces/default")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertIn(b"<html>", body)

    def test_truncated_json_with_matching_length_and_side_effect(self):
        self.add(path="/api/v1/namespaces", method="POST", action="truncate")
        status, headers, body = request(self.port, "POST", "/api/v1/namespaces", namespace("cut"))
        self.assertEqual(status, 201)
        self.assertEqual(int(headers["content-length"]), len(body))
        with self.assertRaises(ValueError):
            json.loads(body)
        self.assertEqual(rj(self.port, "GET", "/api/v1/namespaces/cut")[0], 200)

    def test_truncated_short_body_closes_early(self):
        self.add(path="/api/v1/namespaces/default", action="truncate", short=True)
        with self.assertRaises(http.client.IncompleteRead):
            request(self.port, "GET", "/api/v1/namespaces/default")

    def test_count_limits_a_rule_and_user_agent_must_match(self):
        self.add(path="/readyz", userAgent="victim", action="status", status=500, count=2)
        self.assertEqual(request(self.port, "GET", "/readyz")[0], 200)
        self.assertEqual(request(self.port, "GET", "/readyz", headers={"User-Agent": "the victim"})[0], 500)
        self.assertEqual(request(self.port, "GET", "/readyz", headers={"User-Agent": "the victim"})[0], 500)
        self.assertEqual(request(self.port, "GET", "/readyz", headers={"User-Agent": "the victim"})[0], 200)

    def test_bad_rule_is_rejected(self):
        self.assertEqual(rj(self.port, "POST", "/__double/faults", {"action": "explode"})[0], 400)
        self.assertEqual(request(self.port, "POST", "/__double/faults", "{not json")[0], 400)

    def test_preloaded_fault_from_command_line(self):
        double = Double("--fault", json.dumps({"path": "/readyz", "action": "status", "status": 503,
                                               "retryAfter": 2, "count": 1}))
        self.addCleanup(double.stop)
        status, headers, _ = request(double.port, "GET", "/readyz")
        self.assertEqual((status, headers["retry-after"]), (503, "2"))
        self.assertEqual(request(double.port, "GET", "/readyz")[0], 200)


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_pki(directory):
    """CA, server cert for 127.0.0.1, a client cert, and a client cert from another CA (EC keys: fast)."""
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", *key, "-keyout", ca + ".key", "-out", ca + ".crt", "-days", "2",
                "-subj", "/CN=" + ca, cwd=directory)
    with open(os.path.join(directory, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    with open(os.path.join(directory, "client.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    for name, ca, ext in (("server", "ca", "server.ext"), ("client", "ca", "client.ext"),
                          ("stranger", "other-ca", "client.ext")):
        openssl("req", *key, "-keyout", name + ".key", "-out", name + ".csr", "-subj",
                "/O=system:masters/CN=" + name, cwd=directory)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", ext, cwd=directory)


class TlsAndAuthTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.pki = cls.tmp.name
        make_pki(cls.pki)
        p = lambda n: os.path.join(cls.pki, n)
        cls.double = Double("--tls-cert", p("server.crt"), "--tls-key", p("server.key"),
                            "--client-ca", p("ca.crt"), "--require-auth")
        cls.port = cls.double.port

    @classmethod
    def tearDownClass(cls):
        cls.double.stop()
        cls.tmp.cleanup()

    def context(self, client=None, ca="ca.crt"):
        ctx = ssl.create_default_context(cafile=os.path.join(self.pki, ca))
        if client:
            ctx.load_cert_chain(os.path.join(self.pki, client + ".crt"), os.path.join(self.pki, client + ".key"))
        return ctx

    def test_client_certificate_signed_by_ca_is_served(self):
        status, obj = rj(self.port, "GET", "/api/v1/namespaces/default", context=self.context("client"))
        self.assertEqual((status, obj["metadata"]["name"]), (200, "default"))
        self.assertEqual(self.double.info["scheme"], "https")

    def test_no_client_certificate_fails_the_handshake(self):
        with self.assertRaises((ssl.SSLError, ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
            request(self.port, "GET", "/readyz", context=self.context())

    def test_client_certificate_from_another_ca_is_refused(self):
        with self.assertRaises((ssl.SSLError, ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
            request(self.port, "GET", "/readyz", context=self.context("stranger"))

    def test_wrong_server_ca_fails_closed_on_the_client(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            request(self.port, "GET", "/readyz", context=self.context("client", ca="other-ca.crt"))

    def test_silent_tls_client_does_not_block_others(self):
        with socket.create_connection(("127.0.0.1", self.port)):
            status, _, body = request(self.port, "GET", "/readyz", context=self.context("client"))
            self.assertEqual((status, body), (200, b"ok"))

    def test_faults_work_over_tls(self):
        ctx = self.context("client")
        rj(self.port, "POST", "/__double/faults", [{"path": "/livez", "action": "reset", "count": 1},
                                                   {"path": "/livez", "action": "hang", "seconds": 0.3, "count": 1}],
           context=ctx)
        with self.assertRaises((ConnectionResetError, ssl.SSLError)):
            request(self.port, "GET", "/livez", context=ctx)
        with self.assertRaises((socket.timeout, TimeoutError, http.client.RemoteDisconnected)):
            request(self.port, "GET", "/livez", context=ctx, timeout=2)
        self.assertEqual(request(self.port, "GET", "/livez", context=ctx)[2], b"ok")

    def test_anonymous_over_http_is_forbidden_but_health_is_public(self):
        double = Double("--require-auth", "--token", "s3cret")
        self.addCleanup(double.stop)
        self.assertEqual(request(double.port, "GET", "/readyz")[:3:2], (200, b"ok"))
        status, err = rj(double.port, "GET", "/api/v1/namespaces")
        self.assertEqual((status, err["reason"]), (403, "Forbidden"))
        self.assertEqual(err["message"], 'namespaces is forbidden: User "system:anonymous" cannot list resource '
                                         '"namespaces" in API group "" at the cluster scope')
        status, err = rj(double.port, "POST", LEASES, lease("x"))
        self.assertEqual(err["message"], 'leases.coordination.k8s.io is forbidden: User "system:anonymous" cannot '
                                         'create resource "leases" in API group "coordination.k8s.io" in the '
                                         'namespace "default"')
        status, _ = rj(double.port, "GET", "/api/v1/namespaces", headers={"Authorization": "Bearer s3cret"})
        self.assertEqual(status, 200)
        status, err = rj(double.port, "GET", "/api/v1/namespaces", headers={"Authorization": "Bearer wrong"})
        self.assertEqual((status, err["reason"]), (401, "Unauthorized"))


NODES = "/api/v1/nodes"
CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
CRBS = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"
NODE_TOKEN = 'node-token,system:node:worker-1,uid-1,"system:nodes"'
ADMIN_TOKEN = 'admin-token,kubernetes-admin,uid-2,"kubeadm:cluster-admins"'
SUPER_TOKEN = 'super-token,kubernetes-super-admin,uid-3,"system:masters"'


def bearer(token):
    return {"Authorization": "Bearer " + token}


def node(name, addresses=(("InternalIP", "10.0.0.11"), ("Hostname", "worker-1"))):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"addresses": [{"type": t, "address": a} for t, a in addresses]}}


def csr_pem(directory, subject="/O=system:nodes/CN=system:node:worker-1"):
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "k.pem", "-out", "r.pem", "-subj", subject, cwd=directory)
    with open(os.path.join(directory, "r.pem"), "rb") as f:
        return f.read()


def csr(name, pem, signer="kubernetes.io/kubelet-serving",
        usages=("digital signature", "server auth"), username=None):
    spec = {"request": base64.b64encode(pem).decode(), "signerName": signer, "usages": list(usages)}
    if username:
        spec["username"] = username
    return {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": name}, "spec": spec}


def approved(obj, reason="AutoApproved"):
    obj = json.loads(json.dumps(obj))
    obj.setdefault("status", {})["conditions"] = [{"type": "Approved", "status": "True", "reason": reason,
                                                   "message": "approved by test"}]
    return obj


class NodeTests(SharedDoubleTestCase):

    def test_create_keeps_status_and_put_keeps_it_while_status_subresource_replaces_it(self):
        status, created = rj(self.port, "POST", NODES, node("worker-1"))
        self.assertEqual(status, 201)
        self.assertEqual(created["status"]["addresses"][0], {"type": "InternalIP", "address": "10.0.0.11"})
        self.assertEqual(rj(self.port, "POST", NODES, node("worker-1"))[1]["message"],
                         'nodes "worker-1" already exists')
        changed = node("worker-1", [("InternalIP", "10.9.9.9")])
        changed["metadata"]["labels"] = {"a": "b"}
        status, put = rj(self.port, "PUT", NODES + "/worker-1", changed)
        self.assertEqual((status, put["metadata"]["labels"], put["status"]), (200, {"a": "b"}, created["status"]))
        status, put = rj(self.port, "PUT", NODES + "/worker-1/status", changed)
        self.assertEqual((status, put["status"]["addresses"]), (200, [{"type": "InternalIP", "address": "10.9.9.9"}]))
        self.assertGreater(int(put["metadata"]["resourceVersion"]), int(created["metadata"]["resourceVersion"]))
        self.assertEqual(rj(self.port, "GET", NODES + "/worker-1/status")[1]["status"], put["status"])
        self.assertEqual(rj(self.port, "GET", NODES + "/nope")[1]["message"], 'nodes "nope" not found')
        self.assertEqual(rj(self.port, "GET", NODES + "/worker-1/bogus")[0], 404)

    def test_merge_patch_adds_a_label_once_and_keeps_status(self):
        _, created = rj(self.port, "POST", NODES, node("worker-1"))
        patch = json.dumps({"metadata": {"labels": {"node-role.kubernetes.io/control-plane": ""}}})
        for content_type in PATCH_TYPES:
            status, patched = rj(self.port, "PATCH", NODES + "/worker-1", patch,
                                 headers={"Content-Type": content_type})
            self.assertEqual(status, 200)
            self.assertEqual(patched["metadata"]["labels"], {"node-role.kubernetes.io/control-plane": ""})
            self.assertEqual(patched["status"], created["status"])
        first_rv = rj(self.port, "GET", NODES + "/worker-1")[1]["metadata"]["resourceVersion"]
        self.assertGreater(int(first_rv), int(created["metadata"]["resourceVersion"]))
        # The second patch changed nothing: same resourceVersion.
        self.assertEqual(patched["metadata"]["resourceVersion"], first_rv)
        stale = json.dumps({"metadata": {"resourceVersion": created["metadata"]["resourceVersion"], "labels": {"x": "y"}}})
        status, err = rj(self.port, "PATCH", NODES + "/worker-1", stale,
                         headers={"Content-Type": "application/merge-patch+json"})
        self.assertEqual((status, err["reason"]), (409, "Conflict"))
        status, err = rj(self.port, "PATCH", NODES + "/worker-1", patch, headers={"Content-Type": "application/json"})
        self.assertEqual((status, err["reason"]), (415, "UnsupportedMediaType"))
        status, err = rj(self.port, "PATCH", NODES + "/nope", patch,
                         headers={"Content-Type": "application/merge-patch+json"})
        self.assertEqual((status, err["message"]), (404, 'nodes "nope" not found'))
        status, err = rj(self.port, "PATCH", NODES + "/worker-1", '{"metadata": {"labels": {"n": 1}}}',
                         headers={"Content-Type": "application/merge-patch+json"})
        self.assertEqual((status, err["reason"]), (400, "BadRequest"))


class CertificateSigningRequestTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.pem = csr_pem(cls.tmp.name)
        cls.double = Double("--require-auth", "--token", NODE_TOKEN, "--token", SUPER_TOKEN)
        cls.port = cls.double.port

    @classmethod
    def tearDownClass(cls):
        cls.double.stop()
        cls.tmp.cleanup()

    def setUp(self):
        rj(self.port, "POST", "/__double/reset")

    def create(self, name="csr-abc12", **kw):
        status, obj = rj(self.port, "POST", CSRS, csr(name, self.pem, **kw), headers=bearer("node-token"))
        self.assertEqual(status, 201, obj)
        return obj

    def test_requester_comes_from_the_credentials_not_the_body(self):
        obj = self.create(username="system:node:someone-else")
        self.assertEqual(obj["spec"]["username"], "system:node:worker-1")
        self.assertEqual(obj["spec"]["groups"], ["system:nodes", "system:authenticated"])
        self.assertEqual(obj["status"], {})
        self.assertEqual(base64.b64decode(obj["spec"]["request"]), self.pem)
        self.assertEqual(obj["apiVersion"], "certificates.k8s.io/v1")

    def test_list_carries_a_resource_version_and_the_items(self):
        created = self.create()
        status, listed = rj(self.port, "GET", CSRS, headers=bearer("super-token"))
        self.assertEqual((status, listed["kind"]), (200, "CertificateSigningRequestList"))
        self.assertEqual([i["metadata"]["name"] for i in listed["items"]], ["csr-abc12"])
        self.assertGreaterEqual(int(listed["metadata"]["resourceVersion"]), int(created["metadata"]["resourceVersion"]))

    def test_invalid_specs_are_422_with_causes(self):
        status, err = rj(self.port, "POST", CSRS, csr("bad", self.pem, signer="", usages=()), headers=bearer("node-token"))
        self.assertEqual((status, err["reason"]), (422, "Invalid"))
        self.assertEqual(err["message"], 'CertificateSigningRequest.certificates.k8s.io "bad" is invalid: '
                                         '[spec.signerName: Required value, spec.usages: Required value]')
        self.assertEqual([c["reason"] for c in err["details"]["causes"]], ["FieldValueRequired"] * 2)
        status, err = rj(self.port, "POST", CSRS, csr("bad", b"not pem"), headers=bearer("node-token"))
        self.assertIn("spec.request: Invalid value", err["message"])
        status, err = rj(self.port, "POST", CSRS, csr("bad", self.pem, usages=["flying"]), headers=bearer("node-token"))
        self.assertEqual(err["details"]["causes"][0]["reason"], "FieldValueNotSupported")

    def test_approval_sets_the_condition_with_timestamps_and_a_new_resource_version(self):
        created = self.create()
        path = CSRS + "/csr-abc12/approval"
        status, obj = rj(self.port, "PUT", path, approved(created), headers=bearer("super-token"))
        self.assertEqual(status, 200, obj)
        condition = obj["status"]["conditions"][0]
        self.assertEqual((condition["type"], condition["status"], condition["reason"]), ("Approved", "True", "AutoApproved"))
        self.assertRegex(condition["lastUpdateTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertRegex(condition["lastTransitionTime"], r"Z$")
        self.assertEqual(obj["spec"], created["spec"])
        self.assertGreater(int(obj["metadata"]["resourceVersion"]), int(created["metadata"]["resourceVersion"]))
        # The old resourceVersion is stale now.
        status, err = rj(self.port, "PUT", path, approved(created, "Again"), headers=bearer("super-token"))
        self.assertEqual((status, err["reason"]), (409, "Conflict"))
        self.assertEqual(err["message"], 'Operation cannot be fulfilled on certificatesigningrequests.certificates.k8s.io '
                                         '"csr-abc12": the object has been modified; please apply your changes to the '
                                         'latest version and try again')
        # An approval cannot be taken back, and the main resource ignores status.
        obj["status"]["conditions"] = []
        status, err = rj(self.port, "PUT", path, obj, headers=bearer("super-token"))
        self.assertEqual((status, err["details"]["causes"][0]["reason"]), (422, "FieldValueForbidden"))
        status, put = rj(self.port, "PUT", CSRS + "/csr-abc12", obj, headers=bearer("super-token"))
        self.assertEqual(len(put["status"]["conditions"]), 1)

    def test_approved_and_denied_together_or_twice_are_invalid(self):
        created = self.create()
        both = approved(created)
        both["status"]["conditions"].append({"type": "Denied", "status": "True"})
        status, err = rj(self.port, "PUT", CSRS + "/csr-abc12/approval", both, headers=bearer("super-token"))
        self.assertEqual(status, 422)
        self.assertIn('status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are '
                      'mutually exclusive', err["message"])
        twice = approved(created)
        twice["status"]["conditions"].append(dict(twice["status"]["conditions"][0]))
        status, err = rj(self.port, "PUT", CSRS + "/csr-abc12/approval", twice, headers=bearer("super-token"))
        self.assertIn('status.conditions[1].type: Duplicate value: "Approved"', err["message"])

    def test_approval_of_a_missing_csr_is_404_and_post_is_not_allowed(self):
        created = self.create()
        status, err = rj(self.port, "PUT", CSRS + "/gone/approval", approved(dict(created, metadata={"name": "gone"})),
                         headers=bearer("super-token"))
        self.assertEqual((status, err["message"]),
                         (404, 'certificatesigningrequests.certificates.k8s.io "gone" not found'))
        # The name in the body is checked before the object is looked up (as kube-apiserver v1.20.2 does).
        status, err = rj(self.port, "PUT", CSRS + "/gone/approval", approved(created), headers=bearer("super-token"))
        self.assertEqual((status, err["reason"]), (400, "BadRequest"))
        self.assertEqual(err["message"], "the name of the object (csr-abc12) does not match the name on the URL (gone)")
        status, err = rj(self.port, "POST", CSRS + "/csr-abc12/approval", approved(created), headers=bearer("super-token"))
        self.assertEqual((status, err["reason"]), (405, "MethodNotAllowed"))


class AuthorizationTests(unittest.TestCase):
    def test_rbac_like_rules_for_nodes_admins_and_masters(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        pem = csr_pem(tmp.name)
        double = Double("--require-auth", "--authorize", "--token", NODE_TOKEN, "--token", ADMIN_TOKEN,
                        "--token", SUPER_TOKEN)
        self.addCleanup(double.stop)
        status, created = rj(double.port, "POST", CSRS, csr("csr-1", pem), headers=bearer("node-token"))
        self.assertEqual(status, 201)
        status, err = rj(double.port, "PUT", CSRS + "/csr-1/approval", approved(created), headers=bearer("node-token"))
        self.assertEqual((status, err["reason"]), (403, "Forbidden"))
        self.assertEqual(err["message"], 'certificatesigningrequests.certificates.k8s.io "csr-1" is forbidden: User '
                                         '"system:node:worker-1" cannot update resource '
                                         '"certificatesigningrequests/approval" in API group "certificates.k8s.io" '
                                         'at the cluster scope')
        # admin.conf's group has no rights until kubeadm:cluster-admins is bound to cluster-admin.
        status, err = rj(double.port, "GET", NODES, headers=bearer("admin-token"))
        self.assertEqual((status, err["message"]), (403, 'nodes is forbidden: User "kubernetes-admin" cannot list '
                                                         'resource "nodes" in API group "" at the cluster scope'))
        status, _ = rj(double.port, "POST", CRBS, cluster_admins(), headers=bearer("super-token"))
        self.assertEqual(status, 201)
        self.assertEqual(rj(double.port, "GET", NODES, headers=bearer("admin-token"))[0], 200)
        self.assertEqual(rj(double.port, "PUT", CSRS + "/csr-1/approval", approved(created),
                            headers=bearer("admin-token"))[0], 200)

    def test_client_certificate_names_the_user_and_groups(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        make_pki(tmp.name)
        p = lambda n: os.path.join(tmp.name, n)
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "node.key",
                "-out", "node.csr", "-subj", "/O=system:nodes/CN=system:node:worker-1", cwd=tmp.name)
        openssl("x509", "-req", "-in", "node.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "node.crt", "-days", "2", "-extfile", "client.ext", cwd=tmp.name)
        double = Double("--tls-cert", p("server.crt"), "--tls-key", p("server.key"), "--client-ca", p("ca.crt"),
                        "--require-auth", "--authorize")
        self.addCleanup(double.stop)
        ctx = ssl.create_default_context(cafile=p("ca.crt"))
        ctx.load_cert_chain(p("node.crt"), p("node.key"))
        status, created = rj(double.port, "POST", CSRS, csr("csr-2", csr_pem(tmp.name)), context=ctx)
        self.assertEqual((status, created["spec"]["username"], created["spec"]["groups"]),
                         (201, "system:node:worker-1", ["system:nodes", "system:authenticated"]))
        self.assertEqual(rj(double.port, "GET", CRBS, context=ctx)[0], 403)


def cluster_admins():
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "kubeadm:cluster-admins"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "Group", "name": "kubeadm:cluster-admins", "apiGroup": "rbac.authorization.k8s.io"}]}


class ClusterRoleBindingTests(unittest.TestCase):
    def test_create_get_and_already_exists(self):
        double = Double()
        self.addCleanup(double.stop)
        status, created = rj(double.port, "POST", CRBS, cluster_admins())
        self.assertEqual((status, created["metadata"]["name"], created["roleRef"]["name"]),
                         (201, "kubeadm:cluster-admins", "cluster-admin"))
        status, err = rj(double.port, "POST", CRBS, cluster_admins())
        self.assertEqual(err, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                               "message": 'clusterrolebindings.rbac.authorization.k8s.io "kubeadm:cluster-admins" '
                                          'already exists', "reason": "AlreadyExists",
                               "details": {"name": "kubeadm:cluster-admins", "group": "rbac.authorization.k8s.io",
                                           "kind": "clusterrolebindings"}, "code": 409})
        self.assertEqual(rj(double.port, "GET", CRBS + "/kubeadm:cluster-admins")[1], created)
        bad = cluster_admins()
        bad["metadata"]["name"] = "other"
        bad["roleRef"]["name"] = ""
        status, err = rj(double.port, "POST", CRBS, bad)
        self.assertEqual((status, err["message"]), (422, 'ClusterRoleBinding.rbac.authorization.k8s.io "other" is '
                                                         'invalid: roleRef.name: Required value'))
        status, listing = rj(double.port, "GET", "/apis/rbac.authorization.k8s.io/v1")
        self.assertIn("clusterrolebindings", [r["name"] for r in listing["resources"]])


class SharedStateTests(unittest.TestCase):
    def test_two_servers_share_objects_counters_and_log_through_a_state_process(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        sock = os.path.join(tmp.name, "state.sock")
        state = Double("--state-socket", sock, listen=0)
        self.addCleanup(state.stop)
        a = Double("--state-connect", sock)
        self.addCleanup(a.stop)
        b = Double("--state-connect", sock)
        self.addCleanup(b.stop)
        status, created = rj(a.port, "POST", "/api/v1/namespaces", namespace("shared"), headers={"User-Agent": "agent-a"})
        self.assertEqual(status, 201)
        status, err = rj(b.port, "POST", "/api/v1/namespaces", namespace("shared"), headers={"User-Agent": "agent-b"})
        self.assertEqual((status, err["reason"]), (409, "AlreadyExists"))
        self.assertEqual(rj(b.port, "GET", "/api/v1/namespaces/shared")[1], created)
        l1 = rj(a.port, "POST", LEASES, lease("lock"))[1]
        l2 = rj(b.port, "PUT", LEASES + "/lock", lease("lock", "node-b", rv=l1["metadata"]["resourceVersion"]))[1]
        self.assertGreater(int(l2["metadata"]["resourceVersion"]), int(l1["metadata"]["resourceVersion"]))
        self.assertEqual(rj(a.port, "PUT", LEASES + "/lock", lease("lock", "node-a", rv=l1["metadata"]["resourceVersion"]))[0], 409)
        for port in (a.port, b.port):
            st = rj(port, "GET", "/__double/state")[1]
            self.assertEqual(st["namespaceCreates"], {"agent-a": 1})
        servers = {e["server"] for e in rj(a.port, "GET", "/__double/log")[1]["entries"]}
        self.assertEqual(servers, {"127.0.0.1:%d" % a.port, "127.0.0.1:%d" % b.port})
        rj(b.port, "POST", "/__double/reset")
        self.assertEqual(rj(a.port, "GET", "/api/v1/namespaces/shared")[0], 404)

    def test_state_process_gone_makes_api_fail_and_health_report_etcd(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        sock = os.path.join(tmp.name, "state.sock")
        state = Double("--state-socket", sock, listen=0)
        a = Double("--state-connect", sock)
        self.addCleanup(a.stop)
        self.assertEqual(request(a.port, "GET", "/readyz")[0], 200)
        self.assertEqual(state.stop(), 0)
        status, err = rj(a.port, "GET", "/api/v1/namespaces/default")
        self.assertEqual((status, err["reason"]), (500, "InternalError"))
        status, _, body = request(a.port, "GET", "/readyz")
        self.assertEqual(status, 500)
        self.assertIn(b"[-]etcd failed: reason withheld", body)

    def test_concurrent_creates_through_two_servers_succeed_exactly_once(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        sock = os.path.join(tmp.name, "state.sock")
        state = Double("--state-socket", sock, "--no-kube-system", listen=0)
        self.addCleanup(state.stop)
        a = Double("--state-connect", sock)
        self.addCleanup(a.stop)
        b = Double("--state-connect", sock)
        self.addCleanup(b.stop)
        results = []
        barrier = threading.Barrier(10)

        def agent(i):
            port = (a.port, b.port)[i % 2]
            barrier.wait()
            results.append(rj(port, "POST", "/api/v1/namespaces", namespace("kube-system"),
                              headers={"User-Agent": "master-agent/1 (node n%d)" % i})[0])

        threads = [threading.Thread(target=agent, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        self.assertEqual(sorted(results), [201] + [409] * 9)
        creates = rj(a.port, "GET", "/__double/state")[1]["namespaceCreates"]
        self.assertEqual(sum(creates.values()), 1)

    def test_one_process_serves_several_addresses_with_one_store(self):
        double = Double(listen=2)
        self.addCleanup(double.stop)
        p1, p2 = double.ports
        self.assertNotEqual(p1, p2)
        self.assertEqual(rj(p1, "POST", "/api/v1/namespaces", namespace("both"))[0], 201)
        self.assertEqual(rj(p2, "GET", "/api/v1/namespaces/both")[0], 200)


class ProcessTests(unittest.TestCase):
    def test_sigterm_and_sigint_exit_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            double = Double()
            request(double.port, "GET", "/readyz")
            start = time.monotonic()
            double.proc.send_signal(sig)
            self.assertEqual(double.proc.wait(timeout=5), 0)
            self.assertLess(time.monotonic() - start, 3)
            self.assertNotIn("Traceback", double.stderr_text())
            double.stop()

    def test_sigterm_while_a_connection_hangs(self):
        double = Double("--fault", '{"path": "/readyz", "action": "hang"}')
        t = threading.Thread(target=lambda: self.assertRaises(Exception, request, double.port, "GET", "/readyz"))
        t.start()
        time.sleep(0.2)
        double.proc.send_signal(signal.SIGTERM)
        self.assertEqual(double.proc.wait(timeout=5), 0)
        t.join(5)
        double.stop()


if __name__ == "__main__":
    unittest.main()
