"""What the benchmark measures, one module per app: ``bench.registry.autodiscover()`` imports
them all. They live here, not in the apps, so that no production module imports ``bench``."""
