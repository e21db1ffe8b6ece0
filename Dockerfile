# quizbot: slim Python, non-root, SQLite data in a volume. Configure with BOT_TOKEN (and
# optionally a mounted TOML at /config/config.toml via QUIZBOT_CONFIG).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/quizbot.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 quizbot \
    && mkdir /data && chown quizbot /data

USER quizbot
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=10s CMD ["quizbot", "check-bank"]
CMD ["quizbot", "run"]
