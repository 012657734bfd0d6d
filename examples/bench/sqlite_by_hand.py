#!/usr/bin/env python3
"""SQLite's own cost of a history row, without Rust or Diesel: Python's sqlite3 module runs a
plain insert (autocommit) and the same insert with a hand-written history insert in one
transaction, on a WAL file with synchronous=NORMAL, for four history-table layouts, and prints the
mean time of each and the WAL frames (pages) each op wrote.

    python3 examples/bench/sqlite_by_hand.py
"""
import os
import sqlite3
import tempfile
import time

N = 5000
ROW = ("fish", "Atlantic salmon", 1000, 250.0, "active", None,
       "2026-01-01 00:00:00+00:00", "2026-01-01 00:00:00+00:00")
INSERT = ("INSERT INTO f (name, species, population, w, status, notes, ca, ua) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")


def setup(path, autoincrement, indexes):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("PRAGMA synchronous = NORMAL")
    c.execute("PRAGMA wal_autocheckpoint = 0")
    c.execute("CREATE TABLE f (id INTEGER PRIMARY KEY, name TEXT, species TEXT, population INT, "
              "w DOUBLE, status TEXT, notes TEXT, ca TEXT, ua TEXT)")
    c.execute("CREATE TABLE h (history_id INTEGER PRIMARY KEY %s, id INT, name TEXT, species TEXT, "
              "population INT, w DOUBLE, status TEXT, notes TEXT, ca TEXT, ua TEXT, hd TEXT, ht TEXT, "
              "hu INT, hr TEXT)" % ("AUTOINCREMENT" if autoincrement else ""))
    for sql in ["CREATE INDEX h_obj ON h (id, hd, history_id)", "CREATE INDEX h_date ON h (hd)",
                "CREATE INDEX h_user ON h (hu)"][:indexes]:
        c.execute(sql)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return c


def plain(c):
    for _ in range(N):
        c.execute(INSERT, ROW).fetchall()


def audited(c):
    for i in range(N):
        c.execute("BEGIN")
        (key,), = c.execute(INSERT, ROW).fetchall()
        c.execute("INSERT INTO h (id, name, species, population, w, status, notes, ca, ua, hd, ht, hu, hr) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (key,) + ROW + ("2026-11-26 12:00:00.%06d" % i, "+", 1, "bench"))
        c.execute("COMMIT")


def measure(path, work, **layout):
    c = setup(path, **layout)
    started = time.perf_counter()
    work(c)
    elapsed = time.perf_counter() - started
    frames = os.path.getsize(path + "-wal") / (4096 + 24)
    c.close()
    return elapsed / N * 1e6, frames / N


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "by_hand.db")
    print("%-34s %10s %10s %7s %14s" % ("history table", "plain us", "audited us", "ratio", "pages/op p/a"))
    for name, layout in [("AUTOINCREMENT, 3 indexes (ours)", dict(autoincrement=True, indexes=3)),
                         ("3 indexes", dict(autoincrement=False, indexes=3)),
                         ("1 index", dict(autoincrement=False, indexes=1)),
                         ("no index", dict(autoincrement=False, indexes=0))]:
        p_us, p_frames = measure(path, plain, **layout)
        a_us, a_frames = measure(path, audited, **layout)
        print("%-34s %10.1f %10.1f %6.2fx %7.2f/%.2f" % (name, p_us, a_us, p_us / a_us, p_frames, a_frames))
