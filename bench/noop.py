"""A job that does nothing: measures the engine's own cost per task."""

from core.processor import Processor


class Noop(Processor):
    name = "noop"
    title = "Nothing"

    def run(self, path, params, ctx):
        return None
