"""Real services for the `services` tier: an SMTP server on loopback and Celery workers on Redis."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.db import connection, connections

from portal.celery import app as celery_app

# Tasks of this test run travel on their own queue, so a leftover message from an earlier run or a
# worker of another checkout on the same Redis never takes part in (or steals from) these tests.
TEST_QUEUE = f"kitaportal-test-{uuid.uuid4().hex[:12]}"
celery_app.conf.task_default_queue = TEST_QUEUE


class RecordingHandler:
    """Keeps every accepted message; ``answers`` scripts replies such as "451 ..." before accepting."""

    def __init__(self):
        self.messages = []
        self.refused = []
        self.answers = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.lock:
            answer = self.answers.pop(0) if self.answers else "250 Message accepted for delivery"
            (self.messages if answer.startswith("250") else self.refused).append(envelope)
        return answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def real_broker(transactional_db, settings):
    """Tasks go through Redis instead of running eagerly."""
    celery_app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(real_broker):
    """A real worker thread consuming this run's queue on the configured (Redis) broker."""

    def close_connections(**kwargs):
        # Workers keep their connection across tasks (CELERY_DB_REUSE_MAX); one left open by the
        # worker thread would keep the test database from being dropped.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_connections)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_queue():
    yield
    if celery_app.conf.broker_url.startswith("redis://"):
        with celery_app.connection_for_write() as conn:
            conn.default_channel.client.delete(
                TEST_QUEUE,
                f"_kombu.binding.{TEST_QUEUE}",
                f"_kombu.binding_permanent.{TEST_QUEUE}",
                f"{TEST_QUEUE}-unacked",
                f"{TEST_QUEUE}-unacked-index",
            )


@contextlib.contextmanager
def broker_unreachable():
    """Publishing fails as if Redis were down; the running worker keeps its own connection."""
    closed_port = free_port()
    celery_app.conf.broker_write_url = f"redis://127.0.0.1:{closed_port}/0"
    _forget_producer_connections()
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = None
        _forget_producer_connections()


def _forget_producer_connections():
    # Celery caches the publishing pools per app; dropping them makes the next publish use the URL above.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class WorkerProcess:
    """``celery worker`` in a child process against the test database, killable with SIGKILL."""

    def __init__(self, *, log_path, smtp_port, pause_before_ack: float):
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "PAUSE_BEFORE_ACK": str(pause_before_ack),
        }
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.worker_pausing_before_ack", TEST_QUEUE],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log_path.read_text()

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def worker_process(tmp_path, real_broker):
    started = []

    def start(*, smtp_port, pause_before_ack=0.0):
        worker = WorkerProcess(
            log_path=tmp_path / f"worker-{len(started) + 1}.log",
            smtp_port=smtp_port,
            pause_before_ack=pause_before_ack,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(condition, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
