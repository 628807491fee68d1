# build-clip in a container: the same steps as `make setup`, on Debian 12.
#   docker build -t build-clip .
#   docker run --rm -v "$PWD:/work" build-clip configs/example.yaml
FROM debian:bookworm-slim

RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        make python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/build-clip
COPY pyproject.toml Makefile README.md ./
COPY scripts ./scripts
COPY pipeline ./pipeline
# The same setup as on a workstation (system packages, .venv, the package), without dev tools.
RUN make setup PYTHON=python3 EXTRAS= && rm -rf /var/lib/apt/lists/* /root/.cache

RUN useradd --create-home --uid 1000 editor
USER editor
ENV PATH=/opt/build-clip/.venv/bin:$PATH
WORKDIR /work
ENTRYPOINT ["build-clip"]
