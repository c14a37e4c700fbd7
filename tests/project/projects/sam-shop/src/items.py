import json
import os

import common  # from the layer


def get(event, context):
    return {"statusCode": 200, "body": json.dumps({"table": os.environ["TABLE"], "v": common.VERSION})}
