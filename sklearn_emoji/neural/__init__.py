"""Neural emoji classifiers of Xie et al. (2016): S-LSTM, F-LSTM and H-LSTM.

PyTorch modules (:class:`SequenceLSTM`, :class:`HierarchicalLSTM`) and the
scikit-learn classifiers that train them with skorch
(:class:`SLSTMClassifier`, :class:`FLSTMClassifier`, :class:`HLSTMClassifier`),
and transfer learning: :class:`PretrainedEncoder` (saved and read with
:meth:`PretrainedEncoder.save` / :func:`load_encoder`) and the
:class:`ChainThaw` fine-tuning callback. Pre-training itself is
:func:`sklearn_emoji.pretraining.pretrain_encoder`. Corpora larger than
memory: :func:`write_token_arrays` / :func:`load_token_arrays` keep token ids
on disk (:class:`TokenArrays`), and the classifiers read such memory-mapped
ids batch by batch (:class:`TokenDataset`).
"""

from ._classifiers import PAPER_SETTINGS, FLSTMClassifier, HLSTMClassifier, SLSTMClassifier
from ._modules import AttentionPooling, HierarchicalLSTM, SequenceLSTM
from ._streaming import TokenArrays, TokenDataset, load_token_arrays, write_token_arrays
from ._transfer import ChainThaw, EncoderFileError, PretrainedEncoder, check_no_overlap, load_encoder

__all__ = [
    "SequenceLSTM",
    "HierarchicalLSTM",
    "AttentionPooling",
    "PretrainedEncoder",
    "EncoderFileError",
    "ChainThaw",
    "load_encoder",
    "check_no_overlap",
    "SLSTMClassifier",
    "PAPER_SETTINGS",
    "FLSTMClassifier",
    "HLSTMClassifier",
    "TokenArrays",
    "TokenDataset",
    "write_token_arrays",
    "load_token_arrays",
]
