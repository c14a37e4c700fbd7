import json
import os


def handler(event, context):
    with open(os.environ["KEY_FILE"]) as key:  # the image's ENV names a file it copied
        first = key.readline().strip()
    body = {
        "greeting": os.environ["GREETING"],
        "key": first,
        "overridden": os.environ["OVERRIDDEN"],
        "path_kept": "/opt/tool/bin" not in os.environ.get("PATH", ""),
    }
    return {"statusCode": 200, "body": json.dumps(body)}
