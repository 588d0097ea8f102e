"""A Celery worker that pauses between finishing a task and acknowledging it.

The services tier kills it with SIGKILL during that pause: the e-mail has been accepted by the
SMTP server and the outbox row is marked sent, but the broker never got the acknowledgement and
hands the task to the next worker. Run as ``python -m tests.integration.worker_pausing_before_ack QUEUE``.
"""

import os
import sys
import time

from celery.signals import task_postrun

from portal.celery import app

QUEUE = sys.argv[1]
PAUSE_BEFORE_ACK = float(os.environ.get("PAUSE_BEFORE_ACK", "0"))


@task_postrun.connect
def pause_before_ack(**kwargs):
    # With acks_late the solo pool acknowledges only after the task and its postrun handlers return.
    time.sleep(PAUSE_BEFORE_ACK)


if __name__ == "__main__":
    app.conf.broker_transport_options = {
        # An unacknowledged message becomes visible again after one second, checked every second,
        # in keys of this run only, so other workers on the same Redis are not disturbed.
        "visibility_timeout": 1,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        "unacked_key": f"{QUEUE}-unacked",
        "unacked_index_key": f"{QUEUE}-unacked-index",
        "unacked_mutex_key": f"{QUEUE}-unacked-mutex",
    }
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            f"--queues={QUEUE}",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
        ]
    )
