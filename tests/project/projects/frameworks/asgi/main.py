from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: str) -> dict[str, str]:
    return {"id": item_id, "via": "fastapi"}


handler = Mangum(app, lifespan="off")
