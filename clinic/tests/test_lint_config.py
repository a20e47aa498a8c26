"""The lint configuration that `make lint` (and so CI) applies: the apps' import layers."""

import configparser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Top to bottom: each layer may import only from the layers below it; `|` marks siblings that
# may not import each other.
LAYERS = [
    "clinic",
    "sampledata",
    "reports",
    "satusehat | pharmacy",
    "records | billing",
    "scheduling",
    "patients",
    "audit",
    "accounts",
    "core",
]


def contracts() -> dict[str, configparser.SectionProxy]:
    config = configparser.ConfigParser()
    assert config.read(REPO / ".importlinter") == [str(REPO / ".importlinter")]
    return {name: config[name] for name in config.sections() if name.startswith("importlinter:contract:")}


def test_it_layers_the_apps_one_way():
    (layers,) = contracts().values()
    assert layers["type"] == "layers"
    assert layers["layers"].split() == " ".join(LAYERS).split()


def test_it_checks_every_app_package_and_allows_no_exceptions():
    config = configparser.ConfigParser()
    config.read(REPO / ".importlinter")
    packages = {name for layer in LAYERS for name in layer.split(" | ")}
    assert set(config["importlinter"]["root_packages"].split()) == packages
    for contract in contracts().values():
        # ignore_imports, unmatched_ignore_imports_alerting, exhaustive_ignores: none of them.
        assert not [option for option in contract if "ignore" in option]
