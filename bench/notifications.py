"""How long 5,000 outbox messages take to reach an SMTP server through Redis and one Celery worker.

Needs PostgreSQL and Redis:

    DATABASE_URL=postgres://root@127.0.0.1:5432/kitaportal CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/notifications.py [--messages 5000] [--per-transaction 100]

The script works in its own database ``kitaportal_bench`` (created if missing, migrated, emptied)
with production settings (DEBUG off). It writes the messages with ``notify()`` in transactions of
``--per-transaction``; each commit queues its delivery tasks in Redis, on a queue of this run. Then
it starts ONE worker process (``celery -A portal worker --pool=solo --concurrency=1``) and an SMTP
server on loopback that counts what it receives per message (by Message-ID, which carries the
row's public id). It prints the time from starting the worker until the last message arrived,
messages per second per worker, and how many were duplicated or lost. Target: none duplicated,
none lost, under 60 s.

With ``--attachments`` (the default) every message carries a real PDF rendered at send time, as
families get them: application receipts and offer letters alternately, for real applications
and offers written first (``--cases``). The PDF render time per document is measured in this
process before the run and printed too. ``--no-attachments`` sends text only.
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
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

BENCH_DATABASE = "kitaportal_bench"
TARGET_SECONDS = 60


def database_url(url: str, name: str) -> str:
    """The same PostgreSQL server and credentials as ``url``, another database."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL, e.g. postgres://root@127.0.0.1:5432/kitaportal")
    return urlunsplit(parts._replace(scheme="postgresql", path=f"/{name}"))


def create_database_if_missing(server_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CountingHandler:
    """Counts deliveries per Message-ID and notes when the last one arrived."""

    def __init__(self):
        self.received = collections.Counter()
        self.first_arrival = self.last_arrival = None
        self.lock = threading.Lock()
        self.parser = BytesHeaderParser()

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


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--messages", type=int, default=5000)
    arguments.add_argument("--per-transaction", type=int, default=100)
    arguments.add_argument("--timeout", type=float, default=600)
    arguments.add_argument("--pool", default="solo", choices=("solo", "threads", "prefork"))
    arguments.add_argument("--concurrency", type=int, default=1)
    arguments.add_argument("--attachments", action=argparse.BooleanOptionalAction, default=True)
    arguments.add_argument("--cases", type=int, default=200, help="applications with an offer to attach")
    options = arguments.parse_args()

    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not broker_url.startswith("redis://"):
        sys.exit("CELERY_BROKER_URL must point at Redis, e.g. redis://127.0.0.1:6379/0")
    server_url = os.environ.get("DATABASE_URL", "")
    bench_url = database_url(server_url, BENCH_DATABASE)
    create_database_if_missing(server_url)

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

    from notifications.models import OutboxMessage
    from portal.celery import app
    from portal.models import User

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    app.conf.task_default_queue = queue
    recipients = [
        User.objects.create_user(f"bench{n}@example.org", language="de" if n % 3 else "en")
        for n in range(100)
    ]

    cases = make_cases(options.cases) if options.attachments else []
    render_ms = pdf_render_times(cases) if cases else {}

    try:
        writing = time.monotonic()
        write_messages(
            recipients,
            count=options.messages,
            per_transaction=options.per_transaction,
            queue=queue,
            cases=cases,
        )
        written = time.monotonic()
        started = time.monotonic()
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "portal", "worker"),
                *(f"--pool={options.pool}", f"--concurrency={options.concurrency}"),
                *(f"--queues={queue}", f"--hostname={queue}@%h"),
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
    finally:
        smtp.stop()
        with app.connection_for_write() as connection:
            connection.default_channel.client.delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )

    expected = {
        f"<outbox-{public_id}@kita-portal.example>"
        for public_id in OutboxMessage.objects.values_list("public_id", flat=True)
    }
    duplicated = sum(count - 1 for count in handler.received.values() if count > 1)
    lost = len(expected - set(handler.received))
    statuses = collections.Counter(OutboxMessage.objects.values_list("status", flat=True))
    elapsed = (handler.last_arrival or time.monotonic()) - started
    transactions = -(-options.messages // options.per_transaction)
    print(f"written:            {options.messages} in {transactions} transactions, {written - writing:.1f} s")
    if handler.first_arrival:
        print(f"first e-mail after: {handler.first_arrival - started:.1f} s (worker start-up)")
    per_message = elapsed / options.messages * 1000
    workers = options.concurrency
    print(f"attachments:        {'one PDF per message (receipt / offer letter)' if cases else 'none'}")
    for name, milliseconds in render_ms.items():
        print(f"PDF render {name:<14} {milliseconds:.1f} ms per document (wall), this process")
    print(f"last e-mail after:  {elapsed:.1f} s ({per_message:.1f} ms per message, {workers} worker(s))")
    print(f"throughput:         {options.messages / elapsed / workers:.0f} messages per second per worker")
    print(f"5,000 messages:     {5000 * elapsed / options.messages:.0f} s at this rate")
    print(f"received by SMTP:   {sum(handler.received.values())}")
    print(f"duplicated:         {duplicated}")
    print(f"lost:               {lost}")
    print(f"outbox rows:        {dict(statuses)}")
    verdict = "met" if duplicated == 0 and lost == 0 and elapsed < TARGET_SECONDS else "MISSED"
    print(f"target (0 duplicated, 0 lost, < {TARGET_SECONDS} s): {verdict}")


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


def write_messages(recipients, *, count: int, per_transaction: int, queue: str, cases) -> None:
    """Messages as a burst of state changes writes them: rendered, in transactions, queued at commit."""
    from django.db import transaction

    from childcare.models import Application, Child, Facility
    from notifications.services import notify

    facility = Facility(name="Kita Sonnenblume")
    for first in range(0, count, per_transaction):
        with transaction.atomic():
            for n in range(first, min(first + per_transaction, count)):
                child = Child(first_name="Mia")
                attachments = []
                if cases:
                    application_id, offer_id = cases[n % len(cases)]
                    attachments = [
                        {"kind": "application_receipt", "object_id": application_id}
                        if n % 2
                        else {"kind": "offer_letter", "object_id": offer_id}
                    ]
                notify(
                    recipient=recipients[n % len(recipients)],
                    kind="application_submitted",
                    dedupe_key=f"bench:{queue}:{n}",
                    context={
                        "application": Application(reference=f"KP-{n:08d}", child=child),
                        "child": child,
                        "facility": facility,
                        "link": "/",
                    },
                    attachments=attachments,
                )


if __name__ == "__main__":
    main()
