"""Weighted multi-layer sibling lexicon (Idrees & Al-Solami, 2024).

The model builds its own text-to-emoji lexicon from the training texts, with
no outside resource, and recommends emojis (with a repeat count) from it.
Everything is computed with sparse matrix products over sufficient
statistics, so :meth:`LexiconEmojiRecommender.partial_fit` can add texts
(labelled or not) without refitting from scratch.

Reading of the paper
--------------------
The paper gives definitions (its equations 1-21) but its pseudo code and
tables are missing from the published text, so the following choices were
made; each was measured on TweetEval (validation split) and the Weibo
dialogues (see ``benchmarks/lexicon_results.py``):

* **Keywords.** A token is a candidate keyword of an emoji when it occurs in
  at least ``min_df`` training texts carrying that emoji and its smoothed
  association with the emoji is positive. The *association* (the weight
  used for scoring) is the smoothed log-lift
  ``log P(emoji | token) / P(emoji)`` with
  ``P(emoji | token) = (df(token, emoji) + s P(emoji)) / (df(token) + s)``
  (``s = smoothing``). Keywords are *selected* by the paper's TF-IDF
  (``df(token, emoji) / n(emoji) * idf(token)``), the ``n_keywords``
  strongest per emoji (of equal values, the token seen first).
  ``weighting="tfidf"`` uses the TF-IDF value itself as the weight (the
  most literal reading); it ranks worse on real data.
* **Seed keyword.** ``seed_keywords`` forces given tokens into an emoji's
  lexicon with the emoji's largest keyword weight; without it the seed is
  the strongest TF-IDF keyword (reported in :meth:`lexicon_table`).
* **Environments and siblings.** Every token occurrence has four
  environment pairs (prefix, postfix): (1-token prefix, 1-token postfix),
  (2, 1), (1, 2) and (2, 2); the start and end of a turn are tokens too. A
  token-by-environment-pair matrix is collected from *every* text seen
  (labelled or not), pairs seen with a single token are dropped, pairs are
  idf-weighted and rows L2-normalised. The environment of an emoji is the
  weighted sum of its keywords' rows (``ENV(emoji)``, equation 13); a
  token's sibling score for the emoji is the similarity-weighted average of
  the emoji's lexicon weights over the tokens sharing its environment pairs.
  Each enrichment iteration adds, per emoji, the ``n_siblings`` best tokens
  not yet in its lexicon whose score is at least ``min_sibling_weight``,
  with weight ``sibling_decay * score`` (of equal scores, the token seen
  first); the next iteration uses the enlarged lexicon. It stops when an iteration finds no new sibling or
  after ``max_iter`` iterations (the paper stops after three).
* **Granularity.** Bi-grams and tri-grams are weighted the same way as
  unigrams, kept for an emoji only when one of their tokens is in that
  emoji's lexicon (the "relationship between keywords"), and multiplied by
  ``granularity``; they add to the unigram evidence, so a matching phrase
  counts more than its loose words.
* **Scoring.** The score of an emoji is the sum of the weights of the
  lexicon entries present in the text (each counted once) plus
  ``prior_weight * log P(emoji)``; ``predict_proba`` is its softmax.
  The recommended *set* keeps the emojis whose probability is at least
  ``set_threshold`` times the best one's (at most ``max_set_size``): the
  paper's "minimised" set.
* **Multiplication.** From training targets with repeated emojis (e.g.
  ``["[哈哈]", "[哈哈]"]``) the model averages, for every token of the
  reply (the last turn: the text the emojis were in; context turns such as
  a root post shared by many replies only learn spurious keys) and emoji,
  the emoji's count in the texts holding the token (equation 19), shrunk
  towards the token's average over all emojis times the emoji's base count
  ("collaborative weighting", ``multiplication_smoothing`` pseudo-texts).
  A token is a multiplication key of an emoji when it occurs in at least
  ``min_multiplication_support`` such texts and its average exceeds the
  emoji's base average count by at least ``multiplication_threshold``.
  The predicted count is the rounded largest average among the keys
  present, else the emoji's most frequent count (its mode).
* **Token ids and ties.** Tokens are numbered from 2 in the order they
  were first seen, as everywhere in the library (0 is padding, which also
  marks the start and end of a turn in the environments; 1 is
  out-of-vocabulary), and n-grams and environment pairs are numbered in
  the order they were first met. Every top-k choice ranks by score, then
  by first-seen order, so the lexicon depends neither on where the ids
  start nor on how a selection algorithm moves equal values around.
* **Continuous enrichment.** ``partial_fit`` adds the new texts' counts to
  the stored statistics and rebuilds the lexicon: labelled texts update
  keywords, phrases and multiplication keys; unlabelled texts (``y=None``)
  update the environment matrix (and so the siblings: new words that live
  in the surroundings of known keywords join the lexicon).
"""

# Layout: the lexicon is built by pure functions; the estimators only hold the result.
#   _encoding    token ids, hashed n-gram and environment-pair indexes, texts -> presence matrices
#   _statistics  the sufficient statistics as named dataclasses, with merge (partial_fit)
#                and with_labels (cross-fitting folds)
#   _build       the four stages (keywords and seeds, siblings, phrases, repeat keys);
#                build_lexicon returns a frozen Lexicon
#   _scoring     scoring texts with a lexicon, emojis in classes_ order
#   _targets     emoji targets; _report: lexicon_table rows
#   _base, _recommender, _features: the two estimators

from ._build import DEFAULT_MULTIPLICATION_KEYS
from ._features import SiblingLexiconFeatures
from ._recommender import LexiconEmojiRecommender
from ._targets import extract_emoji_targets

__all__ = [
    "LexiconEmojiRecommender",
    "SiblingLexiconFeatures",
    "extract_emoji_targets",
    "DEFAULT_MULTIPLICATION_KEYS",
]
