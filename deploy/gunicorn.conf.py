"""gunicorn settings for Kita-Portal (``gunicorn -c deploy/gunicorn.conf.py portal.wsgi``).

Sync workers: each serves one request at a time and keeps one persistent database
connection (DATABASE_CONN_MAX_AGE). The usual rule of thumb, 2 x CPU cores + 1, keeps
the cores busy while some workers wait on the database; set WEB_CONCURRENCY to override it,
e.g. when PostgreSQL's max_connections is the limit (workers x web machines + Celery
workers must stay below it).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A page that takes longer is a bug; the allocation round and exports run as Celery tasks.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all at once.
# A new worker loads Django again, about a second of a core: at 2,000 requests a busy two-core
# machine (700 searches a second) restarted a worker every few seconds, and the requests waiting
# meanwhile pushed the p99 past 2 s. A worker's memory stays flat (about 130 MiB, bench/), so
# 20,000 recycles each worker every few minutes at that rate.
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# nginx in front sets X-Forwarded-Proto; trust it from the local proxy only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
