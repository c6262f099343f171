"""The light application of the real-fleet benchmark (issue 15 item 5): one member of an ACT/SBY pair.

A replicated key-value log in one Python 3 standard-library process (about 10-20 MB, a few tens of
milliseconds of CPU to start), so that 50 pairs (100 members) fit one machine where 100 JVMs would
not. It speaks the endpoint protocol of Duplex's http role controller, as the kv service does:

  GET  /role                      {"role":"ACT"|"SBY","seq":n,"version":..,"vm":..,"vm_id":..}
  POST /role?to=SBY               stops taking writes (waits for the one in flight); needs the role token
  POST /role?to=ACT[&force=true]  catches up with the peer (which must not be ACT), then takes writes;
                                  with force=true (a failover, the peer fenced) an unreachable peer is no obstacle
  GET  /sync                      {"in_sync":bool,"lag":n,...} on the standby, asking the peer its seq
  POST /resync[?wait_ms=N]        pulls from the peer now; with N, answers once in sync or after N ms
  GET  /health                    {"status":"ok","version":..,"vm_id":..,"cpu_ms":..,"start_cpu_ms":..,"peak_rss_kb":..}
  GET  /checksum[?upto=SEQ]       SHA-256 of the log's first SEQ records (both members' logs are byte-identical)
  GET  /log?from=SEQ[&wait_ms=N][&last=H]   replication: the raw records from SEQ, long-polled up to N ms (on the
                                  ACT only: a member that takes no write answers at once), X-Role its role;
                                  409 when our record SEQ-1 does not hash to H (diverged logs are never mixed)
  PUT  /kv/KEY  body=value        on the ACT: 200 {"key":..,"seq":n} once fsynced; else 503 "not ACT"
  GET  /kv/KEY                    on the ACT: the value; else 503 "not ACT" (reads are strong: the ACT only)

Storage, on the linked database volume ($DUPLEX_VM_ROOT/db): an append-only file "log" of one JSON
object per line ({"key":..,"seq":n,"value":base64}), fsynced before a write is acknowledged, and a
file "role" holding the member's role, so that the new VM of an upgrade starts with the role the old
one left. A torn last line (a crash mid-write, never acknowledged) is cut off at start.

Environment: PORT, PEER (host:port), ROLE (ACT|SBY, only at the very first start), ROLE_TOKEN
(POST /role needs "Authorization: Bearer <it>"; without one set, every role change is refused),
ANSWER_DELAY_MS (a takeover's answer is sent this long after the role was taken; default 0),
BIND (default 127.0.0.1), and the local driver's DUPLEX_VM_NAME, DUPLEX_VM_ID, DUPLEX_VM_ROOT,
DUPLEX_IMAGE_VERSION.
"""
import base64
import fcntl
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import resource
import socket
import sys
import threading
import time
import urllib.parse

KEY = re.compile(r"[A-Za-z0-9._-]{1,128}\Z")
MAX_VALUE = 64 * 1024
MAX_WAIT_MS = 5000
BATCH = 1000
ROLES = ("ACT", "SBY")


class Refused(Exception):
    """An answer other than 200: status, message, and extra headers."""

    def __init__(self, status, message, headers=None, close=False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.close = close  # the request's body was not read: the connection cannot carry another


class Diverged(Exception):
    pass


def line_hash(line):
    return hashlib.sha256(line).hexdigest()[:32]


def parse_record(line, seq):
    """The record of one log line, checked: it must be the seq-th record."""
    record = json.loads(line)
    if not isinstance(record, dict) or record.get("seq") != seq:
        raise ValueError("record %d out of order" % seq)
    key = record.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise ValueError("record %d has a bad key" % seq)
    value = base64.b64decode(record.get("value", ""), validate=True)
    return key, value


class Store:
    """The log and the role, on the database volume; one process per volume (an exclusive lock)."""

    def __init__(self, folder, initial_role):
        self.folder = folder
        if not os.path.isdir(folder):
            # never made here: a folder in the VM's root instead of the linked volume would be lost at the next boot
            sys.exit("lightapp: the database folder %s does not exist; link the database volume there" % folder)
        self.path = os.path.join(folder, "log")
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            sys.exit("lightapp: %s is in use by another process; one member per database volume" % self.path)
        data = b""
        while True:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                break
            data += chunk
        self.lines = []
        self.values = {}
        good = 0
        for line in data.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break
            try:
                key, value = parse_record(line, len(self.lines) + 1)
            except ValueError:
                break
            self.lines.append(line)
            self.values[key] = value
            good += len(line)
        if good < len(data):
            os.ftruncate(self.fd, good)  # a record cut short was never acknowledged
            os.fsync(self.fd)
        self.role_path = os.path.join(folder, "role")
        try:
            with open(self.role_path) as f:
                self.role = f.read().strip()
        except FileNotFoundError:
            self.role = initial_role
            self.save_role()
        if self.role not in ROLES:
            sys.exit("lightapp: %s holds %r, not ACT or SBY" % (self.role_path, self.role))
        self.changed = threading.Condition()  # records appended, or the role changed
        self.writing = threading.Lock()  # one append at a time, and none across a role change

    @property
    def seq(self):
        return len(self.lines)

    def save_role(self):
        tmp = self.role_path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, (self.role + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.role_path)
        dir_fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def append(self, lines):
        """Appends checked lines and makes them durable. Caller holds self.writing."""
        os.write(self.fd, b"".join(lines))
        os.fsync(self.fd)
        with self.changed:
            for line in lines:
                key, value = parse_record(line, len(self.lines) + 1)
                self.lines.append(line)
                self.values[key] = value
            self.changed.notify_all()

    def set_role(self, role):
        """Caller holds self.writing, so no write is half done across the change."""
        self.role = role
        self.save_role()
        with self.changed:
            self.changed.notify_all()


class Member:
    def __init__(self, store, peer, token, identity):
        self.store = store
        self.peer = peer
        self.token = token
        self.identity = identity
        self.pulling = threading.Lock()
        self.connection = None  # to the peer, for pulls; used under self.pulling
        self.peer_seq = None
        self.peer_active = False  # what the peer's last answer to a pull said
        self.peer_reachable = False
        self.problem = None
        self.start_cpu_ms = -1
        self.answer_delay_ms = 0  # ANSWER_DELAY_MS: a takeover's answer sent this late (the bench's late-answer run)

    def about(self, **extra):
        answer = {"role": self.store.role, "seq": self.store.seq}
        answer.update(self.identity)
        answer.update(extra)
        return answer

    # --- talking to the peer

    def ask_peer(self, path, timeout):
        host, port = self.peer
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def pull_request(self, path, timeout):
        """GET on the kept-alive replication connection (a new one per long poll would be a thread per poll on the peer)."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection(*self.peer, timeout=timeout)
        self.connection.timeout = timeout
        if self.connection.sock is not None:
            self.connection.sock.settimeout(timeout)
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise

    def peer_role(self, timeout=1.0):
        """(role, seq) of the peer, or None when it does not answer."""
        try:
            status, _, body = self.ask_peer("/role", timeout)
            answer = json.loads(body)
            if status != 200 or answer.get("role") not in ROLES or not isinstance(answer.get("seq"), int):
                return None
        except (OSError, ValueError, http.client.HTTPException):
            self.peer_reachable = False
            return None
        self.peer_reachable = True
        self.peer_seq = answer["seq"]
        return answer["role"], answer["seq"]

    def pull(self, wait_ms):
        """Pulls the peer's records after ours once; returns how many were appended."""
        with self.pulling:
            store = self.store
            start = store.seq + 1
            query = {"from": start, "wait_ms": wait_ms}
            if store.lines:
                query["last"] = line_hash(store.lines[-1])
            try:
                status, headers, body = self.pull_request("/log?" + urllib.parse.urlencode(query), wait_ms / 1000.0 + 2)
            except (OSError, http.client.HTTPException) as e:
                self.peer_reachable = False
                raise ConnectionError(str(e))
            self.peer_reachable = True
            if status == 409:
                self.problem = "diverged from the peer at record %d; replication stopped" % (start - 1)
                raise Diverged(self.problem)
            if status != 200:
                raise ConnectionError("GET /log answered %d" % status)
            try:
                self.peer_seq = int(headers.get("X-Seq", "-1"))
            except ValueError:
                self.peer_seq = None
            self.peer_active = headers.get("X-Role") == "ACT"
            lines = body.splitlines(keepends=True)
            if not lines:
                return 0
            with store.writing:
                if store.role != "SBY" or store.seq + 1 != start:
                    return 0  # became ACT meanwhile, or another pull appended these
                for i, line in enumerate(lines):
                    parse_record(line, start + i)  # every line checked before any is written
                store.append(lines)
            return len(lines)

    def replicate(self):
        """The standby's loop: long-polls the peer for new records."""
        while True:
            if self.store.role != "SBY" or self.problem:
                with self.store.changed:
                    self.store.changed.wait(1.0)
                continue
            try:
                if self.pull(1000) == 0 and not self.peer_active:
                    time.sleep(0.2)  # a peer that is not ACT answers long polls at once: not in a tight loop
            except Diverged:
                pass
            except (ConnectionError, ValueError):
                time.sleep(0.2)

    def sync_state(self):
        store = self.store
        if store.role == "ACT":
            return self.about(in_sync=True, lag=0, peer_seq=self.peer_seq, peer_reachable=self.peer_reachable, problem=None)
        peer = self.peer_role()
        if peer is None:
            return self.about(in_sync=False, peer_seq=None, peer_reachable=False, problem="the peer does not answer")
        lag = peer[1] - store.seq
        answer = self.about(in_sync=lag == 0 and not self.problem, peer_seq=peer[1], peer_reachable=True, problem=self.problem)
        if lag > 0:
            answer["lag"] = lag
        elif lag == 0 and not self.problem:
            answer["lag"] = 0
        return answer

    # --- role changes

    def demote(self):
        store = self.store
        with store.writing:
            previous = store.role
            if previous != "SBY":
                store.set_role("SBY")
        return self.about(previous=previous)

    def take_over(self, force, timeout_ms):
        store = self.store
        if store.role == "ACT":
            return self.about(previous="ACT", took_ms=0)
        started = time.monotonic()
        peer = self.peer_role()
        if peer is None and not force:
            raise Refused(409, "the peer %s:%d does not answer, so what it has cannot be pulled first; add force=true for a failover"
                          % self.peer)
        if peer is not None and peer[0] == "ACT":
            raise Refused(409, "the peer %s:%d is ACT; demote it first (POST /role?to=SBY there)" % self.peer)
        if peer is not None:
            deadline = started + timeout_ms / 1000.0
            while store.seq < peer[1]:
                if self.problem:
                    raise Refused(409, self.problem)
                if time.monotonic() > deadline:
                    raise Refused(409, "caught up to record %d of the peer's %d within %d ms; still SBY" % (store.seq, peer[1], timeout_ms))
                try:
                    self.pull(0)
                except (ConnectionError, Diverged, ValueError) as e:
                    if not force:
                        raise Refused(409, "pulling from the peer failed: %s; still SBY" % e)
                    break
        with store.writing:
            store.set_role("ACT")
        return self.about(previous="SBY", took_ms=int((time.monotonic() - started) * 1000))


def cpu_ms():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return int((usage.ru_utime + usage.ru_stime) * 1000)


def peak_rss_kb():
    """VmHWM: the peak resident set of this program (ru_maxrss would count the forking parent's before the exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return -1


def int_param(query, name, default, low, high):
    values = query.get(name)
    if not values:
        return default
    if len(values) > 1 or not re.fullmatch(r"[0-9]{1,18}", values[0]) or not low <= int(values[0]) <= high:
        raise Refused(400, "parameter %s must be one whole number from %d to %d" % (name, low, high))
    return int(values[0])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lightapp"
    timeout = 30  # an idle kept-alive connection does not hold its thread for ever
    # The headers and the body go out in two writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers, 40 ms a request.
    disable_nagle_algorithm = True
    member = None  # set by main

    def log_message(self, format, *args):
        pass  # one line per request would be most of the benchmark's disk writes

    def send(self, status, payload, headers=None, close=False):
        body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if isinstance(payload, bytes) else "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
        if close:
            self.linger()

    def linger(self):
        """Closing with the client's body still unread would reset the connection and could drop our answer
        before the client reads it: say we are done, then read what it still sends (1 MiB, 1 s at most)."""
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(1.0)
            drained = 0
            while drained < (1 << 20):
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass

    def handle_one(self, method):
        url = urllib.parse.urlsplit(self.path)
        try:
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True, strict_parsing=False, max_num_fields=10)
        except ValueError:
            raise Refused(400, "too many query parameters")
        route = (method, url.path)
        member = self.member
        store = member.store
        writes = method in ("PUT", "POST") and url.path.startswith("/kv/")
        if self.headers.get("Transfer-Encoding") is not None:
            raise Refused(411 if writes else 400, "send a Content-Length, not a Transfer-Encoding", close=True)
        if not writes and self.headers.get("Content-Length", "0") != "0":
            raise Refused(400, "%s %s takes no body" % (method, url.path[:100]), close=True)
        if url.path.startswith("/kv/"):
            return self.kv(method, urllib.parse.unquote(url.path[4:]))
        if route == ("GET", "/health"):
            return self.send(200, member.about(status="ok", version=member.identity["version"], cpu_ms=cpu_ms(),
                                               start_cpu_ms=member.start_cpu_ms, peak_rss_kb=peak_rss_kb()))
        if route == ("GET", "/role"):
            return self.send(200, member.about(version=member.identity["version"]))
        if route == ("POST", "/role"):
            self.authorize()
            to = query.get("to", [""])
            if len(to) != 1 or to[0] not in ROLES:
                raise Refused(400, "POST /role needs to=ACT or to=SBY")
            if to[0] == "SBY":
                return self.send(200, member.demote())
            force = query.get("force", ["false"]) == ["true"]
            timeout_ms = int_param(query, "timeout_ms", 4000, 1, 60000)
            answer = member.take_over(force, timeout_ms)
            if answer.get("previous") == "SBY" and member.answer_delay_ms:
                time.sleep(member.answer_delay_ms / 1000.0)  # the role is taken; only the answer is late (a slow path back)
            return self.send(200, answer)
        if route == ("GET", "/sync"):
            return self.send(200, member.sync_state())
        if route == ("POST", "/resync"):
            wait_ms = int_param(query, "wait_ms", 0, 0, MAX_WAIT_MS)
            deadline = time.monotonic() + wait_ms / 1000.0
            with store.changed:
                store.changed.notify_all()
            state = member.sync_state()
            while not state["in_sync"] and time.monotonic() < deadline:
                time.sleep(0.05)
                state = member.sync_state()
            return self.send(200, state)
        if route == ("GET", "/checksum"):
            upto = int_param(query, "upto", store.seq, 0, store.seq)
            digest = hashlib.sha256()
            size = 0
            for line in store.lines[:upto]:
                digest.update(line)
                size += len(line)
            return self.send(200, {"algorithm": "SHA-256", "checksum": digest.hexdigest(), "seq": upto, "bytes": size})
        if route == ("GET", "/log"):
            return self.log(query)
        if url.path in ("/health", "/role", "/sync", "/resync", "/checksum", "/log"):
            raise Refused(405, "%s is not allowed on %s" % (method, url.path))
        raise Refused(404, "no such path: %s" % url.path[:100])

    def authorize(self):
        given = self.headers.get("Authorization")
        if not given or not given.startswith("Bearer "):
            raise Refused(401, "POST /role needs Authorization: Bearer <role token>")
        token = self.member.token
        if not token or not hmac.compare_digest(given[len("Bearer "):].encode(), token.encode()):
            raise Refused(403, "the role token is wrong, or this member was started without one")

    def kv(self, method, key):
        store = self.member.store
        if not KEY.match(key):
            raise Refused(400, "a key is 1 to 128 of A-Z a-z 0-9 . _ -", close=True)
        if method in ("PUT", "POST"):
            length = self.headers.get("Content-Length")
            if length is None or not re.fullmatch(r"[0-9]{1,9}", length):
                raise Refused(411, "a write needs a Content-Length", close=True)
            if int(length) > MAX_VALUE:
                raise Refused(413, "a value is at most %d bytes" % MAX_VALUE, close=True)
            value = self.rfile.read(int(length))
            with store.writing:
                if store.role != "ACT":
                    raise Refused(503, "not ACT", {"Retry-After": "1"})
                seq = store.seq + 1
                line = (json.dumps({"key": key, "seq": seq, "value": base64.b64encode(value).decode()},
                                   separators=(",", ":"), sort_keys=True) + "\n").encode()
                store.append([line])
            return self.send(200, {"key": key, "seq": seq})
        if method == "GET":
            if store.role != "ACT":
                raise Refused(503, "not ACT", {"Retry-After": "1"})
            value = store.values.get(key)
            if value is None:
                raise Refused(404, "no key %s" % key)
            return self.send(200, value)
        raise Refused(405, "%s is not allowed on /kv/" % method, close=True)

    def log(self, query):
        store = self.member.store
        start = int_param(query, "from", 1, 1, 1 << 60)
        wait_ms = int_param(query, "wait_ms", 0, 0, MAX_WAIT_MS)
        last = query.get("last", [None])[-1]
        if last is not None and 2 <= start <= store.seq + 1 and line_hash(store.lines[start - 2]) != last:
            raise Refused(409, "record %d differs from the asker's" % (start - 1))
        with store.changed:
            # a member that is not ACT takes no write, so nothing comes to wait for: answer at once. A standby's long
            # poll at its demoted peer ends with the demotion, and its takeover does not wait behind it for the pull lock
            # (seen: a promotion 5 s late, behind a long poll and a slow peer on a loaded machine)
            store.changed.wait_for(lambda: store.seq >= start or store.role != "ACT", timeout=wait_ms / 1000.0)
            lines = store.lines[start - 1:start - 1 + BATCH]
        return self.send(200, b"".join(lines), {"X-Seq": str(store.seq), "X-Role": store.role})

    def dispatch(self, method):
        try:
            self.handle_one(method)
        except Refused as e:
            body = self.member.about(error=e.message)
            self.send(e.status, body, e.headers, close=e.close)

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")


def main():
    os.umask(0o077)  # the database and role files are the member's alone
    env = os.environ
    try:
        port = int(env["PORT"])
        host, peer_port = env["PEER"].rsplit(":", 1)
        peer = (host, int(peer_port))
    except (KeyError, ValueError):
        sys.exit("lightapp: set PORT (a number) and PEER (host:port of the other member)")
    role = env.get("ROLE", "SBY")
    if role not in ROLES:
        sys.exit("lightapp: ROLE is ACT or SBY, not %r" % role)
    root = env.get("DUPLEX_VM_ROOT", ".")
    store = Store(env.get("DATA_DIR", os.path.join(root, "db")), role)
    identity = {"vm": env.get("DUPLEX_VM_NAME", "?"), "vm_id": env.get("DUPLEX_VM_ID", "?"),
                "version": env.get("DUPLEX_IMAGE_VERSION") or open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "version")).read().strip()}
    member = Member(store, peer, env.get("ROLE_TOKEN", ""), identity)
    try:
        member.answer_delay_ms = int(env.get("ANSWER_DELAY_MS", "0"))
    except ValueError:
        sys.exit("lightapp: ANSWER_DELAY_MS is a number of milliseconds")
    Handler.member = member
    server = http.server.ThreadingHTTPServer((env.get("BIND", "127.0.0.1"), port), Handler)
    server.daemon_threads = True
    threading.Thread(target=member.replicate, name="replicate", daemon=True).start()
    member.start_cpu_ms = cpu_ms()  # what starting cost: interpreter, imports, reading the log
    server.serve_forever()


if __name__ == "__main__":
    main()
