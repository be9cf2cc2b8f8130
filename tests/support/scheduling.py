"""How pytest-xdist hands the tests out: a few at a time, so that no worker ends the run alone.

xdist's load scheduling keeps about an eighth of the tests still to hand out queued at each
worker (refilling a queue only when it falls below that). Tests queued at a worker stay there,
and pytest-django runs the long ones last (the browser and Varnish tests are transactional):
in a measured run, one worker held the browser tests' queue, some 85 seconds of them, and ran
them alone for the last 44 seconds after the other had nothing left. Here a worker's queue is
topped up to QUEUED tests whenever one ends, so the other worker takes what is left instead.
"""

import pytest
from xdist.scheduler import LoadScheduling

# The test running and the one after it (a worker needs to know the next test before it ends
# the current one, to tear down fixtures the next does not share), and one more, so that a
# worker never waits on the controller between two short tests.
QUEUED = 3


class ShortQueueScheduling(LoadScheduling):
    """xdist's load scheduling, with each worker's queue kept at QUEUED tests."""

    def check_schedule(self, node, duration=0):
        if node.shutting_down:
            return
        if not self.pending:
            node.shutdown()
            return
        queued = self.node2pending[node]
        wanted = QUEUED - len(queued)
        if wanted > 0:
            tests = self.pending[:wanted]
            del self.pending[:wanted]
            queued.extend(tests)
            node.send_runtest_some(tests)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") == "load":
        return ShortQueueScheduling(config, log)
    return None
