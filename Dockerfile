# The service image: the five packages installed from the pinned dependency set, with the
# live feed set's extra (AKShare: WARNING_FEED_SET=live). `--build-arg EXTRAS=` builds an
# image without it (about 120 MB smaller) that runs the local feed set only.
FROM python:3.11-slim
ARG EXTRAS=live

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml requirements.lock README.md ./
COPY warning ./warning
COPY feeds ./feeds
COPY rules ./rules
COPY alerts ./alerts
COPY vocabulary ./vocabulary
RUN pip install -c requirements.lock ".${EXTRAS:+[$EXTRAS]}" \
    && useradd --create-home --uid 1000 warning \
    && mkdir -p /app/var /data && chown warning /app/var
USER warning

ENTRYPOINT ["warning"]
CMD ["--help"]
