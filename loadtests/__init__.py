"""Locust scenarios: what a user does (scenarios) kept apart from how many and when (shapes).

Every scenario drives every variant: the credential is handled by
loadtests.credentials, which reads the variant's transport from the environment.
"""
