"""docker-py (Debian's python3-docker) against the daemon in DOCKER_HOST:
create, start, wait, logs, exec, remove, and a build from a context.
Prints one "ok NAME" line per step; any failure raises (exit 1)."""
import io
import tarfile

import docker

client = docker.from_env()
assert client.ping()
print("ok ping", client.version()["ApiVersion"])

c = client.containers.create("busybox", ["sh", "-c", "echo out; echo err >&2; exit 2"], name="py1")
c.start()
res = c.wait()
assert res["StatusCode"] == 2, res
assert c.logs(stdout=True, stderr=False) == b"out\n", c.logs()
assert c.logs(stdout=False, stderr=True) == b"err\n", c.logs()
c.remove()
print("ok create-start-wait-logs-remove")

c = client.containers.run("busybox", ["sleep", "300"], detach=True, name="py2")
code, out = c.exec_run(["sh", "-c", "echo in-exec; exit 3"])
assert (code, out) == (3, b"in-exec\n"), (code, out)
c.reload()
assert c.status == "running", c.status
c.remove(force=True)
assert not client.containers.list(all=True), client.containers.list(all=True)
print("ok exec")

ctx = io.BytesIO()
with tarfile.open(fileobj=ctx, mode="w") as tar:
    for name, data in {
        "Dockerfile": b"FROM busybox\nARG WHO\nCOPY hello.txt /hello.txt\nRUN echo $WHO >> /hello.txt\nCMD [\"cat\", \"/hello.txt\"]\n",
        "hello.txt": b"hello from the context\n",
    }.items():
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
ctx.seek(0)
image, logs = client.images.build(fileobj=ctx, custom_context=True, tag="pybuilt:1", buildargs={"WHO": "python"})
assert "pybuilt:1" in image.tags, image.tags
out = client.containers.run("pybuilt:1", remove=True)
assert out == b"hello from the context\npython\n", out
print("ok build")
