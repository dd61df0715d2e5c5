#!/usr/bin/env python3
"""Durability: cases posted by concurrent clients, the server killed with
SIGKILL mid-load, restarted: every case the server acknowledged (201) is
there, and the database passes PRAGMA integrity_check.

Usage: test_durability.py PATH/TO/bihuan
"""
import os
import sqlite3
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server  # noqa: E402

BIHUAN = None
CLIENTS = 8
MAX_PER_CLIENT = 2000   # bounded load
KILL_AFTER_ACKS = 400


class Durability(unittest.TestCase):
    def test_kill9_loses_no_acknowledged_case(self):
        s = Server(BIHUAN)
        s.demo(cases=0)
        s.start()
        token = s.login("wgy_hb")
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def client(n):
            for i in range(MAX_PER_CLIENT):
                if stop.is_set():
                    return
                try:
                    r = s.request("POST", "/api/v1/cases", {
                        "category": "E0501", "title": "耐久性测试 %d-%d" % (n, i),
                        "description": "kill -9 之前确认的案件必须保留", "unit": "44030300100101"},
                        token=token, timeout=10)
                except Exception:
                    return  # the server is gone
                if r.status == 201:
                    with lock:
                        acked.append(r.json["id"])

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        deadline = time.time() + 30
        while len(acked) < KILL_AFTER_ACKS and time.time() < deadline:
            time.sleep(0.01)
        s.kill9()  # mid-load: requests are in flight
        stop.set()
        for t in threads:
            t.join()
        self.assertGreaterEqual(len(acked), KILL_AFTER_ACKS, "load did not get going")

        s.start()
        op = s.as_("zhzx01")
        missing = [cid for cid in acked if op.get("/api/v1/cases/%d" % cid).status != 200]
        self.assertEqual(missing, [], "acknowledged cases lost after kill -9")
        self.assertEqual(s.stop(), 0)
        con = sqlite3.connect(s.db)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        rows = con.execute("SELECT count(*) FROM cases").fetchone()[0]
        con.close()
        self.assertGreaterEqual(rows, len(acked))
        audit = s.run("audit", "verify", "--db", s.db, check=False)
        self.assertEqual(audit.returncode, 0, audit.stdout + audit.stderr)
        print("durability: %d acknowledged before kill -9, %d rows after restart, all present"
              % (len(acked), rows))


if __name__ == "__main__":
    harness.main(sys.modules[__name__], "BIHUAN")
