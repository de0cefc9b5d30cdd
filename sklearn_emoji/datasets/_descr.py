"""The ``DESCR`` texts of the Weibo loaders, and the helpers that fill them in."""

from __future__ import annotations

import numbers
import textwrap

_DESCR = """\
Weibo dialogues with emoji labels (CED reply trees)
---------------------------------------------------

Multi-turn Chinese dialogues rebuilt from the reply trees of the CED rumour
dataset (Song et al., "CED: Credible Early Detection of Social Media Rumors",
arXiv:1811.04175, 2018; https://github.com/thunlp/Chinese_Rumor_Dataset), with the
preprocessing of Xie et al. (2016), "Neural Emoji Recommendation in Dialogue
Systems". Each sample is a dialogue (root post, non-empty ancestors, reply;
oldest first, emojis removed); its label is the one emoji of the reply. Root
posts are news and rumours rather than chit-chat. Dialogues of one root post
are related: split by ``groups`` (e.g. GroupKFold) for a fair held-out estimate.

Source: {source}
Corpus: {root_posts:,} root posts; {items:,} reposts/comments, of which
{nonempty_replies:,} are non-empty after cleaning, {replies_with_emoji:,} hold an
emoji and {replies_with_one_emoji:,} exactly one distinct emoji; {unknown_parents:,}
name a parent that is not in their file (treated as replies to the root).

Parameters: n_emojis={n_emojis}, max_turns={max_turns}, min_turns={min_turns},
min_word_freq={min_word_freq}, max_words={max_words}, max_oov={max_oov},
long_turns={long_turns!r}, balance={balance}, n_samples={n_samples},
random_state={random_state}.

{exclusion}

Dialogues left after each rule (``filter_counts``):
{counts}

Labels ({n_labels}): {labels}
"""

_PRETRAINING_DESCR = """\
Weibo distant-supervision pre-training corpus
---------------------------------------------

The dialogues of load_weibo_dialogues under the distant-supervision rules:
any of the {n_emojis} most frequent emojis labels a dialogue, no class
balancing, long turns truncated after {max_words} words, no OOV rule. Meant
for pre-training the dialogue encoders, then fine-tuning on the balanced
dialogues; pass the test part's groups as exclude_groups to keep it
leak-free.

"""

_REPLIES_DESCR = """\
Weibo replies, unlabelled (CED reply trees)
-------------------------------------------

Every reply (repost or comment) of the CED Weibo reply trees (Song et al.,
2018; https://github.com/thunlp/Chinese_Rumor_Dataset) that is non-empty after
cleaning (user names, reply prefixes, repost chains, URLs) and emoji removal,
one entry per reply, in corpus order. Unlabelled text for word vectors or
language-model pre-training; root posts are not included. ``groups`` is the
root post's id of each reply.

Source: {source}
Corpus: {items:,} reposts/comments, {nonempty_replies:,} non-empty after
cleaning, {nonempty_replies_without_emojis:,} still non-empty once their emojis
are removed ({distinct_reply_texts:,} distinct texts).

{exclusion}

Parameters: min_chars={min_chars}, n_samples={n_samples},
random_state={random_state}.

Replies returned: {n:,}.
"""


def _describe_exclusion(exclude, found, removed, what):
    """A DESCR paragraph on ``exclude_groups``."""
    head = "Held-out threads (exclude_groups): "
    if not exclude:
        return head + "none."
    return textwrap.fill(
        f"{head}{len(exclude):,} group ids given, {len(found):,} of them root "
        f"posts of the corpus (the others are ignored); their {removed:,} {what} "
        f"were removed first.",
        width=79,
    )


def _describe_random_state(random_state):
    if random_state is None or isinstance(random_state, numbers.Integral):
        return random_state
    return type(random_state).__name__
