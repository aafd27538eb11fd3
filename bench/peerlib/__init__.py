"""Parts of bench/peers.py: the query set, the engines it starts, wrk, the result check and the report."""
