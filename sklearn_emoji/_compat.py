"""The one importer of private third-party API (scikit-learn, skorch, joblib).

Everything here is private in the library it comes from, so a new release
may move or change it. The version bounds in ``pyproject.toml`` cover the
releases this was tested with; CI runs the ``compat`` tests on the oldest
supported versions (``.ci/run``). When a bound is raised, check each name
below against the new release first.

=====================================  ======================================  =============
name                                   from                                    bound
=====================================  ======================================  =============
``_fit_context``                       ``sklearn.base`` (1.3+)                 scikit-learn <1.10
``Hidden``, ``HasMethods``,            ``sklearn.utils._param_validation``     scikit-learn <1.10
``Interval``, ``StrOptions``,
``InvalidParameterError``,
``validate_params``,
``validate_parameter_constraints``
``_num_samples``                       ``sklearn.utils.validation``            scikit-learn <1.10
:func:`predict_nonlinearity`           ``NeuralNet._get_predict_nonlinearity``  skorch <2
``DaskDistributedBackend``             ``joblib._dask`` (imported lazily:       joblib <1.7 (dask extra)
                                       it needs dask)
``SequentialBackend``                  ``joblib._parallel_backends``           joblib <1.7 (dask extra)
=====================================  ======================================  =============
"""

from joblib._parallel_backends import SequentialBackend
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)
from sklearn.utils.validation import _num_samples

__all__ = [
    "_fit_context",
    "HasMethods",
    "Hidden",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "validate_params",
    "validate_parameter_constraints",
    "_num_samples",
    "predict_nonlinearity",
    "SequentialBackend",
]


def predict_nonlinearity(net):
    """The function a skorch net applies to its module's output in ``predict_proba`` (softmax, usually)."""
    return net._get_predict_nonlinearity()


def __getattr__(name):
    if name == "DaskDistributedBackend":  # joblib._dask imports dask: only on demand (the dask extra)
        from joblib._dask import DaskDistributedBackend

        return DaskDistributedBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
