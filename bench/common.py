"""Helpers shared by the benchmark scripts (`bench/run.py`, `bench/soak.py`): free loopback
ports, /proc readings, starting Sluice and sluice-load, scraping its HTTP API, the fixture and
the Markdown tables they print and write to BENCHMARKS.md."""

import base64
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".build-bench"
BIN = Path(os.environ.get("SLUICE_BIN_DIR", ROOT / ".build" / "release"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
CORES = os.cpu_count() or 1


def log(message):
    print(message, file=sys.stderr, flush=True)



def render_table(title, header, rows, notes=()):
    """A Markdown section: `### title`, the table and any notes below it."""
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    if notes:
        lines.append("")
        lines += list(notes)
    return "\n".join(lines) + "\n"


def machine():
    """The CPU model, core count and memory, as the benchmarks' stamps name them."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{cpu}, {CORES} cores, {os.sysconf('SC_PHYS_PAGES') * PAGE / (1 << 30):.0f} GiB"


def write_benchmarks(sections, header=None):
    """Writes `sections` (texts from `render_table`) into BENCHMARKS.md in title order.

    A section replaces the one of the same title; the others stay, so `make bench` and
    `make soak` each rewrite only their own. `header` replaces the text above the first section.
    """
    path = ROOT / "BENCHMARKS.md"
    kept, old_header = {}, "# Sluice benchmarks\n\n"
    if path.exists():
        old = path.read_text()
        old_header = old.split("### ", 1)[0]
        for part in old.split("### ")[1:]:
            kept[part.split("\n", 1)[0]] = "### " + part
    for text in sections:
        kept[text.split("\n", 1)[0][4:]] = text
    ordered = sorted(kept.items(), key=lambda item: item[0])
    path.write_text((header or old_header) + "\n".join(text.rstrip() + "\n" for _, text in ordered))


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


def task_cpu_seconds(task):
    """A thread's CPU seconds from its `schedstat` (nanoseconds on a CPU); see
    `thread_cpu_by_name` for why not `stat`."""
    return int((task / "schedstat").read_text().split()[0]) / 1e9


def thread_cpu(pid):
    result = {}
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                result[task.name] = task_cpu_seconds(task)
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
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


def threads(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def thread_cpu_by_name(pid):
    """CPU seconds by thread name (`comm`): a coarse profile that needs no profiler.

    Read from `schedstat` (nanoseconds on a CPU), as Sluice's own receive-capacity probe does:
    at 1,000 streams, summing `stat`'s utime and stime gave libsrt's `SRT:TsbPd` threads (one
    per connection, a few microseconds per wakeup) 1% of a core, where `schedstat` and perf
    both gave them about a third."""
    result = {}
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return result
    for task in tasks:
        try:
            name = (task / "comm").read_text().rstrip("\n")
            seconds = task_cpu_seconds(task)
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        result[name] = result.get(name, 0) + seconds
    return result


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


class SluiceExited(RuntimeError):
    """Sluice exited before it served; `log` holds what it said."""

    def __init__(self, log):
        super().__init__(f"sluice exited at start: {log.strip()[-500:]}")
        self.log = log


def start_sluice(config, name):
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(config))
    logfile = open(OUT / f"{name}.log", "w")
    process = start([str(BIN / "sluice"), "--config", str(path)], stderr=logfile)
    http = config["http"]["listen"]
    for _ in range(100):
        if process.poll() is not None:
            raise SluiceExited((OUT / f"{name}.log").read_text())
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


def load(port, streams, seconds, prefix="load/", port_per_stream=False, extra=(), file=None):
    args = [str(BIN / "sluice-load"), "--port", str(port), "--streams", str(streams), "--file", str(file or FIXTURE),
            "--duration", str(seconds), "--prefix", prefix, *extra]
    if port_per_stream:
        args.append("--port-per-stream")
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def load_report(process):
    output, _ = process.communicate(timeout=600)
    return json.loads(output.strip().splitlines()[-1])


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

# Small streams are encoded at their own bitrate, as a camera would send them: the 4 Mbit/s file
# paced down to 100 kbit/s would play at a fortieth of real time, with frames far apart and a
# stream that takes minutes to show its parameters.
SMALL_FIXTURES = {1_000_000: ("960x540", "850k", "96k"), 250_000: ("640x360", "190k", "32k"),
                  100_000: ("320x180", "64k", "24k")}


def make_fixture():
    if FIXTURE.exists():
        return
    log("making the 4 Mbit/s H.264 + AAC fixture")
    encode(FIXTURE, "1280x720", "3800k", "128k", "4200k")


def fixture(bps):
    """The fixture for streams of `bps` bits per second: a file of its own for small streams."""
    if bps not in SMALL_FIXTURES:
        make_fixture()
        return FIXTURE
    path = OUT / f"bench-{bps // 1000}kbps.ts"
    if not path.exists():
        size, video, audio = SMALL_FIXTURES[bps]
        log(f"making the {bps // 1000} kbit/s H.264 + AAC fixture")
        encode(path, size, video, audio, f"{bps // 1000}k")
    return path


def encode(path, size, video, audio, muxrate):
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "12",
        "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
        "-bf", "2", "-b:v", video, "-minrate", video, "-maxrate", video, "-bufsize", video,
        "-x264-params", "nal-hrd=cbr", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", audio, "-muxrate", muxrate, "-f", "mpegts", str(path)], check=True)


def fixture_mbps(path=FIXTURE):
    seconds = float(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True).stdout.strip())
    return path.stat().st_size * 8 / seconds / 1e6


# --- configuration ----------------------------------------------------------------------------

def cluster_config(srt_port, http_port, node_id, endpoints, lease_ttl_ms=6000):
    """A node of a cluster on `endpoints` (etcd client URLs), advertising its loopback ports."""
    config = sluice_config(srt_port, http_port)
    config["cluster"] = {"etcd": {"endpoints": endpoints}, "node_id": node_id,
                         "advertise_srt": f"127.0.0.1:{srt_port}", "advertise_http": f"127.0.0.1:{http_port}",
                         "lease_ttl_ms": lease_ttl_ms, "prefix": "/bench/"}
    return config


# --- etcd -------------------------------------------------------------------------------------

class Etcd:
    """A real etcd of `size` members on loopback ports, with etcd's default timings (heartbeat
    100 ms, election 1 s) and its data under .build-bench; `stop()` kills it and removes the data."""

    def __init__(self, size=3):
        if not shutil.which("etcd"):
            raise RuntimeError("etcd is not installed (Debian's etcd-server; `make bench-deps`)")
        self.directory = OUT / f"etcd-{os.getpid()}-{time.time_ns()}"
        base = free_port(socket.SOCK_STREAM, count=2 * size)
        ports = [(base + 2 * i, base + 2 * i + 1) for i in range(size)]
        self.endpoints = [f"http://127.0.0.1:{client}" for client, _ in ports]
        cluster = ",".join(f"m{i}=http://127.0.0.1:{peer}" for i, (_, peer) in enumerate(ports))
        self.processes = [start([
            "etcd", "--name", f"m{i}", "--data-dir", str(self.directory / f"m{i}"),
            "--listen-client-urls", self.endpoints[i], "--advertise-client-urls", self.endpoints[i],
            "--listen-peer-urls", f"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls",
            f"http://127.0.0.1:{peer}", "--initial-cluster", cluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", self.directory.name, "--log-level", "error"])
            for i, (_, peer) in enumerate(ports)]
        deadline = time.time() + 30
        while self.range("/") is None:
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("etcd did not start")
            time.sleep(0.2)

    def range(self, prefix):
        """Every key under `prefix` and its value (linearizable), or None while etcd does not answer."""
        end = bytearray(prefix.encode())
        end[-1] += 1
        body = json.dumps({"key": base64.b64encode(prefix.encode()).decode(),
                           "range_end": base64.b64encode(bytes(end)).decode()}).encode()
        for endpoint in self.endpoints:
            try:
                with urllib.request.urlopen(urllib.request.Request(endpoint + "/v3/kv/range", data=body),
                                            timeout=2) as reply:
                    answer = json.loads(reply.read())
            except OSError:
                continue
            return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv.get("value", "")).decode()
                    for kv in answer.get("kvs", [])}
        return None

    def stop(self):
        for process in self.processes:
            process.kill()
            process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def sluice_config(srt_port, http_port, **memory):
    config = {"srt": {"listen": f"127.0.0.1:{srt_port}", "max_streams": 1000},
              "http": {"listen": f"127.0.0.1:{http_port}"}}
    if memory:
        config["memory"] = memory
    return config
