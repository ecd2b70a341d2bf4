#!/usr/bin/env python3
"""Sluice benchmarks: `make bench`.

Every comparison is measured in the same run, on the same input, on this machine. Prints one
table per scenario and writes them all to BENCHMARKS.md with the date, CPU model and core count.

1. Ingest cost: N real-time publishers into Sluice, N srt-live-transmit listeners (the floor:
   SRT reception alone) and N `ffmpeg -c copy -f null` listeners (receive and demux).
2. Capacity: N stepped up until Sluice loses more than 0.1% of packets or a core saturates.
3. Overload: a 256 MiB limit and publishers whose buffers would need three times that.
4. Churn: publisher connect/disconnect cycles; resident and accounted memory before and after.
5. Controller micro-benchmarks (sluice-bench).
6. Engine: Sluice against sluice-floor (bare libsrt: one listener, one epoll, bytes discarded) at
   32 x 4 Mbit/s, 200 x 250 kbit/s and 1,000 x 100 kbit/s, back to back on the same input.
7. Saturation: publishers added 8 at a time under a low `srt.receive_saturation` until Sluice
   refuses them; the streams admitted, the refusals by code and the admitted streams' loss.
8. Cluster: three nodes on a real three-member etcd (etcd-server): the time from an owner's
   `kill -9` to its name being free on another node, the claim latency of 100 publishers
   connecting at once across the three nodes, and the CPU a reader costs through a relay
   against a local one.
9. Readers (`bench/readers.py`): time to first keyframe for 100 joining readers, SRT fan-out to
   64 readers against sluice-floor `--send`, HTTP fan-out to 1,000 readers, and 50 slow readers.
"""

import json
import math
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone

from readers import readers_scenario
from common import (BIN, CORES, FIXTURE, Etcd, cluster_config, fixture, OUT, ROOT, SluiceExited, cpu_seconds, fixture_mbps, free_port,
                    get_json, load, load_report, log, machine, make_fixture, metric_sum, metrics, mib, peak_rss,
                    render_table, sluice_config, start, start_sluice, stop, thread_cpu, thread_cpu_by_name,
                    threads, write_benchmarks)

QUICK = os.environ.get("BENCH_QUICK") == "1"

INGEST_STREAMS = [8, 32]
INGEST_SECONDS = 10 if QUICK else 20
CAPACITY_STEPS = [int(n) for n in os.environ.get("BENCH_CAPACITY_STEPS", "8,16,32,64,128,256").split(",")]
CAPACITY_SECONDS = 10 if QUICK else 30
OVERLOAD_SECONDS = 40 if QUICK else 70
CHURN_CYCLES = 100 if QUICK else 500
# (streams, bits per second each, libsrt receive buffer for both receivers, target Sluice / floor).
# 1,000 x 8 MiB of libsrt buffer is more than the machine should lend a benchmark; 1 MiB still
# holds many seconds of 100 kbit/s.
ENGINE_RUNS = [(32, 4_000_000, 8 << 20, 1.10), (200, 250_000, 8 << 20, 1.3), (1000, 100_000, 1 << 20, 1.5)]
# Long enough that 1,000 connects and closes (several seconds into a thread-per-stream server)
# leave a steady window.
ENGINE_SECONDS = 15 if QUICK else 25
# The histogram of the time from libsrt delivering a frame's last byte to the frame being
# readable in its buffer; its p99 is reported when the server exports it.
FRAME_LATENCY_METRIC = "sluice_frame_visible_latency_seconds"
FRAME_LATENCY_TARGET = 0.005
# sluice-load's callers share a UDP socket (and libsrt's two threads for it) in groups of this
# size: a socket and two threads per caller cost the shared cores more than the receiver under
# test at 1,000 streams (most packets then dropped unsent).
CALLERS_PER_SOCKET = 25
SATURATION = 0.15
SATURATION_STEP = 8
SATURATION_INTERVAL = 2 if QUICK else 3
SATURATION_MAX_STEPS = 24 if QUICK else 32
# Publishers added after the first refusal, to show that later ones are refused too.
SATURATION_STEPS_AFTER_REFUSAL = 2
SATURATION_HOLD = 10 if QUICK else 20
CLUSTER_TAKEOVERS = 3
CLUSTER_PUBLISHERS = 100
CLUSTER_READERS = 10
CLUSTER_READ_SECONDS = 10 if QUICK else 20
CLAIM_METRIC = "sluice_cluster_claim_duration_seconds"

tables = []


def table(title, header, rows, notes=()):
    text = render_table(title, header, rows, notes)
    print(text, flush=True)
    tables.append(text)


def loss(report):
    sent = max(report["srt"]["packets_sent"], 1)
    return (report["srt"]["packets_lost"] + report["srt"]["packets_dropped"]) / sent



def measure_receivers(processes, seconds, publisher):
    """Runs `publisher` against already-listening receivers; their CPU seconds and peak RSS.

    Receivers that exit when their publisher hangs up (ffmpeg) are read as zombies, before they
    are reaped: /proc/<pid>/stat still holds their CPU times, and wait4 gives their peak RSS.
    """
    time.sleep(0.5)
    before = sum(cpu_seconds(p.pid) for p in processes)
    report = load_report(publisher)
    time.sleep(1)
    used = sum(cpu_seconds(p.pid) for p in processes) - before
    peak = 0
    for process in processes:
        resident = peak_rss(process.pid)
        if resident == 0:
            try:
                pid, _, usage = os.wait4(process.pid, os.WNOHANG)
                if pid == process.pid:
                    resident = usage.ru_maxrss * 1024
                    process.returncode = 0
            except ChildProcessError:
                pass
        peak += resident
    return used, peak, report


def ingest_cost():
    rows = []
    for n in INGEST_STREAMS:
        results = {}
        # Sluice.
        srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
        process, _ = start_sluice(sluice_config(srt_port, http_port), f"ingest-{n}")
        results["sluice"] = measure_receivers([process], INGEST_SECONDS, load(srt_port, n, INGEST_SECONDS))
        stop([process])
        # srt-live-transmit: SRT reception alone, one listener per stream.
        base = free_port(count=n)
        receivers = [start(["srt-live-transmit", "-q", f"srt://:{base + i}?mode=listener&latency=120",
                            "file://con"]) for i in range(n)]
        results["srt-live-transmit"] = measure_receivers(
            receivers, INGEST_SECONDS, load(base, n, INGEST_SECONDS, port_per_stream=True))
        stop(receivers)
        # ffmpeg: receive and demux, one process per stream.
        base = free_port(count=n)
        receivers = [start(["ffmpeg", "-nostdin", "-loglevel", "error", "-i",
                            f"srt://127.0.0.1:{base + i}?mode=listener&latency=120000", "-c", "copy", "-f", "null",
                            "-"]) for i in range(n)]
        results["ffmpeg"] = measure_receivers(
            receivers, INGEST_SECONDS, load(base, n, INGEST_SECONDS, port_per_stream=True))
        stop(receivers)
        per_stream = {}
        for name, (used, peak, report) in results.items():
            stream_seconds = report["connected"] * report["seconds"]
            per_stream[name] = used / max(stream_seconds, 1e-9)
            rows.append([n, name, report["connected"], f"{per_stream[name] * 1000:.2f} ms", mib(peak),
                         f"{loss(report) * 100:.3f}%"])
        floor, ffmpeg = per_stream["srt-live-transmit"], per_stream["ffmpeg"]
        rows.append([n, "**Sluice / floor**", "", f"**{per_stream['sluice'] / floor:.2f}x** (target <= 1.15)", "", ""])
        rows.append([n, "**Sluice / ffmpeg**", "", f"**{per_stream['sluice'] / ffmpeg:.2f}x** (target <= 0.6)", "", ""])
    table("1. Ingest cost (receiver CPU per stream-second)",
          ["N", "receiver", "connected", "CPU per stream-second", "peak RSS (sum)", "packet loss"], rows,
          [f"{INGEST_SECONDS} s per run; loss is the publisher's view (packets lost or dropped over sent).",
           "srt-live-transmit and ffmpeg run one process per stream; their peak RSS is the sum."])


def capacity():
    rows = []
    best = None
    mbps = fixture_mbps()
    for n in CAPACITY_STEPS:
        srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
        process, base = start_sluice(sluice_config(srt_port, http_port), f"capacity-{n}")
        publisher = load(srt_port, n, CAPACITY_SECONDS)
        time.sleep(2)
        threads_before, cpu_before, started = thread_cpu(process.pid), cpu_seconds(process.pid), time.time()
        sender_before = cpu_seconds(publisher.pid)
        sender_cpu = 0.0
        received = dropped = 0.0
        while publisher.poll() is None and time.time() - started < CAPACITY_SECONDS - 3:
            sender_cpu = cpu_seconds(publisher.pid) - sender_before
            try:
                # Sluice's receiver view, read while the streams are live: packets libsrt gave up
                # on as too late to play are the ones a viewer loses.
                samples = metrics(base)
                received = sum(metric_sum(samples, "sluice_srt_packets_received_total").values())
                dropped = sum(metric_sum(samples, "sluice_srt_packets_dropped_total").values())
            except OSError:
                pass
            time.sleep(1)
        sender_cores = sender_cpu / (time.time() - started)
        report = load_report(publisher)
        elapsed = time.time() - started
        threads_after = thread_cpu(process.pid)
        busiest = max((threads_after[t] - threads_before.get(t, 0) for t in threads_after), default=0) / elapsed
        cores = (cpu_seconds(process.pid) - cpu_before) / elapsed
        stop([process])
        sent = max(report["srt"]["packets_sent"], 1)
        unrecovered = dropped / max(received + dropped, 1) + report["srt"]["packets_dropped"] / sent
        ok = report["connected"] == n and unrecovered <= 0.001 and busiest < 0.95 and cores < CORES * 0.95
        rows.append([n, f"{n * mbps:.0f}", report["connected"], f"{unrecovered * 100:.3f}%",
                     f"{report['srt']['packets_lost'] / sent * 100:.3f}%", f"{cores:.2f}",
                     f"{busiest * 100:.0f}%", f"{sender_cores:.2f}", "yes" if ok else "no"])
        if not ok:
            break
        best = n
    table("2. Capacity (Sluice, real-time 4 Mbit/s publishers)",
          ["N", "offered Mbit/s", "connected", "packets lost (unrecovered)", "NAK'd and retransmitted",
           "Sluice cores used", "busiest thread", "sluice-load cores", "sustained"],
          rows, [f"{CAPACITY_SECONDS} s per step. Lost = packets Sluice's libsrt dropped as too late to play "
                 "(`sluice_srt_packets_dropped_total`) plus any the publisher dropped unsent; packets reported "
                 "missing and then retransmitted in time are shown apart, since the stream does not lose them. "
                 f"A step is sustained with <= 0.1% lost, no thread at 95% of a core "
                 f"and the process under {CORES * 0.95:.1f} cores. Largest sustained: "
                 f"**{best if best else 'none'} streams, {best * mbps if best else 0:.0f} Mbit/s**. "
                 "The publisher (sluice-load) runs on the same 2 cores."])


def overload():
    limit = 256 << 20
    srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
    config = sluice_config(srt_port, http_port, global_limit="256MiB", monitor_interval_ms=100)
    config["srt"]["receive_buffer"] = "2MiB"
    config["buffer"] = {"max_duration_ms": 90000}
    process, base = start_sluice(config, "overload")
    mbps = fixture_mbps()
    streams = 16
    demand = streams * (mbps * 1e6 / 8 * 90 + (2 << 20))
    publisher = load(srt_port, streams, OVERLOAD_SECONDS)
    samples, late = [], []
    started = time.time()
    next_late = 15
    while publisher.poll() is None:
        now = time.time() - started
        if now >= next_late and now < OVERLOAD_SECONDS - 8:
            late.append(load(srt_port, 1, 5, prefix=f"late{int(now)}/"))
            next_late += 8
        try:
            memory = get_json(base + "/api/memory")
            refused = sum(memory["refusals"].values())
            samples.append((now, memory["resident_bytes"], memory["accounted_bytes"], memory["level"], refused,
                            memory["pressure"]))
        except OSError:
            pass
        if now > OVERLOAD_SECONDS - 3 and not any(s[0] > OVERLOAD_SECONDS - 3 for s in samples[:-1]):
            final = metrics(base)
            dumps = []
            for index in range(3):
                dump = OUT / f"overload-{index}.ts"
                try:
                    dump.write_bytes(urllib.request.urlopen(f"{base}/api/buffer/load/{index}", timeout=10).read())
                    dumps.append(dump)
                except OSError:
                    pass
        time.sleep(0.25)
    load_report(publisher)
    late_reports = [load_report(p) for p in late]
    peak_hwm = peak_rss(process.pid)
    stop([process])

    soft, hard, critical = 0.8 * limit, 0.95 * limit, 0.98 * limit
    first_hard = next((s[0] for s in samples if s[5] >= 0.95), None)
    back = next((s[0] for s in samples if first_hard is not None and s[0] > first_hard and s[5] < 0.8), None)
    refusal_times = [samples[i][0] for i in range(1, len(samples)) if samples[i][4] > samples[i - 1][4]]
    errors = []
    for dump in dumps:
        # ffprobe decodes every frame and reports only decoder errors; `ffmpeg -f null` would add
        # its muxer's complaints about output timestamps, which say nothing of decodability.
        decoded = subprocess.run(["ffprobe", "-v", "error", "-show_frames", "-of", "csv=p=0", str(dump)],
                                 capture_output=True, text=True)
        failures = len([line for line in decoded.stderr.splitlines() if line.strip()]) + (decoded.returncode != 0)
        frames = len([line for line in decoded.stdout.splitlines() if line.strip()])
        errors.append(f"{failures} errors in {frames} frames")
    evictions = metric_sum(final, "sluice_evictions_total", "level")
    drops = metric_sum(final, "sluice_frames_dropped_total", "reason")
    rows = [
        ["global limit", mib(limit)],
        ["buffer demand of the publishers", f"{mib(demand)} ({demand / limit:.1f}x the limit)"],
        ["peak resident (sampled)", f"{mib(max(s[1] for s in samples))} ({max(s[1] for s in samples) - limit:+,} B vs limit)"],
        ["peak resident (VmHWM)", f"{mib(peak_hwm)} ({peak_hwm - limit:+,} B vs limit)"],
        ["peak accounted", mib(max(s[2] for s in samples))],
        ["first crossing of hard", f"{first_hard:.1f} s" if first_hard is not None else "never"],
        ["back under soft after", f"{back - first_hard:.2f} s" if back is not None else "n/a"],
        ["evictions by level", ", ".join(f"{k}: {int(v)}" for k, v in sorted(evictions.items()) if v) or "none"],
        ["frames dropped by reason", ", ".join(f"{k}: {int(v)}" for k, v in sorted(drops.items()) if v) or "none"],
        ["late publishers refused", f"{sum(sum(r['rejected'].values()) for r in late_reports)} of {len(late_reports)} "
                                    f"(codes {sorted({c for r in late_reports for c in r['rejected']})})"],
        ["decoding the buffers written out (3 streams)", "; ".join(errors) or "no buffer read"],
    ]
    table("3. Overload (256 MiB limit)", ["measure", "value"], rows,
          [f"{streams} real-time 4 Mbit/s publishers with 90 s buffers for {OVERLOAD_SECONDS} s, plus a late "
           "publisher every 8 s. Three buffers are read back as MPEG-TS through `GET /api/buffer/{name}` "
           "and every frame decoded with ffprobe (errors counted from its error output).", "![overload](docs/overload.png)"])
    plot(samples, refusal_times, limit)


def plot(samples, refusals, limit):
    data = OUT / "overload.dat"
    with open(data, "w") as out:
        for s in samples:
            out.write(f"{s[0]:.2f} {s[1] / (1 << 20):.2f} {s[2] / (1 << 20):.2f}\n")
    marks = OUT / "refusals.dat"
    with open(marks, "w") as out:
        for t in refusals:
            out.write(f"{t:.2f} {0.8 * limit / (1 << 20):.2f}\n")
    (ROOT / "docs").mkdir(exist_ok=True)
    m = limit / (1 << 20)
    script = f"""
set terminal pngcairo size 1100,600 font ",11" || set terminal png size 1100,600
set output "{ROOT / 'docs' / 'overload.png'}"
set title "Sluice under 3x overload: memory against a 256 MiB limit"
set xlabel "seconds"
set ylabel "MiB"
set key left top
set yrange [0:{m * 1.15:.0f}]
plot "{data}" using 1:2 with lines lw 2 title "resident", \\
     "{data}" using 1:3 with lines lw 2 title "accounted", \\
     {m:.1f} with lines dt 1 lc rgb "black" title "global limit", \\
     {m * 0.98:.1f} with lines dt 2 lc rgb "red" title "critical", \\
     {m * 0.95:.1f} with lines dt 3 lc rgb "orange" title "hard", \\
     {m * 0.8:.1f} with lines dt 4 lc rgb "dark-green" title "soft", \\
     "{marks}" using 1:2 with points pt 7 ps 1.5 lc rgb "purple" title "refused a publisher"
"""
    subprocess.run(["gnuplot"], input=script.replace("pngcairo size 1100,600 font \",11\" || set terminal ", ""),
                   text=True, check=False)


def churn():
    srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
    process, base = start_sluice(sluice_config(srt_port, http_port), "churn")
    def cycles(count):
        return load_report(subprocess.Popen(
            [str(BIN / "sluice-load"), "--port", str(srt_port), "--file", str(FIXTURE), "--churn", str(count),
             "--concurrency", "10", "--hold-ms", "300"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
    # Measured settled: a full interval of the monitor's heap release (5 s) after each phase.
    settle = 8
    cycles(20)
    time.sleep(settle)
    before = get_json(base + "/api/memory")
    report = cycles(CHURN_CYCLES)
    time.sleep(settle)
    after = get_json(base + "/api/memory")
    stop([process])
    ratio = after["resident_bytes"] / before["resident_bytes"]
    table("4. Churn", ["measure", "value"], [
        ["cycles (connect, publish 300 ms, disconnect)", f"{report['connected']} of {CHURN_CYCLES}"],
        ["resident before (20 warm-up cycles, then 8 s)", mib(before["resident_bytes"])],
        ["resident after (8 s after the last cycle)", mib(after["resident_bytes"])],
        ["after / before", f"**{ratio:.3f}** (target <= 1.05)"],
        ["accounted after", f"{after['accounted_bytes']} B (base: nothing accounted)"],
    ])


def sample_until_exit(pid, publisher, on_tick=None):
    """Samples `pid`'s CPU time and thread count until `publisher` exits.

    Returns the publisher's report, the samples as (time, CPU seconds, threads) and the steady
    window. `on_tick` runs about once a second, on its own thread so that a slow /metrics from
    a loaded server does not leave gaps in the samples.
    """
    samples = []

    def ticks():
        while publisher.poll() is None:
            on_tick(time.time())
            time.sleep(1)

    ticker = threading.Thread(target=ticks, daemon=True) if on_tick else None
    if ticker:
        ticker.start()
    while publisher.poll() is None:
        samples.append((time.time(), cpu_seconds(pid), threads(pid)))
        time.sleep(0.25)
    if ticker:
        ticker.join()
    report = load_report(publisher)
    # sluice-load connects every stream, sends for `seconds`, then closes them all; it says when
    # sending began, so the window holds only sending, however long 1,000 connects and closes take.
    begun = report["sending_started"]
    return report, samples, (begun + 0.5, begun + report["seconds"] - 0.5)


def steady_usage(samples, window):
    """CPU seconds used, seconds elapsed and the most threads seen within `window`."""
    inside = [s for s in samples if window[0] <= s[0] <= window[1]]
    if len(inside) < 2:
        raise RuntimeError(f"no steady window: connecting and closing took the whole run ({window})")
    return inside[-1][1] - inside[0][1], inside[-1][0] - inside[0][0], max(s[2] for s in inside)


def wait_for_udp_port(port, process, timeout=10):
    """Waits until `process` has bound UDP `port`."""
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return
        finally:
            probe.close()
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on UDP {port}")


def histogram_buckets(samples, name):
    """The cumulative buckets of histogram `name` over all its series: upper bound to count."""
    buckets = {}
    for series, value in samples.items():
        if series.split("{", 1)[0] != name + "_bucket":
            continue
        bound = series.split('le="', 1)[1].split('"', 1)[0]
        bound = float("inf") if bound == "+Inf" else float(bound)
        buckets[bound] = buckets.get(bound, 0) + value
    return buckets


def histogram_quantile(samples, name, quantile, since=None):
    """The `quantile` of histogram `name` over all its series (bucket upper bound), or None; with
    `since` (an earlier reading), of what was observed between the two readings."""
    buckets = histogram_buckets(samples, name)
    if since is not None:
        earlier = histogram_buckets(since, name)
        buckets = {bound: count - earlier.get(bound, 0) for bound, count in buckets.items()}
    total = buckets.get(float("inf"), 0)
    if not total:
        return None
    for bound in sorted(buckets):
        if buckets[bound] >= quantile * total:
            return bound
    return None


def bound_ms(bound):
    """A histogram quantile's bucket bound as text; past the last bucket, +Inf."""
    return "past the last bucket (+Inf)" if math.isinf(bound) else f"{bound * 1000:.1f} ms"


def profile_note(before, after, seconds, top=6):
    """The threads that used the most CPU between two `thread_cpu_by_name` readings; a stream's
    threads (`ingest <name>`, `relay <name>`) are added up by kind."""
    used, threads = {}, {}
    for name in after:
        kind = name.split(" ", 1)[0] if name.startswith(("ingest ", "relay ")) else name
        used[kind] = used.get(kind, 0) + after[name] - before.get(name, 0)
        threads[kind] = threads.get(kind, 0) + 1
    ranked = sorted(((cpu, kind) for kind, cpu in used.items()), reverse=True)[:top]
    return ", ".join(f"{kind}{f' ({threads[kind]} threads)' if threads[kind] > 1 else ''} "
                     f"{cpu / max(seconds, 1e-9) * 100:.0f}%" for cpu, kind in ranked if cpu > 0)


def engine_sluice(n, bps, receive_buffer):
    srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
    config = sluice_config(srt_port, http_port)
    config["srt"]["max_streams"] = max(n, 1000)
    config["srt"]["receive_buffer"] = receive_buffer
    if n >= 1000:
        # The default admission estimate (24 MiB a stream) refuses a third of 1,000 streams on a
        # 24 GiB machine; 100 kbit/s streams with a 1 MiB receive buffer need far less.
        config["memory"] = {"stream_estimate": "4MiB"}
        # sluice-load connects every caller before any of them sends, and 1,000 connects one
        # after another take 4 to 5 s here: with the default 5 s probe deadline the first
        # publishers were dropped as not_a_stream, with 1 to 9 messages received.
        config["srt"]["probe_timeout_ms"] = 30_000
    process, base = start_sluice(config, f"engine-{n}")
    seen = {"profiles": []}

    def tick(now):
        # Per-stream series leave with their stream: keep the last reading taken while live.
        # Rendering 1,000 streams' series costs Sluice CPU: read every third second.
        if now - seen.get("read", 0) < 3:
            return
        seen["read"] = now
        try:
            seen["metrics"] = metrics(base)
            seen.setdefault("visible", []).append((now, {
                key: value for key, value in seen["metrics"].items() if key.startswith(FRAME_LATENCY_METRIC)}))
        except OSError:
            pass
        if len(seen["profiles"]) == 0 or now - seen["profiles"][-1][0] >= 2:
            seen["profiles"].append((now, thread_cpu_by_name(process.pid)))

    publisher = load(srt_port, n, ENGINE_SECONDS, extra=["--bitrate", str(bps), "--callers-per-socket", str(CALLERS_PER_SOCKET)], file=fixture(bps))
    report, samples, window = sample_until_exit(process.pid, publisher, tick)
    peak = peak_rss(process.pid)
    stop([process])
    profiles = [p for p in seen["profiles"] if window[0] - 1 <= p[0] <= window[1] + 1]
    profile = ""
    if len(profiles) >= 2:
        profile = profile_note(profiles[0][1], profiles[-1][1], profiles[-1][0] - profiles[0][0])
    # Frame visibility over the same steady window as the CPU: the whole run's histogram also holds
    # the start, when every stream probes at once.
    visible = [v for v in seen.get("visible", []) if window[0] - 1 <= v[0] <= window[1] + 1]
    steady = (histogram_quantile(visible[-1][1], FRAME_LATENCY_METRIC, 0.99, since=visible[0][1])
              if len(visible) >= 2 else None)
    # The window opens as every stream starts sending, so it also holds the probes and the backlog
    # a stream demuxes once its turn to probe came: the second half shows the streams once live.
    middle = (window[0] + window[1]) / 2
    later = [v for v in visible if v[0] >= middle]
    live = (histogram_quantile(visible[-1][1], FRAME_LATENCY_METRIC, 0.99, since=later[0][1])
            if len(later) >= 2 else None)
    return report, steady_usage(samples, window), peak, seen.get("metrics", {}), profile, (steady, live)


def engine_floor(n, bps, receive_buffer):
    srt_port = free_port()
    floor = subprocess.Popen(
        [str(BIN / "sluice-floor"), "--port", str(srt_port), "--receive-buffer", str(receive_buffer),
         "--duration", str(ENGINE_SECONDS + 600)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wait_for_udp_port(srt_port, floor)
    publisher = load(srt_port, n, ENGINE_SECONDS, extra=["--bitrate", str(bps), "--callers-per-socket", str(CALLERS_PER_SOCKET)], file=fixture(bps))
    report, samples, window = sample_until_exit(floor.pid, publisher)
    peak = peak_rss(floor.pid)
    floor.send_signal(signal.SIGTERM)
    output, _ = floor.communicate(timeout=30)
    return report, steady_usage(samples, window), peak, json.loads(output.strip().splitlines()[-1])


def engine():
    rows, notes = [], []
    for n, bps, receive_buffer, target in ENGINE_RUNS:
        log(f"   {n} x {bps / 1e6:g} Mbit/s")
        sluice_report, sluice_usage, sluice_peak, sluice_metrics, profile, visibility = engine_sluice(
            n, bps, receive_buffer)
        steady_visible, live_visible = visibility
        floor_report, floor_usage, floor_peak, floor_own = engine_floor(n, bps, receive_buffer)
        per_stream = {}
        for name, report, (used, seconds, most_threads), peak in [
                ("sluice", sluice_report, sluice_usage, sluice_peak),
                ("sluice-floor", floor_report, floor_usage, floor_peak)]:
            per_stream[name] = used / max(report["connected"] * seconds, 1e-9)
            sent = max(report["srt"]["packets_sent"], 1)
            unrecovered = report["srt"]["packets_dropped"] / sent
            if name == "sluice" and sluice_metrics:
                received = sum(metric_sum(sluice_metrics, "sluice_srt_packets_received_total").values())
                dropped = sum(metric_sum(sluice_metrics, "sluice_srt_packets_dropped_total").values())
                unrecovered += dropped / max(received + dropped, 1)
            refused = ", ".join(f"{count} refused {code}" for code, count in sorted(report["rejected"].items()))
            rows.append([n, f"{bps / 1e6:g}", name, f"{report['connected']} of {n}" + (f" ({refused})" if refused else ""),
                         f"{per_stream[name] * 1000:.2f} ms", most_threads, mib(peak),
                         f"{report['srt']['packets_lost'] / sent * 100:.3f}%", f"{unrecovered * 100:.3f}%"])
        ratio = per_stream["sluice"] / max(per_stream["sluice-floor"], 1e-12)
        met = ratio <= target
        rows.append([n, f"{bps / 1e6:g}", "**Sluice / floor**", "", f"**{ratio:.2f}x** (target <= {target:.2f}, "
                     f"{'met' if met else 'MISSED'})", "", "", "", ""])
        latency = histogram_quantile(sluice_metrics, FRAME_LATENCY_METRIC, 0.99)
        floor_delay = floor_own.get("delivery_delay_p99_milliseconds")
        notes.append(f"{n} streams: frame visible in its buffer after libsrt made its last message available, p99 "
                     + (f"over the steady window {bound_ms(steady_visible)}, " if steady_visible is not None else "")
                     + (f"over its second half {bound_ms(live_visible)}, " if live_visible is not None else "")
                     + (f"over the whole run {bound_ms(latency)} (target <= {FRAME_LATENCY_TARGET * 1000:.0f} ms; "
                        "bucket upper bounds)"
                        if latency is not None else f"n/a (`{FRAME_LATENCY_METRIC}` not exported by this build)")
                     + (f"; the floor read a message {floor_delay:.1f} ms after libsrt made it available (p99 over its whole run; "
                        f"p50 {floor_own['delivery_delay_p50_milliseconds']:.1f} ms)" if floor_delay is not None else "")
                     + f"; the floor received {floor_own['bytes'] / (1 << 20):.0f} MiB in "
                       f"{floor_own['messages']} messages on {floor_own['connections']} connections.")
        probe_wait = sum(metric_sum(sluice_metrics, "sluice_probe_wait_seconds_total").values())
        if probe_wait:
            notes.append(f"{n} streams: publishers waited {probe_wait:.1f} s in all for a turn to probe "
                         "(`srt.probe_concurrency`).")
        not_streams = metric_sum(sluice_metrics, "sluice_streams_ended_total", "reason").get("not_a_stream", 0)
        if not_streams:
            notes.append(f"{n} streams: {not_streams:.0f} publishers were dropped as not_a_stream: the run "
                         "measured fewer live streams than it connected.")
        if not met:
            notes.append(f"{n} streams MISSED its target; Sluice's CPU by thread over the steady window "
                         f"(% of one core): {profile or 'not sampled'}.")
    table("6. Engine (Sluice against the floor, receiver CPU per stream-second)",
          ["N", "Mbit/s each", "receiver", "connected", "CPU per stream-second", "threads", "peak RSS",
           "NAK'd", "unrecovered"], rows,
          [f"{ENGINE_SECONDS} s of sending per run, Sluice then sluice-floor back to back, the same file for both, encoded at the run's bitrate and paced by "
           f"sluice-load `--bitrate`, its callers sharing a UDP socket {CALLERS_PER_SOCKET} at a time. sluice-floor is bare libsrt: one listener with Sluice's socket options "
           "(latency 120 ms, the same `SRTO_RCVBUF`: 8 MiB, 1 MiB at 1,000 streams; `SRTO_UDP_RCVBUF` 4 MiB), "
           "one epoll, one thread draining every ready socket, bytes discarded. CPU is counted over the "
           "sending phase only (no connects or closes); threads are the most "
           "seen in that window. NAK'd: packets the receiver reported missing (most are retransmitted in "
           "time); unrecovered: packets the publisher dropped unsent, plus, for Sluice, those its libsrt "
           f"dropped as too late to play. sluice-load runs on the same {CORES} cores. At 1,000 streams "
           "`srt.probe_timeout_ms` is 30 s: sluice-load connects every caller before any of them sends.", *notes])


def saturation():
    srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
    config = sluice_config(srt_port, http_port)
    config["srt"]["receive_saturation"] = SATURATION
    try:
        process, base = start_sluice(config, "saturation")
    except SluiceExited as exited:
        if "receive_saturation" in exited.log:
            print("saturation: skipped: srt.receive_saturation not supported by this build", flush=True)
            return
        raise
    mbps = fixture_mbps()
    # Every publisher ends together, so the last ones added still overlap the hold.
    deadline = time.time() + SATURATION_MAX_STEPS * SATURATION_INTERVAL + SATURATION_HOLD
    publishers, steps, refused_at = [], [], None
    for step in range(SATURATION_MAX_STEPS):
        publishers.append(load(srt_port, SATURATION_STEP, deadline - time.time(), prefix=f"sat{step}/",
                               extra=["--callers-per-socket", str(SATURATION_STEP)]))
        time.sleep(SATURATION_INTERVAL)
        try:
            samples = metrics(base)
        except OSError:
            continue
        active = sum(metric_sum(samples, "sluice_streams_active").values())
        refused = metric_sum(samples, "sluice_streams_rejected_total", "reason")
        steps.append((len(publishers) * SATURATION_STEP, int(active), sum(refused.values())))
        if refused_at is None and sum(refused.values()) > 0:
            refused_at = step
        if refused_at is not None and step - refused_at >= SATURATION_STEPS_AFTER_REFUSAL:
            break
    # The hold: measure the admitted streams while nothing more is added.
    hold_start = time.time()
    receive_before, cpu_before = thread_cpu_by_name(process.pid), cpu_seconds(process.pid)
    load_before = sum(cpu_seconds(p.pid) for p in publishers)
    last = {}
    while any(p.poll() is None for p in publishers) and time.time() < deadline - 1.5:
        try:
            last = metrics(base)
        except OSError:
            pass
        time.sleep(1)
    held = time.time() - hold_start
    receive_after, cpu_after = thread_cpu_by_name(process.pid), cpu_seconds(process.pid)
    load_cores = (sum(cpu_seconds(p.pid) for p in publishers) - load_before) / max(held, 1e-9)
    reports = [load_report(p) for p in publishers]
    stop([process])
    admitted = sum(r["connected"] for r in reports)
    codes = {}
    for r in reports:
        for code, count in r["rejected"].items():
            codes[code] = codes.get(code, 0) + count
    sent = max(sum(r["srt"]["packets_sent"] for r in reports), 1)
    sender_dropped = sum(r["srt"]["packets_dropped"] for r in reports)
    naked = sum(r["srt"]["packets_lost"] for r in reports)
    received = sum(metric_sum(last, "sluice_srt_packets_received_total").values())
    dropped = sum(metric_sum(last, "sluice_srt_packets_dropped_total").values())
    unrecovered = sender_dropped / sent + dropped / max(received + dropped, 1)
    reasons = metric_sum(last, "sluice_streams_rejected_total", "reason")
    receive_thread = (receive_after.get("SRT:RcvQ", 0) - receive_before.get("SRT:RcvQ", 0)) / max(held, 1e-9)
    rows = [
        ["srt.receive_saturation", f"{SATURATION}"],
        ["publishers offered", f"{len(publishers) * SATURATION_STEP} ({SATURATION_STEP} every "
                               f"{SATURATION_INTERVAL} s, {mbps:.1f} Mbit/s each)"],
        ["first refusal after", f"{(refused_at + 1) * SATURATION_STEP} offered" if refused_at is not None else "none"],
        ["streams admitted", f"**{admitted}** ({admitted * mbps:.0f} Mbit/s)"],
        ["refusals by code (sluice-load)", ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())) or "none"],
        ["refusals by reason (Sluice)", ", ".join(f"{r}: {int(n)}" for r, n in sorted(reasons.items()) if n) or "none"],
        ["connect failures (no answer)", sum(r["connect_failures"] for r in reports)],
        ["admitted streams' loss (unrecovered)", f"**{unrecovered * 100:.3f}%** (target < 0.1%)"],
        ["admitted streams' NAK'd", f"{naked / sent * 100:.3f}%"],
        ["Sluice cores during the hold", f"{(cpu_after - cpu_before) / max(held, 1e-9):.2f}"],
        ["libsrt receive thread (SRT:RcvQ) during the hold", f"{receive_thread * 100:.0f}% of a core"],
        ["sluice-load cores during the hold", f"{load_cores:.2f}"],
    ]
    table("7. Saturation (publishers added until refused)", ["measure", "value"], rows,
          [f"Offered, live and refused after each step: "
           + "; ".join(f"{o}/{a}/{r}" for o, a, r in steps) + ".",
           f"The hold lasted {held:.0f} s. Loss is the publishers' drops over packets sent plus the packets "
           "Sluice's libsrt dropped as too late to play. On this machine sluice-load shares the "
           f"{CORES} cores with Sluice, so a low `srt.receive_saturation` stands in for a receive thread near "
           "its limit: the scenario shows that refusals start, carry 1402 `receive_capacity`, and leave the "
           "admitted streams whole, not where a real core's limit lies."])


def cluster_node(etcd, node_id):
    """A cluster node on `etcd`, once it admits publishers: its process, HTTP base and SRT port."""
    srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
    process, base = start_sluice(cluster_config(srt_port, http_port, node_id, etcd.endpoints), f"cluster-{node_id}")
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/readyz", timeout=1)
            return process, base, srt_port
        except OSError:
            if time.time() > deadline:
                raise RuntimeError(f"{node_id} did not join: see {OUT / ('cluster-' + node_id + '.log')}")
            time.sleep(0.1)


def owned(base, name):
    """Whether the node at `base` knows an owner of `name` (its view, which its handshake consults)."""
    return name in json.dumps(get_json(base + "/api/cluster").get("owners", []))


def histogram_buckets(samples, name):
    """The cumulative buckets of histogram `name`, by upper bound, summed over its series."""
    buckets = {}
    for series, value in samples.items():
        if series.split("{", 1)[0] == name + "_bucket":
            bound = series.split('le="', 1)[1].split('"', 1)[0]
            bound = float("inf") if bound == "+Inf" else float(bound)
            buckets[bound] = buckets.get(bound, 0) + value
    return buckets


def bound_text(bound):
    """A histogram quantile (a bucket's upper bound) as text: `<= 5 ms`, or `> 1 s` past the last bucket."""
    return "> 1 s" if bound == float("inf") else f"<= {bound * 1000:g} ms"


def bucket_quantile(buckets, quantile):
    total = buckets.get(float("inf"), 0)
    return next((bound for bound in sorted(buckets) if total and buckets[bound] >= quantile * total), None)


def srt_reader(srt_port, name):
    """An ffmpeg that reads stream `name` over SRT and discards it, until stopped."""
    # ffmpeg 5.1 passes the stream id on as written: a percent-encoded one reaches Sluice encoded.
    return start(["ffmpeg", "-nostdin", "-loglevel", "error", "-i",
                  f"srt://127.0.0.1:{srt_port}?streamid=#!::r={name},m=request&latency=120000",
                  "-c", "copy", "-f", "null", "-"])


def cpu_over(pids, seconds):
    """CPU seconds each of `pids` uses over the next `seconds`."""
    before = [cpu_seconds(pid) for pid in pids]
    time.sleep(seconds)
    return [cpu_seconds(pid) - used for pid, used in zip(pids, before)]


def cluster():
    etcd = Etcd()
    nodes, extra = [], []
    try:
        nodes = [cluster_node(etcd, node_id) for node_id in ("node-a", "node-b", "node-c")]
        (a, a_base, a_port), (b, b_base, b_port), _ = nodes

        # Takeover: an owner of its own is killed; node A's view (what its handshake consults)
        # and etcd itself are polled every 20 ms until the name is free.
        takeovers = []
        for run in range(CLUSTER_TAKEOVERS):
            owner, _, owner_port = cluster_node(etcd, f"owner-{run}")
            extra.append(owner)
            prefix = f"takeover/{run}-"
            name, key = prefix + "0", f"/bench/streams/{prefix}0"
            publisher = load(owner_port, 1, 60, prefix=prefix)
            extra.append(publisher)
            deadline = time.time() + 20
            while key not in (etcd.range("/bench/streams/") or {}) or not owned(a_base, name):
                if time.time() > deadline:
                    raise RuntimeError(f"the owner did not claim {name}")
                time.sleep(0.1)
            # A kill at an arbitrary point of the renewal cycle (every 2 s).
            time.sleep(1 + run * 0.7)
            owner.kill()
            killed = time.monotonic()
            expired = freed = None
            while expired is None or freed is None:
                now = time.monotonic() - killed
                entries = etcd.range("/bench/streams/")
                if expired is None and entries is not None and key not in entries:
                    expired = now
                if freed is None and not owned(a_base, name):
                    freed = now
                if now > 20:
                    raise RuntimeError(f"{name} was not freed (etcd key gone after {expired} s, node A free after {freed} s)")
                time.sleep(0.02)
            publisher.kill()
            # And it is claimable: a publisher on node A connects and node A comes to own the name.
            claimer = load(a_port, 1, 3, prefix=prefix)
            deadline, claimed_here = time.time() + 3, False
            while not claimed_here and time.time() < deadline:
                claimed_here = {"stream": name, "node": "node-a"}.items() <= next(
                    (owner.items() for owner in get_json(a_base + "/api/cluster").get("owners", [])
                     if owner.get("stream") == name), {}.items())
                time.sleep(0.05)
            load_report(claimer)
            takeovers.append((expired, freed, claimed_here))

        # Claims: 100 publishers connect at once, a third to each node; every node times its
        # claims (from the accepted publisher to etcd's answer) in a histogram.
        def claims_won():
            return sum(metric_sum(metrics(base), "sluice_cluster_claims_total", "result").get("claimed", 0)
                       for _, base, _ in nodes)
        won_before = claims_won()
        before = [histogram_buckets(metrics(base), CLAIM_METRIC) for _, base, _ in nodes]
        shares = [CLUSTER_PUBLISHERS // 3 + (1 if i < CLUSTER_PUBLISHERS % 3 else 0) for i in range(3)]
        loads = [load(port, share, 5, prefix=f"claims/{i}-") for i, ((_, _, port), share) in enumerate(zip(nodes, shares))]
        connected = sum(load_report(process)["connected"] for process in loads)
        after = [histogram_buckets(metrics(base), CLAIM_METRIC) for _, base, _ in nodes]
        claims = {bound: sum(node_after.get(bound, 0) - node_before.get(bound, 0)
                             for node_before, node_after in zip(before, after)) for bound in after[0]}
        claimed = claims_won() - won_before

        # Relay cost: the same readers of one 4 Mbit/s stream, first on its owner (node A), then
        # on node B, which serves them through one relay from node A.
        publisher = load(a_port, 1, 4 * CLUSTER_READ_SECONDS + 30, prefix="relay/")
        extra.append(publisher)
        while not owned(b_base, "relay/0"):
            time.sleep(0.1)
        time.sleep(2)
        idle_a, idle_b = cpu_over([a.pid, b.pid], CLUSTER_READ_SECONDS)
        readers = [srt_reader(a_port, "relay/0") for _ in range(CLUSTER_READERS)]
        time.sleep(3)
        local_a, local_b = cpu_over([a.pid, b.pid], CLUSTER_READ_SECONDS)
        local_count = len(get_json(a_base + "/api/readers"))
        stop(readers)
        readers = [srt_reader(b_port, "relay/0") for _ in range(CLUSTER_READERS)]
        time.sleep(3)
        relay_a, relay_b = cpu_over([a.pid, b.pid], CLUSTER_READ_SECONDS)
        relay_count, relayed_from_a = len(get_json(b_base + "/api/readers")), len(get_json(a_base + "/api/readers"))
        stop(readers)
    finally:
        stop([process for process, _, _ in nodes] + extra)
        etcd.stop()

    reader_seconds = CLUSTER_READERS * CLUSTER_READ_SECONDS
    local_cost = (local_a - idle_a + local_b - idle_b) / reader_seconds
    relay_cost = (relay_a - idle_a + relay_b - idle_b) / reader_seconds
    rows = [[f"owner kill -9 -> name free, run {i + 1}", f"etcd key gone {expired:.2f} s; node A admits {freed:.2f} s",
             "claimed on node A" if ok else "**not claimed**"] for i, (expired, freed, ok) in enumerate(takeovers)]
    p50, p99 = bucket_quantile(claims, 0.5), bucket_quantile(claims, 0.99)
    total = claims.get(float("inf"), 0)
    rows += [
        [f"{CLUSTER_PUBLISHERS} publishers at once across 3 nodes", f"{connected} connected, {claimed:.0f} claims won",
         f"claim p50 {bound_text(p50)}, p99 {bound_text(p99)} ({total:.0f} claims)" if total else "no claims"],
        [f"{CLUSTER_READERS} SRT readers on the owner (local)", f"{local_count} readers",
         f"**{local_cost * 1000:.2f} ms CPU per reader-second** (both nodes, less idle)"],
        [f"{CLUSTER_READERS} SRT readers on node B (one relay from A)", f"{relay_count} readers on B, {relayed_from_a} on A",
         f"**{relay_cost * 1000:.2f} ms CPU per reader-second** (B {(relay_b - idle_b) / reader_seconds * 1000:.2f} + "
         f"A {(relay_a - idle_a) / reader_seconds * 1000:.2f}); relay / local {relay_cost / max(local_cost, 1e-9):.2f}"],
    ]
    table("8. Cluster", ["measure", "result", "value"], rows, [
        "Three nodes (`cluster.lease_ttl_ms` 6000, the default) on a three-member etcd 3.4 on loopback with "
        "etcd's default timings. Takeover: `kill -9` of a fourth node that owns one publishing stream, at a "
        "different point of its 2 s renewal cycle each run; etcd deletes the owner key when the lease expires "
        "(TTL after the last renewal, found by etcd's 500 ms expiry scan), node A's watch then frees the name "
        "in the view its handshake consults, and a publisher on node A claims it.",
        "Claim latency: `sluice_cluster_claim_duration_seconds` (from the accepted publisher asking to "
        "etcd's answer), summed over the three nodes; quantiles are bucket upper bounds (1, 2, 5, 10, 20, "
        f"50 ms ...). Relay cost: CPU of both nodes over {CLUSTER_READ_SECONDS} s of {CLUSTER_READERS} ffmpeg "
        "readers (`-c copy -f null`) of one 4 Mbit/s stream, less the same nodes' CPU with the publisher and no "
        "reader; the readers' own CPU is not counted. The machine is shared with other work, so CPU figures "
        "carry its noise.",
    ])


def readers():
    table(*readers_scenario())


def micro():
    files = [str(fixture(250_000)), str(fixture(4_000_000))]
    output = subprocess.run([str(BIN / "sluice-bench")] + files, capture_output=True, text=True, check=True).stdout
    rows = [line.strip("|").split("|") for line in output.splitlines()[2:] if line.startswith("|")]
    table("5. Controller and demux micro-benchmarks (sluice-bench, medians)",
          ["benchmark", "median", "baseline", "ratio"], [[c.strip() for c in r] for r in rows],
          ["Target: accounting under 100 ns per frame uncontended. The baseline is one relaxed atomic add for "
           "the controller rows, and copying the message for the demux rows: the demux rows are what a stream "
           "pays per message in one thread with warm caches, the engine scenario what it pays among hundreds."])


def main():
    OUT.mkdir(exist_ok=True)
    make_fixture()
    started = datetime.now(timezone.utc)
    # A thousand callers and their receivers need more descriptors than a login shell allows.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 16, hard))
    scenarios = {"ingest": ingest_cost, "capacity": capacity, "overload": overload, "churn": churn, "micro": micro,
                 "engine": engine, "saturation": saturation, "cluster": cluster,
                 "readers": readers}
    chosen = sys.argv[1:] or list(scenarios)
    for name in chosen:
        log(f"== {name}")
        scenarios[name]()
    stamp = f"{started:%Y-%m-%d %H:%M} UTC on {machine()}"
    partial = len(chosen) < len(scenarios)
    # A partial run keeps the header and replaces only its own sections, each marked with when it ran.
    header = None if partial else (
        f"# Sluice benchmarks\n\nRun {stamp}; fixture {fixture_mbps():.2f} Mbit/s H.264 + AAC "
        f"({FIXTURE.name}). Produced by `make bench` (`bench/run.py`); every ratio compares figures "
        "measured in the same run.\n\n")
    write_benchmarks([text + (f"\n_Re-run alone {stamp}._\n" if partial else "") for text in tables], header)
    log(f"wrote {ROOT / 'BENCHMARKS.md'}")


if __name__ == "__main__":
    main()
