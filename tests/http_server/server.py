#!/usr/bin/env python3
"""Test HTTP server for libvsi's network handlers (/vsicurl/, /vsicurl_streaming/).

Python 3 standard library only. Binds 127.0.0.1 on a free port, speaks
HTTP/1.1 with keep-alive, serves the files under --root, and counts every
request so tests can check how many requests and bytes a read cost.

Usage
    server.py --root DIR [--port-file FILE] [--latency-ms N] [--auth USER:PASS]
              [--max-lifetime S] [--verbose]

    The port is printed alone on stdout's first line (and written to
    --port-file, atomically, if given). The server stops on SIGTERM/SIGINT,
    when its parent process goes away, when its standard input reaches EOF
    (if stdin is a pipe), on GET /_control/shutdown, or after --max-lifetime
    seconds (default 3600).

Paths
    /<p>            the file or directory ROOT/<p>. A directory asked for
                    without its final "/" is answered 301 to the path with it;
                    with it, an index page (Apache style unless a style
                    segment below says otherwise).

    A path may start with any number of these modifier segments, consumed
    left to right; what remains names the file:
    /apache/...     directory index pages in Apache 2.2 style
                    (<title>Index of /dir</title>, <pre>, "17-May-2010 12:26", "1.5M")
    /nginx/...      nginx autoindex style (<title>Index of /dir/</title>, exact sizes)
    /iis/...        Microsoft IIS style (<title>host - /dir/</title>, lines split
                    by <br>, "Monday, January 01, 2024 12:00 PM   size", absolute hrefs)
    /ftp/...        an FTP listing rendered as HTML by a proxy ("FTP Listing of /dir/")
    /auth/...       HTTP Basic authentication required (--auth, default user:pass);
                    401 with WWW-Authenticate otherwise
    /norange/...    the Range header is ignored (200 with the whole body)
    /error200/...   answered 200 with an HTML error page, whatever the path
    /redirect/...   302 to the rest of the path (query kept)
    /redirect301/...301 to the rest of the path
    /signed/...     302 to a "signed" URL of the rest of the path:
                    /<rest>?Expires=<unix>&X-Amz-Signature=<hmac>. Query of the
                    /signed/ request: expires_in=S (default 3600), style=amz for
                    ?X-Amz-Date=...&X-Amz-Expires=S&X-Amz-Signature=... instead,
                    method=GET to make the signed URL refuse HEAD with 403 (as
                    presigned S3 URLs do). A signed URL past its expiry gets 403
                    "Request has expired"; a wrong signature 403 too.
    /loop/N         302 to /loop/N+1: endless redirects.

Control API (never counted in the statistics, never delayed, never faulted)
    GET /_stats                 JSON {"count": n, "bytes": b, "connections": c,
                                "requests": [{"method", "path", "range", "status",
                                "bytes", "conn"}...]}  (bytes = body bytes sent;
                                conn = serial number of the TCP connection).
                                A request is counted as soon as it arrives; its
                                status (0 until answered) and bytes grow live.
                                ?summary=1 omits "requests". ?format=tsv gives
                                text instead: "count<TAB>bytes<TAB>connections",
                                then one line per request: method, status,
                                bytes, conn, range ("-" if none), path.
    GET /_stats/reset           clears the statistics
    GET /_control/latency?ms=N  delay every later request by N ms (before
                                the response; --latency-ms sets the start value)
    GET /_control/fault?kind=K[&count=N][&path=P][&method=M][&...]
        Scripts a fault for the next N (default 1) requests whose path starts
        with P (default any) and whose method is M (default any). Faults are
        kept in order; a request takes the first that matches. Kinds:
          status        answer `code` (default 503) with Retry-After:
                        `retry_after` if given, and a short text body
          drop          send the headers and `after` body bytes (default 0),
                        then reset the connection (RST; bytes still in the
                        server's socket buffer are lost with it)
          truncate      send the headers and `after` body bytes (default 0),
                        then close the connection cleanly (FIN): body shorter
                        than its Content-Length
          lie_length    claim Content-Length `length` (or true length +
                        `delta`); send the true bytes up to that length, then close
          ignore_range  answer 200 with the whole file despite a Range header
          html_error    answer 200 with an HTML error page
          redirect_loop answer 302 to the very same URL
          slow          send the body at `rate` bytes/s (default 65536)
          delay         wait `ms` ms (default 1000) before answering
          no_length     no Content-Length: a chunked body (HEAD: no length)
    GET /_control/clear         removes every pending fault and restores the
                                start-up latency
    GET /_control/faults        JSON list of pending faults
    GET /_control/shutdown      stops the server

Every loop is bounded: bodies are sent in 64 KiB pieces of finite files,
redirect chains are the client's to bound, idle keep-alive connections end
after 60 s, statistics keep at most 1,000,000 entries.
"""

import argparse
import base64
import calendar
import email.utils
import hashlib
import hmac
import html
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PIECE = 65536
MAX_STATS = 1_000_000
SECRET = b"vsitest-secret"
STYLES = ("apache", "nginx", "iis", "ftp")


class State:
    """Everything shared between request threads, behind one lock."""

    def __init__(self, root, latency_ms, auth):
        self.root = os.path.realpath(root)
        self.start_latency_ms = latency_ms
        self.latency_ms = latency_ms
        self.auth = auth
        self.lock = threading.Lock()
        self.requests = []
        self.total_bytes = 0
        self.dropped_stats = 0
        self.dropped_bytes = 0
        self.faults = []
        self.conn_serial = 0

    def next_conn(self):
        with self.lock:
            self.conn_serial += 1
            return self.conn_serial

    def record(self, entry):
        """Counts a request as it starts; its status and bytes are filled in
        as the answer goes out."""
        with self.lock:
            if len(self.requests) < MAX_STATS:
                self.requests.append(entry)
            else:
                self.dropped_stats += 1

    def take_fault(self, method, path):
        with self.lock:
            for f in self.faults:
                if f["count"] <= 0:
                    continue
                if f["method"] and f["method"] != method:
                    continue
                if f["path"] and not path.startswith(f["path"]):
                    continue
                f["count"] -= 1
                fault = dict(f)
                self.faults = [g for g in self.faults if g["count"] > 0]
                return fault
        return None


FAULT_KINDS = {
    "status", "drop", "truncate", "lie_length", "ignore_range", "html_error",
    "redirect_loop", "slow", "delay", "no_length",
}


def parse_ranges(header, size):
    """Byte ranges of a Range header as [(start, end_inclusive)], None when
    the header is absent or malformed (it is then ignored, as RFC 9110 says),
    [] when no range is satisfiable (416)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec:
        return None
    out = []
    for part in spec.split(","):
        part = part.strip()
        first, dash, last = part.partition("-")
        if not dash:
            return None
        try:
            if first == "":
                n = int(last)
                if n <= 0:
                    continue
                start, end = max(0, size - n), size - 1
            else:
                start = int(first)
                end = int(last) if last else size - 1
                if end < start:
                    return None
                end = min(end, size - 1)
        except ValueError:
            return None
        if start < size and start <= end:
            out.append((start, end))
    return out


def sign(path, expiry):
    return hmac.new(SECRET, f"{path}\n{expiry}".encode(), hashlib.sha256).hexdigest()


def http_date(ts):
    return email.utils.formatdate(ts, usegmt=True)


MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def human_size(n):
    # Apache's FancyIndexing sizes: "512", "1.5K", "23M".
    for unit in ("", "K", "M", "G"):
        if n < 1024 or unit == "G":
            if unit == "":
                return str(n)
            return f"{n:.1f}{unit}" if n < 10 else f"{n:.0f}{unit}"
        n /= 1024
    return str(n)


def index_page(style, url_dir, entries, host):
    """An index page of `url_dir` (the URL path, ending in "/") in `style`.
    entries: [(name, is_dir, size, mtime)] sorted by name."""
    q = urllib.parse.quote
    if style == "nginx":
        lines = ["<html>", f"<head><title>Index of {html.escape(url_dir)}</title></head>",
                 "<body>", f"<h1>Index of {html.escape(url_dir)}</h1><hr><pre><a href=\"../\">../</a>"]
        for name, is_dir, size, mtime in entries:
            shown = name + ("/" if is_dir else "")
            date = time.strftime("%d-%b-%Y %H:%M", time.gmtime(mtime))
            pad = " " * max(1, 51 - len(shown))
            sz = "-" if is_dir else str(size)
            lines.append(f"<a href=\"{q(shown)}\">{html.escape(shown)}</a>{pad}{date} {sz:>19}")
        lines += ["</pre><hr></body>", "</html>", ""]
        return "\r\n".join(lines)
    if style == "iis":
        parent = url_dir.rstrip("/").rsplit("/", 1)[0] + "/"
        body = [f"<html><head><title>{host} - {html.escape(url_dir)}</title></head><body>"
                f"<H1>{host} - {html.escape(url_dir)}</H1><hr>", "",
                f"<pre><A HREF=\"{q(parent)}\">[To Parent Directory]</A><br><br>"]
        for name, is_dir, size, mtime in entries:
            t = time.gmtime(mtime)
            hour12 = t.tm_hour % 12 or 12
            ampm = "PM" if t.tm_hour >= 12 else "AM"
            stamp = f"{DAYS[t.tm_wday]}, {MONTHS[t.tm_mon - 1]} {t.tm_mday:02d}, {t.tm_year} {hour12:2d}:{t.tm_min:02d} {ampm}"
            sz = "&lt;dir&gt;" if is_dir else str(size)
            href = q(url_dir + name + ("/" if is_dir else ""))
            body[-1] += f"{stamp} {sz:>12} <A HREF=\"{href}\">{html.escape(name)}</A><br>"
        body[-1] += "</pre><hr></body></html>"
        return "\r\n".join(body) + "\r\n"
    if style == "ftp":
        lines = ["<HTML><HEAD>", f"<TITLE>FTP Listing of {html.escape(url_dir)}</TITLE>",
                 "</HEAD><BODY>", f"<H2>FTP Listing of {html.escape(url_dir)}</H2>", "<HR>", "<PRE>"]
        for name, is_dir, size, mtime in entries:
            perms = "drwxr-xr-x" if is_dir else "-rw-r--r--"
            date = time.strftime("%b %d %Y", time.gmtime(mtime))
            shown = name + ("/" if is_dir else "")
            lines.append(f"{perms} 1 ftp ftp {size:>12} {date} <A HREF=\"{q(shown)}\">{html.escape(name)}</A>")
        lines += ["</PRE>", "<HR></BODY></HTML>", ""]
        return "\n".join(lines)
    # Apache 2.2 FancyIndexing.
    title = url_dir.rstrip("/") or "/"
    parent = url_dir.rstrip("/").rsplit("/", 1)[0] + "/"
    lines = ['<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">', "<html>", " <head>",
             f"  <title>Index of {html.escape(title)}</title>", " </head>", " <body>",
             f"<h1>Index of {html.escape(title)}</h1>",
             '<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>'
             '                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>'
             '  <a href="?C=D;O=A">Description</a><hr><img src="/icons/back.gif" alt="[DIR]"> '
             f'<a href="{q(parent)}">Parent Directory</a>                             -   ']
    for name, is_dir, size, mtime in entries:
        shown = name + ("/" if is_dir else "")
        icon = '<img src="/icons/folder.gif" alt="[DIR]">' if is_dir else '<img src="/icons/unknown.gif" alt="[   ]">'
        date = time.strftime("%d-%b-%Y %H:%M", time.gmtime(mtime))
        pad = " " * max(1, 24 - len(shown))
        sz = "-" if is_dir else human_size(size)
        lines.append(f"{icon} <a href=\"{q(shown)}\">{html.escape(shown)}</a>{pad}{date}  {sz:>4}  ")
    lines += ["<hr></pre>", "</body></html>", ""]
    return "\n".join(lines)


ERROR_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Service error</title></head>\n"
              b"<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>\n")


class DropConnection(Exception):
    """Raised to abandon a response: the connection is reset."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vsitest/1.0"
    # Idle keep-alive connections (and stalled clients) end after this.
    timeout = 60

    def setup(self):
        super().setup()
        self.conn_id = self.server.state.next_conn()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 (stdlib's name)
        if self.server.verbose:
            sys.stderr.write("server.py: %s - %s\n" % (self.address_string(), format % args))

    # -- dispatch ---------------------------------------------------------

    def do_GET(self):
        self.handle_any("GET")

    def do_HEAD(self):
        self.handle_any("HEAD")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def handle_any(self, method):
        self.method = method
        self.entry = None
        state = self.server.state
        # Discard any request body so the connection stays usable.
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(min(length, 64 << 20))
        if self.path.startswith("/_stats") or self.path.startswith("/_control/"):
            self.control()
            return
        fault = state.take_fault(method, self.path)
        latency = state.latency_ms
        if fault and fault["kind"] == "delay":
            latency += int(fault.get("ms", 1000))
        if latency > 0:
            time.sleep(latency / 1000.0)
        self.fault = fault
        self.entry = {"method": method, "path": self.path, "range": self.headers.get("Range"),
                      "status": 0, "bytes": 0, "conn": self.conn_id}
        state.record(self.entry)
        try:
            self.serve()
        except DropConnection:
            self.reset_connection()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- responses --------------------------------------------------------

    def start(self, code, headers, reason=None):
        if self.entry is not None:
            self.entry["status"] = code
        self.send_response(code, reason)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()

    def simple(self, code, body=b"", ctype="text/plain", extra=()):
        if isinstance(body, str):
            body = body.encode()
        headers = [("Content-Type", ctype), ("Content-Length", str(len(body)))] + list(extra)
        self.start(code, headers)
        if self.method != "HEAD":
            self.write_body(body)

    def write_body(self, data):
        self.wfile.write(data)
        if self.entry is not None:
            self.entry["bytes"] += len(data)

    def reset_connection(self):
        """Aborts the connection with a TCP reset."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass

    def control(self):
        state = self.server.state
        url = urllib.parse.urlsplit(self.path)
        qs = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/_stats":
            with state.lock:
                state.total_bytes = state.dropped_bytes + sum(r["bytes"] for r in state.requests)
                doc = {"count": len(state.requests) + state.dropped_stats, "bytes": state.total_bytes,
                       "connections": len({r["conn"] for r in state.requests})}
                if qs.get("summary") not in ("1", "yes", "true"):
                    doc["requests"] = [dict(r) for r in state.requests]
            if qs.get("format") == "tsv":
                lines = [f"{doc['count']}\t{doc['bytes']}\t{doc['connections']}"]
                for r in doc.get("requests", []):
                    lines.append("\t".join(str(r[k]) if r[k] is not None else "-"
                                           for k in ("method", "status", "bytes", "conn", "range", "path")))
                self.simple(200, "\n".join(lines) + "\n")
            else:
                self.simple(200, json.dumps(doc), "application/json")
        elif url.path == "/_stats/reset":
            with state.lock:
                state.requests = []
                state.total_bytes = 0
                state.dropped_stats = 0
                state.dropped_bytes = 0
            self.simple(200, "ok\n")
        elif url.path == "/_control/latency":
            state.latency_ms = int(qs.get("ms", "0"))
            self.simple(200, "ok\n")
        elif url.path == "/_control/fault":
            kind = qs.get("kind", "")
            if kind not in FAULT_KINDS:
                self.simple(400, f"unknown fault kind {kind!r}\n")
                return
            fault = dict(qs)
            fault["kind"] = kind
            fault["count"] = int(qs.get("count", "1"))
            fault["path"] = qs.get("path", "")
            fault["method"] = qs.get("method", "").upper()
            with state.lock:
                state.faults.append(fault)
            self.simple(200, "ok\n")
        elif url.path == "/_control/faults":
            with state.lock:
                doc = list(state.faults)
            self.simple(200, json.dumps(doc), "application/json")
        elif url.path == "/_control/clear":
            with state.lock:
                state.faults = []
                state.latency_ms = state.start_latency_ms
            self.simple(200, "ok\n")
        elif url.path == "/_control/shutdown":
            self.simple(200, "bye\n")
            self.wfile.flush()
            threading.Thread(target=lambda: (time.sleep(0.05), os._exit(0)), daemon=True).start()
        else:
            self.simple(404, "no such control endpoint\n")

    def serve(self):
        state = self.server.state
        fault = self.fault
        kind = fault["kind"] if fault else None
        if kind == "status":
            code = int(fault.get("code", "503"))
            extra = [("Retry-After", fault["retry_after"])] if "retry_after" in fault else []
            self.simple(code, f"scripted status {code}\n", extra=extra)
            return
        if kind == "html_error":
            self.simple(200, ERROR_PAGE, "text/html")
            return
        if kind == "redirect_loop":
            self.simple(302, "", extra=[("Location", self.path)])
            return

        url = urllib.parse.urlsplit(self.path)
        segments = url.path.split("/")[1:]
        style = "apache"
        ignore_range = kind == "ignore_range"
        consumed = []
        # Modifier segments, left to right; bounded by the path's length.
        while segments:
            seg = segments[0]
            rest = "/" + "/".join(segments[1:])
            if url.query:
                rest_q = rest + "?" + url.query
            else:
                rest_q = rest
            if seg in STYLES:
                style = seg
            elif seg == "auth":
                if not self.authorized():
                    self.simple(401, "authentication required\n",
                                extra=[("WWW-Authenticate", 'Basic realm="vsitest"')])
                    return
            elif seg == "norange":
                ignore_range = True
            elif seg == "error200":
                self.simple(200, ERROR_PAGE, "text/html")
                return
            elif seg == "redirect":
                self.simple(302, "", extra=[("Location", rest_q)])
                return
            elif seg == "redirect301":
                self.simple(301, "", extra=[("Location", rest_q)])
                return
            elif seg == "signed":
                self.simple(302, "", extra=[("Location", self.signed_location(rest, url.query))])
                return
            elif seg == "loop":
                try:
                    n = int(segments[1]) if len(segments) > 1 else 0
                except ValueError:
                    n = 0
                self.simple(302, "", extra=[("Location", f"/loop/{n + 1}")])
                return
            else:
                break
            consumed.append(seg)
            segments = segments[1:]

        if not self.check_signature(url):
            return
        rel = urllib.parse.unquote("/".join(segments))
        full = os.path.realpath(os.path.join(state.root, rel))
        if full != state.root and not full.startswith(state.root + os.sep):
            self.simple(403, "outside the root\n")
            return
        if os.path.isdir(full):
            if not url.path.endswith("/"):
                loc = url.path + "/" + ("?" + url.query if url.query else "")
                self.simple(301, "", extra=[("Location", loc)])
                return
            self.serve_index(full, url.path, style)
            return
        if not os.path.isfile(full):
            self.simple(404, "<html><body>404 Not Found</body></html>\n", "text/html")
            return
        self.serve_file(full, ignore_range)

    def authorized(self):
        got = self.headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(self.server.state.auth.encode()).decode()
        return hmac.compare_digest(got.strip(), want)

    def signed_location(self, rest, query):
        qs = dict(urllib.parse.parse_qsl(query))
        expires_in = int(qs.get("expires_in", "3600"))
        now = int(time.time())
        expiry = now + expires_in
        extra = ""
        if qs.get("method"):
            extra = "&X-Test-Method=" + qs["method"].upper()
        if qs.get("style") == "amz":
            amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
            return (f"{rest}?X-Amz-Date={amz_date}&X-Amz-Expires={expires_in}{extra}"
                    f"&X-Amz-Signature={sign(rest, expiry)}")
        return f"{rest}?Expires={expiry}{extra}&X-Amz-Signature={sign(rest, expiry)}"

    def check_signature(self, url):
        """Checks a signed URL (one with X-Amz-Signature); answers 403 and
        returns False when it is expired, wrong, or used with another verb."""
        qs = dict(urllib.parse.parse_qsl(url.query))
        if "X-Amz-Signature" not in qs:
            return True
        try:
            if "Expires" in qs:
                expiry = int(qs["Expires"])
            else:
                t = time.strptime(qs["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
                expiry = calendar.timegm(t) + int(qs["X-Amz-Expires"])
        except (KeyError, ValueError):
            self.simple(403, "<Error><Code>AccessDenied</Code><Message>Bad signed URL</Message></Error>",
                        "application/xml")
            return False
        if not hmac.compare_digest(qs["X-Amz-Signature"], sign(url.path, expiry)):
            self.simple(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>", "application/xml")
            return False
        if time.time() > expiry:
            self.simple(403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                        "application/xml")
            return False
        if qs.get("X-Test-Method") and qs["X-Test-Method"] != self.method:
            self.simple(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>", "application/xml")
            return False
        return True

    def serve_index(self, full, url_dir, style):
        entries = []
        try:
            names = sorted(os.listdir(full))
        except OSError:
            names = []
        for name in names:
            p = os.path.join(full, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            entries.append((name, os.path.isdir(p), st.st_size, int(st.st_mtime)))
        host = self.headers.get("Host", "127.0.0.1").split(":")[0]
        page = index_page(style, url_dir, entries, host)
        self.send_entity(page.encode(), "text/html", None, allow_ranges=False)

    def serve_file(self, full, ignore_range):
        st = os.stat(full)
        size = st.st_size
        with open(full, "rb") as f:
            self.send_entity(f, "application/octet-stream", st, ignore_range=ignore_range, size=size)

    def send_entity(self, src, ctype, st, ignore_range=False, allow_ranges=True, size=None):
        """Sends a whole entity or the ranges asked for. `src` is bytes or a
        binary file of `size` bytes."""
        if size is None:
            size = len(src)
        fault = self.fault
        kind = fault["kind"] if fault else None
        base = [("Accept-Ranges", "bytes")] if allow_ranges else []
        if st is not None:
            base.append(("Last-Modified", http_date(st.st_mtime)))
            base.append(("ETag", f'"{size:x}-{int(st.st_mtime):x}"'))
        ranges = None
        if allow_ranges and not ignore_range:
            ranges = parse_ranges(self.headers.get("Range"), size)
        if ranges == []:
            self.simple(416, "", extra=[("Content-Range", f"bytes */{size}")])
            return
        if ranges and len(ranges) > 1:
            self.send_multipart(src, ctype, size, ranges, base)
            return
        if ranges:
            start, end = ranges[0]
            code = 206
            base.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        else:
            start, end = 0, size - 1
            code = 200
        length = end - start + 1
        headers = [("Content-Type", ctype)] + base
        send_len = length
        if kind == "no_length":
            headers.append(("Transfer-Encoding", "chunked"))
            self.start(code, headers)
            if self.method != "HEAD":
                self.send_range(src, start, length, chunked=True)
            return
        if kind == "lie_length":
            claimed = int(fault["length"]) if "length" in fault else length + int(fault.get("delta", "0"))
            claimed = max(0, claimed)
            headers.append(("Content-Length", str(claimed)))
            send_len = min(length, claimed)
            self.close_connection = True
        else:
            headers.append(("Content-Length", str(length)))
        if kind in ("drop", "truncate"):
            send_len = min(length, int(fault.get("after", "0")))
            self.close_connection = True
        self.start(code, headers)
        if self.method == "HEAD":
            return
        self.send_range(src, start, send_len)
        if kind == "drop":
            raise DropConnection()

    def send_range(self, src, start, length, chunked=False):
        fault = self.fault
        rate = int(fault.get("rate", "65536")) if fault and fault["kind"] == "slow" else 0
        piece = min(PIECE, rate) if rate else PIECE
        if isinstance(src, bytes):
            data_at = lambda off, n: src[off:off + n]  # noqa: E731
        else:
            def data_at(off, n):
                src.seek(off)
                return src.read(n)
        done = 0
        while done < length:
            n = min(piece, length - done)
            data = data_at(start + done, n)
            if not data:
                break
            if chunked:
                self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                self.entry["bytes"] += len(data)
            else:
                self.write_body(data)
            done += len(data)
            if rate:
                time.sleep(len(data) / rate)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def send_multipart(self, src, ctype, size, ranges, base):
        boundary = "vsitest_" + hashlib.md5(self.path.encode()).hexdigest()[:16]
        parts = []
        for start, end in ranges:
            head = (f"\r\n--{boundary}\r\nContent-Type: {ctype}\r\n"
                    f"Content-Range: bytes {start}-{end}/{size}\r\n\r\n").encode()
            parts.append((head, start, end - start + 1))
        tail = f"\r\n--{boundary}--\r\n".encode()
        total = sum(len(h) + n for h, _, n in parts) + len(tail)
        headers = [("Content-Type", f"multipart/byteranges; boundary={boundary}"),
                   ("Content-Length", str(total))] + base
        kind = self.fault["kind"] if self.fault else None
        if kind in ("drop", "truncate"):
            self.close_connection = True
        self.start(206, headers)
        if self.method == "HEAD":
            return
        budget = int(self.fault.get("after", "0")) if kind in ("drop", "truncate") else None
        for head, start, n in parts:
            self.wfile.write(head)
            if budget is not None:
                n = min(n, budget)
                budget -= n
            self.send_range(src, start, n)
            if budget == 0:
                if kind == "drop":
                    raise DropConnection()
                return
        self.wfile.write(tail)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def watch_parent(parent, watch_stdin):
    """Exits when the parent process goes away or stdin reaches EOF."""
    if watch_stdin:
        def stdin_eof():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except (OSError, ValueError):
                pass
            os._exit(0)
        threading.Thread(target=stdin_eof, daemon=True).start()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--auth", default="user:pass")
    ap.add_argument("--max-lifetime", type=float, default=3600)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(args.root, args.latency_ms, args.auth)
    server.verbose = args.verbose
    port = server.server_address[1]

    def stop(_signum, _frame):
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    print(port, flush=True)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)

    watch_stdin = False
    try:
        watch_stdin = not sys.stdin.isatty() and os.fstat(0).st_mode & 0o170000 == 0o010000  # a pipe
    except (OSError, ValueError):
        pass
    threading.Thread(target=watch_parent, args=(os.getppid(), watch_stdin), daemon=True).start()
    lifetime = threading.Timer(args.max_lifetime, lambda: os._exit(0))
    lifetime.daemon = True
    lifetime.start()
    server.serve_forever(poll_interval=0.5)


if __name__ == "__main__":
    main()
