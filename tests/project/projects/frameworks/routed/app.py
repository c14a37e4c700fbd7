from aws_lambda_powertools.event_handler import APIGatewayRestResolver

app = APIGatewayRestResolver()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"message": "hello", "memory": str(app.lambda_context.memory_limit_in_mb)}


def lambda_handler(event, context):
    return app.resolve(event, context)
