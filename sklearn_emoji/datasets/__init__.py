"""Dataset loaders: Weibo dialogues (CED) and TweetEval emoji.

Raw files live in a *data home* (:func:`get_data_home`): the ``data_home``
argument, else the environment variable ``SKLEARN_EMOJI_DATA``, else
``~/sklearn_emoji_data``. Missing files are downloaded from the public
addresses, or from a mirror of the data home layout given by ``base_url`` /
``SKLEARN_EMOJI_BASE_URL``, and kept only once verified: as long as the
announced ``Content-Length``, and checksum-verified where the bytes are fixed.
Each read of a download waits at most ``SKLEARN_EMOJI_DOWNLOAD_TIMEOUT``
seconds (default 60) and one file takes at most
``SKLEARN_EMOJI_DOWNLOAD_DEADLINE`` seconds (default 3600; ``inf``: no limit).
Local TweetEval files are checked against the published checksums. Parsed
Weibo data is cached (a pickle) in the private folder ``parsed/`` of
``SKLEARN_EMOJI_CACHE`` (default ``~/.cache/sklearn_emoji``).
"""

from ._base import DataFileError, DataNotFoundError, get_cache_home, get_data_home
from ._tweeteval import TWEETEVAL_URL, load_tweeteval_emoji
from ._weibo import (
    WEIBO_URL,
    load_weibo_dialogues,
    load_weibo_pretraining,
    load_weibo_replies,
)

__all__ = [
    "DataFileError",
    "DataNotFoundError",
    "TWEETEVAL_URL",
    "WEIBO_URL",
    "get_cache_home",
    "get_data_home",
    "load_tweeteval_emoji",
    "load_weibo_dialogues",
    "load_weibo_pretraining",
    "load_weibo_replies",
]
