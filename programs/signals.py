"""Signals of the directory, for the layers above it (which programs may not import)."""

from django.dispatch import Signal

# Sent with ``program_ids`` just before a bulk write replaces those programs' categories without the
# relation's own m2m_changed signal (programs.services.program_update_many). A receiver may return a
# callable, which is called once the new categories are written, in the same transaction.
categories_replacing = Signal()
