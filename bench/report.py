#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py: turn a bench run into results, and results into reports.

  report.py collect --run DIR --kernel KREL [--vmrun-rc N] [--wall S]
                    [--host-json FILE] -o KREL.json
      Read DIR/bench/ (what bench/guest.sh left in the guest's /vmout):
      records.jsonl, fio/*.json, meta.json, exercise-*.json; write one JSON
      document with every repetition's value, median, min and max, and the
      zswapblk/zram ratios against the issue's goals.  Exit 1 if the run
      recorded a data error.

  report.py render -o DIR KREL.json...
      Write DIR/summary.md (markdown tables), DIR/ratios.dat and
      DIR/ratios.gp (gnuplot script for DIR/ratios.png: run it in DIR) from
      the results of one or more kernels.

Standard library only: it runs on the host's python3.
"""
import argparse
import datetime
import json
import os
import statistics
import sys

DEVS = ["zswapblk", "zram", "brd"]
PAGE = 4096


def load_json_lenient(path):
    """fio may print a warning before its JSON document."""
    with open(path) as f:
        text = f.read()
    return json.loads(text[text.index("{"):])


def stats(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {
        "median": statistics.median(vals),
        "min": min(vals),
        "max": max(vals),
        "n": len(vals),
        "values": vals,
    }


def ratio(a, b):
    """a/b of two measurements (stats()).

    When both have one value per repetition, repetition i of a ran right
    next to repetition i of b (bench/guest.sh interleaves them), so the
    ratio is the median of the per-repetition ratios, [lo, hi] their range:
    a slow spell of the shared host hits both sides of a pair.  Otherwise
    the ratio of the medians, [lo, hi] the widest range the values allow.
    """
    if not a or not b or not b["median"] or not b["min"]:
        return None
    av, bv = a["values"], b["values"]
    if len(av) == len(bv) and all(bv):
        rs = [x / y for x, y in zip(av, bv)]
        return {"value": statistics.median(rs), "lo": min(rs), "hi": max(rs),
                "paired": True, "of_medians": a["median"] / b["median"]}
    return {
        "value": a["median"] / b["median"],
        "lo": a["min"] / b["max"] if b["max"] else None,
        "hi": a["max"] / b["min"],
        "paired": False,
    }


# --------------------------------------------------------------------- collect

def fio_metrics(path, rw):
    d = load_json_lenient(path)
    job = d["jobs"][0]
    side = job["read" if "read" in rw else "write"]
    pct = side.get("lat_ns", {}).get("percentile", {})
    return {
        "iops": side["iops"],
        "bw_MBps": side["bw_bytes"] / 1e6,
        "lat_p50_us": pct.get("50.000000", 0) / 1e3,
        "lat_p99_us": pct.get("99.000000", 0) / 1e3,
        "lat_mean_us": side.get("lat_ns", {}).get("mean", 0) / 1e3,
        "error": job.get("error", 0),
        "usr_cpu": job.get("usr_cpu"),
        "sys_cpu": job.get("sys_cpu"),
    }


def collect(args):
    bdir = os.path.join(args.run, "bench")
    recs = []
    with open(os.path.join(bdir, "records.jsonl")) as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    meta = {}
    try:
        with open(os.path.join(bdir, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        meta = {"error": str(e)}
    host = {}
    if args.host_json:
        with open(args.host_json) as f:
            host = json.load(f)

    res = {
        "kernel": args.kernel,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": host,
        "guest": meta,
        "vmrun_rc": args.vmrun_rc,
        "wall_s": args.wall,
        # relative to the repository: the raw output stays in build/bench/
        "run_dir": os.path.relpath(os.path.abspath(args.run),
                                   os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        "data_errors": [r["what"] for r in recs if r["w"] == "error"],
        "failures": [r["what"] for r in recs if r["w"] == "failure"],
        "sections_s": {r["name"]: r["seconds"] for r in recs if r["w"] == "section"},
    }
    w = {}

    # 1. fio
    fio = {}
    for r in recs:
        if r["w"] != "fio" or r["point"].startswith("perf-"):
            continue
        m = fio_metrics(os.path.join(bdir, r["file"]), r["rw"])
        pt = fio.setdefault(r["point"], {"rw": r["rw"], "engine": r["engine"],
                                         "iodepth": r["qd"], "numjobs": r["jobs"],
                                         "devices": {}})
        dv = pt["devices"].setdefault(r["dev"], {})
        for k, v in m.items():
            dv.setdefault(k, []).append(v)
    for pt in fio.values():
        for d, dv in pt["devices"].items():
            pt["devices"][d] = {k: stats(v) for k, v in dv.items()
                                if k not in ("error",)}
    w["fio"] = fio
    w["fio_verify"] = {r["dev"]: bool(r["ok"]) for r in recs if r["w"] == "fio_verify"}
    w["mm_stat"] = [r for r in recs if r["w"] == "mm_stat"]

    # 2. swap
    swap = {}
    for r in recs:
        if r["w"] != "swap" or r["rep"] in ("perf", "waits"):
            continue
        dv = swap.setdefault(r["dev"], {})
        for k, v in r.items():
            if k in ("w", "dev", "rep"):
                continue
            dv.setdefault(k, []).append(v)
    w["swap"] = {d: {k: stats(v) for k, v in dv.items()} for d, dv in swap.items()}

    # 3. memory efficiency
    mem = {}
    for r in recs:
        if r["w"] != "mem":
            continue
        dv = mem.setdefault(r["dev"], {})
        n = r["pages"]
        part = r["part"]

        def put(key, val):
            dv.setdefault(key, []).append(val)
        if part == "table":
            put("table_bytes_per_disk_page", r["memfree_kib"] * 1024 / n)
            continue
        put(part + "_memfree_bytes_per_page", r["memfree_kib"] * 1024 / n)
        if part == "data":
            if "used" in r:
                put("pool_bytes_per_page", r["used"] / n)
                put("compr_bytes_per_page", r["compr"] / n)
                put("ratio", r["orig"] / r["compr"] if r["compr"] else None)
                put("huge_pages", r["huge"])
        elif "used_delta" in r:
            put(part + "_pool_bytes_per_page", r["used_delta"] / n)
            if part == "zero" and r.get("zero_pages") not in ("", None):
                put("zero_pages_counted", r["zero_pages"])
            put(part + "_same_pages_counted", r["same_pages"])
            put(part + "_pages_written", n)
    w["mem"] = {d: {k: stats(v) for k, v in dv.items()} for d, dv in mem.items()}

    # 4. compression speed
    comp = {}
    for r in recs:
        if r["w"] == "comp":
            dv = comp.setdefault("%s-%s" % (r["tool"], r["level"]), {})
            for k in ("c_MBps", "d_MBps", "ratio"):
                dv.setdefault(k, []).append(r[k])
        elif r["w"] == "compdev":
            dv = comp.setdefault("%s-%s" % (r["dev"], r["alg"]), {})
            wr = r["bytes"] / 1e6 / r["write_s"] if r.get("write_s") else None
            rd = r["bytes"] / 1e6 / r["read_s"] if r.get("read_s") else None
            dv.setdefault("write_MBps", []).append(wr)
            dv.setdefault("read_MBps", []).append(rd)
            if r.get("compr"):
                dv.setdefault("ratio", []).append(r["orig"] / r["compr"])
    w["comp"] = {k: {m: stats(v) for m, v in dv.items()} for k, dv in comp.items()}

    # 5. exercise
    ex = {}
    for r in recs:
        if r["w"] != "exercise":
            continue
        e = {"rc": r["rc"], "stderr": r.get("stderr", "")}
        try:
            table = load_json_lenient(os.path.join(bdir, r["file"]))
            e["scenarios"] = [
                {k: s.get(k) for k in ("name", "result", "pages", "minflt", "majflt",
                                       "reused", "copied", "wb-at-fault", "excl",
                                       "pgreuse", "pswpin", "pswpout", "corrupt", "note")}
                for s in table.get("scenarios", [])]
        except (OSError, ValueError):
            e["scenarios"] = None
        ex[r["dev"]] = e
    w["exercise"] = ex

    # 6. writeback
    wb = {}
    for r in recs:
        if r["w"] == "wb":
            dv = wb.setdefault(r["dev"], {})
            mbps = r["bytes"] / 1e6 / r["seconds"] if r["seconds"] and r["bytes"] else None
            dv.setdefault("MBps", []).append(mbps)
            dv.setdefault("pages", []).append(r["pages"])
            if r.get("blocks") and r["pages"]:
                dv.setdefault("blocks_per_page", []).append(r["blocks"] / r["pages"])
            dv.setdefault("seconds", []).append(r["seconds"])
        elif r["w"] == "wbfio":
            d = load_json_lenient(os.path.join(bdir, r["file"]))
            dv = wb.setdefault("fio-" + r["point"], {})
            dv.setdefault("MBps", []).append(d["jobs"][0]["write"]["bw_bytes"] / 1e6)
    w["writeback"] = {k: {m: stats(v) for m, v in dv.items()} for k, dv in wb.items()}
    info = [r for r in recs if r["w"] == "wbinfo"]
    w["writeback_info"] = info[0] if info else {}
    res["workloads"] = w
    res["goals"] = goals(w)

    with open(args.output, "w") as f:
        json.dump(res, f, indent=1, sort_keys=False)
        f.write("\n")
    if res["data_errors"]:
        print("report: %s: %d data error(s)" % (args.kernel, len(res["data_errors"])),
              file=sys.stderr)
        return 1
    return 0


def g(w, *path):
    for p in path:
        if not isinstance(w, dict) or p not in w:
            return None
        w = w[p]
    return w


def goals(w):
    """The issue's goals: zswapblk/zram ratios from the same guest."""
    out = []

    def add(key, name, r, op, target, plot=True, note=""):
        met = None
        if r:
            met = r["value"] >= target if op == ">=" else r["value"] <= target
        out.append({"key": key, "name": name, "ratio": r, "goal": "%s %g" % (op, target),
                    "op": op, "target": target, "met": met, "plot": plot, "note": note})

    def fio_r(point, metric="iops"):
        return ratio(g(w, "fio", point, "devices", "zswapblk", metric),
                     g(w, "fio", point, "devices", "zram", metric))

    add("w_qd1", "4k randwrite IOPS, psync QD1", fio_r("randwrite-qd1"), ">=", 1.0)
    add("w_qd16", "4k randwrite IOPS, io_uring QD16 x4", fio_r("randwrite-qd16"), ">=", 1.5)
    add("r_qd1", "4k randread IOPS, psync QD1", fio_r("randread-qd1"), ">=", 1.0)
    add("r_qd16", "4k randread IOPS, io_uring QD16 x4", fio_r("randread-qd16"), ">=", 1.0)
    add("swap", "swap workload wall time", ratio(g(w, "swap", "zswapblk", "wall_s"),
                                                 g(w, "swap", "zram", "wall_s")), "<=", 0.8)
    add("ram", "RAM per stored page (mem_used_total)",
        ratio(g(w, "mem", "zswapblk", "pool_bytes_per_page"),
              g(w, "mem", "zram", "pool_bytes_per_page")), "<=", 1.0)
    add("overhead", "zswapblk write vs raw lz4 -b1 (4 KiB blocks)",
        ratio(g(w, "comp", "zswapblk-lz4", "write_MBps"), g(w, "comp", "lz4-1", "c_MBps")),
        ">=", 0.85, note="device MB/s over compressor MB/s; goal: within 15%")
    add("wb_zram", "writeback throughput vs zram writeback",
        ratio(g(w, "writeback", "zswapblk", "MBps"), g(w, "writeback", "zram", "MBps")),
        ">=", 10.0)
    add("wb_raw", "writeback throughput vs fio on the disk (1M, QD4)",
        ratio(g(w, "writeback", "zswapblk", "MBps"), g(w, "writeback", "fio-1m-qd4", "MBps")),
        ">=", 0.8)
    add("wb_raw_c", "compressed_writeback throughput vs fio on the disk (1M, QD4)",
        ratio(g(w, "writeback", "zswapblk-cwb", "MBps"),
              g(w, "writeback", "fio-1m-qd4", "MBps")),
        ">=", 0.8, plot=False, note="compressed_writeback=1: blocks hold compressed data")
    slow = g(w, "writeback_info", "slow_mbps")
    if g(w, "writeback", "zswapblk-slow"):
        on = "on a disk throttled to %s MB/s (1M, QD4)" % slow
        add("wb_slow", "writeback throughput vs fio " + on,
            ratio(g(w, "writeback", "zswapblk-slow", "MBps"),
                  g(w, "writeback", "fio-1m-qd4-slow", "MBps")), ">=", 0.8,
            note="QEMU limits the disk to a physical disk's speed")
        add("wb_slow_c", "compressed_writeback throughput vs fio " + on,
            ratio(g(w, "writeback", "zswapblk-cwb-slow", "MBps"),
                  g(w, "writeback", "fio-1m-qd4-slow", "MBps")), ">=", 0.8, plot=False)
        add("wb_zram_slow", "writeback throughput vs zram writeback, same throttled disk",
            ratio(g(w, "writeback", "zswapblk-slow", "MBps"),
                  g(w, "writeback", "zram-slow", "MBps")), ">=", 10.0, plot=False)
    add("wb_raw4k", "writeback throughput vs fio on the disk (4k, QD64)",
        ratio(g(w, "writeback", "zswapblk", "MBps"), g(w, "writeback", "fio-4k-qd64", "MBps")),
        ">=", 0.8, plot=False, note="same request size as writeback")
    # Zero pages: no pool memory, counted in the bitmap.
    zp = g(w, "mem", "zswapblk", "zero_pool_bytes_per_page")
    zc = g(w, "mem", "zswapblk", "zero_pages_counted")
    zn = g(w, "mem", "zswapblk", "zero_pages_written")
    zm = g(w, "mem", "zswapblk", "zero_memfree_bytes_per_page")
    met = None
    if zp and zc and zn:
        met = zp["max"] == 0 and zc["min"] == zn["min"]
    out.append({"key": "zero", "name": "zero page cost", "ratio": None,
                "goal": "1 bit each", "op": None, "target": None, "met": met, "plot": False,
                "note": "pool bytes per zero page %s, zero_pages %s of %s written, "
                        "MemFree drop %s B/page" % (
                            fmt(zp and zp["median"]), fmt(zc and zc["median"]),
                            fmt(zn and zn["median"]), fmt(zm and zm["median"], 1))})
    return out


# ---------------------------------------------------------------------- render

def fmt(v, digits=None):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, str)):
        return str(v)
    if digits is None:
        a = abs(v)
        digits = 0 if a >= 1000 else 1 if a >= 100 else 2 if a >= 1 else 3
    return "%.*f" % (digits, v)


def fst(s, digits=None, spread=True):
    """median [min-max]"""
    if not s:
        return "-"
    if not spread or s["n"] < 2:
        return fmt(s["median"], digits)
    return "%s [%s-%s]" % (fmt(s["median"], digits), fmt(s["min"], digits), fmt(s["max"], digits))


def fr(r):
    if not r:
        return "-"
    return "%.2f [%.2f-%.2f]" % (r["value"], r["lo"] or 0, r["hi"])


def verdict(m):
    return "-" if m is None else ("met" if m else "**missed**")


def render(args):
    docs = []
    for p in args.results:
        with open(p) as f:
            docs.append(json.load(f))
    os.makedirs(args.output, exist_ok=True)
    L = []
    ks = [d["kernel"] for d in docs]
    L.append("# zswapblk benchmarks: %s" % ", ".join(ks))
    L.append("")
    h = docs[0].get("host", {})
    L.append("Run %s, commit %s, on %s (%s, %s host CPUs, QEMU %s, TCG thread=%s). Each "
             "kernel: one guest, -cpu %s, -smp %s, %s MiB, kernel debug options off (%s)." % (
                 docs[0]["date"], h.get("commit", "?"), h.get("hostname", "?"), h.get("cpu", "?"),
                 h.get("nproc", "?"), h.get("qemu", "?"), h.get("tcg_thread", "?"),
                 h.get("guest_cpu", "max"),
                 docs[0]["guest"].get("nproc", "?"),
                 docs[0]["guest"].get("mem_total_kib", 0) // 1024,
                 h.get("cmdline_extra", "")))
    L.append("Figures are the median of the repetitions [min-max]. Within a repetition the "
             "devices ran back to back, so a ratio is the median of the per-repetition ratios "
             "[their min-max] (for the memory figures, which do not vary, the ratio of the "
             "medians).")
    L.append("")
    for d in docs:
        st = "%d data errors" % len(d["data_errors"])
        if d["failures"]:
            st += ", %d failures" % len(d["failures"])
        L.append("- %s: guest wall %s s, vmrun exit %s, %s; host load %s -> %s" % (
            d["kernel"], fmt(d.get("wall_s"), 0), d.get("vmrun_rc"), st,
            d.get("host", {}).get("load_before", "?"), d.get("host", {}).get("load_after", "?")))
    L.append("")

    # goals
    L.append("## Goals (zswapblk / zram, same guest)")
    L.append("")
    hdr = "| goal | target | " + " | ".join("%s | " % k for k in ks)
    L.append("| goal | target | " + " | ".join("%s ratio | %s" % (k, "met?") for k in ks) + " |")
    L.append("|---|---|" + "---|---|" * len(ks))
    for i, gl in enumerate(docs[0]["goals"]):
        row = "| %s | %s |" % (gl["name"], gl["goal"])
        for d in docs:
            gg = next((x for x in d["goals"] if x["key"] == gl["key"]), None)
            if gg is None:
                row += " - | - |"
            elif gg["key"] == "zero":
                row += " %s | %s |" % (gg.get("note", "-"), verdict(gg["met"]))
            elif gg["ratio"] is None:
                row += " n/a | - |"
            else:
                row += " %s | %s |" % (fr(gg["ratio"]), verdict(gg["met"]))
        L.append(row)
    L.append("")
    del hdr

    for d in docs:
        w = d["workloads"]
        k = d["kernel"]
        L.append("## %s" % k)
        L.append("")
        if d["data_errors"]:
            L.append("**DATA ERRORS:**")
            for e in d["data_errors"]:
                L.append("- %s" % e)
            L.append("")
        if d["failures"]:
            L.append("Failures (not data errors):")
            for e in d["failures"]:
                L.append("- %s" % e)
            L.append("")

        # fio
        if w.get("fio"):
            L.append("### fio, 4 KiB random I/O, half-compressible data (%s s per run)" %
                     d["guest"].get("fio_runtime_s", "?"))
            L.append("")
            L.append("| point | device | IOPS | p50 us | p99 us | zswapblk/zram IOPS |")
            L.append("|---|---|---|---|---|---|")
            for pt, pv in w["fio"].items():
                rr = ratio(g(pv, "devices", "zswapblk", "iops"), g(pv, "devices", "zram", "iops"))
                for dev in DEVS:
                    dv = pv["devices"].get(dev)
                    if not dv:
                        continue
                    L.append("| %s | %s | %s | %s | %s | %s |" % (
                        pt, dev, fst(dv["iops"], 0), fst(dv["lat_p50_us"], 1),
                        fst(dv["lat_p99_us"], 1), fr(rr) if dev == "zswapblk" else ""))
            ver = w.get("fio_verify", {})
            L.append("")
            L.append("crc32c verify pass (psync QD1 and io_uring QD16 x4): " + ", ".join(
                "%s %s" % (dv, "ok" if ok else "FAILED") for dv, ok in ver.items()))
            L.append("")

        # swap
        if w.get("swap"):
            gm = d["guest"]
            L.append("### swap: memstress, %s MiB working set in a %s MiB memory cgroup, "
                     "%s random passes (30%% writes), every page checksummed" % (
                         gm.get("swap_ws_mib"), gm.get("swap_limit_mib"), gm.get("swap_passes")))
            L.append("")
            cols = ["wall_s", "pgmajfault", "pswpin", "pswpout", "pgreuse", "swap_ra_hit",
                    "memcg_pgscan", "memcg_pgsteal", "psi_some_us", "psi_full_us"]
            L.append("| device | " + " | ".join(cols) + " |")
            L.append("|---|" + "---|" * len(cols))
            for dev in DEVS:
                dv = w["swap"].get(dev)
                if dv:
                    L.append("| %s | " % dev + " | ".join(
                        fst(dv.get(c), 2 if c == "wall_s" else 0, c == "wall_s") for c in cols) + " |")
            L.append("")
            L.append("page-cluster %s. Medians; wall time [min-max]. pgmajfault ... swap_ra_hit: "
                     "/proc/vmstat deltas over the run; memcg_*: the cgroup's memory.stat; psi_*: "
                     "the cgroup's memory.pressure stall totals (us)." % gm.get("page_cluster"))
            L.append("")

        # mem
        if w.get("mem"):
            L.append("### memory: %s MiB of half-compressible data, %s MiB of zero pages, %s MiB "
                     "of same-filled pages, written to a fresh %s device" % (
                         d["guest"].get("mem_mib"), d["guest"].get("zero_mib"),
                         d["guest"].get("mem_mib"), d["guest"].get("disksize")))
            L.append("")
            L.append("| device | pool B/stored page | compression ratio | MemFree drop B/page "
                     "| zero page: pool B | zero page: MemFree B | same-filled: pool B "
                     "| table B/disk page |")
            L.append("|---|---|---|---|---|---|---|---|")
            for dev in DEVS:
                dv = w["mem"].get(dev)
                if not dv:
                    continue
                L.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    dev, fst(dv.get("pool_bytes_per_page"), 0, False),
                    fst(dv.get("ratio"), 3, False),
                    fst(dv.get("data_memfree_bytes_per_page"), 0, False),
                    fst(dv.get("zero_pool_bytes_per_page"), 1, False),
                    fst(dv.get("zero_memfree_bytes_per_page"), 1, False),
                    fst(dv.get("same_pool_bytes_per_page"), 1, False),
                    fst(dv.get("table_bytes_per_disk_page"), 1, False)))
            L.append("")
            L.append("pool = mm_stat mem_used_total (its growth for zero and same-filled pages); "
                     "MemFree drops are noisy (a few hundred KiB per sample: brd's zero pages, "
                     "4096 B each, are the control); table = MemFree drop when disksize is set, "
                     "per page of the disk (measured on a 4G device).")
            L.append("")

        # comp
        if w.get("comp"):
            c = w["comp"]
            L.append("### compression speed: the same %s MiB, 4 KiB blocks (MB/s = 10^6 B/s)" %
                     d["guest"].get("mem_mib"))
            L.append("")
            L.append("| what | write/compress MB/s | read/decompress MB/s | ratio |")
            L.append("|---|---|---|---|")
            for key in ("lz4-1", "zstd-3"):
                if key in c:
                    L.append("| %s (CLI -b, 1 thread) | %s | %s | %s |" % (
                        key, fst(c[key].get("c_MBps"), 0), fst(c[key].get("d_MBps"), 0),
                        fst(c[key].get("ratio"), 3, False)))
            for key in ("zswapblk-lz4", "zram-lz4", "brd-lz4", "zswapblk-zstd", "zram-zstd"):
                if key in c:
                    L.append("| dd 1M to %s | %s | %s | %s |" % (
                        key.replace("brd-lz4", "brd (no compression)"),
                        fst(c[key].get("write_MBps"), 0), fst(c[key].get("read_MBps"), 0),
                        fst(c[key].get("ratio"), 3, False)))
            lz, zs, zr = g(c, "lz4-1", "c_MBps"), g(c, "zswapblk-lz4", "write_MBps"), \
                g(c, "zram-lz4", "write_MBps")
            if lz and zs:
                L.append("")
                L.append("Device over raw lz4 compression: zswapblk %s, zram %s "
                         "(decompression: zswapblk %s, zram %s)." % (
                             fr(ratio(zs, lz)), fr(ratio(zr, lz)),
                             fr(ratio(g(c, "zswapblk-lz4", "read_MBps"), g(c, "lz4-1", "d_MBps"))),
                             fr(ratio(g(c, "zram-lz4", "read_MBps"), g(c, "lz4-1", "d_MBps")))))
            L.append("")

        # exercise
        if w.get("exercise"):
            L.append("### reuse paths: zswapctl exercise --json")
            L.append("")
            for dev, e in w["exercise"].items():
                if e.get("scenarios"):
                    L.append("%s (exit %s):" % (dev, e["rc"]))
                    L.append("")
                    L.append("| scenario | result | pages | reused | copied | wb-at-fault "
                             "| excl | pgreuse | corrupt |")
                    L.append("|---|---|---|---|---|---|---|---|---|")
                    for s in e["scenarios"]:
                        L.append("| %s | " % s["name"] + " | ".join(
                            fmt(s.get(x)) for x in (
                                "result", "pages", "reused", "copied", "wb-at-fault", "excl",
                                "pgreuse", "corrupt")) + " |")
                    L.append("")
                else:
                    msg = (e.get("stderr") or "").strip()
                    L.append("%s: exit %s, \"%s\". zram completes writes inside submit_bio, so "
                             "no swap page is ever under writeback there: the held-writeback "
                             "scenarios do not apply." % (dev, e["rc"], msg))
                    L.append("")

        # writeback
        if w.get("writeback"):
            wb = w["writeback"]
            info = w.get("writeback_info", {})
            rows = (("zswapblk", "zswapblk writeback idle"),
                    ("zswapblk-cwb", "zswapblk writeback idle, compressed_writeback=1"),
                    ("zram", "zram writeback idle"),
                    ("fio-4k-qd64", "fio 4k sequential write, libaio QD64"),
                    ("fio-1m-qd4", "fio 1M sequential write, libaio QD4"),
                    ("fio-1m-qd4-busy", "fio 1M QD4, a niced loop spinning on every vCPU"))
            disks = [("", "%s (%s MiB)" % (info.get("disk", "?"),
                                           (info.get("disk_bytes", 0) or 0) >> 20))]
            if info.get("slow_disk"):
                disks.append(("-slow", "%s, throttled to %s MB/s" % (info["slow_disk"],
                                                                     info.get("slow_mbps"))))
            for sfx, where in disks:
                L.append("### writeback: %s MiB to %s" % (d["guest"].get("wb_mib"), where))
                L.append("")
                L.append("| what | MB/s | seconds | disk blocks per page |")
                L.append("|---|---|---|---|")
                for key, label in rows:
                    if key + sfx in wb:
                        v = wb[key + sfx]
                        L.append("| %s | %s | %s | %s |" % (
                            label, fst(v.get("MBps"), 1), fst(v.get("seconds"), 3),
                            fst(v.get("blocks_per_page"), 2)))
                L.append("")
            zb, busy = wb.get("zswapblk", {}).get("MBps"), wb.get("fio-1m-qd4-busy", {}).get("MBps")
            if zb and busy and zb.get("median") and busy.get("median"):
                L.append("Writeback keeps the vCPUs busy, as the spinning loops do: zswapblk's "
                         "writeback is %.2f of fio 1M QD4 under that load (medians; not a "
                         "goal)." % (zb["median"] / busy["median"]))
                L.append("")
            if not info.get("zram_writeback", 1):
                L.append("zram has no writeback in this kernel (CONFIG_ZRAM_WRITEBACK): "
                         "not comparable.")
                L.append("")
        L.append("Section times (s): " + ", ".join(
            "%s %s" % (s, fmt(t, 0)) for s, t in d.get("sections_s", {}).items()))
        L.append("")

    with open(os.path.join(args.output, "summary.md"), "w") as f:
        f.write("\n".join(L))

    # plot data: one row per plotted goal
    rows = [gl for gl in docs[0]["goals"] if gl["plot"]]
    with open(os.path.join(args.output, "ratios.dat"), "w") as f:
        f.write("# label " + " ".join("%s %s_lo %s_hi" % (k, k, k) for k in ks) + " goal\n")
        for gl in rows:
            label = {"w_qd1": "write QD1", "w_qd16": "write QD16", "r_qd1": "read QD1",
                     "r_qd16": "read QD16", "swap": "swap time", "ram": "RAM/page",
                     "overhead": "vs raw lz4", "wb_zram": "wb vs zram",
                     "wb_raw": "wb vs raw", "wb_slow": "wb vs disk"}.get(gl["key"], gl["key"])
            label += "\\n(%s%g)" % ("≥" if gl["op"] == ">=" else "≤", gl["target"])
            f.write('"%s"' % label)
            for d in docs:
                gg = next((x for x in d["goals"] if x["key"] == gl["key"]), None)
                r = gg and gg["ratio"]
                if r:
                    f.write(" %.4f %.4f %.4f" % (r["value"], r["lo"] or r["value"], r["hi"]))
                else:
                    f.write(" NaN NaN NaN")
            f.write(" %g\n" % gl["target"])
    gp = ["set terminal pngcairo size 1100,560 font 'sans,10'" if args.cairo
          else "set terminal png size 1100,560",
          "set output 'ratios.png'",
          "set title \"zswapblk over zram in the same guest (vs raw lz4: over lz4 -b1; wb vs raw: "
          "over fio writing the disk)\\nmedian of the per-repetition ratios, whiskers: their "
          "range, black dash: the goal\"",
          "set style data histogram",
          "set style histogram errorbars gap 2 lw 1",
          "set style fill solid 0.7 border -1",
          "set logscale y 2",
          "set yrange [0.0625:32]",
          "set ytics ('1/16' 0.0625, '1/8' 0.125, '1/4' 0.25, '1/2' 0.5, '1' 1, '2' 2, "
          "'4' 4, '8' 8, '16' 16, '32' 32)",
          "set bmargin 5",
          "set tmargin 4",
          "set grid ytics",
          "set key top left",
          "set ylabel 'ratio (log scale)'",
          "set xtics nomirror",
          "set boxwidth 0.9"]
    dat = "ratios.dat"		# gnuplot runs in the output directory
    plots = []
    for i, k in enumerate(ks):
        c = 2 + 3 * i
        plots.append("'%s' using %d:%d:%d:xtic(1) title '%s'" % (dat, c, c + 1, c + 2, k))
    plots.append("'%s' using ($0):%d:(0.45) with xerrorbars pt 0 lw 3 lc rgb 'black' "
                 "title 'goal'" % (dat, 2 + 3 * len(ks)))
    gp.append("plot " + ", \\\n     ".join(plots))
    with open(os.path.join(args.output, "ratios.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--run", required=True)
    c.add_argument("--kernel", required=True)
    c.add_argument("--vmrun-rc", type=int, default=None)
    c.add_argument("--wall", type=float, default=None)
    c.add_argument("--host-json")
    c.add_argument("-o", "--output", required=True)
    r = sub.add_parser("render")
    r.add_argument("-o", "--output", required=True)
    r.add_argument("--cairo", action="store_true", help="gnuplot has pngcairo")
    r.add_argument("results", nargs="+")
    a = ap.parse_args()
    return collect(a) if a.cmd == "collect" else render(a)


if __name__ == "__main__":
    sys.exit(main())
