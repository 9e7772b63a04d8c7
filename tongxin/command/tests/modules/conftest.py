"""The sampling tests' small county (a round, two points, nine residents) for the figures
providers of the existing modules."""

from tongxin.sampling.tests.conftest import upload, world  # noqa: F401  (fixtures)
