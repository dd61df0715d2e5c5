"""Black-box test harness: runs a real `bihuan serve` on a random loopback
port and talks HTTP to it with the standard library only."""
import json
import os
import sys
import unittest
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

PASSWORD = "demo-pass-1234"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def err(self):
        return (self.json or {}).get("error", {})

    def __repr__(self):
        return "<%d %s>" % (self.status, self.raw[:300].decode("utf-8", "replace"))


# Debian's own interpreter, which has python3-openpyxl (scripts/deps.sh);
# the interpreter running the tests may be another one.
DEBIAN_PYTHON = "/usr/bin/python3"

_OPENPYXL_DUMP = r"""
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = {}
for ws in wb.worksheets:
    out[ws.title] = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def read_xlsx(data):
    """Every sheet of an .xlsx as {title: rows of strings}, read by openpyxl,
    a real reader that knows nothing of how bihuan writes the file."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
        f.write(data)
        f.flush()
        p = subprocess.run([DEBIAN_PYTHON, "-c", _OPENPYXL_DUMP, f.name],
                           capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("openpyxl could not read the workbook: " + p.stderr)
    return json.loads(p.stdout)


class Server:
    def __init__(self, bihuan, db=None, categories=None, extra_env=None):
        self.bihuan = bihuan
        self.dir = tempfile.mkdtemp(prefix="bihuan-test-")
        self.db = db or os.path.join(self.dir, "test.db")
        self.categories = categories
        self.env = dict(os.environ, **(extra_env or {}))
        self.proc = None
        self.port = None

    def run(self, *args, env=None, check=True, input=None):
        p = subprocess.run([self.bihuan] + list(args), capture_output=True, text=True,
                           env=dict(self.env, **(env or {})), input=input, timeout=600)
        if check and p.returncode != 0:
            raise AssertionError("bihuan %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def demo(self, cases=0, seed=1, patrols=False):
        """The demo district; without its half-year of patrols unless asked
        (the tests build their own check-ins and count them)."""
        return self.run("demo", "--db", self.db, "--period", "2023H1", "--cases", str(cases), "--seed", str(seed),
                        "--password", PASSWORD, *([] if patrols else ["--no-patrols"]))

    def start(self, sweep_interval="0.2"):
        args = [self.bihuan, "serve", "--db", self.db, "--listen", "127.0.0.1:0"]
        if self.categories:
            args += ["--categories", self.categories]
        env = dict(self.env, BIHUAN_SWEEP_INTERVAL=sweep_interval)
        # The server's log goes to a file (a pipe nobody reads could fill
        # and stall it); tests read it with log().
        self.stderr_path = os.path.join(self.dir, "serve-%d.log" % time.monotonic_ns())
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr, env=env)
        line = self.proc.stdout.readline().decode()
        if "http://" not in line:
            raise AssertionError("server did not start: %r %s" % (line, self.log()))
        self.port = int(line.split("http://")[1].split()[0].rsplit(":", 1)[1])
        self.tokens = {}
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else 0
        if self.proc:
            self.proc.stdout.close()
            self._stderr.close()
        self.proc = None
        return rc

    def log(self):
        """What the server wrote to stderr so far (its last start)."""
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()
        self._stderr.close()
        self.proc = None

    def request(self, method, path, body=None, token=None, headers=None, raw=None, timeout=30):
        url = "http://127.0.0.1:%d%s" % (self.port, path)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        req = urllib.request.Request(url, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Response(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read())

    def login(self, username, password=PASSWORD):
        if username not in self.tokens:
            r = self.request("POST", "/api/v1/session", {"username": username, "password": password})
            if r.status != 201:
                raise AssertionError("login %s: %r" % (username, r))
            self.tokens[username] = r.json["token"]
        return self.tokens[username]

    def as_(self, username):
        """A small client bound to one user."""
        server = self
        token = self.login(username)

        class Client:
            def get(self, path, **kw):
                return server.request("GET", path, token=token, **kw)

            def post(self, path, body=None, **kw):
                return server.request("POST", path, body=body, token=token, **kw)

            def put(self, path, body=None, **kw):
                return server.request("PUT", path, body=body, token=token, **kw)

            def act(self, case_id, action, **fields):
                headers = fields.pop("headers", None)
                return server.request("POST", "/api/v1/cases/%d/actions" % case_id,
                                      dict(action=action, **fields), token=token, headers=headers)
        return Client()


def fast_categories(categories, path, clocks):
    """The categories file 'categories' plus X01, whose policy "fast" has
    'clocks' [(name, label, start, stop, limit, yellow, red)] in minutes
    (natural time): a test's clocks that run out in seconds.  Written to path."""
    doc = json.load(open(categories, encoding="utf-8"))
    doc["policies"]["fast"] = {"name": "测试用快速时限", "clocks": [
        {"name": n, "label": lb, "start": st, "stop": sp, "basis": "natural", "unit": "minutes",
         "limit": lim, "yellow": y, "red": r} for n, lb, st, sp, lim, y, r in clocks]}
    doc["categories"].append({"code": "X01", "name": "快速测试", "kind": "city_event",
                              "default_unit_type": "street", "policy": "fast",
                              "register_standard": "测试", "close_standard": "测试"})
    json.dump(doc, open(path, "w", encoding="utf-8"), ensure_ascii=False)


def wait_for(pred, timeout=10.0, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def main(module, *names):
    """Entry point of a test module: its command-line arguments, as
    absolute paths, go into the module globals 'names' (BIHUAN, ...)."""
    for i, name in enumerate(names):
        setattr(module, name, os.path.abspath(sys.argv[1 + i]))
    run_module(module)


def run_module(module):
    """Run a test module's tests; print the plain closing line CI reads."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    res = unittest.TextTestRunner(verbosity=1).run(suite)
    failed = len(res.failures) + len(res.errors)
    print("%d passed, %d failed" % (res.testsRun - failed, failed))
    sys.exit(0 if res.wasSuccessful() else 1)
