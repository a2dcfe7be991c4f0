"""Shared by unit and e2e tests: the harness plugin is registered by its pytest11 entry point."""
