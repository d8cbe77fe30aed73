"""Cost of the security audit's offline weak-password test: accounts × candidates hashes.

Each salt is per account, so nothing is shared across accounts: the cost grows with accounts ×
candidates. Ours hashes the salt prefix once per account and copies the hash state per candidate
(candidates pre-encoded once per run); the baseline is the obvious loop
``hashlib.new(algo, (salt + password).encode())`` per account and candidate. Both must find the
same weak accounts. Slow hashes (SCRAM-SHA-256 at PostgreSQL's 4096 iterations) are measured per
candidate: the audit tries only the head of the list on them (``slow_hash_max_candidates``).

    .venv/bin/python -m bench.security_offline [--accounts 30 1000 5000] [--repeat 3]

No database or sandbox needed. Each approach runs in its own child process (wall time, peak RSS).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics

from bench.common import machine, run_child

SETUP = r"""
import hashlib, json, os, random, time
from ebill_ops.security import app_users, candidates
from ebill_ops.security.settings import AppAudit, WeakPasswordRules
rng = random.Random(20261201)
shared = candidates.build(WeakPasswordRules(), as_of_year=2026, site_name="Sandbox People's Hospital")
listed = [c.decode() for c, _ in shared.shared if c]
now = __import__("datetime").datetime(2026, 12, 7)
users = []
for i in range({accounts}):
    salt = os.urandom(8).hex()
    algo = "md5" if i % 10 == 0 else "sha256"
    weak = i % 20 == 0
    password = rng.choice(listed) if weak else os.urandom(12).hex() + "!Aa9"
    users.append(app_users.AppUser(f"user{{i:05d}}", "u", None, algo, False, 0, now, now, None,
                 password_salt=salt, password_hash=hashlib.new(algo, (salt + password).encode()).hexdigest()))
expected = {{u.login_name for i, u in enumerate(users) if i % 20 == 0}}
"""

OURS = (
    SETUP
    + r"""
started = time.perf_counter()
shared = candidates.build(WeakPasswordRules(), as_of_year=2026, site_name="Sandbox People's Hospital")
findings, stats = app_users.assess(users, "app:bench", now, AppAudit(), shared)
seconds = time.perf_counter() - started
weak = {{f.target for f in findings if f.rule == "weak_password"}}
assert weak == expected, (len(weak), len(expected))
print(json.dumps({{"work_s": seconds, "hashes": stats.hashes_computed, "weak": len(weak),
                   "candidates": len(shared.shared)}}))
"""
)

BASELINE = (
    SETUP
    + r"""
started = time.perf_counter()
words = [c.decode() for c, _ in shared.shared]
weak, hashes = set(), 0
for u in users:
    own = [f"{{u.login_name}}{{s}}" for s in WeakPasswordRules().login_suffixes]
    for password in own + words:
        hashes += 1
        if hashlib.new(u.password_algo, (u.password_salt + password).encode()).hexdigest() == u.password_hash:
            weak.add(u.login_name)
            break
seconds = time.perf_counter() - started
assert weak == expected, (len(weak), len(expected))
print(json.dumps({{"work_s": seconds, "hashes": hashes, "weak": len(weak), "candidates": len(words)}}))
"""
)

SCRAM = r"""
import hashlib, hmac, json, time
n = 300
started = time.perf_counter()
for i in range(n):
    salted = hashlib.pbkdf2_hmac("sha256", f"cand{i}".encode(), b"0123456789abcdef", 4096)
    hashlib.sha256(hmac.digest(salted, b"Client Key", "sha256")).digest()
seconds = time.perf_counter() - started
print(json.dumps({"work_s": seconds, "hashes": n, "per_candidate_ms": 1000 * seconds / n}))
"""

PBKDF2 = """
import hashlib, json, time
started = time.perf_counter()
for i in range({n}):
    hashlib.pbkdf2_hmac("sha256", f"cand{{i}}".encode(), b"0123456789abcdef", {iterations})
print(json.dumps({{"per_candidate_ms": 1000 * (time.perf_counter() - started) / {n}}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[30, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"# security offline test — {dt.datetime.now():%Y-%m-%d %H:%M} — {machine()}")
    print("| accounts | approach | hashes | work s (median) | hashes/s | peak RSS MB | ratio |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for accounts in args.accounts:
        results = {}
        for _ in range(args.repeat):  # interleaved, so load from other processes hits both sides
            for name, code in (("baseline", BASELINE), ("ours", OURS)):
                results.setdefault(name, []).append(run_child(name, code.format(accounts=accounts)))
        base = statistics.median(m.output["work_s"] for m in results["baseline"])
        for name in ("baseline", "ours"):
            runs = results[name]
            work = statistics.median(m.output["work_s"] for m in runs)
            hashes = runs[0].output["hashes"]
            rss = max(m.peak_rss_mb for m in runs)
            print(
                f"| {accounts:,} | {name} | {hashes:,} | {work:.3f} | {hashes / work:,.0f} | {rss:.0f} "
                f"| {work / base:.2f} |"
            )
    scram = run_child("scram", SCRAM)
    print(
        f"\nSCRAM-SHA-256 (4096 iterations): {scram.output['per_candidate_ms']:.2f} ms per candidate; "
        f"300 candidates per role = {scram.output['work_s']:.2f} s"
    )
    for iterations, n in ((4_096, 100), (10_000, 50), (600_000, 3)):  # why slow_hash_max_work exists
        pbkdf2 = run_child("pbkdf2", PBKDF2.format(iterations=iterations, n=n))
        print(
            f"PBKDF2-SHA256 at {iterations:,} iterations: {pbkdf2.output['per_candidate_ms']:.1f} ms per candidate"
        )


if __name__ == "__main__":
    main()
