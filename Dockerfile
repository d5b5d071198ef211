# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint needs Pango for the booklet and sign-in sheet PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY maillage maillage
COPY reseau reseau
COPY courrier courrier
COPY bench bench
RUN pip install .
COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input

RUN useradd --system --home /app maillage && mkdir -p /app/media && chown maillage /app/media
USER maillage
EXPOSE 8000
CMD ["gunicorn", "maillage.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
