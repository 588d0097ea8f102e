"""How long 5,000 outbox messages take to reach an SMTP server through Redis and one Celery worker.

Needs PostgreSQL and Redis:

    DATABASE_URL=postgres://root@127.0.0.1:5432/kitaportal CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/notifications.py [--messages 5000] [--per-transaction 100]

The script works in its own database ``<DATABASE_URL's name>_bench`` (created if missing,
migrated, emptied) with production settings (DEBUG off). It runs two phases in one go, so their
figures share the machine's load: messages as text only, then messages that each carry a real
PDF rendered at send time, as families get them (application receipts and offer letters
alternately, for ``--cases`` real applications and offers written first). Each phase writes
``--messages`` with ``notify()`` in transactions of ``--per-transaction``; each commit queues
its delivery tasks in Redis, on a queue of this run. Then it starts ONE worker process with the
pool the deployment uses (``celery -A portal worker --pool=threads --concurrency=4``, see
``deploy/``) and counts what an SMTP server on loopback receives per message (by Message-ID,
which carries the row's public id). It prints, per phase, the time from starting the worker
until the last message arrived, messages per second per worker process, and how many were
duplicated or lost; and the PDF render time per document, measured in this process first.
Targets: none duplicated, none lost, 5,000 messages with PDFs in under 120 s, under 20 ms per PDF.
"""

import argparse
import collections
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

TARGET_SECONDS = 120
TARGET_RENDER_MS = 20


def database_url(url: str, name: str) -> str:
    """The same PostgreSQL server and credentials as ``url``, another database."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL, e.g. postgres://root@127.0.0.1:5432/kitaportal")
    return urlunsplit(parts._replace(scheme="postgresql", path=f"/{name}"))


def bench_database(server_url: str) -> str:
    """A database of its own beside the one ``DATABASE_URL`` names, so parallel runs keep apart."""
    return f"{urlsplit(server_url).path.lstrip('/') or 'kitaportal'}_bench"


def create_database_if_missing(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CountingHandler:
    """Counts deliveries per Message-ID and notes when the first and the last one arrived."""

    def __init__(self):
        self.lock = threading.Lock()
        self.parser = BytesHeaderParser()
        self.reset()

    def reset(self):
        with self.lock:
            self.received = collections.Counter()
            self.first_arrival = self.last_arrival = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message_id = self.parser.parsebytes(envelope.original_content)["Message-ID"]
        with self.lock:
            self.received[message_id] += 1
            self.last_arrival = time.monotonic()
            self.first_arrival = self.first_arrival or self.last_arrival
        return "250 Message accepted for delivery"

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())


@dataclass
class PhaseResult:
    name: str
    messages: int
    writing_seconds: float
    first_seconds: float
    elapsed: float
    received: int
    duplicated: int
    lost: int
    statuses: dict

    @property
    def per_second(self) -> float:
        return self.messages / self.elapsed


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--messages", type=int, default=5000, help="per phase")
    arguments.add_argument("--per-transaction", type=int, default=100)
    arguments.add_argument("--timeout", type=float, default=600)
    arguments.add_argument("--pool", default="threads", choices=("solo", "threads", "prefork"))
    arguments.add_argument("--concurrency", type=int, default=4, help="threads of the one worker process")
    arguments.add_argument("--phases", nargs="+", default=["text", "pdf"], choices=("text", "pdf"))
    arguments.add_argument("--cases", type=int, default=200, help="applications with an offer to attach")
    options = arguments.parse_args()

    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not broker_url.startswith("redis://"):
        sys.exit("CELERY_BROKER_URL must point at Redis, e.g. redis://127.0.0.1:6379/0")
    server_url = os.environ.get("DATABASE_URL", "")
    name = bench_database(server_url)
    bench_url = database_url(server_url, name)
    create_database_if_missing(server_url, name)

    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    handler = CountingHandler()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()

    queue = f"kitaportal-bench-{uuid.uuid4().hex[:12]}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="false",
        SECRET_KEY=uuid.uuid4().hex * 2,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=bench_url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from portal.celery import app
    from portal.models import User

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    app.conf.task_default_queue = queue
    recipients = [
        User.objects.create_user(f"bench{n}@example.org", language="de" if n % 3 else "en")
        for n in range(100)
    ]
    cases = make_cases(options.cases) if "pdf" in options.phases else []
    render_ms = pdf_render_times(cases) if cases else {}

    results = []
    try:
        for phase in options.phases:
            handler.reset()
            results.append(
                run_phase(
                    phase,
                    handler=handler,
                    options=options,
                    recipients=recipients,
                    queue=queue,
                    cases=cases if phase == "pdf" else [],
                )
            )
    finally:
        smtp.stop()
        with app.connection_for_write() as connection:
            connection.default_channel.client.delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )
    report(results, render_ms=render_ms, options=options)


def run_phase(phase: str, *, handler, options, recipients, queue: str, cases) -> PhaseResult:
    """Write the phase's messages, then let one fresh worker process deliver them all."""
    from notifications.models import OutboxMessage

    writing = time.monotonic()
    write_messages(
        recipients,
        count=options.messages,
        per_transaction=options.per_transaction,
        key=f"bench:{queue}:{phase}",
        cases=cases,
    )
    writing_seconds = time.monotonic() - writing
    started = time.monotonic()
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "portal", "worker"),
            *(f"--pool={options.pool}", f"--concurrency={options.concurrency}"),
            *(f"--queues={queue}", f"--hostname={queue}-{phase}@%h"),
            *("--loglevel=WARNING", "--without-mingle", "--without-gossip"),
        ],
        cwd=BASE_DIR,
    )
    try:
        while handler.total() < options.messages and time.monotonic() - started < options.timeout:
            if worker.poll() is not None:
                sys.exit("The worker stopped")
            time.sleep(0.05)
        time.sleep(3)  # watch for late duplicates
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    rows = OutboxMessage.objects.filter(dedupe_key__startswith=f"bench:{queue}:{phase}:")
    expected = {
        f"<outbox-{public_id}@kita-portal.example>" for public_id in rows.values_list("public_id", flat=True)
    }
    return PhaseResult(
        name="with PDFs" if cases else "text only",
        messages=options.messages,
        writing_seconds=writing_seconds,
        first_seconds=(handler.first_arrival or time.monotonic()) - started,
        elapsed=(handler.last_arrival or time.monotonic()) - started,
        received=sum(handler.received.values()),
        duplicated=sum(count - 1 for count in handler.received.values() if count > 1),
        lost=len(expected - set(handler.received)),
        statuses=dict(collections.Counter(rows.values_list("status", flat=True))),
    )


def report(results: list[PhaseResult], *, render_ms: dict[str, float], options) -> None:
    print(f"worker:             ONE process, --pool={options.pool} --concurrency={options.concurrency}")
    for name, milliseconds in render_ms.items():
        print(f"PDF render {name:<14} {milliseconds:.1f} ms per document (wall, this process)")
    for result in results:
        print(f"--- {result.name}")
        print(f"written:            {result.messages} in {result.writing_seconds:.1f} s")
        print(f"first e-mail after: {result.first_seconds:.1f} s (worker start-up)")
        print(
            f"last e-mail after:  {result.elapsed:.1f} s "
            f"({result.elapsed / result.messages * 1000:.1f} ms per message)"
        )
        print(f"throughput:         {result.per_second:.0f} messages per second per worker process")
        print(f"5,000 messages:     {5000 / result.per_second:.0f} s at this rate")
        print(f"received by SMTP:   {result.received}, duplicated: {result.duplicated}, lost: {result.lost}")
        print(f"outbox rows:        {result.statuses}")
    if len(results) == 2:
        print(f"PDFs cost:          {results[1].elapsed / results[0].elapsed:.2f} x the text-only time")
    with_pdfs = [result for result in results if result.name == "with PDFs"]
    slowest = max(render_ms.values(), default=0)
    met = (
        all(result.duplicated == 0 and result.lost == 0 for result in results)
        and all(5000 / result.per_second < TARGET_SECONDS for result in with_pdfs)
        and slowest < TARGET_RENDER_MS
    )
    print(
        f"target (0 duplicated, 0 lost, 5,000 with PDFs < {TARGET_SECONDS} s, "
        f"PDF < {TARGET_RENDER_MS} ms): {'met' if met else 'MISSED'}"
    )


def make_cases(count: int) -> list[tuple[int, int]]:
    """Real applications, each with an open offer, whose PDFs the messages carry: (application, offer)."""
    from tests.factories import OfferFactory

    offers = [OfferFactory() for _ in range(count)]
    return [(offer.application_id, offer.pk) for offer in offers]


def pdf_render_times(cases: list[tuple[int, int]], rounds: int = 40) -> dict[str, float]:
    """Milliseconds per document after the first (fonts load once per process)."""
    from childcare.letters import render_application_receipt, render_offer_letter

    times = {}
    for name, render, index in (
        ("receipt", render_application_receipt, 0),
        ("offer letter", render_offer_letter, 1),
    ):
        render(cases[0][index], "de")
        started = time.perf_counter()
        for n in range(rounds):
            render(cases[n % len(cases)][index], "de")
        times[name] = (time.perf_counter() - started) / rounds * 1000
    return times


def write_messages(recipients, *, count: int, per_transaction: int, key: str, cases) -> None:
    """Messages as a burst of state changes writes them: rendered, in transactions, queued at commit."""
    from django.db import transaction

    from childcare.models import Application, Child, Facility
    from notifications.services import notify

    facility = Facility(name="Kita Sonnenblume")
    for first in range(0, count, per_transaction):
        with transaction.atomic():
            for n in range(first, min(first + per_transaction, count)):
                child = Child(first_name="Mia")
                attachments, about = [], {}
                if cases:
                    application_id, offer_id = cases[n % len(cases)]
                    attachments = [
                        {"kind": "application_receipt", "object_id": application_id}
                        if n % 2
                        else {"kind": "offer_letter", "object_id": offer_id}
                    ]
                    # Checked at send time like a family's real message: is the application still live?
                    about = {"application": application_id}
                notify(
                    recipient=recipients[n % len(recipients)],
                    kind="application_submitted",
                    dedupe_key=f"{key}:{n}",
                    context={
                        "application": Application(reference=f"KP-{n:08d}", child=child),
                        "child": child,
                        "facility": facility,
                        "link": "/",
                    },
                    attachments=attachments,
                    about=about,
                )


if __name__ == "__main__":
    main()
