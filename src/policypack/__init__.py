"""policypack: UK guidance on pupils sharing nude images, as data, printed as a school's pack."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policypack")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
