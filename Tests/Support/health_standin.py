#!/usr/bin/env python3
"""Stand-in health endpoints for the wait-control-plane tests.

    health_standin.py --ready-file F [--cert C --key K] SPEC...

SPEC is `scheme:host:seconds` (e.g. `https:127.0.0.1:0.6`): one server on a free
port of host that answers any GET with 500 `[-]stand-in not started` for
`seconds`, then 200 `ok` (text/plain). Once every server is bound, the ports
are written to F as a JSON list in SPEC order. Stops on SIGTERM.
"""
import argparse, json, os, signal, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def handler_for(ready_at):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            ok = time.monotonic() >= ready_at
            body = b"ok" if ok else b"[-]stand-in not started failed: reason withheld\nhealthz check failed\n"
            self.send_response(200 if ok else 500)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ready-file", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("spec", nargs="+")
    args = p.parse_args()
    start = time.monotonic()
    ports = []
    for spec in args.spec:
        scheme, host, seconds = spec.split(":")
        server = ThreadingHTTPServer((host, 0), handler_for(start + float(seconds)))
        server.daemon_threads = True
        if scheme == "https":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(args.cert, args.key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ports.append(server.server_address[1])
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump(ports, f)
    os.rename(tmp, args.ready_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
