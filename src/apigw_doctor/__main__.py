"""``python -m apigw_doctor``: the same as the ``apigw-doctor`` command."""

from .cli import main

main()
