"""``apigw-doctor aws``: thin boto3 adapters that turn on the right logs, audit an
API's configuration and judge a deployed function's real result."""

from .errors import AwsError
from .session import AwsOptions

__all__ = ["AwsError", "AwsOptions"]
