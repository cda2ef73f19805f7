# The jinlin service image: used by docker-compose.yml next to Neo4j.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY api api
COPY loaders loaders
COPY analysis analysis
RUN pip install --no-cache-dir . && useradd --create-home jinlin
USER jinlin
EXPOSE 8000
CMD ["jinlin", "serve", "--host", "0.0.0.0", "--port", "8000"]
