"""The stand-in for Credly in a process of its own, as Credly is a server of its own: in the
benchmark's process its request handlers would share one interpreter lock with the sync they
answer, and the benchmark would time the stand-in as much as the sync. Standard library only
(the stand-in is), so the child starts without Django.
"""

import multiprocessing

from badges_cms.credly.standin import CredlyStandIn, make_template, template_id


def _serve(connection, templates, latency):
    with CredlyStandIn() as standin:
        standin.templates = [make_template(i) for i in range(1, templates + 1)]
        standin.accepted_counts = {template_id(i): i for i in range(1, templates + 1)}
        standin.latency = latency
        connection.send((standin.token, standin.organization_id, standin.base_url))
        while (command := connection.recv()) != "stop":
            if command == "requests":  # how many it answered since the last call, then forget
                with standin.lock:
                    connection.send(len(standin.requests))
                    standin.requests.clear()


class StandInProcess:
    """``with StandInProcess(2000, 0.03) as standin``: token, organization_id and base_url as
    on CredlyStandIn; ``requests_since()`` counts the requests it answered since last asked."""

    def __init__(self, templates, latency):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, templates, latency))

    def __enter__(self):
        self.process.start()
        if not self.connection.poll(60):
            self.process.kill()
            raise RuntimeError("The stand-in for Credly did not start within 60 s")
        self.token, self.organization_id, self.base_url = self.connection.recv()
        return self

    def requests_since(self):
        self.connection.send("requests")
        return self.connection.recv()

    def __exit__(self, *exc_info):
        self.connection.send("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
