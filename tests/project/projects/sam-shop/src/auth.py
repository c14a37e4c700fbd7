def check(event, context):
    return {"principalId": "user", "policyDocument": {"Version": "2012-10-17", "Statement": []}}
