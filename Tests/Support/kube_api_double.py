#!/usr/bin/env python3
"""A Kubernetes API server double for master-agent's tests (Python 3.11 stdlib only).

It follows the conventions of a real kube-apiserver (see
shared/notes/kubernetes-api-facts.md): errors are `Status` objects with the real
reasons and messages, every write bumps one global decimal `resourceVersion`,
Lease MicroTime fields need exactly six fractional digits, namespaces carry the
`kubernetes.io/metadata.name` label, health endpoints are public.

Design
------
* One process serves every `--listen HOST:PORT` given (threaded HTTP/1.1 with
  keep-alive; TLS handshakes run in the connection's own thread, so a silent
  client never blocks the accept loop).
* Health is scripted from process start: for `--refuse-for S` the sockets are
  bound (ports are known and written to `--ready-file`) but not listening, so
  connects get ECONNREFUSED; then for `--unready-for S` the health endpoints
  answer 500 with failing checks; then `ok`.
* All objects, counters and the request log live in a `Store`. A process started
  with `--state-socket PATH` also serves its store on a unix socket (give no
  `--listen` for a state-only process). A process started with
  `--state-connect PATH` keeps no objects of its own and forwards every store
  operation (one JSON line per request, one per answer) to that socket. Two API
  servers sharing one state process behave like two kube-apiservers sharing
  etcd. Pass the same `--mode` / `--no-kube-system` to the state process: it
  decides which namespaces exist at start. Fault rules and the health timeline
  stay per server process.
* Test control lives under `/__double/` (never a Kubernetes path):
    GET    /__double/state   counters (namespace creates per User-Agent, request
                             counts per path, current resourceVersion, health stage)
    GET    /__double/log     request log (?since=N returns entries from index N)
    GET    /__double/faults  the fault rules with their remaining counts
    POST   /__double/faults  add one rule (object) or several (array)
    DELETE /__double/faults  clear the rules and release hung connections
    POST   /__double/reset   objects back to the start set, counters, log and
                             faults cleared (resourceVersion keeps increasing)
    POST   /__double/health  {"unreadyFor": S} -> 500 on health for S seconds from now
* Fault rule (JSON): match on `path` (prefix of the path without query), `method`,
  `userAgent` (substring); all given must match. `count` = times to apply
  (default: always). `action` is one of
    delay     {"seconds": S} then continue (later rules may still apply)
    hang      never answer; the connection is closed when the client goes away,
              the faults are cleared, or after optional `seconds`
    reset     close the socket abruptly (SO_LINGER 0 -> RST), nothing sent
    status    {"status": 500|503|429|..., "retryAfter": N} Status body (+Retry-After)
    garbage   200, application/json, a non-JSON body
    html      200, text/html, an HTML page (alias: "content-type")
    truncate  the real answer (side effects happen) with its JSON cut in half and a
              matching Content-Length; {"short": true} instead declares the full
              length and closes early
  `--fault JSON` (repeatable) preloads rules.
* Health bodies follow k8s.io/apiserver's healthz handler: `ok` when healthy
  (`?verbose`: one `[+]check ok` line each, then `readyz check passed`); on
  failure 500 with every check listed (`[-]informer-sync failed: reason withheld`
  ...), ending `readyz check failed`, with or without `?verbose` (the handler is
  always verbose on failure). `/readyz/<check>` answers for one check.
* Legacy mode (`--mode legacy`) answers like v1.2: /healthz only (404 page not
  found on /readyz and /livez), no coordination.k8s.io group, only `default`
  exists, namespaces get no metadata.name label (added in v1.21).
* `--require-auth`: requests without a verified client certificate and without a
  bearer token given by `--token` are `system:anonymous` and get 403 on the API
  (health and /version stay public); a wrong bearer token gets 401 everywhere.

Examples:
    kube_api_double.py --listen 127.0.0.1:0 --ready-file /tmp/api.json \
        --refuse-for 2 --unready-for 1
    kube_api_double.py --listen 127.0.0.1:0 --ready-file r.json --tls-cert s.crt \
        --tls-key s.key --client-ca ca.crt --require-auth
    kube_api_double.py --state-socket /run/demo/state.sock --mode legacy     # "etcd"
    kube_api_double.py --listen 10.0.0.1:8080 --state-connect /run/demo/state.sock --mode legacy
The ready file holds {"pid", "ports", "addresses", "scheme", "stateSocket",
"listenAt"}; it is written as soon as the ports are bound (before --refuse-for ends).

Deliberately faithful details a client may trip on: PUT of a Lease without
metadata.resourceVersion is 422 Invalid (leases forbid unconditional updates);
PUT of a missing Lease or Endpoints creates it (201); an update that changes
nothing keeps the resourceVersion; a body sent as form data gets 415.
"""

import argparse
import base64
import binascii
import copy
import csv
import datetime
import json
import os
import random
import re
import select
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOG_LIMIT = 100000
MODERN_VERSION = {
    "major": "1", "minor": "36", "gitVersion": "v1.36.2",
    "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0",
    "compiler": "gc", "platform": "linux/amd64",
}
LEGACY_VERSION = {
    "major": "1", "minor": "2", "gitVersion": "v1.2.0",
    "gitCommit": "5cb86ee022267586db386f62781338b0483733b3", "gitTreeState": "clean",
}
OPTIMISTIC_LOCK = "the object has been modified; please apply your changes to the latest version and try again"
MICROTIME_LAYOUT = "2006-01-02T15:04:05.000000Z07:00"
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

# resource -> (group, version, kind, namespaced)
RESOURCES = {
    "namespaces": ("", "v1", "Namespace", False),
    "endpoints": ("", "v1", "Endpoints", True),
    "leases": ("coordination.k8s.io", "v1", "Lease", True),
    "nodes": ("", "v1", "Node", False),
    "certificatesigningrequests": ("certificates.k8s.io", "v1", "CertificateSigningRequest", False),
    "clusterrolebindings": ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", False),
    "pods": ("", "v1", "Pod", True),
}
ALLOW_CREATE_ON_UPDATE = {"namespaces": False, "endpoints": True, "leases": True, "nodes": False,
                          "certificatesigningrequests": False, "clusterrolebindings": True, "pods": True}
ALLOW_UNCONDITIONAL_UPDATE = {"namespaces": True, "endpoints": True, "leases": False, "nodes": True,
                              "certificatesigningrequests": True, "clusterrolebindings": True, "pods": True}
# Subresources the double serves: (resource, subresource) -> the verbs allowed on it.
SUBRESOURCES = {("nodes", "status"): ("get", "update", "patch"),
                ("certificatesigningrequests", "approval"): ("get", "update"),
                ("certificatesigningrequests", "status"): ("get", "update")}
# Who a request is when it brings no credentials the double can read (no --require-auth): like the old
# insecure port, an all-powerful user.
UNSECURED_USER = {"name": "system:unsecured", "groups": ["system:masters", "system:authenticated"]}
PATCH_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json")
CSR_CONDITION_TYPES = ("Approved", "Denied", "Failed")
KNOWN_USAGES = ("signing", "digital signature", "content commitment", "key encipherment", "key agreement",
                "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
                "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
                "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc")
UNDELETABLE_NAMESPACES = ("default", "kube-system", "kube-public")


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def qualified(resource):
    group = RESOURCES[resource][0]
    return resource + "." + group if group else resource


def status_failure(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason}
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def object_details(resource, name, extra=None):
    details = {"name": name}
    group = RESOURCES[resource][0]
    if group:
        details["group"] = group
    details["kind"] = resource
    if extra:
        details.update(extra)
    return details


def not_found(resource, name):
    return [404, status_failure(404, "NotFound", '%s "%s" not found' % (qualified(resource), name),
                                object_details(resource, name))]


def already_exists(resource, name):
    return [409, status_failure(409, "AlreadyExists", '%s "%s" already exists' % (qualified(resource), name),
                                object_details(resource, name))]


def conflict(resource, name):
    return [409, status_failure(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s'
                                % (qualified(resource), name, OPTIMISTIC_LOCK), object_details(resource, name))]


def bad_request(message):
    return [400, status_failure(400, "BadRequest", message)]


def invalid(resource, name, causes):
    """causes: list of (field, message-after-field)."""
    group = RESOURCES[resource][0]
    kind = RESOURCES[resource][2]
    # Validation errors name the Kind (Lease.coordination.k8s.io); the registry's
    # resourceVersion check names the resource instead and is built in Store._update.
    label = kind + "." + group if group else kind
    text = ", ".join("%s: %s" % (f, m) for f, m in causes)
    if len(causes) > 1:
        text = "[" + text + "]"
    details = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = [{"reason": cause_reason(m), "message": m, "field": f} for f, m in causes]
    return [422, status_failure(422, "Invalid", '%s "%s" is invalid: %s' % (label, name, text), details)]


def cause_reason(message):
    """The StatusCause reason field.ErrorList gives a message with this prefix."""
    for prefix, reason in (("Required value", "FieldValueRequired"), ("Unsupported value", "FieldValueNotSupported"),
                           ("Duplicate value", "FieldValueDuplicate"), ("Forbidden", "FieldValueForbidden")):
        if message.startswith(prefix):
            return reason
    return "FieldValueInvalid"


def forbidden_status(user, verb, resource, subresource, namespace, name):
    """403 as the RBAC authorizer words it, e.g. for a subresource `certificatesigningrequests/approval`."""
    group = RESOURCES[resource][0]
    if resource == "namespaces" and name:
        namespace = name
    subject = qualified(resource) + (' "%s"' % name if name else "")
    scope = 'in the namespace "%s"' % namespace if namespace else "at the cluster scope"
    full = resource + ("/" + subresource if subresource else "")
    message = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s' % (
        subject, user, verb, full, group, scope)
    details = {"name": name} if name else {}
    if group:
        details["group"] = group
    details["kind"] = resource
    return [403, status_failure(403, "Forbidden", message, details)]


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (for maps such as labels, strategic merge patch does the same)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def go_json_type(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def parse_microtime(value):
    """Parse like Go's time.Parse(RFC3339Micro-ish layout); returns (datetime, None) or (None, error)."""
    def err(rest, elem):
        return None, 'parsing time "%s" as "%s": cannot parse "%s" as "%s"' % (value, MICROTIME_LAYOUT, rest, elem)
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})", value)
    if not m:
        # Walk the fixed-width prefix to name the first element that fails, like Go does.
        elems = [("2006", r"\d{4}"), ("-", "-"), ("01", r"\d{2}"), ("-", "-"), ("02", r"\d{2}"), ("T", "T"),
                 ("15", r"\d{2}"), (":", ":"), ("04", r"\d{2}"), (":", ":"), ("05", r"\d{2}")]
        pos = 0
        for elem, pattern in elems:
            mm = re.match(pattern, value[pos:])
            if not mm:
                return err(value[pos:], elem)
            pos += mm.end()
        return err(value, "2006")
    rest = value[m.end():]
    if not re.match(r"^\.\d{6}", rest):
        return err(rest, ".000000")
    frac = int(rest[1:7])
    rest = rest[7:]
    if rest == "Z":
        tz = datetime.timezone.utc
    else:
        mz = re.match(r"^([+-])(\d{2}):(\d{2})$", rest)
        if not mz:
            return err(rest, "Z07:00")
        sign = 1 if mz.group(1) == "+" else -1
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(mz.group(2)), minutes=int(mz.group(3))))
    try:
        parsed = datetime.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                                   int(m.group(5)), int(m.group(6)), frac, tzinfo=tz)
    except ValueError as exc:
        return None, 'parsing time "%s": %s' % (value, exc)
    return parsed, None


def format_microtime(parsed):
    return parsed.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """Objects, counters and the request log. Every public method takes and returns JSON values."""

    def __init__(self, legacy=False, kube_system=True):
        self.legacy = legacy
        self.kube_system = kube_system and not legacy
        self.lock = threading.Lock()
        self.rv = 0
        self._reset_locked()

    # -- bookkeeping -------------------------------------------------------
    def _next_rv(self):
        self.rv += 1
        return str(self.rv)

    def _reset_locked(self):
        self.objects = {r: {} for r in RESOURCES}  # resource -> {(ns, name): obj}
        self.log = []
        self.log_base = 0
        self.request_counts = {}
        self.method_path_counts = {}
        self.creates = {r: {} for r in RESOURCES}
        names = ["default"] if self.legacy else ["default", "kube-node-lease", "kube-public"]
        if self.kube_system:
            names.append("kube-system")
        for name in names:
            self._insert_namespace(name)
        endpoints = {"metadata": {"name": "kubernetes", "namespace": "default"},
                     "subsets": [{"addresses": [{"ip": "127.0.0.1"}],
                                  "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]}
        self._finish_create("endpoints", "default", "kubernetes", endpoints)

    def _insert_namespace(self, name):
        self._finish_create("namespaces", "", name, {"metadata": {"name": name}})

    def _finish_create(self, resource, ns, name, obj):
        group, version, kind, namespaced = RESOURCES[resource]
        meta = obj.setdefault("metadata", {})
        meta["name"] = name
        if namespaced:
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        meta["uid"] = str(uuid.uuid4())
        meta["resourceVersion"] = self._next_rv()
        meta["creationTimestamp"] = now_rfc3339()
        for key in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generation"):
            meta.pop(key, None)
        self._defaults(resource, obj)
        obj["kind"] = kind
        obj["apiVersion"] = (group + "/" + version) if group else version
        obj = self._ordered(obj)
        self.objects[resource][(ns, name)] = obj
        return obj

    def _defaults(self, resource, obj):
        if resource == "namespaces":
            if not self.legacy:
                labels = obj["metadata"].setdefault("labels", {})
                labels["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
            spec = obj.setdefault("spec", {})
            spec.setdefault("finalizers", ["kubernetes"])
            obj["status"] = {"phase": "Active"}
        elif resource == "leases":
            obj.setdefault("spec", {})

    @staticmethod
    def _ordered(obj):
        out = {"kind": obj.get("kind"), "apiVersion": obj.get("apiVersion"), "metadata": obj.get("metadata", {})}
        for k, v in obj.items():
            if k not in out:
                out[k] = v
        return out

    # -- validation --------------------------------------------------------
    def _decode(self, resource, body_text):
        """Returns (obj, None) or (None, [code, status])."""
        group, version, kind, _ = RESOURCES[resource]
        try:
            obj = json.loads(body_text) if body_text.strip() else None
        except (ValueError, RecursionError) as exc:
            return None, bad_request("couldn't get version/kind; json parse error: %s" % exc)
        if not isinstance(obj, dict):
            return None, bad_request("couldn't get version/kind; json parse error: json: cannot unmarshal %s into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }" % go_json_type(obj))
        expected_gv = (group + "/" + version) if group else version
        api_version = obj.get("apiVersion")
        if api_version not in (None, "") and api_version != expected_gv:
            return None, bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                                     % (api_version, expected_gv))
        if obj.get("kind") not in (None, "") and obj.get("kind") != kind:
            return None, bad_request("the kind in the data (%s) does not match the expected kind (%s)"
                                     % (obj.get("kind"), kind))
        meta = obj.get("metadata")
        if meta is None:
            meta = obj["metadata"] = {}
        if not isinstance(meta, dict):
            return None, self._cannot_handle(resource, "json: cannot unmarshal %s into Go struct field %s.metadata of type v1.ObjectMeta"
                                             % (go_json_type(meta), kind))
        for field in ("name", "namespace", "resourceVersion", "generateName"):
            if field in meta and meta[field] is not None and not isinstance(meta[field], str):
                return None, self._cannot_handle(resource, "json: cannot unmarshal %s into Go struct field ObjectMeta.metadata.%s of type string"
                                                 % (go_json_type(meta[field]), field))
        for field in ("labels", "annotations"):
            val = meta.get(field)
            if val is not None and (not isinstance(val, dict) or not all(isinstance(v, str) for v in val.values())):
                return None, self._cannot_handle(resource, "json: cannot unmarshal %s into Go struct field ObjectMeta.metadata.%s of type map[string]string"
                                                 % (go_json_type(val) if not isinstance(val, dict) else "number", field))
        if resource == "leases":
            error = self._decode_lease_spec(obj)
            if error:
                return None, error
        if resource == "certificatesigningrequests":
            error = self._decode_csr_spec(obj)
            if error:
                return None, error
        return obj, None

    def _decode_csr_spec(self, obj):
        spec = obj.get("spec")
        if spec is None:
            return None
        if not isinstance(spec, dict):
            return self._cannot_handle("certificatesigningrequests", "json: cannot unmarshal %s into Go struct field CertificateSigningRequest.spec of type v1.CertificateSigningRequestSpec" % go_json_type(spec))
        request = spec.get("request")
        if request is None:
            return None
        if not isinstance(request, str):
            return self._cannot_handle("certificatesigningrequests", "json: cannot unmarshal %s into Go struct field CertificateSigningRequestSpec.spec.request of type []uint8" % go_json_type(request))
        try:
            base64.b64decode(request, validate=True)
        except (binascii.Error, ValueError):
            return self._cannot_handle("certificatesigningrequests", "illegal base64 data at input byte 0")
        return None

    def _cannot_handle(self, resource, detail):
        group, version, kind, _ = RESOURCES[resource]
        return bad_request('%s in version "%s" cannot be handled as a %s: %s' % (kind, version, kind, detail))

    def _decode_lease_spec(self, obj):
        spec = obj.get("spec")
        if spec is None:
            return None
        if not isinstance(spec, dict):
            return self._cannot_handle("leases", "json: cannot unmarshal %s into Go struct field Lease.spec of type v1.LeaseSpec"
                                       % go_json_type(spec))
        types = {"holderIdentity": "string", "leaseDurationSeconds": "int32", "leaseTransitions": "int32",
                 "strategy": "string", "preferredHolder": "string"}
        for field, gotype in types.items():
            val = spec.get(field)
            if val is None:
                continue
            ok = isinstance(val, str) if gotype == "string" else (
                isinstance(val, (int, float)) and not isinstance(val, bool) and float(val).is_integer())
            if not ok:
                return self._cannot_handle("leases", "json: cannot unmarshal %s into Go struct field LeaseSpec.spec.%s of type %s"
                                           % (go_json_type(val), field, gotype))
            if gotype == "int32":
                spec[field] = int(val)
        for field in ("acquireTime", "renewTime"):
            val = spec.get(field)
            if val is None:
                continue
            if not isinstance(val, str):
                return self._cannot_handle("leases", "json: cannot unmarshal %s into Go struct field LeaseSpec.spec.%s of type string"
                                           % (go_json_type(val), field))
            parsed, error = parse_microtime(val)
            if error:
                return self._cannot_handle("leases", error)
            spec[field] = format_microtime(parsed)
        return None

    def _validate(self, resource, obj, name, updating):
        causes = []
        if resource == "namespaces":
            if not DNS1123_LABEL.match(name) or len(name) > 63:
                causes.append(("metadata.name", 'Invalid value: "%s": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')' % name))
        elif resource in ("clusterrolebindings", "certificatesigningrequests"):
            # path.IsValidPathSegmentName: RBAC and CSR names may hold colons (kubeadm:cluster-admins).
            for bad in ("/", "%"):
                if bad in name:
                    causes.append(("metadata.name", 'Invalid value: "%s": may not contain \'%s\'' % (name, bad)))
            if name in (".", ".."):
                causes.append(("metadata.name", 'Invalid value: "%s": may not be \'%s\'' % (name, name)))
        elif not DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
            causes.append(("metadata.name", 'Invalid value: "%s": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')' % name))
        if resource == "leases":
            spec = obj.get("spec") or {}
            if spec.get("leaseDurationSeconds") is not None and spec["leaseDurationSeconds"] <= 0:
                causes.append(("spec.leaseDurationSeconds", "Invalid value: %d: must be greater than 0" % spec["leaseDurationSeconds"]))
            if spec.get("leaseTransitions") is not None and spec["leaseTransitions"] < 0:
                causes.append(("spec.leaseTransitions", "Invalid value: %d: must be greater than or equal to 0" % spec["leaseTransitions"]))
        if resource == "certificatesigningrequests" and not updating:
            causes += self._csr_spec_causes(obj.get("spec") or {})
        if resource == "clusterrolebindings":
            causes += self._binding_causes(obj)
        if causes:
            return invalid(resource, name, causes)
        return None

    @staticmethod
    def _csr_spec_causes(spec):
        """What pkg/apis/certificates/validation says about a new CSR's spec (the parts a client can get wrong)."""
        causes = []
        request = base64.b64decode(spec.get("request") or "")
        if not request:
            causes.append(("spec.request", "Required value"))
        elif b"-----BEGIN CERTIFICATE REQUEST-----" not in request:
            causes.append(("spec.request", "Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST"))
        signer = spec.get("signerName")
        if not signer:
            causes.append(("spec.signerName", "Required value"))
        elif not isinstance(signer, str) or "/" not in signer or not DNS1123_SUBDOMAIN.match(signer.split("/", 1)[0]):
            causes.append(("spec.signerName", "Invalid value: %s: must be a fully qualified domain and path of the form 'example.com/signer-name'" % json.dumps(signer)))
        usages = spec.get("usages")
        if not usages:
            causes.append(("spec.usages", "Required value"))
        else:
            for index, usage in enumerate(usages if isinstance(usages, list) else [usages]):
                if usage not in KNOWN_USAGES:
                    causes.append(("spec.usages[%d]" % index, "Unsupported value: %s: supported values: %s" % (
                        json.dumps(usage), ", ".join('"%s"' % u for u in KNOWN_USAGES))))
        return causes

    @staticmethod
    def _binding_causes(obj):
        causes = []
        ref = obj.get("roleRef") or {}
        if ref.get("apiGroup") != "rbac.authorization.k8s.io":
            causes.append(("roleRef.apiGroup", "Unsupported value: %s: supported values: \"rbac.authorization.k8s.io\"" % json.dumps(ref.get("apiGroup", ""))))
        if ref.get("kind") not in ("ClusterRole",):
            causes.append(("roleRef.kind", "Unsupported value: %s: supported values: \"ClusterRole\"" % json.dumps(ref.get("kind", ""))))
        if not ref.get("name"):
            causes.append(("roleRef.name", "Required value"))
        for index, subject in enumerate(obj.get("subjects") or []):
            if subject.get("kind") not in ("User", "Group", "ServiceAccount"):
                causes.append(("subjects[%d].kind" % index, "Unsupported value: %s: supported values: \"Group\", \"ServiceAccount\", \"User\"" % json.dumps(subject.get("kind", ""))))
            if not subject.get("name"):
                causes.append(("subjects[%d].name" % index, "Required value"))
        return causes

    # -- the API ------------------------------------------------------------
    def api(self, verb, resource, namespace, name, body_text, user_agent, extra=None):
        """verb: get|list|create|update|patch|delete. `extra`: {"subresource", "contentType", "user": {"name",
        "groups"}, "authorize": bool}. Returns [code, body]."""
        extra = extra or {}
        user = extra.get("user") or UNSECURED_USER
        sub = extra.get("subresource") or ""
        ns, name, body_text = namespace or "", name or "", body_text or ""
        with self.lock:
            if extra.get("authorize") and not self._allowed(user, verb, resource, sub, ns):
                return forbidden_status(user["name"], verb, resource, sub, ns, name)
            self.requester = user
            if verb == "patch":
                return self._patch(resource, ns, name, body_text, extra.get("contentType") or "", sub)
            if sub:
                return self._subresource(verb, resource, sub, name, body_text)
            return getattr(self, "_" + verb)(resource, ns, name, body_text, user_agent or "")

    # -- authorization (a small RBAC: enough for the identities kubeadm's PKI gives) ---------------------
    def _allowed(self, user, verb, resource, sub, ns):
        groups = set(user.get("groups") or [])
        if "system:masters" in groups:
            return True
        for binding in self.objects["clusterrolebindings"].values():
            if (binding.get("roleRef") or {}).get("name") != "cluster-admin":
                continue
            for subject in binding.get("subjects") or []:
                if (subject.get("kind") == "User" and subject.get("name") == user["name"]) or \
                        (subject.get("kind") == "Group" and subject.get("name") in groups):
                    return True
        if "system:nodes" in groups:
            # What system:node / system:certificates.k8s.io:certificatesigningrequests:selfnodeclient allow a kubelet.
            allowed = {("certificatesigningrequests", ""): ("create", "get", "list", "watch"),
                       ("nodes", ""): ("create", "get", "list", "watch"),
                       ("nodes", "status"): ("update", "patch"),
                       ("leases", ""): ("create", "get", "update") if ns == "kube-node-lease" else ()}
            return verb in allowed.get((resource, sub), ())
        return False

    # -- subresources and patches ---------------------------------------------
    def _subresource(self, verb, resource, sub, name, body):
        existing = self.objects[resource].get(("", name))
        if verb == "get":
            return [200, copy.deepcopy(existing)] if existing is not None else not_found(resource, name)
        # As the real handler: the body is decoded and its name checked before storage is asked.
        obj, error = self._decode(resource, body)
        if error:
            return error
        meta = obj["metadata"]
        if meta.get("name") is not None and meta.get("name") != name:
            return bad_request("the name of the object (%s) does not match the name on the URL (%s)" % (meta.get("name") or "", name))
        if existing is None:
            return not_found(resource, name)
        rv_text = meta.get("resourceVersion") or ""
        if rv_text and rv_text != existing["metadata"]["resourceVersion"]:
            return conflict(resource, name)
        new = copy.deepcopy(existing)
        if resource == "certificatesigningrequests":
            status = obj.get("status") or {}
            conditions = status.get("conditions") or []
            error = self._condition_errors(name, existing, conditions)
            if error:
                return error
            new.setdefault("status", {})["conditions"] = self._stamped(existing, conditions)
            if sub == "status" and status.get("certificate"):
                new["status"]["certificate"] = status["certificate"]
        else:
            new["status"] = copy.deepcopy(obj.get("status") or {})
        return self._store_if_changed(resource, name, existing, new)

    def _condition_errors(self, name, existing, conditions):
        """ValidateCertificateSigningRequestApprovalUpdate, for the conditions a client sends."""
        causes = []
        seen = {}
        if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
            return self._cannot_handle("certificatesigningrequests", "json: cannot unmarshal into Go struct field CertificateSigningRequestStatus.status.conditions of type []v1.CertificateSigningRequestCondition")
        for index, condition in enumerate(conditions):
            kind = condition.get("type") or ""
            field = "status.conditions[%d]" % index
            if not kind:
                causes.append((field + ".type", "Required value"))
            if condition.get("status") not in ("True", "False", "Unknown"):
                causes.append((field + ".status", 'Unsupported value: %s: supported values: "False", "True", "Unknown"'
                               % json.dumps(condition.get("status", ""))))
            if kind in CSR_CONDITION_TYPES and kind in seen:
                causes.append((field + ".type", 'Duplicate value: "%s"' % kind))
            seen.setdefault(kind, index)
        if "Approved" in seen and "Denied" in seen:
            later = max(seen["Approved"], seen["Denied"])
            kind = conditions[later]["type"]
            causes.append(("status.conditions[%d].type" % later,
                           'Invalid value: "%s": Approved and Denied conditions are mutually exclusive' % kind))
        for old in (existing.get("status") or {}).get("conditions") or []:
            if old.get("type") in ("Approved", "Denied") and old["type"] not in seen:
                causes.append(("status.conditions", 'Forbidden: updates may not remove a condition of type "%s"' % old["type"]))
        return invalid("certificatesigningrequests", name, causes) if causes else None

    @staticmethod
    def _stamped(existing, conditions):
        """The server fills lastUpdateTime and lastTransitionTime; an unchanged condition keeps its transition time."""
        old = {c.get("type"): c for c in (existing.get("status") or {}).get("conditions") or []}
        now = now_rfc3339()
        out = []
        for condition in conditions:
            condition = dict(condition)
            previous = old.get(condition.get("type"))
            if not condition.get("lastUpdateTime"):
                condition["lastUpdateTime"] = previous.get("lastUpdateTime", now) if previous == condition else now
            if not condition.get("lastTransitionTime"):
                same = previous is not None and previous.get("status") == condition.get("status")
                condition["lastTransitionTime"] = previous.get("lastTransitionTime", now) if same else now
            out.append(condition)
        return out

    def _store_if_changed(self, resource, name, existing, new):
        if self._same(new, existing):
            return [200, copy.deepcopy(existing)]
        new["metadata"]["resourceVersion"] = self._next_rv()
        self.objects[resource][("", name)] = new
        return [200, copy.deepcopy(new)]

    def _patch(self, resource, ns, name, body, content_type, sub):
        if content_type not in PATCH_TYPES:
            return [415, status_failure(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json, application/apply-patch+cbor", {})]
        existing = self.objects[resource].get((ns, name))
        if existing is None:
            return not_found(resource, name)
        try:
            patch = json.loads(body)
        except ValueError as exc:
            return bad_request("error decoding patch: %s" % exc)
        if not isinstance(patch, dict):
            return bad_request("error decoding patch: json: cannot unmarshal %s into Go value of type map[string]interface {}" % go_json_type(patch))
        wanted_rv = (patch.get("metadata") or {}).get("resourceVersion")
        if wanted_rv and wanted_rv != existing["metadata"]["resourceVersion"]:
            return conflict(resource, name)
        merged = merge_patch(existing, patch)
        obj, error = self._decode(resource, json.dumps(merged))
        if error:
            return error
        new = copy.deepcopy(existing)
        if sub == "status":
            new["status"] = obj.get("status") or {}
        else:
            for key, value in obj.items():
                if key not in ("kind", "apiVersion", "status"):
                    new[key] = value
            for key in ("name", "namespace", "uid", "creationTimestamp", "resourceVersion"):
                if key in existing["metadata"]:
                    new["metadata"][key] = existing["metadata"][key]
        error = self._validate(resource, new, name, True)
        if error:
            return error
        if self._same(new, existing):
            return [200, copy.deepcopy(existing)]
        new["metadata"]["resourceVersion"] = self._next_rv()
        self.objects[resource][(ns, name)] = new
        return [200, copy.deepcopy(new)]

    def _namespace_missing(self, resource, namespace):
        if RESOURCES[resource][3] and namespace and ("", namespace) not in self.objects["namespaces"]:
            return not_found("namespaces", namespace)
        return None

    def _get(self, resource, ns, name, body, ua):
        obj = self.objects[resource].get((ns, name))
        if obj is None:
            return not_found(resource, name)
        return [200, copy.deepcopy(obj)]

    def _list(self, resource, ns, name, body, ua):
        group, version, kind, _ = RESOURCES[resource]
        items = []
        for (ons, oname), obj in sorted(self.objects[resource].items()):
            if ns and ons != ns:
                continue
            item = copy.deepcopy(obj)
            item.pop("kind", None)
            item.pop("apiVersion", None)
            items.append(item)
        return [200, {"kind": kind + "List", "apiVersion": (group + "/" + version) if group else version,
                      "metadata": {"resourceVersion": str(self.rv)}, "items": items}]

    def _create(self, resource, ns, name, body, ua):
        obj, error = self._decode(resource, body)
        if error:
            return error
        meta = obj["metadata"]
        if RESOURCES[resource][3] and meta.get("namespace") and meta["namespace"] != ns:
            return bad_request("the namespace of the provided object does not match the namespace sent on the request")
        name = meta.get("name") or ""
        if not name and meta.get("generateName"):
            name = meta["generateName"] + "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
        if not name:
            group = RESOURCES[resource][0]
            kind = RESOURCES[resource][2]
            label = kind + "." + group if group else kind
            return [422, status_failure(422, "Invalid", '%s "" is invalid: metadata.name: Required value: name or generateName is required' % label,
                                        {"group": group, "kind": kind, "causes": [{"reason": "FieldValueRequired", "message": "Required value: name or generateName is required", "field": "metadata.name"}]}
                                        if group else {"kind": kind, "causes": [{"reason": "FieldValueRequired", "message": "Required value: name or generateName is required", "field": "metadata.name"}]})]
        error = self._validate(resource, obj, name, False)
        if error:
            return error
        missing = self._namespace_missing(resource, ns)
        if missing:
            return missing
        if (ns, name) in self.objects[resource]:
            return already_exists(resource, name)
        meta.pop("resourceVersion", None)
        if resource == "certificatesigningrequests":
            # The requester is whoever authenticated, whatever the body claims; status starts empty.
            spec = obj.setdefault("spec", {})
            for key in ("username", "uid", "groups", "extra"):
                spec.pop(key, None)
            user = getattr(self, "requester", None) or UNSECURED_USER
            spec["username"] = user["name"]
            spec["groups"] = list(user.get("groups") or [])
            obj["status"] = {}
        created = self._finish_create(resource, ns, name, obj)
        self.creates[resource][ua] = self.creates[resource].get(ua, 0) + 1
        return [201, copy.deepcopy(created)]

    def _update(self, resource, ns, name, body, ua):
        obj, error = self._decode(resource, body)
        if error:
            return error
        meta = obj["metadata"]
        if meta.get("name") is not None and meta.get("name") != name:
            return bad_request("the name of the object (%s) does not match the name on the URL (%s)" % (meta.get("name") or "", name))
        if RESOURCES[resource][3] and meta.get("namespace") and meta["namespace"] != ns:
            return bad_request("the namespace of the provided object does not match the namespace sent on the request")
        rv_text = meta.get("resourceVersion") or ""
        if rv_text and not rv_text.isdigit():
            return bad_request('invalid resource version: strconv.ParseUint: parsing "%s": invalid syntax' % rv_text)
        existing = self.objects[resource].get((ns, name))
        if existing is None:
            if not ALLOW_CREATE_ON_UPDATE[resource]:
                return not_found(resource, name)
            error = self._validate(resource, obj, name, False)
            if error:
                return error
            missing = self._namespace_missing(resource, ns)
            if missing:
                return missing
            meta.pop("resourceVersion", None)
            created = self._finish_create(resource, ns, name, obj)
            self.creates[resource][ua] = self.creates[resource].get(ua, 0) + 1
            return [201, copy.deepcopy(created)]
        if not rv_text or int(rv_text) == 0:
            if not ALLOW_UNCONDITIONAL_UPDATE[resource]:
                group = RESOURCES[resource][0]
                details = {"name": name}
                if group:
                    details["group"] = group
                details["kind"] = resource
                details["causes"] = [{"reason": "FieldValueInvalid", "message": "Invalid value: 0x0: must be specified for an update",
                                      "field": "metadata.resourceVersion"}]
                return [422, status_failure(422, "Invalid", '%s "%s" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update'
                                            % (qualified(resource), name), details)]
        elif rv_text != existing["metadata"]["resourceVersion"]:
            return conflict(resource, name)
        error = self._validate(resource, obj, name, True)
        if error:
            return error
        new = copy.deepcopy(obj)
        new_meta = new["metadata"]
        old_meta = existing["metadata"]
        for key in ("name", "namespace", "uid", "creationTimestamp"):
            if key in old_meta:
                new_meta[key] = old_meta[key]
        for key in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generation"):
            new_meta.pop(key, None)
        self._defaults(resource, new)
        if resource == "namespaces":
            new["status"] = copy.deepcopy(existing.get("status", {"phase": "Active"}))
        if resource in ("nodes", "certificatesigningrequests"):
            # Status has its own subresource; a CSR's spec is immutable.
            new["status"] = copy.deepcopy(existing.get("status", {}))
            if resource == "certificatesigningrequests":
                new["spec"] = copy.deepcopy(existing.get("spec", {}))
        new["kind"] = existing["kind"]
        new["apiVersion"] = existing["apiVersion"]
        new_meta["resourceVersion"] = old_meta["resourceVersion"]
        new = self._ordered(new)
        if self._same(new, existing):
            # etcd3 store skips writes that change nothing: same resourceVersion.
            return [200, copy.deepcopy(existing)]
        new_meta["resourceVersion"] = self._next_rv()
        self.objects[resource][(ns, name)] = new
        return [200, copy.deepcopy(new)]

    @staticmethod
    def _same(a, b):
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)

    def _delete(self, resource, ns, name, body, ua):
        obj = self.objects[resource].get((ns, name))
        if obj is None:
            return not_found(resource, name)
        if resource == "namespaces":
            if name in UNDELETABLE_NAMESPACES and not self.legacy:
                return [403, status_failure(403, "Forbidden", 'namespaces "%s" is forbidden: this namespace may not be deleted' % name,
                                            {"name": name, "kind": "namespaces"})]
            # The real server finalizes asynchronously; the double removes at once
            # but answers with the Terminating object, as the real one does.
            gone = copy.deepcopy(obj)
            gone["metadata"]["deletionTimestamp"] = now_rfc3339()
            gone["metadata"]["resourceVersion"] = self._next_rv()
            gone["status"] = {"phase": "Terminating"}
            del self.objects[resource][(ns, name)]
            for other in ("endpoints", "leases"):
                for key in [k for k in self.objects[other] if k[0] == name]:
                    del self.objects[other][key]
            return [200, gone]
        del self.objects[resource][(ns, name)]
        self._next_rv()
        return [200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                      "details": object_details(resource, name, {"uid": obj["metadata"]["uid"]})}]

    # -- test support --------------------------------------------------------
    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if len(self.log) > LOG_LIMIT:
                drop = len(self.log) - LOG_LIMIT
                del self.log[:drop]
                self.log_base += drop
            path = entry.get("path", "").split("?", 1)[0]
            self.request_counts[path] = self.request_counts.get(path, 0) + 1
            key = entry.get("method", "") + " " + path
            self.method_path_counts[key] = self.method_path_counts.get(key, 0) + 1
        return True

    def get_log(self, since):
        with self.lock:
            start = max(0, int(since) - self.log_base)
            return {"first": self.log_base + start, "next": self.log_base + len(self.log),
                    "entries": copy.deepcopy(self.log[start:])}

    def state(self):
        with self.lock:
            ns_creates = dict(self.creates["namespaces"])
            return {
                "mode": "legacy" if self.legacy else "modern",
                "resourceVersion": str(self.rv),
                "namespaceCreates": ns_creates,
                "namespaceCreatesTotal": sum(ns_creates.values()),
                "creates": copy.deepcopy(self.creates),
                "requestsByPath": dict(self.request_counts),
                "requestsByMethodPath": dict(self.method_path_counts),
                "requestsTotal": sum(self.request_counts.values()),
                "objects": {r: sorted(("%s/%s" % k if k[0] else k[1]) for k in objs)
                            for r, objs in self.objects.items()},
            }

    def reset(self):
        with self.lock:
            self._reset_locked()
        return True

    def ping(self):
        return True


STORE_OPS = ("api", "record", "get_log", "state", "reset", "ping")


class StateUnavailable(Exception):
    pass


class RemoteStore:
    """Forwards Store operations to a `--state-socket` process (one connection per thread)."""

    def __init__(self, path):
        self.path = path
        self.local = threading.local()

    def _connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(10)
            sock.connect(self.path)
            conn = (sock, sock.makefile("rb"))
            self.local.conn = conn
        return conn

    def _connect_patiently(self):
        # A burst of new connections can overflow the listen backlog (EAGAIN on
        # unix sockets); nothing was sent yet, so retrying is safe.
        deadline = time.monotonic() + 2
        while True:
            try:
                return self._connection()
            except (BlockingIOError, InterruptedError, ConnectionRefusedError) as exc:
                if isinstance(exc, ConnectionRefusedError) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.005)

    def _drop(self):
        conn = getattr(self.local, "conn", None)
        self.local.conn = None
        if conn:
            try:
                conn[1].close()
                conn[0].close()
            except OSError:
                pass

    def call(self, op, *args):
        line = (json.dumps({"op": op, "args": list(args)}) + "\n").encode()
        last = None
        for _ in range(2):
            try:
                sock, reader = self._connect_patiently()
                sock.sendall(line)
                answer = reader.readline()
                if not answer:
                    raise OSError("state process closed the connection")
                reply = json.loads(answer)
                if "error" in reply:
                    raise StateUnavailable(reply["error"])
                return reply["result"]
            except (OSError, ValueError) as exc:
                last = exc
                self._drop()
        raise StateUnavailable("state socket %s: %s" % (self.path, last))

    def __getattr__(self, op):
        if op in STORE_OPS:
            return lambda *args: self.call(op, *args)
        raise AttributeError(op)


class StateRequestHandler(socketserver.StreamRequestHandler):
    def handle(self):
        store = self.server.store
        while True:
            try:
                line = self.rfile.readline()
            except OSError:
                return
            if not line:
                return
            try:
                request = json.loads(line)
                op = request["op"]
                if op not in STORE_OPS:
                    raise ValueError("unknown op %r" % op)
                reply = {"result": getattr(store, op)(*request.get("args", []))}
            except Exception as exc:  # a bad request must not kill the state process
                reply = {"error": "%s: %s" % (type(exc).__name__, exc)}
            try:
                self.wfile.write((json.dumps(reply) + "\n").encode())
                self.wfile.flush()
            except OSError:
                return


class StateServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, path, store):
        if os.path.exists(path):
            os.unlink(path)
        super().__init__(path, StateRequestHandler)
        self.store = store
        os.chmod(path, 0o666)


# ---------------------------------------------------------------------------
# Health, faults, discovery
# ---------------------------------------------------------------------------

# Check names and order as a v1.3x kube-apiserver lists them.
POSTSTARTHOOKS = [
    "start-apiserver-admission-initializer", "generic-apiserver-start-informers",
    "priority-and-fairness-config-consumer", "priority-and-fairness-filter",
    "storage-object-count-tracker-hook", "start-apiextensions-informers",
    "start-apiextensions-controllers", "crd-informer-synced", "start-system-namespaces-controller",
    "start-cluster-authentication-info-controller", "start-kube-apiserver-identity-lease-controller",
    "start-kube-apiserver-identity-lease-garbage-collector", "start-legacy-token-tracking-controller",
    "start-service-ip-repair-controllers", "rbac/bootstrap-roles",
    "scheduling/bootstrap-system-priority-classes", "priority-and-fairness-config-producer",
    "bootstrap-controller", "start-kubernetes-service-cidr-controller",
    "aggregator-reload-proxy-client-cert", "start-kube-aggregator-informers",
    "apiservice-status-local-available-controller", "apiservice-status-remote-available-controller",
    "apiservice-registration-controller", "apiservice-discovery-controller",
    "kube-apiserver-autoregistration"]
HEALTHZ_CHECKS = (["ping", "log", "etcd"] + ["poststarthook/" + h for h in POSTSTARTHOOKS]
                  + ["autoregister-completion", "poststarthook/apiservice-openapi-controller",
                     "poststarthook/apiservice-openapiv3-controller"])
READYZ_CHECKS = (["ping", "log", "etcd", "etcd-readiness", "informer-sync"]
                 + HEALTHZ_CHECKS[3:] + ["shutdown"])
FAILING_WHILE_STARTING = {"informer-sync", "poststarthook/start-apiextensions-controllers",
                          "poststarthook/crd-informer-synced", "poststarthook/rbac/bootstrap-roles",
                          "poststarthook/scheduling/bootstrap-system-priority-classes",
                          "poststarthook/bootstrap-controller", "poststarthook/apiservice-registration-controller",
                          "autoregister-completion"}
LEGACY_HEALTHZ_CHECKS = ["ping", "poststarthook/bootstrap-controller"]


class Health:
    """The scripted health timeline of one server process."""

    def __init__(self, refuse_for, unready_for, clock=time.monotonic):
        self.clock = clock
        self.start = clock()
        self.refuse_until = self.start + refuse_for
        self.unready_until = self.refuse_until + unready_for
        self.lock = threading.Lock()

    def stage(self):
        now = self.clock()
        if now < self.refuse_until:
            return "refusing"
        with self.lock:
            return "unready" if now < self.unready_until else "ready"

    def make_unready(self, seconds):
        with self.lock:
            self.unready_until = self.clock() + seconds

    def body(self, endpoint, verbose, legacy, state_error=None, check=None):
        """Returns (code, text) for /healthz, /livez or /readyz (or one /<endpoint>/<check>).

        Like k8s.io/apiserver/pkg/server/healthz: success is `ok` (or the check list
        with `?verbose`); a failure always lists every check, `?verbose` or not."""
        unready = self.stage() != "ready"
        if legacy:
            checks = LEGACY_HEALTHZ_CHECKS
        elif endpoint == "readyz":
            checks = READYZ_CHECKS
        elif endpoint == "livez":
            checks = [c for c in HEALTHZ_CHECKS if c != "autoregister-completion"] + ["autoregister-completion"]
        else:
            checks = HEALTHZ_CHECKS
        failing = set()
        if unready:
            failing |= FAILING_WHILE_STARTING & set(checks)
        if state_error is not None and "etcd" in checks:
            failing.add("etcd")
            failing.add("etcd-readiness")
        failing &= set(checks)
        if check is not None:
            if check not in checks:
                return 404, "404 page not found\n"
            if check in failing:
                return 500, "internal server error: %s\n" % (
                    "etcd unreachable" if check.startswith("etcd") else "not finished")
            return 200, "ok"
        if not failing and not verbose:
            return 200, "ok"
        lines = [("[-]%s failed: reason withheld" if c in failing else "[+]%s ok") % c for c in checks]
        verdict = "failed" if failing else "passed"
        return (500 if failing else 200), "\n".join(lines) + "\n%s check %s\n" % (endpoint, verdict)


FAULT_ACTIONS = ("delay", "hang", "reset", "status", "garbage", "html", "content-type", "truncate")


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.next_id = 1
        self.release = threading.Event()  # set when rules are cleared: hung connections end

    def add(self, rule):
        if not isinstance(rule, dict):
            raise ValueError("a fault rule is a JSON object")
        action = rule.get("action")
        if action not in FAULT_ACTIONS:
            raise ValueError("action must be one of %s" % ", ".join(FAULT_ACTIONS))
        for key, kind in (("path", str), ("method", str), ("userAgent", str)):
            if key in rule and rule[key] is not None and not isinstance(rule[key], kind):
                raise ValueError("%s must be a string" % key)
        for key in ("count", "seconds", "status", "retryAfter"):
            if key in rule and rule[key] is not None and (not isinstance(rule[key], (int, float)) or isinstance(rule[key], bool)):
                raise ValueError("%s must be a number" % key)
        if action == "delay" and not isinstance(rule.get("seconds"), (int, float)):
            raise ValueError("delay needs seconds")
        with self.lock:
            stored = dict(rule)
            stored["id"] = self.next_id
            self.next_id += 1
            if stored.get("count") is not None:
                stored["remaining"] = int(stored["count"])
            self.rules.append(stored)
            return stored["id"]

    def clear(self):
        with self.lock:
            self.rules = []
            old = self.release
            self.release = threading.Event()
        old.set()

    def snapshot(self):
        with self.lock:
            return copy.deepcopy(self.rules)

    def match(self, method, path, user_agent):
        """Returns the rules to apply, in order: delays, then at most one terminal rule."""
        chosen = []
        with self.lock:
            for rule in self.rules:
                if rule.get("remaining") is not None and rule["remaining"] <= 0:
                    continue
                if rule.get("path") and not path.startswith(rule["path"]):
                    continue
                if rule.get("method") and rule["method"].upper() != method.upper():
                    continue
                if rule.get("userAgent") and rule["userAgent"] not in user_agent:
                    continue
                if rule.get("remaining") is not None:
                    rule["remaining"] -= 1
                chosen.append(dict(rule))
                if rule["action"] != "delay":
                    break
            return chosen, self.release


def discovery_api(host):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]}


def group_entry(name, versions):
    gvs = [{"groupVersion": "%s/%s" % (name, v), "version": v} for v in versions]
    return {"name": name, "versions": gvs, "preferredVersion": gvs[0]}


MODERN_GROUPS = [("apiregistration.k8s.io", ["v1"]), ("apps", ["v1"]), ("events.k8s.io", ["v1"]),
                 ("authentication.k8s.io", ["v1"]), ("authorization.k8s.io", ["v1"]),
                 ("autoscaling", ["v2", "v1"]), ("batch", ["v1"]), ("certificates.k8s.io", ["v1"]),
                 ("networking.k8s.io", ["v1"]), ("policy", ["v1"]), ("rbac.authorization.k8s.io", ["v1"]),
                 ("storage.k8s.io", ["v1"]), ("admissionregistration.k8s.io", ["v1"]),
                 ("apiextensions.k8s.io", ["v1"]), ("scheduling.k8s.io", ["v1"]),
                 ("coordination.k8s.io", ["v1"]), ("node.k8s.io", ["v1"]), ("discovery.k8s.io", ["v1"]),
                 ("flowcontrol.apiserver.k8s.io", ["v1"])]
LEGACY_GROUPS = [("autoscaling", ["v1"]), ("batch", ["v1"]), ("extensions", ["v1beta1"])]


def resource_entry(name, singular, namespaced, kind, verbs, short=None):
    entry = {"name": name, "singularName": singular, "namespaced": namespaced, "kind": kind, "verbs": verbs}
    if short:
        entry["shortNames"] = short
    return entry


ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
CORE_V1_RESOURCES = [
    resource_entry("endpoints", "endpoints", True, "Endpoints", ALL_VERBS, ["ep"]),
    resource_entry("namespaces", "namespace", False, "Namespace", ["create", "delete", "get", "list", "patch", "update", "watch"], ["ns"]),
    resource_entry("namespaces/finalize", "", False, "Namespace", ["update"]),
    resource_entry("namespaces/status", "", False, "Namespace", ["get", "patch", "update"]),
]
LEASES_RESOURCES = [resource_entry("leases", "lease", True, "Lease", ALL_VERBS)]
CORE_V1_RESOURCES += [
    resource_entry("nodes", "node", False, "Node", ALL_VERBS, ["no"]),
    resource_entry("nodes/status", "", False, "Node", ["get", "patch", "update"]),
]
GROUP_RESOURCES = {
    "coordination.k8s.io": LEASES_RESOURCES,
    "certificates.k8s.io": [
        resource_entry("certificatesigningrequests", "certificatesigningrequest", False, "CertificateSigningRequest",
                       ALL_VERBS, ["csr"]),
        resource_entry("certificatesigningrequests/approval", "", False, "CertificateSigningRequest",
                       ["get", "patch", "update"]),
        resource_entry("certificatesigningrequests/status", "", False, "CertificateSigningRequest",
                       ["get", "patch", "update"])],
    "rbac.authorization.k8s.io": [
        resource_entry("clusterrolebindings", "clusterrolebinding", False, "ClusterRoleBinding", ALL_VERBS)],
}


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

class Abort(Exception):
    """Raised to end a connection without writing a (further) response."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def version_string(self):
        return "kube-api-double"
    timeout = 300  # idle keep-alive connections are closed after this
    # Headers and body go out in separate writes; without TCP_NODELAY a keep-alive client's delayed ACK
    # stalls every second response by ~40 ms, which Go's kube-apiserver (buffered writes) never does.
    disable_nagle_algorithm = True

    # -- connection setup ---------------------------------------------------
    def setup(self):
        self.aborted = False
        self.client_cert = None
        ctx = self.server.app.ssl_context
        if ctx is not None:
            self.request.settimeout(10)
            self.request = ctx.wrap_socket(self.request, server_side=True)
            self.client_cert = self.request.getpeercert() or None
            self.request.settimeout(None)
        super().setup()

    def finish(self):
        if self.aborted:
            return
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, fmt, *args):
        if self.server.app.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except Abort:
            self.close_connection = True
        except (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError):
            self.close_connection = True

    # -- dispatch -----------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def dispatch(self):
        app = self.server.app
        self.started = time.time()
        self.logged_status = None
        self.fault_name = None
        raw_path = self.path
        parts = urlsplit(raw_path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        user_agent = self.headers.get("User-Agent", "")
        # Control calls stay out of the log and counters the tests read.
        self.recorded = path.startswith("/__double/")
        length = self.headers.get("Content-Length")
        body = b""
        try:
            if length:
                n = int(length)
                if n < 0 or n > 64 * 1024 * 1024:
                    raise ValueError
                body = self.rfile.read(n)
            elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = self.read_chunked()
        except ValueError:
            self.send(400, "text/plain; charset=utf-8", b"400 Bad Request: bad Content-Length")
            self.close_connection = True
            return
        try:
            if path.startswith("/__double/"):
                self.control(path, query, body)
                return
            rules, release = app.faults.match(self.command, path, user_agent)
            terminal = None
            for rule in rules:
                if rule["action"] == "delay":
                    self.fault_name = "delay"
                    time.sleep(float(rule["seconds"]))
                else:
                    terminal = rule
            if terminal is not None and terminal["action"] != "truncate":
                self.apply_fault(terminal, path, release)
                return
            try:
                code, headers, payload = self.route(path, query, body, user_agent)
            except (Abort, OSError):
                raise
            except Exception as exc:  # a bug in the double must not cost the client its answer
                code, headers, payload = self.json_response(500, status_failure(
                    500, "InternalError", "Internal error occurred: %s: %s" % (type(exc).__name__, exc),
                    {"causes": [{"message": str(exc)}]}))
            if terminal is not None:
                self.fault_name = "truncate"
                cut = payload[: len(payload) // 2]
                if terminal.get("short"):
                    self.send(code, headers.get("Content-Type", "application/json"), cut, declared=len(payload))
                    self.abort(reset=False)
                else:
                    self.send(code, headers.get("Content-Type", "application/json"), cut)
                return
            self.send(code, headers.pop("Content-Type"), payload, headers)
        finally:
            self.record_once()

    def record_once(self):
        # Called just before the first response byte goes out (and again, as a
        # no-op, when the request ends): a request the client sends after it
        # has read this answer is then always logged after this one.
        if self.recorded:
            return
        self.recorded = True
        app = self.server.app
        started = self.started
        entry = {"time": started, "method": self.command, "path": self.path, "status": self.logged_status,
                 "userAgent": self.headers.get("User-Agent", ""),
                 "durationMs": round((time.time() - started) * 1000, 3),
                 "server": "%s:%d" % self.server.server_address[:2], "client": "%s:%d" % self.client_address[:2],
                 "fault": self.fault_name}
        try:
            app.store.record(entry)
        except StateUnavailable:
            pass

    def read_chunked(self):
        data = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return data
            data += self.rfile.read(size)
            self.rfile.readline()
            if len(data) > 64 * 1024 * 1024:
                raise ValueError

    # -- writing ------------------------------------------------------------
    def send(self, code, content_type, payload, extra_headers=None, declared=None):
        self.logged_status = code
        self.record_once()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        if content_type.startswith("text/plain"):
            self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache, private")
        for key, value in (extra_headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload) if declared is None else declared))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    def json_response(self, code, obj, extra=None):
        headers = {"Content-Type": "application/json"}
        headers.update(extra or {})
        return code, headers, json.dumps(obj, separators=(",", ":")).encode() + b"\n"

    def text_response(self, code, text):
        return code, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()

    def abort(self, reset):
        """Close the socket now; with reset, the peer gets an RST instead of a FIN."""
        self.aborted = True
        self.close_connection = True
        # Logged before the peer can see the close and retry, as answers are before they go out.
        self.record_once()
        sock = self.request
        try:
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.wfile.flush()
        except OSError:
            pass
        try:
            # SSLSocket.close() sends no close_notify, so with linger 0 the peer sees an RST too.
            sock.close()
        except OSError:
            pass
        raise Abort()

    # -- faults -------------------------------------------------------------
    def apply_fault(self, rule, path, release):
        action = rule["action"]
        self.fault_name = action
        if action == "reset":
            self.abort(reset=True)
        if action == "hang":
            self.hang(rule.get("seconds"), release)
        if action == "status":
            code = int(rule.get("status", 500))
            extra = {}
            if rule.get("retryAfter") is not None:
                extra["Retry-After"] = str(int(rule["retryAfter"]))
            if path in ("/healthz", "/livez", "/readyz") and code == 500:
                text = "[+]ping ok\n[-]poststarthook/start-apiextensions-controllers failed: reason withheld\n%s check failed\n" % path[1:]
                self.send(code, "text/plain; charset=utf-8", text.encode(), extra)
                return
            reason, message = {
                429: ("TooManyRequests", "Too many requests, please try again later."),
                503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
                500: ("InternalError", "Internal error occurred: injected fault"),
                504: ("Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded"),
            }.get(code, ("InternalError" if code >= 500 else "BadRequest", "injected fault"))
            details = {}
            if rule.get("retryAfter") is not None:
                details["retryAfterSeconds"] = int(rule["retryAfter"])
            if code == 500:
                details["causes"] = [{"message": "injected fault"}]
            c, headers, payload = self.json_response(code, status_failure(code, reason, message, details))
            self.send(code, headers.pop("Content-Type"), payload, extra)
            return
        if action == "garbage":
            self.send(200, "application/json", b"\x00\xff<<not json>> }{ \x1b[0m" + bytes(range(32)))
            return
        if action in ("html", "content-type"):
            self.send(200, "text/html; charset=utf-8",
                      b"<!DOCTYPE html>\n<html><head><title>Welcome</title></head>"
                      b"<body><h1>Proxy login required</h1></body></html>\n")
            return

    def hang(self, seconds, release):
        self.close_connection = True
        # Logged now: the client gives up and retries long before the hang ends.
        self.record_once()
        deadline = None if seconds is None else time.monotonic() + float(seconds)
        sock = self.request
        while not self.server.app.stopping.is_set() and not release.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            try:
                readable, _, _ = select.select([sock], [], [], 0.1)
            except (OSError, ValueError):
                break
            if readable:
                try:
                    if isinstance(sock, ssl.SSLSocket):
                        sock.setblocking(False)
                        data = sock.recv(4096)
                    else:
                        data = sock.recv(4096, socket.MSG_DONTWAIT)
                except (ssl.SSLWantReadError, BlockingIOError):
                    continue
                except OSError:
                    break
                if not data:
                    break
        self.logged_status = None
        self.abort(reset=False)

    # -- control endpoints ----------------------------------------------------
    def control(self, path, query, body):
        app = self.server.app
        method = self.command
        try:
            if path == "/__double/state" and method == "GET":
                state = app.store.state()
                state["health"] = app.health.stage()
                state["faults"] = app.faults.snapshot()
                result = (200, state)
            elif path == "/__double/log" and method == "GET":
                since = int(query.get("since", ["0"])[0] or 0)
                result = (200, app.store.get_log(since))
            elif path == "/__double/faults" and method == "GET":
                result = (200, {"rules": app.faults.snapshot()})
            elif path == "/__double/faults" and method == "POST":
                rules = json.loads(body or b"null")
                rules = rules if isinstance(rules, list) else [rules]
                ids = [app.faults.add(r) for r in rules]
                result = (201, {"ids": ids})
            elif path == "/__double/faults" and method == "DELETE":
                app.faults.clear()
                result = (200, {"cleared": True})
            elif path == "/__double/reset" and method == "POST":
                app.faults.clear()
                app.store.reset()
                result = (200, {"reset": True})
            elif path == "/__double/health" and method == "POST":
                spec = json.loads(body or b"{}")
                app.health.make_unready(float(spec.get("unreadyFor", 0)))
                result = (200, {"health": app.health.stage()})
            else:
                result = (404, {"error": "no such control endpoint: %s %s" % (method, path)})
        except StateUnavailable as exc:
            result = (503, {"error": str(exc)})
        except (ValueError, TypeError, AttributeError) as exc:
            result = (400, {"error": str(exc)})
        code, headers, payload = self.json_response(result[0], result[1])
        self.send(code, headers.pop("Content-Type"), payload)

    # -- the Kubernetes API ---------------------------------------------------
    def route(self, path, query, body, user_agent):
        """Returns (code, headers, payload) for a Kubernetes path."""
        app = self.server.app
        legacy = app.legacy
        segments = [s for s in path.split("/") if s]
        health = path.rstrip("/") if path != "/" else path
        if self.command not in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"):
            return self.json_response(405, status_failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}))

        identity = self.identify()
        if identity == "invalid-token":
            return self.json_response(401, status_failure(401, "Unauthorized", "Unauthorized"))

        if health in ("/healthz", "/livez", "/readyz") or health.startswith(("/healthz/", "/livez/", "/readyz/")):
            endpoint = segments[0]
            if legacy and endpoint != "healthz":
                return self.not_found_page()
            verbose = "verbose" in query
            state_error = None
            if app.remote:
                try:
                    app.store.ping()
                except StateUnavailable as exc:
                    state_error = str(exc)
            check = "/".join(segments[1:]) or None
            code, text = app.health.body(endpoint, verbose, legacy, state_error, check)
            return self.text_response(code, text)
        if path == "/version" or path == "/version/":
            return self.json_response(200, LEGACY_VERSION if legacy else MODERN_VERSION)

        if identity == "anonymous":
            return self.forbidden(segments, path)

        if segments == ["api"]:
            host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
            return self.json_response(200, discovery_api(host))
        if segments == ["apis"]:
            groups = LEGACY_GROUPS if legacy else MODERN_GROUPS
            return self.json_response(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                            "groups": [group_entry(n, v) for n, v in groups]})
        if segments == ["api", "v1"]:
            return self.json_response(200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": CORE_V1_RESOURCES})
        if not legacy and len(segments) == 2 and segments[0] == "apis" and segments[1] in GROUP_RESOURCES:
            return self.json_response(200, dict(group_entry(segments[1], ["v1"]), kind="APIGroup", apiVersion="v1"))
        if not legacy and len(segments) == 3 and segments[0] == "apis" and segments[1] in GROUP_RESOURCES \
                and segments[2] == "v1":
            return self.json_response(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                            "groupVersion": segments[1] + "/v1", "resources": GROUP_RESOURCES[segments[1]]})

        target = self.resolve(segments)
        if target is None:
            return self.not_found_page()
        resource, namespace, name, subresource = target
        verb = {"GET": "get" if name else "list", "HEAD": "get" if name else "list",
                "POST": "create", "PUT": "update", "DELETE": "delete", "PATCH": "patch"}.get(self.command)
        if verb is None or (verb == "create" and name) or (verb in ("update", "delete", "patch") and not name) \
                or (subresource and verb not in SUBRESOURCES[(resource, subresource)]):
            return self.json_response(405, status_failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}))
        content_type = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
        if verb in ("create", "update"):
            if content_type not in ("application/json", "application/yaml", "*/*"):
                return self.json_response(415, status_failure(415, "UnsupportedMediaType",
                                                              "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/cbor", {}))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = body.decode("latin-1")
        extra = {"subresource": subresource, "contentType": content_type, "user": identity,
                 "authorize": app.authorize}
        try:
            code, obj = app.store.api(verb, resource, namespace, name, text, user_agent, extra)
        except StateUnavailable as exc:
            return self.json_response(500, status_failure(500, "InternalError", "Internal error occurred: %s" % exc,
                                                          {"causes": [{"message": str(exc)}]}))
        return self.json_response(code, obj)

    def resolve(self, segments):
        """Maps a path to (resource, namespace, name, subresource) or None."""
        app = self.server.app
        if segments[:2] == ["api", "v1"]:
            group, rest = "", segments[2:]
        elif not app.legacy and len(segments) >= 3 and segments[0] == "apis" and segments[2] == "v1":
            group, rest = segments[1], segments[3:]
        else:
            return None

        def served(resource):
            return resource in RESOURCES and RESOURCES[resource][0] == group

        def with_subresource(resource, ns, name, sub):
            if sub and (resource, sub) not in SUBRESOURCES:
                return None
            return (resource, ns, name, sub)

        if group == "" and rest and rest[0] == "namespaces" and len(rest) <= 2:
            return ("namespaces", "", rest[1] if len(rest) == 2 else "", "")
        if rest and rest[0] == "namespaces" and len(rest) in (3, 4):
            resource = rest[2]
            if served(resource) and RESOURCES[resource][3]:
                return (resource, rest[1], rest[3] if len(rest) == 4 else "", "")
            return None
        if not rest or not served(rest[0]):
            return None
        resource = rest[0]
        if RESOURCES[resource][3]:
            # A namespaced resource across all namespaces: list only.
            if len(rest) == 1 and self.command in ("GET", "HEAD"):
                return (resource, "", "", "")
            return None
        if len(rest) <= 3:
            return with_subresource(resource, "", rest[1] if len(rest) >= 2 else "", rest[2] if len(rest) == 3 else "")
        return None

    def not_found_page(self):
        if self.server.app.legacy:
            return self.text_response(404, "404 page not found\n")
        return self.json_response(404, status_failure(404, "NotFound", "the server could not find the requested resource", {}))

    def identify(self):
        """The requester {"name", "groups"}, or 'anonymous' or 'invalid-token' (no user)."""
        app = self.server.app
        auth = self.headers.get("Authorization")
        if auth:
            user = app.tokens.get(auth[7:].strip()) if auth.startswith("Bearer ") else None
            if user:
                return user
            if app.require_auth:
                return "invalid-token"
        if self.client_cert:
            # The x509 authenticator: CN is the user name, each O a group.
            names = [rdn for rdns in self.client_cert.get("subject", ()) for rdn in rdns]
            common = [v for k, v in names if k == "commonName"]
            groups = [v for k, v in names if k == "organizationName"]
            return {"name": common[0] if common else "", "groups": groups + ["system:authenticated"]}
        if app.require_auth:
            return "anonymous"
        return UNSECURED_USER

    def forbidden(self, segments, path):
        target = self.resolve(segments) if segments and segments[0] in ("api", "apis") else None
        user = 'User "system:anonymous"'
        if target is None:
            message = 'forbidden: %s cannot %s path "%s"' % (user, self.command.lower(), path)
            return self.json_response(403, status_failure(403, "Forbidden", message, {}))
        resource, namespace, name, subresource = target
        verb = {"GET": "get" if name else "list", "HEAD": "get" if name else "list", "POST": "create",
                "PUT": "update", "DELETE": "delete", "PATCH": "patch"}.get(self.command, "get")
        return self.json_response(*forbidden_status("system:anonymous", verb, resource, subresource, namespace, name))


class DoubleHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app):
        self.app = app
        super().__init__(address, Handler, bind_and_activate=False)

    def handle_error(self, request, client_address):
        if self.app.verbose:
            super().handle_error(request, client_address)


class App:
    def __init__(self, args):
        self.verbose = args.verbose
        self.legacy = args.mode == "legacy"
        self.require_auth = args.require_auth
        self.authorize = args.authorize
        # Like kube-apiserver's --token-auth-file lines: TOKEN[,USER[,UID[,"GROUP1,GROUP2"]]]. A bare token is
        # an all-powerful user, as it always was in this double.
        self.tokens = {}
        for line in args.token or []:
            fields = next(csv.reader([line]))
            token = fields[0].strip()
            if len(fields) == 1:
                self.tokens[token] = {"name": "token-user", "groups": ["system:masters", "system:authenticated"]}
            else:
                groups = [g for g in (fields[3].split(",") if len(fields) > 3 else []) if g]
                self.tokens[token] = {"name": fields[1], "groups": groups + ["system:authenticated"]}
        self.stopping = threading.Event()
        self.faults = Faults()
        for text in args.fault or []:
            rules = json.loads(text)
            for rule in (rules if isinstance(rules, list) else [rules]):
                self.faults.add(rule)
        self.health = Health(args.refuse_for, args.unready_for)
        self.remote = bool(args.state_connect)
        if args.state_connect:
            self.store = RemoteStore(args.state_connect)
        else:
            self.store = Store(legacy=self.legacy, kube_system=not args.no_kube_system)
        self.ssl_context = None
        if args.tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(args.tls_cert, args.tls_key)
            if args.client_ca:
                ctx.load_verify_locations(args.client_ca)
                ctx.verify_mode = ssl.CERT_REQUIRED
            self.ssl_context = ctx



def parse_listen(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("--listen wants HOST:PORT, got %r" % text)
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def build_parser():
    p = argparse.ArgumentParser(description="Kubernetes API server double for tests (see the module docstring).")
    p.add_argument("--listen", action="append", type=parse_listen, default=[], metavar="HOST:PORT",
                   help="address to serve (repeatable; port 0 picks a free port)")
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", help="private key for --tls-cert (PEM)")
    p.add_argument("--client-ca", help="require client certificates signed by this CA (PEM)")
    p.add_argument("--mode", choices=("modern", "legacy"), default="modern")
    p.add_argument("--no-kube-system", action="store_true", help="start without kube-system in modern mode")
    p.add_argument("--refuse-for", type=float, default=0.0, metavar="S", help="refuse connections for S seconds")
    p.add_argument("--unready-for", type=float, default=0.0, metavar="S", help="then answer 500 on health for S seconds")
    p.add_argument("--ready-file", metavar="PATH", help="write bound ports as JSON here once bound")
    p.add_argument("--state-socket", "--serve-state", dest="state_socket", metavar="PATH",
                   help="serve this process's store on a unix socket")
    p.add_argument("--state-connect", metavar="PATH", help="use the store served on this unix socket")
    p.add_argument("--fault", action="append", metavar="JSON", help="preload a fault rule (repeatable)")
    p.add_argument("--require-auth", action="store_true", help="anonymous API requests get 403")
    p.add_argument("--token", action="append", metavar="T",
                   help='a bearer token that authenticates (repeatable): TOKEN or TOKEN,USER,UID,"GROUP1,GROUP2"')
    p.add_argument("--authorize", action="store_true",
                   help="authorize like RBAC: system:masters, users bound to cluster-admin, kubelets (system:nodes)")
    p.add_argument("--verbose", action="store_true", help="log requests and handler errors to stderr")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        sys.exit("--tls-cert and --tls-key go together")
    if args.client_ca and not args.tls_cert:
        sys.exit("--client-ca needs --tls-cert")
    if args.state_socket and args.state_connect:
        sys.exit("--state-socket and --state-connect exclude each other")
    if not args.listen and not args.state_socket:
        sys.exit("nothing to do: give --listen and/or --state-socket")
    try:
        app = App(args)
    except (OSError, ssl.SSLError, ValueError) as exc:
        sys.exit("kube_api_double: %s" % exc)

    servers = []
    try:
        for host, port in args.listen:
            server = DoubleHTTPServer((host, port), app)
            server.server_bind()
            servers.append(server)
    except OSError as exc:
        sys.exit("kube_api_double: cannot bind: %s" % exc)
    state_server = StateServer(args.state_socket, app.store) if args.state_socket else None
    # Without --refuse-for the ports listen before the ready file exists, so
    # a reader of that file is never refused.
    refusing = time.monotonic() < app.health.refuse_until
    if not refusing:
        for server in servers:
            server.server_activate()

    if args.ready_file:
        info = {"pid": os.getpid(), "ports": [s.server_address[1] for s in servers],
                "addresses": ["%s:%d" % s.server_address[:2] for s in servers],
                "scheme": "https" if app.ssl_context else "http", "stateSocket": args.state_socket,
                "listenAt": time.time() + max(0.0, app.health.refuse_until - time.monotonic())}
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(info, f)
        os.replace(tmp, args.ready_file)

    def stop(signum, frame):
        app.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    threads = []
    if state_server is not None:
        t = threading.Thread(target=state_server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        t.start()
        threads.append((state_server, t))

    # Bound but not listening: connects are refused until --refuse-for has passed.
    while not app.stopping.is_set() and time.monotonic() < app.health.refuse_until:
        app.stopping.wait(min(0.05, max(0.0, app.health.refuse_until - time.monotonic())))
    if not app.stopping.is_set():
        for server in servers:
            if refusing:
                server.server_activate()
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
            t.start()
            threads.append((server, t))
    while not app.stopping.is_set():
        app.stopping.wait(0.5)
    for server, t in threads:
        server.shutdown()
    for server in servers:
        server.server_close()
    if state_server is not None:
        state_server.server_close()
        try:
            os.unlink(args.state_socket)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
