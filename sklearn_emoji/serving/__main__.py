"""``python -m sklearn_emoji.serving --model PATH``: the same as ``sklearn-emoji serve``."""

import argparse
import sys

from ._cli import add_arguments, run


def main(argv=None):
    """Parse ``argv`` and serve; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sklearn_emoji.serving")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
