"""Helpers with no domain and no models, importable by every app: the bottom layer.

Absolute links for emails, PDF rendering with its safe URL fetcher, French text folding. Nothing
here imports an app of the project.
"""
