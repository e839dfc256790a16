# A Warta worker image: `docker compose up` runs it against the compose file's Kafka.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY streams ./streams
COPY schemas ./schemas
COPY examples ./examples
RUN pip install --no-cache-dir .
ENV WARTA_DATA_DIR=/data WARTA_WEB_HOST=0.0.0.0
EXPOSE 6066
ENTRYPOINT ["warta"]
CMD ["worker"]
