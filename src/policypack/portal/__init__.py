"""The portal: the same build in a browser, for DSLs and trusts (Django).

An outer layer around the pipeline, like the CLI: nothing under the stage folders imports it.
It stores profiles, users, roles, build jobs and an audit log, and builds packs through one
adapter (`adapter.py`) that calls policypack's public build functions.
"""
