FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY crawler ./crawler
COPY spiders ./spiders
RUN pip install . && useradd --create-home pantau
COPY config ./config
USER pantau
ENV PANTAU_CONFIG=/app/config/pantau.yaml
ENTRYPOINT ["pantau"]
CMD ["daemon"]
