"""The production processes a benchmark runs against: gunicorn and a Celery worker, with their peak memory."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import load
from load import Request

BASE_DIR = Path(__file__).resolve().parent.parent
ONE_QUERY_PATH = "/health/ping"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PeakSampler:
    """Samples the peak resident set (VmHWM) of a process's children once a second.

    Workers come and go (gunicorn recycles them after max_requests), so the peaks are read
    while the run goes on, not only at its end; a recycled worker's last sample stays counted.
    """

    def __init__(self, parent_pid: int):
        self.parent_pid, self.peaks, self.stopped = parent_pid, {}, threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(1.0):
            self.sample()

    def sample(self) -> None:
        for pid in children_of(self.parent_pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), int(line.split()[1]) / 1024)

    def peak_rss_mib(self) -> list[float]:
        self.sample()
        return list(self.peaks.values())

    def stop(self) -> None:
        self.stopped.set()


def children_of(parent_pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The fourth field of /proc/PID/stat is the parent's pid (after "pid (name) state").
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent_pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


class _Service:
    """A server process started for the run, stopped (and its peaks sampled) at the end."""

    name = ""

    def __init__(self, command: list[str], environment: dict[str, str]):
        log = BASE_DIR / "var" / "bench" / f"{self.name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=environment,
            stdout=subprocess.DEVNULL,  # gunicorn's access log: one line per request
            stderr=self.log,
        )
        self.sampler = PeakSampler(self.process.pid)

    def peak_rss_mib(self) -> list[float]:
        return self.sampler.peak_rss_mib()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sampler.stop()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class gunicorn(_Service):  # noqa: N801 (used as a context manager)
    name = "gunicorn"

    def __init__(self, port: int, workers: int):
        environment = dict(os.environ, GUNICORN_BIND=f"127.0.0.1:{port}")
        if workers:
            environment["WEB_CONCURRENCY"] = str(workers)
        executable = str(Path(sys.executable).parent / "gunicorn")
        super().__init__([executable, "-c", "deploy/gunicorn.conf.py", "portal.wsgi"], environment)


class celery_worker(_Service):  # noqa: N801 (used as a context manager)
    """One Celery worker (one child process) on this run's broker: it delivers what submissions queue."""

    name = "celery"

    def __init__(self):
        executable = str(Path(sys.executable).parent / "celery")
        command = [executable, "-A", "portal", "worker", "--concurrency=1", "--loglevel=WARNING"]
        super().__init__(command, dict(os.environ))

    def peak_rss_mib(self) -> list[float]:
        """The worker's main process and its pool child."""
        peaks = self.sampler.peak_rss_mib()
        status = Path(f"/proc/{self.process.pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, ONE_QUERY_PATH)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer within 60 s; see var/bench/gunicorn.log")


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, float]:
    return load.send(port, Request(path, cookie))
