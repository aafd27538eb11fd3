"""`kg serve`'s gunicorn settings without the warm-up (bench/peers.py's old start): query processes start with the
first query, as before issue 18's warm start."""

from server.serving.gunicorn_config import *  # noqa: F403


def post_worker_init(worker) -> None:  # nothing started ahead
    pass
