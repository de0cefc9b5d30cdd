"""Neural emoji classifiers of Xie et al. (2016): S-LSTM, F-LSTM and H-LSTM.

PyTorch modules (:class:`SequenceLSTM`, :class:`HierarchicalLSTM`) and the
scikit-learn classifiers that train them with skorch
(:class:`SLSTMClassifier`, :class:`FLSTMClassifier`, :class:`HLSTMClassifier`).
"""

from ._classifiers import FLSTMClassifier, HLSTMClassifier, SLSTMClassifier
from ._modules import HierarchicalLSTM, SequenceLSTM

__all__ = [
    "SequenceLSTM",
    "HierarchicalLSTM",
    "SLSTMClassifier",
    "FLSTMClassifier",
    "HLSTMClassifier",
]
