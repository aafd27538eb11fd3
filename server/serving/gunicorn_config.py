"""gunicorn settings of `kg serve` (``gunicorn -c python:server.serving.gunicorn_config``); the command line may
override any of them. Chosen to hold the attacks of tests/app/test_production_server.py and bench/load.py."""

worker_class = "server.serving.waitress_worker.WaitressWorker"
workers = 2              # web processes; each keeps SPARQL query processes ready, the query slots and clients are counted together
threads = 32             # per process: at most KG_QUERY_WORKERS + KG_QUERY_QUEUE (14) are tied up by SPARQL
worker_connections = 1000  # open connections per process (slow clients included)
keepalive = 5
timeout = 60             # a process that stops answering the heartbeat this long is replaced
graceful_timeout = 20
forwarded_allow_ips = ""  # forwarding headers are the app's business (KG_TRUSTED_PROXIES)
errorlog = "-"
loglevel = "warning"


def on_starting(server) -> None:
    """In the master, before the web processes are forked: the table of each client's query use that they share, so
    a client's limits hold per server, not per web process (server/serving/client_table.py)."""
    from server.serving import client_table

    client_table.share_between_processes()


def post_worker_init(worker) -> None:
    """Before a web process takes requests, its warm-ups start (the SPARQL query processes open the build meanwhile)."""
    from server.serving.warm import warm

    warm(worker.wsgi, worker.log)
