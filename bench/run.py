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
"""

import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".build-bench"
BIN = Path(os.environ.get("SLUICE_BIN_DIR", ROOT / ".build" / "release"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
CORES = os.cpu_count() or 1
QUICK = os.environ.get("BENCH_QUICK") == "1"

INGEST_STREAMS = [8, 32]
INGEST_SECONDS = 10 if QUICK else 20
CAPACITY_STEPS = [int(n) for n in os.environ.get("BENCH_CAPACITY_STEPS", "8,16,32,64,128,256").split(",")]
CAPACITY_SECONDS = 10 if QUICK else 30
OVERLOAD_SECONDS = 40 if QUICK else 70
CHURN_CYCLES = 100 if QUICK else 500

tables = []


def log(message):
    print(message, file=sys.stderr, flush=True)


def table(title, header, rows, notes=()):
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    if notes:
        lines.append("")
        lines += list(notes)
    text = "\n".join(lines) + "\n"
    print(text, flush=True)
    tables.append(text)


def free_port(kind=socket.SOCK_DGRAM, count=1):
    """A base port with `count` consecutive free ports of `kind`."""
    for base in range(20000, 60000, max(count, 1) + 7):
        sockets = []
        try:
            for offset in range(count):
                s = socket.socket(socket.AF_INET, kind)
                s.bind(("127.0.0.1", base + offset))
                sockets.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


# --- /proc readings ---------------------------------------------------------------------------

def cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def thread_cpu(pid):
    result = {}
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                result[task.name] = (int(fields[11]) + int(fields[12])) / CLK_TCK
            except (FileNotFoundError, ProcessLookupError):
                pass
    except FileNotFoundError:
        pass
    return result


def peak_rss(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


def rss(pid):
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except FileNotFoundError:
        return 0


def mib(value):
    return f"{value / (1 << 20):.1f} MiB"


# --- processes --------------------------------------------------------------------------------

def start(args, **kwargs):
    return subprocess.Popen(args, stdout=kwargs.pop("stdout", subprocess.DEVNULL),
                            stderr=kwargs.pop("stderr", subprocess.DEVNULL), **kwargs)


def stop(processes):
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def start_sluice(config, name):
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(config))
    logfile = open(OUT / f"{name}.log", "w")
    process = start([str(BIN / "sluice"), "--config", str(path)], stderr=logfile)
    http = config["http"]["listen"]
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{http}/healthz", timeout=1)
            return process, f"http://{http}"
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"sluice did not start: see {OUT / (name + '.log')}")


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as reply:
        return json.loads(reply.read())


def get_text(url):
    with urllib.request.urlopen(url, timeout=5) as reply:
        return reply.read().decode()


def load(port, streams, seconds, prefix="load/", port_per_stream=False, extra=()):
    args = [str(BIN / "sluice-load"), "--port", str(port), "--streams", str(streams), "--file", str(FIXTURE),
            "--duration", str(seconds), "--prefix", prefix, *extra]
    if port_per_stream:
        args.append("--port-per-stream")
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def load_report(process):
    output, _ = process.communicate(timeout=600)
    return json.loads(output.strip().splitlines()[-1])


def loss(report):
    sent = max(report["srt"]["packets_sent"], 1)
    return (report["srt"]["packets_lost"] + report["srt"]["packets_dropped"]) / sent


def metrics(base):
    samples = {}
    for line in get_text(base + "/metrics").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        series, value = line.rsplit(" ", 1)
        samples[series] = float(value)
    return samples


def metric_sum(samples, name, label=None):
    """Sums a metric's series, by the value of `label` when given."""
    result = {}
    for series, value in samples.items():
        if series.split("{", 1)[0] != name:
            continue
        key = ""
        if label and "{" in series:
            for pair in series.split("{", 1)[1].rstrip("}").split('",'):
                k, _, v = pair.partition("=")
                if k.strip(",") == label:
                    key = v.strip('"')
        result[key] = result.get(key, 0) + value
    return result


# --- the fixture ------------------------------------------------------------------------------

FIXTURE = OUT / "bench-4mbps.ts"


def make_fixture():
    if FIXTURE.exists():
        return
    log("making the 4 Mbit/s H.264 + AAC fixture")
    subprocess.run([
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "12",
        "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
        "-bf", "2", "-b:v", "3800k", "-minrate", "3800k", "-maxrate", "3800k", "-bufsize", "1900k",
        "-x264-params", "nal-hrd=cbr", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-muxrate", "4200k", "-f", "mpegts", str(FIXTURE)], check=True)


def fixture_mbps():
    seconds = float(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(FIXTURE)],
        capture_output=True, text=True, check=True).stdout.strip())
    return FIXTURE.stat().st_size * 8 / seconds / 1e6


# --- scenarios --------------------------------------------------------------------------------

def sluice_config(srt_port, http_port, **memory):
    config = {"srt": {"listen": f"127.0.0.1:{srt_port}", "max_streams": 1000},
              "http": {"listen": f"127.0.0.1:{http_port}"}}
    if memory:
        config["memory"] = memory
    return config


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


def micro():
    output = subprocess.run([str(BIN / "sluice-bench")], capture_output=True, text=True, check=True).stdout
    rows = [line.strip("|").split("|") for line in output.splitlines()[2:] if line.startswith("|")]
    table("5. Controller micro-benchmarks (sluice-bench, medians)",
          ["benchmark", "median", "baseline (1 atomic add)", "ratio"], [[c.strip() for c in r] for r in rows],
          ["Target: accounting under 100 ns per frame uncontended."])


def main():
    OUT.mkdir(exist_ok=True)
    make_fixture()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    started = datetime.now(timezone.utc)
    scenarios = {"ingest": ingest_cost, "capacity": capacity, "overload": overload, "churn": churn, "micro": micro}
    chosen = sys.argv[1:] or list(scenarios)
    for name in chosen:
        log(f"== {name}")
        scenarios[name]()
    stamp = (f"{started:%Y-%m-%d %H:%M} UTC on {cpu}, {CORES} cores, "
             f"{os.sysconf('SC_PHYS_PAGES') * PAGE / (1 << 30):.0f} GiB")
    header = (f"# Sluice benchmarks\n\nRun {stamp}; fixture {fixture_mbps():.2f} Mbit/s H.264 + AAC "
              f"({FIXTURE.name}). Produced by `make bench` (`bench/run.py`); every ratio compares figures "
              "measured in the same run.\n\n")
    path = ROOT / "BENCHMARKS.md"
    sections = {}
    if len(chosen) < len(scenarios) and path.exists():
        # A partial run replaces only its own sections, each marked with when it ran.
        old = path.read_text()
        header = old.split("### ", 1)[0]
        for part in old.split("### ")[1:]:
            sections[part.split("\n", 1)[0]] = "### " + part
    for text in tables:
        title = text.split("\n", 1)[0][4:]
        sections[title] = text + (f"\n_Re-run alone {stamp}._\n" if len(chosen) < len(scenarios) else "")
    ordered = sorted(sections.items(), key=lambda item: item[0])
    path.write_text(header + "\n".join(text.rstrip() + "\n" for _, text in ordered))
    log(f"wrote {ROOT / 'BENCHMARKS.md'}")


if __name__ == "__main__":
    main()
