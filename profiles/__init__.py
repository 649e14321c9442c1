"""The shipped profiles (YAML files), installed as the package ``triage.profiles``."""
