"""The scope engine: plain values in, a decision out.

``terms`` (the value types), ``hours`` (support hours), ``matching`` (service
recognition), ``scope`` (``decide``) and ``uptime`` (a month's availability and
credit). Nothing here reads the database, the
clock or the settings, and nothing imports ``tickets``;
tests/contracts/test_engine_is_pure.py keeps it so.
"""
