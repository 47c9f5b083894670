# The service image: the same CLI as everywhere (serve, worker, migrate), run as a plain user.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY projections projections
COPY store store
COPY api api
RUN pip install --no-cache-dir . && useradd --create-home timeline
USER timeline
EXPOSE 8000
ENTRYPOINT ["negotiation-timeline"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
