"""One BLAS thread for the small matrices of ``analysis.stats`` (the SEM engine, factor
extraction, parallel analysis).

A threaded BLAS only adds contention on matrices of a few dozen rows (hundreds of times
slower on a busy two-core machine), so these computations run with one BLAS thread.
threadpoolctl's ``threadpool_limits()`` finds the loaded BLAS libraries anew on every call
(it reads the process's library list: ~2 ms, more than a whole small CFA); the one
:class:`threadpoolctl.ThreadpoolController` here is made once, at import, after numpy's and
scipy's BLAS are loaded, and :func:`one_thread` only sets and restores their thread counts.
A BLAS library loaded later by another package is not limited (threads are then merely
slower, never wrong).
"""
from __future__ import annotations

import functools
from typing import Callable, ParamSpec, TypeVar

import numpy  # noqa: F401  (numpy's and scipy's BLAS are loaded before the controller looks)
import scipy.linalg  # noqa: F401
from threadpoolctl import ThreadpoolController

_CONTROLLER = ThreadpoolController()

_P = ParamSpec("_P")
_R = TypeVar("_R")


def one_thread():
    """Context manager: BLAS limited to one thread inside (``with one_thread(): ...``)."""
    return _CONTROLLER.limit(limits=1, user_api="blas")


def one_blas_thread(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator: ``func`` runs with one BLAS thread (:func:`one_thread`)."""
    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with one_thread():
            return func(*args, **kwargs)
    return wrapper


__all__ = ["one_thread", "one_blas_thread"]
