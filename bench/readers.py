"""The `readers` scenario of `make bench`: live readers of one stream, read by sluice-read.

1. Time to first keyframe: 100 HTTP readers, then 100 SRT readers, joining a live 4 Mbit/s
   stream 20 ms apart; as each reader saw it, and Sluice's own histogram.
2. SRT fan-out: 64 readers of one 4 Mbit/s stream; Sluice's CPU per reader-second against
   sluice-floor `--send` (bare libsrt sending the same file to 64 callers from one thread), and
   the readers' loss.
3. HTTP fan-out: 1,000 readers of one 1 Mbit/s stream; CPU and resident bytes per reader.
4. Slow readers: 50 HTTP readers at a tenth of a 4 Mbit/s stream's rate for 60 s, reconnecting
   when cut; Sluice's resident memory before, at peak and after, and its skips and cuts.

Each part runs its own Sluice, so one part's leftovers do not weigh on the next.
"""

import json
import os
import socket
import subprocess
import threading
import time

from common import (BIN, CORES, cpu_seconds, fixture, fixture_mbps, free_port, load, load_report, log, metric_sum,
                    metrics, mib, rss, sluice_config, start_sluice, stop)

QUICK = os.environ.get("BENCH_QUICK") == "1"

JOINING = 100
JOIN_INTERVAL_MS = 20
TTFK_TARGET_MS = 50
SRT_FANOUT = 64
HTTP_FANOUT = 1000
FANOUT_SECONDS = 10 if QUICK else 20
SLOW_READERS = 50
SLOW_SECONDS = 20 if QUICK else 60
RESIDENT_TARGET = 64 << 10
# SRS: about 4,000 players per core at 600 kbit/s (its published performance figures).
SRS_PLAYERS_PER_CORE = 4000
SRS_PLAYER_MBPS = 0.6
# Seconds of a stream before readers come: its buffer holds a keyframe by then.
SETTLE = 3


def read(port, stream, readers, seconds, transport="srt", extra=()):
    args = [str(BIN / "sluice-read"), "--port", str(port), "--stream", stream, "--readers", str(readers),
            "--duration", str(seconds), "--transport", transport, *map(str, extra)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_report(process):
    output, errors = process.communicate(timeout=600)
    if process.returncode != 0:
        raise RuntimeError(f"sluice-read failed: {errors.strip()[-500:]}")
    return json.loads(output.strip().splitlines()[-1])


def live_sluice(name, bps, seconds, **readers_config):
    """A Sluice with one live stream `live/r` of `bps`, published for `seconds` after it settles."""
    srt_port, http_port = free_port(), free_port(socket.SOCK_STREAM)
    config = sluice_config(srt_port, http_port)
    config["readers"] = {"max_per_stream": 2000, "max_total": 4000, **readers_config}
    process, base = start_sluice(config, name)
    publisher = load(srt_port, 1, seconds + SETTLE + 5, prefix="live/r", file=fixture(bps))
    time.sleep(SETTLE)
    return process, base, srt_port, http_port, publisher


def mbps_of(bps):
    return fixture_mbps(fixture(bps))


def server_ttfk_p99(base):
    """The p99 of Sluice's `sluice_reader_first_keyframe_seconds` (bucket upper bound)."""
    samples = metrics(base)
    buckets = sorted((float(s.split('le="', 1)[1].split('"', 1)[0].replace("+Inf", "inf")), v)
                     for s, v in samples.items() if s.startswith("sluice_reader_first_keyframe_seconds_bucket"))
    total = buckets[-1][1] if buckets else 0
    return next((bound for bound, count in buckets if count >= 0.99 * total), None) if total else None


def time_to_first_keyframe():
    rows = []
    process, base, srt_port, http_port, publisher = live_sluice("readers-join", 4_000_000, 2 * (JOINING * JOIN_INTERVAL_MS / 1000 + 3))
    for transport, port in [("http", http_port), ("srt", srt_port)]:
        # SRT readers share a local UDP socket 8 at a time, as in the fan-out: 100 sockets, each
        # with libsrt's two threads, overload sluice-read on two cores, not Sluice.
        shared = ["--callers-per-socket", 8] if transport == "srt" else []
        report = read_report(read(port, "live/r0", JOINING, JOINING * JOIN_INTERVAL_MS / 1000 + 2, transport,
                                  ["--join-interval-ms", JOIN_INTERVAL_MS, *shared]))
        p99 = report.get("first_keyframe_ms_p99")
        target = (f" ({'met' if p99 is not None and p99 <= TTFK_TARGET_MS else 'MISSED'}, target <= "
                  f"{TTFK_TARGET_MS} ms)") if transport == "http" else " (includes SRT's 120 ms latency)"
        rows.append([f"{transport}: first keyframe packet at the reader, p50 / p99 / max",
                     f"{report.get('first_keyframe_ms_p50', 0):.1f} / **{(p99 or 0):.1f}** / "
                     f"{report.get('first_keyframe_ms_max', 0):.1f} ms{target}; {report['connected']} of {JOINING} "
                     f"connected, {report['without_keyframe']} without a keyframe, "
                     f"{report['continuity_errors']} continuity errors"])
    server = server_ttfk_p99(base)
    rows.append(["Sluice: accepted to first keyframe byte handed to the transport, p99 (both protocols)",
                 f"<= {server * 1000:g} ms (histogram bucket)" if server is not None else "n/a"])
    stop([publisher, process])
    return rows


def steady_cpu(pid, start, end):
    """`pid`'s CPU seconds between two wall-clock times, sampled by sleeping until each."""
    time.sleep(max(0, start - time.time()))
    before = cpu_seconds(pid)
    time.sleep(max(0, end - time.time()))
    return cpu_seconds(pid) - before


def sample_rss(pid, until, into):
    while time.time() < until:
        into.append(rss(pid))
        time.sleep(0.25)


def srt_fanout():
    rows = []
    mbps = mbps_of(4_000_000)
    join = SRT_FANOUT * 0.01
    process, base, srt_port, _, publisher = live_sluice("readers-srt", 4_000_000, FANOUT_SECONDS + join + 6)
    # What ingesting the stream costs alone, taken off Sluice's CPU with readers.
    ingest = steady_cpu(process.pid, time.time(), time.time() + 3) / 3
    began = time.time()
    reader = read(srt_port, "live/r0", SRT_FANOUT, FANOUT_SECONDS + join + 2, "srt",
                  ["--join-interval-ms", 10, "--callers-per-socket", 8])
    window = FANOUT_SECONDS
    used = steady_cpu(process.pid, began + join + 1, began + join + 1 + window)
    report = read_report(reader)
    stop([publisher, process])
    sluice_per = max(used - ingest * window, 0) / (SRT_FANOUT * window)

    port = free_port()
    floor = subprocess.Popen([str(BIN / "sluice-floor"), "--port", str(port), "--send", str(fixture(4_000_000)),
                              "--bitrate", str(mbps * 1e6), "--duration", str(FANOUT_SECONDS + join + 30)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(0.5)
    began = time.time()
    floor_reader = read(port, "floor", SRT_FANOUT, FANOUT_SECONDS + join + 2, "srt",
                        ["--join-interval-ms", 10, "--callers-per-socket", 8])
    floor_used = steady_cpu(floor.pid, began + join + 1, began + join + 1 + window)
    floor_report = read_report(floor_reader)
    stop([floor])
    floor_per = floor_used / (SRT_FANOUT * window)
    for name, per, r in [("sluice", sluice_per, report), ("sluice-floor --send", floor_per, floor_report)]:
        received = max(r["srt_packets_received"], 1)
        rows.append([f"SRT fan-out, {name}: CPU per reader-second; readers' loss",
                     f"{per * 1000:.3f} ms ({r['connected']} of {SRT_FANOUT} readers); NAK'd "
                     f"{r['srt_packets_lost'] / received * 100:.3f}%, dropped {r['srt_packets_dropped'] / received * 100:.3f}%"
                     + (f", {r['continuity_errors']} continuity errors" if name == "sluice" else "")])
    rows.append(["SRT fan-out: **Sluice / floor**", f"**{sluice_per / max(floor_per, 1e-12):.2f}x**"])
    return rows, ingest


def http_fanout():
    rows = []
    mbps = mbps_of(1_000_000)
    join_ms = 3
    join = HTTP_FANOUT * join_ms / 1000
    process, base, _, http_port, publisher = live_sluice("readers-http", 1_000_000, FANOUT_SECONDS + join + 6)
    before = rss(process.pid)
    ingest = steady_cpu(process.pid, time.time(), time.time() + 3) / 3
    began = time.time()
    reader = read(http_port, "live/r0", HTTP_FANOUT, FANOUT_SECONDS + join + 2, "http", ["--join-interval-ms", join_ms])
    window = FANOUT_SECONDS
    residents = []
    sampler = threading.Thread(target=sample_rss, args=(process.pid, began + join + 1 + window, residents))
    used = 0.0

    def measure():
        nonlocal used
        used = steady_cpu(process.pid, began + join + 1, began + join + 1 + window)

    meter = threading.Thread(target=measure)
    meter.start()
    time.sleep(max(0, began + join + 1 - time.time()))
    sampler.start()
    meter.join()
    sampler.join()
    report = read_report(reader)
    live = metrics(base)
    stop([publisher, process])
    per = max(used - ingest * window, 0) / (HTTP_FANOUT * window)
    steady = sorted(residents)[len(residents) // 2] if residents else before
    resident_per = (steady - before) / HTTP_FANOUT
    players = 1 / max(per * SRS_PLAYER_MBPS / mbps, 1e-12)
    rows.append(["HTTP fan-out: CPU per reader-second",
                 f"**{per * 1000:.3f} ms** ({report['connected']} of {HTTP_FANOUT} readers, {mbps:.2f} Mbit/s); "
                 f"scaled to {SRS_PLAYER_MBPS * 1000:.0f} kbit/s, **{players:,.0f} players per core** "
                 f"(SRS: about {SRS_PLAYERS_PER_CORE:,})"])
    rows.append(["HTTP fan-out: resident bytes per reader (median during the run, less before)",
                 f"**{resident_per / 1024:.1f} KiB** ({'met' if resident_per <= RESIDENT_TARGET else 'MISSED'}, target <= "
                 f"{RESIDENT_TARGET >> 10} KiB); {mib(before)} before, {mib(steady)} with the readers"])
    rows.append(["HTTP fan-out: readers' stream",
                 f"{report['continuity_errors']} continuity errors, {report['sync_errors']} sync errors, "
                 f"first keyframe p99 {report.get('first_keyframe_ms_p99') or 0:.1f} ms, ends {report['ends']}"])
    return rows


def slow_readers():
    mbps = mbps_of(4_000_000)
    rate = int(mbps * 1e6 / 8 / 10)
    process, base, _, http_port, publisher = live_sluice("readers-slow", 4_000_000, SLOW_SECONDS + 8)
    before = rss(process.pid)
    reader = read(http_port, "live/r0", SLOW_READERS, SLOW_SECONDS, "http",
                  ["--join-interval-ms", 20, "--rate-limit", rate, "--reconnect"])
    residents = []
    sample_rss(process.pid, time.time() + SLOW_SECONDS, residents)
    report = read_report(reader)
    time.sleep(3)
    after = rss(process.pid)
    samples = metrics(base)
    accounted = metric_sum(samples, "sluice_stream_memory", "component").get("readers", 0)
    skips = sum(metric_sum(samples, "sluice_reader_skips_total").values())
    cuts = {k: int(v) for k, v in metric_sum(samples, "sluice_reader_disconnects_total", "reason").items() if v}
    publisher_report = load_report(publisher)
    stop([process])
    sent = max(publisher_report["srt"]["packets_sent"], 1)
    return [
        ["Slow readers: Sluice resident before / peak / after",
         f"{mib(before)} / **{mib(max(residents, default=before))}** / {mib(after)}"],
        ["Slow readers: skips, disconnects by reason (Sluice)", f"{int(skips)}; {cuts or 'none'}"],
        ["Slow readers: readers' connections, reconnects, continuity errors",
         f"{report['connected']} ({SLOW_READERS} at a time), {report['reconnects']}, {report['continuity_errors']} "
         "(one expected at each skip: the output jumps to a later keyframe)"],
        ["Slow readers: the publisher's loss (unrecovered)", f"{publisher_report['srt']['packets_dropped'] / sent * 100:.3f}%"],
        ["Slow readers: `readers` memory component after", mib(accounted)],
    ]


def readers_scenario():
    """Runs the four parts; returns the section as (title, header, rows, notes)."""
    rows = []
    log("   time to first keyframe")
    rows += time_to_first_keyframe()
    log("   SRT fan-out")
    srt_rows, ingest = srt_fanout()
    rows += srt_rows
    log("   HTTP fan-out")
    rows += http_fanout()
    log("   slow readers")
    rows += slow_readers()
    notes = [
        f"sluice-read (one thread, epoll) runs the readers and checks every one's MPEG-TS (sync bytes, "
        f"continuity counters per PID) and time to its first video keyframe packet (random_access_indicator "
        f"on a video PID), from its connection being set up. Fixtures: {mbps_of(4_000_000):.2f} and "
        f"{mbps_of(1_000_000):.2f} Mbit/s H.264 + AAC, published by sluice-load. Joining readers come "
        f"{JOIN_INTERVAL_MS} ms apart.",
        f"CPU per reader-second is the server's CPU over {FANOUT_SECONDS} s once every reader has joined, less "
        f"what ingesting the stream costs alone (measured for 3 s before; {ingest * 100:.1f}% of a core at 4 Mbit/s), "
        f"over readers x seconds. sluice-floor `--send` sends the same file, paced at its bitrate, from one "
        f"thread with non-blocking `srt_sendmsg2` to every caller: the cost of the bytes on the wire alone. "
        f"SRT readers share a local UDP socket 8 at a time. The SRS figure is its published one, not measured "
        f"here; ours is scaled by bitrate.",
        f"Slow readers read at a tenth of the stream's rate ({int(mbps_of(4_000_000) * 1e6 / 80 / 1024)} KiB/s, with a 16 KiB "
        f"kernel receive buffer) for {SLOW_SECONDS} s; a reader that is cut connects again a second later.",
        f"The machine is shared ({CORES} cores): other engineers' builds and tests ran at the same time, and "
        f"sluice-read and sluice-load run on the same cores as Sluice.",
    ]
    return "9. Readers (time to first keyframe, fan-out, slow readers)", ["measure", "value"], rows, notes
