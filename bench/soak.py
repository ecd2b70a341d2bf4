#!/usr/bin/env python3
"""Sluice soak: `make soak` (not in CI).

Publishers for SOAK_MINUTES (default 30): SOAK_PUBLISHERS (default 32) at once, of which
SOAK_CHURNERS (default a quarter) reconnect under the same stream id every few seconds, and, when
this build serves readers, SOAK_READERS (default 4) readers joining and leaving. Every
SOAK_SAMPLE_SECONDS (default 10) it samples Sluice's resident bytes, accounted bytes and level,
file descriptors and threads. It reports resident memory's slope over the steady part (target:
flat within 2% per 30 minutes), accounted bytes once every publisher has gone (target 0), file
descriptors and threads before and after, refusals and drops; prints the table and writes it to
BENCHMARKS.md as the "Soak" section. Everything runs on loopback, and every process it starts is
stopped at the end, also on Ctrl-C.
"""

import os
import random
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from common import (CORES, FIXTURE, fixture_mbps, free_port, get_json, load, load_report, log, machine,
                    make_fixture, metric_sum, metrics, mib, OUT, render_table, rss, sluice_config, start_sluice,
                    stop, threads, write_benchmarks)

MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
PUBLISHERS = int(os.environ.get("SOAK_PUBLISHERS", "32"))
CHURNERS = int(os.environ.get("SOAK_CHURNERS", str(PUBLISHERS // 4)))
READERS = int(os.environ.get("SOAK_READERS", "4"))
SAMPLE_SECONDS = float(os.environ.get("SOAK_SAMPLE_SECONDS", "10"))
SECONDS = MINUTES * 60
# Buffers fill for their duration (10 s by default) and the allocator settles after that: the
# fit starts once that has passed, or a tenth of the run in, whichever is later.
WARM_UP = max(60.0, SECONDS / 10)
# A churning publisher stays this long (seconds, drawn at random) before it hangs up and calls again.
CHURN_HOLD = (2.0, 6.0)
# A reader stays this long, then leaves for a moment.
READER_HOLD = (5.0, 15.0)
READER_PAUSE = (1.0, 3.0)
# After the last publisher: how long accounted bytes may take to reach zero, then a full
# interval of the memory monitor's heap release (5 s) before the closing reading.
DRAIN_SECONDS = 30
SETTLE_SECONDS = 8
SLOPE_TARGET = 2.0


def open_fds(pid):
    """The file descriptors `pid` holds open."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except FileNotFoundError:
        return 0


def reading(pid, base):
    """Resident bytes, file descriptors and threads from /proc; accounted bytes, level and live
    streams from `GET /api/memory`."""
    memory = get_json(base + "/api/memory")
    return {"resident": rss(pid), "fds": open_fds(pid), "threads": threads(pid),
            "accounted": memory["accounted_bytes"], "level": memory["level"], "streams": len(memory["streams"]),
            "heap_in_use": memory.get("heap_in_use_bytes") or 0, "heap_free": memory.get("heap_free_bytes") or 0}


def slope_per_30_min(samples, key):
    """The least-squares slope of `key` over `samples`, per second and as a share of its mean over
    30 minutes (in percent)."""
    slope = least_squares_slope([(s["t"], s[key]) for s in samples])
    mean = sum(s[key] for s in samples) / len(samples)
    return slope, slope * 1800 / max(mean, 1) * 100


def least_squares_slope(points):
    """The slope of the least-squares line through `points` (x, y)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


class Churn:
    """Publisher places whose sluice-load hangs up and calls again under the same stream id,
    kept going on a thread of their own so that slow HTTP readings do not hold a call back."""

    def __init__(self, srt_port, count):
        self.srt_port = srt_port
        self.prefixes = [f"soak/churn{slot}-" for slot in range(count)]
        self.processes = {}
        self.reports = []
        self.failures = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            stopping = self.stopping.is_set()
            with self.lock:
                for prefix in self.prefixes:
                    process = self.processes.get(prefix)
                    if process is not None and process.poll() is not None:
                        try:
                            self.reports.append(load_report(self.processes.pop(prefix)))
                        except (ValueError, IndexError):
                            # A call that printed no report (it crashed): counted, not fatal.
                            self.failures += 1
                    if prefix not in self.processes and not stopping:
                        self.processes[prefix] = load(self.srt_port, 1, random.uniform(*CHURN_HOLD), prefix=prefix)
                if stopping and not self.processes:
                    return
            time.sleep(0.2)

    def stop(self):
        """Lets the calls in flight finish and places no more."""
        self.stopping.set()
        self.thread.join()

    def kill(self):
        """Stops the calls in flight, reports and all."""
        with self.lock:
            self.stopping.set()
            stop(list(self.processes.values()))
            self.processes.clear()


class Readers:
    """Readers joining and leaving live streams, at most `count` at a time, over HTTP
    (`GET /streams/{name}.ts`) or SRT (`#!::r=NAME,m=request`, read by ffmpeg)."""

    def __init__(self, kind, base, srt_port, names, count):
        self.kind, self.base, self.srt_port, self.names = kind, base, srt_port, names
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.processes = set()
        self.joins, self.failures, self.bytes = 0, 0, 0
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def run(self):
        while not self.stopping.is_set():
            name = random.choice(self.names)
            try:
                received = self.read(name, random.uniform(*READER_HOLD))
                with self.lock:
                    self.joins += 1
                    self.bytes += received
            except (OSError, subprocess.SubprocessError):
                with self.lock:
                    self.failures += 1
            self.stopping.wait(random.uniform(*READER_PAUSE))

    def read(self, name, seconds):
        """Reads stream `name` for `seconds` and leaves; the bytes read (0 when SRT's are not counted)."""
        if self.kind == "http":
            return http_read(self.base, name, seconds, self.stopping)
        with self.lock:
            # Checked under the lock `stop` takes, so no reader starts after it has stopped them.
            if self.stopping.is_set():
                return 0
            process = srt_reader(self.srt_port, name, seconds)
            self.processes.add(process)
        try:
            if process.wait(timeout=seconds + 15) != 0:
                raise subprocess.CalledProcessError(process.returncode, "ffmpeg")
            return 0
        finally:
            with self.lock:
                self.processes.discard(process)

    def stop(self):
        """Stops every reader, those in the middle of a read included."""
        self.stopping.set()
        with self.lock:
            stop(list(self.processes))
        for thread in self.threads:
            thread.join(timeout=30)


def http_read(base, name, seconds, stopping=None):
    """Reads stream `name` over HTTP for `seconds` (or until `stopping` is set); the bytes read."""
    received = 0
    deadline = time.time() + seconds
    with urllib.request.urlopen(f"{base}/streams/{name}.ts", timeout=5) as reply:
        while time.time() < deadline and not (stopping and stopping.is_set()):
            chunk = reply.read(64 << 10)
            if not chunk:
                break
            received += len(chunk)
    return received


def srt_reader(srt_port, name, seconds):
    """An ffmpeg that reads stream `name` over SRT for `seconds` and discards it."""
    # ffmpeg 5.1 hands the stream id to libsrt as written, so it must not be percent-encoded.
    # ffmpeg's SRT latency is in microseconds.
    url = f"srt://127.0.0.1:{srt_port}?streamid=#!::r={name},m=request&latency=120000"
    return subprocess.Popen(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", url, "-t", f"{seconds:.1f}",
                             "-c", "copy", "-f", "null", "-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def detect_readers(base, srt_port, name):
    """The reader kind this build serves for live stream `name` ("http", "srt"), or None and why."""
    try:
        if http_read(base, name, 2) > 0:
            return "http", None
        http_note = "GET /streams/{name}.ts answered without bytes"
    except urllib.error.HTTPError as error:
        http_note = f"GET /streams/{{name}}.ts answered {error.code}"
    except OSError as error:
        http_note = f"GET /streams/{{name}}.ts failed ({error})"
    process = srt_reader(srt_port, name, 2)
    try:
        if process.wait(timeout=15) == 0:
            return "srt", None
        srt_note = "an SRT reader (`#!::r=NAME,m=request`) was refused"
    except subprocess.TimeoutExpired:
        stop([process])
        srt_note = "an SRT reader (`#!::r=NAME,m=request`) got nothing in 15 s"
    return None, f"{http_note}; {srt_note}"


def counters(base):
    """Sluice's counters that outlive streams, by label."""
    samples = metrics(base)
    return {"rejected": metric_sum(samples, "sluice_streams_rejected_total", "reason"),
            "ended": metric_sum(samples, "sluice_streams_ended_total", "reason")}, samples


def by_key(values):
    """`key: count` pairs, the zero ones left out."""
    return ", ".join(f"{key}: {int(value)}" for key, value in sorted(values.items()) if value) or "none"


def difference(after, before):
    """Counters by label, less their values at `before`."""
    return {key: value - before.get(key, 0) for key, value in after.items()}


def soak():
    srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
    process, base = start_sluice(sluice_config(srt_port, http_port), "soak")
    steady_count = PUBLISHERS - CHURNERS
    publisher, churn, readers = None, None, None
    try:
        time.sleep(3)
        before = reading(process.pid, base)
        log(f"idle: {mib(before['resident'])}, {before['fds']} fds, {before['threads']} threads")
        started = time.time()
        publisher = load(srt_port, steady_count, SECONDS, prefix="soak/")
        churn = Churn(srt_port, CHURNERS)
        names = [f"soak/{index}" for index in range(steady_count)]
        # Streams exist once their publishers' handshakes and first bytes are in.
        time.sleep(10)
        reader_kind, reader_note = detect_readers(base, srt_port, names[0]) if READERS and names else (None, None)
        if reader_kind:
            readers = Readers(reader_kind, base, srt_port, names, READERS)
            log(f"readers: {READERS} over {reader_kind}")
        elif READERS:
            log(f"readers: skipped: {reader_note}")
        # Counted from here: reader detection may itself have been refused.
        baseline, _ = counters(base)
        samples, series, next_sample = [], {}, time.time()
        while time.time() - started < SECONDS:
            if time.time() >= next_sample:
                next_sample += SAMPLE_SECONDS
                try:
                    sample = reading(process.pid, base)
                    _, scraped = counters(base)
                except OSError as error:
                    log(f"sample failed: {error}")
                    continue
                # Per-stream series leave with their stream: keep each one's last value.
                series.update(scraped)
                sample["t"] = time.time() - started
                samples.append(sample)
                log(f"{sample['t']:6.0f} s  resident {mib(sample['resident'])}  accounted "
                    f"{mib(sample['accounted'])}  heap {mib(sample['heap_in_use'])} used, "
                    f"{mib(sample['heap_free'])} free  {sample['level']}  {sample['streams']} streams  "
                    f"{sample['fds']} fds  {sample['threads']} threads")
            time.sleep(0.2)
        if readers:
            readers.stop()
        churn.stop()
        steady_report = load_report(publisher)
        drained = False
        deadline = time.time() + DRAIN_SECONDS
        while not drained and time.time() < deadline:
            now = reading(process.pid, base)
            drained = now["accounted"] == 0 and now["streams"] == 0
            time.sleep(1)
        time.sleep(SETTLE_SECONDS)
        after = reading(process.pid, base)
        final, _ = counters(base)
    finally:
        if readers:
            readers.stop()
        if churn:
            churn.kill()
        stop([p for p in [publisher] if p is not None] + [process])
    report(before, after, samples, series, difference(final["rejected"], baseline["rejected"]),
           difference(final["ended"], baseline["ended"]), steady_report, churn, readers, reader_note,
           drained)


def report(before, after, samples, series, rejected, ended, steady_report, churn, readers, reader_note,
           drained):
    steady = [s for s in samples if s["t"] >= WARM_UP]
    if len(steady) < 3:
        raise RuntimeError(f"too few samples after the {WARM_UP:.0f} s warm-up: run longer than {MINUTES} min")
    slope, percent = slope_per_30_min(steady, "resident")
    _, heap_percent = slope_per_30_min(steady, "heap_in_use")
    load_reports = [steady_report] + churn.reports
    codes = {}
    for r in load_reports:
        for code, count in r["rejected"].items():
            codes[code] = codes.get(code, 0) + count
    frames_dropped = metric_sum(series, "sluice_frames_dropped_total", "reason")
    packets_dropped = sum(metric_sum(series, "sluice_srt_packets_dropped_total").values())
    packets_received = sum(metric_sum(series, "sluice_srt_packets_received_total").values())
    sent = max(sum(r["srt"]["packets_sent"] for r in load_reports), 1)
    sender_dropped = sum(r["srt"]["packets_dropped"] for r in load_reports)
    levels = sorted({s["level"] for s in samples})
    if readers:
        reader_row = (f"{READERS} at a time over {readers.kind}: {readers.joins} joined and left, "
                      f"{readers.failures} failed" + (f", {mib(readers.bytes)} read" if readers.kind == "http" else ""))
    else:
        reader_row = f"skipped: {reader_note}" if READERS else "none asked for"
    rows = [
        ["publishers", f"{PUBLISHERS}: {PUBLISHERS - CHURNERS} for the whole run, {CHURNERS} reconnecting every "
                       f"{CHURN_HOLD[0]:g}-{CHURN_HOLD[1]:g} s"],
        ["steady publishers connected", f"{steady_report['connected']} of {PUBLISHERS - CHURNERS}"],
        ["churn calls connected", f"{sum(r['connected'] for r in churn.reports)} of "
                                  f"{len(churn.reports) + churn.failures}"
                                  + (f" ({churn.failures} sluice-load crashed)" if churn.failures else "")],
        ["readers", reader_row],
        ["resident idle, before any publisher", mib(before["resident"])],
        [f"resident at start of steady state ({WARM_UP:.0f} s)", mib(steady[0]["resident"])],
        ["resident at end", mib(steady[-1]["resident"])],
        [f"resident slope (least squares, {len(steady)} samples)",
         f"**{percent:+.2f}% per 30 min** ({slope * 60 / 1024:+,.1f} KiB/min; target within "
         f"±{SLOPE_TARGET:g}%: {'met' if abs(percent) <= SLOPE_TARGET else 'MISSED'})"],
        ["resident min / max over steady state", f"{mib(min(s['resident'] for s in steady))} / "
                                                 f"{mib(max(s['resident'] for s in steady))}"],
        ["heap in use (mallinfo2) at start / end of steady state",
         f"{mib(steady[0]['heap_in_use'])} / {mib(steady[-1]['heap_in_use'])} (slope {heap_percent:+.2f}% per 30 min)"],
        ["heap free inside malloc's arenas, min / max over steady state",
         f"{mib(min(s['heap_free'] for s in steady))} / {mib(max(s['heap_free'] for s in steady))}"],
        ["accounted at end of steady state", mib(steady[-1]["accounted"])],
        ["accounted after every publisher left", f"**{after['accounted']} B** (target 0"
                                                 + ("" if drained else f"; not 0 within {DRAIN_SECONDS} s") + ")"],
        ["resident after every publisher left", mib(after["resident"])],
        ["file descriptors before / after", f"{before['fds']} / {after['fds']}"],
        ["threads before / after", f"{before['threads']} / {after['threads']}"],
        ["memory levels seen", ", ".join(levels)],
        ["refusals by reason (Sluice)", by_key(rejected)],
        ["refusals by code (sluice-load)", by_key(codes)],
        ["streams ended by reason", by_key(ended)],
        ["frames dropped by reason", by_key(frames_dropped)],
        ["SRT packets dropped (receiver, too late to play)",
         f"{int(packets_dropped)} of {int(packets_received + packets_dropped)}"],
        ["SRT packets dropped unsent (publishers)", f"{sender_dropped} of {sent}"],
    ]
    stamp = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}"
    notes = [f"Run {stamp}; {MINUTES:g} minutes"
             + ("" if MINUTES == 30 else f" (SOAK_MINUTES={MINUTES:g}, not the 30 of a full soak)")
             + f"; fixture {fixture_mbps():.2f} Mbit/s H.264 + AAC ({FIXTURE.name}) paced by sluice-load on the "
               f"same {CORES} cores. Produced by `make soak` (`bench/soak.py`).",
             f"Sampled every {SAMPLE_SECONDS:g} s: resident from /proc (VmRSS), accounted bytes, level and heap (mallinfo2, read at most every 2 s) from "
             "`GET /api/memory`, descriptors from /proc/PID/fd, threads from /proc/PID/status. The slope is "
             f"fitted from {WARM_UP:.0f} s (buffers full) to the end and given as a share of the mean resident "
             f"size. \"After\" is read once no stream is left and {SETTLE_SECONDS} s more have passed; "
             "\"before\" with Sluice idle, before any publisher. Frames and packets dropped sum each stream's "
             "series as last sampled, so the last seconds of a churning call may be missing."]
    text = render_table("Soak", ["measure", "value"], rows, notes)
    print(text, flush=True)
    write_benchmarks([text])
    log(f"wrote {Path(__file__).resolve().parent.parent / 'BENCHMARKS.md'}")


def main():
    if not 0 <= CHURNERS <= PUBLISHERS:
        raise SystemExit(f"SOAK_CHURNERS ({CHURNERS}) must be between 0 and SOAK_PUBLISHERS ({PUBLISHERS})")
    if SECONDS < WARM_UP + 3 * SAMPLE_SECONDS:
        raise SystemExit(f"SOAK_MINUTES={MINUTES:g} leaves too few samples after the {WARM_UP:.0f} s warm-up")
    OUT.mkdir(exist_ok=True)
    make_fixture()
    # Ctrl-C and SIGTERM both unwind through soak()'s cleanup.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        soak()
    except KeyboardInterrupt:
        raise SystemExit("soak: interrupted; every process it started is stopped")


if __name__ == "__main__":
    main()
