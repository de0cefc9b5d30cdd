"""sklearn-emoji: scikit-learn compatible emoji recommendation."""

__version__ = "0.1.0"
