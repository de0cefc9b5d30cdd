"""Social-media cleaning and a Chinese/English word tokenizer.

Both functions are plain module-level functions, so they pickle and can be
passed to scikit-learn, e.g. ``TfidfVectorizer(analyzer=tokenize)``.

Cleaning follows Xie et al. (2016): "we wipe out all Weibo user names, quotes
and transmission information". Concretely, :func:`clean_text` removes

* the repost chain: everything from the first ``//@name:`` on (the quoted
  earlier posts, i.e. the "transmission information"), and also from an
  ``@name:`` that follows some text, which is the same chain with its ``//``
  lost (common in the CED dump);
* a leading ``回复@name:`` ("reply to name") prefix;
* every other ``@name`` mention;
* URLs (``http://...``, ``https://...``, ``www....``, Weibo's ``t.cn/...``,
  and a bare ``http:`` left where a long post was cut);
* zero-width spaces and byte-order marks (the zero-width joiner inside emoji
  sequences stays).

Tokenizing is the cost of most models, so it is made cheap (tokens are the
same as those of the plain algorithm, checked on real data by
``tests/test_tokenize_equivalence.py``):

* one ``findall`` pass of one compiled pattern per text; the `emoji`
  package's scan only runs from the first character that can start an emoji
  (never for ASCII text);
* Han runs are segmented once each per process (memoised), by a copy of
  jieba 0.42.1's algorithm without its per-call overhead; faster than
  ``jieba.lcut`` on whole texts (:mod:`sklearn_emoji.text._jieba`, which
  runs it only for that jieba version, with the internals it reads in
  place: ``FAST_SEGMENTER``);
* :func:`cached_tokenize` remembers whole texts (bounded memory), and
  :func:`tokenize_many` tokenizes each distinct text once, in worker
  processes when the input is large enough to gain from it.

:func:`get_tokenizer` is the one place the default tokenizer is chosen.

Every memory of word tokens (Han runs, whole texts, the Weibo parse cache
on disk) follows jieba's dictionary: after ``jieba.add_word(...)`` or
``jieba.load_userdict(...)``, :func:`cached_tokenize` returns the new
segmentation, as :func:`tokenize` does.

The package has three parts: the tokenizer API (``_tokenize``), the jieba
segmenter and its guard (``_jieba``), the parallel tokenizing pool
(``_pool``); every public name is importable from here.
"""

from . import _jieba, _pool, _tokenize
from ._pool import tokenize_many
from ._tokenize import (
    cached_tokenize,
    cached_tokenize_chars,
    clean_text,
    get_tokenizer,
    remember_tokens,
    tokenize,
    tokenize_chars,
)

# The public functions belong to this module by name (as numpy's set_module
# does): pickles and model files record ``sklearn_emoji.text.cached_tokenize``,
# as before the split, whatever submodule defines it.
for _func in (
    clean_text,
    tokenize,
    cached_tokenize,
    tokenize_chars,
    cached_tokenize_chars,
    get_tokenizer,
    remember_tokens,
    tokenize_many,
):
    _func.__module__ = __name__
del _func

# The constants are those of the submodules (the same objects), restated
# here so that their documentation sits where users import them.

#: The tokenizers the package knows by name (also recorded in pre-trained encoders).
TOKENIZERS = _tokenize.TOKENIZERS

#: The name of the tokenizer used wherever none is given: jieba words for
#: Chinese, the regex for the rest (:func:`cached_tokenize`).
DEFAULT_TOKENIZER = _tokenize.DEFAULT_TOKENIZER

#: Below this many characters (of distinct texts) :func:`tokenize_many` works
#: serially when it can fork warm workers: starting them, sending the tokens
#: back and putting them in this process's memory cost more than the work
#: shared (on two shared cores ``n_jobs=2`` broke even near 170,000
#: characters of Weibo turns; benchmarks/bench_tokenize.py --break-even).
#: Change it in :mod:`sklearn_emoji.text._pool`, where it is read.
PARALLEL_MIN_CHARS = _pool.PARALLEL_MIN_CHARS

#: The same threshold where workers start cold (other platforms, another
#: joblib backend, a daemonic process).
PARALLEL_MIN_CHARS_COLD = _pool.PARALLEL_MIN_CHARS_COLD

#: Whether Han runs are cut by the package's copy of jieba 0.42.1's
#: algorithm (faster, the same tokens): true only with that jieba version and
#: the internals the copy reads in place; otherwise ``jieba.lcut`` cuts them.
FAST_SEGMENTER = _jieba.FAST_SEGMENTER

__all__ = [
    "clean_text",
    "tokenize",
    "cached_tokenize",
    "tokenize_chars",
    "cached_tokenize_chars",
    "TOKENIZERS",
    "DEFAULT_TOKENIZER",
    "get_tokenizer",
    "remember_tokens",
    "tokenize_many",
    "PARALLEL_MIN_CHARS",
    "PARALLEL_MIN_CHARS_COLD",
    "FAST_SEGMENTER",
]
