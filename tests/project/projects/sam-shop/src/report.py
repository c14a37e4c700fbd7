def build(event, context):
    return {"rows": []}  # a non-proxy integration: mapping templates shape the response
