from .receiver import certificate, receiver  # noqa: F401 (fixtures)
