"""Order of the examples inside each gallery section (the papers' order)."""

from pathlib import Path

#: File names in the order they appear; files not listed come after, by name.
ORDER = [
    # Xie et al. (2016)
    "plot_table2_methods.py",
    "plot_table3_per_emoji.py",
    "plot_figure4_dimensions.py",
    "plot_table4_case_study.py",
    # Idrees and Al-Solami (2024)
    "plot_lexicon.py",
    "plot_feature_union.py",
    # TweetEval (English)
    "plot_leaderboard.py",
]


class PaperOrder:
    """Sort key for ``within_subsection_order`` (called with the section's folder)."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = Path(filename).name
        return (ORDER.index(name), name) if name in ORDER else (len(ORDER), name)

    def __repr__(self):
        return f"<{type(self).__name__}>"
