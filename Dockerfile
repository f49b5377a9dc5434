# newsbot: one stateless bot instance. Run several behind Telegram's webhook, sharing one
# PostgreSQL (see docker-compose.yml and the README's "Deployment" section).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
COPY handlers ./handlers
# The versions CI tested (constraints.txt), not whatever is newest on the day of the build;
# an up-to-date pip (23.2 fails on the lxml[html-clean] extra).
RUN pip install -U pip && pip install -c constraints.txt . \
    && useradd --create-home --uid 10001 newsbot
USER newsbot

# The webhook server: POST <WEBHOOK_URL path>, GET /healthz, GET /metrics (METRICS=true).
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"

# Settings come from the environment (see .env.example). With WEBHOOK_URL set, `run` serves
# the webhook; without it, it polls.
ENTRYPOINT ["newsbot"]
CMD ["run"]
