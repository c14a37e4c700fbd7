"""``python -m apigw_doctor``: the same as the ``apigw-doctor`` command."""

from .cli import main

if __name__ == "__main__":
    main()
