"""A load generator in several processes, so the client's own GIL does not cap the figures.

Each virtual user replays its script (a list of requests) in a loop on a new connection per
request, as gunicorn's sync workers close after each response. ``concurrency`` users are
spread over ``PROCESSES`` forked processes with one thread per user; each process sends its
latencies back when the run ends. The one-query view run through the same client shows how
far above the pages the client can go: if it is not far above, the client is the limit.
"""

import http.client
import multiprocessing
import threading
import time
from dataclasses import dataclass, field

PROCESSES = 4


@dataclass(frozen=True)
class Request:
    path: str
    cookie: str | None = None
    form: dict[str, str] | None = None  # a POST with these fields, else a GET
    csrf: str | None = None


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        return percentile(self.latencies, share) if self.latencies else 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def send(port: int, request: Request, timeout: float = 60) -> tuple[int, float]:
    """One request on a new connection; status and seconds. 2xx and 3xx count as success."""
    headers = {"Host": "127.0.0.1", "Accept-Language": "de"}
    cookies = []
    if request.cookie:
        cookies.append(f"sessionid={request.cookie}")
    body = None
    if request.form is not None:
        from urllib.parse import urlencode

        cookies.append(f"csrftoken={request.csrf}")
        body = urlencode({**request.form, "csrfmiddlewaretoken": request.csrf})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request("GET" if body is None else "POST", request.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def run(port: int, scripts: list[list[Request]], concurrency: int, seconds: float) -> Result:
    """``concurrency`` virtual users for ``seconds``; user n replays ``scripts[n % len(scripts)]``."""
    users = [scripts[n % len(scripts)] for n in range(concurrency)]
    groups = [users[n::PROCESSES] for n in range(PROCESSES) if users[n::PROCESSES]]
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    deadline = time.time() + seconds
    started = time.monotonic()
    workers = [context.Process(target=_process, args=(port, group, deadline, queue)) for group in groups]
    for worker in workers:
        worker.start()
    result = Result()
    for _ in workers:
        latencies, errors = queue.get()
        result.latencies.extend(latencies)
        result.errors += errors
    for worker in workers:
        worker.join()
    result.seconds = time.monotonic() - started
    return result


def _process(port: int, users: list[list[Request]], deadline: float, queue) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def user(script: list[Request]) -> None:
        mine, failed, step = [], 0, 0
        while time.time() < deadline:
            try:
                status, elapsed = send(port, script[step % len(script)], timeout=30)
                if status < 400:
                    mine.append(elapsed)
                else:
                    failed += 1
            except OSError:
                failed += 1
            step += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=user, args=(script,)) for script in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, errors[0]))
