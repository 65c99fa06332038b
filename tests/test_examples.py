"""Every docstring example runs from any folder: examples read shipped data
(:mod:`analysis.datasets`), never a path of the checkout such as ``tests/fixtures``."""
from __future__ import annotations

import doctest
import importlib
import pkgutil
import re

import analysis

CHECKOUT_PATH = re.compile(r"""["'](?:\./)?(?:tests|data|benchmarks|analysis|notebooks|questionnaires|data_dictionary)/""")


def _modules():
    for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
        if not info.name.endswith("__main__"):          # importing it would run the CLI
            yield importlib.import_module(info.name)


def test_no_example_reads_a_file_of_the_checkout():
    finder = doctest.DocTestFinder()
    offending = [f"{test.name}: {ex.source.strip()}"
                 for module in _modules() for test in finder.find(module)
                 for ex in test.examples if CHECKOUT_PATH.search(ex.source)]
    assert not offending, "\n".join(offending)


def test_the_check_catches_a_checkout_path():
    assert CHECKOUT_PATH.search('pd.read_csv("tests/fixtures/data/x.csv")')
    assert not CHECKOUT_PATH.search('datasets.load("holzinger_swineford_1939")')
