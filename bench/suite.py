"""bench/run's driver: each benchmark as its own process (its table on the terminal, its numbers as JSON), then
docs/benchmarks.md and its plots from those numbers (report.py). A benchmark that fails is reported as such and
the others still run.

  .venv/bin/python bench/suite.py [--quick] [--only NAME,...] [--repeat N] [--results DIR] [--doc docs/benchmarks.md]

--only with --results DIR of an earlier pass measures only those again; the report takes the others from DIR.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402  pylint: disable=wrong-import-position
import report  # noqa: E402  pylint: disable=wrong-import-position

# name -> (the full pass's arguments, the quick pass's)
STEPS = {
    "endpoints": (["--sizes", "10", "100", "1000", "--repeat", "5"], ["--sizes", "10", "100", "--repeat", "1"]),
    "ports": (["--ports", "1000", "--repeat", "5"], ["--ports", "200", "--repeat", "1", "--backends", "nft"]),
    "peers": (["--peers", "1000", "--repeat", "5"], ["--peers", "200", "--repeat", "1"]),
    "fleet": (["--sizes", "2", "4", "8", "16", "32", "--repeat", "5", "--mitogen"],
              ["--sizes", "2", "4", "--repeat", "1", "--mitogen"]),
    "dataplane": (["--seconds", "3", "--repeat", "5"], ["--seconds", "1", "--repeat", "1", "--rr", "1000"]),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    parser.add_argument("--only", help="a comma-separated list of: " + ", ".join(STEPS))
    parser.add_argument("--repeat", type=int, help="runs per measurement for every benchmark (default 5)")
    parser.add_argument("--results", help="where the raw JSON goes (default /var/tmp/cnet-bench/<time>); with --only, "
                                          "the benchmarks left out are taken from an earlier pass's JSON there")
    parser.add_argument("--doc", default=os.path.join(common.REPO, "docs", "benchmarks.md"))
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(STEPS)
    unknown = [name for name in chosen if name not in STEPS]
    if unknown:
        parser.error("--only: unknown benchmark %s (choose from %s)" % (", ".join(unknown), ", ".join(STEPS)))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    results = args.results or os.path.join("/var/tmp/cnet-bench", stamp)
    os.makedirs(results, exist_ok=True)
    runs = {}
    for name in STEPS:  # with --results of an earlier pass, what --only leaves out is taken from it
        earlier = os.path.join(results, name + ".json")
        if name not in chosen and args.results and os.path.exists(earlier):
            with open(earlier) as handle:
                runs[name] = {"ok": True, "seconds": None, "argv": [], "exit": 0, "reused": True, "data": json.load(handle)}
    for name in chosen:
        options = list(STEPS[name][1 if args.quick else 0])
        if args.repeat:
            options[options.index("--repeat") + 1] = str(args.repeat)
        argv = [sys.executable, os.path.join(HERE, name + ".py")] + options
        path = os.path.join(results, name + ".json")
        print("== bench/%s.py %s" % (name, " ".join(argv[2:])), flush=True)
        start = time.monotonic()
        res = subprocess.run(argv + ["--json", path], cwd=common.REPO, check=False)
        took = time.monotonic() - start
        ok = os.path.exists(path)  # an unmet goal is a result (the report says so), not a failed benchmark
        runs[name] = {"ok": ok, "seconds": took, "argv": argv[2:], "exit": res.returncode}
        if ok:
            with open(path) as handle:
                runs[name]["data"] = json.load(handle)
        print("== %s: %s in %.0f s" % (name, "done (exit %d)" % res.returncode if ok else "FAILED (exit %d)" % res.returncode,
                                       took), flush=True)
    with open(os.path.join(results, "suite.json"), "w") as handle:
        json.dump({"quick": args.quick, "repeat": args.repeat, "runs": runs}, handle, indent=1)
    report.write(runs, args.quick, args.doc, results, args.repeat)
    print("wrote %s (raw results in %s)" % (args.doc, results))
    return 0 if all(run["ok"] for run in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
