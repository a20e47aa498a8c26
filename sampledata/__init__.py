"""The one sample-data generator: the vocabulary (vocab) and the rules of a consistent clinic day
(rules), written two ways: small JSON fixtures (fixtures, `manage.py generate_sample_data`) and a
bulk-loaded clinic of any size (seed, `manage.py seed_demo`). Also the commands that use them:
shift_sample_data and the benchmark suite's bench."""
