"""gunicorn's settings for a ward or province server (README, "Running a ward or province server").

Every value can be changed through the environment without editing this file: the systemd unit's
EnvironmentFile or the container's environment. gunicorn reads this file with
``gunicorn -c deploy/gunicorn.conf.py 'review:create_app()'``.
"""

import multiprocessing
import os

# nginx in front, on the same machine: gunicorn listens on loopback only.
bind = os.environ.get("REVIEW_BIND", "127.0.0.1:8000")
# Synchronous workers: the pages are short database reads and writes; the ZIP export and any long
# job run in the worker (flask --app review worker), not here.
workers = int(os.environ.get("REVIEW_WEB_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9))))
worker_class = "sync"
threads = 1
timeout = int(os.environ.get("REVIEW_WEB_TIMEOUT", "60"))  # a request longer than this is killed
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with a jitter, so that they do not all restart
# at once): what a long-lived Python process may hold on to is given back.
max_requests = int(os.environ.get("REVIEW_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# nginx sets X-Forwarded-*; the application trusts REVIEW_PROXY_COUNT of them (ProxyFix), gunicorn
# only from loopback.
forwarded_allow_ips = os.environ.get("REVIEW_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The application writes one JSON line per request itself (review/request_log.py): gunicorn's own
# access log would say the same again, with the address (which may hold a token).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("REVIEW_LOG_LEVEL", "info")
# Each worker opens its own connections after the fork.
preload_app = False
limit_request_line = 8190
limit_request_fields = 100
