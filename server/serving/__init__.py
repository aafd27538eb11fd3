"""Running the app in production: gunicorn supervises web processes that serve with waitress (see waitress_worker)."""
