# quizbot: slim Python, a non-root user, the SQLite file in the /data volume.
# Configure through the environment (BOT_TOKEN, DATABASE_URL, QUIZBOT_*; see config.example.toml)
# and optionally a TOML file mounted at /config/config.toml with QUIZBOT_CONFIG pointing at it.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/quizbot.db \
    QUIZBOT_HEALTH_LISTEN=127.0.0.1 \
    QUIZBOT_HEALTH_PORT=8080 \
    QUIZBOT_WEBHOOK_LISTEN=0.0.0.0 \
    QUIZBOT_WEBHOOK_PORT=8443

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 --user-group quizbot \
    && mkdir /data \
    && chown 10001:10001 /data

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8443
HEALTHCHECK --interval=60s --timeout=15s --start-period=30s --retries=3 CMD ["quizbot", "health"]
CMD ["quizbot", "run"]
