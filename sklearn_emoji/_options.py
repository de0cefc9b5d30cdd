"""The option sets of the library's string parameters, each written once.

Every place that checks or offers one of these options (an estimator's
``_parameter_constraints``, a public function's ``validate_params``, a torch
module, a file reader, the CLI's ``choices=``) reads it from here. The module
imports nothing, so the CLI can build its parser without scikit-learn or torch.

Examples
--------
>>> from sklearn_emoji._options import POOLINGS, TURN_MODES
>>> POOLINGS, TURN_MODES
(('last', 'attention'), ('all', 'reply'))
"""

__all__ = [
    "ARCHITECTURES",
    "FINE_TUNINGS",
    "LSTM_METHODS",
    "POOLINGS",
    "TOKENIZER_NAMES",
    "TRUNCATINGS",
    "TURN_MODES",
]

#: How an LSTM pools its states (``pooling=``): the last state, or DeepMoji-style attention.
POOLINGS = ("last", "attention")

#: How a classifier fine-tunes a pre-trained encoder (``fine_tuning=``).
FINE_TUNINGS = ("full", "last", "chain-thaw")

#: The tokenizers known by name (``tokenizer=``): jieba words or Han characters.
TOKENIZER_NAMES = ("words", "chars")

#: The turns a dialogue is flattened to (``turns=``): all of them, or the reply alone.
TURN_MODES = ("all", "reply")

#: Which end of a long token sequence is cut (``truncating=``).
TRUNCATINGS = ("pre", "post")

#: The LSTM methods of Xie et al. (2016), by registry name (their recipes: ``_vocabulary.LSTM_RECIPES``).
LSTM_METHODS = ("S-LSTM", "F-LSTM", "H-LSTM")

#: The module a pre-trained encoder came from: SequenceLSTM (S-/F-LSTM) or HierarchicalLSTM.
ARCHITECTURES = ("sequence", "hierarchical")
